#pragma once
// Shared by the store tests: a temporary directory, a check run's info, and every stored
// field of an encounter and its lines compared one by one (Catch2 CHECKs). source_file and
// source_records are ingest bookkeeping the store does not keep (a run records its input
// files in run_inputs); they are not compared.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "audit/model/encounter.hpp"
#include "audit/runs/accuracy_report.hpp"
#include "tests/ingest_formats/same_fields.hpp"

namespace coderaudit::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/coderaudit-store-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// The store a test runs against. By default a SQLite file in a temporary directory. With
// CODERAUDIT_STORE_BACKEND=postgresql (the "(postgresql)" copies of the store tests that
// tests/store/CMakeLists.txt registers), a fresh schema on the PostgreSQL server whose URL
// is in CODERAUDIT_TEST_PG (scripts/test.sh starts one with scripts/pg.sh), dropped
// afterwards; `db` is then empty when that variable is unset and the test is skipped.
inline bool PostgresWanted() {
  const char* b = getenv("CODERAUDIT_STORE_BACKEND");
  return b && std::string(b) == "postgresql";
}

struct TestStore {
  TempDir dir;
  std::string db;      // the --db value
  std::string server;  // PostgreSQL: the server's URL; "" for SQLite
  std::string schema;
  explicit TestStore(const std::string& file = "a.db") {
    if (!PostgresWanted()) {
      db = (dir.path / file).string();
      return;
    }
    const char* url = getenv("CODERAUDIT_TEST_PG");
    if (!url || !*url) return;
    static std::atomic<int> counter{0};
    server = url;
    schema = "test_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" +
             std::to_string(time(nullptr) % 100000);
    // libpq takes one '=' per URL parameter: the one inside the option is escaped.
    db = server + (server.find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + schema;
  }
  ~TestStore() {
    if (schema.empty()) return;
    const std::string cmd = "psql '" + server + "' -qAt -c 'DROP SCHEMA IF EXISTS " + schema +
                            " CASCADE' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) WARN("could not drop test schema " << schema);
  }
  bool Postgres() const { return !server.empty(); }
};

// Declares `var`, a TestStore, or skips the test (with a warning) when it wants PostgreSQL
// and no server is given.
#define STORE_OR_SKIP(var)                                                              \
  coderaudit::test::TestStore var;                                                     \
  if (var.db.empty()) {                                                                \
    WARN("skipped: CODERAUDIT_TEST_PG is not set (scripts/pg.sh start DIR prints a URL)"); \
    return;                                                                            \
  }

// The first column of the first row of `sql` on the store `db` as text ("NULL" for NULL),
// or "" when there is no row: straight from the database, past the store's own code.
inline std::string QueryFirst(const std::string& db, const std::string& sql) {
  if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0) {
    const std::string cmd = "psql '" + db + "' -qAtX -P null=NULL -c \"" + sql + "\"";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    while (fgets(buf, sizeof buf, p)) out += buf;
    REQUIRE(pclose(p) == 0);
    const auto nl = out.find('\n');
    return nl == std::string::npos ? out : out.substr(0, nl);
  }
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW)
    out = sqlite3_column_type(st, 0) == SQLITE_NULL
              ? "NULL"
              : reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

inline runs::RunInfo CheckRun() {
  runs::RunInfo i;
  i.kind = "check";
  i.started_at = "2026-01-02T03:04:05Z";
  i.finished_at = "2026-01-02T03:04:06Z";
  i.tool_version = "test";
  i.rule_set_name = "rs";
  return i;
}

inline void CheckSameLine(const CodedLine& want, const CodedLine& got) {
  CHECK(got.type == want.type);
  CHECK(got.seq == want.seq);
  CHECK(got.code == want.code);
  CHECK(got.poa == want.poa);
  CHECK(got.modifiers == want.modifiers);
  CHECK(got.units == want.units);
  CHECK(got.service_date == want.service_date);
  CHECK(got.charge_cents == want.charge_cents);
  CHECK(got.source_line == want.source_line);
  CHECK(got.code_system == want.code_system);
  CHECK(got.revenue_code == want.revenue_code);
  CHECK(got.place_of_service == want.place_of_service);
  CHECK(got.dx_pointers == want.dx_pointers);
}

inline void CheckSameEncounter(const Encounter& want, const Encounter& got) {
  INFO("encounter " << want.id);
  CheckSameHeader(want, got, true);
  CHECK(got.source_line == want.source_line);
  CHECK(got.place_of_service == want.place_of_service);
  CHECK(got.type_of_bill == want.type_of_bill);
  CHECK(got.claim_frequency == want.claim_frequency);
  CHECK(got.total_charge_cents == want.total_charge_cents);
  CHECK(got.rendering_provider_id == want.rendering_provider_id);
  CHECK(got.attending_provider_id == want.attending_provider_id);
  CHECK(got.admitting_dx == want.admitting_dx);
  CHECK(got.visit_reason_dx == want.visit_reason_dx);
  REQUIRE(got.lines.size() == want.lines.size());
  for (size_t i = 0; i < want.lines.size(); ++i) {
    INFO("line " << i + 1);
    CheckSameLine(want.lines[i], got.lines[i]);
  }
}

}  // namespace coderaudit::test
