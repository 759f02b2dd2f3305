#include "tests/reports/sample_report.hpp"

#include <utility>

#include "audit/qa/score.hpp"

namespace coderaudit::reports::testing {
namespace {

qa::CodeDiff Diff(std::string coder, std::string encounter, qa::ItemType type, uint32_t line,
                  std::string coder_code, std::string auditor_code, qa::Outcome outcome,
                  std::string detail = "") {
  qa::CodeDiff d;
  d.encounter_id = std::move(encounter);
  d.coder_id = std::move(coder);
  d.auditor_id = "AUD1";
  d.code_type = type;
  d.line = line;
  d.coder_code = std::move(coder_code);
  d.auditor_code = std::move(auditor_code);
  d.outcome = outcome;
  d.detail = std::move(detail);
  return d;
}

runs::FindingRow MakeFinding(std::string encounter, std::string coder, std::string rule,
                       std::string message) {
  runs::FindingRow row;
  row.coder_id = std::move(coder);
  row.provider_id = "PRV-100";
  row.finding.rule_id = std::move(rule);
  row.finding.rule_version = "3";
  row.finding.category = "mce";
  row.finding.citation = "MCE v41 section 2";
  row.finding.severity = Severity::kWarning;
  row.finding.disposition = Disposition::kReview;
  row.finding.encounter_id = std::move(encounter);
  row.finding.lines = {1, 2};
  row.finding.values = {{"code", "E119"}, {"units", "2"}};
  row.finding.message = std::move(message);
  return row;
}

}  // namespace

runs::AccuracyReport SampleReport() {
  using qa::Outcome;
  constexpr qa::ItemType kDx = qa::ItemType::kDx, kPcs = qa::ItemType::kPcs,
                         kHcpcs = qa::ItemType::kHcpcs, kDrg = qa::ItemType::kDrg;
  runs::AccuracyReport r;
  r.run.run_id = 12;
  r.run.kind = "score";
  r.run.parent_run_id = 11;
  r.run.started_at = "2026-11-23T04:33:40Z";
  r.run.finished_at = "2026-11-23T04:33:42Z";
  r.run.tool_version = "0.1.0";
  r.run.rule_set_name = "national";
  r.run.rule_set_version = "2026.1";
  r.run.rule_set_hash = "ab12cd34";
  r.run.records_read = 40;
  r.run.records_processed = 39;
  r.run.records_rejected = 1;
  r.run.encounters_read = 6;
  r.run.encounters_processed = 6;
  r.run.findings = 4;
  r.run.inputs = {{"auditor", "samples/auditor.csv", "0f0e", 1234}};
  r.check_run = r.run;
  r.check_run.run_id = 11;
  r.check_run.kind = "check";
  r.check_run.parent_run_id = 0;
  r.check_run.inputs = {{"encounters", "samples/encounters.csv", "beef", 4321},
                        {"rules", "rules/packs/mce.xml", "cafe", 999}};

  const std::string c1 = "C001", c2 = "C002", c4 = "c001";
  r.diffs = {
      // C001: every outcome at least once.
      Diff(c1, "ENC-1", kDx, 1, "E11.9", "E11.9", Outcome::kMatch),
      Diff(c1, "ENC-1", kDx, 2, "I10", "", Outcome::kAdded),
      Diff(c1, "ENC-1", kDx, 0, "", "N18.3", Outcome::kOmitted),
      Diff(c1, "ENC-1", kPcs, 1, "0SRC0J9", "0SRC0J9", Outcome::kMatch),
      Diff(c1, "ENC-2", kDx, 1, "S72.001A", "S72.002A", Outcome::kRevised, "laterality"),
      Diff(c1, "ENC-2", kDx, 2, "I50.9", "E11.9", Outcome::kResequenced, "principal"),
      Diff(c1, "ENC-2", kHcpcs, 1, "27447", "27447", Outcome::kModifier, "modifiers 59 -> XS"),
      Diff(c1, "ENC-2", kHcpcs, 1, "27447", "27447", Outcome::kUnits, "units 2 -> 1"),
      Diff(c1, "ENC-3", kHcpcs, 1, "99213", "99213", Outcome::kMatch),
      // C002: clean.
      Diff(c2, "ENC-4", kDx, 1, "J18.9", "J18.9", Outcome::kMatch),
      Diff(c2, "ENC-4", kDx, 2, "R05.9", "R05.9", Outcome::kMatch),
      // C002 again: an inpatient stay with a POA error and a DRG change.
      Diff(c2, "ENC-8", kDx, 1, "I50.23", "I50.23", Outcome::kMatch),
      Diff(c2, "ENC-8", kDx, 2, "N17.9", "N17.9", Outcome::kPoa, "POA Y -> N"),
      Diff(c2, "ENC-8", kDrg, 0, "291", "293", Outcome::kDrg, "DRG 291 -> 293"),
      // The odd id: one error in two encounters.
      Diff(kOddCoderId, "ENC-5", kDx, 1, "0010", "0010", Outcome::kMatch),
      Diff(kOddCoderId, "ENC-6", kDx, 1, "K21.9", "K21.0", Outcome::kRevised, "=1+1"),
      // c001 differs from C001 only by case: Excel would see the same sheet name.
      Diff(c4, "ENC-7", kHcpcs, 1, "99214", "99214", Outcome::kMatch),
  };
  // v2 fields: refs as the store numbers them, claim types and dates for the trend, a
  // direction, money, the auditor's reason, and one rebuttal that was overturned.
  for (size_t i = 0; i < r.diffs.size(); ++i) {
    qa::CodeDiff& d = r.diffs[i];
    d.ref = static_cast<uint32_t>(i + 1);
    d.claim_type = d.encounter_id == "ENC-8" ? ClaimType::kInpatient : ClaimType::kOutpatient;
    d.service_date = DateFromCivil(2024, d.encounter_id <= "ENC-2" ? 2 : 5, 10);
    if (d.outcome == qa::Outcome::kAdded) d.direction = qa::Direction::kOver;
    if (d.outcome == qa::Outcome::kOmitted) d.direction = qa::Direction::kUnder;
    if (d.outcome == qa::Outcome::kPoa) d.direction = qa::Direction::kOver;
    if (d.outcome == qa::Outcome::kUnits) {
      d.direction = qa::Direction::kOver;
      d.amount_cents = 12550;
      d.reason = "UNITS";
      d.comment = "one injection documented";
    }
    if (d.outcome == qa::Outcome::kDrg) {
      d.direction = qa::Direction::kOver;
      d.amount_cents = 412345;
    }
  }
  r.diffs[1].reason = "DOC";
  r.diffs[1].rebuttal = qa::Rebuttal::kDisagree;
  r.diffs[1].rebuttal_comment = "documented in the H&P";
  r.diffs[1].decision = qa::Decision::kOverturned;
  r.diffs[1].decision_note = "H&P supports I10";
  r.coders = qa::ScoreCoders(r.diffs, r.policy, r.benchmark);
  r.auditors = qa::ReviewAuditors(r.diffs, r.policy);
  qa::ScoreBook trend(qa::Period::kQuarter);
  trend.Add(r.diffs, r.policy);
  r.trend = trend.Finish(r.policy, r.benchmark);
  r.trend_period = "quarter";
  r.trend_runs = {12};
  r.scoring.policy_id = r.policy.id;
  r.scoring.policy_version = r.policy.version;

  std::string control = "tab\there, bell\x01, CRLF\r\nend, literal _x0041_";
  std::string invalid = "bad \xC3\x28 byte \xFF end";
  r.findings = {
      MakeFinding("ENC-1", c1, "MCE-DUP", "=HYPERLINK(\"http://example.invalid\",\"x\")"),
      MakeFinding("ENC-2", c1, "MCE-AGE", control),
      MakeFinding("ENC-5", kOddCoderId, "MCE-SEX", invalid),
      MakeFinding("ENC-6", kOddCoderId, "MCE-LONG", std::string(40000, 'A')),
  };
  return r;
}

}  // namespace coderaudit::reports::testing
