#include "rules/checks/code_editor.hpp"

#include <algorithm>
#include <array>

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

using refdata::MceList;
using refdata::TableKind;

// The Medicare Code Editor (inpatient) and the outpatient code editor's core edits share
// these checks: each edit="..." is one CMS edit, reading its code lists from the tables
// (EDITS.md § MCE, § IOCE). Code sets follow the discharge date on inpatient claims and
// the first date of service otherwise; when no table version is in force on that date
// the edit is not judged (the linter warns about tables that do not cover the run date).
enum class Edit : uint8_t {
  kInvalidDx,                // DX not in ICD-10-CM for the period
  kHeaderDx,                 // DX is a category/header, not billable
  kInvalidPx,                // PCS not in ICD-10-PCS for the period
  kInvalidHcpcs,             // HCPCS Level II code not valid on the date of service
  kInvalidCpt,               // CPT code not in the CPT list in force on the date of service
  kExternalCausePrincipal,   // V00-Y99 as principal diagnosis
  kDuplicatePrincipal,       // a secondary diagnosis repeats the principal
  kAgeNewborn,
  kAgePediatric,
  kAgeMaternity,
  kAgeAdult,
  kSexDx,
  kSexPx,
  kManifestationPrincipal,
  kUnacceptablePrincipal,
  kQuestionableAdmission,
  kNonSpecificPrincipal,
  kNonCoveredProcedure,
  kLimitedCoverage,
  kInvalidAge,
  kInvalidSex,
  kInvalidDischargeStatus,
  kNonCoveredOver60,         // procedure non-covered for patients over 60 (lumbar disc)
  kWrongProcedure,           // a "wrong procedure performed" diagnosis in any position
  kNonCoveredLos96Hours,     // ventilation > 96 hours on a stay shorter than 4 days
};

struct EditInfo {
  Edit edit;
  std::string_view name;
  std::optional<TableKind> table;
  int age_min = 0, age_max = 0;  // defaults for the age edits (MCE v41 bounds)
};

constexpr std::array<EditInfo, 25> kEdits{{
    {Edit::kInvalidDx, "invalid-dx", TableKind::kIcd10CmOrder},
    {Edit::kHeaderDx, "header-dx", TableKind::kIcd10CmOrder},
    {Edit::kInvalidPx, "invalid-px", TableKind::kIcd10PcsOrder},
    {Edit::kInvalidHcpcs, "invalid-hcpcs", TableKind::kHcpcs},
    {Edit::kInvalidCpt, "invalid-cpt", TableKind::kCpt},
    {Edit::kExternalCausePrincipal, "external-cause-principal", std::nullopt},
    {Edit::kDuplicatePrincipal, "duplicate-principal", std::nullopt},
    {Edit::kAgeNewborn, "age-newborn", TableKind::kMce, 0, 0},
    {Edit::kAgePediatric, "age-pediatric", TableKind::kMce, 0, 17},
    {Edit::kAgeMaternity, "age-maternity", TableKind::kMce, 9, 64},
    {Edit::kAgeAdult, "age-adult", TableKind::kMce, 15, 124},
    {Edit::kSexDx, "sex-dx", TableKind::kMce},
    {Edit::kSexPx, "sex-px", TableKind::kMce},
    {Edit::kManifestationPrincipal, "manifestation-principal", TableKind::kMce},
    {Edit::kUnacceptablePrincipal, "unacceptable-principal", TableKind::kMce},
    {Edit::kQuestionableAdmission, "questionable-admission", TableKind::kMce},
    {Edit::kNonSpecificPrincipal, "nonspecific-principal", TableKind::kMce},
    {Edit::kNonCoveredProcedure, "non-covered-procedure", TableKind::kMce},
    {Edit::kLimitedCoverage, "limited-coverage", TableKind::kMce},
    {Edit::kInvalidAge, "invalid-age", std::nullopt, 0, 124},
    {Edit::kInvalidSex, "invalid-sex", std::nullopt},
    {Edit::kInvalidDischargeStatus, "invalid-discharge-status", std::nullopt},
    {Edit::kNonCoveredOver60, "non-covered-over-60", TableKind::kMce, 0, 60},
    {Edit::kWrongProcedure, "wrong-procedure", TableKind::kMce},
    {Edit::kNonCoveredLos96Hours, "non-covered-los-96h", TableKind::kMce},
}};

