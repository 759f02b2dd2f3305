// Names and small value semantics of the contract types (refdata.hpp).
#include "audit/refdata/refdata.hpp"

#include <array>
#include <utility>

namespace coderaudit::refdata {

namespace {

// One table drives both directions, so a name can never parse to a different kind than
// the one it prints for.
constexpr std::array<std::pair<TableKind, std::string_view>, 15> kKindNames{{
    {TableKind::kIcd10CmOrder, "icd10cm-order"},
    {TableKind::kIcd10PcsOrder, "icd10pcs-order"},
    {TableKind::kHcpcs, "hcpcs"},
    {TableKind::kPtpPractitioner, "ptp-practitioner"},
    {TableKind::kPtpOutpatient, "ptp-outpatient"},
    {TableKind::kMuePractitioner, "mue-practitioner"},
    {TableKind::kMueOutpatient, "mue-outpatient"},
    {TableKind::kMueDme, "mue-dme"},
    {TableKind::kAddOn, "add-on"},
    {TableKind::kMce, "mce"},
    {TableKind::kPoaExempt, "poa-exempt"},
    {TableKind::kIcd10CmTabular, "icd10cm-tabular"},
    {TableKind::kInpatientOnly, "inpatient-only"},
    {TableKind::kMceRelease, "mce-release"},
    {TableKind::kCpt, "cpt"},
}};

// Accepted spellings besides the canonical names (what people type).
constexpr std::array<std::pair<std::string_view, TableKind>, 6> kKindAliases{{
    {"ptp-outpatient-hospital", TableKind::kPtpOutpatient},
    {"mue-outpatient-hospital", TableKind::kMueOutpatient},
    {"aoc", TableKind::kAddOn},
    {"add-on-codes", TableKind::kAddOn},
    {"icd10cm", TableKind::kIcd10CmOrder},
    {"icd10pcs", TableKind::kIcd10PcsOrder},
}};

constexpr std::array<std::pair<MceList, std::string_view>, 17> kMceNames{{
    {MceList::kNewborn, "newborn"},
    {MceList::kPediatric, "pediatric"},
    {MceList::kMaternity, "maternity"},
    {MceList::kAdult, "adult"},
    {MceList::kFemaleDx, "female-dx"},
    {MceList::kMaleDx, "male-dx"},
    {MceList::kFemalePx, "female-px"},
    {MceList::kMalePx, "male-px"},
    {MceList::kManifestation, "manifestation"},
    {MceList::kUnacceptablePrincipal, "unacceptable-principal"},
    {MceList::kQuestionableAdmission, "questionable-admission"},
    {MceList::kNonCoveredProcedure, "non-covered-procedure"},
    {MceList::kLimitedCoverage, "limited-coverage"},
    {MceList::kNonSpecificPrincipal, "non-specific-principal"},
    {MceList::kNonCoveredOver60, "non-covered-over-60"},
    {MceList::kWrongProcedure, "wrong-procedure"},
    {MceList::kNonCoveredLos96Hours, "non-covered-los-96h"},
}};

// MceFlag spellings in enum order: the attribute strings of CMS's MCE release
// (gov.cms.editor.mce.model.enums.Attribute).
constexpr std::array<std::string_view, 62> kMceFlagNames{
    "female",
    "male",
    "nonspecific",
    "ncov6",
    "ncov7",
    "ncov_z302",
    "ncov2",
    "ncov3",
    "adult",
    "clintrial",
    "delout",
    "ecodepdx",
    "maternity",
    "diabtypeI",
    "newborn",
    "pediatric",
    "qadm",
    "reqsdx",
    "unacceptable",
    "wrngproc",
    "unspecified",
    "msp",
    "mdc08",
    "ncov4",
    "ncov5",
    "ncov2agelt78",
    "ncov2agelt64",
    "ncov89",
    "manifestation",
    "lcov_artheartxpa",
    "lcov_artheartxpb",
    "csect",
    "lcov",
    "los",
    "noncovered",
    "kidneyxp",
    "ncov45",
    "ncov12agele60",
    "vagdel",
    "biopsy",
    "bilateral",
    "or_indic",
    "ncov8",
    "ncov9",
    "lcov_artheartxp",
    "lcov_kidneyxp",
    "lcov_pancreasxp",
    "lcov_lvrs",
    "lcov_lungxp",
    "lcov_heartlungxp",
    "lcov_heartxp",
    "lcov_heartsys",
    "lcov_intxp",
    "lcov_liverxp",
    "lcov_other",
    "ncov10a",
    "ncov10b",
    "ncov10c",
    "ncov11",
    "ncov13a",
    "ncov13b",
    "ncov45a",
};

}  // namespace

std::string_view ToString(MceFlag f) {
  const auto i = static_cast<size_t>(f);
  return i < kMceFlagNames.size() ? kMceFlagNames[i] : "unknown";
}

std::optional<MceFlag> ParseMceFlag(std::string_view s) {
  for (size_t i = 0; i < kMceFlagNames.size(); ++i)
    if (kMceFlagNames[i] == s) return static_cast<MceFlag>(i);
  return std::nullopt;
}

bool IgnoredMceFlag(std::string_view s) { return s == "cc" || s == "bmi" || s == "obesity"; }

std::string_view ToString(MceAgeGroup g) {
  switch (g) {
    case MceAgeGroup::kAdult: return "Adult";
    case MceAgeGroup::kMaternity: return "Maternity";
    case MceAgeGroup::kNewborn: return "Newborn";
    case MceAgeGroup::kPediatric: return "Pediatric";
  }
  return "unknown";
}

std::string_view ToString(TableKind k) {
  for (const auto& [kind, name] : kKindNames)
    if (kind == k) return name;
  return "unknown";
}

std::optional<TableKind> ParseTableKind(std::string_view s) {
  for (const auto& [kind, name] : kKindNames)
    if (name == s) return kind;
  for (const auto& [alias, kind] : kKindAliases)
    if (alias == s) return kind;
  return std::nullopt;
}

std::string_view ToString(MceList l) {
  for (const auto& [list, name] : kMceNames)
    if (list == l) return name;
  return "unknown";
}

std::optional<MceList> ParseMceList(std::string_view s) {
  for (const auto& [list, name] : kMceNames)
    if (name == s) return list;
  return std::nullopt;
}

// An absent effective date means "in force since before the file's history begins": the
// shipped PTP copy has no effective column, and treating the table's first day as the
// effective date would switch off every deleted pair, which must keep applying to older
// dates of service (EDITS.md § PTP).
bool PtpEdit::ActiveOn(Date dos) const {
  if (effective && dos < *effective) return false;
  if (deleted && *deleted < dos) return false;
  return true;
}

// Each bound is compared on its own length, so "(O00-O9A)" covers O9A.11 and
// "(K85-K86.-)" covers K86.81; when both ends have the same length (nearly every range
// in the tabular) this is exactly "compared on the first len(from) characters".
bool CodeRange::Contains(const Code& c) const {
  const std::string_view v = c.View();
  const std::string_view lo = from.View(), hi = to.View();
  // A code shorter than a bound is a header above it (E08 against E08.4-): it is inside
  // only when every code below it is, i.e. strictly between the bounds on its length.
  const bool lo_ok =
      v.size() >= lo.size() ? v.substr(0, lo.size()) >= lo : v > lo.substr(0, v.size());
  const bool hi_ok =
      v.size() >= hi.size() ? v.substr(0, hi.size()) <= hi : v < hi.substr(0, v.size());
  if (v.empty() || !lo_ok || !hi_ok) return false;
  for (const CharCondition& w : where) {
    if (w.positions == 0) continue;
    bool any = false;
    for (size_t p = 0; p < 8 && !any; ++p) {
      if (!(w.positions & (1u << p)) || p >= v.size()) continue;
      const char ch = v[p];
      const int bit = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'Z' ? ch - 'A' + 10 : -1;
      any = bit >= 0 && (w.chars >> bit & 1u);
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace coderaudit::refdata
