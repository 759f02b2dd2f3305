#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "audit/model/error.hpp"
#include "audit/sampling/multistage_appraisal.hpp"
#include "audit/sampling/render.hpp"
#include "audit/sampling/table_input.hpp"

namespace sm = coderaudit::sampling;

// RHC (Rao-Hartley-Cochran) first stage, issue 16. No RAT-STATS printout of an RHC
// appraisal was available to us: the formula is RHC 1962's (multistage_appraisal.hpp), its
// unbiasedness is checked below by enumerating every outcome of a small design, and the
// fixed figures were computed in Python with exact fractions and 40-digit square roots.

namespace {
sm::MultistageItems ReadItems(const std::string& csv) {
  std::istringstream in(csv);
  return sm::ReadMultistageItems(in, "items.csv");
}

std::vector<sm::RhcGroup> ReadGroups(const std::string& csv) {
  std::istringstream in(csv);
  return sm::ReadRhcGroups(in, "groups.csv");
}

const char* kGroups =
    "group,primaries,measure,primary,primary_measure\n"
    "1,3,60,P2,25\n"
    "2,2,30,P5,10\n"
    "3,2,40,P7,30\n";
const char* kItems =
    "primary,primary_size,difference\n"
    "P2,25,10\nP2,25,20\nP2,25,45\n"
    "P5,10,5\nP5,10,0\n"
    "P7,30,12\nP7,30,8\nP7,30,31\n";
}  // namespace

// M = 7 primaries in groups of 3, 2, 2 (A = (17 - 7) / (49 - 17) = 5/16), Z = 130.
// Primary totals 625, 25, 510; point 60/25 x 625 + 30/10 x 25 + 40/30 x 510 = 2,255;
// variance 4,883,755/8, SE 781.3253963618487; t on 2 df as RAT-STATS holds it.
TEST_CASE("RHC two-stage variable appraisal matches the exact RHC estimator", "[sampling]") {
  const auto a = sm::AppraiseRhc(ReadItems(kItems), ReadGroups(kGroups), "items.csv", "groups.csv");
  CHECK(a.rhc);
  CHECK(a.stages == 2);
  CHECK(a.universe == 7);
  CHECK(a.measure == 130);
  CHECK(a.primaries == 3);
  CHECK(a.items == 8);
  REQUIRE(a.sets.size() == 1);
  const auto& s = a.sets[0];
  CHECK(s.point_estimate == Approx(2255).epsilon(1e-15));
  CHECK(s.se_total == Approx(781.3253963618487).epsilon(1e-14));
  CHECK(s.limits[0].critical == 1.885618083164);
  CHECK(s.limits[0].lower == Approx(781.71870378481828).epsilon(1e-13));
  CHECK(s.limits[0].upper == Approx(3728.2812962151817).epsilon(1e-14));
  CHECK(s.limits[1].lower == Approx(-26.458890940971905).epsilon(1e-11));  // not clamped
  CHECK(s.limits[2].upper == Approx(5616.7718494793091).epsilon(1e-14));
  CHECK(a.demand_amount == Approx(781.71870378481828).epsilon(1e-13));
  const std::string text = sm::RenderText(a);
  CHECK(text.find("TWO-STAGE RHC VARIABLE APPRAISAL") == 0);
  CHECK(text.find("Measure of size in universe") != std::string::npos);
  CHECK(text.find("Amount demanded (lower limit, one-sided 90% = two-sided 80%, difference): 782") !=
        std::string::npos);
  CHECK(sm::RenderJson(a).find("\"appraisal\": \"variable_two_stage_rhc\"") != std::string::npos);
}

// Groups 2 and 3 primaries (A = 2/3), Z = 120; primary totals from the secondaries below;
// point 1,160/3, variance 2,548,720/189.
TEST_CASE("RHC three-stage variable appraisal matches the exact RHC estimator", "[sampling]") {
  const auto items = ReadItems(
      "primary,primary_size,secondary,secondary_size,difference\n"
      "A,4,s1,6,3\nA,4,s1,6,1\nA,4,s2,5,2\nA,4,s2,5,2\nA,4,s2,5,4\n"
      "B,5,t1,4,0\nB,5,t1,4,6\nB,5,t2,8,1\nB,5,t2,8,9\n");
  const auto groups = ReadGroups(
      "group,primaries,measure,primary,primary_measure\n"
      "g1,2,50,A,20\n"
      "g2,3,70,B,35\n");
  const auto a = sm::AppraiseRhc(items, groups, "items.csv", "groups.csv");
  CHECK(a.stages == 3);
  CHECK(a.universe == 5);
  CHECK(a.secondaries == 4);
  REQUIRE(a.sets.size() == 1);
  CHECK(a.sets[0].point_estimate == Approx(1160.0 / 3).epsilon(1e-15));
  CHECK(a.sets[0].se_total == Approx(116.12618570025886).epsilon(1e-14));
  CHECK(sm::RenderText(a).find("THREE-STAGE RHC VARIABLE APPRAISAL") == 0);
}