// UB-04 patient discharge status codes the MCE accepts on an inpatient claim.
constexpr std::array<std::string_view, 39> kDischargeStatuses{
    "01", "02", "03", "04", "05", "06", "07", "20", "21", "30", "40", "41", "42",
    "43", "50", "51", "61", "62", "63", "64", "65", "66", "69", "70", "81", "82",
    "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95"};

// CPT codes start with a digit (99213, 0001U, 1234F, 0503T); HCPCS Level II codes with a
// letter. Each is judged against its own table.
bool IsCptFormat(const CodedLine& line) {
  const char first = line.code.Empty() ? '0' : line.code.View()[0];
  return first >= '0' && first <= '9';
}

bool IsPrincipalDx(const CodedLine& line) {
  return line.type == CodeType::kDiagnosis && line.seq == 1;
}

class CodeEditorCheck final : public Check {
 public:
  CodeEditorCheck(const EditInfo& info, int age_min, int age_max)
      : info_(info), age_min_(age_min), age_max_(age_max) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  std::vector<refdata::TableKind> Tables() const override {
    if (info_.table) return {*info_.table};
    return {};
  }

  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    if (!info_.table) return;
    if (!PerLineDate()) {
      out.push_back({*info_.table, CodeSetDate(encounter)});
      return;
    }
    const bool cpt = info_.edit == Edit::kInvalidCpt;
    for (const CodedLine& line : encounter.lines)
      if (line.type == CodeType::kHcpcs && IsCptFormat(line) == cpt)
        out.push_back({*info_.table, encounter.DateOfService(line)});
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const refdata::RefData* tables = context.tables();
    const Date on = CodeSetDate(encounter);
    const refdata::TableVersion* table = nullptr;
    if (info_.table && !PerLineDate()) {
      if (tables == nullptr) return;
      table = tables->TableFor(*info_.table, on);
      if (table == nullptr) return;
    }
    const std::string label = table ? TableLabel(*table) : "";
    const auto age = encounter.AgeAtAdmission();

