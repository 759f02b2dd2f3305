#pragma once
// What the table-backed check kinds share: table names, the date rules of the official
// files, the claim-type -> table setting choice, and the NCCI modifier lists. The tables
// themselves come through refdata::RefData (audit/refdata/refdata.hpp).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::rules {

// The name of a table kind as rule files, lint messages and findings write it
// ("ptp-practitioner"); the same spelling as refdata::ToString(TableKind).
std::string_view TableName(refdata::TableKind kind);
std::optional<refdata::TableKind> ParseTableName(std::string_view name);
std::span<const refdata::TableKind> AllTableKinds();
// "ptp-practitioner 2024Q3": what findings cite as {table}.
std::string TableLabel(const refdata::TableVersion& table);

// NCCI PTP dating: effective <= DOS when the file gives an effective date, and DOS <=
// deletion date when the pair was deleted.
bool PtpActiveOn(const refdata::PtpEdit& edit, Date dos);
// True when one of the ranges (ICD-10-CM tabular notes) holds the code: CodeRange::Contains.
bool AnyRangeContains(std::span<const refdata::CodeRange> ranges, const Code& code);

// ICD-10 code sets and MCE lists follow the discharge date on inpatient claims and the
// first date of service on others (EDITS.md § MCE: "the discharge date").
Date CodeSetDate(const Encounter& encounter);

// Which NCCI table a claim is edited against. by-claim-type: professional -> practitioner,
// outpatient -> outpatient hospital, inpatient -> none (NCCI PTP/MUE do not edit
// inpatient claims).
enum class NcciSetting : uint8_t { kByClaimType, kPractitioner, kOutpatientHospital, kDme };
std::optional<NcciSetting> ParseNcciSetting(std::string_view text);
std::optional<refdata::PtpSetting> PtpSettingFor(NcciSetting setting, ClaimType claim_type);
std::optional<refdata::MueSetting> MueSettingFor(NcciSetting setting, ClaimType claim_type);
refdata::TableKind PtpTable(refdata::PtpSetting setting);
refdata::TableKind MueTable(refdata::MueSetting setting);
// The claim types a rule applies to (all three when it lists none).
std::vector<ClaimType> RuleClaimTypes(const std::vector<ClaimType>& listed);

// NCCI-associated modifiers (NCCI Policy Manual ch. I § E): a PTP pair with modifier
// indicator 1 is bypassed when one of these is on either line.
std::span<const std::string_view> NcciAssociatedModifiers();
// Modifiers that make a repeated line of the same code a separate line for MUE MAI 1.
std::span<const std::string_view> MueSeparateLineModifiers();
// Modifiers that make a repeated service legitimate rather than a duplicate.
std::span<const std::string_view> DuplicateRepeatModifiers();

// The first modifier (of `line`) found in `list`, or empty.
std::string_view FirstModifierIn(const Modifiers& modifiers, std::span<const std::string> list);
std::string_view FirstModifierIn(const CodedLine& line, std::span<const std::string> list);
std::string_view FirstModifierIn(const CodedLine& line, std::span<const std::string_view> list);
std::vector<std::string> ToStrings(std::span<const std::string_view> list);

}  // namespace coderaudit::rules
