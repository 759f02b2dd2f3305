#include <catch2/catch.hpp>

#include "audit/model/error.hpp"
#include "audit/sampling/attribute_appraisal.hpp"
#include "audit/sampling/distributions.hpp"
#include "audit/sampling/render.hpp"

namespace sm = coderaudit::sampling;

// Expected limits below were computed independently in Python with exact rational
// arithmetic (math.comb big integers, no floating point) using SAMPLING.md's definitions.
// Each row: {two-sided lower, two-sided upper, one-sided lower, one-sided upper}
// at 80, 90, 95%.

namespace {
using Row = std::array<int64_t, 4>;
void CheckLimits(const sm::UnrestrictedAttributeAppraisal& a, const std::array<Row, 3>& expected) {
  for (size_t i = 0; i < 3; ++i) {
    INFO("confidence level " << i);
    CHECK(a.limits[i].lower == expected[i][0]);
    CHECK(a.limits[i].upper == expected[i][1]);
    CHECK(a.limits[i].one_sided_lower == expected[i][2]);
    CHECK(a.limits[i].one_sided_upper == expected[i][3]);
  }
}
}  // namespace

TEST_CASE("Attribute appraisal of 5 errors in 100 from 10,000 gives the exact limits", "[sampling]") {
  const auto a = sm::AppraiseAttribute(10000, 100, 5);
  CHECK(a.rate == 0.05);
  CHECK(a.projected_errors == Approx(500));
  CheckLimits(a, {{{246, 905, 311, 777}, {201, 1019, 246, 905}, {166, 1125, 201, 1019}}});
}

TEST_CASE("Attribute appraisal stays exact for a universe above two billion", "[sampling]") {
  const auto a = sm::AppraiseAttribute(3000000000, 100, 5);
  CHECK(a.projected_errors == Approx(150000000));
  CheckLimits(a, {{{73561082, 272314406, 93116923, 233733223},
                   {59716693, 306760130, 73561082, 272314406},
                   {49295639, 338504730, 59716693, 306760130}}});
}

TEST_CASE("Attribute appraisal is exact at N = 2^31 - 1", "[sampling]") {
  CheckLimits(sm::AppraiseAttribute(2147483647, 200, 10),
              {{{67273647, 163186824, 78608493, 145230045},
                {58785764, 178960870, 67273647, 163186824},
                {52042477, 193332661, 58785764, 178960870}}});
}

TEST_CASE("Attribute appraisal with no errors has lower limit 0", "[sampling]") {
  CheckLimits(sm::AppraiseAttribute(2147483647, 50, 0),
              {{{0, 96652684, 0, 68024151}, {0, 124887079, 0, 96652684}, {0, 152732764, 0, 124887079}}});
}

TEST_CASE("Attribute appraisal with every item in error has upper limit N", "[sampling]") {
  CheckLimits(sm::AppraiseAttribute(5000, 60, 60),
              {{{4813, 5000, 4869, 5000}, {4758, 5000, 4813, 5000}, {4704, 5000, 4758, 5000}}});
}

TEST_CASE("Attribute appraisal of a small universe gives the exact limits", "[sampling]") {
  CheckLimits(sm::AppraiseAttribute(1000, 30, 3),
              {{{38, 207, 52, 175}, {29, 236, 38, 207}, {22, 262, 29, 236}}});
}

TEST_CASE("Attribute limits satisfy their defining tail conditions at the boundary", "[sampling]") {
  const int64_t N = 3000000000, n = 100, x = 5;
  const double tail = 0.05;
  const int64_t lo = sm::HypergeometricLowerLimit(N, n, x, tail);
  CHECK(sm::HypergeometricUpperTail(N, lo, n, x) >= tail - 1e-12);
  CHECK(sm::HypergeometricUpperTail(N, lo - 1, n, x) < tail - 1e-12);
  const int64_t hi = sm::HypergeometricUpperLimit(N, n, x, tail);
  CHECK(sm::HypergeometricCdf(N, hi, n, x) >= tail - 1e-12);
  CHECK(sm::HypergeometricCdf(N, hi + 1, n, x) < tail - 1e-12);
}