    switch (info_.edit) {
      case Edit::kInvalidDx:
      case Edit::kHeaderDx:
        ForLines(encounter, CodeType::kDiagnosis, [&](uint32_t i, const CodedLine& line) {
          const bool known = tables->IcdCmKnown(line.code, on);
          const bool fires = info_.edit == Edit::kInvalidDx
                                 ? !known
                                 : known && !tables->IcdCmBillable(line.code, on);
          if (fires) EmitCode(context, i, line, label);
        });
        return;
      case Edit::kInvalidPx:
        ForLines(encounter, CodeType::kPcs, [&](uint32_t i, const CodedLine& line) {
          if (!tables->IcdPcsValid(line.code, on)) EmitCode(context, i, line, label);
        });
        return;
      case Edit::kInvalidHcpcs:
      case Edit::kInvalidCpt: {
        if (tables == nullptr) return;
        // The HCPCS table holds Level II codes (a letter and four digits), the CPT table
        // CPT codes (a digit first): each edit judges the codes of its own table.
        const bool cpt = info_.edit == Edit::kInvalidCpt;
        ForLines(encounter, CodeType::kHcpcs, [&](uint32_t i, const CodedLine& line) {
          if (IsCptFormat(line) != cpt) return;
          const Date dos = encounter.DateOfService(line);
          const refdata::TableVersion* in_force = tables->TableFor(*info_.table, dos);
          if (in_force == nullptr) return;
          if (cpt ? tables->CptValid(line.code, dos) : tables->HcpcsValid(line.code, dos)) return;
          EmitCode(context, i, line, TableLabel(*in_force));
        });
        return;
      }
      case Edit::kExternalCausePrincipal:
        ForLines(encounter, CodeType::kDiagnosis, [&](uint32_t i, const CodedLine& line) {
          const char first = line.code.Empty() ? ' ' : line.code.View()[0];
          if (IsPrincipalDx(line) && first >= 'V' && first <= 'Y') EmitCode(context, i, line, "");
        });
        return;
      case Edit::kDuplicatePrincipal: {
        const auto principal =
            std::find_if(encounter.lines.begin(), encounter.lines.end(), IsPrincipalDx);
        if (principal == encounter.lines.end()) return;
        const auto principal_line = static_cast<uint32_t>(principal - encounter.lines.begin());
        ForLines(encounter, CodeType::kDiagnosis, [&](uint32_t i, const CodedLine& line) {
          if (i == principal_line || line.code != principal->code) return;
          context.Emit({i}, {{"code", DisplayCode(line)},
                             {"line2", std::to_string(principal_line + 1)}});
        });
        return;
      }
      case Edit::kAgeNewborn:
      case Edit::kAgePediatric:
      case Edit::kAgeMaternity:
      case Edit::kAgeAdult: {
        // An unknown age cannot conflict; invalid-age reports it.
        if (!age || (*age >= age_min_ && *age <= age_max_)) return;
        const MceList list = info_.edit == Edit::kAgeNewborn     ? MceList::kNewborn
                             : info_.edit == Edit::kAgePediatric ? MceList::kPediatric
                             : info_.edit == Edit::kAgeMaternity ? MceList::kMaternity
                                                                 : MceList::kAdult;
        ForLines(encounter, CodeType::kDiagnosis, [&](uint32_t i, const CodedLine& line) {
          if (!tables->InMceList(list, line.code, on)) return;
          context.Emit({i}, {{"code", DisplayCode(line)},
                             {"age", std::to_string(*age)},
                             {"table", label}},
                       {{"min", std::to_string(age_min_)}, {"max", std::to_string(age_max_)}});
        });
        return;
      }
      case Edit::kSexDx:
      case Edit::kSexPx: {
        // Only a known sex conflicts; invalid-sex reports an unknown one.
        if (encounter.sex == Sex::kUnknown) return;
        const bool dx = info_.edit == Edit::kSexDx;
        const MceList other_sex_only =
            encounter.sex == Sex::kMale ? (dx ? MceList::kFemaleDx : MceList::kFemalePx)
                                        : (dx ? MceList::kMaleDx : MceList::kMalePx);
        const std::string list = encounter.sex == Sex::kMale ? "female-only" : "male-only";
        ForLines(encounter, dx ? CodeType::kDiagnosis : CodeType::kPcs,
                 [&](uint32_t i, const CodedLine& line) {
                   if (!tables->InMceList(other_sex_only, line.code, on)) return;
                   context.Emit({i}, {{"code", DisplayCode(line)},
                                      {"sex", std::string(ToString(encounter.sex))},
                                      {"list", list},
                                      {"table", label}});
                 });
        return;
      }
      case Edit::kManifestationPrincipal:
      case Edit::kUnacceptablePrincipal:
      case Edit::kQuestionableAdmission:
      case Edit::kNonSpecificPrincipal: {
        const MceList list = info_.edit == Edit::kManifestationPrincipal ? MceList::kManifestation
                             : info_.edit == Edit::kUnacceptablePrincipal
                                 ? MceList::kUnacceptablePrincipal
                             : info_.edit == Edit::kQuestionableAdmission
                                 ? MceList::kQuestionableAdmission
                                 : MceList::kNonSpecificPrincipal;
        ForLines(encounter, CodeType::kDiagnosis, [&](uint32_t i, const CodedLine& line) {
          if (IsPrincipalDx(line) && tables->InMceList(list, line.code, on))
            EmitCode(context, i, line, label);
        });
        return;
      }
      case Edit::kNonCoveredProcedure:
      case Edit::kLimitedCoverage: {
        const MceList list = info_.edit == Edit::kNonCoveredProcedure
                                 ? MceList::kNonCoveredProcedure
                                 : MceList::kLimitedCoverage;
        ForLines(encounter, CodeType::kPcs, [&](uint32_t i, const CodedLine& line) {
          if (tables->InMceList(list, line.code, on)) EmitCode(context, i, line, label);
        });
        return;
      }
      case Edit::kNonCoveredOver60:
        if (!age || (*age >= age_min_ && *age <= age_max_)) return;
        ForLines(encounter, CodeType::kPcs, [&](uint32_t i, const CodedLine& line) {
          if (!tables->InMceList(MceList::kNonCoveredOver60, line.code, on)) return;
          context.Emit({i}, {{"code", DisplayCode(line)},
                             {"age", std::to_string(*age)},
                             {"table", label}},
                       {{"min", std::to_string(age_min_)}, {"max", std::to_string(age_max_)}});
        });
        return;
      case Edit::kWrongProcedure:
        ForLines(encounter, CodeType::kDiagnosis, [&](uint32_t i, const CodedLine& line) {
          if (tables->InMceList(MceList::kWrongProcedure, line.code, on))
            EmitCode(context, i, line, label);
        });
        return;
      case Edit::kNonCoveredLos96Hours: {
        // Dates only: a stay of fewer than 4 days (discharge - admission) is under 96 hours.
        const int32_t days = encounter.through_date.days - encounter.from_date.days;
        if (days >= 4) return;
        ForLines(encounter, CodeType::kPcs, [&](uint32_t i, const CodedLine& line) {
          if (!tables->InMceList(MceList::kNonCoveredLos96Hours, line.code, on)) return;
          context.Emit({i}, {{"code", DisplayCode(line)},
                             {"los", std::to_string(days)},
                             {"table", label}});
        });
        return;
      }
      case Edit::kInvalidAge:
        if (age && *age >= age_min_ && *age <= age_max_) return;
        context.Emit({}, {{"age", age ? std::to_string(*age) : "unknown"}},
                     {{"min", std::to_string(age_min_)}, {"max", std::to_string(age_max_)}});
        return;
      case Edit::kInvalidSex:
        if (encounter.sex != Sex::kUnknown) return;
        context.Emit({}, {{"sex", std::string(ToString(encounter.sex))}});
        return;
      case Edit::kInvalidDischargeStatus:
        // Not reported is not invalid: the encounter layouts make the field optional.
        if (encounter.discharge_status.empty() ||
            std::find(kDischargeStatuses.begin(), kDischargeStatuses.end(),
                      encounter.discharge_status) != kDischargeStatuses.end())
          return;
        context.Emit({}, {{"status", encounter.discharge_status}});
        return;
    }
  }

 private:
  // The code-validity edits on HCPCS lines judge each line on its own date of service
  // (a code is added or terminated on a date); the others use the claim's code set date.
  bool PerLineDate() const {
    return info_.edit == Edit::kInvalidHcpcs || info_.edit == Edit::kInvalidCpt;
  }

  template <typename F>
  static void ForLines(const Encounter& encounter, CodeType type, F&& f) {
    for (uint32_t i = 0; i < encounter.lines.size(); ++i)
      if (encounter.lines[i].type == type) f(i, encounter.lines[i]);
  }

  static void EmitCode(const EvalContext& context, uint32_t i, const CodedLine& line,
                       const std::string& table) {
    Values values{{"code", DisplayCode(line)}};
    if (!table.empty()) values.emplace_back("table", table);
    context.Emit({i}, std::move(values),
                 {{"dos", ToIso(context.encounter().DateOfService(line))}});
  }

  const EditInfo& info_;
  int age_min_, age_max_;
};

}  // namespace

