// Issue 12 item 4: the SHA-256 and size a check run records for an encounter file are of
// exactly the bytes its readers consumed; a file that changes between two reads of one run
// (ids replayed, repeated encounters taken back) fails the run, and nothing is stored.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/qa/auditor_csv.hpp"
#include "audit/qa/rebuttal.hpp"
#include "audit/service/service.hpp"
#include "audit/store/store.hpp"
#include "tests/store/store_test_support.hpp"

namespace fs = std::filesystem;
namespace service = coderaudit::service;
using coderaudit::InputError;
using coderaudit::Sha256Hex;

namespace {
const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";

using coderaudit::test::TempDir;  // tests/store/store_test_support.hpp

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const coderaudit::runs::RunInput& EncounterInput(const coderaudit::runs::RunInfo& run) {
  for (const auto& in : run.inputs)
    if (in.role == "encounters") return in;
  FAIL("no encounter input recorded");
  throw;
}

service::CheckOptions Options(const TempDir& dir, const std::string& csv, const std::string& db) {
  service::CheckOptions opt;
  opt.rules_path = kSamples + "rules/facility.xml";
  opt.encounter_paths = {csv};
  opt.db_path = (dir.path / db).string();
  return opt;
}

const char* kAppended =
    "ZZ-APPENDED,PT00001,F,1986-08-24,2024-01-05,2024-01-07,inpatient,9972281866,C04,CIGNA,807,01,"
    "DX,1,O24.420,Y,,,,\n";
}  // namespace

TEST_CASE("a file appended to while it is checked is recorded with the digest of what was read",
          "[engine][integrity]") {
  TempDir dir;
  const auto csv = (dir.path / "encounters.csv").string();
  fs::copy_file(kSamples + "encounters.csv", csv);
  const std::string original = Slurp(csv);
  const auto base = service::RunCheck(Options(dir, csv, "base.db")).run;
  CHECK(EncounterInput(base).sha256 == Sha256Hex(original));

  for (const int threads : {1, 2}) {
    INFO("threads " << threads);
    std::ofstream(csv, std::ios::binary | std::ios::trunc) << original;
    auto opt = Options(dir, csv, "grown" + std::to_string(threads) + ".db");
    opt.threads = threads;
    bool appended = false;
    opt.on_encounter_read = [&](const coderaudit::Encounter&) {
      if (appended) return;
      appended = true;
      std::ofstream(csv, std::ios::binary | std::ios::app) << kAppended;
    };
    const auto run = service::RunCheck(opt).run;
    REQUIRE(appended);
    const std::string grown = Slurp(csv);
    REQUIRE(grown.size() > original.size());
    // The reader may or may not have reached the new row; either way the record is of the
    // bytes it read, and the counts say which.
    const bool read_the_new_row = run.encounters_read == base.encounters_read + 1;
    if (!read_the_new_row) CHECK(run.encounters_read == base.encounters_read);
    const auto& input = EncounterInput(run);
    CHECK(input.bytes == static_cast<int64_t>(read_the_new_row ? grown.size() : original.size()));
    CHECK(input.sha256 == Sha256Hex(grown.substr(0, static_cast<size_t>(input.bytes))));
  }
}