TEST_CASE("Attribute appraisal refuses impossible counts", "[sampling]") {
  using coderaudit::InputError;
  CHECK_THROWS_AS(sm::AppraiseAttribute(100, 0, 0), InputError);
  CHECK_THROWS_AS(sm::AppraiseAttribute(100, 101, 0), InputError);
  CHECK_THROWS_AS(sm::AppraiseAttribute(100, 10, 11), InputError);
  CHECK_THROWS_AS(sm::AppraiseAttribute(100, 10, -1), InputError);
}

TEST_CASE("Stratified attribute appraisal combines strata by normal approximation", "[sampling]") {
  // Hand-worked: stratum A N=1000 n=50 x=5 (p=.1), stratum B N=4000 n=100 x=2 (p=.02).
  // projected = 1000*.1 + 4000*.02 = 100 + 80 = 180
  // var = 1000^2 (1-50/1000) .1*.9/49 + 4000^2 (1-100/4000) .02*.98/99
  //     = 1e6*.95*.09/49 + 1.6e7*.975*.0196/99 = 1744.897959... + 3088.484848... = 4833.382808...
  const auto a = sm::AppraiseStratifiedAttribute({{"A", 1000, 50, 5}, {"B", 4000, 100, 2}});
  CHECK(a.projected_errors == Approx(180).epsilon(1e-14));
  const double var = 1e6 * 0.95 * 0.09 / 49 + 1.6e7 * 0.975 * 0.0196 / 99;
  CHECK(a.se_total == Approx(std::sqrt(var)).epsilon(1e-13));
  CHECK(a.limits[1].z == Approx(1.644853626951).epsilon(1e-12));
  CHECK(a.limits[1].lower == Approx(180 - 1.6448536269514722 * std::sqrt(var)).epsilon(1e-13));
  CHECK(a.limits[1].upper == Approx(180 + 1.6448536269514722 * std::sqrt(var)).epsilon(1e-13));
  CHECK(a.universe == 5000);
  CHECK(a.rate == Approx(0.036));
  REQUIRE(a.strata.size() == 2);
  CHECK(a.strata[0].errors == 5);
}

// Issue 16 item 2: each stratum's precision beside the combined one, by the same normal
// approximation: z * SE_h(total). Python (statistics.NormalDist, math.sqrt), strata as above:
//   A: 53.532940935562245, 68.70878583946764, 81.87156805947531 (80/90/95%)
//   B: 71.22112395019735, 91.41132295777716, 108.92330955214442
// A stratum of one item has no standard error and so no precision.
TEST_CASE("Stratified attribute appraisal gives each stratum's precision at z", "[sampling]") {
  const auto a = sm::AppraiseStratifiedAttribute({{"A", 1000, 50, 5}, {"B", 4000, 100, 2}});
  REQUIRE(a.stratum_precision.size() == 2);
  CHECK(a.stratum_precision[0][0] == Approx(53.532940935562245).epsilon(1e-13));
  CHECK(a.stratum_precision[0][1] == Approx(68.70878583946764).epsilon(1e-13));
  CHECK(a.stratum_precision[0][2] == Approx(81.87156805947531).epsilon(1e-13));
  CHECK(a.stratum_precision[1][0] == Approx(71.22112395019735).epsilon(1e-13));
  CHECK(a.stratum_precision[1][1] == Approx(91.41132295777716).epsilon(1e-13));
  CHECK(a.stratum_precision[1][2] == Approx(108.92330955214442).epsilon(1e-13));
  const auto one = sm::AppraiseStratifiedAttribute({{"A", 1000, 50, 5}, {"B", 40, 1, 0}});
  CHECK(one.stratum_precision[1][2] == 0);
}

