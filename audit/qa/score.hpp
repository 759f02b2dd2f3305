#pragma once
// Per-coder accuracy from code diffs under a scoring policy (EDITS.md § Coder QA scoring,
// audit/qa/SCORING.md § Scoring).
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/qa/diff.hpp"
#include "audit/qa/policy.hpp"

namespace coderaudit::qa {

struct Interval {
  double low = 0;
  double high = 1;
};

// Exact (Clopper-Pearson) two-sided interval for `successes` out of `trials`.
// trials == 0 gives [0, 1]. Non-integer counts (weighted errors) use the same beta
// quantiles, the continuous extension of the exact interval.
Interval ClopperPearson(double successes, double trials, double confidence = 0.95);
// Wilson score interval (no continuity correction).
Interval Wilson(double successes, double trials, double confidence = 0.95);
// The policy's method and confidence.
Interval IntervalFor(const ScoringPolicy& policy, double successes, double trials);

struct TypeScore {
  uint32_t positions = 0;
  uint32_t matches = 0;
  uint32_t errors = 0;
  double weighted_errors = 0;
  double accuracy = 0;  // matches / (matches + weighted errors)
};

struct CoderScore {
  std::string coder_id;
  std::string period;               // "" for a whole run; "2024-03" / "2024Q1" in trends
  uint32_t encounters = 0;          // encounters audited (with a scored position)
  uint32_t error_free_encounters = 0;
  uint32_t codes_reviewed = 0;      // scored positions compared
  uint32_t matches = 0;             // positions without a counted error
  uint32_t errors = 0;              // counted error rows
  std::array<uint32_t, kOutcomeCount> by_outcome{};  // counted rows, indexed by Outcome
  double weighted_errors = 0;       // errors with the policy's weights
  double code_accuracy = 0;         // matches / (matches + weighted errors)
  Interval code_interval;
  double claim_accuracy = 0;        // error-free encounters / encounters
  Interval claim_interval;
  uint32_t drg_encounters = 0;      // encounters with both DRGs known
  uint32_t drg_changes = 0;
  double drg_accuracy = 0;          // unchanged DRGs / drg_encounters
  Interval drg_interval;
  uint32_t over_coded = 0, under_coded = 0;  // counted error rows by direction
  int64_t overpayment_cents = 0;    // sum over encounters paid more than they should
  int64_t underpayment_cents = 0;   // sum (as a positive amount) over encounters paid less
  std::array<TypeScore, kItemTypeCount> by_type{};  // indexed by ItemType
  uint32_t rebutted = 0;            // error rows the coder disagreed with
  uint32_t overturned = 0;          // error rows overturned by the final decision
  double benchmark = 0.95;
  bool pass = false;                // the policy's metric (point or lower bound) >= benchmark
};

enum class Period : uint8_t { kNone, kMonth, kQuarter };
std::string PeriodOf(Date d, Period p);  // "2024-03" | "2024Q1" | ""

// Accumulates scores over one or more runs (each with its own frozen policy), grouped by
// coder or by coder and period. Intervals and pass/fail are computed in Finish with the
// given policy (the report's), so trend rows are comparable with the summary.
class ScoreBook {
 public:
  explicit ScoreBook(Period period = Period::kNone) : period_(period) {}
  void Add(const std::vector<CodeDiff>& diffs, const ScoringPolicy& policy);
  // Sorted by coder id, then period.
  std::vector<CoderScore> Finish(const ScoringPolicy& policy, double benchmark) const;

 private:
  struct Acc {
    CoderScore score;
  };
  Period period_;
  // (coder, period) -> counts. An encounter audited in two runs counts twice: they are
  // two audits (the trend takes one run per audit).
  std::map<std::pair<std::string, std::string>, Acc> acc_;
};

// One run under one policy, sorted by coder id. benchmark < 0: the policy's.
std::vector<CoderScore> ScoreCoders(const std::vector<CodeDiff>& diffs,
                                    const ScoringPolicy& policy, double benchmark = -1);
// v1 entry point: the built-in defaults (same numbers as schemas/policies/default.xml)
// with the given benchmark.
std::vector<CoderScore> ScoreCoders(const std::vector<CodeDiff>& diffs, double benchmark);

// Rebuttal outcome per auditor: how often coders disagreed and how often the final
// decision overturned the auditor.
struct AuditorReview {
  std::string auditor_id;
  uint32_t encounters = 0;
  uint32_t differences = 0;   // error rows
  uint32_t rebutted = 0;      // coder disagreed
  uint32_t decided = 0;       // a final decision was recorded
  uint32_t overturned = 0;
  double overturn_rate = 0;   // overturned / decided
  Interval overturn_interval;
};
std::vector<AuditorReview> ReviewAuditors(const std::vector<CodeDiff>& diffs,
                                          const ScoringPolicy& policy);

}  // namespace coderaudit::qa
