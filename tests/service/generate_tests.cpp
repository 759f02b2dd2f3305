#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "audit/service/service.hpp"
#include "audit/generate/claims_generator.hpp"
#include "audit/ingest/any_format.hpp"
#include "audit/model/date.hpp"
#include "audit/model/error.hpp"
#include "audit/refdata/period.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/store/store.hpp"
#include "tests/ingest_formats/same_fields.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
namespace fs = std::filesystem;

namespace {
const std::string kSource = CODERAUDIT_SOURCE_DIR;

using coderaudit::test::TempDir;  // tests/store/store_test_support.hpp

std::string Generate(int64_t lines, uint64_t seed,
                     std::shared_ptr<const refdata::RefData> tables = nullptr,
                     const std::string& refdata_dir = "",
                     generate::OutputFormat format = generate::OutputFormat::kCsv,
                     generate::GenerateStats* stats = nullptr) {
  generate::GenerateOptions opt;
  opt.lines = lines;
  opt.seed = seed;
  opt.tables = std::move(tables);
  opt.refdata_dir = refdata_dir;
  opt.format = format;
  std::ostringstream out;
  const auto s = generate::GenerateClaims(opt, out);
  if (stats) *stats = s;
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

// Every committed pack table (samples/packs/tables.tsv), plus the FY2026 ICD-10-PCS and
// POA-exempt lists and the v41.1 MCE lists standing in for FY2025, as bench/engine/run.sh
// does with the official files: the generator's inpatient stays are discharged in FY2025.
std::string AllPackRefdata(const TempDir& dir) {
  const auto refdata = (dir.path / "refdata-all").string();
  const std::string packs = kSource + "/samples/packs/";
  std::ifstream manifest(packs + "tables.tsv");
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    std::string kind, version, from, to, path;
    std::getline(row, kind, '\t');
    std::getline(row, version, '\t');
    std::getline(row, from, '\t');
    std::getline(row, to, '\t');
    std::getline(row, path, '\t');
    refdata::ImportTable(refdata, *refdata::ParseTableKind(kind), packs + path, version,
                         *ParseIsoDate(from), *ParseIsoDate(to));
  }
  const Date fy_from = DateFromCivil(2024, 10, 1), fy_to = DateFromCivil(2025, 9, 30);
  refdata::ImportTable(refdata, refdata::TableKind::kIcd10PcsOrder,
                       packs + "tables/icd10pcs_order_2026_pack.txt", "FY2026-as-FY2025", fy_from, fy_to);
  refdata::ImportTable(refdata, refdata::TableKind::kMce, packs + "tables/mce_v41_1_fy2024_pack.csv",
                       "v41.1-as-FY2025", fy_from, fy_to);
  refdata::ImportTable(refdata, refdata::TableKind::kPoaExempt, packs + "tables/poa_exempt_fy2026_pack.txt",
                       "FY2026-as-FY2025", fy_from, fy_to);
  return refdata;
}

struct Read {
  std::map<std::string, Encounter> encounters;
  size_t rejects = 0, lines = 0;
};

Read ReadBack(const std::string& path, ingest::InputFormat format) {
  Read r;
  ingest::IngestSink sink;
  sink.on_encounter = [&](Encounter&& e) {
    r.lines += e.lines.size();
    r.encounters.emplace(e.id, std::move(e));
  };
  sink.on_reject = [&](Reject&&) { r.rejects++; };
  ingest::ReadEncountersFile(path, format, sink);
  return r;
}

// Rows of a query, one string per row, columns joined by '|'.
std::vector<std::string> Rows(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  std::vector<std::string> rows;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const auto* text = sqlite3_column_text(st, i);
      if (i) row += '|';
      if (text) row += reinterpret_cast<const char*>(text);
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return rows;
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
  service::CheckOptions opt;
  opt.rules_path = kSource + "/bench/engine/ncci.xml";
  opt.refdata_dir = refdata;
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / "all.db").string();
  const auto all = service::RunCheck(opt);
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
    const auto piped = service::RunCheck(opt);
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
    opt.store = service::CheckOptions::StoreMode::kFindings;
    const auto some = service::RunCheck(opt);
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
  service::CheckOptions opt;
  opt.rules_path = kSource + "/bench/engine/ncci.xml";
  opt.refdata_dir = PackRefdata(dir);
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / "s.db").string();
  CHECK_THROWS_AS(service::RunCheck(opt), InputError);
  CHECK(Count(opt.db_path, "SELECT count(*) FROM runs") == 0);
}

