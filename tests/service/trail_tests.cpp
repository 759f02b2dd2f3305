// The audit trail (audit/store/TRAIL.md): events recorded with the changes they describe,
// and every kind of tampering with the SQLite file directly caught by `trail verify`,
// naming the first bad event.
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/model/error.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/service/results.hpp"
#include "audit/service/sample_service.hpp"
#include "audit/service/service.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/trail.hpp"
#include "audit/service/users.hpp"
#include "audit/store/trail_store.hpp"

namespace fs = std::filesystem;
using namespace coderaudit;

namespace {

const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";

fs::path FreshDir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("coderaudit-trail-tests-" + std::to_string(getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Runs SQL on the store file behind the tool's back, as someone with the file would.
void Tamper(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  INFO(sql << ": " << (err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(h);
  REQUIRE(rc == SQLITE_OK);
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::vector<store::StoredEvent> Events(const std::string& db) {
  store::Store s(db);
  return store::LoadEvents(s);
}

// A store whose trail holds a check run, a score run, a drawn sample, a spare swapped in,
// a user, a token and an exported workbook: 8 events, made through the service layer.
struct Engagement {
  fs::path dir;
  std::string db;
  explicit Engagement(const std::string& name) {
    dir = FreshDir(name);
    db = (dir / "a.db").string();
    service::CheckOptions co;
    co.rules_path = kSamples + "rules/facility.xml";
    co.encounter_paths = {kSamples + "encounters.csv"};
    co.db_path = db;
    service::RunCheck(co);
    service::ScoreOptions so;
    so.db_path = db;
    so.auditor_path = kSamples + "auditor.csv";
    service::RunScore(so);
    sampling::SampleSpec spec;
    spec.n = 5;
    spec.spares = 2;
    spec.seed = "12345";
    const auto drawn = service::DrawAndStoreSample(db, 1, spec);
    std::string first;
    for (const auto& it : drawn.sample.items)
      if (it.role == "sample") { first = it.encounter_id; break; }
    service::SubstituteSpare(db, drawn.sample_id, first, "chart missing");
    service::AddUser(db, "alice", service::Role::kAuditor, "", "correct horse battery");
    service::CreateToken(db, service::TokenScope::kRead, "viewer", "alice");
    service::WriteFindingsReport(db, 1, HoldPolicy::Default(), (dir / "findings.xlsx").string());
  }
};

}  // namespace

TEST_CASE("Every change is an event, chained by SHA-256, in the change's transaction", "[trail]") {
  Engagement e("chain");
  const auto events = Events(e.db);
  std::vector<std::string> actions;
  for (const auto& ev : events) actions.push_back(ev.action);
  CHECK(actions == std::vector<std::string>{"run.stored", "score.stored", "sample.drawn",
                                            "sample.substituted", "user.created", "token.created",
                                            "report.exported"});
  std::string prev(store::kGenesisHash);
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& ev = events[i];
    CHECK(ev.seq == static_cast<int64_t>(i + 1));
    CHECK(ev.prev_hash == prev);
    CHECK(ev.hash == store::EventHash(ev));
    CHECK(ev.actor.starts_with("cli:"));
    prev = ev.hash;
  }
  // The engagement: the check run's own events carry its id.
  CHECK(events[0].run_id == 1);
  CHECK(events[1].run_id == 1);   // the score run of check run 1
  CHECK(events[1].subject == "run:2");
  CHECK(events[2].run_id == 1);
  CHECK(events[4].run_id == 0);   // users are store-wide
  CHECK(events[0].after.find("\"findings\":36") != std::string::npos);
  CHECK(events[5].after.find("\"user\":\"alice\"") != std::string::npos);
  // The canonical form is documented: [1,seq,at,actor,action,subject,run_id,before,after,prev].
  CHECK(store::CanonicalEvent(events[0]).starts_with("[1,1,\"" + events[0].at + "\",\"" + events[0].actor +
                                                    "\",\"run.stored\",\"run:1\",1,\"{}\",\"{\\\"kind\\\""));
  const auto ok = service::VerifyTrail(e.db, std::nullopt);
  CHECK(ok.ok);
  CHECK(ok.events == 7);
  CHECK(ok.head_hash == events.back().hash);
}

TEST_CASE("A run that does not commit leaves no event, and an event never lands without its change", "[trail]") {
  const auto dir = FreshDir("atomic");
  const std::string db = (dir / "a.db").string();
  {
    store::Store s(db);
    runs::RunInfo info;
    info.kind = "check";
    info.started_at = "2026-01-01T00:00:00Z";
    auto writer = s.BeginRun(info);
    store::AppendEvent(writer->Owner(), service::MakeEvent(service::Actor::Local(), "run.stored", "run:1", 1));
    // Dropped without Commit: the run and its event roll back together.
  }
  CHECK(Events(db).empty());
  CHECK(service::VerifyTrail(db, std::nullopt).ok);
  // An unreadable auditor file: the score run fails and no event is written.
  service::CheckOptions co;
  co.rules_path = kSamples + "rules/facility.xml";
  co.encounter_paths = {kSamples + "encounters.csv"};
  co.db_path = db;
  service::RunCheck(co);
  service::ScoreOptions so;
  so.db_path = db;
  so.auditor_path = (dir / "missing.csv").string();
  CHECK_THROWS_AS(service::RunScore(so), InputError);
  const auto events = Events(db);
  REQUIRE(events.size() == 1);
  CHECK(events[0].action == "run.stored");
}

TEST_CASE("trail verify catches every kind of tampering with the database and names the first bad event",
          "[trail]") {
  Engagement base("tamper-base");
  const auto original = Events(base.db);
  REQUIRE(original.size() == 7);
  int copies = 0;
  // Each case tampers with its own copy of the store.
  auto copy = [&] {
    const std::string db = (base.dir / ("copy" + std::to_string(++copies) + ".db")).string();
    fs::copy_file(base.db, db, fs::copy_options::overwrite_existing);
    return db;
  };
  auto verify = [](const std::string& db, std::optional<std::string> head = std::nullopt) {
    return service::VerifyTrail(db, head);
  };

  SECTION("an edited event") {
    const auto db = copy();
    Tamper(db, "UPDATE audit_events SET after_json = replace(after_json, '\"findings\":36', "
               "'\"findings\":3') WHERE seq = 1");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 1);
    CHECK(r.problem.find("changed") != std::string::npos);
  }
  SECTION("an edited actor") {
    const auto db = copy();
    Tamper(db, "UPDATE audit_events SET actor = 'cli:someone-else' WHERE seq = 4");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 4);
  }
  SECTION("a deleted event") {
    const auto db = copy();
    Tamper(db, "DELETE FROM audit_events WHERE seq = 3");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 3);
    CHECK(r.problem.find("missing") != std::string::npos);
  }
  SECTION("a deleted event, the later ones renumbered and the head row moved back") {
    const auto db = copy();
    Tamper(db, "DELETE FROM audit_events WHERE seq = 3; "
               "UPDATE audit_events SET seq = -(seq - 1) WHERE seq > 3; "
               "UPDATE audit_events SET seq = -seq WHERE seq < 0; "
               "UPDATE audit_trail_head SET seq = seq - 1");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 3);
  }
  SECTION("an inserted event, correctly hashed and linked, the later ones renumbered") {
    const auto db = copy();
    store::StoredEvent fake;
    fake.seq = 4;
    fake.at = original[2].at;
    fake.actor = "cli:mallory";
    fake.action = "sample.substituted";
    fake.subject = "sample:1";
    fake.run_id = 1;
    fake.prev_hash = original[2].hash;
    fake.hash = store::EventHash(fake);
    Tamper(db, "UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 4; "
               "UPDATE audit_events SET seq = -seq WHERE seq < 0; "
               "INSERT INTO audit_events VALUES (4, " + Quote(fake.at) + ", " + Quote(fake.actor) + ", " +
               Quote(fake.action) + ", " + Quote(fake.subject) + ", 1, '{}', '{}', " +
               Quote(fake.prev_hash) + ", " + Quote(fake.hash) + "); "
               "UPDATE audit_trail_head SET seq = seq + 1");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 4);
    CHECK(r.problem.find("inserted") != std::string::npos);
  }
  SECTION("two events swapped") {
    const auto db = copy();
    Tamper(db, "UPDATE audit_events SET seq = -1 WHERE seq = 5; "
               "UPDATE audit_events SET seq = 5 WHERE seq = 6; "
               "UPDATE audit_events SET seq = 6 WHERE seq = -1");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 5);
  }
  SECTION("events swapped with their seq (rows reordered, numbers kept)") {
    const auto db = copy();
    // Swap the contents of 2 and 3 but keep each row's seq: the contents no longer hash.
    Tamper(db, "CREATE TEMP TABLE t AS SELECT * FROM audit_events WHERE seq IN (2, 3); "
               "UPDATE audit_events SET action = (SELECT action FROM t WHERE seq = 3), "
               "subject = (SELECT subject FROM t WHERE seq = 3), after_json = (SELECT after_json FROM t WHERE seq = 3), "
               "hash = (SELECT hash FROM t WHERE seq = 3), prev_hash = (SELECT prev_hash FROM t WHERE seq = 3) WHERE seq = 2; "
               "UPDATE audit_events SET action = (SELECT action FROM t WHERE seq = 2), "
               "subject = (SELECT subject FROM t WHERE seq = 2), after_json = (SELECT after_json FROM t WHERE seq = 2), "
               "hash = (SELECT hash FROM t WHERE seq = 2), prev_hash = (SELECT prev_hash FROM t WHERE seq = 2) WHERE seq = 3");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 2);
  }
  SECTION("the tail cut off") {
    const auto db = copy();
    Tamper(db, "DELETE FROM audit_events WHERE seq >= 6");
    const auto r = verify(db);   // the head row still names event 7
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 6);
    CHECK(r.problem.find("removed from its end") != std::string::npos);
  }
  SECTION("the tail cut off and the head row moved back: only an anchored head catches it") {
    const auto db = copy();
    Tamper(db, "DELETE FROM audit_events WHERE seq >= 6; "
               "UPDATE audit_trail_head SET seq = 5, hash = (SELECT hash FROM audit_events WHERE seq = 5)");
    CHECK(verify(db).ok);   // the documented limit: a consistent prefix verifies on its own
    const auto r = verify(db, original.back().hash);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 6);
    CHECK(r.problem.find("expected head") != std::string::npos);
    // An anchor taken earlier that is still in the chain passes.
    CHECK(verify(db, original[3].hash).ok);
  }
  SECTION("a middle event edited and re-hashed, the rest left alone") {
    const auto db = copy();
    store::StoredEvent forged = original[2];
    forged.after = R"({"forged":true})";
    forged.hash = store::EventHash(forged);
    Tamper(db, "UPDATE audit_events SET after_json = " + Quote(forged.after) + ", hash = " +
                   Quote(forged.hash) + " WHERE seq = 3");
    const auto r = verify(db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad == 3);
    CHECK(r.problem.find("re-computed") != std::string::npos);
  }
  SECTION("the whole chain re-hashed from a middle event on: caught against an anchored head") {
    const auto db = copy();
    auto events = original;
    events[2].after = R"({"forged":true})";
    std::string sql;
    for (size_t i = 2; i < events.size(); ++i) {
      events[i].prev_hash = events[i - 1].hash;
      events[i].hash = store::EventHash(events[i]);
      sql += "UPDATE audit_events SET after_json = " + Quote(events[i].after) + ", prev_hash = " +
             Quote(events[i].prev_hash) + ", hash = " + Quote(events[i].hash) +
             " WHERE seq = " + std::to_string(events[i].seq) + "; ";
    }
    sql += "UPDATE audit_trail_head SET hash = " + Quote(events.back().hash);
    Tamper(db, sql);
    CHECK(verify(db).ok);   // self-consistent: a rewrite needs an anchor to be found
    const auto r = verify(db, original.back().hash);
    CHECK_FALSE(r.ok);
  }
}

