// Edits across claims (issue 15 item 5): NCCI practitioner PTP pairs split between claims
// of the same patient, provider and date of service, found through the on-disk claim
// history (audit/store/claim_history.hpp) over the run's earlier claims and over earlier
// stored runs named with history_runs. Real pack PTP rows (samples/packs/tables).
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audit/model/date.hpp"
#include "audit/model/error.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/service/service.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
namespace fs = std::filesystem;

namespace {

const std::string kSource = CODERAUDIT_SOURCE_DIR;
const std::string kHeader =
    "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,"
    "coder_id,code_type,seq,code,poa,modifiers,units,service_date,charge\n";

using coderaudit::test::TempDir;  // tests/store/store_test_support.hpp

// One professional claim with one HCPCS line (and modifiers).
std::string Claim(const std::string& id, const std::string& patient, const std::string& provider,
                  const std::string& date, const std::string& code,
                  const std::string& modifiers = "", int units = 1) {
  return id + "," + patient + ",F,1971-09-30," + date + "," + date + ",professional," + provider +
         ",C1,DX,1,M23.221,,,,,\n" + id + ",,,,,,,,,HCPCS,," + code + ",," + modifiers + "," +
         std::to_string(units) + ",,100.00\n";
}

std::vector<std::string> Rows(const std::string& db, int64_t run) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h,
                     "SELECT encounter_id || ' ' || rule_id || ' ' || lines || ' ' || fired"
                     " FROM findings WHERE run_id = ? ORDER BY encounter_id, rule_id",
                     -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, run);
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW)
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

service::CheckSummary Run(const TempDir& dir, const std::string& name, const std::string& csv,
                          std::vector<int64_t> history = {}, int threads = 2,
                          const std::string& packs = "ncci-ptp ncci-mue ncci-addon",
                          service::CheckOptions::StoreMode store = service::CheckOptions::StoreMode::kAll) {
  const auto refdata = (dir.path / "refdata").string();
  if (!fs::exists(refdata)) {
    const std::string tables = kSource + "/samples/packs/tables/";
    for (const auto& [kind, file] :
         {std::pair{refdata::TableKind::kPtpPractitioner, "ncci_ptp_practitioner_2024q3_pack.tsv"},
          std::pair{refdata::TableKind::kPtpOutpatient,
                    "ncci_ptp_outpatient_hospital_2024q3_pack.tsv"},
          std::pair{refdata::TableKind::kMuePractitioner, "ncci_mue_practitioner_2024q3_pack.csv"},
          std::pair{refdata::TableKind::kMueOutpatient,
                    "ncci_mue_outpatient_hospital_2024q3_pack.csv"},
          std::pair{refdata::TableKind::kAddOn, "ncci_add_on_codes_2024q3_pack.csv"}})
      refdata::ImportTable(refdata, kind, tables + file, "2024Q3", DateFromCivil(2024, 7, 1),
                           DateFromCivil(2024, 9, 30));
  }
  const auto path = (dir.path / name).string();
  std::ofstream(path) << (name.ends_with(".json") ? "" : kHeader) << csv;
  // The national packs: NCCI-PTP-XCLAIM (column 2 on the later claim) and
  // NCCI-PTP-XCLAIM-EARLIER (column 2 on the earlier claim) by default.
  const auto rules = (dir.path / "rules.xml").string();
  std::string includes;
  for (size_t at = 0; at < packs.size();) {
    const size_t end = std::min(packs.find(' ', at), packs.size());
    includes += "<include pack=\"" + packs.substr(at, end - at) + "\"/>";
    at = end + 1;
  }
  std::ofstream(rules) << R"(<ruleset xmlns="urn:coderaudit:rules:1" id="x" version="1" title="x">)"
                       << includes << "</ruleset>";
  service::CheckOptions opt;
  opt.rules_path = rules;
  opt.refdata_dir = refdata;
  opt.encounter_paths = {path};
  opt.db_path = (dir.path / "store.db").string();
  opt.history_runs = std::move(history);
  opt.threads = threads;
  opt.store = store;
  return service::RunCheck(opt);
}

}  // namespace

