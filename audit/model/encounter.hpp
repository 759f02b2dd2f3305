#pragma once
// The encounter model every reader produces and every stage consumes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"

namespace coderaudit {

enum class ClaimType : uint8_t { kInpatient, kOutpatient, kProfessional };
enum class Sex : uint8_t { kUnknown, kFemale, kMale };
// DX: ICD-10-CM diagnosis. PCS: ICD-10-PCS procedure. HCPCS: CPT or HCPCS Level II line.
enum class CodeType : uint8_t { kDiagnosis, kPcs, kHcpcs };

std::string_view ToString(ClaimType t);   // "inpatient" | "outpatient" | "professional"
std::string_view ToString(Sex s);         // "F" | "M" | "U"
std::string_view ToString(CodeType t);    // "DX" | "PCS" | "HCPCS"
std::optional<ClaimType> ParseClaimType(std::string_view s);
std::optional<Sex> ParseSex(std::string_view s);
std::optional<CodeType> ParseCodeType(std::string_view s);

// The code system of a line's code when it is not the one its CodeType implies. Claims
// as they arrive (837, FHIR) still carry ICD-9 codes and payer-local codes: they are kept
// and flagged rather than dropped, so an audit sees them.
enum class CodeSystem : uint8_t {
  kDefault,  // ICD-10-CM (DX), ICD-10-PCS (PCS), CPT/HCPCS Level II (HCPCS)
  kIcd9,     // ICD-9-CM diagnosis or procedure (837 BK/BF/BJ/PR/BR/BQ, FHIR icd-9-cm)
  kOther,    // anything else (837 SV1/SV2 qualifiers ER/IV/WK/HP, unknown FHIR system)
};
std::string_view ToString(CodeSystem s);  // "" | "ICD9" | "OTHER"

// Up to four two-character modifiers, in billed order.
class Modifiers {
 public:
  static constexpr size_t kMax = 4;
  // "25;59" (separators ';', ',' or space). nullopt if more than four or any is not 2 chars.
  static std::optional<Modifiers> Parse(std::string_view text);
  bool Add(std::string_view modifier);  // false when full or malformed
  bool Has(std::string_view modifier) const;
  size_t Size() const { return count_; }
  std::string_view At(size_t i) const { return {items_[i].data(), 2}; }
  std::string Str() const;  // "25;59"
  // Same modifiers regardless of order.
  bool SameSet(const Modifiers& other) const;
  friend bool operator==(const Modifiers&, const Modifiers&) = default;

 private:
  std::array<std::array<char, 2>, kMax> items_{};
  uint8_t count_ = 0;
};

struct CodedLine {
  CodeType type = CodeType::kDiagnosis;
  uint16_t seq = 0;              // diagnosis/procedure sequence; 1 = principal / first listed
  Code code;
  char poa = ' ';                // Y N U W 1, or ' ' when not reported
  Modifiers modifiers;
  double units = 0;              // service units (HCPCS lines)
  std::optional<Date> service_date;
  int64_t charge_cents = 0;
  uint32_t source_line = 0;      // line in the input file, for traceability
  // Added for X12 837 / FHIR input (defaults mean "not reported", as in the CSV layout).
  CodeSystem code_system = CodeSystem::kDefault;
  Code revenue_code;             // UB-04 revenue code of an institutional line (837I SV201)
  Code place_of_service;         // the line's own place of service (837P SV105), else empty
  std::array<uint8_t, 4> dx_pointers{};  // DX seq numbers the line points to; 0 = unused
};

struct Encounter {
  std::string id;
  std::string patient_id;
  Sex sex = Sex::kUnknown;
  std::optional<Date> birth_date;
  Date from_date;                // admission date or first service date
  Date through_date;             // discharge date or last service date
  ClaimType claim_type = ClaimType::kProfessional;
  std::string provider_id;
  std::string coder_id;
  std::string payer;
  std::string drg;
  std::string discharge_status;
  std::vector<CodedLine> lines;  // in input order; findings refer to 1-based positions
  uint32_t source_line = 0;      // first input line of the encounter
  std::string source_file;       // the input it was read from
  uint32_t source_records = 1;   // input records it was built from (CSV rows; 1 claim in X12/FHIR)
  // Added for X12 837 / FHIR input; empty / zero when the source does not report them.
  std::string place_of_service;  // professional claims: CLM05-1, e.g. "11"
  std::string type_of_bill;      // institutional claims: "0" + CLM05-1 + CLM05-3, e.g. "0111"
  std::string claim_frequency;   // CLM05-3: "1" original, "7" replacement, "8" void
  int64_t total_charge_cents = 0;      // claim total as billed (CLM02, Claim.total)
  std::string rendering_provider_id;   // 837 NM1*82 / FHIR careTeam rendering, NPI when given
  std::string attending_provider_id;   // 837I NM1*71 / FHIR careTeam attending
  Code admitting_dx;                   // 837I HI ABJ/BJ; same code system as the DX lines
  std::vector<Code> visit_reason_dx;   // 837I HI APR/PR (up to 3), patient's reason for visit

  // Back to a default-constructed state but keeping string and vector capacity, so a
  // reader can refill one Encounter per record without allocating.
  void Clear();
  // Member by member (std::swap would move every member three times): the check pipeline
  // swaps each encounter into its batch.
  friend void swap(Encounter& a, Encounter& b) noexcept;

  // The first diagnosis line when the encounter lists diagnoses but none with seq 1: the
  // principal (first-listed) diagnosis is missing, so every reader rejects the encounter
  // rather than let the MCE and the principal-diagnosis edits pass it unjudged.
  std::optional<size_t> DiagnosesWithoutPrincipal() const;
  // Age in completed years at the start of the encounter (MCE: age at admission).
  std::optional<int> AgeAtAdmission() const;
  // The line's date of service, falling back to the encounter's from date.
  Date DateOfService(const CodedLine& line) const {
    return line.service_date ? *line.service_date : from_date;
  }
};

}  // namespace coderaudit
