#include "audit/model/encounter.hpp"

#include <algorithm>

namespace coderaudit {

std::string_view ToString(ClaimType t) {
  switch (t) {
    case ClaimType::kInpatient: return "inpatient";
    case ClaimType::kOutpatient: return "outpatient";
    case ClaimType::kProfessional: return "professional";
  }
  return "?";
}
std::string_view ToString(Sex s) {
  switch (s) {
    case Sex::kFemale: return "F";
    case Sex::kMale: return "M";
    case Sex::kUnknown: return "U";
  }
  return "?";
}
std::string_view ToString(CodeType t) {
  switch (t) {
    case CodeType::kDiagnosis: return "DX";
    case CodeType::kPcs: return "PCS";
    case CodeType::kHcpcs: return "HCPCS";
  }
  return "?";
}

std::string_view ToString(CodeSystem s) {
  switch (s) {
    case CodeSystem::kDefault: return "";
    case CodeSystem::kIcd9: return "ICD9";
    case CodeSystem::kOther: return "OTHER";
  }
  return "?";
}

std::optional<ClaimType> ParseClaimType(std::string_view s) {
  if (s == "inpatient") return ClaimType::kInpatient;
  if (s == "outpatient") return ClaimType::kOutpatient;
  if (s == "professional") return ClaimType::kProfessional;
  return std::nullopt;
}
std::optional<Sex> ParseSex(std::string_view s) {
  if (s == "F") return Sex::kFemale;
  if (s == "M") return Sex::kMale;
  if (s == "U") return Sex::kUnknown;
  return std::nullopt;
}
std::optional<CodeType> ParseCodeType(std::string_view s) {
  if (s == "DX") return CodeType::kDiagnosis;
  if (s == "PCS") return CodeType::kPcs;
  if (s == "HCPCS") return CodeType::kHcpcs;
  return std::nullopt;
}

std::optional<Modifiers> Modifiers::Parse(std::string_view text) {
  Modifiers m;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ';' || text[i] == ',' || text[i] == ' ')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ';' && text[j] != ',' && text[j] != ' ') ++j;
    if (j > i && !m.Add(text.substr(i, j - i))) return std::nullopt;
    i = j;
  }
  return m;
}

bool Modifiers::Add(std::string_view mod) {
  if (count_ == kMax || mod.size() != 2) return false;
  std::array<char, 2> item{};
  for (size_t i = 0; i < 2; ++i) {
    char ch = mod[i];
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) return false;
    item[i] = ch;
  }
  items_[count_++] = item;
  return true;
}

bool Modifiers::Has(std::string_view mod) const {
  for (size_t i = 0; i < count_; ++i)
    if (At(i) == mod) return true;
  return false;
}

std::string Modifiers::Str() const {
  std::string s;
  for (size_t i = 0; i < count_; ++i) {
    if (i) s += ';';
    s += At(i);
  }
  return s;
}

bool Modifiers::SameSet(const Modifiers& other) const {
  if (count_ != other.count_) return false;
  for (size_t i = 0; i < count_; ++i)
    if (!other.Has(At(i))) return false;
  return true;
}

std::optional<size_t> Encounter::DiagnosesWithoutPrincipal() const {
  std::optional<size_t> first;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].type != CodeType::kDiagnosis) continue;
    if (lines[i].seq == 1) return std::nullopt;
    if (!first) first = i;
  }
  return first;
}

std::optional<int> Encounter::AgeAtAdmission() const {
  if (!birth_date) return std::nullopt;
  return AgeInYears(*birth_date, from_date);
}

void Encounter::Clear() {
  for (std::string* s : {&id, &patient_id, &provider_id, &coder_id, &payer, &drg, &discharge_status,
                         &source_file, &place_of_service, &type_of_bill, &claim_frequency,
                         &rendering_provider_id, &attending_provider_id})
    s->clear();
  lines.clear();
  visit_reason_dx.clear();
  sex = Sex::kUnknown;
  birth_date.reset();
  from_date = through_date = Date{};
  claim_type = ClaimType::kProfessional;
  source_line = 0;
  source_records = 1;
  total_charge_cents = 0;
  admitting_dx = Code{};
}

void swap(Encounter& a, Encounter& b) noexcept {
  // Every member of Encounter (tests/model/id_set_tests.cpp checks its size, so a new
  // member is noticed there and added here and to Clear()).
  using std::swap;
  swap(a.id, b.id);
  swap(a.patient_id, b.patient_id);
  swap(a.sex, b.sex);
  swap(a.birth_date, b.birth_date);
  swap(a.from_date, b.from_date);
  swap(a.through_date, b.through_date);
  swap(a.claim_type, b.claim_type);
  swap(a.provider_id, b.provider_id);
  swap(a.coder_id, b.coder_id);
  swap(a.payer, b.payer);
  swap(a.drg, b.drg);
  swap(a.discharge_status, b.discharge_status);
  swap(a.lines, b.lines);
  swap(a.source_line, b.source_line);
  swap(a.source_file, b.source_file);
  swap(a.source_records, b.source_records);
  swap(a.place_of_service, b.place_of_service);
  swap(a.type_of_bill, b.type_of_bill);
  swap(a.claim_frequency, b.claim_frequency);
  swap(a.total_charge_cents, b.total_charge_cents);
  swap(a.rendering_provider_id, b.rendering_provider_id);
  swap(a.attending_provider_id, b.attending_provider_id);
  swap(a.admitting_dx, b.admitting_dx);
  swap(a.visit_reason_dx, b.visit_reason_dx);
}

}  // namespace coderaudit