// Issue 16 item 2: standard errors. No RAT-STATS printed figure was available to us, so
// the expectations are the without-replacement formula (Cochran, Sampling Techniques,
// eq. 3.5: v(p) = (N - n)/N * p q / (n - 1)) evaluated exactly in Python
// (fractions.Fraction for the variance, decimal at 40 digits for the square root):
//   N=10000 n=100 x=5: v = 475/10^6, SE(rate) = 0.021794494717703367..., SE(total) = 217.944947177033...
//   N=1000 n=30 x=3:   SE(rate) = 0.054866609404866698..., SE(total) = 54.866609404866698...
TEST_CASE("Unrestricted attribute appraisal gives the standard errors of the rate and the total",
          "[sampling]") {
  const auto a = sm::AppraiseAttribute(10000, 100, 5);
  REQUIRE(a.se_defined);
  CHECK(a.se_rate == Approx(0.021794494717703367).epsilon(1e-14));
  CHECK(a.se_total == Approx(217.94494717703367).epsilon(1e-14));
  const auto b = sm::AppraiseAttribute(1000, 30, 3);
  CHECK(b.se_rate == Approx(0.054866609404866698).epsilon(1e-14));
  CHECK(b.se_total == Approx(54.866609404866698).epsilon(1e-14));
  // No errors: p q = 0, so the standard error is 0; one item: no n - 1 degrees of freedom.
  CHECK(sm::AppraiseAttribute(500, 40, 0).se_total == 0);
  CHECK_FALSE(sm::AppraiseAttribute(500, 1, 0).se_defined);
}

// Issue 16 item 2: stratified limits are not clamped. Strata (N, n, x) = (100, 10, 1) and
// (200, 20, 1): projected = 10 + 10 = 20; var = 100^2 (.9) .1 .9/9 + 200^2 (.9) .05 .95/19
// = 90 + 90 = 180, SE(total) = sqrt(180) = 13.416407864998738..., SE(rate) = SE/300.
// Exact (Python decimal, z = qnorm(.95) = 1.6448536269514722, qnorm(.975) = 1.959963984540054):
//   90%: 20 -/+ 22.06802713740343 -> -2.06802713740343, 42.06802713740343
//   95%: 20 -/+ 26.29567621729745 -> -6.29567621729745, 46.29567621729745
TEST_CASE("Stratified attribute limits are printed as computed, never clamped to 0", "[sampling]") {
  const auto a = sm::AppraiseStratifiedAttribute({{"1", 100, 10, 1}, {"2", 200, 20, 1}});
  CHECK(a.projected_errors == Approx(20).epsilon(1e-15));
  CHECK(a.se_total == Approx(13.416407864998738).epsilon(1e-14));
  CHECK(a.se_rate == Approx(13.416407864998738 / 300).epsilon(1e-14));
  CHECK(a.limits[1].lower == Approx(-2.06802713740343).epsilon(1e-12));
  CHECK(a.limits[1].upper == Approx(42.06802713740343).epsilon(1e-13));
  CHECK(a.limits[2].lower == Approx(-6.29567621729745).epsilon(1e-12));
  CHECK(a.limits[1].precision == Approx(22.06802713740343).epsilon(1e-13));
  CHECK(a.limits[1].precision_percent == Approx(22.06802713740343 / 3).epsilon(1e-13));
  REQUIRE(a.warnings.size() == 1);
  CHECK(a.warnings[0].find("outside 0 to the universe size") != std::string::npos);
}

// Issue 16 item 5: x / n x N = 7 / 10 x 45 is exactly 31.5. Exact rational arithmetic
// rounded to 53 and 64 significand bits (Python, ties to even) gives double 31.5 - 2^-48
// (prints 31) and x87 exactly 31.5 (prints 32, RAT-STATS' figure by its 80-bit arithmetic).
TEST_CASE("Printed projected errors round the 80-bit projection", "[sampling]") {
  const auto a = sm::AppraiseAttribute(45, 10, 7);
  CHECK(a.projected_errors == 31.499999999999996);
  CHECK(a.projected_printed == 32);
}

TEST_CASE("Columns wider than their place stay apart in the printed appraisal", "[sampling]") {
  // A universe of 2^53 makes projected items wider than the 14-character columns.
  const std::string text = sm::RenderText(sm::AppraiseAttribute(int64_t{1} << 53, 100, 5));
  const size_t at = text.find("Two-sided lower (items)");
  REQUIRE(at != std::string::npos);
  const std::string line = text.substr(at, text.find('\n', at) - at);
  INFO(line);
  // Three figures, each of 19+ characters, separated by spaces.
  CHECK(line.find("912 179,293,378,182,086 148,005,209,920,992") != std::string::npos);
}
