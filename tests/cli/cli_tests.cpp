#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include "audit/cli/commands.hpp"
#include "tests/cli/cli_test_support.hpp"

namespace fs = std::filesystem;

namespace {
using cli_test::Cli;
using cli_test::Run;
using cli_test::TempDir;

const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";
}  // namespace

TEST_CASE("Every command answers --help with its usage and exit 0", "[cli]") {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"check"}, {"score"}, {"report"},
                                       {"runs"}, {"rejects"}, {"rules", "check"}, {"rules", "test"},
                                       {"rebuttal"}, {"agreement"}, {"findings"}, {"holds"}}) {
    cmd.push_back("--help");
    auto r = Cli(cmd);
    INFO(cmd[0]);
    CHECK(r.code == 0);
    CHECK(r.out.find("usage: coderaudit") == 0);
  }
  auto top = Cli({"--help"});
  CHECK(top.code == 0);
  CHECK(top.out.find("commands:") != std::string::npos);
}

TEST_CASE("Usage mistakes exit 2 with a pointer to --help", "[cli]") {
  CHECK(Cli({}).code == 2);
  auto unknown = Cli({"frobnicate"});
  CHECK(unknown.code == 2);
  CHECK(unknown.err.find("unknown command 'frobnicate'") != std::string::npos);
  auto option = Cli({"check", "--rulez", "x"});
  CHECK(option.code == 2);
  CHECK(option.err.find("unknown option --rulez") != std::string::npos);
  CHECK(Cli({"check", "--rules", "x.xml", "--db", "y.db"}).code == 2);  // no encounter file
  CHECK(Cli({"score", "--db", "y.db", "--auditor", "a.csv", "--benchmark", "high"}).code == 2);
}

TEST_CASE("The sample rule set is valid and its embedded tests pass", "[cli]") {
  auto check = Cli({"rules", "check", kSamples + "rules/facility.xml"});
  INFO(check.err);
  CHECK(check.code == 0);
  CHECK(check.out.find("valid") != std::string::npos);
  CHECK(check.out.find("FAC-PTP-001") != std::string::npos);
  auto test = Cli({"rules", "test", kSamples + "rules/facility.xml"});
  INFO(test.out);
  CHECK(test.code == 0);
  CHECK(test.out.find(" 0 failed") != std::string::npos);
}

TEST_CASE("A broken rule file is refused with file:line:column", "[cli]") {
  TempDir dir;
  const auto bad = dir.Write("bad.xml",
                             "<?xml version=\"1.0\"?>\n"
                             "<ruleset xmlns=\"urn:coderaudit:rules:1\">\n"
                             "  <rule id=\"X\"\n"
                             "</ruleset>\n");
  auto r = Cli({"rules", "check", bad});
  CHECK(r.code == 1);
  CHECK(r.err.find(bad + ":4:") != std::string::npos);

  const auto wrong = dir.Write("wrong.xml",
                               "<?xml version=\"1.0\"?>\n"
                               "<notaruleset xmlns=\"urn:coderaudit:rules:1\"/>\n");
  auto w = Cli({"rules", "check", wrong});
  CHECK(w.code == 1);
  CHECK(w.err.find(wrong + ":2:") != std::string::npos);

  // `check` with that rule set stops before touching the store: exit 3, no database.
  const auto db = (dir.path / "never.db").string();
  const auto enc = dir.Write("e.csv", "encounter_id\n");
  auto c = Cli({"check", "--rules", wrong, "--db", db, enc});
  CHECK(c.code == 3);
  CHECK_FALSE(fs::exists(db));
}

TEST_CASE("A hostile rule file with external entities is refused and nothing is read", "[cli][security]") {
  TempDir dir;
  const auto secret = dir.Write("secret.txt", "TOP-SECRET-CONTENT");
  const auto xxe = dir.Write("xxe.xml",
                             "<?xml version=\"1.0\"?>\n"
                             "<!DOCTYPE r [<!ENTITY x SYSTEM \"file://" + secret + "\">]>\n"
                             "<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"&x;\"/>\n");
  auto r = Cli({"rules", "check", xxe});
  CHECK(r.code == 1);
  CHECK(r.err.find(xxe + ":2:") != std::string::npos);
  CHECK(r.err.find("TOP-SECRET") == std::string::npos);
  CHECK(r.out.find("TOP-SECRET") == std::string::npos);
  const auto db = (dir.path / "x.db").string();
  auto c = Cli({"check", "--rules", xxe, "--db", db, secret});
  CHECK(c.code == 3);
  CHECK(c.err.find("TOP-SECRET") == std::string::npos);
}