TEST_CASE("a file that changes between two reads of one check run is refused, nothing stored",
          "[engine][integrity]") {
  TempDir dir;
  const auto csv = (dir.path / "repeats.csv").string();
  // B1 reappears after A2: the run reads the file again (ids replayed, the first copy of
  // B1 taken back), and by then one code has been rewritten in place (same size).
  const std::string header =
      "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,"
      "coder_id,payer,drg,discharge_status,code_type,seq,code,poa,modifiers,units,service_date,"
      "charge\n";
  auto row = [](const std::string& id, const std::string& code) {
    return id + ",PT00001,F,1986-08-24,2024-01-05,2024-01-07,inpatient,9972281866,C04,CIGNA,807,"
                "01,DX,1," + code + ",Y,,,,\n";
  };
  const std::string text = header + row("B1", "O24.420") + row("C2", "O24.420") +
                           row("B1", "Z3A.39") + row("D3", "O24.420");
  for (const int threads : {1, 2}) {
    INFO("threads " << threads);
    std::ofstream(csv, std::ios::binary | std::ios::trunc) << text;
    auto opt = Options(dir, csv, "changed" + std::to_string(threads) + ".db");
    opt.threads = threads;
    // Unchanged, the same file is read twice and stored.
    const auto fine = service::RunCheck(opt).run;
    CHECK(fine.encounters_rejected > 0);
    CHECK(EncounterInput(fine).sha256 == Sha256Hex(text));
    bool changed = false;
    opt.on_encounter_read = [&](const coderaudit::Encounter&) {
      if (changed) return;
      changed = true;
      std::fstream f(csv, std::ios::binary | std::ios::in | std::ios::out);
      f.seekp(static_cast<std::streamoff>(text.rfind("O24.420")));
      f << "O24.421";
    };
    coderaudit::store::Store before(opt.db_path);
    const size_t runs = before.ListRuns().size();
    try {
      service::RunCheck(opt);
      FAIL("a file changed between its reads was accepted");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == csv + " changed while it was being checked; nothing stored");
    }
    CHECK(changed);
    CHECK(coderaudit::store::Store(opt.db_path).ListRuns().size() == runs);
  }
}

TEST_CASE("check reports progress as the share of the input bytes read, ending at all of them",
          "[engine][progress][issue17]") {
  TempDir dir;
  const std::string csv = kSamples + "encounters.csv";
  const std::string x12 = kSamples + "x12/same_encounters_837p.x12";  // X12 reads twice
  auto opt = Options(dir, csv, "progress.db");
  opt.encounter_paths.push_back(x12);
  std::vector<service::Progress> seen;
  opt.on_progress = [&](const service::Progress& p) { seen.push_back(p); };
  service::RunCheck(opt);
  REQUIRE(!seen.empty());
  const auto total = static_cast<int64_t>(fs::file_size(csv) + fs::file_size(x12));
  int64_t previous = 0;
  for (const auto& p : seen) {
    CHECK(p.bytes_total == total);
    CHECK(p.bytes_read >= previous);  // never goes back, never past the end
    CHECK(p.bytes_read <= total);
    previous = p.bytes_read;
  }
  CHECK(seen.back().bytes_read == total);  // a second read (X12's) is not counted again
}

namespace {
const coderaudit::runs::RunInput& InputOfRole(const coderaudit::runs::RunInfo& run,
                                              const std::string& role) {
  for (const auto& in : run.inputs)
    if (in.role == role) return in;
  FAIL("no " << role << " input recorded");
  throw;
}

void CheckRecordedAsFile(const coderaudit::runs::RunInfo& run, const std::string& role,
                         const std::string& path) {
  INFO(role << " " << path);
  const auto& in = InputOfRole(run, role);
  const std::string bytes = Slurp(path);
  CHECK(in.path == path);
  CHECK(in.sha256 == Sha256Hex(bytes));
  CHECK(in.bytes == static_cast<int64_t>(bytes.size()));
}
}  // namespace

