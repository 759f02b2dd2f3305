// Results people act on, through the CLI in process: honest exit codes, claims that could
// not be checked, the findings list and the hold/release list, the findings workbook.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/cli/commands.hpp"
#include "tests/cli/cli_test_support.hpp"
#include "audit/service/results.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hold.hpp"

namespace fs = std::filesystem;

namespace {
using cli_test::Cli;
using cli_test::Run;
using cli_test::TempDir;

const std::string kSource = CODERAUDIT_SOURCE_DIR;
const std::string kSamples = kSource + "/samples/";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

constexpr const char* kHeader =
    "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,"
    "coder_id,payer,drg,discharge_status,code_type,seq,code,poa,modifiers,units,service_date,"
    "charge\n";

// P-1: an indicator-0 PTP pair in 2024Q3 (a finding); P-2: the same pair in 2031, when no
// PTP table version is loaded (not checked); P-3: one line in 2024Q3 (clean).
std::string PtpClaims() {
  std::string s = kHeader;
  for (const auto& [id, date, provider, payer] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"P-1", "2024-08-15", "1000000001", "MEDICARE"},
           {"P-2", "2031-01-05", "1000000002", "AETNA"},
           {"P-3", "2024-08-15", "1000000001", "AETNA"}}) {
    // P-3 is another patient's: a clean claim, not the second half of P-1's PTP pair.
    const std::string patient = id == "P-3" ? ",PT3" : ",PT1";
    s += id + patient + ",F,1970-01-01," + date + "," + date + ",professional," + provider + ",C01," +
         payer + ",,,DX,1,M23.221,,,,,\n";
    s += id + ",,,,,,,,,,,,HCPCS,,29875,,,1," + date + ",500.00\n";
    if (id != "P-3") s += id + ",,,,,,,,,,,,HCPCS,,29877,,,1," + date + ",400.00\n";
  }
  return s;
}

// The PTP pack tables, in force 2024-07-01 to 2024-09-30 only.
std::string PtpRefdata(const TempDir& dir) {
  const std::string ref = dir.Path("refdata"), t = kSamples + "packs/tables/";
  for (const auto& [kind, file] : std::vector<std::pair<std::string, std::string>>{
           {"ptp-practitioner", "ncci_ptp_practitioner_2024q3_pack.tsv"},
           {"ptp-outpatient", "ncci_ptp_outpatient_hospital_2024q3_pack.tsv"}}) {
    auto r = Cli({"refdata", "import", kind, t + file, "--version", "2024Q3", "--from",
                  "2024-07-01", "--to", "2024-09-30", "--dir", ref});
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  return ref;
}

std::string PtpRules(const TempDir& dir) {
  return dir.Write("ptp.xml",
                   "<?xml version=\"1.0\"?>\n<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" "
                   "version=\"1\" title=\"t\">\n  <include pack=\"ncci-ptp\"/>\n</ruleset>\n");
}

bool Python(const std::string& script, const std::string& arg) {
  const std::string cmd = "/usr/bin/python3 -c '" + script + "' '" + arg + "'";
  return std::system(cmd.c_str()) == 0;
}
}  // namespace

TEST_CASE("Check exit codes tell findings, rejects and not-checked claims apart", "[cli][exit]") {
  using coderaudit::cli::CheckExitCode;
  CHECK(CheckExitCode(0, 0, 0, 0) == 0);
  CHECK(CheckExitCode(3, 0, 0, 0) == 1);
  CHECK(CheckExitCode(0, 2, 1, 0) == 5);
  CHECK(CheckExitCode(0, 0, 0, 4) == 5);
  CHECK(CheckExitCode(3, 2, 1, 0) == 6);
  CHECK(CheckExitCode(3, 0, 0, 1) == 6);
  CHECK(Cli({"check", "--help"}).out.find("5 no findings") != std::string::npos);
  CHECK(Cli({"--help"}).out.find("6 (check) findings") != std::string::npos);
}

