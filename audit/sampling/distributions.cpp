#include "audit/sampling/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "audit/model/error.hpp"

namespace coderaudit::sampling {

double StudentTQuantile(double p, double df) {
  if (!(df >= 1)) throw InputError("Student t needs at least 1 degree of freedom");
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

double NormalQuantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(0.0, 1.0), p);
}

namespace {

// RAT-STATS's cumulative t: P(T <= t) with df degrees of freedom from the incomplete-beta
// series it sums (100 terms, in logs), x = t^2 / (t^2 + df); c0 is its leading constant.
double RatStatsCumulativeT(double t, int64_t df, double c0) {
  const double a = 0.5, b = static_cast<double>(df) / 2;
  const double x = t * t / (t * t + static_cast<double>(df));
  const double front = std::pow(1 - x, b) * std::pow(x, a);
  double series = c0;
  if (x == 0) {
    series = 0;
  } else {
    double log_old = std::log(c0);
    for (int j = 1; j <= 100; ++j) {
      const double log_ratio = std::log((j - 1 + a + b) / (j + a));
      const double log_term = log_ratio + log_old + j * std::log(x);
      log_old = log_ratio + log_old;
      series += std::exp(log_term);
    }
  }
  return 0.5 * (front * series + 1);
}

}  // namespace

