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

// ---- v2: policies, weights, intervals, DRG, money, rebuttal, periods

namespace {
CodeDiff Row(const char* enc, uint32_t line, Outcome o, ItemType type = ItemType::kDx,
             const char* coder = "C01") {
  CodeDiff d;
  d.encounter_id = enc;
  d.coder_id = coder;
  d.auditor_id = "A01";
  d.code_type = type;
  d.line = line;
  d.outcome = o;
  return d;
}
}  // namespace

TEST_CASE("Wilson bounds match published values", "[qa][score]") {
  // Wilson score interval, z = 1.959964: 95/100 -> (0.888250, 0.978456).
  auto a = Wilson(95, 100);
  CHECK(a.low == Approx(0.8882495308).epsilon(1e-9));
  CHECK(a.high == Approx(0.9784563208).epsilon(1e-9));
  auto b = Wilson(0, 10);
  CHECK(b.low == 0.0);
  CHECK(b.high == Approx(0.2775327999).epsilon(1e-9));
  auto c = Wilson(18, 20, 0.90);
  CHECK(c.low == Approx(0.7383369537).epsilon(1e-9));
  CHECK(c.high == Approx(0.9663367764).epsilon(1e-9));
}

TEST_CASE("A principal diagnosis change weighted 2 counts as two errors", "[qa][score]") {
  // Hand-worked: 10 coder lines; line 1 revised principal (weight 2), line 5 added
  // (weight 1). Matches 8, weighted errors 3: accuracy 8 / 11 = 0.7273, and the exact
  // interval is that of 8 successes in 11 trials (0.390257, 0.939782).
  std::vector<CodeDiff> diffs;
  for (uint32_t i = 1; i <= 10; ++i) diffs.push_back(Row("E1", i, Outcome::kMatch));
  diffs[0].outcome = Outcome::kRevised;
  diffs[0].principal = true;
  diffs[4].outcome = Outcome::kAdded;
  ScoringPolicy p;
  p.outcomes[static_cast<size_t>(Outcome::kRevised)].principal_weight = 2;
  auto s = ScoreCoders(diffs, p).at(0);
  CHECK(s.codes_reviewed == 10);
  CHECK(s.matches == 8);
  CHECK(s.errors == 2);
  CHECK(s.weighted_errors == 3);
  CHECK(s.code_accuracy == Approx(8.0 / 11.0));
  CHECK(s.code_interval.low == Approx(0.3902574404).epsilon(1e-9));
  CHECK(s.code_interval.high == Approx(0.9397822658).epsilon(1e-9));
  // The same rows under the default policy: 8 / 10.
  CHECK(ScoreCoders(diffs, 0.95).at(0).code_accuracy == Approx(0.8));
}

TEST_CASE("Code types the policy does not score are left out entirely", "[qa][score]") {
  std::vector<CodeDiff> diffs = {Row("E1", 1, Outcome::kMatch), Row("E1", 2, Outcome::kRevised),
                                 Row("E1", 3, Outcome::kUnits, ItemType::kHcpcs),
                                 Row("E1", 4, Outcome::kMatch, ItemType::kHcpcs)};
  ScoringPolicy p;
  p.scored = {true, true, false, false};  // DX and PCS only
  auto s = ScoreCoders(diffs, p).at(0);
  CHECK(s.codes_reviewed == 2);
  CHECK(s.matches == 1);
  CHECK(s.errors == 1);
  CHECK(s.by_type[static_cast<size_t>(ItemType::kHcpcs)].positions == 0);
  CHECK(s.by_type[static_cast<size_t>(ItemType::kDx)].accuracy == Approx(0.5));
}

TEST_CASE("An encounter with nothing the policy scores adds no DRG, money or rebuttal",
          "[qa][score]") {
  // IP1: diagnoses and a DRG change only; OP1: a HCPCS match. The policy scores HCPCS.
  std::vector<CodeDiff> diffs = {Row("IP1", 1, Outcome::kRevised),
                                 Row("IP1", 0, Outcome::kDrg, ItemType::kDrg),
                                 Row("OP1", 1, Outcome::kMatch, ItemType::kHcpcs)};
  diffs[0].rebuttal = Rebuttal::kDisagree;
  diffs[1].amount_cents = -600000;
  ScoringPolicy p;
  p.scored = {false, false, true, false};
  const auto s = ScoreCoders(diffs, p).at(0);
  CHECK(s.encounters == 1);
  CHECK(s.drg_encounters == 0);
  CHECK(s.underpayment_cents == 0);
  CHECK(s.rebutted == 0);
  // Scoring diagnoses too brings IP1 back, with its DRG and its money.
  p.scored = {true, false, true, false};
  const auto t = ScoreCoders(diffs, p).at(0);
  CHECK(t.encounters == 2);
  CHECK(t.drg_encounters == 1);
  CHECK(t.underpayment_cents == 600000);
  CHECK(t.rebutted == 1);
}

