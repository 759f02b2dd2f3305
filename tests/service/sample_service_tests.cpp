#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "audit/cli/commands.hpp"
#include "audit/service/service.hpp"
#include "audit/service/extrapolation.hpp"
#include "audit/service/sample_service.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/trail.hpp"
#include "audit/store/sample_store.hpp"
#include "audit/model/hash.hpp"
#include "reports/xlsx/extrapolation_workbook.hpp"
#include "audit/model/error.hpp"
#include "audit/store/dialect.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
namespace fs = std::filesystem;

namespace {
const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";

using coderaudit::test::TempDir;  // tests/store/store_test_support.hpp

// A store holding one check run of the bundled samples (310 encounters).
std::string SampleStore(const std::string& db) {
  service::CheckOptions opt;
  opt.rules_path = kSamples + "rules/facility.xml";
  opt.encounter_paths = {kSamples + "encounters.csv"};
  opt.db_path = db;
  service::RunCheck(opt);
  return db;
}
std::string SampleStore(const TempDir& dir) { return SampleStore((dir.path / "a.db").string()); }

// Runs the CLI in process: its exit code and everything it printed.
std::pair<int, std::string> RunCli(std::vector<std::string> words) {
  std::ostringstream out, err;
  const int code = cli::Main(words, out, err);
  return {code, out.str() + err.str()};
}

// Straight into the database, past the store (a SQLite file or, via psql, PostgreSQL).
void Exec(const std::string& db, const std::string& sql) {
  if (store::IsPostgresUrl(db)) {
    REQUIRE(std::system(("psql '" + db + "' -qAtX -v ON_ERROR_STOP=1 -c \"" + sql + "\" >/dev/null").c_str()) == 0);
    return;
  }
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  REQUIRE(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
}

std::vector<sampling::FrameItem> Frame(int count) {
  std::vector<sampling::FrameItem> items;
  for (int i = 1; i <= count; ++i) {
    sampling::FrameItem it;
    char id[16];
    std::snprintf(id, sizeof id, "E%04d", i);  // ids sort in number order
    it.encounter_id = id;
    it.coder_id = i % 2 ? "C01" : "C02";
    it.from_date = i <= count / 2 ? "2024-02-01" : "2024-05-01";
    it.amount_cents = i * 1000;
    items.push_back(it);
  }
  return items;
}
}  // namespace

TEST_CASE("A simple sample with the RAT-STATS generator picks RAT-STATS' numbers", "[sampling][engine]") {
  // SAMPLING.md: seed 12345, 1..1000, n = 10, 4 spares.
  sampling::SampleSpec spec;
  spec.generator = "ratstats";
  spec.seed = "12345";
  spec.n = 10;
  spec.spares = 4;
  auto s = sampling::DrawEncounterSample(Frame(1000), spec);
  std::vector<uint64_t> sample, spares;
  for (const auto& it : s.items) (it.role == "sample" ? sample : spares).push_back(it.position);
  CHECK(sample == std::vector<uint64_t>{9, 236, 337, 340, 346, 497, 556, 641, 658, 884});
  CHECK(spares == std::vector<uint64_t>{404, 624, 927, 947});
  CHECK(s.items[0].encounter_id == "E0009");
  CHECK(s.statistical);
}

TEST_CASE("The frame hash changes with the frame but not with the seed", "[sampling][engine]") {
  sampling::SampleSpec a;
  a.n = 3;
  a.seed = "1";
  sampling::SampleSpec b = a;
  b.seed = "2";
  auto frame = Frame(50);
  CHECK(sampling::DrawEncounterSample(frame, a).frame_sha256 ==
        sampling::DrawEncounterSample(frame, b).frame_sha256);
  frame[10].amount_cents += 1;
  CHECK(sampling::DrawEncounterSample(frame, a).frame_sha256 !=
        sampling::DrawEncounterSample(Frame(50), a).frame_sha256);
}

TEST_CASE("Quota samples take n per coder per period, all of a small stratum", "[sampling][engine]") {
  sampling::SampleSpec spec;
  spec.design = sampling::SampleDesign::kQuota;
  spec.per_coder = 3;
  spec.seed = "5";
  auto frame = Frame(10);  // 5 per quarter, alternating coders: strata of 3 and 2
  auto s = sampling::DrawEncounterSample(frame, spec);
  REQUIRE(s.strata.size() == 4);
  std::map<std::string, uint64_t> n;
  for (const auto& st : s.strata) n[st.name] = st.n;
  CHECK(n["C01 2024Q1"] == 3);
  CHECK(n["C02 2024Q1"] == 2);
  CHECK(n["C02 2024Q2"] == 3);
  CHECK_FALSE(s.warnings.empty());  // C02 2024Q1 has fewer than asked
  spec.per_coder = 0;
  spec.percent = 50;
  auto p = sampling::DrawEncounterSample(frame, spec);
  for (const auto& st : p.strata) CHECK(st.n == (st.frame_size + 1) / 2);  // rounded up
}

TEST_CASE("Proportional allocation sums to n with largest remainders", "[sampling][engine]") {
  sampling::SampleSpec spec;
  spec.design = sampling::SampleDesign::kStratified;
  spec.stratify_by = "amount";
  spec.band_floors = {0, 2050, 100000};  // E0001..E0002 | E0003..E0099 | E0100
  spec.allocation = "proportional";
  spec.n = 10;
  spec.seed = "3";
  auto s = sampling::DrawEncounterSample(Frame(100), spec);
  REQUIRE(s.strata.size() == 3);
  CHECK(s.strata[0].name == "band 01: 0.00 to 20.49");
  CHECK(s.strata[0].frame_size == 2);
  CHECK(s.strata[2].name == "band 03: 1000.00 and up");
  uint64_t total = 0;
  for (const auto& st : s.strata) total += st.n;
  CHECK(total == 10);
  CHECK(s.strata[1].n == 10);  // 9.7 -> 9, then the largest remainder (.7) gets one more
}

TEST_CASE("Bad sample designs are refused with a reason", "[sampling][engine]") {
  sampling::SampleSpec spec;
  spec.seed = "1";
  CHECK_THROWS_AS(sampling::DrawEncounterSample(Frame(5), spec), InputError);  // n = 0
  spec.design = sampling::SampleDesign::kStratified;
  spec.n = 2;
  spec.stratify_by = "favourite_colour";
  CHECK_THROWS_WITH(sampling::DrawEncounterSample(Frame(5), spec), Catch::Contains("cannot stratify"));
  spec.design = sampling::SampleDesign::kQuota;
  CHECK_THROWS_WITH(sampling::DrawEncounterSample(Frame(5), spec), Catch::Contains("exactly one"));
}

TEST_CASE("A stored sample replays identical and a changed frame is detected", "[sampling][engine][both-stores]") {
  STORE_OR_SKIP(t);
  const auto db = SampleStore(t.db);
  sampling::SampleSpec spec;
  spec.design = sampling::SampleDesign::kStratified;
  spec.stratify_by = "coder_id";
  spec.n = 4;
  spec.spares = 2;
  spec.seed = "20261123";
  const auto drawn = service::DrawAndStoreSample(db, 1, spec);
  CHECK(drawn.sample_id == 1);
  CHECK(drawn.sample.strata.size() == 7);
  auto same = service::ReplaySample(db, 1);
  CHECK(same.Identical());
  CHECK(same.differences.empty());

  // Someone edits a stored encounter: the frame no longer hashes the same.
  Exec(db, "UPDATE encounter_lines SET charge_cents = charge_cents + 1 WHERE run_id = 1 AND "
           "encounter_id = (SELECT min(encounter_id) FROM encounters WHERE run_id = 1) AND "
           "position = 1");
  auto changed = service::ReplaySample(db, 1);
  CHECK_FALSE(changed.frame_identical);
  CHECK_FALSE(changed.Identical());
  CHECK(changed.stored_frame_sha256 != changed.replayed_frame_sha256);
  REQUIRE_FALSE(changed.differences.empty());
  CHECK(changed.differences[0].find("frame hash differs") == 0);
}

TEST_CASE("Replaying against another run with different encounters is refused", "[sampling][engine][both-stores]") {
  STORE_OR_SKIP(t);
  const auto db = SampleStore(t.db);
  sampling::SampleSpec spec;
  spec.n = 5;
  spec.seed = "11";
  service::DrawAndStoreSample(db, 1, spec);
  service::CheckOptions opt;  // run 2: the malformed sample file, a different frame
  opt.rules_path = kSamples + "rules/facility.xml";
  opt.encounter_paths = {kSamples + "bad_encounters.csv"};
  opt.db_path = db;
  service::RunCheck(opt);
  auto r = service::ReplaySample(db, 1, 2);
  CHECK_FALSE(r.Identical());
}

TEST_CASE("Spares replace sampled encounters in selection order with a reason", "[sampling][engine][both-stores]") {
  STORE_OR_SKIP(t);
  const auto db = SampleStore(t.db);
  sampling::SampleSpec spec;
  spec.n = 3;
  spec.spares = 2;
  spec.seed = "77";
  const auto drawn = service::DrawAndStoreSample(db, 1, spec);
  std::vector<std::string> sample, spares;
  for (const auto& it : drawn.sample.items)
    (it.role == "sample" ? sample : spares).push_back(it.encounter_id);
  store::SampleStore store(db);
  CHECK_THROWS_AS(store.Substitute(1, sample[0], "", "t"), InputError);
  CHECK(store.Substitute(1, sample[0], "record unavailable", "t") == spares[0]);
  CHECK(store.Substitute(1, spares[0], "also unavailable", "t") == spares[1]);
  CHECK_THROWS_WITH(store.Substitute(1, sample[1], "again", "t"), Catch::Contains("no unused spare"));
  CHECK_THROWS_AS(store.Substitute(1, "NOT-IN-SAMPLE", "x", "t"), InputError);
  auto loaded = store.Load(1);
  REQUIRE(loaded);
  REQUIRE(loaded->substitutions.size() == 2);
  CHECK(loaded->substitutions[0].reason == "record unavailable");
  CHECK(service::ReplaySample(db, 1).Identical());  // substitutions do not alter the draw
}

TEST_CASE("Sample commands draw, show, list and replay through the CLI", "[sampling][cli]") {
  TempDir dir;
  const auto db = SampleStore(dir);
  const auto run = RunCli;
  auto d = run({"sample", "draw", "--db", db, "--design", "targeted", "--n", "2", "--seed", "4"});
  CHECK(d.first == 0);
  CHECK(d.second.find("NON-STATISTICAL") != std::string::npos);
  auto j = run({"sample", "show", "--db", db, "--sample", "1", "--format", "json"});
  CHECK(j.first == 0);
  CHECK(j.second.find("\"statistical\": false") != std::string::npos);
  CHECK(run({"sample", "replay", "--db", db, "--sample", "1"}).first == 0);
  CHECK(run({"sample", "draw", "--db", db, "--design", "bogus", "--n", "2"}).first == 2);
  CHECK(run({"sample", "show", "--db", db, "--sample", "9"}).first == 3);
  CHECK(run({"sample", "draw", "--help"}).first == 0);

  // Extrapolating from the targeted sample is refused; from a random one it goes ahead.
  const auto items = (dir.path / "items.csv").string();
  { std::ofstream(items) << "difference\n10.00\n25.50\n"; }
  auto refused = run({"appraise", "variable", "--input", items, "--universe", "310", "--db", db,
                      "--sample-id", "1"});
  CHECK(refused.first == 3);
  CHECK(refused.second.find("refusing to extrapolate") != std::string::npos);
  CHECK(run({"sample", "draw", "--db", db, "--design", "simple", "--n", "2", "--seed", "4"}).first == 0);
  // A random sample may be appraised, with its own items (issue 16 item 7: matched by
  // encounter_id, so the items file without ids above no longer passes).
  const auto stored = service::LoadSample(db, 2);
  REQUIRE(stored);
  std::vector<std::string> ids;
  for (const auto& it : stored->sample.items)
    if (it.role == "sample") ids.push_back(it.encounter_id);
  REQUIRE(ids.size() == 2);
  { std::ofstream(items) << "encounter_id,difference\n" << ids[0] << ",10.00\n" << ids[1] << ",25.50\n"; }
  auto allowed = run({"appraise", "variable", "--input", items, "--universe", "310", "--db", db,
                      "--sample-id", "2"});
  CHECK(allowed.first == 0);
}

namespace {
int64_t CountRows(const std::string& db, const std::string& table) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, ("SELECT count(*) FROM " + table).c_str(), -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}
}  // namespace

