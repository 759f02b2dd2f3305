#include "rules/mce.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "rules/tables.hpp"

namespace coderaudit::rules::mce {

namespace {

using refdata::Bit;
using refdata::MceAgeGroup;
using refdata::MceFlag;

constexpr std::array<std::pair<MceEdit, std::pair<std::string_view, std::string_view>>, 23>
    kNames{{
        {MceEdit::kInvalidCode, {"INVALID_CODE", "invalid-code"}},
        {MceEdit::kSexConflict, {"SEX_CONFLICT", "sex-conflict"}},
        {MceEdit::kAgeConflict, {"AGE_CONFLICT", "age-conflict"}},
        {MceEdit::kQuestionableAdmission, {"QUESTIONABLE_ADMISSION", "questionable-admission"}},
        {MceEdit::kManifestationAsPrincipal, {"MANIFESTATION_AS_PDX", "manifestation-principal"}},
        {MceEdit::kNonSpecificPrincipal, {"NONSPECIFIC_PDX", "nonspecific-principal"}},
        {MceEdit::kExternalCauseAsPrincipal, {"E_CODE_AS_PDX", "external-cause-principal"}},
        {MceEdit::kUnacceptablePrincipal, {"UNACCEPTABLE_PDX", "unacceptable-principal"}},
        {MceEdit::kDuplicateOfPrincipal, {"DUPLICATE_OF_PDX", "duplicate-principal"}},
        {MceEdit::kMedicareSecondaryPayer,
         {"MEDICARE_IS_SECONDARY_PAYER", "medicare-secondary-payer"}},
        {MceEdit::kRequiresSecondary, {"REQUIRES_SDX", "requires-secondary"}},
        {MceEdit::kNonSpecificOrProcedure, {"NONSPECIFIC_OR", "nonspecific-or-procedure"}},
        {MceEdit::kOpenBiopsy, {"OPEN_BIOPSY", "open-biopsy"}},
        {MceEdit::kNonCovered, {"NON_COVERED", "non-covered"}},
        {MceEdit::kLimitedCoverage, {"LIMITED_COVERAGE", "limited-coverage"}},
        {MceEdit::kQuestionableObstetricAdmission,
         {"QUESTIONABLE_OBSTETRIC_ADMISSION", "questionable-obstetric-admission"}},
        {MceEdit::kInvalidAdmitDx, {"INVALID_ADMIT_DX", "invalid-admitting-dx"}},
        {MceEdit::kInvalidAge, {"INVALID_AGE", "invalid-age"}},
        {MceEdit::kInvalidSex, {"INVALID_SEX", "invalid-sex"}},
        {MceEdit::kInvalidDischargeStatus, {"INVALID_DISCHARGE_STATUS", "invalid-discharge-status"}},
        {MceEdit::kWrongProcedurePerformed, {"WRONG_PROCEDURE_PERFORMED", "wrong-procedure"}},
        {MceEdit::kInconsistentWithLengthOfStay,
         {"INCONSISTENT_WITH_LENGTH_OF_STAY", "length-of-stay"}},
        {MceEdit::kUnspecified, {"UNSPECIFIED", "unspecified"}},
    }};

// CMS stopped reporting an unknown sex as invalid, and stopped flagging sex conflicts for
// it, for discharges after 2024-09-30 (Validation.validateSex, CodeLogic.doSexConflictEdit).
const Date kUnknownSexAcceptedAfter = DateFromCivil(2024, 9, 30);
// Pancreas transplant coverage changed on 2006-04-26 (ProcedureLogic.isNonCoveredPartB).
const Date kPancreasRuleChange = DateFromCivil(2006, 4, 26);

// A code as CMS's MceComponent sees it once loaded: valid on the discharge date or not,
// and its attributes then (none when invalid).
struct Loaded {
  uint32_t line = 0;
  Code code;
  bool valid = false;
  uint64_t flags = 0;
  bool Has(MceFlag f) const { return (flags & Bit(f)) != 0; }
};

class Run {
 public:
  Run(const Encounter& e, const refdata::RefData& t, std::vector<MceHit>& out)
      : e_(e), t_(t), out_(out), claim_(ClaimOf(e)) {}

  void Go() {
    Load();
    Validate();
    Edit();
  }

 private:
  Loaded LoadCode(uint32_t line, const Code& code, bool procedure) const {
    Loaded l{line, code};
    const auto flags = t_.MceCodeFlags(procedure, code, claim_.discharge);
    l.valid = flags.has_value();
    l.flags = flags.value_or(0);
    return l;
  }