double RatStatsT(double confidence, int64_t df) {
  if (df < 1) throw InputError("Student t needs at least 1 degree of freedom");
  // For 1-3 degrees of freedom RAT-STATS holds t as constants. They agree with the exact
  // quantiles to 12 decimals except t(2 df, 95%) = 4.30265272975, exactly 4.3026527297494...
  static constexpr double kConstants[3][3] = {
      {3.077683537175, 6.313751514675, 12.706204736175},
      {1.885618083164, 2.919985580354, 4.30265272975},
      {1.637744353696, 2.353363434802, 3.182446305284}};
  const int level = confidence == 0.80 ? 0 : confidence == 0.90 ? 1 : confidence == 0.95 ? 2 : -1;
  if (level < 0) throw InputError("RAT-STATS gives t at 80, 90 and 95% confidence only");
  if (df <= 3) return kConstants[df - 1][level];
  // Otherwise it bisects its series on [0, 4] until a step moves t by at most 1e-14, and
  // keeps t rounded to 14 decimals (Format "0.00000000000000").
  const double pi = 4 * std::atan(1.0);
  double c0;
  if (df % 2 == 0) {
    c0 = 1;
    for (int64_t i = 1; i <= df / 2 - 1; ++i) {
      const double k = static_cast<double>(2 * i + 1);
      c0 = c0 * k / (k - 1);
    }
  } else {
    c0 = 4 / pi;
    for (int64_t i = 1; i <= (df - 1) / 2 - 1; ++i) {
      const double k = static_cast<double>(2 * i + 2);
      c0 = c0 * k / (k - 1);
    }
  }
  const double target = confidence * 100 / 200 + 0.5;
  double low = 0, high = 4, t = high;
  for (int iteration = 0; iteration < 1000; ++iteration) {
    const double last = t;
    t = (low + high) / 2;
    if (RatStatsCumulativeT(t, df, c0) < target)
      low = t;
    else
      high = t;
    if (std::fabs(t - last) - 1e-14 <= 0) break;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.14f", t);
  return std::strtod(text, nullptr);
}

double TwoSidedZ(double confidence) { return NormalQuantile(1.0 - (1.0 - confidence) / 2.0); }

double RatStatsZ(double confidence) {
  // The stratified variable appraisal's constants (1.95996398454 is 1.9599639845400542...).
  if (confidence == 0.80) return 1.281551565545;
  if (confidence == 0.90) return 1.644853626951;
  if (confidence == 0.95) return 1.95996398454;
  return TwoSidedZ(confidence);
}

namespace {

// Neumaier's compensated sum: the log-pmf adds up to n terms, and plain summation would
// leave errors of n*eps relative to the largest partial sum.
class CompensatedSum {
 public:
  void Add(double v) {
    const double t = sum_ + v;
    if (std::fabs(sum_) >= std::fabs(v))
      c_ += (sum_ - t) + v;
    else
      c_ += (v - t) + sum_;
    sum_ = t;
  }
  double Value() const { return sum_ + c_; }

 private:
  double sum_ = 0;
  double c_ = 0;
};

// log(1 - num/den) for 0 <= num <= den, den > 0, accurate whether the ratio is tiny or not.
double Log1mRatio(int64_t num, int64_t den) {
  const double r = static_cast<double>(num) / static_cast<double>(den);
  if (r < 0.5) return std::log1p(-r);
  return std::log(static_cast<double>(den - num) / static_cast<double>(den));
}

struct Support {
  int64_t lo, hi;
};

Support SupportOf(int64_t N, int64_t K, int64_t n) {
  return {std::max<int64_t>(0, n - (N - K)), std::min(n, K)};
}

void Validate(int64_t N, int64_t K, int64_t n) {
  if (N < 1 || N > kMaxHypergeometricN || K < 0 || K > N || n < 0 || n > N)
    throw InputError("hypergeometric parameters out of range (N=" + std::to_string(N) +
                     ", K=" + std::to_string(K) + ", n=" + std::to_string(n) + ")");
}

// log P(X = x), x inside the support. Every factor is a ratio close to the quantity it
// stands for, taken through log1p, so nothing of size log(N!) is ever formed:
//   P = C(n,x) * prod_{i<x} (K-i)/(N-i) * prod_{i<n-x} (N-K-i)/(N-x-i)
// Loader's saddle-point terms ("Fast and accurate computation of binomial
// probabilities", 2000; as in R's dbinom/dhyper): relative error ~1e-14 in constant time.
// stirlerr(k) = log(k!) - log(sqrt(2 pi k) (k/e)^k), for whole k >= 0.
double StirlingError(double k) {
  constexpr double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680, S4 = 1.0 / 1188;
  constexpr double kLnSqrt2Pi = 0.918938533204672741780329736406;
  if (k == 0) return 0;
  if (k <= 15) return std::lgamma(k + 1) - (k + 0.5) * std::log(k) + k - kLnSqrt2Pi;
  const double kk = k * k;
  if (k > 500) return (S0 - S1 / kk) / k;
  if (k > 80) return (S0 - (S1 - S2 / kk) / kk) / k;
  if (k > 35) return (S0 - (S1 - (S2 - S3 / kk) / kk) / kk) / k;
  return (S0 - (S1 - (S2 - (S3 - S4 / kk) / kk) / kk) / kk) / k;
}

// x log(x / np) + np - x, without cancellation when x is near np.
double DevianceTerm(double x, double np) {
  if (std::fabs(x - np) < 0.1 * (x + np)) {
    double v = (x - np) / (x + np);
    double s = (x - np) * v;
    double ej = 2 * x * v;
    v *= v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v;
      const double next = s + ej / (2 * j + 1);
      if (next == s) return next;
      s = next;
    }
    return s;
  }
  return x * std::log(x / np) + np - x;
}

// log of the binomial probability of x in n trials, success p (q = 1 - p).
double LogBinomialRaw(double x, double n, double p, double q) {
  constexpr double kLn2Pi = 1.837877066409345483560659472811;
  if (x == 0) return n == 0 ? 0 : (p < 0.1 ? -DevianceTerm(n, n * q) - n * p : n * std::log(q));
  if (x == n) return q < 0.1 ? -DevianceTerm(n, n * p) - n * q : n * std::log(p);
  const double lc = StirlingError(n) - StirlingError(x) - StirlingError(n - x) - DevianceTerm(x, n * p) -
                    DevianceTerm(n - x, n * q);
  return lc - 0.5 * (kLn2Pi + std::log(x) + std::log1p(-x / n));
}

// Above this many factors the exact product below gives way to Loader's terms, so an
// evaluation costs the same for any sample size (universes up to 2^53 are accepted).
constexpr int64_t kExactFactorsMax = 200000;

double LogPmfInSupport(int64_t N, int64_t K, int64_t n, int64_t x) {
  if (N == n) return 0;  // the whole universe: its one outcome, x = K
  if (n > kExactFactorsMax / 2) {
    const double Nd = static_cast<double>(N), nd = static_cast<double>(n);
    const double p = nd / Nd, q = (Nd - nd) / Nd;
    return LogBinomialRaw(static_cast<double>(x), static_cast<double>(K), p, q) +
           LogBinomialRaw(static_cast<double>(n - x), static_cast<double>(N - K), p, q) -
           LogBinomialRaw(nd, Nd, p, q);
  }
  CompensatedSum s;
  const int64_t m = std::min(x, n - x);
  for (int64_t i = 0; i < m; ++i)
    s.Add(std::log(static_cast<double>(n - i) / static_cast<double>(i + 1)));
  for (int64_t i = 0; i < x; ++i) s.Add(Log1mRatio(N - K, N - i));
  for (int64_t i = 0; i < n - x; ++i) s.Add(Log1mRatio(K - x, N - x - i));
  return s.Value();
}

// P(X=j+1)/P(X=j).
double RatioUp(int64_t N, int64_t K, int64_t n, int64_t j) {
  return (static_cast<double>(K - j) / static_cast<double>(j + 1)) *
         (static_cast<double>(n - j) / static_cast<double>(N - K - n + j + 1));
}

// Stops once the rest of a decreasing, log-concave run is provably below this fraction
// of the sum: the remaining terms are bounded by a geometric series with the last ratio.
constexpr double kNegligible = 1e-18;

// A decreasing run stops at the first subnormal term too: a subnormal times a ratio near
// 1 rounds back to itself, so the term never reaches 0 and the relative test above
// underflows, and the sum ran term by term to the end of the support (minutes when n is
// in the millions, for ever near 2^53). What is left is below DBL_MIN / (1 - r) <
// 1e-290: nothing a tail compared at 1e-12 can see.
constexpr double kSmallestNormal = std::numeric_limits<double>::min();

// Sum of P(X=j) for j = from..hi, where `from` is above the mode (terms decrease).
double SumUpFrom(int64_t N, int64_t K, int64_t n, int64_t from, int64_t hi) {
  double term = std::exp(LogPmfInSupport(N, K, n, from));
  double sum = term;
  for (int64_t j = from; j < hi && term >= kSmallestNormal; ++j) {
    const double r = RatioUp(N, K, n, j);
    term *= r;
    sum += term;
    if (r < 1 && term * r / (1 - r) < sum * kNegligible) break;
  }
  return sum;
}

// Sum of P(X=j) for j = from down to lo, where `from` is below the mode (terms decrease).
double SumDownFrom(int64_t N, int64_t K, int64_t n, int64_t from, int64_t lo) {
  double term = std::exp(LogPmfInSupport(N, K, n, from));
  double sum = term;
  for (int64_t j = from; j > lo && term >= kSmallestNormal; --j) {
    const double r = 1.0 / RatioUp(N, K, n, j - 1);  // P(j-1)/P(j)
    term *= r;
    sum += term;
    if (r < 1 && term * r / (1 - r) < sum * kNegligible) break;
  }
  return sum;
}

// The mode, floor((n+1)(K+1)/(N+2)); off by one does no harm (it only picks a side).
int64_t Mode(int64_t N, int64_t K, int64_t n) {
  const double m = std::floor((static_cast<double>(n) + 1) * (static_cast<double>(K) + 1) /
                              (static_cast<double>(N) + 2));
  return static_cast<int64_t>(m);
}

}  // namespace

