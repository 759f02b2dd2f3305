// The national packs (rules/packs/*.xml): each loads, lints clean, and passes its
// embedded tests on the pack sample tables (always) and on the real CMS/CDC tables of
// ../shared/data (when present); the sample tables answer exactly as the real ones; and
// hand-checked findings on real code pairs, limits and lists.
#include <catch2/catch.hpp>
#include <filesystem>

#include "audit/model/date.hpp"
#include "rules/built_in_packs.hpp"
#include "rules/rule_set.hpp"
#include "tests/rules/pack_tables.hpp"
#include "tests/rules/test_support.hpp"

namespace cr = coderaudit::rules;
using namespace coderaudit::rules::testing;  // test file, not a header
using coderaudit::ClaimType;
using coderaudit::Encounter;
using coderaudit::Finding;
using coderaudit::Sex;
using Strings = std::vector<std::string>;

namespace {

const Strings kPacks{"ncci-ptp", "ncci-mue", "ncci-addon", "mce", "icd10cm-conventions",
                     "duplicates", "outpatient-core"};

std::shared_ptr<const cr::RuleSet> LoadPack(const std::string& name) {
  const cr::LoadResult result = cr::LoadRuleFile(SourcePath("rules/packs/" + name + ".xml"));
  std::string issues;
  for (const auto& issue : result.issues) issues += coderaudit::Describe(issue) + "\n";
  INFO(issues);
  REQUIRE(result.rule_set);
  return result.rule_set;
}

// Every embedded test of the pack, on these tables.
void RunPackTests(const std::string& name, std::shared_ptr<const coderaudit::refdata::RefData> tables) {
  const auto set = LoadPack(name);
  const auto program = cr::Compile(*set, tables);
  const auto results = cr::RunEmbeddedTests(*set, *program);
  CHECK(results.size() >= set->rules.size());
  for (const auto& result : results) {
    INFO(name << ": " << result.rule_id << " / " << result.test_name << ": " << result.detail);
    CHECK(result.passed);
    CHECK_FALSE(result.skipped);
  }
}

Strings FindingsOf(const cr::RuleProgram& program, const Encounter& encounter) {
  std::vector<Finding> findings;
  program.Evaluate(encounter, findings);
  Strings out;
  for (const auto& f : findings) out.push_back(coderaudit::Describe(f) + " | " + f.citation);
  return out;
}

Encounter Claim(ClaimType type, std::string_view from, std::string_view through,
                std::vector<coderaudit::CodedLine> lines, std::string_view birth = "1960-01-01",
                Sex sex = Sex::kFemale) {
  Encounter e = MakeEncounter(from);
  e.through_date = *coderaudit::ParseIsoDate(through);
  e.claim_type = type;
  e.birth_date = coderaudit::ParseIsoDate(birth);
  e.sex = sex;
  e.lines = std::move(lines);
  return e;
}

}  // namespace

TEST_CASE("Every pack is built in, cites its sources and has tests for every rule",
          "[rules][packs]") {
  Strings built_in = cr::BuiltInPacks();
  Strings expected = kPacks;
  std::sort(expected.begin(), expected.end());
  CHECK(built_in == expected);
  for (const auto& name : kPacks) {
    INFO(name);
    const auto set = LoadPack(name);
    CHECK(set->id == name);
    CHECK_FALSE(set->rules.empty());
    // The built-in copy is the file.
    for (const auto& pack : coderaudit::embedded::BuiltInPackTable())
      if (pack.name == name) CHECK(pack.bytes() == ReadFile(SourcePath("rules/packs/" + name + ".xml")));
    // Lint with the pack tables: no errors; the only warnings are tables whose periods do
    // not cover the run date (the packs' tables span FY2020 to FY2026).
    const auto lint = cr::Lint(*set, PackSampleTables().get(), *coderaudit::ParseIsoDate("2024-08-15"));
    for (const auto& issue : lint) {
      INFO(cr::Describe(issue));
      CHECK(issue.severity != coderaudit::Severity::kError);
      if (issue.severity == coderaudit::Severity::kWarning) CHECK(issue.code == "expired-table");
    }
    for (const auto& rule : set->rules) {
      INFO(rule.id);
      CHECK_FALSE(rule.tests.empty());
      CHECK(rule.citation.size() > 20);
    }
  }
}

TEST_CASE("Every pack's embedded tests pass on the pack sample tables", "[rules][packs]") {
  const auto tables = PackSampleTables();
  for (const auto& name : kPacks) {
    DYNAMIC_SECTION(name) { RunPackTests(name, tables); }
  }
}

