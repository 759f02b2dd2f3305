#pragma once
// The accuracy report model: everything the per-coder accuracy workbook shows, loaded from a
// stored score run only (audit/store), so any past run can be re-rendered byte for byte.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/qa/diff.hpp"
#include "audit/qa/policy.hpp"
#include "audit/qa/score.hpp"
#include "audit/runs/run.hpp"

namespace coderaudit::runs {

struct AccuracyReport {
  RunInfo run;                          // the score run
  RunInfo check_run;                    // the check run it audits (findings' source)
  double benchmark = 0.95;
  std::vector<qa::CoderScore> coders;   // sorted by coder id
  std::vector<qa::CodeDiff> diffs;      // sorted by coder, encounter, code type, line
  std::vector<FindingRow> findings;     // sorted by encounter, rule, lines
  // v2 (coder QA that managers trust)
  ScoringInfo scoring;
  qa::ScoringPolicy policy;             // parsed from scoring.policy_text
  std::vector<qa::EncounterAudit> encounters;  // the run's audited encounters
  std::vector<qa::AuditorReview> auditors;     // per auditor: rebuttals and overturns
  // Trend: scores by coder and period over several stored runs (empty: no Trend sheet).
  std::string trend_period;             // "month" | "quarter"
  std::vector<int64_t> trend_runs;      // the score runs it pools
  std::vector<qa::CoderScore> trend;    // sorted by coder, then period
};

}  // namespace coderaudit::runs
