#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <vector>

#include "audit/sampling/distributions.hpp"
#include "audit/sampling/render.hpp"
#include "audit/sampling/variable_appraisal.hpp"

namespace sm = coderaudit::sampling;

namespace {

// Exact Student t CDF for integer df by the finite series of Abramowitz & Stegun 26.7.3
// (odd df) and 26.7.4 (even df), in long double. This shares nothing with Boost's route
// (inverse incomplete beta), so agreement is an independent check of the quantiles.
long double ExactTCdf(long double t, int df) {
  const long double nu = df;
  const long double theta = std::atan(t / std::sqrt(nu));
  const long double c2 = nu / (nu + t * t);  // cos^2(theta)
  const long double s = std::sin(theta);
  long double a = 0;
  if (df % 2 == 0) {
    long double term = 1, sum = 1;
    for (int k = 1; k <= df / 2 - 1; ++k) {
      term *= c2 * (2.0L * k - 1) / (2.0L * k);
      sum += term;
    }
    a = s * sum;
  } else {
    long double sum = 0;
    if (df > 1) {
      long double term = 1;
      sum = 1;
      for (int k = 1; k <= (df - 3) / 2; ++k) {
        term *= c2 * (2.0L * k) / (2.0L * k + 1);
        sum += term;
      }
    }
    const long double cos_theta = std::sqrt(c2);
    a = 2.0L / 3.14159265358979323846264338327950288L * (theta + s * cos_theta * sum);
  }
  return (1 + a) / 2;
}

long double TPdf(long double t, int df) {
  const long double nu = df;
  const long double log_c = std::lgamma((nu + 1) / 2) - std::lgamma(nu / 2) -
                            0.5L * std::log(nu * 3.14159265358979323846264338327950288L);
  return std::exp(log_c - (nu + 1) / 2 * std::log1p(t * t / nu));
}

// Distance of q from the exact quantile: one Newton step on the exact CDF.
long double QuantileError(double q, double p, int df) {
  return (ExactTCdf(q, df) - static_cast<long double>(p)) / TPdf(q, df);
}

}  // namespace

TEST_CASE("Student t quantiles agree with the exact integer-df series to 1e-12 for df 1 to 10,000", "[sampling]") {
  const double probabilities[] = {0.90, 0.95, 0.975};
  long double worst = 0;
  int worst_df = 0;
  for (int df = 1; df <= 10000; ++df) {
    for (double p : probabilities) {
      const double q = sm::StudentTQuantile(p, df);
      const long double err = std::fabs(QuantileError(q, p, df));
      if (err > worst) {
        worst = err;
        worst_df = df;
      }
    }
  }
  INFO("worst df " << worst_df << " error " << static_cast<double>(worst));
  CHECK(worst < 1e-12L);
}

TEST_CASE("Student t quantiles match the closed forms for 1, 2 and 4 degrees of freedom", "[sampling]") {
  const double pi = 3.14159265358979323846;
  for (double p : {0.90, 0.95, 0.975, 0.995}) {
    CHECK(sm::StudentTQuantile(p, 1) == Approx(std::tan(pi * (p - 0.5))).epsilon(1e-13));
    CHECK(sm::StudentTQuantile(p, 2) == Approx((2 * p - 1) / std::sqrt(2 * p * (1 - p))).epsilon(1e-13));
    const double alpha = 4 * p * (1 - p);
    const double q = std::cos(std::acos(std::sqrt(alpha)) / 3) / std::sqrt(alpha);
    CHECK(sm::StudentTQuantile(p, 4) == Approx(2 * std::sqrt(q - 1)).epsilon(1e-12));
  }
}

TEST_CASE("The t values printed in the Companion Manual example (49 df) match to 12 decimals", "[sampling]") {
  CHECK(sm::FormatVb(sm::RatStatsT(0.80, 49), 12) == "1.299068784748");
  CHECK(sm::FormatVb(sm::RatStatsT(0.90, 49), 12) == "1.676550892617");
  CHECK(sm::FormatVb(sm::RatStatsT(0.95, 49), 12) == "2.009575237129");
}

