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

  // Age in completed years at the start of the encounter (MCE: age at admission).
  std::optional<int> AgeAtAdmission() const;
  // The line's date of service, falling back to the encounter's from date.
  Date DateOfService(const CodedLine& line) const {
    return line.service_date ? *line.service_date : from_date;
  }
};

}  // namespace coderaudit
