#include "rules/tables.hpp"

#include <array>

namespace coderaudit::rules {

namespace {

using refdata::TableKind;

constexpr std::array<TableKind, 15> kAllKinds{
    TableKind::kIcd10CmOrder,   TableKind::kIcd10PcsOrder,   TableKind::kHcpcs,
    TableKind::kPtpPractitioner, TableKind::kPtpOutpatient,  TableKind::kMuePractitioner,
    TableKind::kMueOutpatient,  TableKind::kMueDme,          TableKind::kAddOn,
    TableKind::kMce,            TableKind::kPoaExempt,       TableKind::kIcd10CmTabular,
    TableKind::kInpatientOnly,  TableKind::kMceRelease,      TableKind::kCpt};

// NCCI Policy Manual ch. I § E "Modifiers and modifier indicators".
constexpr std::array<std::string_view, 44> kAssociated{
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA",
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "LM", "RC",
    "RI", "24", "25", "57", "58", "78", "79", "27", "59", "91", "XE", "XS", "XP", "XU"};

// EDITS.md § MUE: other lines of the same code with these are separate lines (MAI 1), and
// the anatomic modifiers, which CMS's MUE guidance names beside them ("CPT modifiers such
// as 76, 77, anatomic modifiers (e.g., RT, LT, F1, F2), 91 and 59": each line so reported
// is adjudicated against the MUE on its own; NCCI Policy Manual ch. I and the MUE FAQ).
constexpr std::array<std::string_view, 39> kMueSeparate{
    "59", "XE", "XS", "XP", "XU", "76", "77", "91", "E1", "E2", "E3", "E4", "FA",
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA", "T1", "T2", "T3",
    "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "LM", "RC", "RI"};

// EDITS.md § Duplicates: repeat lines carrying these are not duplicates.
constexpr std::array<std::string_view, 10> kRepeat{"76", "77", "91", "59", "XE",
                                                   "XS", "XP", "XU", "RT", "LT"};

}  // namespace

// The table names are refdata's own, so a rule names a table exactly as `refdata list`.
std::string_view TableName(TableKind kind) { return refdata::ToString(kind); }

std::optional<TableKind> ParseTableName(std::string_view name) {
  return refdata::ParseTableKind(name);
}

std::span<const TableKind> AllTableKinds() { return kAllKinds; }

std::string TableLabel(const refdata::TableVersion& table) {
  return std::string(TableName(table.kind)) + " " + table.version;
}

bool PtpActiveOn(const refdata::PtpEdit& edit, Date dos) {
  // No effective date (the shipped files have none): in force since before the file's
  // history, so deleted pairs keep editing older dates of service. Same as
  // refdata::PtpEdit::ActiveOn, restated so the rules do not depend on its object code.
  if (edit.effective && dos < *edit.effective) return false;
  if (edit.deleted && dos > *edit.deleted) return false;
  return true;
}

bool AnyRangeContains(std::span<const refdata::CodeRange> ranges, const Code& code) {
  for (const auto& range : ranges)
    if (range.Contains(code)) return true;
  return false;
}

Date CodeSetDate(const Encounter& encounter) {
  return encounter.claim_type == ClaimType::kInpatient ? encounter.through_date
                                                       : encounter.from_date;
}

std::optional<NcciSetting> ParseNcciSetting(std::string_view text) {
  if (text == "by-claim-type") return NcciSetting::kByClaimType;
  if (text == "practitioner") return NcciSetting::kPractitioner;
  if (text == "outpatient-hospital") return NcciSetting::kOutpatientHospital;
  if (text == "dme") return NcciSetting::kDme;
  return std::nullopt;
}

std::optional<refdata::PtpSetting> PtpSettingFor(NcciSetting setting, ClaimType claim_type) {
  switch (setting) {
    case NcciSetting::kPractitioner:
      return refdata::PtpSetting::kPractitioner;
    case NcciSetting::kOutpatientHospital:
      return refdata::PtpSetting::kOutpatientHospital;
    case NcciSetting::kDme:
      return std::nullopt;  // NCCI has no DME PTP table
    case NcciSetting::kByClaimType:
      break;
  }
  switch (claim_type) {
    case ClaimType::kProfessional:
      return refdata::PtpSetting::kPractitioner;
    case ClaimType::kOutpatient:
      return refdata::PtpSetting::kOutpatientHospital;
    case ClaimType::kInpatient:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<refdata::MueSetting> MueSettingFor(NcciSetting setting, ClaimType claim_type) {
  switch (setting) {
    case NcciSetting::kPractitioner:
      return refdata::MueSetting::kPractitioner;
    case NcciSetting::kOutpatientHospital:
      return refdata::MueSetting::kOutpatientHospital;
    case NcciSetting::kDme:
      return refdata::MueSetting::kDme;
    case NcciSetting::kByClaimType:
      break;
  }
  switch (claim_type) {
    case ClaimType::kProfessional:
      return refdata::MueSetting::kPractitioner;
    case ClaimType::kOutpatient:
      return refdata::MueSetting::kOutpatientHospital;
    case ClaimType::kInpatient:
      return std::nullopt;
  }
  return std::nullopt;
}

TableKind PtpTable(refdata::PtpSetting setting) {
  return setting == refdata::PtpSetting::kPractitioner ? TableKind::kPtpPractitioner
                                                       : TableKind::kPtpOutpatient;
}

TableKind MueTable(refdata::MueSetting setting) {
  switch (setting) {
    case refdata::MueSetting::kPractitioner:
      return TableKind::kMuePractitioner;
    case refdata::MueSetting::kOutpatientHospital:
      return TableKind::kMueOutpatient;
    case refdata::MueSetting::kDme:
      return TableKind::kMueDme;
  }
  return TableKind::kMuePractitioner;
}

std::vector<ClaimType> RuleClaimTypes(const std::vector<ClaimType>& listed) {
  if (!listed.empty()) return listed;
  return {ClaimType::kInpatient, ClaimType::kOutpatient, ClaimType::kProfessional};
}

std::span<const std::string_view> NcciAssociatedModifiers() { return kAssociated; }
std::span<const std::string_view> MueSeparateLineModifiers() { return kMueSeparate; }
std::span<const std::string_view> DuplicateRepeatModifiers() { return kRepeat; }

std::string_view FirstModifierIn(const Modifiers& modifiers, std::span<const std::string> list) {
  for (size_t i = 0; i < modifiers.Size(); ++i)
    for (const auto& modifier : list)
      if (modifiers.At(i) == modifier) return modifiers.At(i);
  return {};
}

std::string_view FirstModifierIn(const CodedLine& line, std::span<const std::string> list) {
  return FirstModifierIn(line.modifiers, list);
}

std::string_view FirstModifierIn(const CodedLine& line, std::span<const std::string_view> list) {
  for (size_t i = 0; i < line.modifiers.Size(); ++i)
    for (const auto modifier : list)
      if (line.modifiers.At(i) == modifier) return line.modifiers.At(i);
  return {};
}

std::vector<std::string> ToStrings(std::span<const std::string_view> list) {
  return {list.begin(), list.end()};
}

}  // namespace coderaudit::rules