// RAT-STATS's t: constants for 1-3 df, else its own series bisected to 1e-14 and kept to
// 14 decimals, printed by VB's Format$ (15 significant digits, then half away from zero).
// Expected figures: the t-value table HHS-OIG gave entrants of its 2017 RAT-STATS
// replacement challenge (df 4 and up) and its appraisal code's constants (1-3 df). At 29
// df, 90% the exact quantile is 1.6991270265334977: rounded to 12 decimals ...533, but
// RAT-STATS keeps 1.69912702653350 and prints 1.699127026534.
TEST_CASE("t values are RAT-STATS's, to the printed digit", "[sampling]") {
  struct Row {
    int64_t df;
    const char* t80;
    const char* t90;
    const char* t95;
  };
  const Row rows[] = {
      {1, "3.077683537175", "6.313751514675", "12.706204736175"},
      {2, "1.885618083164", "2.919985580354", "4.302652729750"},
      {3, "1.637744353696", "2.353363434802", "3.182446305284"},
      {4, "1.533206274059", "2.131846786327", "2.776445105198"},
      {5, "1.475884048824", "2.015048373333", "2.570581835636"},
      {7, "1.414923927651", "1.894578605090", "2.364624251593"},
      {10, "1.372183641110", "1.812461122812", "2.228138851986"},
      {29, "1.311433647302", "1.699127026534", "2.045229642133"},
      {30, "1.310415025391", "1.697260886594", "2.042272456301"},
      {100, "1.290074761347", "1.660234326085", "1.983971518524"},
      {199, "1.285820209259", "1.652546746167", "1.971956544252"},
      {251, "1.284933491196", "1.650947025187", "1.969460227225"},
  };
  for (const Row& r : rows) {
    INFO("df " << r.df);
    CHECK(sm::FormatVb(sm::RatStatsT(0.80, r.df), 12) == r.t80);
    CHECK(sm::FormatVb(sm::RatStatsT(0.90, r.df), 12) == r.t90);
    CHECK(sm::FormatVb(sm::RatStatsT(0.95, r.df), 12) == r.t95);
  }
  // Kept to 14 decimals; within 1e-13 of the exact quantile for small df. Its series
  // drifts with df (about 1e-12 at 10,000 df, 1e-11 at 100,000), as RAT-STATS's own does:
  // OIG's table then differs from the exact quantile in the 12th decimal too.
  CHECK(sm::RatStatsT(0.90, 29) == 1.6991270265335);
  for (int64_t df : {4, 50})
    CHECK(std::fabs(sm::RatStatsT(0.95, df) - sm::StudentTQuantile(0.975, static_cast<double>(df))) < 1e-13);
  for (int64_t df : {1000, 10000, 100000})
    CHECK(std::fabs(sm::RatStatsT(0.95, df) - sm::StudentTQuantile(0.975, static_cast<double>(df))) < 2e-11);
  CHECK_THROWS(sm::RatStatsT(0.99, 10));
  CHECK_THROWS(sm::RatStatsT(0.90, 0));
}

TEST_CASE("The stratified overall limits use RAT-STATS's z constants", "[sampling]") {
  CHECK(sm::RatStatsZ(0.80) == 1.281551565545);
  CHECK(sm::RatStatsZ(0.90) == 1.644853626951);
  CHECK(sm::RatStatsZ(0.95) == 1.95996398454);
  CHECK(sm::FormatVb(sm::RatStatsZ(0.95), 12) == "1.959963984540");
}

