#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "audit/engine/engine.hpp"
#include "audit/model/error.hpp"
#include "audit/generate/claims_generator.hpp"
#include "audit/model/date.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/store/store.hpp"

using namespace coderaudit;
namespace fs = std::filesystem;

namespace {
const std::string kSource = CODERAUDIT_SOURCE_DIR;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/coderaudit-generate-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string Generate(int64_t lines, uint64_t seed,
                     std::shared_ptr<const refdata::RefData> tables = nullptr) {
  generate::GenerateOptions opt;
  opt.lines = lines;
  opt.seed = seed;
  opt.tables = std::move(tables);
  std::ostringstream out;
  generate::GenerateClaims(opt, out);
  return out.str();
}

// The committed pack tables (samples/packs/tables) the NCCI packs are tested on.
std::string PackRefdata(const TempDir& dir) {
  const auto refdata = (dir.path / "refdata").string();
  const std::string t = kSource + "/samples/packs/tables/";
  const Date from = DateFromCivil(2024, 7, 1), to = DateFromCivil(2024, 9, 30);
  refdata::ImportTable(refdata, refdata::TableKind::kPtpPractitioner,
                       t + "ncci_ptp_practitioner_2024q3_pack.tsv", "2024Q3", from, to);
  refdata::ImportTable(refdata, refdata::TableKind::kMuePractitioner,
                       t + "ncci_mue_practitioner_2024q3_pack.csv", "2024Q3", from, to);
  refdata::ImportTable(refdata, refdata::TableKind::kPtpOutpatient,
                       t + "ncci_ptp_outpatient_hospital_2024q3_pack.tsv", "2024Q3", from, to);
  refdata::ImportTable(refdata, refdata::TableKind::kMueOutpatient,
                       t + "ncci_mue_outpatient_hospital_2024q3_pack.csv", "2024Q3", from, to);
  refdata::ImportTable(refdata, refdata::TableKind::kAddOn,
                       t + "ncci_add_on_codes_2024q3_pack.csv", "2024Q3", from, to);
  return refdata;
}

int64_t Count(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}
}  // namespace

TEST_CASE("the same seed generates the same bytes and a different seed different ones") {
  const auto a = Generate(2000, 5), b = Generate(2000, 5), c = Generate(2000, 6);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("the generator writes exactly the number of lines asked for") {
  for (int64_t n : {1, 7, 1000}) {
    const auto text = Generate(n, 1);
    CHECK(std::count(text.begin(), text.end(), '\n') == n + 1);  // plus the header
  }
}

TEST_CASE("generated claims load without rejects and fire the NCCI packs at modest rates") {
  TempDir dir;
  const auto refdata = PackRefdata(dir);
  const auto csv = (dir.path / "claims.csv").string();
  std::ofstream(csv) << Generate(20000, 3, refdata::LoadRefData(refdata));
  engine::CheckOptions opt;
  opt.rules_path = kSource + "/bench/engine/ncci.xml";
  opt.refdata_dir = refdata;
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / "all.db").string();
  const auto all = engine::RunCheck(opt);
  CHECK(all.run.records_rejected == 0);
  CHECK(all.run.records_read == 20000);
  const double rate = static_cast<double>(all.encounters_with_findings) /
                      static_cast<double>(all.run.encounters_read);
  CHECK(rate > 0.03);
  CHECK(rate < 0.30);
  for (const char* category : {"ncci-ptp", "ncci-mue", "ncci-aoc"})
    CHECK(Count(opt.db_path, std::string("SELECT count(*) FROM findings WHERE category='") +
                                 category + "'") > 0);

  SECTION("one thread stores the same findings in the same order as two") {
    opt.db_path = (dir.path / "one_thread.db").string();
    opt.threads = 1;
    const auto piped = engine::RunCheck(opt);
    CHECK(piped.run.findings == all.run.findings);
    CHECK(piped.encounters_with_findings == all.encounters_with_findings);
    store::Store a((dir.path / "all.db").string()), b(opt.db_path);
    const auto fa = a.LoadFindings(all.run.run_id), fb = b.LoadFindings(piped.run.run_id);
    REQUIRE(fa.size() == fb.size());
    for (size_t i = 0; i < fa.size(); ++i) CHECK(fa[i].finding.message == fb[i].finding.message);
    CHECK(Count(opt.db_path, "SELECT count(*) FROM encounter_lines") ==
          Count((dir.path / "all.db").string(), "SELECT count(*) FROM encounter_lines"));
  }

  SECTION("--store findings keeps every finding but only the encounters that have one") {
    opt.db_path = (dir.path / "findings.db").string();
    opt.store = engine::CheckOptions::StoreMode::kFindings;
    const auto some = engine::RunCheck(opt);
    CHECK(some.run.findings == all.run.findings);
    CHECK(some.run.records_read == all.run.records_read);
    CHECK(Count(opt.db_path, "SELECT count(*) FROM encounters") == all.encounters_with_findings);
    store::Store a((dir.path / "all.db").string()), b(opt.db_path);
    const auto fa = a.LoadFindings(all.run.run_id), fb = b.LoadFindings(some.run.run_id);
    REQUIRE(fa.size() == fb.size());
    for (size_t i = 0; i < fa.size(); ++i) {
      CHECK(fa[i].finding.message == fb[i].finding.message);
      CHECK(fa[i].coder_id == fb[i].coder_id);
    }
  }
}

TEST_CASE("an unreadable input fails the check and stores nothing") {
  TempDir dir;
  const auto csv = (dir.path / "bad.csv").string();
  std::ofstream(csv) << "encounter_id,code\nE1,99213\n";  // required columns missing
  engine::CheckOptions opt;
  opt.rules_path = kSource + "/bench/engine/ncci.xml";
  opt.refdata_dir = PackRefdata(dir);
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / "s.db").string();
  CHECK_THROWS_AS(engine::RunCheck(opt), InputError);
  CHECK(Count(opt.db_path, "SELECT count(*) FROM runs") == 0);
}