TEST_CASE("Missing inputs and wrong runs are input errors with exit 3", "[cli]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  auto c = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
                (dir.path / "nope.csv").string()});
  CHECK(c.code == 3);
  CHECK(c.err.find("cannot read") != std::string::npos);
  CHECK(Cli({"report", "--db", (dir.path / "none.db").string(), "--out", "x.xlsx"}).code == 3);
}

TEST_CASE("Check, score and report run end to end in process", "[cli]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  auto c = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
                kSamples + "encounters.csv"});
  INFO(c.out << c.err);
  REQUIRE(c.code == 1);  // the samples carry findings
  CHECK(c.out.find("run 1 (check)") == 0);
  auto s = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv"});
  INFO(s.err);
  REQUIRE(s.code == 0);
  CHECK(s.out.find("run 2 (score of check run 1)") == 0);
  CHECK(s.out.find("C01") != std::string::npos);
  const auto xlsx = (dir.path / "out.xlsx").string();
  auto r = Cli({"report", "--db", db, "--out", xlsx});
  REQUIRE(r.code == 0);
  CHECK(fs::file_size(xlsx) > 1000);
  // A check run gets the findings workbook; a run that does not exist is an input error.
  auto findings = Cli({"report", "--db", db, "--run", "1", "--out", xlsx});
  CHECK(findings.code == 0);
  CHECK(findings.out.find("findings workbook (check run 1") == 0);
  auto wrong = Cli({"report", "--db", db, "--run", "9", "--out", xlsx});
  CHECK(wrong.code == 3);
  CHECK(wrong.err.find("run 9 is not in the store") != std::string::npos);
  auto runs = Cli({"runs", "--db", db});
  CHECK(runs.out.find("2\tscore") != std::string::npos);
}

TEST_CASE("Every command that reads an input file takes it with --input", "[cli]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  const auto rules = kSamples + "rules/facility.xml";
  // check: --input (repeatable) reads what the arguments read; mixing both is refused.
  auto c = Cli({"check", "--rules", rules, "--db", db, "--input", kSamples + "encounters.csv"});
  INFO(c.out << c.err);
  REQUIRE(c.code == 1);
  auto args = Cli({"check", "--rules", rules, "--db", db, kSamples + "encounters.csv"});
  REQUIRE(args.code == 1);
  auto findings = [&](const char* run) {  // the CSV without its run_id column
    std::istringstream in(Cli({"findings", "--db", db, "--run", run, "--format", "csv"}).out);
    std::string rows;
    for (std::string line; std::getline(in, line);)
      rows += line.substr(line.find(',') + 1) + "\n";
    return rows;
  };
  CHECK(findings("1") == findings("2"));
  CHECK(findings("1").size() > 1000);
  auto mixed = Cli({"check", "--rules", rules, "--db", db, "--input", kSamples + "encounters.csv",
                    kSamples + "encounters.csv"});
  CHECK(mixed.code == 2);
  CHECK(mixed.err.find("as arguments or with --input, not both") != std::string::npos);
  // score: --input is the auditor file (--auditor, its other name, is read too; not both).
  auto s = Cli({"score", "--db", db, "--input", kSamples + "auditor.csv", "--run", "1"});
  INFO(s.err);
  REQUIRE(s.code == 0);
  CHECK(s.out.find("run 3 (score of check run 1)") == 0);
  auto both = Cli({"score", "--db", db, "--input", kSamples + "auditor.csv", "--auditor",
                   kSamples + "auditor.csv"});
  CHECK(both.code == 2);
  auto none = Cli({"score", "--db", db});
  CHECK(none.code == 2);
  CHECK(none.err.find("missing --input") != std::string::npos);
  // agreement: two --input files.
  auto a = Cli({"agreement", "--db", db, "--run", "1", "--input", kSamples + "auditor.csv",
                "--input", kSamples + "auditor_b.csv", "--format", "csv"});
  INFO(a.err);
  CHECK(a.code == 0);
  auto old = Cli({"agreement", "--db", db, "--run", "1", "--auditor", kSamples + "auditor.csv",
                  "--auditor", kSamples + "auditor_b.csv", "--format", "csv"});
  CHECK(old.out == a.out);
  CHECK(a.out.find("kappa") != std::string::npos);
}

