#include <catch2/catch.hpp>

#include "audit/qa/score.hpp"

using namespace coderaudit;
using namespace coderaudit::qa;

TEST_CASE("Clopper-Pearson bounds match published values", "[qa][score]") {
  // Reference values found independently by bisection on exact binomial tail sums
  // (Python, math.comb, 200 halvings); x = 0 and x = n have closed forms 1 - (a/2)^(1/n).
  auto a = ClopperPearson(95, 100);
  CHECK(a.low == Approx(0.8871650889).epsilon(1e-9));
  CHECK(a.high == Approx(0.9835681208).epsilon(1e-9));
  auto b = ClopperPearson(0, 10);
  CHECK(b.low == 0.0);
  CHECK(b.high == Approx(0.3084971).epsilon(1e-6));
  auto c = ClopperPearson(10, 10);
  CHECK(c.low == Approx(0.6915029).epsilon(1e-6));
  CHECK(c.high == 1.0);
  auto z = ClopperPearson(0, 0);
  CHECK(z.low == 0.0);
  CHECK(z.high == 1.0);
}

TEST_CASE("Scores count matches, errors, positions and error-free encounters", "[qa][score]") {
  // Hand-worked: coder C01, two encounters.
  //  E1: 3 matches.                                     -> error free
  //  E2: 1 match, modifier+units on one line (one position, two errors), 1 omitted.
  //  positions = 3 + (1 + 1 + 1) = 6; matches 4; errors 3; accuracy 4/7.
  auto diff = [](const char* enc, uint32_t line, Outcome o) {
    CodeDiff d;
    d.encounter_id = enc;
    d.coder_id = "C01";
    d.line = line;
    d.outcome = o;
    return d;
  };
  std::vector<CodeDiff> diffs = {
      diff("E1", 1, Outcome::kMatch),    diff("E1", 2, Outcome::kMatch),
      diff("E1", 3, Outcome::kMatch),    diff("E2", 1, Outcome::kMatch),
      diff("E2", 2, Outcome::kModifier), diff("E2", 2, Outcome::kUnits),
      diff("E2", 0, Outcome::kOmitted)};
  auto scores = ScoreCoders(diffs, 0.95);
  REQUIRE(scores.size() == 1);
  const auto& s = scores[0];
  CHECK(s.encounters == 2);
  CHECK(s.error_free_encounters == 1);
  CHECK(s.codes_reviewed == 6);
  CHECK(s.matches == 4);
  CHECK(s.errors == 3);
  CHECK(s.by_outcome[static_cast<size_t>(Outcome::kModifier)] == 1);
  CHECK(s.by_outcome[static_cast<size_t>(Outcome::kOmitted)] == 1);
  CHECK(s.code_accuracy == Approx(4.0 / 7.0));
  CHECK(s.claim_accuracy == Approx(0.5));
  CHECK_FALSE(s.pass);
  CHECK(s.code_interval.low == Approx(ClopperPearson(4, 7).low));
}

TEST_CASE("A coder exactly at the benchmark passes", "[qa][score]") {
  std::vector<CodeDiff> diffs;
  for (uint32_t i = 0; i < 20; ++i) {
    CodeDiff d;
    d.encounter_id = "E" + std::to_string(i);
    d.coder_id = "C02";
    d.line = 1;
    d.outcome = i == 0 ? Outcome::kAdded : Outcome::kMatch;
    diffs.push_back(d);
  }
  auto s = ScoreCoders(diffs, 0.95).at(0);
  CHECK(s.code_accuracy == 0.95);
  CHECK(s.pass);
  CHECK_FALSE(ScoreCoders(diffs, 0.96).at(0).pass);
}
