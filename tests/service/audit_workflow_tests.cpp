// The browser workflow's services (issue 14): an audit closed through them scores exactly
// as `coderaudit score` + `coderaudit rebuttal` do for the same decisions; a stale save
// never overwrites; each role does only its part; every step is in the trail.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "audit/model/error.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/service/audit_workflow.hpp"
#include "audit/service/service.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/trail.hpp"
#include "audit/service/users.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
namespace fs = std::filesystem;

namespace {
const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";

using coderaudit::test::TempDir;  // tests/store/store_test_support.hpp

std::string CheckedStore(const fs::path& path) {
  service::CheckOptions opt;
  opt.rules_path = kSamples + "rules/facility.xml";
  opt.encounter_paths = {kSamples + "encounters.csv"};
  opt.db_path = path.string();
  service::RunCheck(opt);
  return opt.db_path;
}

service::Actor Person(const std::string& name, service::Role role, const std::string& coder = "") {
  service::Actor a;
  a.name = name;
  a.role = role;
  a.coder_id = coder;
  return a;
}

struct Team {
  service::Actor manager = Person("maria", service::Role::kManager);
  service::Actor auditor = Person("alex", service::Role::kAuditor);
  service::Actor other_auditor = Person("ana", service::Role::kAuditor);
  service::Actor coder = Person("cole", service::Role::kCoder, "C04");
  explicit Team(const std::string& db) {
    service::AddUser(db, "alex", service::Role::kAuditor, "", "alex-password-1");
    service::AddUser(db, "ana", service::Role::kAuditor, "", "ana-password-12");
  }
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One encounter per coder (stratified by coder id), all assigned to alex; `policy`: a
// policy file, "" for the built-in one.
int64_t NewAudit(const std::string& db, const Team& team, const std::string& policy = "") {
  service::CreateAuditOptions o;
  if (!policy.empty()) {
    o.policy_text = Slurp(policy);
    o.policy_file = policy;
  }
  o.title = "Q1 audit";
  o.spec.design = sampling::SampleDesign::kStratified;
  o.spec.stratify_by = "coder_id";
  o.spec.n = 1;
  o.spec.seed = "20261205";
  o.auditors = {"alex"};
  return service::CreateAudit(db, o, team.manager);
}

std::string EncounterOf(const std::string& db, int64_t audit, const std::string& coder) {
  store::QaEncounterFilter f;
  f.coder_id = coder;
  const auto page = service::ListAuditEncounters(db, audit, f, service::Actor::Local());
  REQUIRE(page.rows.size() == 1);
  return page.rows[0].encounter_id;
}

void RequireSameScores(const std::vector<qa::CoderScore>& a, const std::vector<qa::CoderScore>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].coder_id);
    CHECK(a[i].coder_id == b[i].coder_id);
    CHECK(a[i].encounters == b[i].encounters);
    CHECK(a[i].codes_reviewed == b[i].codes_reviewed);
    CHECK(a[i].errors == b[i].errors);
    CHECK(a[i].code_accuracy == b[i].code_accuracy);
    CHECK(a[i].code_interval.low == b[i].code_interval.low);
    CHECK(a[i].code_interval.high == b[i].code_interval.high);
    CHECK(a[i].claim_accuracy == b[i].claim_accuracy);
    CHECK(a[i].overturned == b[i].overturned);
    CHECK(a[i].pass == b[i].pass);
  }
}

}  // namespace

