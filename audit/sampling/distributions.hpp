#pragma once
// Distribution functions the appraisals need. Student t and normal quantiles come from
// Boost.Math; the hypergeometric is written here because the appraisal must stay exact
// for universes up to 2^31 - 1 and beyond, where lgamma differences lose whole items.
#include <cstdint>

namespace coderaudit::sampling {

// Quantile of Student's t with df degrees of freedom (df >= 1) at probability p.
double StudentTQuantile(double p, double df);
// Quantile of the standard normal at probability p.
double NormalQuantile(double p);
// Two-sided t at 80, 90 or 95% confidence on df degrees of freedom, computed as RAT-STATS's
// appraisal code computes it (its appraisal code as HHS-OIG published it): constants for
// 1-3 df, else bisection of its own t series, rounded to 14 decimals. Print it with
// FormatVb (render.hpp) to get RAT-STATS's 12 printed decimals.
double RatStatsT(double confidence, int64_t df);
double TwoSidedZ(double confidence);
// z as RAT-STATS's stratified variable appraisal holds it for its overall limits: 12-decimal
// constants at 80, 90 and 95% (TwoSidedZ at other levels).
double RatStatsZ(double confidence);

// Hypergeometric: X = successes in n draws without replacement from N items of which
// K are successes. Valid for 0 <= K <= N, 0 <= n <= N, N <= 2^53.
double HypergeometricPmf(int64_t N, int64_t K, int64_t n, int64_t x);
double HypergeometricCdf(int64_t N, int64_t K, int64_t n, int64_t x);       // P(X <= x)
double HypergeometricUpperTail(int64_t N, int64_t K, int64_t n, int64_t x);  // P(X >= x)

// Exact limits on the number of successes K in the universe, given x successes observed
// in a sample of n from N (see SAMPLING.md):
//   lower = smallest K with P(X >= x | K) >= tail
//   upper = largest  K with P(X <= x | K) >= tail
// compared with a 1e-12 tolerance.
int64_t HypergeometricLowerLimit(int64_t N, int64_t n, int64_t x, double tail);
int64_t HypergeometricUpperLimit(int64_t N, int64_t n, int64_t x, double tail);

inline constexpr double kTailTolerance = 1e-12;
inline constexpr int64_t kMaxHypergeometricN = int64_t{1} << 53;
// Exact limits are refused above this variance of the error count (n p q (1 - n/N), p the
// sample's rate): a standard deviation of 10^5 items, far beyond any audit sample, where
// one appraisal already sums some 10^8 terms (seconds).
inline constexpr double kMaxErrorCountVariance = 1e10;

}  // namespace coderaudit::sampling
