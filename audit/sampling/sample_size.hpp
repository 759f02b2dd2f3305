#pragma once
// Sample size determination (variable: probe sample; attribute: anticipated rate).
#include <cstdint>
#include <string>
#include <vector>

namespace coderaudit::sampling {

// Samples below this size get a warning: the t/normal limits lean on the central
// limit theorem, and CMS reviewers routinely question them.
inline constexpr int64_t kSmallSampleWarning = 30;

struct VariableSampleSize {
  double confidence = 0;
  double z = 0;
  double precision_percent = 0;
  double precision_amount = 0;  // E = P/100 * mean * N (or * the stratified total)
  double exact = 0;             // the formula's value before rounding
  int64_t sample_size = 0;      // exact to the nearest item (half away from 0), at most N
  bool small = false;           // 1 to kSmallSampleWarning - 1
};

// n = (SD*N)^2 / ((E/z)^2 + N*SD^2), E = P/100 * mean * N; rounded to the nearest item.
// Throws InputError for N < 2, mean <= 0, SD < 0, P <= 0 or confidence outside (0, 1).
VariableSampleSize UnrestrictedVariableSampleSize(int64_t universe, double mean, double sd,
                                                  double precision_percent, double confidence);

// RAT-STATS "Unrestricted using estimated error rate" (Companion Manual 4-7) asks, instead
// of a probe sample, for the universe's total amount T and standard deviation S and the
// expected error rate r. The per-item error is modelled as the item's whole amount with
// probability r, else 0: mean r*mu and SD sqrt(r*(S^2 + (1-r)*mu^2)), mu = T/N (the
// moments of that mixture). The manual's own formula was not available: derived, see
// DETAILS.md. Throws InputError for r outside (0, 1], T <= 0 or S < 0.
struct ErrorRateModel {
  double mean = 0;  // expected error per item
  double sd = 0;    // its standard deviation
};
ErrorRateModel ErrorAmountModel(int64_t universe, double error_rate, double universe_total,
                                double universe_sd);

struct StratumProbe {
  std::string id;
  int64_t universe = 0;  // N_h
  double mean = 0;       // probe mean
  double sd = 0;         // probe SD
};

struct StratumAllocation {
  std::string id;
  int64_t universe = 0;
  double share = 0;        // N_h SD_h / sum N_k SD_k
  double exact = 0;        // the Neyman share of the n left after capped strata
  int64_t sample_size = 0; // exact rounded by largest remainder, capped at N_h
  bool capped = false;
};

struct StratifiedSampleSize {
  VariableSampleSize total;  // total n before allocation (given or computed)
  bool total_given = false;
  int64_t allocated = 0;     // sum of the strata's sizes: equals total.sample_size
  std::vector<StratumAllocation> strata;
  // What the allocation achieves, with the probe means and SDs as the strata's:
  // point = sum N_h mean_h, SE = sqrt(sum N_h (N_h - n_h) SD_h^2 / n_h) (the stratified
  // appraisal's variance), precision = z SE, as an amount and as a % of the point.
  double point_estimate = 0;
  double achieved_se = 0;
  double achieved_precision = 0;
  double achieved_precision_percent = 0;
  std::vector<std::string> warnings;
};

// Neyman allocation. total_sample_size <= 0: computed from the precision,
//   n = (sum N_h SD_h)^2 / ((E/z)^2 + sum N_h SD_h^2), E = P/100 * sum N_h mean_h;
// otherwise the given total is allocated. A stratum whose share exceeds N_h takes N_h
// (100% review) and the rest of n is shared again among the others (Cochran 5.9); the
// shares are rounded by largest remainder, so the allocations always sum to n.
StratifiedSampleSize StratifiedVariableSampleSize(const std::vector<StratumProbe>& strata,
                                                  double precision_percent, double confidence,
                                                  int64_t total_sample_size);

// How the attribute precision is given: a half-width (+/- P points about the point) or,
// as RAT-STATS asks for it, a precision range: the interval's whole width.
enum class AttributePrecision { kHalfWidth, kRange };

struct AttributeSampleSize {
  double confidence = 0;
  double anticipated_rate = 0;  // fraction
  double precision = 0;         // fraction: half-width (or, kRange, width) not to exceed
  AttributePrecision kind = AttributePrecision::kHalfWidth;
  int64_t sample_size = 0;
  int64_t expected_errors = 0;  // round(rate * n) used for the check
  int64_t lower = 0;            // exact two-sided limits (universe items) at that n
  int64_t upper = 0;
  bool reachable = true;        // false: even n = N does not meet the precision
};

// Smallest n whose exact two-sided hypergeometric interval, at x = round(rate * n),
// lies within point +- precision*N on both sides (kRange: upper - lower <= precision*N).
AttributeSampleSize AttributeSampleSizeFor(
    int64_t universe, double anticipated_rate, double precision, double confidence,
    AttributePrecision kind = AttributePrecision::kHalfWidth);

}  // namespace coderaudit::sampling