TEST_CASE("A file whose every encounter is rejected never exits 0", "[cli][exit]") {
  TempDir dir;
  const auto csv = dir.Write("all_bad.csv", std::string(kHeader) +
                                                "X1,PT1,F,1970-01-01,not-a-date,2024-01-01,"
                                                "professional,1,C01,AETNA,,,DX,1,M17.11,,,,,\n");
  auto r = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", dir.Path("a.db"), csv});
  INFO(r.out << r.err);
  CHECK(r.code == 5);
  CHECK(r.out.find("encounters read 1 = processed 0 + rejected 1") != std::string::npos);
}

TEST_CASE("The malformed sample file exits 6: findings and rejects", "[cli][exit]") {
  TempDir dir;
  auto r = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", dir.Path("a.db"),
                kSamples + "bad_encounters.csv"});
  INFO(r.out << r.err);
  const bool findings = r.out.find("findings   0 ") == std::string::npos;
  CHECK(r.code == (findings ? 6 : 5));
}

TEST_CASE("A claim dated outside every loaded table version is not checked, never clean",
          "[cli][notchecked]") {
  TempDir dir;
  const auto ref = PtpRefdata(dir);
  const auto rules = PtpRules(dir);
  const auto csv = dir.Write("claims.csv", PtpClaims());
  const auto db = dir.Path("a.db");
  auto c = Cli({"check", "--rules", rules, "--refdata", ref, "--db", db, csv});
  INFO(c.out << c.err);
  REQUIRE(c.code == 6);  // a finding (P-1) and a claim not checked (P-2)
  CHECK(c.out.find("not checked 1 claims: NCCI-PTP-001 1 (ptp-practitioner: no version for "
                   "2031-01-05)") != std::string::npos);
  CHECK(c.out.find("findings   1 on 1 encounters") != std::string::npos);

  SECTION("the hold list holds it by default and releases it on request") {
    auto h = Cli({"holds", "--db", db, "--format", "csv"});
    INFO(h.out << h.err);
    REQUIRE(h.code == 0);
    CHECK(h.out.find("1,P-1,hold,1,1,0,NCCI-PTP-001 line-deny,1000000001,C01,MEDICARE") !=
          std::string::npos);
    CHECK(h.out.find("1,P-2,hold,0,0,1,NCCI-PTP-001 not checked (ptp-practitioner 2031-01-05),"
                     "1000000002,C01,AETNA") != std::string::npos);
    CHECK(h.out.find("1,P-3,release,0,0,0,,1000000001,C01,AETNA") != std::string::npos);
    auto r = Cli({"holds", "--db", db, "--format", "csv", "--release-unchecked"});
    CHECK(r.out.find("1,P-2,release,") != std::string::npos);
    auto t = Cli({"holds", "--db", db, "--format", "table"});
    CHECK(t.out.find("3 claims, held 2, released 1, not checked 1") != std::string::npos);
  }
  SECTION("the JSON hold list names the rule, table and date") {
    auto j = Cli({"holds", "--db", db, "--run", "1", "--format", "json"});
    REQUIRE(j.code == 0);
    CHECK(j.out.find("\"claims_not_checked\": 1") != std::string::npos);
    CHECK(j.out.find("\"table\": \"ptp-practitioner\"") != std::string::npos);
    CHECK(j.out.find("\"date\": \"2031-01-05\"") != std::string::npos);
  }
  SECTION("the store keeps every not-checked claim and the per-rule count") {
    const auto list = coderaudit::service::ListHolds(db, 1, coderaudit::HoldPolicy::Default());
    CHECK(list.run.claims_not_checked == 1);
    REQUIRE(list.run.not_checked.size() == 1);
    CHECK(list.run.not_checked[0].rule_id == "NCCI-PTP-001");
    CHECK(list.run.not_checked[0].claims == 1);
    CHECK(list.not_checked == 1);
    CHECK(list.held == 2);
  }
  SECTION("every output says so: runs, findings, the findings workbook") {
    CHECK(Cli({"runs", "--db", db}).out.find("\tnot checked 1") != std::string::npos);
    auto t = Cli({"findings", "--db", db, "--format", "table"});
    CHECK(t.out.find("# not checked 1 claims: NCCI-PTP-001 1 (ptp-practitioner") != std::string::npos);
    auto j = Cli({"findings", "--db", db, "--format", "json"});
    CHECK(j.out.find("\"claims_not_checked\": 1") != std::string::npos);
    const auto xlsx = dir.Path("nc.xlsx");
    REQUIRE(Cli({"report", "--db", db, "--run", "1", "--out", xlsx}).code == 0);
    CHECK(Python(
        "import openpyxl,sys\n"
        "wb=openpyxl.load_workbook(sys.argv[1])\n"
        "run={r[0].value: r[1].value for r in wb[\"Run\"].iter_rows() if r[0].value}\n"
        "assert run[\"claims not checked\"] == 1, run\n"
        "held={r[0].value: r[7].value for r in wb[\"Held claims\"].iter_rows(min_row=2) if r[0].value}\n"
        "assert held[\"P-2\"] == \"NCCI-PTP-001 not checked (ptp-practitioner 2031-01-05)\", held\n"
        "assert \"P-3\" not in held\n"
        "cells=[c.value for row in wb[\"Summary\"].iter_rows() for c in row]\n"
        "assert \"ptp-practitioner 2031-01-05\" in cells, cells\n",
        xlsx));
  }
  SECTION("--require-coverage refuses the run and stores nothing") {
    const auto db2 = dir.Path("b.db");
    auto r = Cli({"check", "--rules", rules, "--refdata", ref, "--db", db2, "--require-coverage", csv});
    CHECK(r.code == 3);
    CHECK(r.err.find("--require-coverage: 1 claims not checked") != std::string::npos);
    CHECK(r.err.find("nothing stored") != std::string::npos);
    auto runs = Cli({"runs", "--db", db2});
    CHECK(runs.out.find("check") == std::string::npos);
  }
  SECTION("claims all inside the tables' dates exit as before") {
    std::string covered = kHeader;
    for (const auto& line : {"P-1,PT1,F,1970-01-01,2024-08-15,2024-08-15,professional,1,C01,A,,,DX,1,M23.221,,,,,",
                             "P-1,,,,,,,,,,,,HCPCS,,29875,,,1,2024-08-15,500.00",
                             "P-1,,,,,,,,,,,,HCPCS,,29877,,,1,2024-08-15,400.00"})
      covered += std::string(line) + "\n";
    auto r = Cli({"check", "--rules", rules, "--refdata", ref, "--db", dir.Path("c.db"),
                  "--require-coverage", dir.Write("covered.csv", covered)});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.out.find("not checked") == std::string::npos);
  }
}