TEST_CASE("a closed audit scores as coderaudit score and rebuttal do for the same decisions") {
  // Under the built-in policy and under one chosen for the audit (as score --policy).
  const std::string policy = GENERATE(std::string(), kSamples + "policies/professional.xml");
  TempDir dir;
  const auto db = CheckedStore(dir.path / "web.db");
  Team team(db);
  const int64_t audit = NewAudit(db, team, policy);
  const std::string mine = EncounterOf(db, audit, "C04"), other = EncounterOf(db, audit, "C01");

  // C04's encounter: the auditor strikes the coder's last code.
  auto v = service::LoadAuditEncounter(db, audit, mine, team.auditor);
  REQUIRE(v.row.version == 0);
  auto rec = v.recoding;
  const auto struck = rec.lines.back();
  rec.lines.pop_back();
  rec.removed.push_back({struck.type, struck.code, "DOC", "not documented"});
  CHECK(service::SaveRecoding(db, audit, mine, 0, rec, false, team.auditor) == 1);
  CHECK(service::SaveRecoding(db, audit, mine, 1, rec, true, team.auditor) == 2);
  // C01's: an omitted code.
  auto rec2 = service::LoadAuditEncounter(db, audit, other, team.auditor).recoding;
  rec2.lines.push_back({CodeType::kDiagnosis, "Z79.4", "", "", 0, "DOC", "insulin"});
  service::SaveRecoding(db, audit, other, 0, rec2, true, team.auditor);

  // The coder sees the change with the reason, and disagrees; the manager overturns.
  const auto seen = service::LoadAuditEncounter(db, audit, mine, team.coder);
  REQUIRE(seen.changes.size() == 1);
  const auto& change = seen.changes[0];
  CHECK(change.diff.outcome == qa::Outcome::kAdded);
  CHECK(change.diff.reason == "DOC");
  CHECK(change.diff.coder_code == struck.code);
  service::AnswerChange(db, audit, mine, change.index, "disagree", "documented on page 2", team.coder);
  REQUIRE(service::ListDisputes(db, audit, team.manager).size() == 1);
  service::DecideChange(db, audit, mine, change.index, "overturned", "supported", team.manager);
  const auto closed = service::CloseAudit(db, audit, team.manager);
  CHECK(closed.scored_encounters == 2);
  CHECK(closed.left_out > 0);
  CHECK(closed.final_run_id > closed.score_run_id);

  // The CLI's way, on a store of its own: the auditor file, then a rebuttal file naming
  // the difference by its keys (no Ref).
  const auto cli = CheckedStore(dir.path / "cli.db");
  const auto auditor_csv = (dir.path / "auditor.csv").string();
  std::ofstream(auditor_csv) << service::AuditorCsv(db, audit, team.manager);
  service::ScoreOptions so;
  so.db_path = cli;
  so.auditor_path = auditor_csv;
  so.policy_path = policy;
  const auto scored = service::RunScore(so);
  CHECK(scored.policy.id == (policy.empty() ? "default" : "professional-cpt"));
  const auto rebuttal_csv = (dir.path / "rebuttal.csv").string();
  std::ofstream(rebuttal_csv)
      << "encounter_id,code_type,coder_code,outcome,rebuttal,coder_comment,decision,decision_note\n"
      << mine << "," << ToString(struck.type) << "," << struck.code
      << ",added,disagree,documented on page 2,overturned,supported\n";
  service::RebuttalOptions ro;
  ro.db_path = cli;
  ro.path = rebuttal_csv;
  const auto rebutted = service::RunRebuttal(ro);
  CHECK(rebutted.applied == 1);
  RequireSameScores(closed.scores, rebutted.score.scores);
  // Without the overturn the C04 error counts; with it, it does not.
  const auto c04 = std::find_if(closed.scores.begin(), closed.scores.end(),
                                [](const qa::CoderScore& s) { return s.coder_id == "C04"; });
  REQUIRE(c04 != closed.scores.end());
  CHECK(c04->errors == 0);
  CHECK(c04->overturned == 1);
  const auto before = std::find_if(scored.scores.begin(), scored.scores.end(),
                                   [](const qa::CoderScore& s) { return s.coder_id == "C04"; });
  CHECK(before->errors == 1);

  // Closed: read only.
  CHECK_THROWS_AS(service::SaveRecoding(db, audit, other, 1, rec2, false, team.auditor), InputError);

  // Every step is in the trail, and the chain verifies.
  std::set<std::string> actions;
  for (const auto& e : service::ShowTrail(db, 0, 0, 0)) actions.insert(e.action);
  for (const char* a : {"sample.drawn", "audit.created", "audit.recoding.saved", "audit.recoding.submitted",
                        "audit.change.answered", "audit.change.decided", "score.stored", "audit.closed"})
    CHECK(actions.count(a) == 1);
  CHECK(service::VerifyTrail(db, std::nullopt).ok);
}

