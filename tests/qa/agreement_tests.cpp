#include <catch2/catch.hpp>

#include "audit/qa/agreement.hpp"

using namespace coderaudit;
using namespace coderaudit::qa;

TEST_CASE("Cohen's kappa matches a hand-worked 2x2 table", "[qa][agreement]") {
  // A\B     error  none
  // error     20     5
  // none      10    15      p_o = 35/50 = 0.7; p_e = .5 x .6 + .5 x .4 = 0.5;
  // kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4; SE = sqrt(.7 x .3 / (50 x .25)) = 0.129615.
  auto k = Kappa({{20, 5}, {10, 15}});
  CHECK(k.items == 50);
  CHECK(k.agreed == 35);
  CHECK(k.observed == Approx(0.7));
  CHECK(k.expected == Approx(0.5));
  REQUIRE(k.kappa);
  CHECK(*k.kappa == Approx(0.4));
  CHECK(k.standard_error == Approx(0.1296148139).epsilon(1e-9));
  CHECK(k.kappa_ci.low == Approx(0.4 - 1.959963985 * 0.1296148139).epsilon(1e-8));
  // Everything in one category: chance agreement 1, kappa undefined.
  auto all = Kappa({{7, 0}, {0, 0}});
  CHECK(all.observed == 1.0);
  CHECK_FALSE(all.kappa);
}

namespace {
CodeDiff Row(const char* enc, const char* auditor, uint32_t line, Outcome o,
             const char* auditor_code = "", ItemType type = ItemType::kDx) {
  CodeDiff d;
  d.encounter_id = enc;
  d.coder_id = "C01";
  d.auditor_id = auditor;
  d.code_type = type;
  d.line = line;
  d.auditor_code = auditor_code;
  d.outcome = o;
  return d;
}
}  // namespace

TEST_CASE("Two auditors are compared item by item on the encounters both audited",
          "[qa][agreement]") {
  // E1: both agree on lines 1-2; A revises line 3, B keeps it; both add K21.9.
  // E2: A adds E78.5 alone; both see a modifier+units difference on line 1.
  // E3: only A audited it (ignored).
  std::vector<CodeDiff> a = {
      Row("E1", "A01", 1, Outcome::kMatch), Row("E1", "A01", 2, Outcome::kMatch),
      Row("E1", "A01", 3, Outcome::kRevised), Row("E1", "A01", 0, Outcome::kOmitted, "K219"),
      Row("E2", "A01", 1, Outcome::kModifier, "", ItemType::kHcpcs),
      Row("E2", "A01", 1, Outcome::kUnits, "", ItemType::kHcpcs),
      Row("E2", "A01", 0, Outcome::kOmitted, "E785"), Row("E3", "A01", 1, Outcome::kAdded)};
  std::vector<CodeDiff> b = {
      Row("E1", "A02", 1, Outcome::kMatch), Row("E1", "A02", 2, Outcome::kMatch),
      Row("E1", "A02", 3, Outcome::kMatch), Row("E1", "A02", 0, Outcome::kOmitted, "K219"),
      Row("E2", "A02", 1, Outcome::kModifier, "", ItemType::kHcpcs),
      Row("E2", "A02", 1, Outcome::kUnits, "", ItemType::kHcpcs)};
  auto r = CompareAuditors(a, b);
  CHECK(r.encounters_a == 3);
  CHECK(r.encounters_b == 2);
  CHECK(r.encounters_both == 2);
  // Items: E1 lines 1,2,3 + K21.9; E2 line 1 + E78.5 = 6; agreed: 1, 2, K21.9, E2 line 1.
  CHECK(r.outcome.items == 6);
  CHECK(r.outcome.agreed == 4);
  CHECK(r.categories == std::vector<std::string>{"match", "modifier+units", "omitted", "revised"});
  // Error / no error: A = [n n e e e e], B = [n n n e e n]: p_o = 4/6, p_e = (2/6)(4/6) +
  // (4/6)(2/6) = 16/36, kappa = (24/36 - 16/36) / (20/36) = 0.4.
  REQUIRE(r.error.kappa);
  CHECK(*r.error.kappa == Approx(0.4));
  CHECK(r.auditors_a == std::vector<std::string>{"A01"});
  CHECK(r.auditors_b == std::vector<std::string>{"A02"});
}
