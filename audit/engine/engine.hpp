#pragma once
// The service layer both front ends call: check (ingest + rules -> stored run) and
// score (stored run + auditor re-coding -> stored scores).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "audit/model/error.hpp"
#include "audit/model/reject.hpp"
#include "audit/qa/score.hpp"
#include "reports/accuracy_report.hpp"

namespace coderaudit::engine {

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
};

struct CheckOptions {
  std::string rules_path;
  std::vector<std::string> encounter_paths;
  std::string db_path;
  std::function<void(const Progress&)> on_progress;     // called every 1,000 encounters
  std::function<void(const std::string&)> on_warning;
};

struct CheckSummary {
  reports::RunInfo run;
  size_t rule_count = 0;
  int64_t encounters_with_findings = 0;
};

// Throws RuleSetError for a bad rule file, InputError for unreadable input,
// SystemError for store failures; the store is untouched in every such case.
CheckSummary RunCheck(const CheckOptions& options);

struct ScoreOptions {
  std::string db_path;
  int64_t check_run_id = 0;   // 0: the latest check run
  std::string auditor_path;
  double benchmark = 0.95;
  std::function<void(const std::string&)> on_warning;
};

struct ScoreSummary {
  reports::RunInfo run;
  std::vector<qa::CoderScore> scores;
};

ScoreSummary RunScore(const ScoreOptions& options);

// Current time as ISO 8601 UTC; SOURCE_DATE_EPOCH (seconds) fixes it for reproducible runs.
std::string NowIso();
std::string ToolVersion();

}  // namespace coderaudit::engine