TEST_CASE("An outcome that is not an error leaves its position a match, an omission that "
          "does not count is no position", "[qa][score]") {
  std::vector<CodeDiff> diffs = {Row("E1", 1, Outcome::kMatch),
                                 Row("E1", 2, Outcome::kModifier, ItemType::kHcpcs),
                                 Row("E1", 0, Outcome::kOmitted)};
  ScoringPolicy p;
  p.outcomes[static_cast<size_t>(Outcome::kModifier)].error = false;
  p.outcomes[static_cast<size_t>(Outcome::kOmitted)].error = false;
  auto s = ScoreCoders(diffs, p).at(0);
  CHECK(s.codes_reviewed == 2);
  CHECK(s.matches == 2);
  CHECK(s.errors == 0);
  CHECK(s.error_free_encounters == 1);
  // A rule for one code type wins over the outcome's general rule.
  ScoringPolicy q;
  q.typed[static_cast<size_t>(Outcome::kModifier)][static_cast<size_t>(ItemType::kHcpcs)] =
      OutcomeRule{true, 3, 3};
  auto t = ScoreCoders(diffs, q).at(0);
  CHECK(t.weighted_errors == 4);  // modifier 3 + omitted 1
}

TEST_CASE("The policy's claim types pick the encounters scored", "[qa][score]") {
  auto ip = Row("IP1", 1, Outcome::kAdded);
  ip.claim_type = ClaimType::kInpatient;
  auto op = Row("OP1", 1, Outcome::kMatch);
  op.claim_type = ClaimType::kOutpatient;
  ScoringPolicy p;
  p.claim_types = {false, true, false};
  auto s = ScoreCoders({ip, op}, p).at(0);
  CHECK(s.encounters == 1);
  CHECK(s.codes_reviewed == 1);
  CHECK(s.errors == 0);
}

TEST_CASE("DRG accuracy counts encounters whose DRG did not change, scoring the DRG adds "
          "a position", "[qa][score]") {
  std::vector<CodeDiff> diffs = {
      Row("E1", 1, Outcome::kMatch), Row("E1", 0, Outcome::kMatch, ItemType::kDrg),
      Row("E2", 1, Outcome::kRevised), Row("E2", 0, Outcome::kDrg, ItemType::kDrg),
      Row("E3", 1, Outcome::kMatch), Row("E3", 0, Outcome::kMatch, ItemType::kDrg)};
  auto s = ScoreCoders(diffs, 0.95).at(0);
  CHECK(s.drg_encounters == 3);
  CHECK(s.drg_changes == 1);
  CHECK(s.drg_accuracy == Approx(2.0 / 3.0));
  CHECK(s.drg_interval.low == Approx(0.0942993241).epsilon(1e-9));
  CHECK(s.codes_reviewed == 3);  // the default policy does not score the DRG
  CHECK(s.by_outcome[static_cast<size_t>(Outcome::kDrg)] == 0);
  ScoringPolicy p;
  p.scored[static_cast<size_t>(ItemType::kDrg)] = true;
  p.outcomes[static_cast<size_t>(Outcome::kDrg)] = OutcomeRule{true, 2, 2};
  auto w = ScoreCoders(diffs, p).at(0);
  CHECK(w.codes_reviewed == 6);
  CHECK(w.matches == 4);
  CHECK(w.weighted_errors == 3);  // revised 1 + DRG 2
  CHECK(w.code_accuracy == Approx(4.0 / 7.0));
}

TEST_CASE("Pass/fail can use claim or DRG accuracy and the interval's lower bound", "[qa][score]") {
  std::vector<CodeDiff> diffs;
  for (int e = 0; e < 20; ++e) diffs.push_back(Row(("E" + std::to_string(e)).c_str(), 1, e < 1 ? Outcome::kAdded : Outcome::kMatch));
  ScoringPolicy p;  // 19/20 = 0.95: passes on the point estimate
  CHECK(ScoreCoders(diffs, p).at(0).pass);
  p.pass_compare = PassCompare::kLowerBound;  // CP lower bound 0.7513 < 0.95
  CHECK_FALSE(ScoreCoders(diffs, p).at(0).pass);
  p.benchmark = 0.75;
  CHECK(ScoreCoders(diffs, p).at(0).pass);
  p.pass_compare = PassCompare::kPoint;
  p.pass_metric = PassMetric::kDrg;  // no DRG known: nothing to pass on
  CHECK_FALSE(ScoreCoders(diffs, p).at(0).pass);
  p.pass_metric = PassMetric::kClaim;
  p.benchmark = 0.95;
  CHECK(ScoreCoders(diffs, p).at(0).pass);
  p.interval = IntervalMethod::kWilson;
  auto s = ScoreCoders(diffs, p).at(0);
  CHECK(s.code_interval.low == Approx(Wilson(19, 20).low));
}

