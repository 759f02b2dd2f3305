#pragma once
// Per-coder accuracy from code diffs (EDITS.md § Coder QA scoring).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "audit/qa/diff.hpp"

namespace coderaudit::qa {

struct Interval {
  double low = 0;
  double high = 1;
};

// Exact (Clopper-Pearson) two-sided interval for `successes` out of `trials`.
// trials == 0 gives [0, 1].
Interval ClopperPearson(uint64_t successes, uint64_t trials, double confidence = 0.95);

struct CoderScore {
  std::string coder_id;
  uint32_t encounters = 0;          // encounters audited
  uint32_t error_free_encounters = 0;
  uint32_t codes_reviewed = 0;      // distinct code positions compared
  uint32_t matches = 0;
  uint32_t errors = 0;              // all error rows
  std::array<uint32_t, kOutcomeCount> by_outcome{};  // indexed by Outcome
  double code_accuracy = 0;         // matches / (matches + errors)
  Interval code_interval;
  double claim_accuracy = 0;        // error-free encounters / encounters
  Interval claim_interval;
  double benchmark = 0.95;
  bool pass = false;                // code_accuracy >= benchmark
};

// Scores every coder found in `diffs`; sorted by coder id.
std::vector<CoderScore> ScoreCoders(const std::vector<CodeDiff>& diffs, double benchmark);

}  // namespace coderaudit::qa
