#pragma once
// The Medicare Code Editor as CMS applies it to ICD-10 inpatient claims: the edits of
// CMS's MCE 2.0 Java release (gov.cms.editor.mce: Validation, then Editing over
// PrincipalDiagnosisLogic, DiagnosisLogic, ProcedureLogic, CodeLogic), on the attribute
// flags of the CMS MCE release tables (refdata kind mce-release). One pass over a claim
// gives every edit with the code it sits on, in CMS's order; the <mce-edit> check kind
// (rules/checks/mce_edit.cpp) turns the edits of one kind into findings.
//
// Parity with the official release is tested edit by edit (tests/mce_parity/).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::rules::mce {

// CMS's edit names (gov.cms.editor.mce.model.enums.Edit) that ICD-10 claims can get.
enum class MceEdit : uint8_t {
  kInvalidCode,                     // INVALID_CODE: not valid on the discharge date
  kSexConflict,                     // SEX_CONFLICT
  kAgeConflict,                     // AGE_CONFLICT
  kQuestionableAdmission,           // QUESTIONABLE_ADMISSION (principal)
  kManifestationAsPrincipal,        // MANIFESTATION_AS_PDX
  kNonSpecificPrincipal,            // NONSPECIFIC_PDX (unless discharge status 20)
  kExternalCauseAsPrincipal,        // E_CODE_AS_PDX
  kUnacceptablePrincipal,           // UNACCEPTABLE_PDX
  kDuplicateOfPrincipal,            // DUPLICATE_OF_PDX
  kMedicareSecondaryPayer,          // MEDICARE_IS_SECONDARY_PAYER
  kRequiresSecondary,               // REQUIRES_SDX
  kNonSpecificOrProcedure,          // NONSPECIFIC_OR
  kOpenBiopsy,                      // OPEN_BIOPSY
  kNonCovered,                      // NON_COVERED
  kLimitedCoverage,                 // LIMITED_COVERAGE
  kQuestionableObstetricAdmission,  // QUESTIONABLE_OBSTETRIC_ADMISSION
  kInvalidAdmitDx,                  // INVALID_ADMIT_DX
  kInvalidAge,                      // INVALID_AGE (claim)
  kInvalidSex,                      // INVALID_SEX (claim)
  kInvalidDischargeStatus,          // INVALID_DISCHARGE_STATUS (claim)
  kWrongProcedurePerformed,         // WRONG_PROCEDURE_PERFORMED
  kInconsistentWithLengthOfStay,    // INCONSISTENT_WITH_LENGTH_OF_STAY
  kUnspecified,                     // UNSPECIFIED
};
std::string_view CmsName(MceEdit e);                    // "AGE_CONFLICT"
std::string_view RuleName(MceEdit e);                   // "age-conflict" (edit="...")
std::optional<MceEdit> ParseRuleName(std::string_view s);
std::span<const MceEdit> AllEdits();

// Where an edit sits: a line of the encounter, the admitting diagnosis, or the claim.
struct MceHit {
  MceEdit edit = MceEdit::kInvalidCode;
  enum class On : uint8_t { kLine, kAdmittingDx, kClaim } on = On::kLine;
  uint32_t line = 0;                         // index into Encounter::lines (kLine)
  std::optional<refdata::MceAgeGroup> group; // age conflicts: the group that failed
  refdata::MceAgeRange ages;                 // and its range
};

// The claim as CMS's MceRecord sees it.
struct MceClaim {
  Date discharge;
  std::optional<int> age;           // years at admission
  int sex = 0;                      // 0 unknown, 1 male, 2 female
  std::optional<int> status;        // discharge status; nullopt when missing or not numeric
  int length_of_stay = 0;           // discharge - admission, days
};
MceClaim ClaimOf(const Encounter& encounter);

// Every MCE edit of the encounter; empty when the release has no table in force on the
// discharge date (the caller reports the claim not checked). `out` is cleared first.
void RunMce(const Encounter& encounter, const refdata::RefData& tables,
            std::vector<MceHit>& out);

}  // namespace coderaudit::rules::mce