TEST_CASE("FormatVb rounds the 15-digit form half away from zero", "[sampling]") {
  CHECK(sm::FormatVb(1.6991270265335, 12) == "1.699127026534");
  CHECK(sm::FormatVb(2.5, 0) == "3");
  CHECK(sm::FormatVb(-2.5, 0) == "-3");
  CHECK(sm::FormatVb(0.000123456, 4) == "0.0001");
  CHECK(sm::FormatVb(9.9999999, 3) == "10.000");
  CHECK(sm::FormatVb(-0.0001, 2) == "0.00");
  CHECK(sm::FormatVb(1234567.891, 2) == "1234567.89");
  // Every RAT-STATS figure with decimals prints this way: 10.70 / 4 is held as
  // 2.67499999999999982..., which printf rounds to 2.67 and RAT-STATS prints as 2.68.
  CHECK(sm::FormatFixed(10.7 / 4, 2, true) == "2.68");
  CHECK(sm::FormatFixed(-1234.565, 2, true) == "-1,234.57");
  sm::VariableSample sample;
  sample.difference = std::vector<double>{2.5, 2.6, 2.7, 2.9};
  CHECK(sm::RenderText(sm::AppraiseUnrestricted(sample, 100)).find("Mean                                      2.68\n") !=
        std::string::npos);
}

TEST_CASE("The normal quantiles match RAT-STATS' z values to 12 decimals", "[sampling]") {
  CHECK(std::fabs(sm::TwoSidedZ(0.80) - 1.281551565545) < 5e-13);
  CHECK(std::fabs(sm::TwoSidedZ(0.90) - 1.644853626951) < 5e-13);
  CHECK(std::fabs(sm::TwoSidedZ(0.95) - 1.959963984540) < 5e-13);
}

TEST_CASE("Hypergeometric pmf sums to one and matches direct binomials for a small universe", "[sampling]") {
  // Direct binomials in long double are exact enough for N = 60.
  auto choose = [](int n, int k) {
    long double r = 1;
    for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
    return r;
  };
  const int N = 60, n = 20;
  for (int K : {0, 1, 7, 30, 59, 60}) {
    double total = 0;
    for (int x = 0; x <= n; ++x) {
      const double p = sm::HypergeometricPmf(N, K, n, x);
      const long double direct =
          (x <= K && n - x <= N - K) ? choose(K, x) * choose(N - K, n - x) / choose(N, n) : 0.0L;
      CHECK(p == Approx(static_cast<double>(direct)).epsilon(1e-13).margin(1e-300));
      total += p;
      // CDF and upper tail are complementary.
      CHECK(sm::HypergeometricCdf(N, K, n, x) + sm::HypergeometricUpperTail(N, K, n, x + 1) ==
            Approx(1.0).epsilon(1e-14));
    }
    CHECK(total == Approx(1.0).epsilon(1e-14));
  }
}

TEST_CASE("Hypergeometric tails stay accurate for a universe of 2^31 - 1", "[sampling]") {
  // For N this large and n = 50 the hypergeometric is within ~1e-6 (relative) of the
  // binomial with p = K/N; the lgamma-difference method misses by far more.
  const int64_t N = 2147483647;
  const int64_t K = 214748365;  // p ~ 0.1
  const int n = 50;
  const double p = static_cast<double>(K) / static_cast<double>(N);
  double binom = 0, term = std::pow(1 - p, n);
  for (int x = 0; x <= 5; ++x) {
    if (x > 0) term *= (n - x + 1) / static_cast<double>(x) * p / (1 - p);
    binom += term;
  }
  CHECK(sm::HypergeometricCdf(N, K, n, 5) == Approx(binom).epsilon(2e-6));
}

// Issue 12: universe sizes up to 2^53 are accepted, so the time of an appraisal must not
// grow with the sample size.
TEST_CASE("Hypergeometric limits for a universe of 100 million finish in moments", "[sampling][issue12]") {
  using namespace coderaudit::sampling;
  const auto start = std::chrono::steady_clock::now();
  const int64_t lower = HypergeometricLowerLimit(100000000, 50000000, 1000000, 0.025);
  const int64_t upper = HypergeometricUpperLimit(100000000, 50000000, 1000000, 0.025);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 2.0);
  // Normal approximation: 2,000,000 +- 1.96 * sd, sd of K-hat = N/n * sqrt(n p q (N-n)/(N-1)).
  const double sd = 2.0 * std::sqrt(50000000.0 * 0.02 * 0.98 * 0.5);
  CHECK(std::abs(static_cast<double>(lower) - (2000000 - 1.96 * sd)) < 0.01 * sd + 4);
  CHECK(std::abs(static_cast<double>(upper) - (2000000 + 1.96 * sd)) < 0.01 * sd + 4);
}