  void Load() {
    std::optional<uint32_t> principal_line;
    for (uint32_t i = 0; i < e_.lines.size(); ++i) {
      const CodedLine& line = e_.lines[i];
      if (line.type == CodeType::kDiagnosis && line.seq == 1 && !principal_line)
        principal_line = i;
    }
    if (principal_line) pdx_ = LoadCode(*principal_line, e_.lines[*principal_line].code, false);
    for (uint32_t i = 0; i < e_.lines.size(); ++i) {
      const CodedLine& line = e_.lines[i];
      if (line.type == CodeType::kDiagnosis && i != principal_line)
        sdx_.push_back(LoadCode(i, line.code, false));
      else if (line.type == CodeType::kPcs)
        px_.push_back(LoadCode(i, line.code, true));
    }
    if (!e_.admitting_dx.Empty()) admit_ = LoadCode(0, e_.admitting_dx, false);
  }

  void Hit(MceEdit edit, const Loaded& on, bool admitting = false) {
    MceHit h;
    h.edit = edit;
    h.on = admitting ? MceHit::On::kAdmittingDx : MceHit::On::kLine;
    h.line = on.line;
    out_.push_back(h);
  }
  void ClaimHit(MceEdit edit) {
    MceHit h;
    h.edit = edit;
    h.on = MceHit::On::kClaim;
    out_.push_back(h);
  }

  // Validation.validates: admitting diagnosis, every diagnosis, every procedure, then sex,
  // discharge status and age.
  void Validate() {
    if (admit_ && !admit_->valid) Hit(MceEdit::kInvalidAdmitDx, *admit_, true);
    if (pdx_ && !pdx_->valid) Hit(MceEdit::kInvalidCode, *pdx_);
    for (const Loaded& d : sdx_)
      if (!d.valid) Hit(MceEdit::kInvalidCode, d);
    for (const Loaded& p : px_)
      if (!p.valid) Hit(MceEdit::kInvalidCode, p);
    const bool unknown_ok = kUnknownSexAcceptedAfter < claim_.discharge;
    if (!(claim_.sex == 1 || claim_.sex == 2 || (unknown_ok && claim_.sex == 0)))
      ClaimHit(MceEdit::kInvalidSex);
    if (!claim_.status || !t_.MceDischargeStatusValid(*claim_.status, claim_.discharge))
      ClaimHit(MceEdit::kInvalidDischargeStatus);
    if (!claim_.age || *claim_.age < 0 || *claim_.age > 124) ClaimHit(MceEdit::kInvalidAge);
  }

  // CodeLogic.doSexConflictEdit.
  bool SexConflict(const Loaded& c) const {
    if (kUnknownSexAcceptedAfter < claim_.discharge && claim_.sex == 0) return false;
    return (c.Has(MceFlag::kMale) && claim_.sex != 1) ||
           (c.Has(MceFlag::kFemale) && claim_.sex != 2);
  }

  // DiagnosisLogic.doAgeConflictEdit: the code's age groups in descending name order
  // (Pediatric, Newborn, Maternity, Adult); the first whose range excludes the age.
  void AgeConflict(const Loaded& c, bool admitting = false) {
    if (!claim_.age) return;  // CMS requires an age; INVALID_AGE reports its absence
    static constexpr std::array<std::pair<MceFlag, MceAgeGroup>, 4> kGroups{{
        {MceFlag::kPediatric, MceAgeGroup::kPediatric},
        {MceFlag::kNewborn, MceAgeGroup::kNewborn},
        {MceFlag::kMaternity, MceAgeGroup::kMaternity},
        {MceFlag::kAdult, MceAgeGroup::kAdult},
    }};
    for (const auto& [flag, group] : kGroups) {
      if (!c.Has(flag)) continue;
      const auto range = t_.MceAges(group, claim_.discharge);
      if (!range) continue;
      if (range->start_age <= *claim_.age && *claim_.age <= range->end_age) continue;
      Hit(MceEdit::kAgeConflict, c, admitting);
      out_.back().group = group;
      out_.back().ages = *range;
      return;
    }
  }

