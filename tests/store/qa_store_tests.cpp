// Coder QA v2 in the store: frozen policies, audited encounters, every diff field, the
// new score measures, and version-1 stores migrating in place.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "audit/model/error.hpp"
#include "audit/store/store.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
using test::TempDir;

namespace {
runs::RunInfo Run(const char* kind, int64_t parent) {
  runs::RunInfo i;
  i.kind = kind;
  i.parent_run_id = parent;
  i.started_at = "2026-01-02T03:04:05Z";
  i.finished_at = "2026-01-02T03:04:06Z";
  i.tool_version = "test";
  return i;
}

int64_t StoreCheckRun(store::Store& s) {
  Encounter e;
  e.id = "IP-1";
  e.patient_id = "P1";
  e.sex = Sex::kFemale;
  e.from_date = *ParseIsoDate("2024-03-01");
  e.through_date = *ParseIsoDate("2024-03-04");
  e.claim_type = ClaimType::kInpatient;
  e.provider_id = "NPI";
  e.coder_id = "C01";
  e.drg = "291";
  auto w = s.BeginRun(Run("check", 0));
  w->AddEncounter(e);
  w->Commit(Run("check", 0));
  return w->RunId();
}
}  // namespace

TEST_CASE("A score run round-trips its frozen policy, audited encounters and every v2 field",
          "[store][qa]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  const int64_t check = StoreCheckRun(s);
  auto w = s.BeginRun(Run("score", check));
  runs::ScoringInfo scoring;
  scoring.origin = "rebuttal";
  scoring.source_run_id = 7;
  scoring.policy_id = "inpatient-drg";
  scoring.policy_version = "2025.1";
  scoring.policy_sha256 = "abc";
  scoring.policy_text = "<scoring-policy/>\n";
  scoring.benchmark_override = 0.9;
  scoring.base_rate = 6000;
  scoring.drg_weights_sha256 = "w";
  w->SetScoring(scoring);
  qa::EncounterAudit a;
  a.encounter_id = "IP-1";
  a.coder_id = "C01";
  a.auditor_id = "A01";
  a.coder_drg = "291";
  a.auditor_drg = "293";
  a.coder_weight = 1.3371;
  a.auditor_weight = 0.6409;
  a.method = qa::PaymentMethod::kDrg;
  a.payment_diff_cents = 417720;
  w->AddEncounterAudit(a);
  qa::CodeDiff d;
  d.encounter_id = "IP-1";
  d.coder_id = "C01";
  d.auditor_id = "A01";
  d.code_type = qa::ItemType::kDrg;
  d.coder_code = "291";
  d.auditor_code = "293";
  d.outcome = qa::Outcome::kDrg;
  d.detail = "DRG 291 -> 293";
  d.principal = true;
  d.direction = qa::Direction::kOver;
  d.amount_cents = 417720;
  d.reason = "SEQ";
  d.comment = "HF, \"per H&P\"";
  d.rebuttal = qa::Rebuttal::kDisagree;
  d.rebuttal_comment = "follows the principal";
  d.decision = qa::Decision::kOverturned;
  d.decision_note = "agreed";
  CHECK(w->AddDiff(d) == 1);
  qa::CoderScore sc;
  sc.coder_id = "C01";
  sc.encounters = 1;
  sc.codes_reviewed = 4;
  sc.matches = 3;
  sc.errors = 1;
  sc.weighted_errors = 2;
  sc.by_outcome[static_cast<size_t>(qa::Outcome::kPoa)] = 1;
  sc.drg_encounters = 1;
  sc.drg_changes = 1;
  sc.drg_interval = {0.0, 0.975};
  sc.over_coded = 1;
  sc.overpayment_cents = 417720;
  sc.underpayment_cents = 5;
  sc.rebutted = 1;
  sc.overturned = 1;
  sc.by_type[static_cast<size_t>(qa::ItemType::kDx)] = {4, 3, 1, 2, 0.6};
  w->AddScore(sc);
  auto info = Run("score", check);
  w->Commit(info, 0.9);
  const int64_t run = w->RunId();

  const auto back = s.LoadScoring(run);
  CHECK(back.origin == "rebuttal");
  CHECK(back.source_run_id == 7);
  CHECK(back.policy_text == "<scoring-policy/>\n");
  CHECK(back.benchmark_override == 0.9);
  CHECK(back.base_rate == 6000);
  const auto audits = s.LoadEncounterAudits(run);
  REQUIRE(audits.size() == 1);
  CHECK(audits[0].auditor_drg == "293");
  CHECK(audits[0].method == qa::PaymentMethod::kDrg);
  CHECK(audits[0].payment_diff_cents == 417720);
  CHECK(audits[0].claim_type == ClaimType::kInpatient);  // from the check run
  const auto diffs = s.LoadDiffs(run);
  REQUIRE(diffs.size() == 1);
  const auto& r = diffs[0];
  CHECK(r.ref == 1);
  CHECK(r.code_type == qa::ItemType::kDrg);
  CHECK(r.outcome == qa::Outcome::kDrg);
  CHECK(r.principal);
  CHECK(r.direction == qa::Direction::kOver);
  CHECK(r.amount_cents == 417720);
  CHECK(r.comment == "HF, \"per H&P\"");
  CHECK(r.rebuttal == qa::Rebuttal::kDisagree);
  CHECK(r.decision == qa::Decision::kOverturned);
  CHECK(r.decision_note == "agreed");
  CHECK(r.claim_type == ClaimType::kInpatient);
  CHECK(ToIso(*r.service_date) == "2024-03-04");
  const auto scores = s.LoadScores(run);
  REQUIRE(scores.size() == 1);
  CHECK(scores[0].weighted_errors == 2);
  CHECK(scores[0].by_outcome[static_cast<size_t>(qa::Outcome::kPoa)] == 1);
  CHECK(scores[0].drg_interval.high == 0.975);
  CHECK(scores[0].underpayment_cents == 5);
  CHECK(scores[0].overturned == 1);
  CHECK(scores[0].by_type[static_cast<size_t>(qa::ItemType::kDx)].accuracy == 0.6);
  CHECK(scores[0].by_type[static_cast<size_t>(qa::ItemType::kPcs)].positions == 0);
  const auto report = s.LoadAccuracyReport(run);
  CHECK(report.scoring.policy_id == "inpatient-drg");
  CHECK(report.encounters.size() == 1);
  CHECK(report.benchmark == 0.9);
}