TEST_CASE("A practitioner PTP pair split across two claims of the same patient, provider and "
          "date is found",
          "[service][issue15]") {
  TempDir dir;
  // 29881 (column 1) and 29877 (column 2), modifier indicator 0, on separate claims: the
  // later claim's column-2 line is denied; the reverse order flags the later column-1
  // line for review of the earlier claim. Another provider, another patient, another date
  // or a single claim pair nothing.
  const std::string csv = Claim("A1", "P1", "PR1", "2024-08-15", "29881", "RT") +
                          Claim("A2", "P1", "PR1", "2024-08-15", "29877", "RT") +
                          Claim("A3", "P1", "PR2", "2024-08-15", "29877") +
                          Claim("A4", "P1", "PR1", "2024-08-16", "29877") +
                          Claim("A5", "P9", "PR1", "2024-08-15", "29877") +
                          Claim("B1", "P2", "PR1", "2024-08-15", "29877") +
                          Claim("B2", "P2", "PR1", "2024-08-15", "29881");
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    const auto run = Run(dir, "claims.csv", csv, {}, threads);
    REQUIRE(run.run.records_rejected == 0);
    CHECK(Rows((dir.path / "store.db").string(), run.run.run_id) ==
          std::vector<std::string>{
              "A2 NCCI-PTP-XCLAIM 2 {\"code\":\"29877\",\"code2\":\"29881\",\"dos\":\"2024-08-15\","
              "\"claim2\":\"A1\",\"line2\":\"2\",\"indicator\":\"0\",\"table\":\"ptp-practitioner 2024Q3\"}",
              "B2 NCCI-PTP-XCLAIM-EARLIER 2 {\"code\":\"29881\",\"code2\":\"29877\",\"dos\":\"2024-08-15\","
              "\"claim2\":\"B1\",\"line2\":\"2\",\"indicator\":\"0\",\"table\":\"ptp-practitioner 2024Q3\"}"});
  }
}

TEST_CASE("Earlier stored runs named as history pair with this run's claims",
          "[service][issue15]") {
  TempDir dir;
  const auto first = Run(dir, "monday.csv", Claim("M1", "P1", "PR1", "2024-08-15", "29881"));
  const auto later = Claim("T1", "P1", "PR1", "2024-08-15", "29877");
  const auto alone = Run(dir, "tuesday.csv", later);
  CHECK(Rows((dir.path / "store.db").string(), alone.run.run_id).empty());
  const auto with_history = Run(dir, "tuesday.csv", later, {first.run.run_id});
  const auto rows = Rows((dir.path / "store.db").string(), with_history.run.run_id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].starts_with("T1 NCCI-PTP-XCLAIM 2 "));
  CHECK(rows[0].find("\"claim2\":\"M1\"") != std::string::npos);
  // A run that does not exist is an input error naming it.
  CHECK_THROWS_WITH(Run(dir, "tuesday.csv", later, {99}),
                    Catch::Contains("run 99") && Catch::Contains("no such run"));
}

TEST_CASE("MUE date-of-service totals and add-on primaries count the earlier claims of the day",
          "[service][issue15]") {
  TempDir dir;
  // 20610: MUE 2 units a day, MAI 3 (clinical, date of service). 64484 is a type 1 add-on
  // of 64483. Each claim alone is within its limits and has what it needs; across the
  // patient's claims with one provider on one day, the second 20610 claim brings the day
  // to 4 units, and the add-on's primary is on the earlier claim.
  const std::string csv = Claim("M1", "P1", "PR1", "2024-08-15", "20610", "", 2) +
                          Claim("M2", "P1", "PR1", "2024-08-15", "20610", "", 2) +
                          Claim("M3", "P1", "PR2", "2024-08-15", "20610", "", 2) +
                          Claim("N1", "P2", "PR1", "2024-08-15", "64483") +
                          Claim("N2", "P2", "PR1", "2024-08-15", "64484") +
                          Claim("N3", "P2", "PR2", "2024-08-15", "64484");
  const auto run = Run(dir, "day.csv", csv);
  REQUIRE(run.run.records_rejected == 0);
  const auto rows = Rows((dir.path / "store.db").string(), run.run.run_id);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].starts_with("M2 NCCI-MUE-"));
  CHECK(rows[0].find("\"units\":\"4\"") != std::string::npos);
  CHECK(rows[0].find("\"mai\":\"3\"") != std::string::npos);
  CHECK(rows[1].starts_with("N3 NCCI-AOC-001 2 "));  // another provider: no primary that day
}

namespace {

// One professional JSON claim with one HCPCS line: place of service, charge, claim
// frequency code and modifiers as given.
std::string JsonClaim(const std::string& id, const std::string& patient, const std::string& date,
                      const std::string& code, const std::string& pos, const std::string& charge,
                      const std::string& frequency = "1", const std::string& modifier = "") {
  return R"({"encounter_id":")" + id + R"(","patient_id":")" + patient +
         R"(","sex":"F","birth_date":"1971-09-30","from_date":"2024-08-14","through_date":"2024-08-16",)"
         R"("claim_type":"professional","provider_id":"PR1","coder_id":"C1","place_of_service":")" +
         pos + R"(","claim_frequency":")" + frequency +
         R"(","diagnoses":[{"code":"M23.221","seq":1}],"lines":[{"code":")" + code +
         R"(","date":")" + date + R"(","charge":")" + charge + R"(")" +
         (modifier.empty() ? "" : R"(,"modifiers":[")" + modifier + R"("])") + "}]}";
}