double HypergeometricPmf(int64_t N, int64_t K, int64_t n, int64_t x) {
  Validate(N, K, n);
  const Support s = SupportOf(N, K, n);
  if (x < s.lo || x > s.hi) return 0;
  return std::exp(LogPmfInSupport(N, K, n, x));
}

double HypergeometricCdf(int64_t N, int64_t K, int64_t n, int64_t x) {
  Validate(N, K, n);
  const Support s = SupportOf(N, K, n);
  if (x < s.lo) return 0;
  if (x >= s.hi) return 1;
  // Always sum the tail that lies beyond the mode, so the first term is the largest and
  // the complement (if taken) loses at most an ulp of 1.
  if (x < Mode(N, K, n)) return std::min(1.0, SumDownFrom(N, K, n, x, s.lo));
  return std::max(0.0, 1.0 - SumUpFrom(N, K, n, x + 1, s.hi));
}

double HypergeometricUpperTail(int64_t N, int64_t K, int64_t n, int64_t x) {
  Validate(N, K, n);
  const Support s = SupportOf(N, K, n);
  if (x <= s.lo) return 1;
  if (x > s.hi) return 0;
  if (x > Mode(N, K, n)) return std::min(1.0, SumUpFrom(N, K, n, x, s.hi));
  return std::max(0.0, 1.0 - SumDownFrom(N, K, n, x - 1, s.lo));
}

namespace {
void ValidateLimits(int64_t N, int64_t n, int64_t x, double tail) {
  if (N < 1 || N > kMaxHypergeometricN) throw InputError("universe size must be 1 to 2^53");
  if (n < 1 || n > N) throw InputError("sample size must be 1 to the universe size");
  if (x < 0 || x > n) throw InputError("errors found must be 0 to the sample size");
  if (!(tail > 0 && tail < 1)) throw InputError("tail probability must be in (0, 1)");
  // The tails are summed term by term over about 20 standard deviations of the error
  // count; past kMaxErrorCountVariance that is millions of terms per evaluation and an
  // appraisal would take minutes (a sample of 2^52 with half in error: hours).
  const double nd = static_cast<double>(n), p = static_cast<double>(x) / nd;
  if (nd * p * (1 - p) * (1 - nd / static_cast<double>(N)) > kMaxErrorCountVariance)
    throw InputError("a sample of " + std::to_string(n) + " with " + std::to_string(x) +
                     " errors is too large for exact limits (the variance of the error count, n p q (1 - n/N), "
                     "is above 10^10)");
}
}  // namespace

int64_t HypergeometricLowerLimit(int64_t N, int64_t n, int64_t x, double tail) {
  ValidateLimits(N, n, x, tail);
  if (x == 0) return 0;
  // P(X >= x | K) rises with K and is 1 at K = N - (n - x).
  int64_t lo = x, hi = N - (n - x);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (HypergeometricUpperTail(N, mid, n, x) >= tail - kTailTolerance)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

int64_t HypergeometricUpperLimit(int64_t N, int64_t n, int64_t x, double tail) {
  ValidateLimits(N, n, x, tail);
  if (x == n) return N;
  // P(X <= x | K) falls with K and is 1 at K = x.
  int64_t lo = x, hi = N - (n - x);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (HypergeometricCdf(N, mid, n, x) >= tail - kTailTolerance)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

}  // namespace coderaudit::sampling