  void Edit() {
    if (pdx_) {
      const Loaded& p = *pdx_;
      if (p.Has(MceFlag::kExternalCausePrincipal)) Hit(MceEdit::kExternalCauseAsPrincipal, p);
      if (p.Has(MceFlag::kManifestation)) Hit(MceEdit::kManifestationAsPrincipal, p);
      // PrincipalDiagnosisLogic.doUnacceptableEdit: a code that is acceptable only with a
      // secondary diagnosis is REQUIRES_SDX alone, and nothing when one is reported.
      if (p.Has(MceFlag::kUnacceptable)) {
        if (!p.Has(MceFlag::kRequiresSecondary))
          Hit(MceEdit::kUnacceptablePrincipal, p);
        else if (sdx_.empty())
          Hit(MceEdit::kRequiresSecondary, p);
      }
      if (p.Has(MceFlag::kNonSpecific) && claim_.status != 20)
        Hit(MceEdit::kNonSpecificPrincipal, p);
      if (p.Has(MceFlag::kQuestionableAdmission)) Hit(MceEdit::kQuestionableAdmission, p);
      AgeConflict(p);
      if (SexConflict(p)) Hit(MceEdit::kSexConflict, p);
      if (p.Has(MceFlag::kWrongProcedure)) Hit(MceEdit::kWrongProcedurePerformed, p);
      if (p.Has(MceFlag::kMedicareSecondaryPayer)) Hit(MceEdit::kMedicareSecondaryPayer, p);
      if (p.Has(MceFlag::kUnspecified)) Hit(MceEdit::kUnspecified, p);
    }
    if (admit_) {
      AgeConflict(*admit_, true);
      if (SexConflict(*admit_)) Hit(MceEdit::kSexConflict, *admit_, true);
    }
    for (const Loaded& d : sdx_) {
      if (pdx_ && d.code == pdx_->code) Hit(MceEdit::kDuplicateOfPrincipal, d);
      if (d.Has(MceFlag::kMedicareSecondaryPayer)) Hit(MceEdit::kMedicareSecondaryPayer, d);
      if (d.Has(MceFlag::kUnspecified)) Hit(MceEdit::kUnspecified, d);
      if (d.Has(MceFlag::kWrongProcedure)) Hit(MceEdit::kWrongProcedurePerformed, d);
      AgeConflict(d);
      if (SexConflict(d)) Hit(MceEdit::kSexConflict, d);
    }
    Procedures();
  }

  // Editing.doEditing's procedure loop, with the claim-wide attribute sets it builds
  // first: secondary diagnoses' attributes, all diagnoses' (principal included; the
  // admitting diagnosis is not among them) and all procedures'.
  void Procedures() {
    uint64_t sdx = 0, px = 0;
    for (const Loaded& d : sdx_) sdx |= d.flags;
    const uint64_t dx = sdx | (pdx_ ? pdx_->flags : 0);
    for (const Loaded& p : px_) px |= p.flags;
    auto any = [](uint64_t set, MceFlag f) { return (set & Bit(f)) != 0; };
    const bool kidney = any(px, MceFlag::kKidneyTransplant);
    const bool ncov9 = any(px, MceFlag::kNcov9);
    const bool ncov13b = any(px, MceFlag::kNcov13b);
    const bool heart_a = any(px, MceFlag::kArtificialHeartA);
    const bool heart_b = any(px, MceFlag::kArtificialHeartB);
    const bool diabetes1 = any(dx, MceFlag::kDiabetesType1);
    const bool clinical_trial = any(dx, MceFlag::kClinicalTrial);
    const bool delivery_outcome = any(sdx, MceFlag::kDeliveryOutcome);
    const bool or_procedure =
        std::any_of(px_.begin(), px_.end(), [](const Loaded& p) {
          return p.Has(MceFlag::kOrProcedure) && !p.Has(MceFlag::kNonSpecific);
        });
    for (const Loaded& p : px_) {
      if (SexConflict(p)) Hit(MceEdit::kSexConflict, p);
      if (!or_procedure && p.Has(MceFlag::kNonSpecific)) Hit(MceEdit::kNonSpecificOrProcedure, p);
      if (p.Has(MceFlag::kBiopsy)) Hit(MceEdit::kOpenBiopsy, p);
      // ProcedureLogic.doInconsistentWithLOS: ICD-10 threshold 5 days (ICD-9: 4).
      if (p.Has(MceFlag::kLengthOfStay) && claim_.length_of_stay < 5)
        Hit(MceEdit::kInconsistentWithLengthOfStay, p);
      const bool non_covered = NonCovered(p, dx, kidney, ncov9, ncov13b, heart_a, heart_b,
                                          diabetes1, clinical_trial, any(sdx, MceFlag::kNcov89));
      if (non_covered) {
        Hit(MceEdit::kNonCovered, p);
      } else if (p.Has(MceFlag::kLimitedCoverage) ||
                 ((p.Has(MceFlag::kArtificialHeartA) || p.Has(MceFlag::kArtificialHeartB)) &&
                  heart_a && heart_b && clinical_trial)) {
        Hit(MceEdit::kLimitedCoverage, p);
      }
      if ((p.Has(MceFlag::kCesarean) || p.Has(MceFlag::kVaginalDelivery)) && !delivery_outcome)
        Hit(MceEdit::kQuestionableObstetricAdmission, p);
    }
  }

