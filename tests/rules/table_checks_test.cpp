// The table-backed check kinds against small in-memory tables (FakeRefData): when each
// fires, on which lines, with which values; how tables are chosen and dated. The same
// kinds against the real CMS tables: packs_real_tables_test.cpp.
#include <catch2/catch.hpp>

#include "audit/model/date.hpp"
#include "audit/model/error.hpp"
#include "tests/rules/fake_refdata.hpp"
#include "tests/rules/test_support.hpp"

namespace cr = coderaudit::rules;
using namespace coderaudit::rules::testing;  // test file, not a header
using coderaudit::ClaimType;
using coderaudit::Encounter;
using coderaudit::Finding;
using coderaudit::Sex;
using coderaudit::refdata::MceList;
using coderaudit::refdata::TableKind;
using Strings = std::vector<std::string>;

namespace {

std::shared_ptr<FakeRefData> PtpTables() {
  auto t = std::make_shared<FakeRefData>();
  t->Table(TableKind::kPtpPractitioner, "2024Q3", "2023-01-01", "2024-09-30")
      .Ptp("29881", "29877", 0, "*", "Misuse of Column Two code with Column One code")
      .Ptp("29881", "29875", 1, "*", "More extensive procedure")
      .Ptp("20610", "99213", 1, "*", "Standards of medical / surgical practice")
      .Ptp("0143U", "80305", 0, "2023-06-30", "HCPCS/CPT procedure code definition")
      .Ptp("0143U", "80305", 9, "2023-07-01", "Sequential procedure")
      .Ptp("11042", "97597", 1, "2023-12-31", "Mutually exclusive procedures");
  t->Table(TableKind::kPtpOutpatient, "2024Q3", "2023-01-01", "2024-09-30")
      .Ptp("29881", "29875", 1, "*", "More extensive procedure");
  return t;
}

constexpr std::string_view kPtpRule = R"(<rule id="PTP" version="1" title="t" category="ncci-ptp"
      severity="error" disposition="line-deny" claim-types="professional outpatient">
<citation>NCCI PTP {table}: {rationale}</citation>
<message>{code} is column 2 of {code2} (line {line2}, indicator {indicator}, deleted {deleted}).</message>
<ncci-ptp/>
</rule>)";

Encounter Professional(std::string_view dos, std::vector<coderaudit::CodedLine> lines) {
  Encounter e = MakeEncounter(dos);
  e.lines = std::move(lines);
  return e;
}

}  // namespace

TEST_CASE("ncci-ptp denies the column-2 line of an active pair, indicator 0 is never bypassed",
          "[rules][tables][ptp]") {
  const Loaded loaded = MustLoad(RuleSetXml(kPtpRule), PtpTables());
  const Encounter e = Professional(
      "2024-08-15", {Hcpcs("29877", "59 XS"), Hcpcs("29881", "RT 59"), Dx("M23.221", 1)});
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  REQUIRE(Describe(findings) ==
          Strings{"PTP@1 E1 lines=1 code=29877 code2=29881 dos=2024-08-15 line2=2 indicator=0 "
                  "table=ptp-practitioner 2024Q3"});
  CHECK(findings[0].citation ==
        "NCCI PTP ptp-practitioner 2024Q3: Misuse of Column Two code with Column One code");
  CHECK(findings[0].message == "29877 is column 2 of 29881 (line 2, indicator 0, deleted *).");
}

TEST_CASE("ncci-ptp indicator 1 is bypassed by an NCCI-associated modifier on either line",
          "[rules][tables][ptp]") {
  const Loaded loaded = MustLoad(RuleSetXml(kPtpRule), PtpTables());
  auto run = [&](std::string_view column1_modifiers, std::string_view column2_modifiers) {
    return Run(*loaded.program, Professional("2024-08-15", {Hcpcs("29881", column1_modifiers),
                                                            Hcpcs("29875", column2_modifiers)}));
  };
  const Strings fires{"PTP@1 E1 lines=2 code=29875 code2=29881 dos=2024-08-15 line2=1 "
                      "indicator=1 table=ptp-practitioner 2024Q3"};
  CHECK(run("", "") == fires);
  CHECK(run("76", "") == fires);     // repeat procedure: not an NCCI-associated modifier
  CHECK(run("", "26 TC") == fires);  // professional/technical component: neither
  for (const std::string_view modifier :
       {"E1", "E4", "FA", "F5", "F9", "TA", "T3", "T9", "LT", "RT", "LC", "LD", "LM", "RC", "RI",
        "24", "25", "57", "58", "78", "79", "27", "59", "91", "XE", "XS", "XP", "XU"}) {
    INFO("modifier " << modifier);
    CHECK(run(modifier, "").empty());
    CHECK(run("", modifier).empty());
  }
}

TEST_CASE("ncci-ptp pairs only lines on the same date of service", "[rules][tables][ptp]") {
  const Loaded loaded = MustLoad(RuleSetXml(kPtpRule), PtpTables());
  Encounter e = MakeEncounter("2024-08-15");
  e.through_date = *coderaudit::ParseIsoDate("2024-08-16");
  e.lines = {Hcpcs("20610", "", 1, "2024-08-15"), Hcpcs("99213", "", 1, "2024-08-16"),
             Hcpcs("99213", "", 1, "2024-08-15")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"PTP@1 E1 lines=3 code=99213 code2=20610 dos=2024-08-15 line2=1 indicator=1 "
                "table=ptp-practitioner 2024Q3"});
}

