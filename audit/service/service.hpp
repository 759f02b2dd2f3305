#pragma once
// The service layer both front ends call: check (ingest + rules -> stored run) and
// score (stored run + auditor re-coding -> stored scores).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "audit/service/access.hpp"
#include "audit/service/compiled_rules.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/error.hpp"
#include "audit/model/reject.hpp"
#include "audit/qa/agreement.hpp"
#include "audit/qa/policy.hpp"
#include "audit/qa/score.hpp"
#include "audit/runs/accuracy_report.hpp"

namespace coderaudit::store {
class RunWriter;
}

namespace coderaudit::service {

// A rule set that failed to load or compile; carries every positioned issue.
class RuleSetError : public InputError {
 public:
  RuleSetError(std::string what, std::vector<Issue> issues)
      : InputError(std::move(what)), issues_(std::move(issues)) {}
  const std::vector<Issue>& Issues() const { return issues_; }

 private:
  std::vector<Issue> issues_;
};

struct Progress {
  int64_t records = 0, encounters = 0, findings = 0, rejects = 0;
  // Bytes of the input files read so far (first reads only) and their total size: how far
  // a check has come. 0 total: no files (request bodies), no percentage.
  int64_t bytes_read = 0, bytes_total = 0;
};

struct CheckOptions {
  std::string rules_path;
  // Already compiled rules and mapped tables (a long-running front end's snapshot): used
  // instead of rules_path and refdata_dir, so nothing is read or compiled again.
  std::shared_ptr<const CompiledRules> compiled;
  std::vector<std::string> encounter_paths;
  // Inputs already in memory (the HTTP API's request bodies), read after the files; each is
  // recorded as an input under its name with the SHA-256 of its bytes.
  struct Body {
    std::string name;  // "request": what rejects and the run's inputs call it
    std::string text;
  };
  std::vector<Body> bodies;
  std::string format = "auto";   // auto | csv | x12 | fhir (ingest/any_format.hpp)
  std::string mapping_path;      // CSV column mapping (schemas/csv-mapping.md), CSV only
  std::string refdata_dir;       // reference tables for table-backed rules ("" = none)
  std::string db_path;
  // What a check run persists: every encounter and line (kAll), or only the encounters
  // that have findings (kFindings), so payer-scale runs need not store every line. Run
  // metadata, inputs, findings and rejects are stored either way.
  enum class StoreMode { kAll, kFindings };
  StoreMode store = StoreMode::kAll;
  // 1: everything on the calling thread. Otherwise store writes run on a second thread
  // while this one reads and evaluates; the store receives the same calls in the same
  // order either way.
  int threads = 2;
  // A claim some rule could not judge (no table version in force on its date) makes the
  // run an InputError and nothing is stored.
  bool require_coverage = false;
  // Stored check runs (in db_path, stored with every encounter) whose professional claims
  // are earlier claims for the edits across claims (NCCI PTP pairs split between claims).
  std::vector<int64_t> history_runs;
  std::function<void(const Progress&)> on_progress;     // called every 1,000 encounters
  std::function<void(const std::string&)> on_warning;
  // Each encounter as the first read of the inputs delivers it, before it is evaluated
  // (tests change an input file here, while it is being read).
  std::function<void(const Encounter&)> on_encounter_read;
  // Who asks (authorised for check-claims; recorded in the trail with the run).
  Actor actor = Actor::Local();
  // A partition of a scaled-out run, claimed by a worker (audit/service/workers.hpp): its
  // rows go through this writer, which commits the partition; db_path is not opened.
  store::RunWriter* partition_writer = nullptr;
};

struct CheckSummary {
  // run.claims_not_checked and run.not_checked: the claims some rule could not judge,
  // and per rule how many (sorted by rule id).
  runs::RunInfo run;
  size_t rule_count = 0;
  int64_t encounters_with_findings = 0;
  // Wall-clock seconds from the start of RunCheck: rules compiled and tables loaded, first
  // finding evaluated (-1: none), run committed. Reported, never stored (runs stay
  // reproducible).
  double setup_seconds = 0, first_finding_seconds = -1, total_seconds = 0;
};

// Throws RuleSetError for a bad rule file, InputError for unreadable input,
// SystemError for store failures; the store is untouched in every such case.
CheckSummary RunCheck(const CheckOptions& options);

// Money inputs of a score run (schemas/payment-csv.md). All optional.
struct PaymentOptions {
  std::string drg_weights_path;  // drg,weight[,title]
  double base_rate = 0;          // dollars per 1.0 of DRG weight; needed with the weights
  std::string cc_mcc_path;       // code,level: CC/MCC levels for revised diagnoses
};

struct ScoreOptions {
  std::string db_path;
  int64_t check_run_id = 0;   // 0: the latest check run
  std::string auditor_path;   // the auditor re-coding; not used with rescore_run_id
  // Re-score a stored score run's rows as a new run: with its frozen policy, or with
  // policy_path when given.
  int64_t rescore_run_id = 0;
  std::string policy_path;    // "": the built-in default (schemas/policies/default.xml)
  double benchmark = 0;       // 0: the policy's benchmark; else overrides it (recorded)
  PaymentOptions payment;
  std::function<void(const std::string&)> on_warning;
  Actor actor = Actor::Local();   // authorised for score; recorded with the run
};

struct ScoreSummary {
  runs::RunInfo run;
  runs::ScoringInfo scoring;
  qa::ScoringPolicy policy;
  std::vector<qa::CoderScore> scores;
};

ScoreSummary RunScore(const ScoreOptions& options);

// Rebuttal: coders' agree/disagree and final decisions, read from a filled-in workbook
// (.xlsx) or a CSV (schemas/rebuttal-csv.md), applied to a score run's rows and scored
// again as a new score run (origin "rebuttal").
struct RebuttalOptions {
  std::string db_path;
  // 0: the run a workbook names on its Run sheet, else (a CSV) the latest score run. A
  // workbook of another run than this one is an InputError.
  int64_t score_run_id = 0;
  std::string path;           // .xlsx (the report, filled in) or .csv
  std::string policy_path;    // "": the source run's frozen policy
  std::function<void(const std::string&)> on_warning;
  Actor actor = Actor::Local();   // authorised for rebuttal; recorded with the run
};

struct RebuttalSummary {
  ScoreSummary score;
  uint32_t entries = 0, applied = 0;
  // Every reject is stored with the run (`rejects --run N`); the summary counts them all
  // and lists the first kListedRejects (rows the readers refused first, then entries that
  // matched nothing), so a file of any size is imported in flat memory.
  static constexpr size_t kListedRejects = 1000;
  int64_t rejected = 0;
  std::vector<Reject> rejects;
  std::vector<qa::AuditorReview> auditors;
};

RebuttalSummary RunRebuttal(const RebuttalOptions& options);

// Audit the auditor: two auditors' re-codings of the same encounters, either two files
// diffed against one check run (nothing is stored), or two stored score runs of it.
struct AgreementOptions {
  std::string db_path;
  int64_t check_run_id = 0;                 // with auditor files; 0: the latest check run
  std::vector<std::string> auditor_paths;   // exactly two, or
  std::vector<int64_t> score_runs;          // exactly two
  std::function<void(const std::string&)> on_warning;
  Actor actor = Actor::Local();             // authorised for read-scores
};

struct AgreementSummary {
  std::string label_a, label_b;
  int64_t check_run_id = 0;
  int64_t rejected_a = 0, rejected_b = 0;   // auditor rows that could not be used
  qa::Agreement agreement;
};

AgreementSummary RunAgreement(const AgreementOptions& options);

// Everything the workbook shows for a score run, from the store: the run, its frozen
// policy, per-auditor rebuttal figures and a trend by period over one run per audit (this
// run for its own audit, the latest re-score or rebuttal up to this run for the others),
// so re-rendering a run later gives the same bytes.
struct ReportOptions {
  qa::Period period = qa::Period::kQuarter;
  bool trend = true;
};
// A coder actor gets only their own rows and scores.
runs::AccuracyReport LoadReport(const std::string& db_path, int64_t score_run_id,
                                   const ReportOptions& options, const Actor& actor = Actor::Local());

// Current time as ISO 8601 UTC; SOURCE_DATE_EPOCH (seconds) fixes it for reproducible runs.
std::string NowIso();
std::string ToolVersion();

}  // namespace coderaudit::service