  // ProcedureLogic.doNonCoveredProcedureEdit, parts A-G, 2, 3, 8, 13A and the artificial
  // heart; the ones whose flags only ICD-9 tables carry are kept for completeness.
  bool NonCovered(const Loaded& p, uint64_t dx, bool kidney, bool ncov9, bool ncov13b,
                  bool heart_a, bool heart_b, bool diabetes1, bool clinical_trial,
                  bool ncov89) const {
    auto dx_has = [&](MceFlag f) { return (dx & Bit(f)) != 0; };
    const std::optional<int>& age = claim_.age;
    if (p.Has(MceFlag::kNonCovered)) return true;                          // A
    if (p.Has(MceFlag::kPancreasTransplant)) {                             // B
      if (claim_.discharge < kPancreasRuleChange) {
        if (!dx_has(MceFlag::kNcov4) || !dx_has(MceFlag::kNcov5)) return true;
      } else if (!kidney && !diabetes1) {
        return true;
      }
    }
    if ((p.Has(MceFlag::kArtificialHeartA) || p.Has(MceFlag::kArtificialHeartB)) && heart_a &&
        heart_b && !clinical_trial)                                        // C
      return true;
    if (p.Has(MceFlag::kNcov6) && dx_has(MceFlag::kNcov6)) return true;    // D
    if (p.Has(MceFlag::kNcov7) && dx_has(MceFlag::kNcov7)) return true;    // E
    if (p.Has(MceFlag::kNcovAgeOver60) && (!age || *age < 0 || *age > 60)) return true;  // F
    if (p.Has(MceFlag::kNcovZ302) && dx_has(MceFlag::kNcovZ302)) return true;  // G
    if (p.Has(MceFlag::kNcov2) && !dx_has(MceFlag::kNcov2)) {             // 2
      if (dx_has(MceFlag::kNcov2AgeLt64)) {
        if (!age || *age < 0 || *age >= 64) return true;
      } else if (dx_has(MceFlag::kNcov2AgeLt78)) {
        if (!age || *age < 0 || *age >= 78) return true;
      } else {
        return true;
      }
    }
    if (p.Has(MceFlag::kNcov3) && !dx_has(MceFlag::kNcov3)) return true;  // 3
    if (p.Has(MceFlag::kNcov8) && !(ncov89 && ncov9)) return true;        // 8
    if (p.Has(MceFlag::kNcov13a) && !ncov13b) return true;                // 13A
    if (p.Has(MceFlag::kLcovArtificialHeart) && !clinical_trial) return true;
    return false;
  }

  const Encounter& e_;
  const refdata::RefData& t_;
  std::vector<MceHit>& out_;
  MceClaim claim_;
  std::optional<Loaded> pdx_, admit_;
  std::vector<Loaded> sdx_, px_;
};

}  // namespace

std::string_view CmsName(MceEdit e) {
  for (const auto& [edit, names] : kNames)
    if (edit == e) return names.first;
  return "UNKNOWN";
}

std::string_view RuleName(MceEdit e) {
  for (const auto& [edit, names] : kNames)
    if (edit == e) return names.second;
  return "unknown";
}

std::optional<MceEdit> ParseRuleName(std::string_view s) {
  for (const auto& [edit, names] : kNames)
    if (names.second == s) return edit;
  return std::nullopt;
}

std::span<const MceEdit> AllEdits() {
  static const auto all = [] {
    std::array<MceEdit, kNames.size()> out{};
    for (size_t i = 0; i < kNames.size(); ++i) out[i] = kNames[i].first;
    return out;
  }();
  return all;
}

MceClaim ClaimOf(const Encounter& encounter) {
  MceClaim c;
  c.discharge = CodeSetDate(encounter);
  c.age = encounter.AgeAtAdmission();
  c.sex = encounter.sex == Sex::kMale ? 1 : encounter.sex == Sex::kFemale ? 2 : 0;
  const std::string& s = encounter.discharge_status;
  int status = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), status);
  if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) c.status = status;
  c.length_of_stay = encounter.through_date.days - encounter.from_date.days;
  return c;
}

void RunMce(const Encounter& encounter, const refdata::RefData& tables,
            std::vector<MceHit>& out) {
  out.clear();
  if (tables.TableFor(refdata::TableKind::kMceRelease, CodeSetDate(encounter)) == nullptr) return;
  Run(encounter, tables, out).Go();
}

}  // namespace coderaudit::rules::mce