// A tail whose first term is subnormal: 4.9e-318 times a ratio near 1 rounds back to
// itself, so the sum used to run term by term to the end of the support (4e10 terms here:
// it did not finish in 30 s; these tests run under a CTest timeout of 120 s). K = N/2, n =
// 4e10: mode 2e10, SD 1e5; x is 37.9 SD above it.
TEST_CASE("A hypergeometric tail that starts below the smallest normal double ends there", "[sampling]") {
  using namespace coderaudit::sampling;
  const int64_t N = int64_t{1} << 53, K = N / 2, n = 40000000000, x = 20003790000;
  CHECK(HypergeometricCdf(N, K, n, x) == 1.0);
  const double upper = HypergeometricUpperTail(N, K, n, x + 1);
  CHECK(upper > 0);
  CHECK(upper < 1e-300);
  CHECK(upper == HypergeometricPmf(N, K, n, x + 1));  // the run stops at its first term
}

// The same stall, met inside a limit search: N 10^8, n 4e7, x 2e7, 90% two-sided. Expected
// from an independent 60-digit computation (Python mpmath: log pmf by loggamma, neighbours
// by the pmf ratio, each tail summed until its terms fall below 1e-40 of the sum, the same
// bisection on K): 49,989,927 and 50,010,073.
TEST_CASE("Hypergeometric limits for a sample of 40 million match a 60-digit computation", "[sampling]") {
  using namespace coderaudit::sampling;
  CHECK(HypergeometricLowerLimit(100000000, 40000000, 20000000, 0.05) == 49989927);
  CHECK(HypergeometricUpperLimit(100000000, 40000000, 20000000, 0.05) == 50010073);
}

// Past a standard deviation of 10^5 errors the exact sums take minutes to hours (a sample
// of 2^52 with half in error); they are refused instead.
TEST_CASE("Exact limits are refused where the error count's variance passes 10^10", "[sampling]") {
  using namespace coderaudit::sampling;
  const int64_t N = int64_t{1} << 53;
  CHECK_THROWS_WITH(HypergeometricLowerLimit(N, N / 2, N / 4, 0.05),
                    Catch::Contains("too large for exact limits"));
  // n p q (1 - n/N) = 4e10 x 1/4 x (1 - 4e10/2^53): just below 10^10, computed.
  CHECK(HypergeometricLowerLimit(N, 40000000000, 20000000000, 0.05) < N / 2);
}

TEST_CASE("The large-sample hypergeometric terms agree with the exact product", "[sampling][issue12]") {
  using namespace coderaudit::sampling;
  // Just below and above the size where the computation switches.
  for (int64_t n : {150000, 250000}) {
    const int64_t N = 4 * n, K = N / 10, x = n / 10 + 17;
    const double pmf = HypergeometricPmf(N, K, n, x);
    // log P(x+1) - log P(x) is known exactly: log RatioUp.
    const double next = HypergeometricPmf(N, K, n, x + 1);
    const double ratio = (static_cast<double>(K - x) / static_cast<double>(x + 1)) *
                         (static_cast<double>(n - x) / static_cast<double>(N - K - n + x + 1));
    CAPTURE(n, pmf, next);
    CHECK(next / pmf == Approx(ratio).epsilon(1e-9));
    CHECK(pmf > 0);
    // The terms around the mean (+-12 standard deviations) add up to 1.
    const double mean = static_cast<double>(n) * 0.1, sd = std::sqrt(mean * 0.9 * 0.75);
    double sum = 0;
    for (auto j = static_cast<int64_t>(mean - 12 * sd); j <= static_cast<int64_t>(mean + 12 * sd); ++j)
      sum += HypergeometricPmf(N, K, n, j);
    CHECK(sum == Approx(1.0).epsilon(1e-9));
  }
}