TEST_CASE("an audit with a policy that is not valid is refused before anything is drawn") {
  TempDir dir;
  const auto db = CheckedStore(dir.path / "web.db");
  Team team(db);
  service::CreateAuditOptions o;
  o.title = "x";
  o.spec.n = 2;
  o.policy_text = "<scoring-policy/>";
  o.policy_file = "mine.xml";
  CHECK_THROWS_WITH(service::CreateAudit(db, o, team.manager), Catch::Contains("mine.xml"));
  CHECK(service::ListAudits(db, team.manager).empty());
  CHECK(service::ListSamples(db).empty());
}

TEST_CASE("a stale save gets a conflict naming who saved, and overwrites nothing") {
  TempDir dir;
  const auto db = CheckedStore(dir.path / "web.db");
  Team team(db);
  const int64_t audit = NewAudit(db, team);
  const std::string enc = EncounterOf(db, audit, "C01");
  const auto start = service::LoadAuditEncounter(db, audit, enc, team.auditor);
  auto first = start.recoding, second = start.recoding;
  first.lines.push_back({CodeType::kDiagnosis, "Z79.4", "", "", 0, "DOC", ""});
  second.lines.push_back({CodeType::kDiagnosis, "E66.9", "", "", 0, "DOC", ""});
  service::SaveRecoding(db, audit, enc, start.row.version, first, false, team.auditor);
  try {
    service::SaveRecoding(db, audit, enc, start.row.version, second, false, team.auditor);
    FAIL("a stale save was accepted");
  } catch (const service::ConflictError& e) {
    CHECK(std::string(e.what()).find("saved by alex") != std::string::npos);
  }
  const auto now = service::LoadAuditEncounter(db, audit, enc, team.auditor);
  CHECK(now.row.version == 1);
  CHECK(now.recoding.lines.back().code == "Z794");
  // A malformed version is refused with the code named, and nothing is stored.
  auto bad = now.recoding;
  bad.lines.push_back({CodeType::kHcpcs, "99213", "", "25;59;76;77;91", 0, "", ""});
  CHECK_THROWS_WITH(service::SaveRecoding(db, audit, enc, 1, bad, false, team.auditor),
                    Catch::Contains("code " + std::to_string(bad.lines.size())));
  CHECK(service::LoadAuditEncounter(db, audit, enc, team.auditor).row.version == 1);
}

TEST_CASE("each role does only its part of an audit") {
  TempDir dir;
  const auto db = CheckedStore(dir.path / "web.db");
  Team team(db);
  service::CreateAuditOptions o;
  o.title = "x";
  o.spec.n = 3;
  CHECK_THROWS_AS(service::CreateAudit(db, o, team.auditor), service::ForbiddenError);
  CHECK_THROWS_AS(service::CreateAudit(db, o, team.coder), service::ForbiddenError);
  const int64_t audit = NewAudit(db, team);
  const std::string enc = EncounterOf(db, audit, "C04");
  const auto copy = service::LoadAuditEncounter(db, audit, enc, team.auditor).recoding;
  // Not theirs: another auditor and the coder (before submission) do not see it.
  CHECK_THROWS_AS(service::LoadAuditEncounter(db, audit, enc, team.other_auditor), InputError);
  CHECK_THROWS_AS(service::LoadAuditEncounter(db, audit, enc, team.coder), InputError);
  CHECK_THROWS_AS(service::SaveRecoding(db, audit, enc, 0, copy, true, team.coder), service::ForbiddenError);
  CHECK_THROWS_AS(service::SaveRecoding(db, audit, enc, 0, copy, true, team.manager), service::ForbiddenError);
  CHECK_THROWS_AS(service::AssignEncounters(db, audit, {enc}, "ana", team.auditor), service::ForbiddenError);
  CHECK(service::ListAuditEncounters(db, audit, {}, team.other_auditor).total == 0);
  CHECK(service::ListAudits(db, team.coder).empty());
  service::SaveRecoding(db, audit, enc, 0, copy, true, team.auditor);
  // Submitted: the coder sees their own encounter only.
  const auto page = service::ListAuditEncounters(db, audit, {}, team.coder);
  REQUIRE(page.total == 1);
  CHECK(page.rows[0].encounter_id == enc);
  CHECK_THROWS_AS(service::LoadAuditEncounter(db, audit, EncounterOf(db, audit, "C01"), team.coder), InputError);
  CHECK_THROWS_AS(service::CloseAudit(db, audit, team.auditor), service::ForbiddenError);
  CHECK_THROWS_AS(service::DecideChange(db, audit, enc, 0, "upheld", "", team.coder), service::ForbiddenError);
}

