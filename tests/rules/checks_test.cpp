// Each check kind: when it fires, on which lines, with which values and message.
#include <catch2/catch.hpp>

#include "audit/model/date.hpp"
#include "tests/rules/test_support.hpp"

namespace cr = coderaudit::rules;
using namespace coderaudit::rules::testing;  // test file, not a header
using coderaudit::Encounter;
using coderaudit::Finding;
using coderaudit::Sex;
using Strings = std::vector<std::string>;

namespace {

std::vector<Finding> Evaluate(const Loaded& loaded, const Encounter& encounter) {
  std::vector<Finding> out;
  loaded.program->Evaluate(encounter, out);
  return out;
}

}  // namespace

TEST_CASE("code-in-set fires once per matching line when the patient condition holds",
          "[rules][checks]") {
  const Loaded loaded = MustLoad(
      RuleSetXml("<codeset id=\"pregnancy\"><range from=\"O00\" to=\"O9A\"/></codeset>\n" +
                 RuleXml("SEX", R"(<code-in-set>
  <codes code-type="DX" codeset="pregnancy"/>
  <patient sex="M U"/>
</code-in-set>)",
                         "Diagnosis {code} on a patient of sex {sex}, age {age}, seen {dos}.")));
  Encounter e = MakeEncounter();
  e.sex = Sex::kMale;
  e.lines = {Dx("O80", 1), Dx("Z3A.39", 2), Dx("O9A.13", 3), Hcpcs("59400")};

  const auto findings = Evaluate(loaded, e);
  CHECK(Describe(findings) ==
        Strings{"SEX@1 E1 lines=1 code=O80 sex=M", "SEX@1 E1 lines=3 code=O9A.13 sex=M"});
  REQUIRE(findings.size() == 2);
  const Finding& f = findings[0];
  CHECK(f.message == "Diagnosis O80 on a patient of sex M, age 44, seen 2024-03-06.");
  CHECK(f.category == "c");
  CHECK(f.citation == "test citation");
  CHECK(f.severity == coderaudit::Severity::kError);
  CHECK(f.disposition == coderaudit::Disposition::kLineDeny);
  for (const auto& [key, value] : f.values) {
    CHECK(value.find("P-SYNTHETIC") == std::string::npos);
    CHECK(key != "birth_date");
  }

  e.sex = Sex::kFemale;
  CHECK(Run(*loaded.program, e).empty());
}

TEST_CASE("code-in-set age bounds: below or above, and an unknown age never conflicts",
          "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("AGE", R"(<code-in-set>
  <codes code-type="DX"><range from="O00" to="O9A"/></codes>
  <patient age-below="12" age-above="55"/>
</code-in-set>)")));
  Encounter e = MakeEncounter("2024-03-06");
  e.lines = {Dx("O99.89", 1)};
  auto at_age = [&](std::string_view birth) {
    e.birth_date = coderaudit::ParseIsoDate(birth);
    return Run(*loaded.program, e);
  };
  CHECK(at_age("2012-03-07") == Strings{"AGE@1 E1 lines=1 code=O99.89 age=11"});
  CHECK(at_age("2012-03-06").empty());  // 12 today
  CHECK(at_age("1968-03-07").empty());  // 55
  CHECK(at_age("1968-03-06") == Strings{"AGE@1 E1 lines=1 code=O99.89 age=56"});
  e.birth_date.reset();
  CHECK(Run(*loaded.program, e).empty());
}

TEST_CASE("code-in-set position principal and secondary follow the sequence number",
          "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(
      RuleXml(
          "PRIN",
          R"(<code-in-set position="principal"><codes code-type="DX"><prefix>V</prefix><prefix>W</prefix></codes></code-in-set>)") +
      RuleXml(
          "SEC",
          R"(<code-in-set position="secondary"><codes code-type="DX"><code>E11.9</code></codes></code-in-set>)") +
      RuleXml(
          "ANY",
          R"(<code-in-set><codes code-type="HCPCS"><code>J3301</code></codes></code-in-set>)")));
  Encounter e = MakeEncounter();
  e.lines = {Dx("W19.XXXA", 1), Dx("E11.9", 2), Dx("V43.52", 3), Hcpcs("J3301")};
  CHECK(Run(*loaded.program, e) == Strings{"PRIN@1 E1 lines=1 code=W19.XXXA",
                                           "SEC@1 E1 lines=2 code=E11.9",
                                           "ANY@1 E1 lines=4 code=J3301"});
  e.lines = {Dx("E11.9", 1), Dx("V43.52", 2)};
  CHECK(Run(*loaded.program, e).empty());
}

