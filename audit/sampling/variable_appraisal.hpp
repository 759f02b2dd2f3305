#pragma once
// Variable appraisal (overpayment estimation) with RAT-STATS' formulas; see SAMPLING.md.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace coderaudit::sampling {

// Printed whole-number figures (point estimates, limits, the demand amount) follow
// RAT-STATS' x87 arithmetic: VB6 keeps the mean and the projection in 80-bit registers and
// rounds from there, so where the IEEE double projection lands on the other side of a .5
// (e.g. 7/6 x 27 = 31.5 exactly: double 31.500000000000004 prints 32, the 80-bit
// 31.4999999999999999983 prints 31) the *_printed fields hold what RAT-STATS prints. They
// are computed in long double, which g++ on x86-64 makes the x87 80-bit format. The
// double fields are kept for JSON and further arithmetic.
static_assert(sizeof(long double) >= 10 && std::numeric_limits<long double>::digits == 64,
              "the printed projections need the x87 80-bit long double");

// The levels RAT-STATS prints, two-sided.
inline constexpr std::array<double, 3> kConfidenceLevels{0.80, 0.90, 0.95};
// Precision (at 90%) above which a warning is given.
inline constexpr double kPrecisionWarningPercent = 25.0;

enum class ValueSet { kExamined, kAudited, kDifference };
const char* ValueSetName(ValueSet set);  // "examined", "audited", "difference"

// The sampled items of one stratum (or of an unrestricted sample). Any RAT-STATS input
// combination: one column alone, or any two (the third is derived: difference =
// examined - audited), or all three (checked to agree to the cent).
struct VariableSample {
  std::optional<std::vector<double>> examined;
  std::optional<std::vector<double>> audited;
  std::optional<std::vector<double>> difference;
};

// Fills in the derivable value set. Throws InputError when lengths differ, no set is
// given, or three given sets disagree.
VariableSample CompleteValueSets(const VariableSample& sample);

struct ConfidenceLimits {
  double confidence = 0;         // 0.80 / 0.90 / 0.95
  double critical = 0;           // t (unrestricted, stratum) or z (stratified overall)
  double lower = 0;
  double upper = 0;
  double precision = 0;          // critical * SE(total)
  double precision_percent = 0;  // critical * SE(mean) / mean * 100; 0 when mean <= 0
  double lower_printed = 0;      // whole numbers, from the 80-bit point (see above)
  double upper_printed = 0;
};

struct ValueSetStats {
  ValueSet set = ValueSet::kDifference;
  int64_t n = 0;
  int64_t universe = 0;
  int64_t nonzero = 0;
  double sum = 0;
  double mean = 0;
  double sd = 0;        // sample SD, n-1 denominator; 0 when n < 2 or the values sum to 0
  bool sd_zero_sum = false;  // the values vary but sum to 0: RAT-STATS computes no SD
  double skewness = 0;  // m3 / m2^1.5 (population moments); 0 when the population SD < 1
  double kurtosis = 0;  // m4 / m2^2 (not less 3); 0 when the population SD < 1
  double se_mean = 0;
  double se_total = 0;
  double point_estimate = 0;
  long double mean_x87 = 0;     // sum / n in 80-bit, as RAT-STATS holds it
  double point_printed = 0;     // round(mean_x87 * N), half away from zero
  bool limits_defined = false;  // false when n < 2 (no t with 0 df)
  std::array<ConfidenceLimits, 3> limits{};
};

// Statistics of one value set drawn from a universe of `universe` items, with t limits.
ValueSetStats AppraiseValues(ValueSet set, const std::vector<double>& values, int64_t universe);

struct UnrestrictedVariableAppraisal {
  int64_t universe = 0;
  int64_t sample_size = 0;
  std::vector<ValueSetStats> sets;  // examined, audited, difference: those available
  ValueSet primary = ValueSet::kDifference;  // the set extrapolated (difference if known)
  double demand_amount = 0;  // lower limit of the one-sided 90% = two-sided 80% lower
  double demand_printed = 0;  // that limit as RAT-STATS prints it (whole, 80-bit)
  std::vector<std::string> warnings;
};

UnrestrictedVariableAppraisal AppraiseUnrestricted(const VariableSample& sample, int64_t universe);

struct StratumInput {
  std::string id;
  int64_t universe = 0;  // N_h
  VariableSample sample;
};

struct StratifiedSetTotals {
  ValueSet set = ValueSet::kDifference;
  int64_t n = 0;
  int64_t universe = 0;
  int64_t nonzero = 0;       // nonzero items over the strata, as RAT-STATS's summary counts them
  double point_estimate = 0;
  double point_printed = 0;  // round(sum N_h * mean_x87_h), 80-bit
  double se_total = 0;
  double se_mean = 0;        // se_total / N, RAT-STATS's summary "Standard Error (Mean)"
  std::array<ConfidenceLimits, 3> limits{};  // z, not t
};

struct StratumResult {
  std::string id;
  std::vector<ValueSetStats> sets;
};

struct StratifiedVariableAppraisal {
  // Post-strata: a simple random sample classified after the draw into strata of known
  // sizes. The figures are the stratified ones (conditional on each post-stratum's
  // sample size); only the title and the JSON key say so.
  bool post_stratified = false;
  std::vector<StratumResult> strata;
  std::vector<StratifiedSetTotals> overall;
  ValueSet primary = ValueSet::kDifference;
  double demand_amount = 0;
  double demand_printed = 0;
  std::vector<std::string> warnings;
};

// Every stratum must carry the same value sets. Throws InputError on bad input.
StratifiedVariableAppraisal AppraiseStratified(const std::vector<StratumInput>& strata);

}  // namespace coderaudit::sampling