TEST_CASE("An export verifies by itself, in C++ and with the README's Python check, and catches edits",
          "[trail]") {
  Engagement e("export");
  // A second engagement, whose events the export of the first withholds.
  service::CheckOptions co;
  co.rules_path = kSamples + "rules/facility.xml";
  co.encounter_paths = {kSamples + "encounters.csv"};
  co.db_path = e.db;
  service::RunCheck(co);
  const std::string out = (e.dir / "engagement1.jsonl").string();
  const auto x = service::ExportTrail(e.db, 1, out);
  CHECK(x.events == 5);     // run, score, sample, swap, report (run 1); the export itself follows
  CHECK(x.withheld == 3);   // user, token, the other check run
  const auto head = service::VerifyTrail(e.db, std::nullopt);
  CHECK(head.events == 9);  // ... and the export's own event
  REQUIRE(fs::exists(out + ".README.txt"));
  const auto file = service::VerifyTrailFile(out, x.head_hash);
  CHECK(file.ok);
  CHECK(file.head_hash == x.head_hash);
  CHECK(file.events == 9 - 1);
  // The README's script, with Python's own json and hashlib.
  const std::string script = (e.dir / "verify.py").string();
  std::ofstream(script) << service::TrailVerifyScript();
  CHECK(std::system(("python3 " + script + " " + out + " > /dev/null").c_str()) == 0);
  {
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    CHECK(text.find("\"withheld\":true") != std::string::npos);
    CHECK(text.find("alice") == std::string::npos);   // other engagements' contents stay out
    // Edit one event in the file.
    // after_json is a JSON string in the file: its quotes are escaped.
    const std::string was = R"(\"findings\":36)";
    const auto at = text.find(was);
    REQUIRE(at != std::string::npos);
    text.replace(at, was.size(), R"(\"findings\":30)");
    std::ofstream(out, std::ios::trunc) << text;
  }
  const auto bad = service::VerifyTrailFile(out, std::nullopt);
  CHECK_FALSE(bad.ok);
  CHECK(bad.first_bad == 1);
  CHECK(std::system(("python3 " + script + " " + out + " > /dev/null 2>&1").c_str()) != 0);
}

TEST_CASE("Concurrent writers append to one chain: no fork, no gap", "[trail]") {
  const auto dir = FreshDir("concurrent");
  const std::string db = (dir / "a.db").string();
  service::PrepareStore(db);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        store::Store s(db);   // a connection of its own, as another process would have
        for (int i = 0; i < kEach; ++i)
          store::AppendEvent(s, service::MakeEvent(service::Actor::Local(), "test.appended",
                                                   "writer:" + std::to_string(t)));
      } catch (const std::exception&) {
        ++failures;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  const auto r = service::VerifyTrail(db, std::nullopt);
  CHECK(r.ok);
  CHECK(r.events == kThreads * kEach);
}