TEST_CASE("ncci-ptp honours deletion dates and skips indicator 9", "[rules][tables][ptp]") {
  const Loaded loaded = MustLoad(RuleSetXml(kPtpRule), PtpTables());
  // Deleted 2023-12-31: the pair still edits services on or before that day.
  CHECK(Run(*loaded.program, Professional("2023-12-31", {Hcpcs("11042"), Hcpcs("97597")})) ==
        Strings{"PTP@1 E1 lines=2 code=97597 code2=11042 dos=2023-12-31 line2=1 indicator=1 "
                "table=ptp-practitioner 2024Q3"});
  CHECK(Run(*loaded.program, Professional("2024-01-01", {Hcpcs("11042"), Hcpcs("97597")})).empty());
  // A pair whose indicator changed: 0 until 2023-06-30, then a 9 row (not applicable).
  // While both rows are active the strictest (0) governs.
  CHECK(Run(*loaded.program, Professional("2023-06-30", {Hcpcs("0143U"), Hcpcs("80305", "59")})) ==
        Strings{"PTP@1 E1 lines=2 code=80305 code2=0143U dos=2023-06-30 line2=1 indicator=0 "
                "table=ptp-practitioner 2024Q3"});
  CHECK(Run(*loaded.program, Professional("2023-07-01", {Hcpcs("0143U"), Hcpcs("80305")})).empty());
  // No table version in force on the date: not judged.
  CHECK(Run(*loaded.program, Professional("2022-12-31", {Hcpcs("29881"), Hcpcs("29877")})).empty());
}

TEST_CASE("ncci-ptp picks the table by claim type and leaves inpatient claims alone",
          "[rules][tables][ptp]") {
  const Loaded loaded = MustLoad(RuleSetXml(kPtpRule), PtpTables());
  Encounter e = Professional("2024-08-15", {Hcpcs("29881"), Hcpcs("29877")});
  CHECK(Run(*loaded.program, e).size() == 1);
  e.claim_type = ClaimType::kOutpatient;  // 29881/29877 is not in the outpatient table here
  CHECK(Run(*loaded.program, e).empty());
  e.lines = {Hcpcs("29881"), Hcpcs("29875")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"PTP@1 E1 lines=2 code=29875 code2=29881 dos=2024-08-15 line2=1 indicator=1 "
                "table=ptp-outpatient 2024Q3"});

  const Loaded all_types = MustLoad(
      RuleSetXml(R"(<rule id="P" version="1" title="t" category="c" severity="error"
  disposition="line-deny"><citation>{table}</citation><message>{code}</message><ncci-ptp/></rule>)"),
      PtpTables());
  e.claim_type = ClaimType::kInpatient;
  CHECK(Run(*all_types.program, e).empty());
}

TEST_CASE("A table-backed rule set does not compile without the tables it reads",
          "[rules][tables]") {
  const cr::LoadResult loaded = cr::LoadRuleText(RuleSetXml(kPtpRule), "test.xml");
  REQUIRE(loaded.rule_set);
  CHECK_THROWS_WITH(cr::Compile(*loaded.rule_set),
                    Catch::Contains("rule PTP (<ncci-ptp>) needs reference tables "
                                    "(ptp-practitioner, ptp-outpatient)") &&
                        Catch::Contains("--refdata"));
  auto partial = std::make_shared<FakeRefData>();
  partial->Table(TableKind::kPtpPractitioner, "2024Q3", "2024-07-01");
  CHECK_THROWS_WITH(cr::Compile(*loaded.rule_set, partial),
                    Catch::Contains("test.xml:7:12: rule PTP (<ncci-ptp>) needs tables that are "
                                    "not loaded: ptp-outpatient"));
  // A rule limited to professional claims needs the practitioner table only.
  std::string professional_only(kPtpRule);
  professional_only.replace(professional_only.find("professional outpatient"), 23, "professional");
  const cr::LoadResult narrower = cr::LoadRuleText(RuleSetXml(professional_only), "test.xml");
  REQUIRE(narrower.rule_set);
  const auto program = cr::Compile(*narrower.rule_set, partial);
  CHECK(program->TablesUsed() == std::vector<TableKind>{TableKind::kPtpPractitioner});
}

namespace {

std::shared_ptr<FakeRefData> MueTables() {
  auto t = std::make_shared<FakeRefData>();
  t->Table(TableKind::kMuePractitioner, "2024Q3", "2024-07-01", "2024-09-30")
      .Mue("11042", 1, 1, "Anatomic Consideration")
      .Mue("20610", 2, 2, "Anatomic Consideration")
      .Mue("96372", 3, 3, "Clinical: Data");
  t->Table(TableKind::kMueOutpatient, "2024Q3", "2024-07-01", "2024-09-30")
      .Mue("96372", 6, 3, "Clinical: Data");
  return t;
}

std::string MueRule(std::string_view id, std::string_view mai, std::string_view disposition) {
  return "<rule id=\"" + std::string(id) +
         "\" version=\"1\" title=\"t\" category=\"ncci-mue\" severity=\"error\" disposition=\"" +
         std::string(disposition) +
         "\" claim-types=\"professional outpatient\">\n<citation>NCCI MUE {table} "
         "({rationale})</citation>\n<message>{code}: {units} units over {max} (MAI "
         "{mai}) on {dos}</message>\n<ncci-mue mai=\"" +
         std::string(mai) + "\"/>\n</rule>\n";
}

}  // namespace

