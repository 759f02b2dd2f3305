// Migration 0004: the X12 837 / FHIR claim fields in the store. Every field round-trips,
// "not reported" is stored as NULL, and a version-3 store upgrades in place.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "audit/store/store.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
using test::CheckRun;
using test::TempDir;

namespace {
CodedLine Line(CodeType type, uint16_t seq, const char* code) {
  CodedLine l;
  l.type = type;
  l.seq = seq;
  l.code = Code::Of(code);
  return l;
}

// An 837I-like inpatient claim with every field of the model set to something other than
// its default, and lines in every code system.
Encounter FullEncounter() {
  Encounter e;
  e.id = "CLM-FULL";
  e.patient_id = "MBR001-1a2b3c4d";
  e.sex = Sex::kMale;
  e.birth_date = ParseIsoDate("1948-07-14");
  e.from_date = *ParseIsoDate("2024-05-01");
  e.through_date = *ParseIsoDate("2024-05-06");
  e.claim_type = ClaimType::kInpatient;
  e.provider_id = "1234567893";
  e.coder_id = "x12:SUBMITTER1";
  e.payer = "ACME HEALTH";
  e.drg = "291";
  e.discharge_status = "01";
  e.source_line = 17;
  e.place_of_service = "21";
  e.type_of_bill = "0111";
  e.claim_frequency = "7";
  e.total_charge_cents = 1234567;
  e.rendering_provider_id = "1987654321";
  e.attending_provider_id = "1555555555";
  e.admitting_dx = Code::Of("R0789");
  e.visit_reason_dx = {Code::Of("R51"), Code::Of("R1110"), Code::Of("R0602")};
  auto dx = Line(CodeType::kDiagnosis, 1, "I5023");
  dx.poa = 'Y';
  dx.source_line = 20;
  auto dx9 = Line(CodeType::kDiagnosis, 2, "4019");
  dx9.code_system = CodeSystem::kIcd9;
  dx9.poa = 'W';
  auto pcs = Line(CodeType::kPcs, 1, "02HV33Z");
  pcs.service_date = ParseIsoDate("2024-05-02");
  auto line = Line(CodeType::kHcpcs, 0, "99223");
  line.modifiers = *Modifiers::Parse("25;59;RT;LT");
  line.units = 1.5;
  line.service_date = ParseIsoDate("2024-05-01");
  line.charge_cents = 45000;
  line.source_line = 31;
  line.revenue_code = Code::Of("0450");
  line.place_of_service = Code::Of("23");
  line.dx_pointers = {1, 2, 0, 0};
  auto hipps = Line(CodeType::kHcpcs, 0, "HAAA1");
  hipps.code_system = CodeSystem::kOther;
  hipps.revenue_code = Code::Of("0022");
  hipps.dx_pointers = {0, 2, 0, 255};  // a gap and the largest value keep their slots
  hipps.units = 3;
  e.lines = {dx, dx9, pcs, line, hipps};
  return e;
}

// What the CSV layout gives: none of the claim fields.
Encounter CsvEncounter() {
  Encounter e;
  e.id = "CSV-1";
  e.patient_id = "P1";
  e.from_date = *ParseIsoDate("2024-01-01");
  e.through_date = *ParseIsoDate("2024-01-01");
  e.provider_id = "NPI";
  e.coder_id = "C01";
  auto dx = Line(CodeType::kDiagnosis, 1, "I10");
  auto cpt = Line(CodeType::kHcpcs, 0, "99213");
  cpt.units = 1;
  cpt.charge_cents = 9000;
  e.lines = {dx, cpt};
  return e;
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// The first column of the first row as text ("NULL" for NULL), or "" when there is no row.
std::string Query(const std::string& db, const std::string& sql) { return test::QueryFirst(db, sql); }

std::string Migration(const char* name) {
  std::ifstream in(std::string(CODERAUDIT_SOURCE_DIR) + "/schemas/migrations/" + name);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int64_t StoreRun(store::Store& s, const std::vector<Encounter>& encounters) {
  auto w = s.BeginRun(CheckRun());
  for (const auto& e : encounters) w->AddEncounter(e);
  w->Commit(CheckRun());
  return w->RunId();
}
}  // namespace

TEST_CASE("An encounter with every X12 and FHIR claim field set round-trips through the store",
          "[store]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  const auto full = FullEncounter();
  const auto csv = CsvEncounter();
  const int64_t run = StoreRun(s, {full, csv});

  SECTION("LoadEncounter") {
    auto got = s.LoadEncounter(run, full.id);
    REQUIRE(got);
    test::CheckSameEncounter(full, *got);
    auto plain = s.LoadEncounter(run, csv.id);
    REQUIRE(plain);
    test::CheckSameEncounter(csv, *plain);
  }
  SECTION("ForEachEncounter") {
    std::vector<Encounter> got;
    s.ForEachEncounter(run, [&](Encounter&& e) { got.push_back(std::move(e)); });
    REQUIRE(got.size() == 2);
    test::CheckSameEncounter(csv, got[0]);  // by source line: 0 before 17
    test::CheckSameEncounter(full, got[1]);
  }
}

TEST_CASE("Claim fields are stored in their documented forms and NULL when not reported",
          "[store]") {
  STORE_OR_SKIP(t);
  const auto path = t.db;
  {
    store::Store s(path);
    StoreRun(s, {FullEncounter(), CsvEncounter()});
  }
  const std::string full = " FROM encounters WHERE encounter_id = 'CLM-FULL'";
  CHECK(Query(path, "SELECT type_of_bill" + full) == "0111");
  CHECK(Query(path, "SELECT total_charge_cents" + full) == "1234567");
  CHECK(Query(path, "SELECT admitting_dx" + full) == "R0789");
  CHECK(Query(path, "SELECT visit_reason_dx" + full) == "R51;R1110;R0602");
  const std::string lines = " FROM encounter_lines WHERE encounter_id = 'CLM-FULL' AND position = ";
  CHECK(Query(path, "SELECT code_system" + lines + "1") == "NULL");
  CHECK(Query(path, "SELECT code_system" + lines + "2") == "ICD9");
  CHECK(Query(path, "SELECT code_system" + lines + "5") == "OTHER");
  CHECK(Query(path, "SELECT dx_pointers" + lines + "4") == "1,2");
  CHECK(Query(path, "SELECT dx_pointers" + lines + "5") == "0,2,0,255");
  CHECK(Query(path, "SELECT revenue_code" + lines + "4") == "0450");
  CHECK(Query(path, "SELECT place_of_service" + lines + "4") == "23");
  // The CSV encounter reports none of them: every new column is NULL.
  CHECK(Query(path, "SELECT count(*) FROM encounters WHERE encounter_id = 'CSV-1' AND "
                    "place_of_service IS NULL AND type_of_bill IS NULL AND claim_frequency IS NULL "
                    "AND total_charge_cents IS NULL AND rendering_provider_id IS NULL AND "
                    "attending_provider_id IS NULL AND admitting_dx IS NULL AND "
                    "visit_reason_dx IS NULL") == "1");
  CHECK(Query(path, "SELECT count(*) FROM encounter_lines WHERE encounter_id = 'CSV-1' AND "
                    "code_system IS NULL AND revenue_code IS NULL AND place_of_service IS NULL "
                    "AND dx_pointers IS NULL") == "2");
}

TEST_CASE("A version-3 store upgrades in place, keeps its runs and then stores claim fields",
          "[store][sqlite-only]") {
  TempDir dir;
  const auto path = (dir.path / "v3.db").string();
  // A store as version 3 wrote it: migrations 0001-0003, a check run with one encounter,
  // its lines and a finding, a score run, and a sample of the check run.
  Exec(path,
       Migration("0001_init.sql") + Migration("0002_qa_v2.sql") + Migration("0003_samples.sql") +
           "INSERT INTO schema_migrations VALUES (1, '2025-01-01'), (2, '2025-02-01'),"
           " (3, '2025-03-01');"
           "INSERT INTO runs (run_id, kind, parent_run_id, started_at, finished_at, tool_version,"
           " records_read, records_processed, records_rejected, encounters_read,"
           " encounters_processed, encounters_rejected, findings, benchmark) VALUES"
           " (1, 'check', 0, '2025-03-01T00:00:00Z', '2025-03-01T00:00:01Z', 'v3', 2,2,0,1,1,0,1,0),"
           " (2, 'score', 1, '2025-03-02T00:00:00Z', '2025-03-02T00:00:01Z', 'v3', 0,0,0,0,0,0,0,0.95);"
           "INSERT INTO encounters VALUES (1, 'OLD-1', 'P9', 'F', '1960-02-29', '2025-02-01',"
           " '2025-02-03', 'outpatient', 'NPI9', 'C07', 'PAYER', '', '', 2);"
           "INSERT INTO encounter_lines VALUES"
           " (1, 'OLD-1', 1, 'DX', 1, 'E119', 'Y', '', 0, '', 0, 2),"
           " (1, 'OLD-1', 2, 'HCPCS', 0, '20610', '', 'RT;59', 2.5, '2025-02-02', 12345, 3);"
           "INSERT INTO findings VALUES (1, 1, 'R1', '1', 'ptp', 'NCCI', 'error', 'review',"
           " 'OLD-1', '2', '{\"code\":\"20610\"}', 'message');"
           "INSERT INTO qa_score_runs (run_id, origin, policy_id, policy_version, policy_sha256,"
           " policy_text) VALUES (2, 'auditor', 'default', '1', 'abc', '');"
           "INSERT INTO samples VALUES (1, 1, '2025-03-03T00:00:00Z', 'simple', 1, 'modern', '1',"
           " '42', '{}', 'sha', 1, 'v3');");

  store::Store s(path);
  CHECK(Query(path, "SELECT max(version) FROM schema_migrations") ==
        std::to_string(store::CurrentSchemaVersion()));
  CHECK(store::CurrentSchemaVersion() >= 5);
  // Migration 0005 rebuilt these clustered by their keys, rows and all.
  for (const char* table : {"encounter_lines", "findings", "rejects"})
    CHECK(Query(path, std::string("SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name='") +
                          table + "'") == "1");
  CHECK(Query(path, "SELECT count(*) FROM encounter_lines") != "0");
  // The old rows are all there and read back as before, with the new fields unset.
  const auto runs = s.ListRuns();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].encounters_processed == 1);
  CHECK(runs[1].kind == "score");
  CHECK(s.LoadScoring(2).policy_id == "default");
  CHECK(Query(path, "SELECT count(*) FROM samples") == "1");
  const auto findings = s.LoadFindings(1);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].coder_id == "C07");
  Encounter want;
  want.id = "OLD-1";
  want.patient_id = "P9";
  want.sex = Sex::kFemale;
  want.birth_date = ParseIsoDate("1960-02-29");
  want.from_date = *ParseIsoDate("2025-02-01");
  want.through_date = *ParseIsoDate("2025-02-03");
  want.claim_type = ClaimType::kOutpatient;
  want.provider_id = "NPI9";
  want.coder_id = "C07";
  want.payer = "PAYER";
  want.source_line = 2;
  auto dx = Line(CodeType::kDiagnosis, 1, "E119");
  dx.poa = 'Y';
  dx.source_line = 2;
  auto cpt = Line(CodeType::kHcpcs, 0, "20610");
  cpt.modifiers = *Modifiers::Parse("RT;59");
  cpt.units = 2.5;
  cpt.service_date = ParseIsoDate("2025-02-02");
  cpt.charge_cents = 12345;
  cpt.source_line = 3;
  want.lines = {dx, cpt};
  auto old = s.LoadEncounter(1, "OLD-1");
  REQUIRE(old);
  test::CheckSameEncounter(want, *old);
  int seen = 0;
  s.ForEachEncounter(1, [&](Encounter&& e) {
    ++seen;
    test::CheckSameEncounter(want, e);
  });
  CHECK(seen == 1);

  // The upgraded store takes a new run with every claim field and gives it back.
  const auto full = FullEncounter();
  const int64_t run = StoreRun(s, {full});
  CHECK(run == 3);
  auto got = s.LoadEncounter(run, full.id);
  REQUIRE(got);
  test::CheckSameEncounter(full, *got);

  // Opening again applies nothing twice.
  store::Store again(path);
  // (Versions may have gaps while migrations are developed on parallel branches.)
  CHECK(Query(path, "SELECT count(*) - count(DISTINCT version) FROM schema_migrations") == "0");
  CHECK(Query(path, "SELECT max(version) FROM schema_migrations") ==
        std::to_string(store::CurrentSchemaVersion()));
  CHECK(again.ListRuns().size() == 3);
}
