// Layered rule sets: <include> (by path or pack name), <override>, <disable>; the
// effective rule list; include cycles; and the lint that `rules check` prints.
#include <catch2/catch.hpp>

#include "audit/model/date.hpp"
#include "audit/model/hash.hpp"
#include "rules/rule_set.hpp"
#include "audit/io/xml_document.hpp"
#include "tests/rules/fake_refdata.hpp"
#include "tests/rules/test_support.hpp"

namespace cr = coderaudit::rules;
using namespace coderaudit::rules::testing;  // test file, not a header
using coderaudit::Encounter;
using coderaudit::refdata::TableKind;
using Strings = std::vector<std::string>;

namespace {

std::string Fixture(std::string_view name) {
  return SourcePath("tests/rules/fixtures/layering/" + std::string(name));
}

Strings Issues(const cr::LoadResult& result) {
  Strings out;
  for (const auto& issue : result.issues) out.push_back(coderaudit::Describe(issue));
  return out;
}

}  // namespace

TEST_CASE("An included pack's rules come first, with overrides applied and disabled rules gone",
          "[rules][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("facility.xml"));
  INFO(Strings(Issues(result)).size());
  REQUIRE(result.rule_set);
  const cr::RuleSet& set = *result.rule_set;
  CHECK(set.id == "layered-facility");
  CHECK(set.version == "7");
  REQUIRE(set.sources.size() == 2);
  CHECK(set.sources[1].file == Fixture("base-pack.xml"));
  CHECK(set.sources[1].included_by == 0u);
  CHECK(set.sources[1].included_at.line == 5);

  const auto summary = cr::Summarize(set);
  Strings ids;
  for (const auto& rule : summary)
    ids.push_back(rule.id + " " + rule.disposition + " " + rule.severity + " " + rule.source);
  CHECK(ids == Strings{"BASE-1 line-reject error " + Fixture("base-pack.xml"),
                       "BASE-2 review warning " + Fixture("base-pack.xml"),
                       "FAC-1 review warning " + Fixture("facility.xml")});
  CHECK(summary[1].effective_from == "2024-01-01");
  const std::string at = " (" + Fixture("facility.xml") + ":6:95)";
  CHECK(summary[1].overrides == Strings{"severity warning" + at, "disposition review" + at,
                                        "effective-from 2024-01-01" + at, "message" + at});
  CHECK(summary[0].overrides.empty());

  const auto disabled = cr::SummarizeDisabled(set);
  REQUIRE(disabled.size() == 1);
  CHECK(disabled[0].id == "BASE-3");
  CHECK(disabled[0].source == Fixture("base-pack.xml"));
  CHECK(disabled[0].disabled_at == Fixture("facility.xml") + ":9:69");
  CHECK(disabled[0].reason == "registration system enforces sex");
}

TEST_CASE("A layered program evaluates pack rules with their own codesets and the overrides",
          "[rules][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("facility.xml"));
  REQUIRE(result.rule_set);
  const auto program = cr::Compile(*result.rule_set);
  Encounter e = MakeEncounter("2024-08-15");
  e.sex = coderaudit::Sex::kUnknown;  // BASE-3 is disabled: no finding
  e.lines = {Hcpcs("99213", "26", 2), Hcpcs("99203", "25"), Hcpcs("99213", "25")};
  std::vector<coderaudit::Finding> findings;
  program->Evaluate(e, findings);
  REQUIRE(Describe(findings) == Strings{"BASE-1@1 E1 lines=1 code=99213 modifier=26 dos=2024-08-15",
                                        "BASE-2@1 E1 lines=1 code=99213 units=2 max=1 dos=2024-08-15",
                                        "FAC-1@1 E1 lines=2 code=99203 modifier=25 dos=2024-08-15"});
  CHECK(findings[1].message == "99213: 2 units (facility reviews these)");
  CHECK(findings[1].disposition == coderaudit::Disposition::kReview);
  // The override moved BASE-2's start: before it, the rule does not apply.
  e.from_date = e.through_date = *coderaudit::ParseIsoDate("2023-12-31");
  findings.clear();
  program->Evaluate(e, findings);
  CHECK(findings.size() == 2);

  // Every embedded test of every layer runs (BASE-3's is gone with it).
  const auto tests = cr::RunEmbeddedTests(*result.rule_set, *program);
  REQUIRE(tests.size() == 3);
  for (const auto& test : tests) {
    INFO(test.rule_id << " " << test.test_name << " " << test.detail);
    CHECK(test.passed);
    CHECK_FALSE(test.skipped);
  }
}

TEST_CASE("The hash of a layered set covers every file", "[rules][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("facility.xml"));
  REQUIRE(result.rule_set);
  const std::string expected =
      coderaudit::Sha256Hex(coderaudit::Sha256Hex(ReadFile(Fixture("facility.xml"))) + "\n" +
                            coderaudit::Sha256Hex(ReadFile(Fixture("base-pack.xml"))) + "\n");
  CHECK(result.rule_set->sha256 == expected);
  CHECK(cr::Compile(*result.rule_set)->Hash() == expected);
}