// Issue 16 item 7: an appraisal tied to a stored sample cannot contradict it, and the one
// that goes ahead is recorded with the SHA-256 of its inputs so the demand can be traced.
TEST_CASE("appraise --db --sample-id refuses inputs that contradict the stored sample and records the rest",
          "[sampling][cli]") {
  TempDir dir;
  const auto db = SampleStore(dir);
  const auto run = RunCli;
  REQUIRE(run({"sample", "draw", "--db", db, "--design", "simple", "--n", "3", "--spares", "1",
               "--seed", "7"}).first == 0);
  const auto stored = service::LoadSample(db, 1);
  REQUIRE(stored);
  std::vector<std::string> ids, spares;
  for (const auto& it : stored->sample.items)
    (it.role == "sample" ? ids : spares).push_back(it.encounter_id);
  REQUIRE(ids.size() == 3);
  REQUIRE(spares.size() == 1);
  std::string outsider;  // an encounter of the frame that is neither sampled nor a spare
  for (const auto& f : service::LoadFrame(db, stored->run_id))
    if (outsider.empty() && f.encounter_id != ids[0] && f.encounter_id != ids[1] &&
        f.encounter_id != ids[2] && f.encounter_id != spares[0])
      outsider = f.encounter_id;
  REQUIRE_FALSE(outsider.empty());
  auto write = [&](const std::string& name, const std::string& content) {
    const auto path = (dir.path / name).string();
    std::ofstream(path) << content;
    return path;
  };
  const std::string good_text = "encounter_id,examined,audited\n" + ids[0] + ",100.00,90.00\n" +
                                ids[1] + ",50.00,50.00\n" + ids[2] + ",80.00,20.00\n";
  const auto good = write("good.csv", good_text);
  auto appraise = [&](const std::string& input, const std::string& universe) {
    return run({"appraise", "variable", "--input", input, "--universe", universe, "--db", db,
                "--sample-id", "1"});
  };

  // Refused, nothing recorded: a universe that is not the stored frame's 310 ...
  auto r = appraise(good, "3100");
  CHECK(r.first == 3);
  CHECK(r.second.find("universe size 3100 contradicts stored sample 1, whose frame has 310 encounters") !=
        std::string::npos);
  // ... an item that is not in the sample ...
  r = appraise(write("foreign.csv", good_text + outsider + ",10.00,0.00\n"), "310");
  CHECK(r.first == 3);
  CHECK(r.second.find("foreign.csv:5: encounter is not in stored sample 1") != std::string::npos);
  // ... an unused spare (not in the sample until substituted) ...
  r = appraise(write("spare.csv", good_text + spares[0] + ",10.00,0.00\n"), "310");
  CHECK(r.first == 3);
  CHECK(r.second.find("spare.csv:5: encounter is not in stored sample 1") != std::string::npos);
  // ... a sampled encounter left out, one listed twice, or items without encounter ids.
  r = appraise(write("short.csv", "encounter_id,difference\n" + ids[0] + ",10\n" + ids[1] + ",0\n"), "310");
  CHECK(r.first == 3);
  CHECK(r.second.find("1 of the 3 encounters in stored sample 1 have no item") != std::string::npos);
  r = appraise(write("twice.csv", good_text + ids[0] + ",100.00,90.00\n"), "310");
  CHECK(r.first == 3);
  CHECK(r.second.find("twice.csv:5: encounter listed twice") != std::string::npos);
  r = appraise(write("noids.csv", "difference\n10\n0\n60\n"), "310");
  CHECK(r.first == 3);
  CHECK(r.second.find("need an encounter_id column") != std::string::npos);
  // Attribute: the universe and the sample size are the stored sample's.
  r = run({"appraise", "attribute", "--universe", "310", "--sample", "4", "--errors", "1", "--db", db,
           "--sample-id", "1"});
  CHECK(r.first == 3);
  CHECK(r.second.find("sample size 4 contradicts stored sample 1, which holds 3 encounters") !=
        std::string::npos);
  r = run({"appraise", "attribute", "--universe", "311", "--sample", "3", "--errors", "1", "--db", db,
           "--sample-id", "1"});
  CHECK(r.first == 3);
  CHECK(CountRows(db, "sample_appraisals") == 0);

  // Accepted and recorded: differences 10, 0, 60 from N = 310; the demand amount recorded
  // is the report's own, and the inputs' SHA-256 is of the items file's bytes.
  r = appraise(good, "310");
  REQUIRE(r.first == 0);
  CHECK(r.second.find("Recorded as appraisal 1 of stored sample 1") != std::string::npos);
  CHECK(r.second.find(Sha256Hex(good_text)) != std::string::npos);
  auto a = run({"appraise", "attribute", "--universe", "310", "--sample", "3", "--errors", "1", "--db",
                db, "--sample-id", "1", "--format", "json"});
  REQUIRE(a.first == 0);
  CHECK(a.second.find("\"recorded\"") != std::string::npos);
  store::SampleStore samples(db);
  const auto recorded = samples.Appraisals(1);
  REQUIRE(recorded.size() == 2);
  CHECK(recorded[0].kind == "variable");
  CHECK(recorded[0].inputs_sha256 == Sha256Hex(good_text));
  REQUIRE(recorded[0].demand_amount);
  CHECK(recorded[0].report_sha256 == Sha256Hex(recorded[0].report_json));
  CHECK(recorded[0].report_json.find("\"demand_amount\"") != std::string::npos);
  CHECK(recorded[1].kind == "attribute");
  CHECK_FALSE(recorded[1].demand_amount);
  CHECK(recorded[1].inputs == "universe 310; sample 3; errors 1");
  // sample show lists them, so the demand amount can be traced from the sample.
  const auto shown = run({"sample", "show", "--db", db, "--sample", "1"});
  CHECK(shown.second.find("appraisal 1 (variable, ") != std::string::npos);
  CHECK(shown.second.find("inputs sha256 " + Sha256Hex(good_text)) != std::string::npos);
  const auto shown_json = run({"sample", "show", "--db", db, "--sample", "1", "--format", "json"});
  CHECK(shown_json.second.find("\"appraisals\"") != std::string::npos);
  CHECK(service::LoadSample(db, 1)->appraisals.size() == 2);
  // Each recorded appraisal is a trail event naming its inputs' and figures' SHA-256.
  std::vector<std::string> appraisal_events;
  for (const auto& e : service::ShowTrail(db, 0, 0, 1000))
    if (e.action == "appraisal.recorded") appraisal_events.push_back(e.after);
  REQUIRE(appraisal_events.size() == 2);
  CHECK(appraisal_events[0].find(recorded[0].inputs_sha256) != std::string::npos);
  CHECK(appraisal_events[0].find(recorded[0].report_sha256) != std::string::npos);
  CHECK(service::VerifyTrail(db, std::nullopt).ok);

  // After a substitution the spare is in the sample and the replaced encounter is not.
  REQUIRE(run({"sample", "substitute", "--db", db, "--sample", "1", "--encounter", ids[2], "--reason",
               "record unavailable"}).first == 0);
  r = appraise(good, "310");
  CHECK(r.first == 3);
  CHECK(r.second.find("good.csv:4: encounter is not in stored sample 1") != std::string::npos);
  const std::string after = "encounter_id,examined,audited\n" + ids[0] + ",100.00,90.00\n" + ids[1] +
                            ",50.00,50.00\n" + spares[0] + ",80.00,20.00\n";
  CHECK(appraise(write("after.csv", after), "310").first == 0);
  CHECK(CountRows(db, "sample_appraisals") == 3);
}