// Groups of one primary each (M = n): every primary is drawn, A = 0, and the estimate is
// the sum of the primaries' totals, 625 + 25 + 510 = 1,160, with the sum of their
// variances, 178,750/3 + 500 + 40,770 = 302,560/3.
TEST_CASE("RHC with one primary per group is a census of primaries", "[sampling]") {
  const auto a = sm::AppraiseRhc(ReadItems(kItems),
                                 ReadGroups("group,primaries,measure,primary,primary_measure\n"
                                            "1,1,25,P2,25\n2,1,10,P5,10\n3,1,30,P7,30\n"),
                                 "items.csv", "groups.csv");
  CHECK(a.universe == 3);
  CHECK(a.sets[0].point_estimate == Approx(1160).epsilon(1e-15));
  CHECK(a.sets[0].se_total * a.sets[0].se_total == Approx(302560.0 / 3).epsilon(1e-13));
}

// With equal measures and equal groups (M = 9 in 3 groups of 3, every measure 5) each
// primary is drawn with probability n/M, Z_g/z_g = M/n and A = (M - n)/(M (n - 1)): the
// RHC estimator and its variance reduce to those of simple random sampling of primaries.
TEST_CASE("RHC with equal measures and equal groups is simple random sampling of primaries", "[sampling]") {
  const auto items = ReadItems(kItems);
  const auto rhc = sm::AppraiseRhc(items,
                                   ReadGroups("group,primaries,measure,primary,primary_measure\n"
                                              "1,3,15,P2,5\n2,3,15,P5,5\n3,3,15,P7,5\n"),
                                   "items.csv", "groups.csv");
  const auto srs = sm::AppraiseMultistage(items, 9, "items.csv");
  CHECK(rhc.universe == 9);
  CHECK(rhc.sets[0].point_estimate == Approx(srs.sets[0].point_estimate).epsilon(1e-14));
  CHECK(rhc.sets[0].se_total == Approx(srs.sets[0].se_total).epsilon(1e-13));
  CHECK(rhc.sets[0].limits[0].lower == Approx(srs.sets[0].limits[0].lower).epsilon(1e-13));
  CHECK(rhc.sets[0].point_estimate == Approx(3480).epsilon(1e-15));  // 9/3 x (625 + 25 + 510)
}

// Every way the design can fall: 5 primaries (measures 3, 1, 2, 4, 2) split at random
// into groups of 3 and 2 (10 groupings), one primary drawn from each group with
// probability measure / group measure, 2 of its items drawn at random. Over all 540
// outcomes, weighted by their probabilities, the estimate averages to the universe's
// total (45) and the variance estimate to the estimator's variance (exactly 849/5 by
// Python's fractions). A variance without A's correction, or weighting v_g by
// (Z_g / z_g)^2 (which averages to 1,108/5), fails.
TEST_CASE("The RHC estimate and its variance estimate are unbiased over every outcome", "[sampling]") {
  const std::vector<int64_t> measure{3, 1, 2, 4, 2};
  const std::vector<std::vector<double>> values{{1, 4, 2}, {5, 0}, {7, 1, 3}, {2, 2, 9}, {6, 3}};
  double expected = 0, expected_square = 0, expected_variance = 0, total_probability = 0;
  for (int mask = 0; mask < 32; ++mask) {
    if (__builtin_popcount(mask) != 3) continue;
    std::vector<int> groups[2];
    for (int i = 0; i < 5; ++i) groups[(mask >> i & 1) ? 0 : 1].push_back(i);
    int64_t group_measure[2] = {0, 0};
    for (int g = 0; g < 2; ++g)
      for (int i : groups[g]) group_measure[g] += measure[i];
    for (int d0 : groups[0])
      for (int d1 : groups[1]) {
        const int drawn[2] = {d0, d1};
        const double p_draw = 0.1 * static_cast<double>(measure[d0]) / static_cast<double>(group_measure[0]) *
                              static_cast<double>(measure[d1]) / static_cast<double>(group_measure[1]);
        // Every pair of items of each drawn primary.
        auto pairs = [&](int p) {
          std::vector<std::pair<double, double>> out;
          const auto& v = values[p];
          for (size_t i = 0; i < v.size(); ++i)
            for (size_t j = i + 1; j < v.size(); ++j) out.emplace_back(v[i], v[j]);
          return out;
        };
        const auto pairs0 = pairs(d0), pairs1 = pairs(d1);
        for (const auto& s0 : pairs0)
          for (const auto& s1 : pairs1) {
            const double p = p_draw / static_cast<double>(pairs0.size() * pairs1.size());
            std::string items = "primary,primary_size,difference\n", groups_csv =
                "group,primaries,measure,primary,primary_measure\n";
            const std::pair<double, double>* subsample[2] = {&s0, &s1};
            for (int g = 0; g < 2; ++g) {
              const std::string id = "P" + std::to_string(drawn[g] + 1);
              const std::string size = std::to_string(values[drawn[g]].size());
              items += id + "," + size + "," + std::to_string(subsample[g]->first) + "\n" + id + "," + size + "," +
                       std::to_string(subsample[g]->second) + "\n";
              groups_csv += std::to_string(g + 1) + "," + std::to_string(groups[g].size()) + "," +
                            std::to_string(group_measure[g]) + "," + id + "," + std::to_string(measure[drawn[g]]) +
                            "\n";
            }
            const auto a = sm::AppraiseRhc(ReadItems(items), ReadGroups(groups_csv), "items.csv", "groups.csv");
            const double y = a.sets[0].point_estimate, v = a.sets[0].se_total * a.sets[0].se_total;
            total_probability += p;
            expected += p * y;
            expected_square += p * y * y;
            expected_variance += p * v;
          }
      }
  }
  CHECK(total_probability == Approx(1).epsilon(1e-14));
  CHECK(expected == Approx(45).epsilon(1e-13));
  CHECK(expected_square - expected * expected == Approx(849.0 / 5).epsilon(1e-10));
  CHECK(expected_variance == Approx(849.0 / 5).epsilon(1e-12));
}