TEST_CASE("ncci-mue MAI 1 compares lines, counting unmodified repeats of a code together",
          "[rules][tables][mue]") {
  const Loaded loaded = MustLoad(RuleSetXml(MueRule("MUE1", "1", "line-deny")), MueTables());
  auto run = [&](std::vector<coderaudit::CodedLine> lines) {
    return Run(*loaded.program, Professional("2024-08-15", std::move(lines)));
  };
  CHECK(run({Hcpcs("11042", "", 1)}).empty());
  CHECK(run({Hcpcs("11042", "", 2)}) ==
        Strings{"MUE1@1 E1 lines=1 code=11042 units=2 max=1 mai=1 dos=2024-08-15 "
                "table=mue-practitioner 2024Q3"});
  // The same code on two lines without a modifier is one line split in two.
  CHECK(run({Hcpcs("11042"), Hcpcs("99213"), Hcpcs("11042")}) ==
        Strings{"MUE1@1 E1 lines=1,3 code=11042 units=2 max=1 mai=1 dos=2024-08-15 "
                "table=mue-practitioner 2024Q3"});
  // With 59/XE/XS/XP/XU/76/77/91 or an anatomic modifier each line is its own (CMS's MUE
  // guidance: "76, 77, anatomic modifiers (e.g., RT, LT, F1, F2), 91, and 59").
  for (const std::string_view modifier :
       {"59", "XE", "XS", "XP", "XU", "76", "77", "91", "RT", "LT", "F1", "T9", "E4", "LC"}) {
    INFO(modifier);
    CHECK(run({Hcpcs("11042"), Hcpcs("11042", modifier)}).empty());
  }
  CHECK(run({Hcpcs("11042"), Hcpcs("11042", "XS", 2)}) ==
        Strings{"MUE1@1 E1 lines=2 code=11042 units=2 max=1 mai=1 dos=2024-08-15 "
                "table=mue-practitioner 2024Q3"});
  CHECK(run({Hcpcs("11042", "RT"), Hcpcs("11042", "LT")}).empty());
  // Modifiers that do not mark a separate service (26, TC, 25) keep the lines together.
  CHECK(run({Hcpcs("11042", "26"), Hcpcs("11042", "TC")}).size() == 1);
  // MAI 2 and 3 codes are other rules' business.
  CHECK(run({Hcpcs("20610", "", 5), Hcpcs("96372", "", 9)}).empty());
}

TEST_CASE("ncci-mue MAI 2 and 3 sum the code's units per date of service, modifiers or not",
          "[rules][tables][mue]") {
  const Loaded loaded = MustLoad(RuleSetXml(MueRule("MUE2", "2", "line-deny") +
                                            MueRule("MUE3", "3", "review")),
                                 MueTables());
  Encounter e = Professional("2024-08-15", {Hcpcs("20610", "RT"), Hcpcs("20610", "LT 59"),
                                            Hcpcs("96372", "", 2), Hcpcs("96372", "76", 2)});
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  REQUIRE(Describe(findings) ==
          Strings{"MUE3@1 E1 lines=3,4 code=96372 units=4 max=3 mai=3 dos=2024-08-15 "
                  "table=mue-practitioner 2024Q3"});
  CHECK(findings[0].disposition == coderaudit::Disposition::kReview);
  CHECK(findings[0].citation == "NCCI MUE mue-practitioner 2024Q3 (Clinical: Data)");

  e.lines.push_back(Hcpcs("20610", "XS"));
  CHECK(Run(*loaded.program, e) ==
        Strings{"MUE2@1 E1 lines=1,2,5 code=20610 units=3 max=2 mai=2 dos=2024-08-15 "
                "table=mue-practitioner 2024Q3",
                "MUE3@1 E1 lines=3,4 code=96372 units=4 max=3 mai=3 dos=2024-08-15 "
                "table=mue-practitioner 2024Q3"});
  // Units on another date do not count; the outpatient table has its own values.
  e.through_date = *coderaudit::ParseIsoDate("2024-08-16");
  e.lines = {Hcpcs("96372", "", 3, "2024-08-15"), Hcpcs("96372", "", 3, "2024-08-16")};
  CHECK(Run(*loaded.program, e).empty());
  e.lines = {Hcpcs("96372", "", 5)};
  e.claim_type = ClaimType::kOutpatient;
  CHECK(Run(*loaded.program, e).empty());
  e.lines = {Hcpcs("96372", "", 7)};
  CHECK(Run(*loaded.program, e) ==
        Strings{"MUE3@1 E1 lines=1 code=96372 units=7 max=6 mai=3 dos=2024-08-15 "
                "table=mue-outpatient 2024Q3"});
}

namespace {

std::shared_ptr<FakeRefData> AddOnTables() {
  auto t = std::make_shared<FakeRefData>();
  t->Table(TableKind::kAddOn, "2024Q3", "2024-07-01", "2024-09-30")
      .AddOn("11042", "11045", 1)
      .AddOn("11043", "11045", 1)
      .AddOn("CCCCC", "0054T", 2)
      .AddOn("22551", "22552", 3)
      .AddOn("22554", "22552", 3);
  return t;
}

constexpr std::string_view kAddOnRules = R"(
<rule id="AOC1" version="1" title="t" category="ncci-aoc" severity="error" disposition="line-deny">
<citation>NCCI add-on {table}</citation><message>{code} type {type} needs one of {primaries}</message>
<ncci-addon types="1"/></rule>
<rule id="AOC23" version="1" title="t" category="ncci-aoc" severity="warning" disposition="review">
<citation>NCCI add-on {table}</citation><message>{code} type {type}: {primaries}</message>
<ncci-addon types="2 3"/></rule>)";

}  // namespace