TEST_CASE("patient-check fires once per encounter listing every condition that held",
          "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("PAT", R"(<patient-check>
  <age-outside min="0" max="124"/>
  <birth-date-missing/>
  <sex-unknown/>
</patient-check>)",
                                                    "age {age} not in {min}-{max} or sex {sex}")));
  Encounter e = MakeEncounter("2024-03-06");
  e.lines = {Hcpcs("99213"), Hcpcs("99214")};
  CHECK(Run(*loaded.program, e).empty());

  e.sex = Sex::kUnknown;
  e.birth_date = coderaudit::ParseIsoDate("1890-01-01");
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  REQUIRE(findings.size() == 1);
  CHECK(coderaudit::Describe(findings[0]) == "PAT@1 E1 lines= age=134 sex=U");
  CHECK(findings[0].lines.empty());
  CHECK(findings[0].message == "age 134 not in 0-124 or sex U");

  e.sex = Sex::kFemale;
  e.birth_date = coderaudit::ParseIsoDate("2024-03-07");  // born after the encounter
  CHECK(Run(*loaded.program, e) == Strings{"PAT@1 E1 lines= age=-1"});
  e.birth_date.reset();
  CHECK(Run(*loaded.program, e) == Strings{"PAT@1 E1 lines= age=unknown"});
}

TEST_CASE("code-pair denies the second line on the same date unless a modifier bypasses it",
          "[rules][checks]") {
  const Loaded loaded =
      MustLoad(RuleSetXml(RuleXml("PTP", R"(<code-pair>
  <first code-type="HCPCS"><code>29881</code></first>
  <second code-type="HCPCS"><code>29877</code></second>
  <bypass-modifiers>59 XE XS XP XU</bypass-modifiers>
</code-pair>)",
                                  "{code} with {code2} (line {line2}) on {dos}")));
  Encounter e = MakeEncounter("2024-03-06");
  e.through_date = *coderaudit::ParseIsoDate("2024-03-07");
  e.lines = {Dx("M23.221", 1), Hcpcs("29877", "RT"), Hcpcs("29881", "RT")};
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  REQUIRE(findings.size() == 1);
  CHECK(coderaudit::Describe(findings[0]) ==
        "PTP@1 E1 lines=2 code=29877 code2=29881 dos=2024-03-06 line2=3");
  CHECK(findings[0].message == "29877 with 29881 (line 3) on 2024-03-06");

  e.lines = {Hcpcs("29881"), Hcpcs("29877", "XU")};
  CHECK(Run(*loaded.program, e).empty());
  e.lines = {Hcpcs("29881", "59"), Hcpcs("29877")};
  CHECK(Run(*loaded.program, e).empty());
  e.lines = {Hcpcs("29881", "", 1, "2024-03-06"), Hcpcs("29877", "", 1, "2024-03-07")};
  CHECK(Run(*loaded.program, e).empty());
  // Two column-2 lines: each is denied, each naming the column-1 line.
  e.lines = {Hcpcs("29877", "RT"), Hcpcs("29881"), Hcpcs("29877", "LT")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"PTP@1 E1 lines=1 code=29877 code2=29881 dos=2024-03-06 line2=2",
                "PTP@1 E1 lines=3 code=29877 code2=29881 dos=2024-03-06 line2=2"});
}

TEST_CASE("code-pair bypass on one side only, deny first, and no bypass at all",
          "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("EM", R"(<code-pair>
  <first code-type="HCPCS"><code>20610</code></first>
  <second code-type="HCPCS"><range from="99211" to="99215"/></second>
  <bypass-modifiers on="second">25</bypass-modifiers>
</code-pair>)") + RuleXml("FIRST", R"(<code-pair deny="first">
  <first code-type="HCPCS"><code>11042</code></first>
  <second code-type="HCPCS"><code>97597</code></second>
</code-pair>)")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("99213"), Hcpcs("20610", "25")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"EM@1 E1 lines=1 code=99213 code2=20610 dos=2024-03-06 line2=2"});
  e.lines = {Hcpcs("99213", "25"), Hcpcs("20610")};
  CHECK(Run(*loaded.program, e).empty());
  // Without a bypass list nothing bypasses (NCCI modifier indicator 0).
  e.lines = {Hcpcs("97597", "59"), Hcpcs("11042", "59")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"FIRST@1 E1 lines=2 code=11042 code2=97597 dos=2024-03-06 line2=1"});
}

TEST_CASE("code-pair never pairs a line with itself", "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("SELF", R"(<code-pair>
  <first code-type="HCPCS"><range from="99211" to="99215"/></first>
  <second code-type="HCPCS"><range from="99211" to="99215"/></second>
</code-pair>)")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("99213")};
  CHECK(Run(*loaded.program, e).empty());
  e.lines = {Hcpcs("99213"), Hcpcs("99214")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"SELF@1 E1 lines=1 code=99213 code2=99214 dos=2024-03-06 line2=2",
                "SELF@1 E1 lines=2 code=99214 code2=99213 dos=2024-03-06 line2=1"});
}

TEST_CASE("units-limit per line compares each line's units", "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("MUE", R"(<units-limit max="4">
  <codes code-type="HCPCS"><code>96372</code><code>J1885</code></codes>
</units-limit>)",
                                                    "{code}: {units} > {max} on {dos}")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("96372", "", 4), Hcpcs("96372", "76", 5), Hcpcs("J1885", "", 4.5)};
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  CHECK(Describe(findings) ==
        Strings{"MUE@1 E1 lines=2 code=96372 units=5 max=4 dos=2024-03-06",
                "MUE@1 E1 lines=3 code=J1885 units=4.5 max=4 dos=2024-03-06"});
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].message == "96372: 5 > 4 on 2024-03-06");
}