std::string JsonBatch(const std::vector<std::string>& claims) {
  std::string out = "[";
  for (const auto& c : claims) out += (out.size() > 1 ? "," : "") + c;
  return out + "]";
}

}  // namespace

TEST_CASE("A service billed again on a later claim of the same patient and provider is a "
          "duplicate: exact, or suspect when one element differs",
          "[service][duplicates]") {
  TempDir dir;
  const std::string csv = JsonBatch({
      // Exact: same date, place of service and charge.
      JsonClaim("E1", "P1", "2024-08-15", "99213", "11", "125.00"),
      JsonClaim("E2", "P1", "2024-08-15", "99213", "11", "125.00"),
      // Suspect: the charge differs; the next day; the place of service differs.
      JsonClaim("S1", "P2", "2024-08-15", "80053", "11", "30.00"),
      JsonClaim("S2", "P2", "2024-08-15", "80053", "11", "32.00"),
      JsonClaim("S3", "P3", "2024-08-15", "80053", "11", "30.00"),
      JsonClaim("S4", "P3", "2024-08-16", "80053", "11", "30.00"),
      JsonClaim("S5", "P4", "2024-08-15", "99213", "11", "125.00"),
      JsonClaim("S6", "P4", "2024-08-15", "99213", "02", "125.00"),
      // Two elements differ: not a duplicate. A repeat modifier: legitimate.
      JsonClaim("N1", "P5", "2024-08-15", "80053", "11", "30.00"),
      JsonClaim("N2", "P5", "2024-08-16", "80053", "11", "32.00"),
      JsonClaim("N3", "P6", "2024-08-15", "96372", "11", "45.00"),
      JsonClaim("N4", "P6", "2024-08-15", "96372", "11", "45.00", "1", "76"),
      // A replacement claim corrects the original; a void then a new original rebills.
      JsonClaim("R1", "P7", "2024-08-15", "99214", "11", "160.00"),
      JsonClaim("R2", "P7", "2024-08-15", "99214", "11", "160.00", "7"),
      JsonClaim("V1", "P8", "2024-08-15", "99214", "11", "160.00"),
      JsonClaim("V2", "P8", "2024-08-15", "99214", "11", "160.00", "8"),
      JsonClaim("V3", "P8", "2024-08-15", "99214", "11", "160.00"),
      // ...but a second rebill is a duplicate again.
      JsonClaim("V4", "P8", "2024-08-15", "99214", "11", "160.00"),
  });
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    const auto run = Run(dir, "claims.json", csv, {}, threads, "duplicates");
    REQUIRE(run.run.records_rejected == 0);
    CHECK(Rows((dir.path / "store.db").string(), run.run.run_id) ==
          std::vector<std::string>{
              R"(E2 DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"E1","line2":"2"})",
              R"(S2 DUP-SUSPECT-XCLAIM 2 {"code":"80053","dos":"2024-08-15","claim2":"S1","line2":"2","differs":"charge"})",
              R"(S4 DUP-SUSPECT-XCLAIM 2 {"code":"80053","dos":"2024-08-16","claim2":"S3","line2":"2","differs":"dos"})",
              R"(S6 DUP-SUSPECT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"S5","line2":"2","differs":"place-of-service"})",
              R"(V4 DUP-EXACT-XCLAIM 2 {"code":"99214","dos":"2024-08-15","claim2":"V3","line2":"2"})"});
  }
}

TEST_CASE("A duplicate of a claim in an earlier stored run is found when that run is named as "
          "history",
          "[service][duplicates]") {
  TempDir dir;
  const auto monday = Run(dir, "monday.json",
                          JsonBatch({JsonClaim("M1", "P1", "2024-08-15", "99213", "11", "125.00")}),
                          {}, 2, "duplicates");
  const auto again = JsonBatch({JsonClaim("T1", "P1", "2024-08-15", "99213", "11", "125.00")});
  const auto alone = Run(dir, "tuesday.json", again, {}, 2, "duplicates");
  CHECK(Rows((dir.path / "store.db").string(), alone.run.run_id).empty());
  const auto with_history = Run(dir, "tuesday.json", again, {monday.run.run_id}, 2, "duplicates");
  CHECK(Rows((dir.path / "store.db").string(), with_history.run.run_id) ==
        std::vector<std::string>{
            R"(T1 DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"M1","line2":"2"})"});
}