TEST_CASE("ncci-addon: type 1 needs a listed primary on the same date, 2 is reviewed, 3 is "
          "reviewed when no listed primary is present",
          "[rules][tables][aoc]") {
  const Loaded loaded = MustLoad(RuleSetXml(kAddOnRules), AddOnTables());
  auto run = [&](std::vector<coderaudit::CodedLine> lines) {
    return Run(*loaded.program, Professional("2024-08-15", std::move(lines)));
  };
  CHECK(run({Hcpcs("11043"), Hcpcs("11045")}).empty());
  CHECK(run({Hcpcs("11045")}) == Strings{"AOC1@1 E1 lines=1 code=11045 type=1 dos=2024-08-15 "
                                         "table=add-on 2024Q3"});
  CHECK(run({Hcpcs("11046"), Hcpcs("11045")}).size() == 1);
  CHECK(run({Hcpcs("0054T"), Hcpcs("27447")}) ==
        Strings{"AOC23@1 E1 lines=1 code=0054T type=2 dos=2024-08-15 table=add-on 2024Q3"});
  CHECK(run({Hcpcs("22554"), Hcpcs("22552")}).empty());
  CHECK(run({Hcpcs("22558"), Hcpcs("22552")}) ==
        Strings{"AOC23@1 E1 lines=2 code=22552 type=3 dos=2024-08-15 table=add-on 2024Q3"});

  Encounter e = Professional("2024-08-15", {Hcpcs("11042", "", 1, "2024-08-15"),
                                            Hcpcs("11045", "", 1, "2024-08-16")});
  e.through_date = *coderaudit::ParseIsoDate("2024-08-16");
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  REQUIRE(findings.size() == 1);  // the primary is on another date
  CHECK(findings[0].message == "11045 type 1 needs one of 11042 11043");
}

namespace {

std::shared_ptr<FakeRefData> CodeEditorTables() {
  auto t = std::make_shared<FakeRefData>();
  t->Table(TableKind::kIcd10CmOrder, "FY2025", "2024-10-01", "2025-09-30")
      .IcdCm("E11", false)
      .IcdCm("E119")
      .IcdCm("O80")
      .IcdCm("Z3800")
      .IcdCm("I10")
      .IcdCm("W010XXA");
  t->Table(TableKind::kIcd10PcsOrder, "FY2025", "2024-10-01", "2025-09-30").Pcs("0UT90ZZ");
  t->Table(TableKind::kHcpcs, "2024Q3", "2024-07-01", "2024-09-30").Hcpcs("J1885");
  t->Table(TableKind::kMce, "v42", "2024-10-01", "2025-09-30")
      .Mce(MceList::kNewborn, "Z3800")
      .Mce(MceList::kPediatric, "E840")
      .Mce(MceList::kMaternity, "O80")
      .Mce(MceList::kAdult, "I10")
      .Mce(MceList::kFemaleDx, "O80")
      .Mce(MceList::kMaleDx, "N401")
      .Mce(MceList::kFemalePx, "0UT90ZZ")
      .Mce(MceList::kMalePx, "0VT00ZZ")
      .Mce(MceList::kManifestation, "G632")
      .Mce(MceList::kUnacceptablePrincipal, "Z9989")
      .Mce(MceList::kQuestionableAdmission, "R55")
      .Mce(MceList::kNonSpecificPrincipal, "R69")
      .Mce(MceList::kNonCoveredProcedure, "0W3P8ZZ")
      .Mce(MceList::kLimitedCoverage, "02YA0Z0")
      .Mce(MceList::kNonCoveredOver60, "0SR20JZ")
      .Mce(MceList::kWrongProcedure, "Y6551")
      .Mce(MceList::kNonCoveredLos96Hours, "5A1955Z");
  return t;
}

std::string EditRule(std::string_view edit, std::string_view attributes = "") {
  return "<rule id=\"" + std::string(edit) +
         "\" version=\"1\" title=\"t\" category=\"mce\" severity=\"error\" "
         "disposition=\"return-to-provider\">\n<citation>MCE</citation>\n<message>{code}</message>\n"
         "<code-editor edit=\"" +
         std::string(edit) + "\" " + std::string(attributes) + "/>\n</rule>\n";
}

Encounter Inpatient(std::vector<coderaudit::CodedLine> lines, std::string_view birth = "1980-01-01",
                    Sex sex = Sex::kFemale) {
  Encounter e = MakeEncounter("2025-02-03");
  e.through_date = *coderaudit::ParseIsoDate("2025-02-06");
  e.claim_type = ClaimType::kInpatient;
  e.birth_date = coderaudit::ParseIsoDate(birth);
  e.sex = sex;
  e.lines = std::move(lines);
  return e;
}

}  // namespace