// ---- coder QA v2 through the CLI

namespace {
int64_t RunCount(const std::string& db) {
  auto r = Cli({"runs", "--db", db});
  // Lines minus the header line `runs` prints first (issue 17).
  return static_cast<int64_t>(std::count(r.out.begin(), r.out.end(), '\n')) - 1;
}
}  // namespace

TEST_CASE("Scoring options that do not fit together are usage or input errors", "[cli][qa]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  CHECK(Cli({"score", "--db", db, "--rescore", "2", "--auditor", "a.csv"}).code == 2);
  CHECK(Cli({"report", "--db", db, "--out", "x.xlsx", "--period", "weekly"}).code == 2);
  CHECK(Cli({"agreement", "--db", db, "--auditor", "a.csv"}).code == 2);
  CHECK(Cli({"agreement", "--db", db, "--runs", "2"}).code == 2);
  CHECK(Cli({"rebuttal", "--db", db}).code == 2);
  auto base = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv", "--base-rate", "6000"});
  CHECK(base.code == 3);
  CHECK(base.err.find("--base-rate needs --drg-weights") != std::string::npos);
  auto weights = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv", "--drg-weights",
                      kSamples + "drg_weights.csv"});
  CHECK(weights.code == 3);
  CHECK_FALSE(fs::exists(db));  // refused before the store was touched
}

TEST_CASE("A bad or hostile policy file is refused with file:line:column before the store "
          "is touched", "[cli][qa][security]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  const auto bad = dir.Write("bad.xml",
                             "<?xml version=\"1.0\"?>\n"
                             "<scoring-policy xmlns=\"urn:coderaudit:scoring-policy:1\" id=\"x\" "
                             "version=\"1\">\n  <title>t</title>\n</scoring-policy>\n");
  auto r = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv", "--policy", bad});
  CHECK(r.code == 3);
  CHECK(r.err.find(bad + ":4:") != std::string::npos);
  const auto secret = dir.Write("secret.txt", "TOP-SECRET-CONTENT");
  const auto xxe = dir.Write("xxe.xml",
                             "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM \"file://" +
                                 secret + "\">]>\n<scoring-policy id=\"&x;\"/>\n");
  auto x = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv", "--policy", xxe});
  CHECK(x.code == 3);
  CHECK(x.err.find("TOP-SECRET") == std::string::npos);
  CHECK(RunCount(db) == 1);
}

TEST_CASE("Score with a policy and money, re-score, rebut and compare auditors in process",
          "[cli][qa]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  auto s = Cli({"score", "--db", db, "--auditor", kSamples + "auditor.csv", "--policy",
                kSamples + "policies/professional.xml", "--drg-weights",
                kSamples + "drg_weights.csv", "--base-rate", "6000", "--cc-mcc",
                kSamples + "cc_mcc.csv"});
  INFO(s.out << s.err);
  REQUIRE(s.code == 0);
  CHECK(s.out.find("policy     professional-cpt 2025.1") != std::string::npos);
  CHECK(s.out.find("net impact") != std::string::npos);
  // Re-scored with the default policy: a new run, the same rows.
  auto re = Cli({"score", "--db", db, "--rescore", "2", "--policy",
                 std::string(CODERAUDIT_SOURCE_DIR) + "/schemas/policies/default.xml"});
  INFO(re.err);
  REQUIRE(re.code == 0);
  CHECK(re.out.find("run 3 (re-score of score run 2") == 0);
  CHECK(re.out.find("C03           15     80      4     95.0%") != std::string::npos);
  auto frozen = Cli({"score", "--db", db, "--rescore", "2"});
  CHECK(frozen.out.find("policy     professional-cpt") != std::string::npos);
  // Rebuttals from the sample CSV against run 3, then the workbook of the result.
  auto reb = Cli({"rebuttal", "--db", db, "--run", "3", "--in", kSamples + "rebuttal.csv"});
  INFO(reb.err);
  REQUIRE(reb.code == 0);
  CHECK(reb.out.find("applied 8 + rejected 0") != std::string::npos);
  CHECK(reb.out.find("A02                 19         5        5           4          80.0%") !=
        std::string::npos);
  CHECK(reb.out.find("C03           15     80      3     96.2%") != std::string::npos);
  const auto xlsx = (dir.path / "rebutted.xlsx").string();
  REQUIRE(Cli({"report", "--db", db, "--out", xlsx}).code == 0);
  // A rebuttal run can be rebutted again with the same file (it is listed once).
  auto again = Cli({"rebuttal", "--db", db, "--run", "5", "--in", kSamples + "rebuttal.csv"});
  INFO(again.err);
  CHECK(again.code == 0);
  CHECK(again.out.find("run 6 (rebuttal of score run 5") == 0);
  // Nothing in the file applies: refused, no run stored.
  const auto junk = dir.Write("junk.csv", "encounter_id,outcome,rebuttal\nNOPE,added,agree\n");
  const int64_t runs = RunCount(db);
  auto none = Cli({"rebuttal", "--db", db, "--in", junk});
  CHECK(none.code == 3);
  CHECK(none.err.find("no such difference") != std::string::npos);
  CHECK(RunCount(db) == runs);
  auto agree = Cli({"agreement", "--db", db, "--auditor", kSamples + "auditor.csv", "--auditor",
                    kSamples + "auditor_b.csv"});
  INFO(agree.err);
  REQUIRE(agree.code == 0);
  CHECK(agree.out.find("encounters   A 105, B 53, both 53") != std::string::npos);
  auto by_runs = Cli({"agreement", "--db", db, "--runs", "2,3"});
  CHECK(by_runs.code == 0);
  CHECK(by_runs.out.find("agreement 100.0%") != std::string::npos);  // the same rows
}