TEST_CASE("findings lists, filters and pages a check run's findings", "[cli][findings]") {
  TempDir dir;
  const auto db = dir.Path("a.db");
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  auto all = Cli({"findings", "--db", db});
  INFO(all.err);
  REQUIRE(all.code == 0);
  // Not a terminal: CSV with a header and one row per finding.
  CHECK(all.out.rfind("run_id,encounter_id,rule_id,rule_version,disposition", 0) == 0);
  const size_t total = Count(all.out, "\n") - 1;
  CHECK(total == 36);

  auto ptp = Cli({"findings", "--db", db, "--rule", "FAC-PTP-001", "--format", "csv"});
  CHECK(Count(ptp.out, "\n") > 1);
  CHECK(Count(ptp.out, ",FAC-PTP-001,") == Count(ptp.out, "\n") - 1);

  auto json = Cli({"findings", "--db", db, "--run", "1", "--rule", "FAC-PTP-001", "--format", "json"});
  REQUIRE(json.code == 0);
  CHECK(json.out.find("\"total\": " + std::to_string(Count(ptp.out, "\n") - 1)) != std::string::npos);
  CHECK(json.out.find("\"citation\"") != std::string::npos);
  CHECK(json.out.find("\"values\"") != std::string::npos);
  // Deterministic: the same bytes twice.
  CHECK(Cli({"findings", "--db", db, "--rule", "FAC-PTP-001", "--format", "json"}).out == json.out);

  auto page = Cli({"findings", "--db", db, "--format", "json", "--offset", "30", "--limit", "10"});
  CHECK(page.out.find("\"total\": 36") != std::string::npos);
  CHECK(Count(page.out, "\"encounter_id\"") == 6);

  auto c01 = Cli({"findings", "--db", db, "--coder", "C01"});
  CHECK(Count(c01.out, ",C01,") == Count(c01.out, "\n") - 1);
  auto none = Cli({"findings", "--db", db, "--encounter", "NO-SUCH"});
  CHECK(none.code == 0);
  CHECK(Count(none.out, "\n") == 1);

  SECTION("to a file, atomically, and as a workbook") {
    const auto out = dir.Path("f.csv");
    REQUIRE(Cli({"findings", "--db", db, "--out", out}).code == 0);
    CHECK(Slurp(out) == all.out);
    const auto xlsx = dir.Path("f.xlsx");
    auto x = Cli({"findings", "--db", db, "--format", "xlsx", "--out", xlsx});
    INFO(x.err);
    REQUIRE(x.code == 0);
    CHECK(Python("import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1]); ws=wb[\"Findings\"];"
                 " assert ws.max_row == 37, ws.max_row; assert ws[\"B1\"].value == \"Rule\"",
                 xlsx));
    for (const auto& e : fs::directory_iterator(dir.path))
      CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }
  SECTION("mistakes") {
    CHECK(Cli({"findings", "--db", db, "--format", "xlsx"}).code == 2);
    CHECK(Cli({"findings", "--db", db, "--format", "yaml"}).code == 2);
    CHECK(Cli({"findings", "--db", db, "--disposition", "maybe"}).code == 3);
    CHECK(Cli({"findings", "--db", db, "--run", "9"}).code == 3);
    CHECK(Cli({"findings", "--db", dir.Path("none.db")}).code == 3);
    CHECK_FALSE(fs::exists(dir.Path("none.db")));
    CHECK(Cli({"holds", "--db", db, "--hold", "claim-reject,sometimes"}).code == 2);
    CHECK(Cli({"findings", "--help"}).out.rfind("usage: coderaudit findings", 0) == 0);
    CHECK(Cli({"holds", "--help"}).out.rfind("usage: coderaudit holds", 0) == 0);
    REQUIRE(Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv"}).code == 0);
    auto score = Cli({"findings", "--db", db, "--run", "2"});
    CHECK(score.code == 3);
    CHECK(score.err.find("not a check run") != std::string::npos);
  }
}

TEST_CASE("Hold policies parse disposition lists and default to the blocking ones", "[model][holds]") {
  using coderaudit::Disposition;
  using coderaudit::HoldPolicy;
  const auto d = HoldPolicy::Default();
  CHECK(d.Holds(Disposition::kClaimReject));
  CHECK(d.Holds(Disposition::kLineDeny));
  CHECK_FALSE(d.Holds(Disposition::kReview));
  CHECK_FALSE(d.Holds(Disposition::kInfo));
  CHECK(d.hold_unchecked);
  const auto p = HoldPolicy::Parse("review, line-deny");
  REQUIRE(p);
  CHECK(p->Str() == "line-deny,review");
  std::string bad;
  CHECK_FALSE(HoldPolicy::Parse("claim-reject,nope", &bad));
  CHECK(bad == "nope");
}

TEST_CASE("holds with a review-only policy releases claims whose findings are reviews",
          "[cli][holds]") {
  TempDir dir;
  const auto db = dir.Path("a.db");
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  auto d = Cli({"holds", "--db", db, "--format", "json"});
  auto none = Cli({"holds", "--db", db, "--format", "json", "--hold", "info"});
  REQUIRE(d.code == 0);
  CHECK(d.out.find("\"claims\": 310") != std::string::npos);
  CHECK(none.out.find("\"claims\": 310") != std::string::npos);
  CHECK(none.out.find("\"line-deny\"") == std::string::npos);  // not in the policy, no finding is one
  CHECK(d.out.find("\"held\": 0,") == std::string::npos);  // the samples' rejects and denials hold

  SECTION("a --store findings run lists stored claims and says so") {
    const auto db2 = dir.Path("b.db");
    REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db2, "--store",
                 "findings", kSamples + "encounters.csv"}).code == 1);
    auto t = Cli({"holds", "--db", db2, "--format", "table"});
    CHECK(t.out.find("310 claims") != std::string::npos);
    CHECK(t.out.find("--store findings") != std::string::npos);
    auto j = Cli({"holds", "--db", db2, "--format", "json"});
    CHECK(j.out.find("\"all_claims_listed\": false") != std::string::npos);
  }
}