TEST_CASE("a store failure on the store thread fails the check and stores nothing") {
  // A trigger makes the 500th finding insert fail mid-run, on the store thread, while the
  // reader is still going: the error must surface from RunCheck and the run roll back.
  TempDir dir;
  const auto refdata = PackRefdata(dir);
  const auto csv = (dir.path / "claims.csv").string();
  std::ofstream(csv) << Generate(20000, 3, refdata::LoadRefData(refdata));
  for (const int threads : {1, 2}) {
    INFO("threads " << threads);
    service::CheckOptions opt;
    opt.rules_path = kSource + "/bench/engine/ncci.xml";
    opt.refdata_dir = refdata;
    opt.encounter_paths = {csv};
    opt.threads = threads;
    opt.db_path = (dir.path / ("failing" + std::to_string(threads) + ".db")).string();
    { store::Store created(opt.db_path); }
    sqlite3* h = nullptr;
    sqlite3_open(opt.db_path.c_str(), &h);
    REQUIRE(sqlite3_exec(h,
                         "CREATE TABLE n(k); INSERT INTO n VALUES (0);"
                         "CREATE TRIGGER fail_later BEFORE INSERT ON findings BEGIN "
                         "UPDATE n SET k = k + 1; "
                         "SELECT RAISE(ABORT, 'disk full (simulated)') WHERE (SELECT k FROM n) >= 500; "
                         "END;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
    CHECK_THROWS_AS(service::RunCheck(opt), SystemError);
    CHECK(Count(opt.db_path, "SELECT count(*) FROM runs") == 0);
    CHECK(Count(opt.db_path, "SELECT count(*) FROM findings") == 0);
    CHECK(Count(opt.db_path, "SELECT count(*) FROM encounters") == 0);
  }
}

// ---- issue 7: the benchmark workload (--format x12, inpatient stays, real code tables) ----

TEST_CASE("the same seed generates the same bytes as CSV and as X12, with code tables loaded",
          "[generate]") {
  TempDir dir;
  const auto refdata = AllPackRefdata(dir);
  const auto tables = refdata::LoadRefData(refdata);
  for (auto format : {generate::OutputFormat::kCsv, generate::OutputFormat::kX12}) {
    INFO((format == generate::OutputFormat::kCsv ? "csv" : "x12"));
    const auto a = Generate(3000, 5, tables, refdata, format);
    CHECK(a == Generate(3000, 5, tables, refdata, format));
    CHECK(a != Generate(3000, 6, tables, refdata, format));
  }
  CHECK(Generate(3000, 5) == Generate(3000, 5));  // built-in lists
}

TEST_CASE("CSV and X12 of one seed hold the same encounters, stored and audited alike",
          "[generate][x12]") {
  TempDir dir;
  const auto refdata = AllPackRefdata(dir);
  const auto tables = refdata::LoadRefData(refdata);
  const auto csv = (dir.path / "claims.csv").string(), x12 = (dir.path / "claims.x12").string();
  generate::GenerateStats stats;
  std::ofstream(csv) << Generate(2000, 17, tables, refdata, generate::OutputFormat::kCsv, &stats);
  std::ofstream(x12) << Generate(2000, 17, tables, refdata, generate::OutputFormat::kX12);
  REQUIRE(stats.inpatient > 0);  // both an 837P and an 837I group

  const Read a = ReadBack(csv, ingest::InputFormat::kCsv), b = ReadBack(x12, ingest::InputFormat::kX12);
  CHECK(a.rejects == 0);
  CHECK(b.rejects == 0);
  CHECK(a.lines == 2000);
  CHECK(b.lines == 2000);
  REQUIRE(a.encounters.size() == static_cast<size_t>(stats.encounters));
  REQUIRE(b.encounters.size() == a.encounters.size());
  for (const auto& [id, want] : a.encounters) {
    const auto it = b.encounters.find(id);
    REQUIRE(it != b.encounters.end());
    test::CheckSameCsvFields(want, it->second, false);
    CHECK(it->second.coder_id == "x12:GENERATOR");  // X12 carries no coder
  }

  // `check` on both with the benchmark rule set: the same findings, the same stored claims.
  service::CheckOptions opt;
  opt.rules_path = kSource + "/bench/engine/full.xml";
  opt.refdata_dir = refdata;
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / "csv.db").string();
  const auto from_csv = service::RunCheck(opt);
  opt.encounter_paths = {x12};
  opt.format = "x12";
  opt.db_path = (dir.path / "x12.db").string();
  const auto from_x12 = service::RunCheck(opt);
  CHECK(from_csv.run.findings > 0);
  CHECK(from_x12.run.findings == from_csv.run.findings);
  CHECK(from_x12.encounters_with_findings == from_csv.encounters_with_findings);
  CHECK(from_x12.run.encounters_read == from_csv.run.encounters_read);
  const std::string csv_db = (dir.path / "csv.db").string(), x12_db = opt.db_path;
  for (const char* sql :
       {"SELECT encounter_id, patient_id, sex, birth_date, from_date, through_date, claim_type, "
        "provider_id, payer, drg, discharge_status FROM encounters ORDER BY encounter_id",
        "SELECT encounter_id, position, code_type, seq, code, poa, modifiers, units, service_date, "
        "charge_cents FROM encounter_lines ORDER BY encounter_id, position",
        "SELECT rule_id, encounter_id, lines, message FROM findings ORDER BY encounter_id, rule_id, lines, message"}) {
    INFO(sql);
    const auto x = Rows(csv_db, sql), y = Rows(x12_db, sql);
    CHECK(x.size() > 0);
    CHECK(x == y);
  }
}

TEST_CASE("a claim cut by the line count stays readable in both formats", "[generate][x12]") {
  TempDir dir;
  for (int64_t n : {1, 2, 3, 7, 50, 333}) {
    INFO(n << " lines");
    const auto csv = (dir.path / "c.csv").string(), x12 = (dir.path / "c.x12").string();
    std::ofstream(csv) << Generate(n, 29);
    std::ofstream(x12) << Generate(n, 29, nullptr, "", generate::OutputFormat::kX12);
    const Read a = ReadBack(csv, ingest::InputFormat::kCsv), b = ReadBack(x12, ingest::InputFormat::kX12);
    CHECK(a.rejects == 0);
    CHECK(b.rejects == 0);
    CHECK(a.lines == static_cast<size_t>(n));
    CHECK(b.lines == static_cast<size_t>(n));
    CHECK(a.encounters.size() == b.encounters.size());
  }
}

TEST_CASE("about 5% of generated claims are inpatient stays coded as such", "[generate]") {
  TempDir dir;
  const auto refdata = AllPackRefdata(dir);
  const auto csv = (dir.path / "claims.csv").string();
  generate::GenerateStats stats;
  const auto tables = refdata::LoadRefData(refdata);
  std::ofstream(csv) << Generate(20000, 3, tables, refdata, generate::OutputFormat::kCsv, &stats);
  const Read r = ReadBack(csv, ingest::InputFormat::kCsv);
  REQUIRE(r.rejects == 0);
  // POA is reported on stays with a diagnosis that is not POA-exempt (a delivery stay coded
  // O80, Z3A.39, Z37.0 has none to report).
  int64_t inpatient = 0, with_pcs = 0, with_poa = 0, needing_poa = 0;
  const Date q3 = DateFromCivil(2024, 7, 1), q3_end = DateFromCivil(2024, 9, 30);
  const Date fy25 = DateFromCivil(2024, 10, 1), fy25_end = DateFromCivil(2025, 9, 30);
  std::set<std::string> patients_sex;
  std::map<std::string, Sex> sex_of;
  for (const auto& [id, e] : r.encounters) {
    if (e.claim_type == ClaimType::kProfessional) {
      CHECK(e.from_date >= q3);
      CHECK(e.through_date <= q3_end);
      CHECK(std::any_of(e.lines.begin(), e.lines.end(),
                        [](const CodedLine& l) { return l.type == CodeType::kHcpcs; }));
    } else {
      INFO(id);
      REQUIRE(e.claim_type == ClaimType::kInpatient);
      ++inpatient;
      CHECK(e.drg.size() == 3);
      CHECK(e.discharge_status.size() == 2);
      CHECK(e.from_date >= fy25);
      CHECK(e.through_date > e.from_date);
      CHECK(e.through_date <= fy25_end);
      CHECK(e.lines.front().type == CodeType::kDiagnosis);
      CHECK(e.lines.front().seq == 1);
      with_pcs += std::any_of(e.lines.begin(), e.lines.end(), [](const CodedLine& l) { return l.type == CodeType::kPcs; });
      with_poa += std::any_of(e.lines.begin(), e.lines.end(), [](const CodedLine& l) { return l.poa == 'Y'; });
      needing_poa += std::any_of(e.lines.begin(), e.lines.end(), [&](const CodedLine& l) {
        return l.type == CodeType::kDiagnosis && !tables->PoaExempt(l.code, e.through_date);
      });
    }
    // A patient keeps one sex across claims (newborns are patients of their own).
    if (e.patient_id[0] == 'P') {
      auto [it, fresh] = sex_of.emplace(e.patient_id, e.sex);
      if (!fresh) CHECK(it->second == e.sex);
    }
  }
  CHECK(inpatient == stats.inpatient);
  const double share = static_cast<double>(inpatient) / static_cast<double>(r.encounters.size());
  CHECK(share > 0.03);
  CHECK(share < 0.08);
  CHECK(with_pcs > inpatient / 4);
  CHECK(with_poa > needing_poa * 9 / 10);
  CHECK(needing_poa > inpatient * 3 / 4);
}

TEST_CASE("diagnoses and procedures come from the loaded ICD-10-CM and ICD-10-PCS tables",
          "[generate]") {
  TempDir dir;
  const auto refdata = AllPackRefdata(dir);
  const auto tables = refdata::LoadRefData(refdata);
  const auto csv = (dir.path / "claims.csv").string();
  generate::GenerateStats stats;
  std::ofstream(csv) << Generate(20000, 8, tables, refdata, generate::OutputFormat::kCsv, &stats);
  CHECK(stats.dx_source.starts_with("icd10cm-order FY2025"));
  CHECK(stats.pcs_source.starts_with("icd10pcs-order FY2026-as-FY2025"));
  const Read r = ReadBack(csv, ingest::InputFormat::kCsv);
  const Date fy2025 = DateFromCivil(2024, 11, 15);
  // Codes the inpatient stays are built around (a principal diagnosis and its procedure)
  // are real codes, but the pack subset lacks most of them: they are the only exceptions.
  const std::set<std::string> stay_codes{"A419", "N179", "E871", "J9601", "I509", "E785", "J189",
                                         "R0602", "J441", "F17210", "M1711", "M1611", "N390",
                                         "L03115", "R079", "I639", "I10", "K922", "D649", "I214",
                                         "I2510", "O80", "O82", "Z370", "Z3A39", "Z3800"};
  std::map<std::string, int64_t> professional_dx;
  int64_t not_billable = 0, pcs = 0;
  for (const auto& [id, e] : r.encounters)
    for (const auto& l : e.lines) {
      const std::string code(l.code.View());
      if (l.type == CodeType::kDiagnosis) {
        if (e.claim_type == ClaimType::kProfessional) professional_dx[code]++;
        if (e.claim_type == ClaimType::kInpatient && stay_codes.count(code)) continue;
        INFO(id << " " << code);
        CHECK(tables->IcdCmKnown(l.code, fy2025));
        not_billable += !tables->IcdCmBillable(l.code, fy2025);
      } else if (l.type == CodeType::kPcs) {
        static const std::set<std::string> stay_pcs{"5A1955Z", "0SRC0J9", "0SR90J9", "0DJ08ZZ",
                                                    "4A023N7", "10E0XZZ", "10D00Z1", "3E0234Z"};
        if (stay_pcs.count(code)) continue;
        ++pcs;
        CHECK(tables->IcdPcsValid(l.code, fy2025));
      }
    }
  CHECK(pcs > 0);
  // Headers appear only where the generator built an MCE header edit on purpose.
  CHECK(not_billable <= stats.mce_claims);
  // Skewed: the most frequent diagnosis is far more frequent than the median one.
  std::vector<int64_t> counts;
  for (const auto& [code, n] : professional_dx) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  REQUIRE(counts.size() >= 5);
  CHECK(counts.front() >= 4 * counts[counts.size() / 2]);
}

TEST_CASE("the benchmark rule set: packs plus at least 50 facility rules, every test passing",
          "[generate][rules]") {
  TempDir dir;
  const auto refdata = AllPackRefdata(dir);
  const auto loaded = rules::LoadRuleFile(kSource + "/bench/engine/full.xml");
  std::string issues;
  for (const auto& issue : loaded.issues) issues += Describe(issue) + "\n";
  INFO(issues);
  REQUIRE(loaded.rule_set);
  const auto program = rules::Compile(*loaded.rule_set, refdata::LoadRefData(refdata));
  std::set<std::string> facility_rules_tested;
  for (const auto& result : rules::RunEmbeddedTests(*loaded.rule_set, *program)) {
    INFO(result.rule_id << " / " << result.test_name << ": " << result.detail);
    CHECK(result.passed);
    CHECK_FALSE(result.skipped);
    if (result.rule_id.starts_with("FAC-")) facility_rules_tested.insert(result.rule_id);
  }
  CHECK(facility_rules_tested.size() >= 50);
  for (const char* pack : {"NCCI-PTP-001", "NCCI-MUE-001", "NCCI-AOC-001", "MCE-INVALID-CODE", "ICD-POA"})
    CHECK(std::any_of(loaded.rule_set->rules.begin(), loaded.rule_set->rules.end(),
                      [&](const auto& rule) { return rule.id == pack; }));
}

TEST_CASE("with the official tables, MCE and convention edits fire on a few inpatient stays",
          "[generate][realdata]") {
  const std::string data = kSource + "/../shared/data";
  if (!fs::exists(data + "/icd10/icd10cm_fy2025_code_descriptions.zip")) {
    WARN("skipped: ../shared/data not found");
    return;
  }
  TempDir dir;
  const auto refdata = (dir.path / "refdata").string();
  const Date from = DateFromCivil(2024, 10, 1), to = DateFromCivil(2025, 9, 30);
  using refdata::TableKind;
  refdata::ImportTable(refdata, TableKind::kIcd10CmOrder, data + "/icd10/icd10cm_fy2025_code_descriptions.zip", "FY2025", from, to);
  refdata::ImportTable(refdata, TableKind::kIcd10PcsOrder, data + "/icd10/icd10pcs_fy2026_order.zip", "FY2026-as-FY2025", from, to);
  refdata::ImportTable(refdata, TableKind::kMce, data + "/mce/mce_v41_1_fy2024_code_edits.csv", "v41.1-as-FY2025", from, to);
  refdata::ImportTable(refdata, TableKind::kPoaExempt, data + "/icd10/poa_exempt_fy2026.zip", "FY2026-as-FY2025", from, to);
  refdata::ImportTable(refdata, TableKind::kIcd10CmTabular, data + "/icd10/icd10cm_tabular_fy2021.xml.gz", "FY2021",
                       DateFromCivil(2020, 10, 1), DateFromCivil(2021, 9, 30));
  // The MCE pack edits against the CMS MCE release (its own dates cover FY2025).
  const std::string release = kSource + "/../shared/oracles/cms-java/MCE-2.0-43.1.0.0.jar";
  if (!fs::exists(release)) {
    WARN("skipped: the CMS MCE release is not in ../shared/oracles/cms-java");
    return;
  }
  const auto period = refdata::MceReleasePeriod(release);
  refdata::ImportTable(refdata, TableKind::kMceRelease, release, period.version,
                       period.period.from, period.period.to);
  const auto csv = (dir.path / "claims.csv").string();
  generate::GenerateStats stats;
  std::ofstream(csv) << Generate(200000, 7, refdata::LoadRefData(refdata), refdata,
                                 generate::OutputFormat::kCsv, &stats);
  const auto rules_path = (dir.path / "inpatient.xml").string();
  std::ofstream(rules_path) << R"(<ruleset xmlns="urn:coderaudit:rules:1" id="t" version="1" title="t">
  <include pack="mce"/><include pack="icd10cm-conventions"/></ruleset>)";
  service::CheckOptions opt;
  opt.rules_path = rules_path;
  opt.refdata_dir = refdata;
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / "s.db").string();
  const auto run = service::RunCheck(opt);
  CHECK(run.run.records_rejected == 0);
  const int64_t stays_with_mce = Count(opt.db_path,
      "SELECT count(DISTINCT encounter_id) FROM findings WHERE rule_id LIKE 'MCE-%'");
  INFO(stays_with_mce << " of " << stats.inpatient << " stays have MCE findings; built "
                      << stats.mce_claims << ", conventions " << stats.convention_claims);
  CHECK(stays_with_mce > 0);
  CHECK(stays_with_mce < stats.inpatient / 10);
  // Every generated code is valid for the discharge's fiscal year, except the category
  // headers the generator puts on a few stays on purpose.
  const int64_t invalid = Count(opt.db_path, "SELECT count(*) FROM findings WHERE rule_id = 'MCE-INVALID-CODE'");
  CHECK(invalid > 0);
  CHECK(invalid <= stats.mce_claims);
  for (const char* rule : {"MCE-AGE", "ICD-POA", "ICD-CODE-FIRST"})
    CHECK(Count(opt.db_path, std::string("SELECT count(*) FROM findings WHERE rule_id='") + rule + "'") > 0);
}