TEST_CASE("A score run that fails part-way leaves no policy, rows or scores behind", "[store][qa]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  const int64_t check = StoreCheckRun(s);
  try {
    auto w = s.BeginRun(Run("score", check));
    w->SetScoring(runs::ScoringInfo{});
    qa::CodeDiff d;
    d.encounter_id = "IP-1";
    w->AddDiff(d);
    throw std::runtime_error("auditor file vanished");
  } catch (const std::runtime_error&) {
  }
  CHECK(s.ListRuns().size() == 1);
  CHECK(s.LoadDiffs(check + 1).empty());
  CHECK(s.LoadScoring(check + 1).policy_text.empty());
}

TEST_CASE("A version-1 store migrates in place and its score runs still read back",
          "[store][qa][sqlite-only]") {
  TempDir dir;
  const auto path = (dir.path / "v1.db").string();
  {
    // A store as version 1 wrote it: schema 0001 only, one check and one score run.
    std::ifstream in(std::string(CODERAUDIT_SOURCE_DIR) + "/schemas/migrations/0001_init.sql");
    const std::string v1{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const std::string sql =
        v1 +
        "INSERT INTO schema_migrations VALUES (1, '2025-01-01');"
        "INSERT INTO runs (run_id, kind, parent_run_id, started_at, finished_at, tool_version,"
        " records_read, records_processed, records_rejected, encounters_read,"
        " encounters_processed, encounters_rejected, findings, benchmark) VALUES"
        " (1, 'check', 0, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'v1', 0,0,0,0,0,0,0,0),"
        " (2, 'score', 1, '2025-01-02T00:00:00Z', '2025-01-02T00:00:00Z', 'v1', 0,0,0,0,0,0,0,0.95);"
        "INSERT INTO qa_diffs VALUES (2, 1, 'E1', 'C01', 'A01', 'DX', 1, 'I10', '', 'added', '');"
        "INSERT INTO qa_scores VALUES (2, 'C01', 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0.0, 0.0,"
        " 0.975, 0.0, 0.0, 0.975, 0.95, 0);";
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  store::Store s(path);
  CHECK(s.ListRuns().size() == 2);
  const auto scoring = s.LoadScoring(2);
  CHECK(scoring.origin == "auditor");
  CHECK(scoring.policy_text.empty());  // the built-in default applies
  const auto scores = s.LoadScores(2);
  REQUIRE(scores.size() == 1);
  CHECK(scores[0].weighted_errors == 1);  // set from errors by migration 0002
  CHECK(scores[0].drg_encounters == 0);
  const auto diffs = s.LoadDiffs(2);
  REQUIRE(diffs.size() == 1);
  CHECK(diffs[0].direction == qa::Direction::kNeutral);
  CHECK(diffs[0].ref == 1);
  CHECK(diffs[0].rebuttal == qa::Rebuttal::kNone);
  // A second open finds nothing left to migrate.
  store::Store again(path);
  CHECK(again.LoadScores(2).size() == 1);
}