TEST_CASE("code-editor code validity: unknown, header, PCS and HCPCS Level II codes",
          "[rules][tables][mce]") {
  const Loaded loaded = MustLoad(
      RuleSetXml(EditRule("invalid-dx") + EditRule("header-dx") + EditRule("invalid-px") +
                 EditRule("invalid-hcpcs")),
      CodeEditorTables());
  Encounter e = Inpatient({Dx("E11.9", 1), Dx("E11", 2), Dx("E11.99", 3), Pcs("0UT90ZZ", 1),
                           Pcs("0UT90ZX", 2)});
  CHECK(Run(*loaded.program, e) ==
        Strings{"invalid-dx@1 E1 lines=3 code=E11.99 table=icd10cm-order FY2025",
                "header-dx@1 E1 lines=2 code=E11 table=icd10cm-order FY2025",
                "invalid-px@1 E1 lines=5 code=0UT90ZX table=icd10pcs-order FY2025"});
  // Outside every loaded version of the code set: not judged.
  e.from_date = e.through_date = *coderaudit::ParseIsoDate("2025-10-01");
  CHECK(Run(*loaded.program, e).empty());

  Encounter outpatient = Professional("2024-08-15", {Hcpcs("J1885"), Hcpcs("J9999"), Hcpcs("99213")});
  CHECK(Run(*loaded.program, outpatient) ==
        Strings{"invalid-hcpcs@1 E1 lines=2 code=J9999 table=hcpcs 2024Q3"});
}

TEST_CASE("code-editor principal-diagnosis edits", "[rules][tables][mce]") {
  const Loaded loaded = MustLoad(
      RuleSetXml(EditRule("external-cause-principal") + EditRule("duplicate-principal") +
                 EditRule("manifestation-principal") + EditRule("unacceptable-principal") +
                 EditRule("questionable-admission") + EditRule("nonspecific-principal")),
      CodeEditorTables());
  auto run = [&](std::vector<coderaudit::CodedLine> lines) {
    return Run(*loaded.program, Inpatient(std::move(lines)));
  };
  CHECK(run({Dx("W01.0XXA", 1), Dx("S72.001A", 2)}) ==
        Strings{"external-cause-principal@1 E1 lines=1 code=W01.0XXA"});
  CHECK(run({Dx("S72.001A", 1), Dx("W01.0XXA", 2)}).empty());
  CHECK(run({Dx("I10", 1), Dx("E11.9", 2), Dx("I10", 3)}) ==
        Strings{"duplicate-principal@1 E1 lines=3 code=I10 line2=1"});
  CHECK(run({Dx("G63.2", 1)}) ==
        Strings{"manifestation-principal@1 E1 lines=1 code=G63.2 table=mce v42"});
  CHECK(run({Dx("E11.9", 1), Dx("G63.2", 2)}).empty());
  CHECK(run({Dx("Z99.89", 1)}) ==
        Strings{"unacceptable-principal@1 E1 lines=1 code=Z99.89 table=mce v42"});
  CHECK(run({Dx("R55", 1)}) ==
        Strings{"questionable-admission@1 E1 lines=1 code=R55 table=mce v42"});
  CHECK(run({Dx("R69", 1)}) ==
        Strings{"nonspecific-principal@1 E1 lines=1 code=R69 table=mce v42"});
}

TEST_CASE("code-editor age and sex conflicts", "[rules][tables][mce]") {
  const Loaded loaded = MustLoad(
      RuleSetXml(EditRule("age-newborn") + EditRule("age-pediatric") +
                 EditRule("age-maternity", "age-min=\"12\" age-max=\"55\"") +
                 EditRule("age-adult") + EditRule("sex-dx") + EditRule("sex-px")),
      CodeEditorTables());
  // Age 45, female: the newborn and pediatric codes conflict, the adult one does not.
  CHECK(Run(*loaded.program, Inpatient({Dx("Z38.00", 1), Dx("E84.0", 2), Dx("I10", 3)})) ==
        Strings{"age-newborn@1 E1 lines=1 code=Z38.00 age=45 table=mce v42",
                "age-pediatric@1 E1 lines=2 code=E84.0 age=45 table=mce v42"});
  CHECK(Run(*loaded.program, Inpatient({Dx("Z38.00", 1)}, "2025-02-03")).empty());  // age 0
  CHECK(Run(*loaded.program, Inpatient({Dx("I10", 1)}, "2012-01-01")) ==
        Strings{"age-adult@1 E1 lines=1 code=I10 age=13 table=mce v42"});
  // The maternity bounds come from the rule (MCE v37: 12-55).
  CHECK(Run(*loaded.program, Inpatient({Dx("O80", 1)}, "1969-01-01")) ==
        Strings{"age-maternity@1 E1 lines=1 code=O80 age=56 table=mce v42"});
  CHECK(Run(*loaded.program, Inpatient({Dx("O80", 1)}, "1970-01-01")).empty());
  // Sex: female-only codes on a male, male-only codes on a female; unknown sex never.
  CHECK(Run(*loaded.program,
            Inpatient({Dx("O80", 1), Dx("N40.1", 2), Pcs("0UT90ZZ", 1)}, "1980-01-01",
                      Sex::kMale)) ==
        Strings{"sex-dx@1 E1 lines=1 code=O80 sex=M list=female-only table=mce v42",
                "sex-px@1 E1 lines=3 code=0UT90ZZ sex=M list=female-only table=mce v42"});
  CHECK(Run(*loaded.program,
            Inpatient({Dx("O80", 1), Dx("N40.1", 2), Pcs("0VT00ZZ", 1)}, "1980-01-01",
                      Sex::kFemale)) ==
        Strings{"sex-dx@1 E1 lines=2 code=N40.1 sex=F list=male-only table=mce v42",
                "sex-px@1 E1 lines=3 code=0VT00ZZ sex=F list=male-only table=mce v42"});
  CHECK(Run(*loaded.program,
            Inpatient({Dx("O80", 1), Dx("N40.1", 2)}, "1980-01-01", Sex::kUnknown))
            .empty());
}

