// What PostgreSQL adds to the store: concurrent writers (both backends), and the copy of a
// SQLite store into PostgreSQL (`coderaudit db copy`), which needs a server: tagged
// [needs-pg], run only by the "(postgresql)" copies (tests/store/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "audit/model/error.hpp"
#include "audit/store/sample_store.hpp"
#include "audit/store/store.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
using test::CheckRun;

namespace {

Encounter Numbered(int i) {
  Encounter e;
  e.id = "E" + std::to_string(i);
  e.patient_id = "P" + std::to_string(i);
  e.from_date = e.through_date = *ParseIsoDate("2024-03-01");
  e.provider_id = "NPI";
  e.coder_id = "C" + std::to_string(i % 3);
  e.source_line = static_cast<uint32_t>(i + 2);
  CodedLine l;
  l.type = CodeType::kHcpcs;
  l.code = Code::Of("99213");
  l.units = 1.25;
  l.charge_cents = 10000 + i;
  e.lines = {l, l};
  if (i % 2) e.type_of_bill = "0111";  // NULL in every other row
  return e;
}

// A check run of `n` encounters with a finding on every third; returns its id.
int64_t WriteRun(store::Store& s, int n) {
  auto info = CheckRun();
  auto w = s.BeginRun(info);
  w->AddInput({"encounters", "x.csv", "abc", 10});
  for (int i = 0; i < n; ++i) {
    w->AddEncounter(Numbered(i));
    if (i % 3 == 0) {
      Finding f;
      f.rule_id = "R1";
      f.rule_version = "1";
      f.encounter_id = "E" + std::to_string(i);
      f.lines = {1};
      f.values = {{"code", "99213"}};
      f.message = "finding " + std::to_string(i);
      w->AddFinding(f);
      ++info.findings;
    }
  }
  info.records_read = info.records_processed = 2 * n;
  info.encounters_read = info.encounters_processed = n;
  w->Commit(info);
  return w->RunId();
}

}  // namespace

TEST_CASE("Concurrent writers each get their own whole run", "[store]") {
  STORE_OR_SKIP(t);
  { store::Store create(t.db); }
  constexpr int kWriters = 3, kEncounters = 1500;  // several PostgreSQL batches each
  std::vector<pid_t> children;
  for (int k = 0; k < kWriters; ++k) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      try {
        store::Store s(t.db);
        WriteRun(s, kEncounters);
        _exit(0);
      } catch (...) {
        _exit(1);
      }
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  store::Store s(t.db);
  const auto runs = s.ListRuns();
  REQUIRE(runs.size() == kWriters);
  for (const auto& r : runs) {
    CHECK(r.encounters_processed == kEncounters);
    CHECK(s.LoadFindings(r.run_id).size() == (kEncounters + 2) / 3);
    const auto claims = s.LoadClaimRefs(r.run_id);
    REQUIRE(claims.size() == kEncounters);
    // Input order, whichever writer's rows were interleaved with whose.
    for (int i = 0; i < kEncounters; ++i) CHECK(claims[static_cast<size_t>(i)].encounter_id == "E" + std::to_string(i));
  }
}

TEST_CASE("db copy moves every table of a SQLite store into PostgreSQL with its ids",
          "[store][needs-pg]") {
  STORE_OR_SKIP(target);
  REQUIRE(target.Postgres());
  test::TempDir dir;
  const std::string source = (dir.path / "team.db").string();
  int64_t second = 0;
  {
    store::Store s(source);
    WriteRun(s, 10);
    // An abandoned run leaves a gap in SQLite's ids too: ids are kept, not renumbered.
    { auto w = s.BeginRun(CheckRun()); }
    second = WriteRun(s, 2500);
    store::ApiTokenRow token;
    token.name = "ci";
    token.role = "read";
    token.salt_hex = "00";
    token.hash_hex = "11";
    token.iterations = 1;
    token.created_at = "2026-01-01T00:00:00Z";
    s.AddApiToken(token);
  }
  const auto report = store::CopyStore(source, target.db, false);
  REQUIRE(report.runs.size() == 2);
  CHECK(report.runs[1].run_id == second);
  CHECK(report.runs[1].findings == 834);

  store::Store copied(target.db);
  store::Store original(source);
  REQUIRE(copied.ListRuns().size() == 2);
  CHECK(copied.LoadRun(second)->encounters_processed == 2500);
  for (const int64_t run : {int64_t{1}, second}) {
    const auto a = original.LoadFindings(run), b = copied.LoadFindings(run);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].finding.message == b[i].finding.message);
    const auto ca = original.LoadClaimRefs(run), cb = copied.LoadClaimRefs(run);
    REQUIRE(ca.size() == cb.size());
    for (size_t i = 0; i < ca.size(); ++i) CHECK(ca[i].encounter_id == cb[i].encounter_id);
  }
  // NULL stays NULL and '' stays '' (migration 0004's "not reported").
  CHECK(test::QueryFirst(target.db, "SELECT count(*) FROM encounters WHERE type_of_bill IS NULL") == "1255");
  const auto e = copied.LoadEncounter(second, "E7");
  REQUIRE(e);
  test::CheckSameEncounter(*original.LoadEncounter(second, "E7"), *e);
  CHECK(copied.ListApiTokens().size() == 1);
  CHECK(copied.ListApiTokens()[0].revoked_at.empty());
  // New rows continue after the copied ids.
  CHECK(WriteRun(copied, 1) == second + 1);

  // A store that holds rows is refused, and left as it was.
  CHECK_THROWS_AS(store::CopyStore(source, target.db, false), InputError);
  CHECK(copied.ListRuns().size() == 3);
  // Told to add to it, ids that are taken fail the copy as a whole.
  CHECK_THROWS_AS(store::CopyStore(source, target.db, true), SystemError);
  CHECK(copied.ListRuns().size() == 3);
  CHECK(copied.ListApiTokens().size() == 1);
}
