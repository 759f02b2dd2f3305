#pragma once
// Reading what a store holds, for both front ends: runs, rejects, samples, and the workbooks
// rendered from them. Every function opens the store at `db_path` and throws InputError when
// there is no store there or the run/sample asked for is not in it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/model/reject.hpp"
#include "audit/runs/extrapolation_report.hpp"
#include "audit/runs/run.hpp"
#include "audit/runs/stored_sample.hpp"
#include "audit/service/service.hpp"

namespace coderaudit::service {

// Creates the store at `db_path` if there is none and applies pending migrations.
void PrepareStore(const std::string& db_path);

// Every function takes the actor who asks and authorises it (access.hpp) first.
std::vector<runs::RunInfo> ListRuns(const std::string& db_path, const Actor& actor = Actor::Local());
runs::RunInfo LoadRun(const std::string& db_path, int64_t run_id, const Actor& actor = Actor::Local());
// The newest run of `kind` ("check" | "score"); InputError when there is none.
int64_t LatestRun(const std::string& db_path, const std::string& kind);
// What `report` renders without --run: the newest score run, else the newest check run.
int64_t DefaultReportRun(const std::string& db_path);
// run_id 0: the newest run of any kind. A coder gets none (rejected records belong to no
// coder yet); roles that do not see patient identifiers get each record's text masked.
std::vector<Reject> ListRejects(const std::string& db_path, int64_t run_id,
                                const Actor& actor = Actor::Local());

std::optional<runs::StoredSample> LoadSample(const std::string& db_path, int64_t sample_id,
                                             const Actor& actor = Actor::Local());
std::vector<runs::StoredSample> ListSamples(const std::string& db_path,
                                            const Actor& actor = Actor::Local());  // without items
// Replaces a sampled encounter with the next unused spare of its stratum, recording why;
// returns the spare's encounter id.
std::string SubstituteSpare(const std::string& db_path, int64_t sample_id,
                            const std::string& encounter_id, const std::string& reason,
                            const Actor& actor = Actor::Local());

// The per-coder accuracy workbook of score run `score_run_id` (0: the latest) written to
// `path` atomically; returns the report it rendered.
runs::AccuracyReport WriteAccuracyReport(const std::string& db_path, int64_t score_run_id,
                                         const ReportOptions& options, const std::string& path,
                                         const Actor& actor = Actor::Local());
// The report cut down to one coder: their scores, rows, findings, audited encounters and
// trend; no auditor review (it pools every coder's rows). InputError when the run has no
// such coder.
runs::AccuracyReport OneCoder(const runs::AccuracyReport& report, const std::string& coder_id);
// A coder's own feedback workbook (report --coder ID): only their results, a block with
// their score and result above their rows, errors first, matches when `matches`.
// Authorised and recorded ("report.exported") as WriteAccuracyReport.
runs::AccuracyReport WriteCoderFeedback(const std::string& db_path, int64_t score_run_id,
                                        const ReportOptions& options, const std::string& coder_id,
                                        bool matches, const std::string& path,
                                        const Actor& actor = Actor::Local());
// One feedback workbook per coder of the run in directory `dir` (created if missing),
// named coder-<id>.xlsx (characters other than letters, digits, '.', '-', '_' become '_';
// a name taken already, ignoring case, gets "-2", "-3"...). Returns (coder, path) pairs.
struct CoderFile {
  std::string coder_id;
  std::string path;
};
std::vector<CoderFile> WritePerCoderFeedback(const std::string& db_path, int64_t score_run_id,
                                             const ReportOptions& options, bool matches,
                                             const std::string& dir,
                                             const Actor& actor = Actor::Local());
// The extrapolation workbook of a stored sample and its reviewed amounts.
runs::ExtrapolationReport WriteExtrapolationReport(const std::string& db_path, int64_t sample_id,
                                                   const std::string& reviewed_path,
                                                   const std::string& path,
                                                   const Actor& actor = Actor::Local());

}  // namespace coderaudit::service