TEST_CASE("read-only tokens read audits and change nothing of them") {
  using service::Operation;
  CHECK(service::ScopeAllows(service::TokenScope::kRead, Operation::kReadAudits));
  for (const auto op : {Operation::kManageAudits, Operation::kRecodeAudit, Operation::kAnswerAudit})
    CHECK_FALSE(service::ScopeAllows(service::TokenScope::kRead, op));
  CHECK_FALSE(service::ScopeAllows(service::TokenScope::kCheck, Operation::kReadAudits));
}

TEST_CASE("a browser session acts as its user as the store has them now") {
  TempDir dir;
  const auto db = CheckedStore(dir.path / "web.db");
  Team team(db);
  const auto alex = service::Login(db, "alex", "alex-password-1");
  const auto now = service::SessionActor(db, alex);
  REQUIRE(now);
  CHECK(now->role == service::Role::kAuditor);
  service::SetUserRole(db, "alex", service::Role::kCoder, "C09");
  CHECK(service::SessionActor(db, alex)->role == service::Role::kCoder);
  CHECK(service::SessionActor(db, alex)->coder_id == "C09");
  service::DisableUser(db, "alex");
  CHECK_FALSE(service::SessionActor(db, alex));
}

TEST_CASE("The auditor's code look-up gives validity on the date and the code's description",
          "[workflow]") {
  TempDir dir;
  const std::string ref = (dir.path / "ref").string();
  const auto imp = [&](refdata::TableKind kind, const std::string& file, const char* version,
                       const char* from, const char* to) {
    refdata::ImportTable(ref, kind, kSamples + "refdata/" + file, version, *ParseIsoDate(from),
                         ParseIsoDate(to));
  };
  imp(refdata::TableKind::kIcd10CmOrder, "icd10cm_order_fy2024_sample.txt", "FY2024",
      "2023-10-01", "2024-09-30");
  imp(refdata::TableKind::kIcd10PcsOrder, "icd10pcs_order_fy2024_sample.txt", "FY2024",
      "2023-10-01", "2024-09-30");
  const auto tables = refdata::LoadRefData(ref);
  const Date on = *ParseIsoDate("2024-03-01");

  auto v = service::CheckCodeOn(*tables, CodeType::kDiagnosis, "E11.9", on);
  CHECK(v.valid);
  CHECK(v.message == "valid on 2024-03-01 (icd10cm-order FY2024)");
  CHECK(v.description == "Sample diagnosis E119 (synthetic title)");
  // A header: known, not billable, still described, so the auditor sees what it is.
  v = service::CheckCodeOn(*tables, CodeType::kDiagnosis, "E11", on);
  CHECK_FALSE(v.valid);
  CHECK(v.description == "Sample diagnosis E11 (synthetic title)");
  v = service::CheckCodeOn(*tables, CodeType::kPcs, "0SRD0J9", on);
  CHECK(v.valid);
  CHECK(v.description == "Sample procedure 0SRD0J9 (synthetic title)");
  v = service::CheckCodeOn(*tables, CodeType::kDiagnosis, "E11A", on);  // FY2025 code
  CHECK_FALSE(v.valid);
  CHECK(v.description.empty());
  v = service::CheckCodeOn(*tables, CodeType::kHcpcs, "G0439", on);  // no HCPCS table loaded
  CHECK_FALSE(v.table_in_force);
  CHECK(v.description.empty());
}
