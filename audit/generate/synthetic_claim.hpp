#pragma once
// One generated claim, as the writers (CSV: claims_generator.cpp, X12 837: x12_writer.hpp)
// serialise it. Plain values, independent of the engine's Encounter model, so the
// generator and its writers do not move when the engine's representation does.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"

namespace coderaudit::generate {

enum class LineKind : uint8_t { kDx, kPcs, kHcpcs };

struct SyntheticLine {
  LineKind kind = LineKind::kDx;
  uint16_t seq = 0;               // DX / PCS sequence, 1 = principal; 0 for HCPCS
  Code code;                      // upper case, no dots
  char poa = 0;                   // DX on inpatient claims: Y N U W; 0 = not reported
  std::string modifiers;          // HCPCS: "25;59" (billed order), "" for none
  uint32_t units = 0;             // HCPCS
  std::optional<Date> date;       // HCPCS: date of service; PCS: procedure date
  int64_t charge_cents = -1;      // HCPCS; -1 = not reported
};

// A revenue-code-only line of an institutional claim (room and board, pharmacy): carried
// by the 837I for its charge, not a coded line (schemas/x12-837-mapping.md), so the CSV
// layout has no row for it.
struct RevenueLine {
  std::string revenue_code;       // 4 digits
  uint32_t units = 1;
  bool days = false;              // unit basis DA (days) instead of UN
  int64_t charge_cents = 0;
};

struct SyntheticClaim {
  std::string id, patient_id;
  char sex = 'U';                 // F M U
  Date birth, from, through;      // inpatient: admission and discharge
  bool inpatient = false;         // else a professional claim
  std::string provider_id, coder_id, payer, drg, discharge_status;
  std::string admission_type = "1";  // inpatient: UB-04 priority of admission (837I CL101)
  std::vector<SyntheticLine> lines;  // DX by seq, then PCS by seq, then HCPCS lines
  std::vector<RevenueLine> revenue;  // inpatient only

  // Claim total as billed (837 CLM02): HCPCS line charges, plus revenue lines.
  int64_t TotalCents() const {
    int64_t total = 0;
    for (const auto& l : lines)
      if (l.charge_cents > 0) total += l.charge_cents;
    for (const auto& r : revenue) total += r.charge_cents;
    return total;
  }
};

// "123.05" for 12305 cents.
std::string Money(int64_t cents);
// "E11.9" for E119 (the CSV layout's display form; a code of 3 characters stays as is).
std::string DottedDx(const Code& code);

}  // namespace coderaudit::generate