// Items valued 1 or 0 read as counts per drawn primary give the same figures.
TEST_CASE("An RHC attribute appraisal equals the RHC variable appraisal of its items valued 1 and 0",
          "[sampling]") {
  std::istringstream units_in(
      "primary,primary_size,sample,errors\n"
      "P2,25,3,1\nP5,10,2,0\nP7,30,3,2\n");
  const auto units = sm::ReadMultistageAttributeUnits(units_in, "units.csv");
  const auto attribute = sm::AppraiseRhc(units, ReadGroups(kGroups), "units.csv", "groups.csv");
  const auto variable = sm::AppraiseRhc(ReadItems("primary,primary_size,difference\n"
                                                  "P2,25,1\nP2,25,0\nP2,25,0\nP5,10,0\nP5,10,0\n"
                                                  "P7,30,1\nP7,30,1\nP7,30,0\n"),
                                        ReadGroups(kGroups), "items.csv", "groups.csv");
  CHECK(attribute.attribute);
  CHECK(attribute.characteristic == 3);
  CHECK(attribute.sets[0].point_estimate == variable.sets[0].point_estimate);
  CHECK(attribute.sets[0].se_total == variable.sets[0].se_total);
  CHECK(attribute.sets[0].limits[2].lower == variable.sets[0].limits[2].lower);
  // 60/25 x 25/3 + 0 + 40/30 x 20 = 20 + 80/3 = 140/3 projected items.
  CHECK(attribute.sets[0].point_estimate == Approx(140.0 / 3).epsilon(1e-15));
  CHECK(sm::RenderText(attribute).find("TWO-STAGE RHC ATTRIBUTE APPRAISAL") == 0);
}

TEST_CASE("RHC groups that contradict themselves or the sample are refused with file and line", "[sampling]") {
  const auto items = ReadItems(kItems);
  auto refused = [&](const std::string& groups_csv, const std::string& message) {
    INFO(groups_csv);
    CHECK_THROWS_WITH(sm::AppraiseRhc(items, ReadGroups(groups_csv), "items.csv", "groups.csv"),
                      Catch::Contains(message));
  };
  const std::string header = "group,primaries,measure,primary,primary_measure\n";
  refused(header + "1,3,60,P2,25\n", "groups.csv: an RHC appraisal needs at least 2 groups");
  refused(header + "1,3,60,P2,25\n2,2,30,P5,10\n", "items.csv:7: primary P7 is not drawn from any group");
  refused(header + "1,3,60,P2,25\n2,2,30,P5,10\n3,2,40,P7,30\n4,2,40,P9,30\n",
          "groups.csv:5: group 4's primary P9 has no rows in items.csv");
  refused(header + "1,3,60,P2,25\n1,2,30,P5,10\n3,2,40,P7,30\n", "groups.csv:3: group 1 is listed twice");
  refused(header + "1,3,60,P2,25\n2,2,30,P2,10\n3,2,40,P7,30\n", "primary P2 is drawn from two groups");
  refused(header + "1,3,60,P2,61\n2,2,30,P5,10\n3,2,40,P7,30\n", "groups.csv:2: group 1: its primary's measure 61");
  refused(header + "1,3,26,P2,25\n2,2,30,P5,10\n3,2,40,P7,30\n", "2 other primaries cannot share a measure of 1");
  refused(header + "1,0,60,P2,25\n2,2,30,P5,10\n3,2,40,P7,30\n", "must be at least 1");
  CHECK_THROWS_WITH(ReadGroups("group,primaries,measure,primary\n1,3,60,P2\n"),
                    Catch::Contains("groups.csv: the header has no 'primary_measure' column"));
}