TEST_CASE("The same encounters read twice in one run are rejected, every copy, not stored", "[cli]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  // The 837P and the CSV hold the same encounter ids.
  auto r = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
                kSamples + "x12/same_encounters_837p.x12", kSamples + "x12/same_encounters.csv"});
  INFO(r.out << r.err);
  CHECK(r.code == 6);  // findings, and the repeated encounters rejected
  CHECK(r.out.find("encounters read 27 = processed 9 + rejected 18") != std::string::npos);
  auto rejects = Cli({"rejects", "--db", db, "--run", "1"});
  CHECK(rejects.out.find("encounter id already read earlier in this run") != std::string::npos);
  CHECK(rejects.out.find("encounter id occurs again later in this run") != std::string::npos);
}

// ---- issue 12: a bad row rejects its whole encounter, on every route -------------------
namespace {
std::string Counts(const std::string& out, const char* what) {
  const auto at = out.find(what);
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}
const char* kHeader =
    "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,coder_id,"
    "payer,drg,discharge_status,code_type,seq,code,poa,modifiers,units,service_date,charge\n";
std::string Enc(const std::string& id, const std::string& date = "2024-04-02") {
  return id + ",PT1,F,1961-05-14,2024-04-02,2024-04-02,professional,9000000001,C01,BCBS,,,DX,1,M17.11,,,,,\n" +
         id + ",,,,,,,,,,,,HCPCS,,99213,,,1," + date + ",125.00\n";
}
}  // namespace

TEST_CASE("An encounter whose rows reappear later is rejected whole, its first block too", "[cli][issue12]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  auto r = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db, kSamples + "bad_encounters.csv"});
  INFO(r.out << r.err);
  CHECK(r.code == 5);  // rejects and no findings: not all was checked
  CHECK(Counts(r.out, "records") == "records    read 28 = processed 11 + rejected 17");
  CHECK(Counts(r.out, "encounters") == "encounters read 13 = processed 5 + rejected 8");
  auto rejects = Cli({"rejects", "--db", db, "--run", "1"});
  CHECK(rejects.out.find("bad_encounters.csv:7: encounter_id:") != std::string::npos);
  CHECK(rejects.out.find("bad_encounters.csv:8: ") != std::string::npos);
}