TEST_CASE("Overturned differences stop counting, an overturned omission is withdrawn", "[qa][score]") {
  std::vector<CodeDiff> diffs = {Row("E1", 1, Outcome::kMatch), Row("E1", 2, Outcome::kAdded),
                                 Row("E1", 0, Outcome::kOmitted), Row("E2", 1, Outcome::kRevised)};
  diffs[1].decision = Decision::kOverturned;
  diffs[1].rebuttal = Rebuttal::kDisagree;
  diffs[2].decision = Decision::kOverturned;
  diffs[3].rebuttal = Rebuttal::kDisagree;
  diffs[3].decision = Decision::kUpheld;
  auto s = ScoreCoders(diffs, 0.95).at(0);
  CHECK(s.codes_reviewed == 3);  // E1 lines 1, 2 and E2 line 1; the omission is gone
  CHECK(s.matches == 2);
  CHECK(s.errors == 1);
  CHECK(s.error_free_encounters == 1);
  CHECK(s.rebutted == 2);
  CHECK(s.overturned == 2);
  auto auditors = ReviewAuditors(diffs, DefaultPolicy());
  REQUIRE(auditors.size() == 1);
  CHECK(auditors[0].differences == 3);
  CHECK(auditors[0].decided == 3);
  CHECK(auditors[0].overturned == 2);
  CHECK(auditors[0].overturn_rate == Approx(2.0 / 3.0));
}

TEST_CASE("Payment differences sum per encounter into over- and under-payment", "[qa][score]") {
  std::vector<CodeDiff> diffs = {Row("E1", 1, Outcome::kAdded), Row("E1", 2, Outcome::kOmitted),
                                 Row("E2", 1, Outcome::kUnits), Row("E3", 1, Outcome::kDrg, ItemType::kDrg),
                                 Row("E3", 1, Outcome::kMatch)};
  diffs[0].amount_cents = 10000;
  diffs[0].direction = Direction::kOver;
  diffs[1].amount_cents = -2500;
  diffs[1].direction = Direction::kUnder;
  diffs[2].amount_cents = -4000;
  diffs[2].direction = Direction::kUnder;
  diffs[3].amount_cents = 300000;
  diffs[3].direction = Direction::kOver;
  auto s = ScoreCoders(diffs, 0.95).at(0);
  CHECK(s.overpayment_cents == 7500 + 300000);  // E1 nets +75.00, E3 +3,000.00
  CHECK(s.underpayment_cents == 4000);          // E2
  CHECK(s.over_coded == 1);                      // the DRG row is not a counted error here
  CHECK(s.under_coded == 2);
  diffs[3].decision = Decision::kOverturned;
  CHECK(ScoreCoders(diffs, 0.95).at(0).overpayment_cents == 7500);
}

TEST_CASE("Scores group by month or quarter of the encounter's through date", "[qa][score]") {
  std::vector<CodeDiff> diffs;
  auto at = [&](const char* enc, int month, Outcome o) {
    auto d = Row(enc, 1, o);
    d.service_date = DateFromCivil(2024, static_cast<unsigned>(month), 15);
    diffs.push_back(d);
  };
  at("E1", 1, Outcome::kMatch);
  at("E2", 2, Outcome::kAdded);
  at("E3", 4, Outcome::kMatch);
  ScoreBook quarters(Period::kQuarter);
  quarters.Add(diffs, DefaultPolicy());
  auto q = quarters.Finish(DefaultPolicy(), 0.95);
  REQUIRE(q.size() == 2);
  CHECK(q[0].period == "2024Q1");
  CHECK(q[0].code_accuracy == Approx(0.5));
  CHECK(q[1].period == "2024Q2");
  CHECK(q[1].pass);
  ScoreBook months(Period::kMonth);
  months.Add(diffs, DefaultPolicy());
  auto m = months.Finish(DefaultPolicy(), 0.95);
  REQUIRE(m.size() == 3);
  CHECK(m[1].period == "2024-02");
  CHECK(PeriodOf(DateFromCivil(2024, 12, 31), Period::kQuarter) == "2024Q4");
}