TEST_CASE("code-editor non-covered for age over 60, wrong procedure, ventilation on short stays",
          "[rules][tables][mce]") {
  const Loaded loaded = MustLoad(RuleSetXml(EditRule("non-covered-over-60") +
                                            EditRule("wrong-procedure") +
                                            EditRule("non-covered-los-96h")),
                                 CodeEditorTables());
  // Admitted 2025-02-03, discharged 2025-02-06: 3 days.
  Encounter e = Inpatient({Dx("M51.36", 1), Dx("Y65.51", 2), Pcs("0SR20JZ", 1), Pcs("5A1955Z", 2)},
                          "1960-01-01");
  CHECK(Run(*loaded.program, e) ==
        Strings{"non-covered-over-60@1 E1 lines=3 code=0SR20JZ age=65 table=mce v42",
                "wrong-procedure@1 E1 lines=2 code=Y65.51 table=mce v42",
                "non-covered-los-96h@1 E1 lines=4 code=5A1955Z los=3 table=mce v42"});
  e.birth_date = coderaudit::ParseIsoDate("1964-02-03");  // 61 on admission: still over 60
  CHECK(Run(*loaded.program, e).size() == 3);
  e.birth_date = coderaudit::ParseIsoDate("1964-02-04");  // 60
  e.through_date = *coderaudit::ParseIsoDate("2025-02-07");  // 4 days
  CHECK(Run(*loaded.program, e) == Strings{"wrong-procedure@1 E1 lines=2 code=Y65.51 table=mce v42"});
}

TEST_CASE("code-editor procedure coverage and patient-level edits", "[rules][tables][mce]") {
  const Loaded loaded = MustLoad(
      RuleSetXml(EditRule("non-covered-procedure") + EditRule("limited-coverage") +
                 EditRule("invalid-age") + EditRule("invalid-sex") +
                 EditRule("invalid-discharge-status")),
      CodeEditorTables());
  Encounter e = Inpatient({Dx("I10", 1), Pcs("0W3P8ZZ", 1), Pcs("02YA0Z0", 2), Pcs("0UT90ZZ", 3)});
  e.discharge_status = "01";
  CHECK(Run(*loaded.program, e) ==
        Strings{"non-covered-procedure@1 E1 lines=2 code=0W3P8ZZ table=mce v42",
                "limited-coverage@1 E1 lines=3 code=02YA0Z0 table=mce v42"});
  e.lines = {Dx("I10", 1)};
  e.birth_date = coderaudit::ParseIsoDate("1890-01-01");
  e.sex = Sex::kUnknown;
  e.discharge_status = "08";
  CHECK(Run(*loaded.program, e) == Strings{"invalid-age@1 E1 lines= age=135",
                                           "invalid-sex@1 E1 lines= sex=U",
                                           "invalid-discharge-status@1 E1 lines= status=08"});
  e.birth_date.reset();
  e.sex = Sex::kMale;
  e.discharge_status.clear();  // not reported is not invalid
  CHECK(Run(*loaded.program, e) == Strings{"invalid-age@1 E1 lines= age=unknown"});
}

namespace {

std::shared_ptr<FakeRefData> ConventionTables() {
  auto t = std::make_shared<FakeRefData>();
  t->Table(TableKind::kIcd10CmTabular, "FY2021", "2020-10-01", "2021-09-30")
      .Excludes1("E11", {"E10", "O24", "E08-E09"})
      .CodeFirst("G63", {"E08-E13", "A52"});
  t->Table(TableKind::kPoaExempt, "FY2026", "2025-10-01", "2026-09-30").PoaExempt("Z3800");
  t->Table(TableKind::kMce, "v41", "2023-10-01", "2024-09-30").Mce(MceList::kManifestation, "G63");
  return t;
}

std::string ConventionRule(std::string_view convention, std::string_view disposition = "review",
                           std::string_view attributes = "") {
  return "<rule id=\"" + std::string(convention) +
         "\" version=\"1\" title=\"t\" category=\"icd10cm\" severity=\"warning\" disposition=\"" +
         std::string(disposition) +
         "\">\n<citation>ICD-10-CM {table}</citation>\n<message>{code}</message>\n"
         "<icd10cm-convention convention=\"" +
         std::string(convention) + "\" " + std::string(attributes) + "/>\n</rule>\n";
}

}  // namespace

TEST_CASE("icd10cm-convention excludes1 fires once per pair, on both lines",
          "[rules][tables][icd10cm]") {
  const Loaded loaded = MustLoad(RuleSetXml(ConventionRule("excludes1")), ConventionTables());
  Encounter e = Inpatient({Dx("E11.9", 1), Dx("I10", 2), Dx("E10.9", 3), Dx("E09.9", 4)});
  CHECK(Run(*loaded.program, e) ==
        Strings{"excludes1@1 E1 lines=1,3 code=E11.9 code2=E10.9 table=icd10cm-tabular FY2021",
                "excludes1@1 E1 lines=1,4 code=E11.9 code2=E09.9 table=icd10cm-tabular FY2021"});
  // Reversed order: the note of either code counts.
  e.lines = {Dx("O24.419", 1), Dx("E11.65", 2)};
  CHECK(Run(*loaded.program, e).size() == 1);
  e.lines = {Dx("E11.9", 1), Dx("E11.65", 2)};  // same category: never self-excluded
  CHECK(Run(*loaded.program, e).empty());
}