// One test case, one import of the real tables per process (ctest runs each test case
// in a process of its own): about 10 s, most of it the two PTP files (4.3 million pairs).
TEST_CASE("The packs on the real tables of ../shared/data", "[rules][packs][shared]") {
  const auto tables = SharedTables();
  if (!tables) {
    WARN("../shared/data is absent (" << SharedDataDir() << "): real-table pack tests skipped");
    return;
  }
  SECTION("Every pack's embedded tests pass on the real tables of ../shared/data") {
    for (const auto& name : kPacks) {
      DYNAMIC_SECTION(name) { RunPackTests(name, tables); }
    }
  }
  SECTION("The pack sample tables answer every pack test exactly as the real tables do") {
    const auto sample = PackSampleTables();
    for (const auto& name : kPacks) {
      const auto set = LoadPack(name);
      const auto on_sample = cr::Compile(*set, sample);
      const auto on_real = cr::Compile(*set, tables);
      for (const auto& rule : set->rules)
        for (const auto& test : rule.tests) {
          INFO(name << ": " << rule.id << " / " << test.name);
          CHECK(FindingsOf(*on_sample, test.encounter) == FindingsOf(*on_real, test.encounter));
        }
    }
  }
  SECTION("Real NCCI tables: PTP indicators 0, 1 and 9, deletion dates, rationale and version") {
    const auto program = cr::Compile(*LoadPack("ncci-ptp"), tables);
    // 29881/29877: active row with indicator 0 (and an old indicator-9 row deleted 2002-01-01).
    CHECK(FindingsOf(*program, Claim(ClaimType::kProfessional, "2024-08-15", "2024-08-15",
                                     {Hcpcs("29881", "RT"), Hcpcs("29877", "RT XS")})) ==
          Strings{"NCCI-PTP-001@1 E1 lines=2 code=29877 code2=29881 dos=2024-08-15 line2=1 "
                  "indicator=0 table=ptp-practitioner 2024Q3 | CMS NCCI PTP edits, practitioner "
                  "table ptp-practitioner 2024Q3 (pack tested on 2024Q3); NCCI Policy Manual ch. I "
                  "§ E; rationale: Misuse of Column Two code with Column One code"});
    // 29881/29875: indicator 1, "More extensive procedure"; the outpatient table has it too.
    const Encounter outpatient = Claim(ClaimType::kOutpatient, "2024-08-15", "2024-08-15",
                                       {Hcpcs("29881"), Hcpcs("29875")});
    CHECK(FindingsOf(*program, outpatient) ==
          Strings{"NCCI-PTP-002@1 E1 lines=2 code=29875 code2=29881 dos=2024-08-15 line2=1 "
                  "indicator=1 table=ptp-outpatient 2024Q3 | CMS NCCI PTP edits, outpatient "
                  "hospital table ptp-outpatient 2024Q3 (pack tested on 2024Q3); NCCI Policy "
                  "Manual ch. I § E; rationale: More extensive procedure"});
    // 0143U/80305: indicator 0 row deleted 2023-06-30, indicator 9 row deleted 2023-07-01.
    auto pair_on = [&](std::string_view dos) {
      return FindingsOf(*program, Claim(ClaimType::kProfessional, dos, dos,
                                        {Hcpcs("0143U"), Hcpcs("80305")}));
    };
    CHECK(pair_on("2023-06-30").size() == 1);
    CHECK(pair_on("2023-07-01").empty());
    CHECK(pair_on("2024-08-15").empty());
    // After the table's quarter: not judged (no version in force).
    CHECK(FindingsOf(*program, Claim(ClaimType::kProfessional, "2024-10-01", "2024-10-01",
                                     {Hcpcs("29881"), Hcpcs("29877")}))
              .empty());
  }
  SECTION("Real NCCI tables: MUE values and adjudication indicators") {
    const auto program = cr::Compile(*LoadPack("ncci-mue"), tables);
    const Encounter e = Claim(ClaimType::kProfessional, "2024-08-15", "2024-08-15",
                              {Hcpcs("G0514", "", 2), Hcpcs("27447", "RT"), Hcpcs("27447", "LT"),
                               Hcpcs("96372", "", 5), Hcpcs("J1885", "", 8)});
    CHECK(FindingsOf(*program, e) ==
          Strings{"NCCI-MUE-001@2 E1 lines=1 code=G0514 units=2 max=1 mai=1 dos=2024-08-15 "
                  "table=mue-practitioner 2024Q3 | CMS NCCI MUE table mue-practitioner 2024Q3, "
                  "MAI 1 line edit (pack tested on 2024Q3); MUE rationale: Clinical: CMS Workgroup",
                  "NCCI-MUE-002@1 E1 lines=2,3 code=27447 units=2 max=1 mai=2 dos=2024-08-15 "
                  "table=mue-practitioner 2024Q3 | CMS NCCI MUE table mue-practitioner 2024Q3, "
                  "MAI 2 date-of-service edit: policy (pack tested on 2024Q3); MUE rationale: "
                  "CMS Policy",
                  "NCCI-MUE-003@1 E1 lines=4 code=96372 units=5 max=4 mai=3 dos=2024-08-15 "
                  "table=mue-practitioner 2024Q3 | CMS NCCI MUE table mue-practitioner 2024Q3, "
                  "MAI 3 date-of-service edit: clinical (pack tested on 2024Q3); MUE rationale: "
                  "Clinical: Data"});
  }
  SECTION("Real NCCI tables: add-on code types 1, 2 and 3") {
    const auto program = cr::Compile(*LoadPack("ncci-addon"), tables);
    std::vector<Finding> findings;
    program->Evaluate(Claim(ClaimType::kProfessional, "2024-08-15", "2024-08-15",
                            {Hcpcs("64484"), Hcpcs("99100"), Hcpcs("88300"), Hcpcs("88311")}),
                      findings);
    REQUIRE(coderaudit::rules::testing::Describe(findings) ==
            Strings{"NCCI-AOC-001@1 E1 lines=1 code=64484 type=1 dos=2024-08-15 table=add-on 2024Q3",
                    "NCCI-AOC-002@1 E1 lines=2 code=99100 type=2 dos=2024-08-15 table=add-on 2024Q3",
                    "NCCI-AOC-003@1 E1 lines=4 code=88311 type=3 dos=2024-08-15 table=add-on 2024Q3"});
    CHECK(findings[0].message ==
          "Add-on code 64484 on 2024-08-15 has none of its primary codes on the claim that day "
          "(64483).");
    CHECK(findings[2].message ==
          "Add-on code 88311 on 2024-08-15 has none of its listed primaries (17311 17313 88302 "
          "88304 88305 ... (7 codes)): confirm the primary procedure.");
  }
  SECTION("Real MCE, ICD-10 and POA tables: every MCE edit and the conventions") {
    const auto mce = cr::Compile(*LoadPack("mce"), tables);
    auto ids = [](const Strings& findings) {
      Strings out;
      for (const auto& f : findings) out.push_back(f.substr(0, f.find(' ')));
      return out;
    };
    // The CMS MCE release v43.1 (its own dates per code). FY2024: a 70-year-old man with
    // a maternity code, a newborn code and a manifestation code as principal.
    Encounter e = Claim(ClaimType::kInpatient, "2024-03-01", "2024-03-04",
                        {Dx("D63.1", 1, 'Y'), Dx("O80", 2, 'Y'), Dx("Z38.00", 3, 'Y'),
                         Dx("D63.1", 4, 'Y')},
                        "1953-06-01", Sex::kMale);
    e.discharge_status = "01";
    CHECK(ids(FindingsOf(*mce, e)) ==
          Strings{"MCE-DUP-PRINCIPAL@2", "MCE-AGE@3", "MCE-AGE@3", "MCE-SEX@3",
                  "MCE-MANIFESTATION@2"});
    // FY2020: questionable admission, wrong procedure, coverage and length-of-stay edits;
    // the lumbar disc replacement is not covered over 60.
    e = Claim(ClaimType::kInpatient, "2020-03-01", "2020-03-03",
              {Dx("I10", 1, 'Y'), Dx("Y65.51", 2), Pcs("00F3XZZ", 1), Pcs("02HA0QZ", 2),
               Pcs("5A1955Z", 3), Pcs("0SR20JZ", 4), Pcs("0UT90ZZ", 5)},
              "1950-01-01", Sex::kMale);
    e.discharge_status = "01";
    CHECK(ids(FindingsOf(*mce, e)) ==
          Strings{"MCE-SEX@3", "MCE-QUESTIONABLE@3", "MCE-WRONG-PROCEDURE@2", "MCE-NONCOVERED@2",
                  "MCE-NONCOVERED@2", "MCE-LIMITED-COVERAGE@3", "MCE-LOS@2"});
    e.lines = {Dx("Z99.89", 1)};
    CHECK(ids(FindingsOf(*mce, e)) == Strings{"MCE-UNACCEPTABLE@2"});
    // B88.0 valid in FY2025, a header from FY2026; B88.01 new in FY2026.
    e = Claim(ClaimType::kInpatient, "2025-02-03", "2025-02-05",
              {Dx("B88.0", 1, 'Y'), Dx("B88.01", 2, 'Y')});
    e.discharge_status = "01";
    auto without_citation = [](const Strings& findings) {
      Strings out;
      for (const auto& f : findings) out.push_back(f.substr(0, f.find(" | ")));
      return out;
    };
    CHECK(without_citation(FindingsOf(*mce, e)) ==
          Strings{"MCE-INVALID-CODE@2 E1 lines=2 code=B88.01 position=secondary "
                  "table=mce-release v43.1"});
    e.from_date = *coderaudit::ParseIsoDate("2025-11-03");
    e.through_date = *coderaudit::ParseIsoDate("2025-11-05");
    CHECK(without_citation(FindingsOf(*mce, e)) ==
          Strings{"MCE-INVALID-CODE@2 E1 lines=1 code=B88.0 position=principal "
                  "table=mce-release v43.1"});

    const auto conventions = cr::Compile(*LoadPack("icd10cm-conventions"), tables);
    e = Claim(ClaimType::kInpatient, "2025-11-03", "2025-11-05",
              {Dx("K50.90", 1, 'Y'), Dx("K51.90", 2), Dx("D63.1", 3, 'N'), Dx("Z79.01", 4)});
    CHECK(FindingsOf(*conventions, e) ==
          Strings{"ICD-EXCLUDES1@1 E1 lines=1,2 code=K50.90 code2=K51.90 table=icd10cm-tabular "
                  "FY2021 | ICD-10-CM Official Guidelines I.A.12.a (Excludes1: never coded "
                  "together, except unrelated conditions); tabular icd10cm-tabular FY2021",
                  "ICD-CODE-FIRST@1 E1 lines=3 code=D63.1 etiology=missing table=icd10cm-tabular "
                  "FY2021 | ICD-10-CM Official Guidelines I.A.13 (etiology/manifestation "
                  "convention: code first the underlying condition); tabular icd10cm-tabular FY2021",
                  "ICD-POA@1 E1 lines=2 code=K51.90 table=poa-exempt FY2026 | ICD-10-CM Official "
                  "Guidelines Appendix I (POA reporting) and the CMS POA-exempt list poa-exempt "
                  "FY2026"});
  }
}