TEST_CASE("Include cycles are refused at the include that closes them", "[rules][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("cycle-a.xml"));
  CHECK_FALSE(result.rule_set);
  const std::string a = Fixture("cycle-a.xml");
  const std::string b = Fixture("cycle-b.xml");
  CHECK(Issues(result) ==
        Strings{b + ":3:39: include cycle: " + a + " -> " + b + " -> " + a});
}

TEST_CASE("An included file is read by the same XXE-safe reader", "[rules][layering][security]") {
  const size_t refused_before = coderaudit::io::RefusedExternalResourceCount();
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("hostile-include.xml"));
  CHECK_FALSE(result.rule_set);
  const Strings issues = Issues(result);
  REQUIRE_FALSE(issues.empty());
  CHECK(issues.front() == Fixture("hostile.xml") +
                              ":2:10: DOCTYPE is not allowed in rule files (no DTDs, no entities)");
  for (const auto& issue : issues) CHECK(issue.find("root:") == std::string::npos);
  CHECK(coderaudit::io::RefusedExternalResourceCount() == refused_before);  // nothing was even asked for
}

TEST_CASE("A file included along two paths is read once", "[rules][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("diamond.xml"));
  INFO(Issues(result).size());
  REQUIRE(result.rule_set);
  CHECK(result.rule_set->rules.size() == 3);
  CHECK(result.rule_set->sources.size() == 4);
}

TEST_CASE("Layering mistakes are positioned issues", "[rules][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(Fixture("bad-layers.xml"));
  CHECK_FALSE(result.rule_set);
  const std::string f = Fixture("bad-layers.xml");
  const std::string base = Fixture("base-pack.xml");
  CHECK(Issues(result) ==
        Strings{
            f + ":4:32: cannot include " + Fixture("missing.xml") + ": cannot open rule file",
            f + ":5:33: unknown rule pack 'no-such-pack' (built in: duplicates icd10cm-conventions "
                "mce ncci-addon ncci-mue ncci-ptp outpatient-core)",
            f + ":6:13: <include> needs exactly one of pack=\"name\" or href=\"path\"",
            f + ":7:49: <override> rule 'NOPE-1' is not a rule of any included file",
            f + ":8:48: <override> rule 'OWN-1' is defined in this file: edit the rule itself; "
                "<override> applies to rules of included files",
            f + ":9:82: override makes rule BASE-1 version 1 start after it ends",
            f + ":11:44: <override> rule 'BASE-3' was disabled at " + f + ":10:27",
            f + ":18:47: duplicate rule id 'BASE-2' (version 1), also at " + base + ":23:50",
        });
}

TEST_CASE("An overriding message is checked against the check kind, at the override",
          "[rules][layering]") {
  const std::string xml = RuleSetXml(R"(<include href="base-pack.xml"/>
<override rule="BASE-2"><message>{code} {nope}</message></override>)");
  cr::LoadOptions options;
  options.base_dir = SourcePath("tests/rules/fixtures/layering");
  const cr::LoadResult result = cr::LoadRuleText(xml, "inline.xml", options);
  CHECK_FALSE(result.rule_set);
  CHECK(Issues(result) ==
        Strings{"inline.xml:4:34: message placeholder {nope} is not provided by <units-limit>; "
                "it offers code units max dos age sex"});
}

TEST_CASE("Packs are found by name in the pack directories, else built in",
          "[rules][layering]") {
  const std::string xml = RuleSetXml(R"(<include pack="base-pack"/>)");
  cr::LoadOptions options;
  options.pack_dirs = {SourcePath("tests/rules/no-such-dir"),
                       SourcePath("tests/rules/fixtures/layering")};
  const cr::LoadResult found = cr::LoadRuleText(xml, "inline.xml", options);
  INFO(Issues(found).size());
  REQUIRE(found.rule_set);
  CHECK(found.rule_set->rules.size() == 3);
  CHECK(found.rule_set->sources[1].file == Fixture("base-pack.xml"));

  // The national packs are built into the binary.
  const auto packs = cr::BuiltInPacks();
  CHECK(packs == Strings{"duplicates", "icd10cm-conventions", "mce", "ncci-addon", "ncci-mue",
                         "ncci-ptp", "outpatient-core"});
  const cr::LoadResult built_in =
      cr::LoadRuleText(RuleSetXml(R"(<include pack="duplicates"/>)"), "inline.xml");
  INFO(Issues(built_in).size());
  REQUIRE(built_in.rule_set);
  CHECK(built_in.rule_set->sources[1].file == "pack:duplicates");
  CHECK_FALSE(built_in.rule_set->rules.empty());
}