TEST_CASE("units-limit per date of service sums each code's units per day", "[rules][checks]") {
  const Loaded loaded =
      MustLoad(RuleSetXml(RuleXml("MUE", R"(<units-limit max="2" per="date-of-service">
  <codes code-type="HCPCS"><code>20610</code><code>20611</code></codes>
</units-limit>)")));
  Encounter e = MakeEncounter("2024-03-06");
  e.through_date = *coderaudit::ParseIsoDate("2024-03-07");
  e.lines = {Hcpcs("20610", "RT", 1), Hcpcs("20611", "LT", 2), Hcpcs("20610", "LT", 1),
             Hcpcs("20610", "RT", 2, "2024-03-07"), Hcpcs("20610", "LT", 1, "2024-03-06")};
  CHECK(Run(*loaded.program, e) ==
        Strings{"MUE@1 E1 lines=1,3,5 code=20610 units=3 max=2 dos=2024-03-06"});
}

TEST_CASE("required-modifier fires on lines that carry none of the listed modifiers",
          "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("REQ", R"(<required-modifier>
  <codes code-type="HCPCS"><code>27447</code><code>20610</code></codes>
  <modifiers>RT LT 50</modifiers>
</required-modifier>)",
                                                    "{code} needs one of {required}")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("27447", "80"), Hcpcs("20610", "50"), Hcpcs("20610"), Hcpcs("99213")};
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  CHECK(Describe(findings) == Strings{"REQ@1 E1 lines=1 code=27447 modifiers=80 dos=2024-03-06",
                                      "REQ@1 E1 lines=3 code=20610 modifiers= dos=2024-03-06"});
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].message == "27447 needs one of RT LT 50");
}

TEST_CASE("forbidden-modifier fires on lines carrying a listed modifier", "[rules][checks]") {
  const Loaded loaded = MustLoad(RuleSetXml(RuleXml("FORB", R"(<forbidden-modifier>
  <codes code-type="HCPCS"><range from="99211" to="99215"/></codes>
  <modifiers>59 XS</modifiers>
</forbidden-modifier>)",
                                                    "{modifier} not allowed on {code}")));
  Encounter e = MakeEncounter();
  e.lines = {Hcpcs("99213", "25"), Hcpcs("99214", "XS;59"), Hcpcs("20610", "59")};
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  CHECK(Describe(findings) == Strings{"FORB@1 E1 lines=2 code=99214 modifier=XS dos=2024-03-06"});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message == "XS not allowed on 99214");
}

TEST_CASE("duplicate-lines fires on each exact repeat, not on the first line", "[rules][checks]") {
  const Loaded loaded =
      MustLoad(RuleSetXml(RuleXml("DUP", R"(<duplicate-lines>
  <repeat-modifiers>76 77 91 59 XE XS XP XU RT LT</repeat-modifiers>
</duplicate-lines>)",
                                  "{code} on {dos} repeats line {first_line}") +
                          RuleXml("DUPNC", R"(<duplicate-lines compare-charge="false"/>)")));
  Encounter e = MakeEncounter();
  auto charged = [](coderaudit::CodedLine line, int64_t cents) {
    line.charge_cents = cents;
    return line;
  };
  e.lines = {charged(Hcpcs("96372", "GA;GY"), 4500), charged(Hcpcs("96372", "GY;GA"), 4500),
             charged(Hcpcs("96372", "GA;GY"), 4500), charged(Hcpcs("96372", "GA;GY"), 5000),
             charged(Hcpcs("96372", "GA;GY", 2), 4500)};
  std::vector<Finding> findings;
  loaded.program->Evaluate(e, findings);
  CHECK(Describe(findings) == Strings{"DUP@1 E1 lines=2 code=96372 dos=2024-03-06 first_line=1",
                                      "DUP@1 E1 lines=3 code=96372 dos=2024-03-06 first_line=1",
                                      "DUPNC@1 E1 lines=2 code=96372 dos=2024-03-06 first_line=1",
                                      "DUPNC@1 E1 lines=3 code=96372 dos=2024-03-06 first_line=1",
                                      "DUPNC@1 E1 lines=4 code=96372 dos=2024-03-06 first_line=1"});
  REQUIRE_FALSE(findings.empty());
  CHECK(findings[0].message == "96372 on 2024-03-06 repeats line 1");

  e.lines = {Hcpcs("73560", "RT"), Hcpcs("73560", "RT"), Hcpcs("80053"),
             Hcpcs("80053", "91"), Dx("E11.9", 1),       Dx("E11.9", 2)};
  // RT makes the repeat legitimate for DUP; DUPNC lists no repeat modifiers.
  CHECK(Run(*loaded.program, e) ==
        Strings{"DUPNC@1 E1 lines=2 code=73560 dos=2024-03-06 first_line=1"});
}
