#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "audit/model/error.hpp"
#include "audit/store/store.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
using test::CheckRun;
using test::TempDir;

namespace {
Encounter SampleEncounter() {
  Encounter e;
  e.id = "E1";
  e.patient_id = "P1";
  e.sex = Sex::kFemale;
  e.birth_date = ParseIsoDate("1950-01-01");
  e.from_date = *ParseIsoDate("2024-01-01");
  e.through_date = *ParseIsoDate("2024-01-03");
  e.claim_type = ClaimType::kOutpatient;
  e.provider_id = "NPI";
  e.coder_id = "C01";
  CodedLine dx;
  dx.type = CodeType::kDiagnosis;
  dx.seq = 1;
  dx.code = Code::Of("I10");
  dx.poa = 'Y';
  CodedLine cpt;
  cpt.type = CodeType::kHcpcs;
  cpt.code = Code::Of("20610");
  cpt.modifiers = *Modifiers::Parse("RT;59");
  cpt.units = 2.5;
  cpt.service_date = ParseIsoDate("2024-01-02");
  cpt.charge_cents = 12345;
  e.lines = {dx, cpt};
  return e;
}
}  // namespace

TEST_CASE("A new store gets the current schema and reopens cleanly", "[store]") {
  STORE_OR_SKIP(t);
  const auto db = t.db;
  { store::Store s(db); CHECK(s.ListRuns().empty()); }
  { store::Store s(db); CHECK(s.ListRuns().empty()); }
  CHECK(store::CurrentSchemaVersion() >= 3);
}

TEST_CASE("A committed run round-trips encounters, findings and rejects", "[store]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  auto info = CheckRun();
  auto w = s.BeginRun(info);
  w->AddInput({"encounters", "x.csv", "abc", 10});
  w->AddEncounter(SampleEncounter());
  Finding f;
  f.rule_id = "R1";
  f.rule_version = "2";
  f.encounter_id = "E1";
  f.lines = {2, 1};
  // Every character class the JSON writer escapes or passes through.
  const std::string awkward = std::string("q\"b\\s/n\nt\tr\rb\bf\fc\x01\x1f del\x7f \xc3\xa9 ") + "\xe2\x82\xac";
  f.values = {{"zeta", "1"}, {"alpha", "x\"y"}, {"k/\"\n", awkward}, {"", ""}};
  f.disposition = Disposition::kLineDeny;
  w->AddFinding(f);
  w->AddReject({"x.csv", 7, "code", "bad", "raw"});
  info.records_read = 3;
  info.records_processed = 2;
  info.records_rejected = 1;
  info.findings = 1;
  w->Commit(info);
  const int64_t id = w->RunId();

  auto run = s.LoadRun(id);
  REQUIRE(run);
  CHECK(run->kind == "check");
  CHECK(run->records_rejected == 1);
  REQUIRE(run->inputs.size() == 1);
  CHECK(run->inputs[0].sha256 == "abc");
  auto e = s.LoadEncounter(id, "E1");
  REQUIRE(e);
  CHECK(e->lines.size() == 2);
  CHECK(e->lines[1].modifiers.Str() == "RT;59");
  CHECK(e->lines[1].units == 2.5);
  CHECK(e->lines[1].charge_cents == 12345);
  CHECK(ToIso(*e->lines[1].service_date) == "2024-01-02");
  CHECK(e->lines[0].poa == 'Y');
  CHECK_FALSE(e->lines[0].service_date);
  auto findings = s.LoadFindings(id);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].coder_id == "C01");
  CHECK(findings[0].finding.lines == std::vector<uint32_t>{2, 1});
  // The order of fired values is kept.
  CHECK(findings[0].finding.values == f.values);
  CHECK(findings[0].finding.disposition == Disposition::kLineDeny);
  auto rejects = s.LoadRejects(id);
  REQUIRE(rejects.size() == 1);
  CHECK(rejects[0].line == 7);
}

TEST_CASE("A run abandoned by an exception leaves nothing behind", "[store]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  try {
    auto w = s.BeginRun(CheckRun());
    w->AddEncounter(SampleEncounter());
    throw std::runtime_error("disk on fire");
  } catch (const std::runtime_error&) {
  }
  CHECK(s.ListRuns().empty());
  CHECK_FALSE(s.LoadEncounter(1, "E1"));
}

TEST_CASE("Counts that do not add up are refused by the store", "[store]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  auto info = CheckRun();
  auto w = s.BeginRun(info);
  info.records_read = 5;
  info.records_processed = 1;
  CHECK_THROWS_AS(w->Commit(info), SystemError);
  w.reset();
  CHECK(s.ListRuns().empty());
}

TEST_CASE("A process killed in the middle of a run leaves no half-written run", "[store]") {
  STORE_OR_SKIP(t);
  const auto db = t.db;
  { store::Store s(db); }
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    store::Store s(db);
    auto w = s.BeginRun(CheckRun());
    for (int i = 0; i < 50; ++i) {
      auto e = SampleEncounter();
      e.id = "E" + std::to_string(i);
      w->AddEncounter(e);
    }
    _exit(0);  // dies without commit or cleanup, as a crash would
  }
  int status = 0;
  waitpid(pid, &status, 0);
  store::Store s(db);
  CHECK(s.ListRuns().empty());
  CHECK_FALSE(s.LoadEncounter(1, "E0"));
}

TEST_CASE("A file that is not a store is refused with a system error", "[store][sqlite-only]") {
  TempDir dir;
  const auto path = (dir.path / "junk.db").string();
  std::ofstream(path) << "this is not sqlite, just text that is long enough to be a header...";
  CHECK_THROWS_AS(store::Store(path), SystemError);
}