TEST_CASE("Extrapolation from a stored sample gives the RAT-STATS demand amount", "[sampling][engine]") {
  TempDir dir;
  const auto db = SampleStore(dir);
  sampling::SampleSpec spec;
  spec.n = 5;
  spec.spares = 1;
  spec.seed = "31";
  const auto drawn = service::DrawAndStoreSample(db, 1, spec);
  std::vector<std::string> ids;
  for (const auto& it : drawn.sample.items)
    if (it.role == "sample") ids.push_back(it.encounter_id);
  REQUIRE(ids.size() == 5);
  // Differences 10, 20, 30, 40, 50 from N = 310: mean 30, SD sqrt(250), point 9,300.
  // Hand-worked: SE(mean) = SD/sqrt(5) * sqrt(305/310); t(4 df, .90) = 1.533206274059;
  // demand = 9300 - t * 310 * SE(mean) = 5,966.38.
  const auto reviewed = (dir.path / "reviewed.csv").string();
  {
    std::ofstream f(reviewed);
    f << "encounter_id,examined,audited\n";
    for (size_t i = 0; i < ids.size(); ++i) f << ids[i] << ",100.00," << 90 - 10 * static_cast<int>(i) << ".00\n";
  }
  const auto rep = service::BuildExtrapolation(db, drawn.sample_id, reviewed);
  REQUIRE(rep.unrestricted);
  CHECK(rep.demand_amount == Approx(5966.38).margin(0.01));
  CHECK(rep.unrestricted->universe == 310);
  CHECK(rep.replay_identical);
  CHECK(rep.items.size() == 5);
  // The frame, unit by unit: every encounter of the check run once, positions 1..N in the
  // one stratum, amounts the encounters' billed charges as stored.
  REQUIRE(rep.frame.size() == 310);
  std::map<std::string, int64_t> charges;
  store::Store(db).ForEachEncounter(1, [&](coderaudit::Encounter&& e) {
    for (const auto& l : e.lines) charges[e.id] += l.charge_cents;
  });
  REQUIRE(charges.size() == 310);
  for (size_t i = 0; i < rep.frame.size(); ++i) {
    const auto& u = rep.frame[i];
    CHECK(u.stratum == "all");
    CHECK(u.position == i + 1);
    CHECK(u.amount_cents == charges[u.encounter_id]);
    if (i > 0) CHECK(rep.frame[i - 1].encounter_id < u.encounter_id);
  }

  // The workbook is written atomically and identically twice.
  const auto a = (dir.path / "a.xlsx").string(), b = (dir.path / "b.xlsx").string();
  reports::WriteExtrapolationWorkbook(rep, a, db);
  reports::WriteExtrapolationWorkbook(rep, b, db);
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  const std::string ba((std::istreambuf_iterator<char>(fa)), {}), bb((std::istreambuf_iterator<char>(fb)), {});
  CHECK(ba.size() > 1000);
  CHECK(ba == bb);

  // Missing or foreign encounters are refused, never silently dropped.
  const auto partial = (dir.path / "partial.csv").string();
  { std::ofstream(partial) << "encounter_id,examined,audited\n" << ids[0] << ",1,1\n"; }
  CHECK_THROWS_WITH(service::BuildExtrapolation(db, drawn.sample_id, partial),
                    Catch::Contains("4 sampled encounters have no reviewed amounts"));
  const auto foreign = (dir.path / "foreign.csv").string();
  { std::ofstream(foreign) << "encounter_id,examined,audited\nNOPE,1,1\n"; }
  CHECK_THROWS_WITH(service::BuildExtrapolation(db, drawn.sample_id, foreign),
                    Catch::Contains("foreign.csv:2: encounter is not in sample"));
  // A targeted sample is never extrapolated.
  spec.design = sampling::SampleDesign::kTargeted;
  const auto targeted = service::DrawAndStoreSample(db, 1, spec);
  CHECK_THROWS_WITH(service::BuildExtrapolation(db, targeted.sample_id, reviewed),
                    Catch::Contains("refusing to extrapolate"));
}