TEST_CASE("score, rebuttal and mapped check runs record every file's digest as its reader read it",
          "[engine][integrity][issue12]") {
  TempDir dir;
  auto check = Options(dir, kSamples + "mapping/export_row_per_code.csv", "mapped.db");
  check.mapping_path = kSamples + "mapping/row_per_code.mapping.json";
  const auto mapped = service::RunCheck(check).run;
  CheckRecordedAsFile(mapped, "mapping", check.mapping_path);

  const auto db = Options(dir, kSamples + "encounters.csv", "audit.db").db_path;
  service::RunCheck(Options(dir, kSamples + "encounters.csv", "audit.db"));
  service::ScoreOptions score;
  score.db_path = db;
  score.auditor_path = kSamples + "auditor.csv";
  score.policy_path = kSamples + "policies/inpatient.xml";
  score.payment.drg_weights_path = kSamples + "drg_weights.csv";
  score.payment.cc_mcc_path = kSamples + "cc_mcc.csv";
  score.payment.base_rate = 6000;
  const auto scored = service::RunScore(score).run;
  CheckRecordedAsFile(scored, "auditor", score.auditor_path);
  CheckRecordedAsFile(scored, "policy", score.policy_path);
  CheckRecordedAsFile(scored, "drg-weights", score.payment.drg_weights_path);
  CheckRecordedAsFile(scored, "cc-mcc", score.payment.cc_mcc_path);
  // What the store holds is what the summary said.
  const auto stored = coderaudit::store::Store(db).LoadRun(scored.run_id);
  REQUIRE(stored);
  CheckRecordedAsFile(*stored, "auditor", score.auditor_path);

  service::RebuttalOptions rebut;
  rebut.db_path = db;
  rebut.path = kSamples + "rebuttal.csv";
  const auto rebutted = service::RunRebuttal(rebut).score.run;
  CheckRecordedAsFile(rebutted, "rebuttal", rebut.path);
  CheckRecordedAsFile(rebutted, "auditor", score.auditor_path);  // inherited from the score run
}

TEST_CASE("auditor and rebuttal files appended to while they are read are recorded as read",
          "[engine][integrity][issue12]") {
  TempDir dir;
  SECTION("auditor CSV") {
    const auto path = (dir.path / "auditor.csv").string();
    fs::copy_file(kSamples + "auditor.csv", path);
    const std::string original = Slurp(path);
    bool appended = false;
    int64_t encounters = 0;
    coderaudit::qa::AuditorSink sink;
    sink.on_encounter = [&](coderaudit::qa::AuditedEncounter&&) {
      encounters++;
      if (appended) return;
      appended = true;
      std::ofstream(path, std::ios::binary | std::ios::app) << "ZZ-APPENDED,A01,DX,1,K922,Y,,,,379,,,\n";
    };
    sink.on_reject = [](coderaudit::Reject&&) {};
    coderaudit::FileDigest digest;
    const auto counts = coderaudit::qa::ReadAuditorCsvFile(path, sink, &digest);
    REQUIRE(appended);
    const std::string grown = Slurp(path);
    const bool read_new = digest.bytes == static_cast<int64_t>(grown.size());
    if (!read_new) CHECK(digest.bytes == static_cast<int64_t>(original.size()));
    CHECK(digest.sha256 == Sha256Hex(grown.substr(0, static_cast<size_t>(digest.bytes))));
    CHECK(counts.encounters_read == encounters);
  }
  SECTION("rebuttal CSV") {
    const auto path = (dir.path / "rebuttal.csv").string();
    fs::copy_file(kSamples + "rebuttal.csv", path);
    const std::string original = Slurp(path);
    bool appended = false;
    coderaudit::qa::RebuttalSink sink;
    sink.on_entry = [&](coderaudit::qa::RebuttalEntry&&) {
      if (appended) return;
      appended = true;
      std::ofstream(path, std::ios::binary | std::ios::app) << "PR-0016,HCPCS,5,99213,99214,revised,agree,,,\n";
    };
    sink.on_reject = [](coderaudit::Reject&&) {};
    coderaudit::FileDigest digest;
    coderaudit::qa::ReadRebuttalCsvFile(path, sink, &digest);
    REQUIRE(appended);
    const std::string grown = Slurp(path);
    if (digest.bytes != static_cast<int64_t>(grown.size()))
      CHECK(digest.bytes == static_cast<int64_t>(original.size()));
    CHECK(digest.sha256 == Sha256Hex(grown.substr(0, static_cast<size_t>(digest.bytes))));
  }
}
