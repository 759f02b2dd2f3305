#include "audit/engine/engine.hpp"

#include <cstdlib>
#include <ctime>
#include <set>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/model/hash.hpp"
#include "audit/qa/auditor_csv.hpp"
#include "audit/store/store.hpp"
#include "rules/rule_program.hpp"

#ifndef CODERAUDIT_VERSION
#define CODERAUDIT_VERSION "0.0.0"
#endif

namespace coderaudit::engine {

std::string ToolVersion() { return std::string("coderaudit ") + CODERAUDIT_VERSION; }

std::string NowIso() {
  std::time_t t = std::time(nullptr);
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    char* end = nullptr;
    const long long v = std::strtoll(sde, &end, 10);
    if (end && *end == '\0' && v >= 0) t = static_cast<std::time_t>(v);
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
reports::RunInput InputOf(const std::string& role, const std::string& path) {
  const FileDigest d = Sha256File(path);
  return reports::RunInput{role, path, d.sha256, d.bytes};
}
}  // namespace

CheckSummary RunCheck(const CheckOptions& opt) {
  // Everything that can be refused is refused before the store is touched.
  auto loaded = rules::LoadRuleFile(opt.rules_path);
  if (!loaded.rule_set)
    throw RuleSetError("rule set " + opt.rules_path + " is invalid", std::move(loaded.issues));
  auto program = rules::Compile(*loaded.rule_set);
  std::vector<reports::RunInput> inputs{InputOf("rules", opt.rules_path)};
  for (const auto& p : opt.encounter_paths) inputs.push_back(InputOf("encounters", p));

  store::Store db(opt.db_path);
  reports::RunInfo info;
  info.kind = "check";
  info.started_at = NowIso();
  info.tool_version = ToolVersion();
  info.rule_set_name = program->Name();
  info.rule_set_version = program->Version();
  info.rule_set_hash = program->Hash();
  auto writer = db.BeginRun(info);
  for (const auto& in : inputs) writer->AddInput(in);
  info.inputs = inputs;

  CheckSummary summary;
  summary.rule_count = program->RuleCount();
  Progress progress;
  std::vector<Finding> findings;
  ingest::IngestSink sink;
  sink.on_encounter = [&](Encounter&& e) {
    findings.clear();
    program->Evaluate(e, findings);
    writer->AddEncounter(e);
    for (const auto& f : findings) writer->AddFinding(f);
    if (!findings.empty()) summary.encounters_with_findings++;
    progress.findings += static_cast<int64_t>(findings.size());
    if (++progress.encounters % 1000 == 0 && opt.on_progress) opt.on_progress(progress);
  };
  sink.on_reject = [&](Reject&& r) {
    progress.rejects++;
    writer->AddReject(r);
  };
  sink.on_warning = opt.on_warning;
  for (const auto& path : opt.encounter_paths) {
    const auto c = ingest::ReadEncounterCsvFile(path, sink);
    info.records_read += c.records_read;
    info.records_processed += c.records_processed;
    info.records_rejected += c.records_rejected;
    info.encounters_read += c.encounters_read;
    info.encounters_processed += c.encounters_processed;
    info.encounters_rejected += c.encounters_rejected;
  }
  info.findings = progress.findings;
  info.finished_at = NowIso();
  info.run_id = writer->RunId();
  writer->Commit(info);
  if (opt.on_progress) opt.on_progress(progress);
  summary.run = info;
  return summary;
}

ScoreSummary RunScore(const ScoreOptions& opt) {
  if (!(opt.benchmark > 0 && opt.benchmark <= 1))
    throw InputError("benchmark must be a fraction in (0, 1], e.g. 0.95");
  auto auditor_input = InputOf("auditor", opt.auditor_path);
  store::Store db(opt.db_path);
  int64_t check_run = opt.check_run_id;
  if (check_run == 0) {
    for (const auto& r : db.ListRuns())
      if (r.kind == "check") check_run = r.run_id;
    if (check_run == 0) throw InputError("the store holds no check run to score");
  }
  auto parent = db.LoadRun(check_run);
  if (!parent || parent->kind != "check")
    throw InputError("run " + std::to_string(check_run) + " is not a check run in " + opt.db_path);

  reports::RunInfo info;
  info.kind = "score";
  info.parent_run_id = check_run;
  info.started_at = NowIso();
  info.tool_version = ToolVersion();
  info.rule_set_name = parent->rule_set_name;
  info.rule_set_version = parent->rule_set_version;
  info.rule_set_hash = parent->rule_set_hash;
  auto writer = db.BeginRun(info);
  writer->AddInput(auditor_input);
  info.inputs = {auditor_input};

  std::vector<qa::CodeDiff> all;
  qa::AuditorSink sink;
  int64_t missing_records = 0, missing_encounters = 0;
  sink.on_encounter = [&](qa::AuditedEncounter&& a) {
    auto coder = db.LoadEncounter(check_run, a.encounter_id);
    if (!coder) {
      // Not in the audited run: reject every row of it, with the reason on the first.
      missing_encounters++;
      for (const auto& l : a.lines) {
        missing_records++;
        writer->AddReject(Reject{opt.auditor_path, l.source_line, "encounter_id",
                                 l.source_line == a.source_line
                                     ? "encounter is not in check run " + std::to_string(check_run)
                                     : "encounter rejected: see line " + std::to_string(a.source_line),
                                 ""});
      }
      return;
    }
    for (auto& d : qa::DiffEncounter(*coder, a)) {
      writer->AddDiff(d);
      all.push_back(std::move(d));
    }
  };
  sink.on_reject = [&](Reject&& r) { writer->AddReject(r); };
  sink.on_warning = opt.on_warning;
  const auto c = qa::ReadAuditorCsvFile(opt.auditor_path, sink);

  ScoreSummary summary;
  summary.scores = qa::ScoreCoders(all, opt.benchmark);
  for (const auto& s : summary.scores) writer->AddScore(s);
  info.records_read = c.records_read;
  info.records_processed = c.records_processed - missing_records;
  info.records_rejected = c.records_rejected + missing_records;
  info.encounters_read = c.encounters_read;
  info.encounters_processed = c.encounters_processed - missing_encounters;
  info.encounters_rejected = c.encounters_rejected + missing_encounters;
  info.finished_at = NowIso();
  info.run_id = writer->RunId();
  writer->Commit(info, opt.benchmark);
  summary.run = info;
  return summary;
}

}  // namespace coderaudit::engine