TEST_CASE("icd10cm-convention excludes1 reads ranges whose bounds differ in length",
          "[rules][tables][icd10cm]") {
  // The notes as the FY2021 tabular writes them (Q61.4, T88.7, R87.7).
  auto tables = std::make_shared<FakeRefData>();
  tables->Table(TableKind::kIcd10CmTabular, "FY2021", "2020-10-01", "2021-09-30")
      .Excludes1("Q614", {"Q6111-Q613"})
      .Excludes1("T887", {"A00-R94", "T80-T886", "T888"})
      .Excludes1("R877", {"D06-D073"});
  const Loaded loaded = MustLoad(RuleSetXml(ConventionRule("excludes1")), tables);
  auto pairs = [&](const char* first, const char* second) {
    return Run(*loaded.program, Inpatient({Dx(first, 1), Dx(second, 2)})).size();
  };
  CHECK(pairs("Q61.4", "Q61.3") == 1);
  CHECK(pairs("Q61.4", "Q61.2") == 1);
  CHECK(pairs("Q61.4", "Q61.19") == 1);
  CHECK(pairs("Q61.4", "Q61.5") == 0);
  // T80-T88.6 does not reach T88.7 itself, so the note is not read as self-excluding.
  CHECK(pairs("T88.7XXA", "T86.11") == 1);
  CHECK(pairs("T88.7XXA", "T88.8XXA") == 1);
  CHECK(pairs("R87.7", "D07.30") == 1);
  CHECK(pairs("R87.7", "D07.5") == 0);  // prostate: past D07.3
}

TEST_CASE("icd10cm-convention code-first wants the etiology sequenced before the manifestation",
          "[rules][tables][icd10cm]") {
  const Loaded loaded = MustLoad(RuleSetXml(ConventionRule("code-first")), ConventionTables());
  auto run = [&](std::vector<coderaudit::CodedLine> lines) {
    return Run(*loaded.program, Inpatient(std::move(lines)));
  };
  CHECK(run({Dx("E11.42", 1), Dx("G63", 2)}).empty());
  CHECK(run({Dx("I10", 1), Dx("G63", 2)}) ==
        Strings{"code-first@1 E1 lines=2 code=G63 etiology=missing table=icd10cm-tabular FY2021"});
  CHECK(run({Dx("G63", 1), Dx("E11.42", 2)}) ==
        Strings{"code-first@1 E1 lines=1 code=G63 etiology=after line2=2 "
                "table=icd10cm-tabular FY2021"});
}

TEST_CASE("icd10cm-convention code-first checks manifestation codes unless told codes=\"all\"",
          "[rules][tables][icd10cm]") {
  auto tables = ConventionTables();
  tables->Table(TableKind::kIcd10CmTabular, "FY2022", "2021-10-01", "2022-09-30")
      .CodeFirst("G63", {"E08-E13"})
      .CodeFirst("J18", {"J09-J11"});  // "code first associated influenza, if applicable"
  const Loaded manifestations = MustLoad(RuleSetXml(ConventionRule("code-first")), tables);
  const Loaded all = MustLoad(RuleSetXml(ConventionRule("code-first", "review", "codes=\"all\"")),
                              tables);
  // Discharged in FY2025, outside every MCE period: the newest MCE list (v41) says
  // whether G63 is a manifestation; the newest tabular (FY2022) answers for the notes.
  const Encounter e = Inpatient({Dx("J18.9", 1), Dx("G63", 2)});
  CHECK(Run(*manifestations.program, e) ==
        Strings{"code-first@1 E1 lines=2 code=G63 etiology=missing table=icd10cm-tabular FY2022"});
  CHECK(Run(*all.program, e) ==
        Strings{"code-first@1 E1 lines=1 code=J18.9 etiology=missing table=icd10cm-tabular FY2022",
                "code-first@1 E1 lines=2 code=G63 etiology=missing table=icd10cm-tabular FY2022"});
  CHECK(IssueTexts(RuleSetXml(ConventionRule("poa", "review", "codes=\"all\""))) ==
        Strings{"6:51: codes applies to convention=\"code-first\" only"});
}

TEST_CASE("icd10cm-convention poa: inpatient diagnoses need POA unless exempt",
          "[rules][tables][icd10cm]") {
  const Loaded loaded = MustLoad(RuleSetXml(ConventionRule("poa", "return-to-provider")),
                                 ConventionTables());
  Encounter e = Inpatient({Dx("I10", 1, 'Y'), Dx("E11.9", 2), Dx("Z38.00", 3), Dx("R55", 4, 'W')});
  e.from_date = *coderaudit::ParseIsoDate("2025-11-02");
  e.through_date = *coderaudit::ParseIsoDate("2025-11-04");
  CHECK(Run(*loaded.program, e) ==
        Strings{"poa@1 E1 lines=2 code=E11.9 table=poa-exempt FY2026"});
  e.claim_type = ClaimType::kOutpatient;  // POA is an inpatient concept
  CHECK(Run(*loaded.program, e).empty());
}

TEST_CASE("The tabular's notes are used outside their fiscal year, citing that version",
          "[rules][tables][icd10cm]") {
  const Loaded loaded = MustLoad(RuleSetXml(ConventionRule("excludes1")), ConventionTables());
  Encounter e = Inpatient({Dx("E11.9", 1), Dx("E10.9", 2)});  // discharged in FY2025
  CHECK(Run(*loaded.program, e) ==
        Strings{"excludes1@1 E1 lines=1,2 code=E11.9 code2=E10.9 table=icd10cm-tabular FY2021"});
}

