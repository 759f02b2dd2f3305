#pragma once
// The audit workflow's rows (schema 10, schemas/migrations/0010_qa_audits.sql): audits,
// their sampled encounters with the auditor's re-coding, and the coders' answers with the
// manager's decisions. Rows only; what they mean and who may change them is
// audit/service/audit_workflow.hpp. Poco::Data with $n placeholders and SQL that SQLite and
// PostgreSQL both run (ids assigned explicitly, upserts as delete + insert).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coderaudit::store {

class Store;

struct QaAuditRow {
  int64_t audit_id = 0;
  std::string title;
  int64_t check_run_id = 0, sample_id = 0;
  std::string design;
  std::string policy_name, policy_text;   // policy_text "": the built-in default
  std::string state = "open";             // open | closed
  std::string created_by, created_at, closed_at;
  int64_t score_run_id = 0, final_run_id = 0;
};

struct QaAuditEncounterRow {
  int64_t audit_id = 0;
  std::string encounter_id;
  int64_t position = 0;                   // 1-based order in the sample
  std::string coder_id;
  std::string auditor;                    // user name, "" unassigned
  std::string state = "new";              // new | draft | submitted
  int64_t version = 0;
  std::string recoding;                   // auditor CSV rows, "" before the first save
  std::string updated_at, updated_by;
};

struct QaResponseRow {
  int64_t audit_id = 0;
  std::string encounter_id;
  int64_t change_index = 0;
  std::string rebuttal, coder_comment;    // "" | agree | disagree
  std::string decision, decision_note;    // "" | upheld | overturned
};

// Which encounters of an audit a page lists; "" matches anything.
struct QaEncounterFilter {
  std::string auditor, coder_id, state;
  std::string text;                       // part of the encounter id
  int64_t offset = 0, limit = 50;
};

// Inserts with the next audit id (returned) and its encounters.
int64_t InsertQaAudit(Store& store, const QaAuditRow& row,
                      const std::vector<QaAuditEncounterRow>& encounters);
std::vector<QaAuditRow> ListQaAudits(Store& store);
std::optional<QaAuditRow> LoadQaAudit(Store& store, int64_t audit_id);
// A page in sample order and the number matching the filter.
std::vector<QaAuditEncounterRow> ListQaAuditEncounters(Store& store, int64_t audit_id,
                                                       const QaEncounterFilter& filter,
                                                       int64_t* total);
std::optional<QaAuditEncounterRow> LoadQaAuditEncounter(Store& store, int64_t audit_id,
                                                        const std::string& encounter_id);
// Every encounter of the audit in sample order (closing, progress).
std::vector<QaAuditEncounterRow> AllQaAuditEncounters(Store& store, int64_t audit_id);
// Sets the auditor of the named encounters that are not submitted; returns how many.
int64_t AssignQaAuditEncounters(Store& store, int64_t audit_id,
                                const std::vector<std::string>& encounter_ids,
                                const std::string& auditor);
// Stores a re-coding when the stored version is still `expected_version` (the version is
// then expected_version + 1); false when someone saved in between.
bool SaveQaRecoding(Store& store, int64_t audit_id, const std::string& encounter_id,
                    int64_t expected_version, const std::string& recoding,
                    const std::string& state, const std::string& at, const std::string& by);
// All answers of an encounter ("" : of the whole audit), by encounter then change.
std::vector<QaResponseRow> LoadQaResponses(Store& store, int64_t audit_id,
                                           const std::string& encounter_id = "");
void PutQaResponse(Store& store, const QaResponseRow& row);
void CloseQaAudit(Store& store, int64_t audit_id, int64_t score_run_id, int64_t final_run_id,
                  const std::string& at);

}  // namespace coderaudit::store