// Issue 16 item 7, stratified: every stratum's N_h must be the stored stratum's and every
// item must sit in its stored stratum.
TEST_CASE("appraise --db --sample-id checks a stratified sample stratum by stratum", "[sampling][cli]") {
  TempDir dir;
  const auto db = SampleStore(dir);
  const auto run = RunCli;
  REQUIRE(run({"sample", "draw", "--db", db, "--design", "stratified", "--stratify-by", "claim_type",
               "--n", "2", "--seed", "11"}).first == 0);
  const auto stored = service::LoadSample(db, 1);
  REQUIRE(stored);
  REQUIRE(stored->sample.strata.size() >= 2);
  std::string items = "encounter_id,stratum,difference\n", strata = "stratum,universe\n",
              wrong_n = "stratum,universe\n";
  int value = 0;
  for (const auto& it : stored->sample.items)
    if (it.role == "sample") items += it.encounter_id + "," + it.stratum + "," + std::to_string(10 * ++value) + "\n";
  for (const auto& st : stored->sample.strata) {
    strata += st.name + "," + std::to_string(st.frame_size) + "\n";
    wrong_n += st.name + "," + std::to_string(st.frame_size + (&st == &stored->sample.strata[0] ? 1 : 0)) + "\n";
  }
  auto write = [&](const std::string& name, const std::string& content) {
    const auto path = (dir.path / name).string();
    std::ofstream(path) << content;
    return path;
  };
  const auto items_path = write("items.csv", items);
  auto appraise = [&](const std::string& strata_path) {
    return run({"appraise", "variable", "--input", items_path, "--strata", strata_path, "--db", db,
                "--sample-id", "1"});
  };
  auto r = appraise(write("wrong.csv", wrong_n));
  CHECK(r.first == 3);
  CHECK(r.second.find("universe size " + std::to_string(stored->sample.strata[0].frame_size + 1) +
                      " contradicts stored sample 1, whose frame stratum '" +
                      stored->sample.strata[0].name + "' has") != std::string::npos);
  // An item moved to another stratum contradicts the stored sample.
  const auto& first = stored->sample.strata[0].name;
  const auto& second = stored->sample.strata[1].name;
  std::string moved = items;
  const auto at = moved.find("," + first + ",");
  REQUIRE(at != std::string::npos);
  moved.replace(at, first.size() + 2, "," + second + ",");
  r = run({"appraise", "variable", "--input", write("moved.csv", moved), "--strata", write("s.csv", strata),
           "--db", db, "--sample-id", "1"});
  CHECK(r.first == 3);
  CHECK(r.second.find("contradicts stored sample 1, which holds this encounter in stratum '" + first + "'") !=
        std::string::npos);
  CHECK(CountRows(db, "sample_appraisals") == 0);
  r = appraise(write("strata.csv", strata));
  CHECK(r.first == 0);
  CHECK(r.second.find("STRATIFIED VARIABLE APPRAISAL") == 0);
  CHECK(CountRows(db, "sample_appraisals") == 1);
}


