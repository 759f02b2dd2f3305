#pragma once
// Two- and three-stage variable appraisal (simple random sampling at every stage):
// primaries drawn from the universe, sub-units within each sampled primary, and for three
// stages units within each sampled secondary. The estimator of a unit's total is
// N/n x (sum of its sampled sub-units' estimated totals); its variance is the unbiased
// multistage form (Cochran, Sampling Techniques, 10.8 and 11.26 applied level by level):
//   v(Y) = N^2 (1 - n/N) s^2 / n + (N/n) sum_j v(Y_j),
// s^2 the sample variance (n - 1) of the sub-units' estimated totals Y_j, v = 0 at the
// last stage. Limits are point -/+ t x SE with t on (primaries sampled - 1) df.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "audit/sampling/variable_appraisal.hpp"

namespace coderaudit::sampling {

// The sampled last-stage items of a multistage sample and the units they sit in.
struct MultistageItems {
  int stages = 2;                        // 2 or 3
  std::vector<std::string> primary;      // per item
  std::vector<int64_t> primary_size;     // per item: second-stage units in its primary
  std::vector<std::string> secondary;    // per item, three stages only
  std::vector<int64_t> secondary_size;   // per item, three stages: third-stage units in it
  std::vector<uint32_t> line;            // per item: where it was read
  VariableSample sample;
};

struct MultistageSetResult {
  ValueSet set = ValueSet::kDifference;
  double point_estimate = 0;
  double se_total = 0;
  double mean = 0;  // point / (universe of primaries): the estimated total per primary
  std::array<ConfidenceLimits, 3> limits{};  // t on primaries - 1 df
};

struct MultistageAppraisal {
  int stages = 2;
  int64_t universe = 0;        // primaries in the universe (M)
  int64_t primaries = 0;       // primaries sampled (m)
  int64_t secondaries = 0;     // second-stage units sampled (three stages: distinct secondaries)
  int64_t items = 0;           // last-stage units sampled
  std::vector<MultistageSetResult> sets;
  ValueSet primary_set = ValueSet::kDifference;
  double demand_amount = 0;    // two-sided 80% lower limit of the primary set
  std::vector<std::string> warnings;
};

// Throws InputError (with source:line where an item is at fault) on inconsistent sizes.
MultistageAppraisal AppraiseMultistage(const MultistageItems& items, int64_t universe,
                                       const std::string& source);

}  // namespace coderaudit::sampling