TEST_CASE("A void claim cancels only the service it repeats exactly, billed before it",
          "[service][duplicates]") {
  TempDir dir;
  const std::string claims = JsonBatch({
      // The void repeats X ($50), not A ($100): C still repeats A exactly, and A is no
      // suspect duplicate of the voided X.
      JsonClaim("X", "P1", "2024-08-15", "99213", "11", "50.00"),
      JsonClaim("XV", "P1", "2024-08-15", "99213", "11", "50.00", "8"),
      JsonClaim("XA", "P1", "2024-08-15", "99213", "11", "100.00"),
      JsonClaim("XC", "P1", "2024-08-15", "99213", "11", "100.00"),
      // The void cancels B (the next day); A, a charge apart, is still billed.
      JsonClaim("YA", "P2", "2024-08-15", "99213", "11", "100.00"),
      JsonClaim("YB", "P2", "2024-08-16", "99213", "11", "100.00"),
      JsonClaim("YV", "P2", "2024-08-16", "99213", "11", "100.00", "8"),
      JsonClaim("YC", "P2", "2024-08-15", "99213", "11", "120.00"),
      // A void filed before the service cancels nothing.
      JsonClaim("ZV", "P3", "2024-08-15", "99213", "11", "100.00", "8"),
      JsonClaim("ZA", "P3", "2024-08-15", "99213", "11", "100.00"),
      JsonClaim("ZC", "P3", "2024-08-15", "99213", "11", "100.00"),
      // Two identical services, one voided: the later one goes, C repeats the first.
      JsonClaim("WA", "P4", "2024-08-15", "99213", "11", "100.00"),
      JsonClaim("WB", "P4", "2024-08-15", "99213", "11", "100.00"),
      JsonClaim("WV", "P4", "2024-08-15", "99213", "11", "100.00", "8"),
      JsonClaim("WC", "P4", "2024-08-15", "99213", "11", "100.00"),
  });
  const auto run = Run(dir, "claims.json", claims, {}, 2, "duplicates");
  REQUIRE(run.run.records_rejected == 0);
  CHECK(Rows((dir.path / "store.db").string(), run.run.run_id) ==
        std::vector<std::string>{
            R"(WB DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"WA","line2":"2"})",
            R"(WC DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"WA","line2":"2"})",
            R"(XC DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"XA","line2":"2"})",
            R"(YB DUP-SUSPECT-XCLAIM 2 {"code":"99213","dos":"2024-08-16","claim2":"YA","line2":"2","differs":"dos"})",
            R"(YC DUP-SUSPECT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"YA","line2":"2","differs":"charge"})",
            R"(ZC DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"ZA","line2":"2"})"});
}

TEST_CASE("History runs: a claim id repeated from a stored run does not hide this run's "
          "earlier claims, and a run stored with --store findings is refused",
          "[service][duplicates]") {
  TempDir dir;
  const auto monday = Run(dir, "monday.json",
                          JsonBatch({JsonClaim("K", "P1", "2024-08-15", "99213", "11", "100.00")}),
                          {}, 2, "duplicates");
  const auto tuesday =
      Run(dir, "tuesday.json",
          JsonBatch({JsonClaim("J", "P1", "2024-08-15", "99213", "11", "100.00"),
                     JsonClaim("K", "P1", "2024-08-16", "99213", "11", "100.00")}),
          {monday.run.run_id}, 2, "duplicates");
  CHECK(Rows((dir.path / "store.db").string(), tuesday.run.run_id) ==
        std::vector<std::string>{
            R"(J DUP-EXACT-XCLAIM 2 {"code":"99213","dos":"2024-08-15","claim2":"K","line2":"2"})",
            R"(K DUP-SUSPECT-XCLAIM 2 {"code":"99213","dos":"2024-08-16","claim2":"J","line2":"2","differs":"dos"})"});
  // Only claims with findings are kept with --store findings: the others' services would
  // count as never billed.
  const auto partial = Run(dir, "wednesday.json",
                           JsonBatch({JsonClaim("W", "P2", "2024-08-15", "99213", "11", "100.00")}),
                           {}, 2, "duplicates", service::CheckOptions::StoreMode::kFindings);
  CHECK_THROWS_WITH(Run(dir, "thursday.json",
                        JsonBatch({JsonClaim("T", "P2", "2024-08-15", "99213", "11", "100.00")}),
                        {partial.run.run_id}, 2, "duplicates"),
                    Catch::Contains("--store findings"));
}