TEST_CASE("report on a check run writes the findings workbook, byte-identical again",
          "[cli][report]") {
  TempDir dir;
  const auto db = dir.Path("a.db");
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  const auto a = dir.Path("a.xlsx"), b = dir.Path("b.xlsx");
  auto r = Cli({"report", "--db", db, "--run", "1", "--out", a});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("findings workbook (check run 1, 36 findings") == 0);
  REQUIRE(Cli({"report", "--db", db, "--run", "1", "--out", b}).code == 0);
  CHECK(Slurp(a) == Slurp(b));
  // Without --run, a store with no score run gives its latest check run's workbook.
  auto latest = Cli({"report", "--db", db, "--out", dir.Path("c.xlsx")});
  CHECK(latest.out.find("findings workbook (check run 1") == 0);
  CHECK(Slurp(dir.Path("c.xlsx")) == Slurp(a));
  CHECK(Python(
      "import openpyxl,sys\n"
      "wb=openpyxl.load_workbook(sys.argv[1])\n"
      "assert wb.sheetnames == [\"Summary\",\"Held claims\",\"Findings\",\"Run\"], wb.sheetnames\n"
      "f=wb[\"Findings\"]; assert f.max_row == 37; assert f.freeze_panes == \"A2\"\n"
      "assert f.auto_filter.ref.startswith(\"A1:M\")\n"
      "assert all(f.cell(r,9).value for r in range(2,38))\n"
      "import zipfile; assert \"xl/charts/chart1.xml\" in zipfile.ZipFile(sys.argv[1]).namelist()\n"
      "s=wb[\"Summary\"]\n"
      "assert s.page_setup.orientation == \"landscape\"\n"
      "run={r[0].value: r[1].value for r in wb[\"Run\"].iter_rows() if r[0].value}\n"
      "assert run[\"check run\"] == 1 and run[\"findings\"] == 36, run\n"
      "sizes=[r[3].value for r in wb[\"Run\"].iter_rows() if r[0].value == \"encounters\"]\n"
      "import os; assert sizes == [os.path.getsize(\"" + kSamples + "encounters.csv\")], sizes\n",
      a));
}