std::span<const std::string_view> CodeEditorEdits() {
  static const auto names = [] {
    std::array<std::string_view, kEdits.size()> out{};
    for (size_t i = 0; i < kEdits.size(); ++i) out[i] = kEdits[i].name;
    return out;
  }();
  return names;
}

std::unique_ptr<Check> CompileCodeEditor(const XmlNode& element, CompileContext& context) {
  const std::string name = element.AttrOr("edit", "");
  const EditInfo* info = nullptr;
  for (const auto& candidate : kEdits)
    if (candidate.name == name) info = &candidate;
  if (info == nullptr) {
    context.Error(element.pos, "unknown code-editor edit '" + name + "'");
    return nullptr;
  }
  const bool has_age = info->edit == Edit::kAgeNewborn || info->edit == Edit::kAgePediatric ||
                       info->edit == Edit::kAgeMaternity || info->edit == Edit::kAgeAdult ||
                       info->edit == Edit::kInvalidAge || info->edit == Edit::kNonCoveredOver60;
  const auto age_min = context.Integer(element, "age-min");
  const auto age_max = context.Integer(element, "age-max");
  if (!has_age && (age_min || age_max))
    context.Error(element.pos, "age-min and age-max apply to the age edits only");
  const int min = age_min.value_or(info->age_min);
  const int max = age_max.value_or(info->age_max);
  if (has_age && min > max) context.Error(element.pos, "age-min is above age-max");
  if (context.Failed()) return nullptr;
  return std::make_unique<CodeEditorCheck>(*info, min, max);
}

}  // namespace coderaudit::rules
