// Every role against every operation through the service layer (audit/service/access.hpp):
// the expected allow/deny matrix written out here, and each operation's own service
// function called as each role. What a coder and a masked role see.
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <map>

#include "audit/model/error.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/service/audit_workflow.hpp"
#include "audit/service/results.hpp"
#include "audit/service/sample_service.hpp"
#include "audit/service/service.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/trail.hpp"
#include "audit/service/users.hpp"
#include "audit/store/trail_store.hpp"

namespace fs = std::filesystem;
using namespace coderaudit;
using service::Operation;
using service::Role;

namespace {

const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";

// Columns: auditor coder manager compliance investigator admin (README "Users, roles and
// the audit trail" prints the same table).
const std::map<Operation, std::string> kExpected = {
    {Operation::kInfo,            "111111"},
    {Operation::kCheckClaims,     "100001"},
    {Operation::kPollJob,         "101111"},
    {Operation::kReadRuns,        "111111"},
    {Operation::kReadFindings,    "111111"},
    {Operation::kReadScores,      "111111"},
    {Operation::kReadSamples,     "101111"},
    {Operation::kScore,           "100001"},
    {Operation::kRebuttal,        "001001"},
    {Operation::kDrawSample,      "101001"},
    {Operation::kSubstituteSpare, "101001"},
    {Operation::kExportReport,    "101111"},
    {Operation::kReloadRules,     "000001"},
    {Operation::kManageUsers,     "000001"},
    {Operation::kManageTokens,    "000001"},
    {Operation::kReadTrail,       "000111"},
    {Operation::kReadAudits,      "111111"},
    {Operation::kManageAudits,    "001001"},
    {Operation::kRecodeAudit,     "100001"},
    {Operation::kAnswerAudit,     "010001"},
};

service::Actor As(Role role) {
  service::Actor a;
  a.name = "test:" + std::string(service::ToString(role));
  a.role = role;
  a.coder_id = role == Role::kCoder ? "C03" : "";
  return a;
}

struct Store {
  fs::path dir;
  std::string db;
  Store() {
    dir = fs::temp_directory_path() / ("coderaudit-access-tests-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
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
  }
  ~Store() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE("The matrix covers every role and every operation as written down", "[access]") {
  REQUIRE(kExpected.size() == service::kOperations.size());
  for (const auto op : service::kOperations)
    for (size_t r = 0; r < service::kRoles.size(); ++r) {
      INFO(service::ToString(service::kRoles[r]) << " x " << service::ToString(op));
      CHECK(service::Allowed(service::kRoles[r], op) == (kExpected.at(op)[r] == '1'));
    }
}

TEST_CASE("Every role against every operation's service function", "[access]") {
  Store s;
  const std::string missing = (s.dir / "missing.csv").string();
  // Each operation's own service function. Changes are asked with an input that does not
  // exist: authorisation comes first, so an allowed role gets an InputError and nothing
  // changes, a denied one ForbiddenError.
  const std::map<Operation, std::function<void(const service::Actor&)>> call = {
      {Operation::kInfo, [](const service::Actor& a) { service::Authorize(a, Operation::kInfo); }},
      {Operation::kCheckClaims, [&](const service::Actor& a) {
         service::CheckOptions co;
         co.rules_path = kSamples + "rules/facility.xml";
         co.encounter_paths = {missing};
         co.db_path = s.db;
         co.actor = a;
         service::RunCheck(co);
       }},
      {Operation::kPollJob, [](const service::Actor& a) { service::Authorize(a, Operation::kPollJob); }},
      {Operation::kReadRuns, [&](const service::Actor& a) { service::ListRuns(s.db, a); }},
      {Operation::kReadFindings, [&](const service::Actor& a) { service::ListFindings(s.db, 1, {}, a); }},
      {Operation::kReadScores, [&](const service::Actor& a) { service::LoadReport(s.db, 2, {}, a); }},
      {Operation::kReadSamples, [&](const service::Actor& a) { service::ListSamples(s.db, a); }},
      {Operation::kScore, [&](const service::Actor& a) {
         service::ScoreOptions so;
         so.db_path = s.db;
         so.auditor_path = missing;
         so.actor = a;
         service::RunScore(so);
       }},
      {Operation::kRebuttal, [&](const service::Actor& a) {
         service::RebuttalOptions ro;
         ro.db_path = s.db;
         ro.path = missing;
         ro.actor = a;
         service::RunRebuttal(ro);
       }},
      {Operation::kDrawSample, [&](const service::Actor& a) {
         sampling::SampleSpec spec;
         spec.n = 1;
         service::DrawAndStoreSample(s.db, 999, spec, a);
       }},
      {Operation::kSubstituteSpare, [&](const service::Actor& a) { service::SubstituteSpare(s.db, 999, "x", "why", a); }},
      {Operation::kExportReport, [&](const service::Actor& a) {
         service::WriteFindingsReport(s.db, 999, HoldPolicy::Default(), (s.dir / "f.xlsx").string(), nullptr, a);
       }},
      {Operation::kReloadRules, [](const service::Actor& a) { service::Authorize(a, Operation::kReloadRules); }},
      {Operation::kManageUsers, [&](const service::Actor& a) { service::ListUsers(s.db, a); }},
      {Operation::kManageTokens, [&](const service::Actor& a) { service::ListTokens(s.db, a); }},
      {Operation::kReadTrail, [&](const service::Actor& a) { service::VerifyTrail(s.db, std::nullopt, a); }},
      // The browser workflow's, against an audit that does not exist.
      {Operation::kReadAudits, [&](const service::Actor& a) { service::LoadAuditProgress(s.db, 999, a); }},
      {Operation::kManageAudits, [&](const service::Actor& a) { service::AssignEncounters(s.db, 999, {}, "x", a); }},
      {Operation::kRecodeAudit, [&](const service::Actor& a) { service::SaveRecoding(s.db, 999, "x", 0, {}, false, a); }},
      {Operation::kAnswerAudit, [&](const service::Actor& a) { service::AnswerChange(s.db, 999, "x", 0, "agree", "", a); }},
  };
  REQUIRE(call.size() == service::kOperations.size());
  const size_t events_before = service::ShowTrail(s.db, 0, 0, 0).size();
  for (const auto op : service::kOperations)
    for (size_t r = 0; r < service::kRoles.size(); ++r) {
      const auto actor = As(service::kRoles[r]);
      bool allowed = true;
      try {
        call.at(op)(actor);
      } catch (const service::ForbiddenError&) {
        allowed = false;
      } catch (const InputError&) {
        // allowed, and refused for the missing input
      }
      INFO(actor.name << " x " << service::ToString(op));
      CHECK(allowed == (kExpected.at(op)[r] == '1'));
    }
  // Nothing was changed by any of it.
  CHECK(service::ShowTrail(s.db, 0, 0, 0).size() == events_before);
  // A token's scope narrows its user's role.
  auto admin_read = As(Role::kAdmin);
  admin_read.scope = service::TokenScope::kRead;
  CHECK_THROWS_AS(service::ListUsers(s.db, admin_read), service::ForbiddenError);
  CHECK_NOTHROW(service::ListRuns(s.db, admin_read));
}

TEST_CASE("A coder sees only their own rows, and masked roles do not see patient identifiers", "[access]") {
  Store s;
  const auto all = service::ListFindings(s.db, 1, {});
  const auto coder = As(Role::kCoder);
  const auto own = service::ListFindings(s.db, 1, {}, coder);
  int64_t mine = 0;
  for (const auto& r : all.rows) mine += r.coder_id == "C03";
  REQUIRE(mine > 0);
  CHECK(own.total == mine);
  for (const auto& r : own.rows) CHECK(r.coder_id == "C03");
  // Asking for another coder's rows gives none.
  service::FindingFilter other;
  other.coder = "C04";
  CHECK(service::ListFindings(s.db, 1, other, coder).total == 0);
  const auto holds = service::ListHolds(s.db, 1, HoldPolicy::Default(), coder);
  REQUIRE(!holds.entries.empty());
  for (const auto& e : holds.entries) CHECK(e.coder_id == "C03");
  CHECK(holds.claims == static_cast<int64_t>(holds.entries.size()));
  const auto report = service::LoadReport(s.db, 2, {}, coder);
  REQUIRE(report.coders.size() == 1);
  CHECK(report.coders[0].coder_id == "C03");
  for (const auto& d : report.diffs) CHECK(d.coder_id == "C03");
  CHECK(service::ListRejects(s.db, 1, coder).empty());

  // Masking: the maternity age and sex edits fire with the patient's age and sex.
  auto find = [](const service::FindingsPage& page, const std::string& rule) {
    for (const auto& r : page.rows)
      if (r.finding.rule_id == rule) return r.finding;
    FAIL("no " << rule << " finding");
    return Finding{};
  };
  const auto manager = service::ListFindings(s.db, 1, {}, As(Role::kManager));
  const auto investigator = service::ListFindings(s.db, 1, {}, As(Role::kInvestigator));
  for (const std::string rule : {"FAC-AGE-001", "FAC-SEX-001"}) {
    const Finding shown = find(investigator, rule), masked = find(manager, rule);
    REQUIRE(shown.values.size() == masked.values.size());
    int hidden = 0;
    for (size_t i = 0; i < shown.values.size(); ++i) {
      const auto& [key, value] = masked.values[i];
      if (key == "age" || key == "sex") {
        ++hidden;
        CHECK(value == service::kMasked);
        CHECK(shown.values[i].second != service::kMasked);
      } else {
        CHECK(value == shown.values[i].second);   // the code stays
      }
    }
    CHECK(hidden == 1);
    CHECK(masked.message != shown.message);
    CHECK(masked.message.find(std::string(service::kMasked)) != std::string::npos);
  }
}

TEST_CASE("Tokens made before users existed belong to the service account and keep their rights",
          "[access]") {
  const fs::path dir = fs::temp_directory_path() / ("coderaudit-access-legacy-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "v7.db").string();
  // A store as schema 7 left it, with a read token and a check token.
  const auto secret = std::string("legacy-secret-legacy-secret-0123");
  const auto hash = service::HashSecret(secret, 1000);
  {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    std::string sql;
    for (const char* m : {"0001_init", "0002_qa_v2", "0003_samples", "0004_claim_fields",
                          "0005_clustered_rows", "0006_not_checked", "0007_api_tokens"}) {
      std::ifstream in(std::string(CODERAUDIT_SOURCE_DIR) + "/schemas/migrations/" + m + ".sql");
      std::stringstream text;
      text << in.rdbuf();
      sql += text.str() + "\n";
    }
    for (int v = 1; v <= 7; ++v)
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(v) + ", '2026-01-01');\n";
    for (const char* role : {"read", "check"})
      sql += std::string("INSERT INTO api_tokens (name, role, salt_hex, hash_hex, iterations, created_at) VALUES ('old-") +
             role + "', '" + role + "', '" + hash.salt_hex + "', '" + hash.hash_hex + "', 1000, '2026-01-02T00:00:00Z');\n";
    char* err = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(h);
    REQUIRE(rc == SQLITE_OK);
  }
  store::Store s(db);   // migrates to 8
  const auto users = store::ListUsers(s);
  REQUIRE(users.size() == 1);
  CHECK(users[0].name == "service");
  CHECK(users[0].role == "admin");
  CHECK(users[0].hash_hex.empty());   // cannot log in
  for (const auto& t : s.ListApiTokens()) CHECK(t.user_id == users[0].user_id);
  const auto reader = service::VerifyStoredToken(s, "ca_1_" + secret);
  REQUIRE(reader);
  CHECK(reader->actor.name == "token:1:service");
  CHECK(reader->actor.Can(Operation::kReadRuns));
  CHECK(reader->actor.Can(Operation::kReadFindings));
  CHECK_FALSE(reader->actor.Can(Operation::kCheckClaims));
  CHECK_FALSE(reader->actor.MasksPatients());   // as before: tokens saw everything
  const auto checker = service::VerifyStoredToken(s, "ca_2_" + secret);
  REQUIRE(checker);
  CHECK(checker->actor.Can(Operation::kCheckClaims));
  CHECK_FALSE(checker->actor.Can(Operation::kReadRuns));
  CHECK_THROWS_AS(service::Login(db, "service", ""), service::ForbiddenError);
  fs::remove_all(dir);
}
