#pragma once
// The coding team's audit loop (issue 14), as services every front end calls: a manager
// creates an audit from a check run by drawing a sample with the stored-sample designs
// (simple, stratified, per-coder quota, targeted), assigns encounters to auditors and
// watches progress; an auditor re-codes each encounter (a copy of the coder's codes to
// start), saves drafts under optimistic concurrency and submits; the coder sees each change
// with the auditor's reason and agrees or disagrees; the manager decides disputes and
// closes the audit, which scores it through RunScore and RunRebuttal — the code
// `coderaudit score` and `coderaudit rebuttal` run — so the figures are the CLI's for the
// same decisions. Every change is authorised for the actor's role (access.hpp) and lands
// in the audit trail in the change's transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/qa/diff.hpp"
#include "audit/qa/score.hpp"
#include "audit/runs/run.hpp"
#include "audit/sampling/encounter_sample.hpp"
#include "audit/service/access.hpp"
#include "audit/store/audit_store.hpp"

namespace coderaudit::refdata {
class RefData;
}

namespace coderaudit::service {

// Someone saved the encounter since this version was read: HTTP 409, nothing overwritten.
class ConflictError : public InputError {
 public:
  using InputError::InputError;
};

// An auditor's reason for a change: the reason codes of schemas/auditor-csv.md.
struct ReasonCode {
  std::string_view code, label;
};
const std::vector<ReasonCode>& AuditReasons();

struct CreateAuditOptions {
  std::string title;
  int64_t check_run_id = 0;          // 0: the latest check run
  sampling::SampleSpec spec;         // the draw (stored as a sample, replayable)
  std::vector<std::string> auditors; // assigned in turn over the sample; may be empty
  // The scoring policy's XML (schemas/policies/scoring-policy-v1.xsd) and where it came
  // from; "" for the built-in default. Validated now, frozen with the audit, used to close.
  std::string policy_text, policy_file;
};
// Draws and stores the sample (draw-sample), then the audit (manage-audits). Returns its id.
int64_t CreateAudit(const std::string& db_path, const CreateAuditOptions& options,
                    const Actor& actor);

struct AuditProgress {
  store::QaAuditRow audit;
  int64_t encounters = 0, unassigned = 0, drafts = 0, submitted = 0;
  int64_t disputes = 0, decided = 0;   // disagreed changes, and those with a decision
  struct ByAuditor {
    std::string auditor;
    int64_t assigned = 0, drafts = 0, submitted = 0;
  };
  std::vector<ByAuditor> auditors;
};
// Audits the actor takes part in (an auditor: with encounters assigned to them; a coder:
// with their submitted encounters); managers and readers see all. Newest first.
std::vector<AuditProgress> ListAudits(const std::string& db_path, const Actor& actor);
AuditProgress LoadAuditProgress(const std::string& db_path, int64_t audit_id, const Actor& actor);

// A page of the audit's encounters. An auditor sees only theirs, a coder only their
// submitted ones, whatever the filter says.
struct AuditEncounterPage {
  int64_t total = 0;
  std::vector<store::QaAuditEncounterRow> rows;
};
AuditEncounterPage ListAuditEncounters(const std::string& db_path, int64_t audit_id,
                                       store::QaEncounterFilter filter, const Actor& actor);

// Users with role auditor (enabled), for assignment.
std::vector<std::string> ListAuditors(const std::string& db_path, const Actor& actor);
// Assigns the (not yet submitted) encounters to an auditor; returns how many changed.
int64_t AssignEncounters(const std::string& db_path, int64_t audit_id,
                         const std::vector<std::string>& encounter_ids, const std::string& auditor,
                         const Actor& actor);

// The auditor's version of an encounter: every code they would report (in order: the
// first DX is the principal), the coder's codes they strike with a reason, and the DRG.
struct RecodedLine {
  CodeType type = CodeType::kDiagnosis;
  std::string code, poa, modifiers;  // poa "" not given; modifiers "25;59"
  double units = 0;                  // HCPCS; 0: the default (1)
  std::string reason, comment;       // why this code differs from the coder's
};
struct StruckCode {
  CodeType type = CodeType::kDiagnosis;
  std::string code, reason, comment;
};
struct Recoding {
  std::vector<RecodedLine> lines;
  std::vector<StruckCode> removed;
  std::string drg;
};

// The coder's codes as a version (diagnoses and procedures in sequence order, then HCPCS
// lines): what the auditor's version starts as, and how the coder's side is shown.
Recoding CopyOf(const Encounter& coder);

// One difference between the coder's and the auditor's coding, with the coder's answer
// and the manager's decision. index: its place in the encounter's diff.
struct AuditChange {
  int64_t index = 0;
  qa::CodeDiff diff;
  store::QaResponseRow response;
};

struct AuditEncounterView {
  store::QaAuditRow audit;
  store::QaAuditEncounterRow row;
  Encounter coder;                 // as the check run stored it
  Recoding recoding;               // the saved version, or a copy of the coder's codes
  std::vector<AuditChange> changes;   // differences only (no matches)
  std::vector<runs::FindingRow> findings;   // the check run's findings on it
};
AuditEncounterView LoadAuditEncounter(const std::string& db_path, int64_t audit_id,
                                      const std::string& encounter_id, const Actor& actor);

// Saves the auditor's version as a draft, or submits it (then it is fixed). InputError
// naming the code for a malformed version; ConflictError when the stored version is no
// longer `expected_version`. Returns the new version.
int64_t SaveRecoding(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
                     int64_t expected_version, const Recoding& recoding, bool submit,
                     const Actor& actor);
// The coder's answer to a change of their own submitted encounter: "agree" or "disagree".
void AnswerChange(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
                  int64_t change_index, const std::string& rebuttal, const std::string& comment,
                  const Actor& actor);
// The manager's decision on a change: "upheld" or "overturned".
void DecideChange(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
                  int64_t change_index, const std::string& decision, const std::string& note,
                  const Actor& actor);

// Disagreed changes of an audit, decided or not.
struct Dispute {
  store::QaAuditEncounterRow row;
  AuditChange change;
};
std::vector<Dispute> ListDisputes(const std::string& db_path, int64_t audit_id, const Actor& actor);

struct ClosedAudit {
  int64_t score_run_id = 0, final_run_id = 0;
  int64_t scored_encounters = 0, left_out = 0;   // submitted / not submitted
  std::vector<qa::CoderScore> scores;            // of the final run
};
// Scores the submitted encounters: their re-coding as an auditor file through RunScore,
// then the answers and decisions as a rebuttal file through RunRebuttal (when there are
// any), under the audit's policy (as `score --policy`). The audit is then closed and read-only.
ClosedAudit CloseAudit(const std::string& db_path, int64_t audit_id, const Actor& actor);

// A code as the loaded tables know it on a date (the auditor's look-up as they type):
// ICD-10-CM by the CMS order file (known, billable), ICD-10-PCS by its order file, HCPCS
// Level II by its attributes file (CPT codes are not in it); with the code's description
// from the same table when it was imported with descriptions.
struct CodeValidity {
  bool table_in_force = false;   // a table of the code's kind covers the date
  std::string table;             // "icd10cm-order FY2024"
  bool valid = false;            // known (and for DX billable) on the date
  std::string message;           // for people
  std::string description;       // the table's long description, else short; "" if none
};
CodeValidity CheckCodeOn(const refdata::RefData& tables, CodeType type, std::string_view code, Date on);

// The actor a browser session acts as now: its user reread from the store (a disabled
// user or a changed role ends the session's rights at once); nullopt when the user is
// gone or disabled.
std::optional<Actor> SessionActor(const std::string& db_path, const Actor& logged_in);

// The auditor CSV (schemas/auditor-csv.md) and rebuttal CSV (schemas/rebuttal-csv.md)
// the audit is (or would be) scored from: a record anyone can re-score with the CLI.
std::string AuditorCsv(const std::string& db_path, int64_t audit_id, const Actor& actor);

}  // namespace coderaudit::service
