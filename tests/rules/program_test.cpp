// The compiled program: ordering, effective dates, the code index, thread safety,
// embedded tests and summaries.
#include <catch2/catch.hpp>
#include <thread>

#include "audit/model/date.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "tests/rules/test_support.hpp"

namespace cr = coderaudit::rules;
using namespace coderaudit::rules::testing;  // test file, not a header
using coderaudit::Encounter;
using coderaudit::Finding;
using Strings = std::vector<std::string>;

namespace {

constexpr std::string_view kInlineCheck =
    R"(<code-in-set><codes code-type="HCPCS"><code>99213</code></codes></code-in-set>)";

Loaded Sample() { return MustLoad(ReadFile(SourcePath("samples/rules/facility.xml"))); }

}  // namespace

TEST_CASE("Findings come in rule order, then line order", "[rules][program]") {
  const Loaded loaded = MustLoad(RuleSetXml(
      RuleXml("B-FIRST-IN-FILE",
              R"(<code-in-set><codes code-type="HCPCS"><code>20610</code></codes></code-in-set>)") +
      RuleXml(
          "A-SECOND",
          R"(<code-in-set><codes code-type="HCPCS"><code>99213</code><code>20610</code></codes></code-in-set>)") +
      RuleXml("C-ALWAYS", "<duplicate-lines/>")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("99213"), Hcpcs("20610"), Hcpcs("99213"), Hcpcs("20610", "LT")};
  CHECK(Run(*loaded.program, e) ==
        Strings{
            "B-FIRST-IN-FILE@1 E1 lines=2 code=20610",
            "B-FIRST-IN-FILE@1 E1 lines=4 code=20610",
            "A-SECOND@1 E1 lines=1 code=99213",
            "A-SECOND@1 E1 lines=2 code=20610",
            "A-SECOND@1 E1 lines=3 code=99213",
            "A-SECOND@1 E1 lines=4 code=20610",
            "C-ALWAYS@1 E1 lines=3 code=99213 dos=2024-03-06 first_line=1",
        });
}

TEST_CASE("A rule applies when its effective period contains the encounter's from date",
          "[rules][program]") {
  const Loaded loaded = MustLoad(RuleSetXml(
      RuleXml("FY24", std::string(kInlineCheck), "{code}",
              R"(effective-from="2023-10-01" effective-to="2024-09-30")") +
      RuleXml("FROM-ONLY", std::string(kInlineCheck), "{code}", R"(effective-from="2024-10-01")") +
      RuleXml("TO-ONLY", std::string(kInlineCheck), "{code}", R"(effective-to="2023-09-30")")));
  auto fired_on = [&](std::string_view from) {
    Encounter e = MakeEncounter(from);
    e.lines = {Hcpcs("99213")};
    Strings ids;
    std::vector<Finding> findings;
    loaded.program->Evaluate(e, findings);
    for (const auto& f : findings) ids.push_back(f.rule_id);
    return ids;
  };
  CHECK(fired_on("2023-09-30") == Strings{"TO-ONLY"});
  CHECK(fired_on("2023-10-01") == Strings{"FY24"});
  CHECK(fired_on("2024-09-30") == Strings{"FY24"});
  CHECK(fired_on("2024-10-01") == Strings{"FROM-ONLY"});

  // The encounter's from date decides, not the line's date of service.
  Encounter e = MakeEncounter("2024-09-30");
  e.through_date = *coderaudit::ParseIsoDate("2024-10-02");
  e.lines = {Hcpcs("99213", "", 1, "2024-10-02")};
  CHECK(Run(*loaded.program, e) == Strings{"FY24@1 E1 lines=1 code=99213"});
}

TEST_CASE("claim-types limits a rule to some claim types", "[rules][program]") {
  const Loaded loaded = MustLoad(RuleSetXml(
      RuleXml("IP", std::string(kInlineCheck), "{code}", R"(claim-types="inpatient outpatient")")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("99213")};
  CHECK(Run(*loaded.program, e).empty());
  e.claim_type = coderaudit::ClaimType::kOutpatient;
  CHECK(Run(*loaded.program, e) == Strings{"IP@1 E1 lines=1 code=99213"});
}

TEST_CASE("An encounter whose codes trigger nothing visits no code rule", "[rules][program]") {
  const Loaded loaded = Sample();
  REQUIRE(loaded.program->RuleCount() == 10);
  CHECK(loaded.program->AlwaysRuleCount() == 2);  // patient check and duplicates

  Encounter e = MakeEncounter();
  e.lines = {Dx("E11.9", 1), Dx("I10", 2), Hcpcs("80053"), Hcpcs("36415")};
  cr::EvalStats stats;
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings, &stats);
  CHECK(findings.empty());
  CHECK(stats.index_lookups == 4);
  CHECK(stats.membership_tests == 0);
  CHECK(stats.code_rules_visited == 0);
  CHECK(stats.always_rules_visited == 2);

  // A code in an indexed category that is not a member costs exact tests, no rule visit.
  e.lines = {Hcpcs("99205"), Hcpcs("29880")};
  stats = {};
  loaded.program->Evaluate(e, findings, &stats);
  CHECK(findings.empty());
  // "992": FAC-EM-001 and FAC-MOD-002; "298": both sides of FAC-PTP-001.
  CHECK(stats.membership_tests == 4);
  CHECK(stats.code_rules_visited == 0);

  // Pregnancy DX: only the two pregnancy rules are candidates.
  e.lines = {Dx("O80", 1)};
  stats = {};
  loaded.program->Evaluate(e, findings, &stats);
  CHECK(stats.membership_tests == 2);
  CHECK(stats.code_rules_visited == 2);
}

TEST_CASE("Compile rejects a rule set that was not built by the reader", "[rules][program]") {
  cr::RuleSet set;
  set.file = "hand-made";
  cr::RuleDef rule;
  rule.id = "X";
  rule.check.name = "no-such-check";
  set.rules.push_back(rule);
  CHECK_THROWS_AS(cr::Compile(set), coderaudit::InputError);
  CHECK_THROWS_WITH(cr::Compile(set), Catch::Contains("unknown check <no-such-check>"));
}

TEST_CASE("The program reports the rule set's id, version and file hash", "[rules][program]") {
  const Loaded loaded = Sample();
  CHECK(loaded.program->Name() == "facility-sample");
  CHECK(loaded.program->Version() == "2024.1");
  CHECK(loaded.program->Hash() ==
        coderaudit::Sha256Hex(ReadFile(SourcePath("samples/rules/facility.xml"))));
  CHECK(loaded.program->Hash().size() == 64);
}

TEST_CASE("Evaluate from several threads gives the same findings as one thread",
          "[rules][program]") {
  const Loaded loaded = Sample();
  std::vector<Encounter> encounters;
  for (const auto& rule : loaded.rule_set->rules)
    for (const auto& test : rule.tests) encounters.push_back(test.encounter);
  auto run_all = [&] {
    std::vector<Finding> out;
    for (int round = 0; round < 50; ++round)
      for (const auto& e : encounters) loaded.program->Evaluate(e, out);
    return Describe(out);
  };
  const Strings expected = run_all();
  REQUIRE_FALSE(expected.empty());
  Strings a, b;
  std::thread t1([&] { a = run_all(); });
  std::thread t2([&] { b = run_all(); });
  t1.join();
  t2.join();
  CHECK(a == expected);
  CHECK(b == expected);
}

TEST_CASE("Rule files can be loaded from several threads at once", "[rules][program]") {
  const std::string xml = ReadFile(SourcePath("samples/rules/facility.xml"));
  bool ok1 = false, ok2 = false;
  std::thread t1([&] {
    for (int i = 0; i < 5; ++i) ok1 = cr::LoadRuleText(xml, "a.xml").issues.empty();
  });
  std::thread t2([&] {
    for (int i = 0; i < 5; ++i) ok2 = cr::LoadRuleText(xml, "b.xml").issues.empty();
  });
  t1.join();
  t2.join();
  CHECK(ok1);
  CHECK(ok2);
}

TEST_CASE("Every embedded test of the sample facility rule set passes", "[rules][program]") {
  const Loaded loaded = Sample();
  const auto results = cr::RunEmbeddedTests(*loaded.rule_set, *loaded.program);
  CHECK(results.size() == 25);
  for (const auto& result : results) {
    INFO(result.rule_id << " / " << result.test_name << ": " << result.detail);
    CHECK(result.passed);
  }
}

TEST_CASE("A failing embedded test says what was expected and what fired", "[rules][program]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("R", std::string(kInlineCheck) + R"(
<test name="expects the wrong line">
  <encounter sex="F" from="2024-03-06"><line type="HCPCS" code="99213"/></encounter>
  <expect findings="1" lines="2"/>
</test>
<test name="right">
  <encounter sex="F" from="2024-03-06"><line type="HCPCS" code="99213"/></encounter>
  <expect findings="1" lines="1"/>
</test>)")));
  const auto results = cr::RunEmbeddedTests(*loaded.rule_set, *loaded.program);
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0].passed);
  CHECK(results[0].rule_id == "R");
  CHECK(results[0].test_name == "expects the wrong line");
  CHECK(results[0].detail ==
        "test.xml:7: expected 1 finding on lines 2, got 1 finding on lines 1\n"
        "    R@1 test-1 lines=1 code=99213");
  CHECK(results[1].passed);
  CHECK(results[1].detail.empty());
}

TEST_CASE("Summarize lists every rule with its kind and test count", "[rules][program]") {
  const Loaded loaded = Sample();
  const auto summary = cr::Summarize(*loaded.rule_set);
  REQUIRE(summary.size() == 10);
  Strings kinds;
  for (const auto& s : summary) kinds.push_back(s.id + " " + s.kind + " " + s.disposition);
  CHECK(kinds == Strings{
                     "FAC-SEX-001 code-in-set claim-reject",
                     "FAC-AGE-001 code-in-set review",
                     "FAC-PAT-001 patient-check return-to-provider",
                     "FAC-PTP-001 code-pair line-deny",
                     "FAC-EM-001 code-pair line-deny",
                     "FAC-MUE-001 units-limit line-deny",
                     "FAC-MUE-002 units-limit line-deny",
                     "FAC-MOD-001 required-modifier return-to-provider",
                     "FAC-MOD-002 forbidden-modifier line-reject",
                     "FAC-DUP-001 duplicate-lines line-reject",
                 });
  CHECK(summary[0].version == "1");
  CHECK(summary[0].severity == "error");
  CHECK(summary[0].category == "sex-conflict");
  CHECK(summary[0].test_count == 2);
  CHECK(summary[1].severity == "warning");
}