TEST_CASE("A facility rule set layers over every national pack", "[rules][packs][layering]") {
  const cr::LoadResult result = cr::LoadRuleFile(SourcePath("samples/packs/facility-national.xml"));
  std::string issues;
  for (const auto& issue : result.issues) issues += coderaudit::Describe(issue) + "\n";
  INFO(issues);
  REQUIRE(result.rule_set);
  const cr::RuleSet& set = *result.rule_set;
  CHECK(set.sources.size() == 8);
  const auto summary = cr::Summarize(set);
  size_t national = 0;
  for (const auto& rule : summary) national += rule.source.starts_with("pack:") ? 1 : 0;
  CHECK(national + 1 == summary.size());  // every pack rule but the disabled, plus one own rule
  CHECK(summary.back().source == SourcePath("samples/packs/facility-national.xml"));
  const auto disabled = cr::SummarizeDisabled(set);
  REQUIRE(disabled.size() == 1);
  CHECK(disabled[0].id == "DUP-SUSPECT");
  bool overridden = false;
  for (const auto& rule : summary)
    if (rule.id == "NCCI-AOC-002") {
      overridden = true;
      CHECK(rule.disposition == "info");
      CHECK(rule.overrides.size() == 3);
    }
  CHECK(overridden);

  const auto program = cr::Compile(set, PackSampleTables());
  for (const auto& test : cr::RunEmbeddedTests(set, *program)) {
    INFO(test.rule_id << " / " << test.test_name << ": " << test.detail);
    CHECK(test.passed);
  }
  const auto lint = cr::Lint(set, PackSampleTables().get(), *coderaudit::ParseIsoDate("2024-08-15"));
  for (const auto& issue : lint) {
    INFO(cr::Describe(issue));
    CHECK(issue.severity != coderaudit::Severity::kError);
  }
}