TEST_CASE("The same encounter id in two files of one run rejects every copy, with file and line", "[cli][issue12]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  const auto a = dir.Write("a.csv", kHeader + Enc("E1") + Enc("E2") + Enc("E3"));
  // E2 again (valid), E3 again with a bad row, E4 only here.
  const auto b = dir.Write("b.csv", kHeader + Enc("E2") + Enc("E3", "2024-02-30") + Enc("E4"));
  auto r = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db, a, b});
  INFO(r.out << r.err);
  CHECK(Counts(r.out, "records") == "records    read 12 = processed 4 + rejected 8");
  CHECK(Counts(r.out, "encounters") == "encounters read 6 = processed 2 + rejected 4");
  auto rejects = Cli({"rejects", "--db", db, "--run", "1"});
  INFO(rejects.out);
  for (const char* where : {"a.csv:4:", "a.csv:5:", "a.csv:6:", "a.csv:7:", "b.csv:2:", "b.csv:3:", "b.csv:4:", "b.csv:5:"})
    CHECK(rejects.out.find(where) != std::string::npos);
  CHECK(rejects.out.find("a.csv:2:") == std::string::npos);
  // The bad copy first, the good one later: still no copy audited.
  const auto db2 = (dir.path / "b.db").string();
  auto r2 = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db2, b, a});
  INFO(r2.out << r2.err);
  CHECK(Counts(r2.out, "encounters") == "encounters read 6 = processed 2 + rejected 4");
}

TEST_CASE("Exit codes: an unknown run is an input error, the same input twice a usage error", "[cli][issue12]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  const auto a = dir.Write("a.csv", kHeader + Enc("E1"));
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db, a}).code == 0);
  auto unknown = Cli({"rejects", "--db", db, "--run", "999"});
  CHECK(unknown.code == 3);
  CHECK(unknown.err.find("999") != std::string::npos);
  auto twice = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db, a, (dir.path / "." / "a.csv").string()});
  INFO(twice.err);
  CHECK(twice.code == 2);
  CHECK(twice.err.find("twice") != std::string::npos);
  CHECK(twice.err.find("UNIQUE") == std::string::npos);
  CHECK(Cli({"runs", "--db", db}).out.find("run 2") == std::string::npos);  // nothing stored
}

TEST_CASE("Piped input is refused with a clear message: a regular file is needed", "[cli][issue12]") {
  TempDir dir;
  const auto db = (dir.path / "a.db").string();
  const auto fifo = (dir.path / "pipe.csv").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto r = Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db, fifo});  // must not block
  INFO(r.err);
  CHECK(r.code == 3);
  CHECK(r.err.find("not a regular file") != std::string::npos);
  CHECK(r.err.find("missing or unreadable header row") == std::string::npos);
  auto s = Cli({"score", "--db", db, "--auditor", fifo});
  INFO(s.err);
  CHECK(s.code == 3);
  // Every other input a run reads: rules, mapping, policy, rebuttal (none may block).
  auto not_regular = [&](const std::vector<std::string>& args, int code) {
    const auto refused = Cli(args);
    INFO(args[0] << ": " << refused.err);
    CHECK(refused.code == code);
    CHECK(refused.err.find("not a regular file") != std::string::npos);
  };
  not_regular({"check", "--rules", fifo, "--db", db, kSamples + "encounters.csv"}, 3);
  not_regular({"rules", "check", fifo}, 1);
  not_regular({"check", "--rules", kSamples + "rules/facility.xml", "--db", db, "--mapping", fifo,
               kSamples + "encounters.csv"}, 3);
  REQUIRE(Cli({"check", "--rules", kSamples + "rules/facility.xml", "--db", db,
               kSamples + "encounters.csv"}).code == 1);
  not_regular({"score", "--db", db, "--input", kSamples + "auditor.csv", "--policy", fifo}, 3);
  REQUIRE(Cli({"score", "--db", db, "--input", kSamples + "auditor.csv"}).code == 0);
  not_regular({"rebuttal", "--db", db, "--input", fifo}, 3);
}

TEST_CASE("A rule or policy file nested 200,000 deep is refused at once, in linear time", "[cli][issue12][security]") {
  TempDir dir;
  std::string deep = "<?xml version=\"1.0\"?>\n<rule-set xmlns=\"urn:coderaudit:rules:v1\" id=\"x\" version=\"1\">";
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  for (int i = 0; i < 200000; ++i) deep += "</a>";
  deep += "</rule-set>\n";
  const auto rules = dir.Write("deep.xml", deep);
  const auto start = std::chrono::steady_clock::now();
  auto r = Cli({"rules", "check", rules});
  auto p = Cli({"score", "--db", (dir.path / "a.db").string(), "--auditor", rules, "--policy", rules});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err << p.err);
  CHECK(seconds < 3);
  CHECK(r.code == 1);  // rules check: the file is invalid
  CHECK(r.err.find("nested") != std::string::npos);
  CHECK(p.code == 3);
}
