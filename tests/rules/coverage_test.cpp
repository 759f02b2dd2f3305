// Claims a table-backed rule cannot judge: no loaded version of its table is in force on
// a date the check looks the table up for. The 3-argument Evaluate reports them as
// NotChecked and leaves the findings exactly as the 2-argument form gives them.
#include <catch2/catch.hpp>

#include "audit/model/hold.hpp"
#include "tests/rules/fake_refdata.hpp"
#include "tests/rules/test_support.hpp"

using namespace coderaudit::rules::testing;  // test file, not a header
using coderaudit::ClaimType;
using coderaudit::Encounter;
using coderaudit::Finding;
using coderaudit::NotChecked;
using coderaudit::refdata::TableKind;

namespace {

// Practitioner PTP: 2024Q3 and 2024Q4 back to back, then a gap, then 2025Q2.
std::shared_ptr<FakeRefData> Tables() {
  auto t = std::make_shared<FakeRefData>();
  t->Table(TableKind::kPtpPractitioner, "2024Q3", "2024-07-01", "2024-09-30")
      .Ptp("29881", "29877", 0);
  t->Table(TableKind::kPtpPractitioner, "2024Q4", "2024-10-01", "2024-12-31")
      .Ptp("29881", "29877", 0);
  t->Table(TableKind::kPtpPractitioner, "2025Q2", "2025-04-01", "2025-06-30")
      .Ptp("29881", "29877", 0);
  t->Table(TableKind::kPtpOutpatient, "2024Q3", "2024-07-01", "2024-09-30");
  t->Table(TableKind::kMuePractitioner, "2024Q3", "2024-07-01", "2024-09-30").Mue("29877", 1, 1);
  return t;
}

constexpr std::string_view kRules = R"(
<rule id="PTP" version="3" title="t" category="ncci-ptp" severity="error"
      disposition="line-deny" claim-types="professional outpatient">
  <citation>NCCI PTP {table}</citation><message>{code}</message><ncci-ptp/>
</rule>
<rule id="MUE" version="1" title="t" category="ncci-mue" severity="error"
      disposition="line-deny" claim-types="professional">
  <citation>NCCI MUE {table}</citation><message>{code}</message><ncci-mue/>
</rule>
<rule id="OLD" version="1" title="t" category="ncci-ptp" severity="error"
      disposition="line-deny" claim-types="professional" effective-to="2020-12-31">
  <citation>NCCI PTP {table}</citation><message>{code}</message><ncci-ptp/>
</rule>)";

Encounter Claim(std::string_view dos, std::string_view second_dos = "") {
  Encounter e = MakeEncounter(dos);
  e.claim_type = ClaimType::kProfessional;
  e.lines = {Dx("M23.221", 1), Hcpcs("29881", "", 1, dos),
             Hcpcs("29877", "", 1, second_dos.empty() ? dos : second_dos)};
  if (!second_dos.empty()) e.through_date = *coderaudit::ParseIsoDate(second_dos);
  return e;
}

struct Result {
  std::vector<Finding> findings;
  std::vector<NotChecked> not_checked;
};

Result Evaluate(const Loaded& loaded, const Encounter& e) {
  Result r;
  loaded.program->Evaluate(e, r.findings, r.not_checked);
  std::vector<Finding> plain;
  loaded.program->Evaluate(e, plain);
  CHECK(Describe(plain) == Describe(r.findings));  // findings never change
  return r;
}

std::vector<std::string> Texts(const std::vector<NotChecked>& n) {
  std::vector<std::string> out;
  for (const auto& x : n)
    out.push_back(x.rule_id + "@" + x.rule_version + " " + x.encounter_id + " " + x.table + " " + x.date);
  return out;
}

}  // namespace

TEST_CASE("A claim inside its tables' periods is checked, across adjoining versions",
          "[rules][coverage]") {
  const Loaded loaded = MustLoad(RuleSetXml(kRules), Tables());
  auto r = Evaluate(loaded, Claim("2024-08-15"));
  CHECK(r.not_checked.empty());
  CHECK(r.findings.size() == 1);
  // 2024Q3 and 2024Q4 touch: a claim spanning both is covered.
  auto span = Evaluate(loaded, Claim("2024-09-30", "2024-10-01"));
  CHECK(Texts(span.not_checked) == std::vector<std::string>{"MUE@1 E1 mue-practitioner 2024-10-01"});
}

TEST_CASE("A claim dated outside every version, or in a gap, is not checked, never clean",
          "[rules][coverage]") {
  const Loaded loaded = MustLoad(RuleSetXml(kRules), Tables());
  auto later = Evaluate(loaded, Claim("2031-01-05"));
  CHECK(later.findings.empty());
  CHECK(Texts(later.not_checked) ==
        std::vector<std::string>{"PTP@3 E1 ptp-practitioner 2031-01-05",
                                 "MUE@1 E1 mue-practitioner 2031-01-05"});
  auto gap = Evaluate(loaded, Claim("2025-02-10"));
  CHECK(Texts(gap.not_checked) ==
        std::vector<std::string>{"PTP@3 E1 ptp-practitioner 2025-02-10",
                                 "MUE@1 E1 mue-practitioner 2025-02-10"});
  // In 2025Q2 the PTP table answers again (the MUE table does not).
  auto q2 = Evaluate(loaded, Claim("2025-05-01"));
  CHECK(q2.findings.size() == 1);
  CHECK(Texts(q2.not_checked) == std::vector<std::string>{"MUE@1 E1 mue-practitioner 2025-05-01"});
}

TEST_CASE("Rules that do not apply, or would not look a table up, are not 'not checked'",
          "[rules][coverage]") {
  const Loaded loaded = MustLoad(RuleSetXml(kRules), Tables());
  Encounter inpatient = Claim("2031-01-05");
  inpatient.claim_type = ClaimType::kInpatient;  // neither rule applies
  CHECK(Evaluate(loaded, inpatient).not_checked.empty());
  Encounter one_line = Claim("2031-01-05");
  one_line.lines.pop_back();  // one HCPCS line: no pair for PTP to judge; MUE still looks up
  CHECK(Texts(Evaluate(loaded, one_line).not_checked) ==
        std::vector<std::string>{"MUE@1 E1 mue-practitioner 2031-01-05"});
}