TEST_CASE("Score runs record every input with its SHA-256 and true size", "[cli][score]") {
  TempDir dir;
  const auto db = dir.Path("a.db");
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  auto s = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv", "--policy",
                kSamples + "policies/inpatient.xml", "--drg-weights", kSamples + "drg_weights.csv",
                "--base-rate", "6000", "--cc-mcc", kSamples + "cc_mcc.csv"});
  INFO(s.err);
  REQUIRE(s.code == 0);
  const auto xlsx = dir.Path("acc.xlsx");
  REQUIRE(Cli({"report", "--db", db, "--run", "2", "--out", xlsx}).code == 0);
  CHECK(Cli({"report", "--db", db, "--run", "2", "--hold", "info", "--out", xlsx}).code == 2);
  std::string script =
      "import openpyxl,sys,os\n"
      "rows={r[0].value: r[1].value for r in openpyxl.load_workbook(sys.argv[1])[\"Run\"].iter_rows() if r[0].value}\n"
      "got={rows[k]: rows[k[:-4]+\"bytes\"] for k in rows if k.startswith(\"input \") and k.endswith(\" path\")}\n";
  for (const auto& f : {"auditor.csv", "policies/inpatient.xml", "drg_weights.csv", "cc_mcc.csv"})
    script += "p=\"" + kSamples + f + "\"; assert got.get(p) == os.path.getsize(p), (p, got)\n";
  CHECK(Python(script, xlsx));
}