TEST_CASE("duplicate-services: exact duplicates and suspects, repeat modifiers respected",
          "[rules][checks][duplicates]") {
  const Loaded loaded = MustLoad(RuleSetXml(R"(
<rule id="DUP-EXACT" version="1" title="t" category="duplicate" severity="error" disposition="line-reject">
<citation>c</citation><message>{code} repeats line {first_line}</message>
<duplicate-services match="exact"/></rule>
<rule id="DUP-SUSPECT" version="1" title="t" category="duplicate" severity="warning" disposition="suspend">
<citation>c</citation><message>{code} like line {first_line} but {differs}</message>
<duplicate-services match="suspect" window-days="1"/></rule>)"));
  auto line = [](std::string_view code, std::string_view modifiers, std::string_view dos,
                 int64_t cents, std::string_view pos = "") {
    auto l = Hcpcs(code, modifiers, 1, dos);
    l.charge_cents = cents;
    if (!pos.empty()) l.place_of_service = coderaudit::Code::Of(pos);
    return l;
  };
  Encounter e = MakeEncounter("2024-08-15");
  e.through_date = *coderaudit::ParseIsoDate("2024-08-20");
  e.place_of_service = "11";
  e.lines = {line("96372", "", "2024-08-15", 4500),        // 1
             line("96372", "", "2024-08-15", 4500),        // 2 exact of 1
             line("96372", "", "2024-08-15", 4500, "22"),  // 3 suspect: place of service
             line("96372", "76", "2024-08-15", 4500),      // 4 repeat: legitimate
             line("80053", "", "2024-08-15", 3000),        // 5
             line("80053", "", "2024-08-15", 3200),        // 6 suspect: charge
             line("80053", "", "2024-08-16", 3000),        // 7 suspect: date within a day
             line("80053", "", "2024-08-20", 3000),        // 8 outside the window
             line("73560", "RT", "2024-08-15", 9000),      // 9
             line("73560", "LT", "2024-08-15", 9000)};     // 10 RT/LT: not duplicates
  CHECK(Run(*loaded.program, e) ==
        Strings{"DUP-EXACT@1 E1 lines=2 code=96372 dos=2024-08-15 first_line=1",
                "DUP-SUSPECT@1 E1 lines=3 code=96372 dos=2024-08-15 first_line=1 "
                "differs=place-of-service",
                "DUP-SUSPECT@1 E1 lines=6 code=80053 dos=2024-08-15 first_line=5 differs=charge",
                "DUP-SUSPECT@1 E1 lines=7 code=80053 dos=2024-08-16 first_line=5 differs=dos"});
}

TEST_CASE("inpatient-only fires on listed procedures by the list in force",
          "[rules][tables][ioce]") {
  auto tables = std::make_shared<FakeRefData>();
  tables->Table(TableKind::kInpatientOnly, "2024", "2024-01-01", "2024-12-31")
      .InpatientOnly("33510")
      .InpatientOnly("27447");
  tables->Table(TableKind::kInpatientOnly, "2025", "2025-01-01", "2025-12-31").InpatientOnly("33510");
  const Loaded loaded = MustLoad(RuleSetXml(R"(
<rule id="IPO" version="1" title="t" category="ioce" severity="error" disposition="claim-deny"
      claim-types="outpatient">
<citation>Inpatient-only list {table}</citation><message>{code} on {dos}</message>
<inpatient-only/></rule>)"),
                                 tables);
  Encounter e = Professional("2024-08-15", {Hcpcs("27447"), Hcpcs("99213"), Hcpcs("33510")});
  e.claim_type = ClaimType::kOutpatient;
  CHECK(Run(*loaded.program, e) ==
        Strings{"IPO@1 E1 lines=1 code=27447 dos=2024-08-15 table=inpatient-only 2024",
                "IPO@1 E1 lines=3 code=33510 dos=2024-08-15 table=inpatient-only 2024"});
  e.from_date = e.through_date = *coderaudit::ParseIsoDate("2025-03-01");
  CHECK(Run(*loaded.program, e) ==
        Strings{"IPO@1 E1 lines=3 code=33510 dos=2025-03-01 table=inpatient-only 2025"});
  e.claim_type = ClaimType::kInpatient;
  CHECK(Run(*loaded.program, e).empty());
}

TEST_CASE("Table-backed kinds refuse malformed attributes with positions", "[rules][tables]") {
  auto issues = [](std::string_view check) {
    return IssueTexts(RuleSetXml(RuleXml("R", check)));
  };
  CHECK(issues(R"(<ncci-ptp setting="dme"/>)") ==
        Strings{"6:26: setting must be by-claim-type, practitioner or outpatient-hospital"});
  CHECK(issues(R"(<code-editor edit="sex-dx" age-min="3"/>)") ==
        Strings{"6:41: age-min and age-max apply to the age edits only"});
  CHECK(issues(R"(<code-editor edit="age-adult" age-min="30" age-max="20"/>)") ==
        Strings{"6:58: age-min is above age-max"});
  CHECK(issues(R"(<duplicate-services match="exact" window-days="2"/>)") ==
        Strings{"6:52: window-days applies to match=\"suspect\" only"});
  CHECK(issues(R"(<code-editor edit="no-such-edit"/>)").size() == 1);  // schema enumeration
}