// Post-stratification (Companion Manual 3-91): a simple stored sample classified after the
// draw into post-strata of known sizes. The figures are the stratified appraisal's of the
// same items and sizes; the sizes must add up to the stored frame, and the items' stratum
// column names post-strata, not the stored sample's stratum.
TEST_CASE("appraise --post-strata appraises a simple stored sample by post-strata of known sizes",
          "[sampling][cli]") {
  TempDir dir;
  const auto db = SampleStore(dir);
  const auto run = RunCli;
  REQUIRE(run({"sample", "draw", "--db", db, "--design", "simple", "--n", "6", "--seed", "5"}).first == 0);
  const auto stored = service::LoadSample(db, 1);
  REQUIRE(stored);
  REQUIRE(stored->sample.strata.size() == 1);
  REQUIRE(stored->sample.strata[0].frame_size == 310);
  std::string items = "encounter_id,stratum,difference\n";
  int k = 0;
  for (const auto& it : stored->sample.items)
    if (it.role == "sample") {
      ++k;
      items += it.encounter_id + "," + (k <= 3 ? "low" : "high") + "," + std::to_string(k * k * 10) + "\n";
    }
  auto write = [&](const std::string& name, const std::string& content) {
    const auto path = (dir.path / name).string();
    std::ofstream(path) << content;
    return path;
  };
  const auto items_path = write("items.csv", items);
  auto appraise = [&](const std::string& sizes, const char* option, bool db_flags) {
    std::vector<std::string> words{"appraise", "variable", "--input", items_path, option, write("sizes.csv", sizes)};
    if (db_flags) words.insert(words.end(), {"--db", db, "--sample-id", "1"});
    words.insert(words.end(), {"--format", "json"});
    return run(words);
  };
  // Sizes that do not add up to the frame's 310 are refused, nothing recorded.
  auto r = appraise("stratum,universe\nlow,200\nhigh,111\n", "--post-strata", true);
  CHECK(r.first == 3);
  CHECK(r.second.find("the post-strata's sizes add up to 311: universe size 311 contradicts stored sample 1") !=
        std::string::npos);
  CHECK(CountRows(db, "sample_appraisals") == 0);
  // As --strata the same files contradict the stored (single-stratum) sample.
  CHECK(appraise("stratum,universe\nlow,200\nhigh,110\n", "--strata", true).first == 3);
  // Accepted: the stratified figures, under the post-stratified name, recorded as such.
  r = appraise("stratum,universe\nlow,200\nhigh,110\n", "--post-strata", true);
  REQUIRE(r.first == 0);
  const auto plain = appraise("stratum,universe\nlow,200\nhigh,110\n", "--strata", false);
  REQUIRE(plain.first == 0);
  CHECK(r.second.find("\"appraisal\": \"variable_post_stratified\"") != std::string::npos);
  const auto demand_of = [](const std::string& json) {
    const auto at = json.find("\"demand_amount\": ");
    return json.substr(at, json.find(',', at) - at);
  };
  CHECK(demand_of(r.second) == demand_of(plain.second));
  store::SampleStore samples(db);
  const auto recorded = samples.Appraisals(1);
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].kind == "variable post-stratified");
  CHECK(recorded[0].inputs.find("; post-strata ") != std::string::npos);
  const auto text = run({"appraise", "variable", "--input", items_path, "--post-strata",
                         write("sizes.csv", "stratum,universe\nlow,200\nhigh,110\n")});
  CHECK(text.second.find("POST-STRATIFIED VARIABLE APPRAISAL") == 0);
  CHECK(run({"appraise", "variable", "--input", items_path, "--post-strata", write("s.csv", "low,1\n"),
             "--strata", write("t.csv", "low,1\n")}).first == 2);
}