TEST_CASE("An override that moves a rule's period skips the embedded tests it strands",
          "[rules][layering]") {
  const std::string xml = RuleSetXml(R"(<include href="base-pack.xml"/>
<override rule="BASE-1" effective-from="2025-01-01"/>)");
  cr::LoadOptions options;
  options.base_dir = SourcePath("tests/rules/fixtures/layering");
  const cr::LoadResult result = cr::LoadRuleText(xml, "inline.xml", options);
  REQUIRE(result.rule_set);
  const auto program = cr::Compile(*result.rule_set);
  const auto tests = cr::RunEmbeddedTests(*result.rule_set, *program);
  REQUIRE(tests.size() == 3);
  CHECK(tests[0].rule_id == "BASE-1");
  CHECK(tests[0].skipped);
  CHECK(tests[0].passed);
  CHECK_FALSE(tests[1].skipped);
}

TEST_CASE("Lint reports missing citations and tests, duplicate ids and table problems",
          "[rules][lint]") {
  const std::string xml = RuleSetXml(R"(<rule id="PTP" version="1" title="t" category="c"
  severity="error" disposition="line-deny" claim-types="professional" effective-to="2024-12-31">
<citation>NCCI PTP edits</citation>
<message>{code}</message>
<ncci-ptp/>
</rule>
<rule id="ptp" version="1" title="t" category="c" severity="error" disposition="review">
<citation>   </citation>
<message>m</message>
<patient-check><sex-unknown/></patient-check>
<test name="t"><encounter sex="U" from="2024-08-15"/><expect findings="1"/></test>
</rule>
<rule id="AOC" version="1" title="t" category="c" severity="error" disposition="review">
<citation>NCCI AOC {table}</citation>
<message>{code}</message>
<ncci-addon/>
<test name="t"><encounter sex="U" from="2024-08-15"/><expect findings="0"/></test>
</rule>)");
  const cr::LoadResult loaded = cr::LoadRuleText(xml, "lint.xml");
  REQUIRE(loaded.rule_set);
  const coderaudit::Date run_date = *coderaudit::ParseIsoDate("2025-01-15");
  auto describe = [](const std::vector<cr::LintIssue>& lint) {
    Strings out;
    for (const auto& issue : lint) out.push_back(cr::Describe(issue));
    return out;
  };
  CHECK(describe(cr::Lint(*loaded.rule_set, nullptr, run_date)) ==
        Strings{
            "lint.xml:0:0: info [tables-unchecked]: the rules read reference tables "
            "(ptp-practitioner add-on); give the reference store (--refdata DIR) to check them",
            "lint.xml:4:97: warning [no-tests]: rule PTP has no embedded <test>",
            "lint.xml:4:97: info [rule-ended]: rule PTP version 1 ended on 2024-12-31, before "
            "the run date 2025-01-15",
            "lint.xml:5:11: warning [no-citation]: rule PTP reads reference tables but its "
            "citation does not name the table version: add {table}",
            "lint.xml:9:89: error [no-citation]: rule ptp has no citation: name the manual "
            "section or table it comes from",
            "lint.xml:9:89: warning [duplicate-id]: rule id ptp differs from PTP (in lint.xml) "
            "only in letter case",
        });

  auto tables = std::make_shared<FakeRefData>();
  tables->Table(TableKind::kPtpPractitioner, "2024Q3", "2024-07-01", "2024-09-30");
  CHECK(describe(cr::Lint(*loaded.rule_set, tables.get(), run_date)) ==
        Strings{
            "lint.xml:4:97: warning [no-tests]: rule PTP has no embedded <test>",
            "lint.xml:4:97: info [rule-ended]: rule PTP version 1 ended on 2024-12-31, before "
            "the run date 2025-01-15",
            "lint.xml:5:11: warning [no-citation]: rule PTP reads reference tables but its "
            "citation does not name the table version: add {table}",
            "lint.xml:7:12: warning [expired-table]: no version of table ptp-practitioner is in "
            "force on 2025-01-15 (loaded: 2024Q3 2024-07-01..2024-09-30); rule PTP will not "
            "edit claims dated outside those periods",
            "lint.xml:9:89: error [no-citation]: rule ptp has no citation: name the manual "
            "section or table it comes from",
            "lint.xml:9:89: warning [duplicate-id]: rule id ptp differs from PTP (in lint.xml) "
            "only in letter case",
            "lint.xml:18:14: error [unknown-table]: table add-on, read by rule AOC, is not in "
            "the reference store",
        });

  // A hand-built set can carry the same id and version twice.
  cr::RuleSet copy = *loaded.rule_set;
  copy.rules.push_back(copy.rules[1]);
  bool duplicate = false;
  for (const auto& issue : cr::Lint(copy, nullptr, run_date))
    duplicate |= issue.code == "duplicate-id" && issue.severity == coderaudit::Severity::kError;
  CHECK(duplicate);
}
