#pragma once
// The run store: SQLite through Poco::Data (the only place that includes Poco::Data).
// One run = one transaction: a run is either wholly in the store or not at all.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"
#include "audit/model/reject.hpp"
#include "audit/qa/diff.hpp"
#include "audit/qa/score.hpp"
#include "audit/runs/accuracy_report.hpp"

namespace Poco::Data {
class Session;
}

namespace coderaudit::store {

// Schema version this build creates and expects (schemas/migrations/NNNN_*.sql).
int CurrentSchemaVersion();

class Store;

// A stored claim's id and who it belongs to (hold lists, findings filters).
struct ClaimRef {
  std::string encounter_id, provider_id, coder_id, payer;
};

// One API token of `coderaudit serve` as stored (migration 0007): never the secret, only
// its PBKDF2-HMAC-SHA256 hash and salt (audit/service/api_tokens.hpp makes and checks them).
struct ApiTokenRow {
  int64_t token_id = 0;
  std::string name;
  std::string role;        // "check" | "read" | "admin"
  std::string salt_hex, hash_hex;
  int iterations = 0;
  std::string created_at;
  std::string revoked_at;  // "" while valid
  int64_t user_id = 0;     // the owner (schema 8; trail_store.hpp)
};

// Collects one run's rows inside an open transaction. Destroying it without Commit()
// rolls everything back, so an exception anywhere leaves the store as it was.
class RunWriter {
 public:
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  int64_t RunId() const { return run_id_; }
  // The store whose transaction this is: trail events appended to it (trail_store.hpp)
  // commit with the run.
  Store& Owner() { return store_; }
  void AddInput(const runs::RunInput& input);
  void AddEncounter(const Encounter& encounter);
  void AddFinding(const Finding& finding);
  void AddReject(const Reject& reject);
  // A rule that could not judge a claim (schema 6); per-rule counts go with Commit's info.
  void AddNotChecked(const NotChecked& not_checked);
  // Takes encounters stored earlier in this run back out (their lines, findings and
  // not-checked rows too):
  // a later copy of the id showed that no copy may be audited. Returns what was removed.
  struct Retracted {
    int64_t encounters = 0, findings = 0, encounters_with_findings = 0, claims_not_checked = 0;
    std::map<std::string, int64_t> not_checked_by_rule;  // rule id -> claims taken back
  };
  Retracted RetractEncounters(const std::vector<std::string>& encounter_ids);
  // Returns the row's seq (its Ref in the workbook), 1-based within the run.
  uint32_t AddDiff(const qa::CodeDiff& diff);
  void AddScore(const qa::CoderScore& score);
  // Score runs (v2): the frozen policy and origin, and the audited encounters' DRG and
  // payment facts. A score run without SetScoring reads back as a version-1 run.
  void SetScoring(const runs::ScoringInfo& scoring);
  void AddEncounterAudit(const qa::EncounterAudit& audit);
  // Writes the final counts and times, then commits.
  void Commit(const runs::RunInfo& final_info, double benchmark = 0);

 private:
  friend class Store;
  struct Impl;
  RunWriter(Store& store, int64_t run_id);
  // Prepared statements for the per-row inserts of a check run, made once per run.
  std::unique_ptr<Impl> impl_;
  Store& store_;
  int64_t run_id_;
  int64_t finding_seq_ = 0, reject_seq_ = 0, diff_seq_ = 0, not_checked_seq_ = 0;
  bool done_ = false;
};

class Store {
 public:
  // Opens (creating if needed) the SQLite file and applies pending migrations.
  // Throws SystemError when the file cannot be opened or is not a coderaudit store.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Starts a run transaction. `info.kind` and `info.started_at` must be set.
  std::unique_ptr<RunWriter> BeginRun(const runs::RunInfo& info);

  std::optional<runs::RunInfo> LoadRun(int64_t run_id);
  std::vector<runs::RunInfo> ListRuns();
  // An encounter as it was stored: every field the readers fill (X12 / FHIR claim fields
  // included, schema 4) except source_file and source_records (the run's inputs say those).
  std::optional<Encounter> LoadEncounter(int64_t run_id, const std::string& encounter_id);
  void ForEachEncounter(int64_t run_id, const std::function<void(Encounter&&)>& fn);
  std::vector<Reject> LoadRejects(int64_t run_id);
  // In the order they were found (input order, then rule order).
  std::vector<NotChecked> LoadNotChecked(int64_t run_id);
  // The run's stored claims in input order (with --store findings: only those with
  // findings or not checked).
  std::vector<ClaimRef> LoadClaimRefs(int64_t run_id);
  std::vector<runs::FindingRow> LoadFindings(int64_t run_id);
  // Rows in stored order, with each row's ref, and the claim type and through date of its
  // encounter in the audited check run.
  std::vector<qa::CodeDiff> LoadDiffs(int64_t run_id);
  std::vector<qa::CoderScore> LoadScores(int64_t run_id);
  // The score run's policy and origin; a version-1 score run gives origin "auditor" and
  // an empty policy text (the built-in default applies).
  runs::ScoringInfo LoadScoring(int64_t run_id);
  // Per claim type and HCPCS code of a check run: each per-unit charge (cents) and how many
  // charged lines carry it, aggregated in SQL (the usual-charge reference of coder QA).
  void ForEachUnitCharge(int64_t check_run_id,
                         const std::function<void(ClaimType, const Code&, int64_t per_unit_cents,
                                                  int64_t lines)>& fn);
  std::vector<qa::EncounterAudit> LoadEncounterAudits(int64_t run_id);
  // Everything the accuracy workbook shows, for a score run. InputError if not one.
  runs::AccuracyReport LoadAccuracyReport(int64_t score_run_id);

  // API tokens (migration 0007). AddApiToken returns the new token id; RevokeApiToken
  // false when there is no such valid token.
  int64_t AddApiToken(const ApiTokenRow& row);
  std::optional<ApiTokenRow> LoadApiToken(int64_t token_id);
  std::vector<ApiTokenRow> ListApiTokens();
  bool RevokeApiToken(int64_t token_id, const std::string& at);

  // The store's connection, for the store folder's other files (trail_store.cpp):
  // statements on it run inside the transaction a RunWriter holds open.
  Poco::Data::Session& Session();

 private:
  friend class RunWriter;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::store
