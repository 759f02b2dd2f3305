#include "audit/service/service.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "audit/service/check_pipeline.hpp"
#include "audit/ingest/any_format.hpp"
#include "audit/model/hash.hpp"
#include "audit/model/id_set.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/qa/auditor_csv.hpp"
#include "audit/qa/payment.hpp"
#include "audit/qa/rebuttal.hpp"
#include "audit/service/trail.hpp"
#include "audit/store/store.hpp"
#include "reports/xlsx/rebuttal_reader.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"

#ifndef CODERAUDIT_VERSION
#define CODERAUDIT_VERSION "0.0.0"
#endif

namespace coderaudit::service {

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

// Ends a replay of the ids read so far (SeenIds) once it has them all.
struct ReplayDone {};
// Inputs are read more than once (their SHA-256 is recorded, and `check` may read again
// for repeated ids): a pipe, a device or a process substitution would be consumed by the
// first read. Refused before anything opens it (opening a FIFO would wait for a writer).
void RequireRegularFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return;  // "cannot read" comes from the open
  if (!std::filesystem::is_regular_file(status))
    throw InputError(path + " is not a regular file (a pipe, device or process substitution): "
                     "inputs are read more than once (their SHA-256 is recorded); save it to a file first");
}

// An input as its reader read it: `d` is the digest of exactly the bytes the reader
// consumed (io::HashedFile under every *File reader), never of a separate read.
runs::RunInput InputOf(const std::string& role, const std::string& path, const FileDigest& d) {
  return runs::RunInput{role, path, d.sha256, d.bytes};
}

qa::ScoringPolicy LoadPolicy(const std::string& path, std::optional<runs::RunInput>& input) {
  RequireRegularFile(path);
  FileDigest d;
  qa::ScoringPolicy policy = qa::LoadPolicyFile(path, &d);
  input = InputOf("policy", path, d);
  return policy;
}

}  // namespace

namespace {

// A stored run's trail event, appended in the run's transaction just before it commits:
// what was stored, from which inputs, under which rules and policy, with its counts.
void RecordRun(store::RunWriter& writer, const Actor& actor, const std::string& action,
               const runs::RunInfo& info, const std::string& scoring_json = "") {
  std::string inputs = "[";
  for (const auto& in : info.inputs)
    inputs += (inputs.size() > 1 ? "," : "") +
              JsonObject().Str("role", in.role).Str("path", in.path).Str("sha256", in.sha256).Text();
  inputs += "]";
  JsonObject after;
  after.Str("kind", info.kind).Int("run_id", writer.RunId()).Int("parent_run_id", info.parent_run_id);
  after.Str("rule_set_hash", info.rule_set_hash).Int("records_read", info.records_read);
  after.Int("records_rejected", info.records_rejected).Int("encounters_processed", info.encounters_processed);
  after.Int("findings", info.findings).Int("claims_not_checked", info.claims_not_checked);
  after.Raw("inputs", inputs);
  if (!scoring_json.empty()) after.Raw("scoring", scoring_json);
  const int64_t engagement = info.kind == "check" ? writer.RunId() : info.parent_run_id;
  store::AppendEvent(writer.Owner(), MakeEvent(actor, action, "run:" + std::to_string(writer.RunId()),
                                               engagement, "{}", after.Text()));
}

}  // namespace

CheckSummary RunCheck(const CheckOptions& opt) {
  Authorize(opt.actor, Operation::kCheckClaims);
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  // Everything that can be refused is refused before the store is touched.
  const auto format = ingest::ParseInputFormat(opt.format);
  if (!format) throw InputError("unknown input format '" + opt.format + "' (auto, csv, x12, fhir, json)");
  // The same file named twice (however spelled) would be read twice: a usage mistake.
  for (size_t i = 0; i < opt.encounter_paths.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      std::error_code ec;
      if (opt.encounter_paths[i] == opt.encounter_paths[j] ||
          std::filesystem::equivalent(opt.encounter_paths[i], opt.encounter_paths[j], ec))
        throw UsageError("input " + opt.encounter_paths[i] + " is given twice (as " +
                         opt.encounter_paths[j] + "); name each file once");
    }
  if (!opt.bodies.empty() && !opt.mapping_path.empty())
    throw InputError("a column mapping applies to CSV files, not to request bodies");
  // Every input, in order: the files, then the bodies. Each file's SHA-256 is of the bytes
  // its readers consumed (hashed as they read, ingest::ReadEncountersFile); the first read's
  // is recorded, and a second read (replaying ids, taking back repeated encounters) must
  // find the same bytes, or the run fails before anything is committed.
  std::vector<std::optional<FileDigest>> first_read(opt.encounter_paths.size());
  std::atomic<int64_t> bytes_read{0};  // first reads only: the progress line's numerator
  std::vector<std::pair<size_t, FileDigest>> later_reads;
  std::optional<ingest::CsvMapping> mapping;  // loaded once, below: every read uses it
  auto read_inputs = [&](const ingest::IngestSink& sink, const std::function<bool()>& enough,
                         const std::function<void(const ingest::IngestCounts&)>& counted) {
    for (size_t i = 0; i < opt.encounter_paths.size(); ++i) {
      if (enough && enough()) return;
      FileDigest digest;
      auto note = [&] {
        if (digest.sha256.empty()) return;
        if (counted) first_read[i] = digest;  // the first read counts what it reads
        else later_reads.emplace_back(i, digest);
      };
      ingest::IngestCounts c;
      try {
        c = ingest::ReadEncountersFile(opt.encounter_paths[i], *format, sink,
                                       mapping ? &*mapping : nullptr, &digest,
                                       counted ? &bytes_read : nullptr);
      } catch (...) {
        note();
        throw;
      }
      note();
      if (counted) counted(c);
    }
    for (const auto& body : opt.bodies) {
      if (enough && enough()) return;
      const auto c = ingest::ReadEncountersText(body.text, *format, sink, body.name);
      if (counted) counted(c);
    }
  };
  int64_t bytes_total = 0;
  for (const auto& p : opt.encounter_paths) {
    RequireRegularFile(p);
    if (!std::ifstream(p, std::ios::binary)) throw InputError("cannot read " + p);
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    if (!ec) bytes_total += static_cast<int64_t>(size);
  }
  const std::shared_ptr<const CompiledRules> compiled =
      opt.compiled ? opt.compiled : CompileRules(opt.rules_path, opt.refdata_dir);
  const auto& program = compiled->program;
  std::vector<runs::RunInput> inputs = compiled->inputs;
  // The encounter files' digests join the list after the files are read (below).
  const size_t encounter_inputs_at = inputs.size();
  std::optional<runs::RunInput> mapping_input;
  if (!opt.mapping_path.empty()) {
    RequireRegularFile(opt.mapping_path);
    FileDigest d;
    mapping = ingest::LoadCsvMapping(opt.mapping_path, &d);
    mapping_input = InputOf("mapping", opt.mapping_path, d);
  }

  // Edits across claims (practitioner PTP pairs split between claims) read a history of
  // the run's claims, kept on disk, plus the stored runs named for it.
  std::unique_ptr<store::ClaimHistoryFile> history;
  if (program->ReadsClaimHistory()) {
    history = std::make_unique<store::ClaimHistoryFile>();
    for (const int64_t run : opt.history_runs) history->AddStoredRun(opt.db_path, run);
  } else if (!opt.history_runs.empty()) {
    throw InputError("--history-run: no rule of " + program->Name() +
                     " reads claims across claims (e.g. the ncci-ptp pack's NCCI-PTP-XCLAIM rules)");
  }
  runs::RunInfo info;
  info.kind = "check";
  info.started_at = NowIso();
  info.tool_version = ToolVersion();
  info.rule_set_name = program->Name();
  info.rule_set_version = program->Version();
  info.rule_set_hash = program->Hash();
  // A worker's claimed partition comes with its writer; otherwise a run of its own.
  std::unique_ptr<store::Store> db;
  std::unique_ptr<store::RunWriter> own_writer;
  store::RunWriter* writer = opt.partition_writer;
  if (!writer) {
    db = std::make_unique<store::Store>(opt.db_path);
    own_writer = db->BeginRun(info);
    writer = own_writer.get();
  }

  CheckSummary summary;
  summary.rule_count = program->RuleCount();
  // Progress is reported by the store stage (on the store thread when there is one).
  auto progress_of = [&bytes_read, bytes_total](const PipelineTotals& t) {
    Progress p;
    p.bytes_read = bytes_read.load(std::memory_order_relaxed);
    p.bytes_total = bytes_total;
    p.encounters = t.encounters;
    p.findings = t.findings;
    p.rejects = t.rejects;
    return p;
  };
  CheckPipeline pipeline(*program, *writer, opt.store == CheckOptions::StoreMode::kAll,
                         opt.threads, seconds, [&](const PipelineTotals& t) {
                           if (opt.on_progress) opt.on_progress(progress_of(t));
                         }, history.get());
  summary.setup_seconds = seconds();
  // A bad row rejects its whole encounter, wherever the encounter's rows are: an encounter
  // id that occurs more than once in a run (rows that reappear after the encounter ended,
  // a repeated X12 claim, another file, a copy a reader rejected) is audited in no copy.
  // Later copies are rejected as they arrive; a first copy already stored is taken back
  // from the run (same transaction) once the input has ended, and its rows become rejects
  // by a second read of the inputs, which happens only when there are such ids. Ids in
  // increasing order need no memory; the first one out of order re-reads the occurrences
  // delivered so far (the same readers give them in the same order). The ids taken back
  // are held in a set of their own (small: bad input only).
  int64_t occurrences = 0;
  auto replay_sink = [&](int64_t& left, const SeenIds::Add& add) {
    ingest::IngestSink ids;
    ids.on_encounter = [&, add](Encounter&& e) {
      if (left-- == 0) throw ReplayDone{};
      add(e.id);
    };
    ids.on_encounter_rejected = [&, add](std::string_view id) {
      if (left-- == 0) throw ReplayDone{};
      add(id);
    };
    return ids;
  };
  SeenIds seen_ids([&](const SeenIds::Add& add) {
    int64_t left = occurrences;
    const ingest::IngestSink ids = replay_sink(left, add);
    try {
      read_inputs(ids, [&] { return left <= 0; }, nullptr);
    } catch (const ReplayDone&) {
    }
  });
  IdSet repeated;                          // ids seen more than once
  std::vector<std::string> repeated_list;  // the same, in order of discovery
  auto note_repeat = [&](std::string_view id) {
    if (repeated.Insert(id)) repeated_list.emplace_back(id);
  };
  int64_t duplicate_records = 0, duplicate_encounters = 0;
  auto reject_copy = [&](const Encounter& e, const std::string& reason,
                         const std::function<void(Reject&&)>& add) {
    duplicate_encounters++;
    duplicate_records += e.source_records;
    std::set<uint32_t> lines{e.source_line};
    if (e.source_records > 1)
      for (const auto& l : e.lines) lines.insert(l.source_line);
    for (uint32_t line : lines)
      add(Reject{e.source_file, line, "encounter_id",
                                line == e.source_line ? reason
                                                      : "encounter rejected: see line " + std::to_string(e.source_line),
                                ""});
  };
  // Evaluate and store, always on this thread and in input order.
  auto on_encounter = [&](Encounter&& e) {
    if (opt.on_encounter_read) opt.on_encounter_read(e);
    const bool fresh = seen_ids.Insert(e.id);
    occurrences++;
    if (!fresh) {
      note_repeat(e.id);
      return reject_copy(e, "encounter id already read earlier in this run; no copy of it is audited",
                         [&](Reject&& r) { pipeline.AddReject(std::move(r)); });
    }
    pipeline.AddEncounter(e);
  };
  auto on_encounter_rejected = [&](std::string_view id) {
    const bool fresh = seen_ids.Insert(id);
    occurrences++;
    if (!fresh) note_repeat(id);
  };
  auto on_reject = [&](Reject&& r) {
    pipeline.AddReject(std::move(r));
  };
  auto read_all = [&](const ingest::IngestSink& sink) {
    read_inputs(sink, nullptr, [&](const ingest::IngestCounts& c) {
      info.records_read += c.records_read;
      info.records_processed += c.records_processed;
      info.records_rejected += c.records_rejected;
      info.encounters_read += c.encounters_read;
      info.encounters_processed += c.encounters_processed;
      info.encounters_rejected += c.encounters_rejected;
    });
  };

  ingest::IngestSink sink;
  sink.on_encounter = on_encounter;
  sink.on_reject = on_reject;
  sink.on_encounter_rejected = on_encounter_rejected;
  sink.on_warning = opt.on_warning;
  read_all(sink);
  const PipelineTotals& totals = pipeline.Finish();
  int64_t findings_taken_back = 0, with_findings_taken_back = 0;
  store::RunWriter::Retracted retracted;
  if (!repeated_list.empty()) {
    // The first copy of a repeated id was stored when it was still the only one: take it
    // back, and reject its rows (found again by re-reading; only the first occurrence of
    // each repeated id in input order was stored, and only when the reader delivered it).
    retracted = writer->RetractEncounters(repeated_list);
    findings_taken_back = retracted.findings;
    with_findings_taken_back = retracted.encounters_with_findings;
    IdSet occurred;
    ingest::IngestSink again;
    again.on_encounter = [&](Encounter&& e) {
      if (!repeated.Contains(e.id) || !occurred.Insert(e.id)) return;
      reject_copy(e, "encounter id occurs again later in this run (see the rejects there); no copy of it is audited",
                  [&](Reject&& r) { writer->AddReject(r); });
    };
    again.on_encounter_rejected = [&](std::string_view id) {
      if (repeated.Contains(id)) occurred.Insert(id);
    };
    read_inputs(again, nullptr, nullptr);
  }
  // Every later read of a file found the bytes its first read did.
  for (const auto& [i, digest] : later_reads)
    if (!first_read[i] || !(digest == *first_read[i]))
      throw InputError(opt.encounter_paths[i] + " changed while it was being checked; nothing stored");
  std::vector<runs::RunInput> encounter_inputs;
  for (size_t i = 0; i < opt.encounter_paths.size(); ++i)
    encounter_inputs.push_back({"encounters", opt.encounter_paths[i], first_read[i]->sha256,
                                first_read[i]->bytes});
  for (const auto& body : opt.bodies)
    encounter_inputs.push_back({"encounters", body.name, Sha256Hex(body.text),
                                static_cast<int64_t>(body.text.size())});
  inputs.insert(inputs.begin() + static_cast<std::ptrdiff_t>(encounter_inputs_at),
                encounter_inputs.begin(), encounter_inputs.end());
  if (mapping_input) inputs.push_back(*mapping_input);
  for (const auto& in : inputs) writer->AddInput(in);
  info.inputs = inputs;
  summary.encounters_with_findings = totals.encounters_with_findings - with_findings_taken_back;
  summary.first_finding_seconds = totals.first_finding_seconds;
  info.records_processed -= duplicate_records;
  info.records_rejected += duplicate_records;
  info.encounters_processed -= duplicate_encounters;
  info.encounters_rejected += duplicate_encounters;
  info.findings = totals.findings - findings_taken_back;
  info.claims_not_checked = totals.claims_not_checked - retracted.claims_not_checked;
  for (auto [rule, count] : totals.not_checked) {
    if (const auto it = retracted.not_checked_by_rule.find(rule); it != retracted.not_checked_by_rule.end())
      count.claims -= it->second;
    if (count.claims > 0) info.not_checked.push_back(count);
  }
  if (opt.require_coverage && info.claims_not_checked > 0) {
    // The writer is dropped uncommitted: the run rolls back and nothing is stored.
    std::string rules;
    for (const auto& c : info.not_checked) rules += "\n  " + Describe(c);
    throw InputError("--require-coverage: " + std::to_string(info.claims_not_checked) +
                     " claims not checked (no reference table version in force on their "
                     "date); nothing stored. Not checked, per rule:" + rules);
  }
  info.finished_at = NowIso();
  info.run_id = writer->RunId();
  RecordRun(*writer, opt.actor, "run.stored", info);
  writer->Commit(info);
  if (opt.on_progress) opt.on_progress(progress_of(totals));
  summary.run = info;
  summary.total_seconds = seconds();
  return summary;
}

namespace {

int64_t LatestRunOfKind(store::Store& db, const std::string& kind) {
  int64_t id = 0;
  for (const auto& r : db.ListRuns())
    if (r.kind == kind) id = r.run_id;
  return id;
}

runs::RunInfo RequireScoreRun(store::Store& db, int64_t run_id, const std::string& db_path) {
  auto run = db.LoadRun(run_id);
  if (!run || run->kind != "score")
    throw InputError("run " + std::to_string(run_id) + " is not a score run in " + db_path);
  return *run;
}

// The policy a stored run was scored with (the built-in default for version-1 runs).
qa::ScoringPolicy StoredPolicy(const runs::ScoringInfo& scoring) {
  return scoring.policy_text.empty() ? qa::DefaultPolicy()
                                     : qa::PolicyFromStoredText(scoring.policy_text);
}

double EffectiveBenchmark(const qa::ScoringPolicy& policy, double override_value) {
  return override_value > 0 ? override_value : policy.benchmark;
}

void CheckBenchmark(double benchmark) {
  if (benchmark != 0 && !(benchmark > 0 && benchmark <= 1))
    throw InputError("benchmark must be a fraction in (0, 1], e.g. 0.95");
}

runs::ScoringInfo ScoringOf(const qa::ScoringPolicy& policy, std::string origin,
                               int64_t source_run_id, double benchmark_override) {
  runs::ScoringInfo s;
  s.origin = std::move(origin);
  s.source_run_id = source_run_id;
  s.policy_id = policy.id;
  s.policy_version = policy.version;
  s.policy_sha256 = policy.sha256;
  s.policy_text = policy.text;
  s.benchmark_override = benchmark_override;
  return s;
}

// A new score run holding `diffs` (refs renumbered) and `audits`, scored under `policy`.
// Stores a score run's rows through a writer already begun (rejects may be in it already)
// and commits it.
ScoreSummary FinishScoredCopy(const Actor& actor, std::unique_ptr<store::RunWriter> writer,
                              runs::RunInfo info,
                              const runs::ScoringInfo& scoring, const qa::ScoringPolicy& policy,
                              std::vector<qa::CodeDiff> diffs,
                              std::vector<qa::EncounterAudit> audits,
                              const std::vector<Reject>& rejects) {
  for (const auto& in : info.inputs) writer->AddInput(in);
  writer->SetScoring(scoring);
  for (auto& d : diffs) d.ref = writer->AddDiff(d);
  // The encounter's payment difference follows the rows that still stand.
  std::map<std::string, int64_t> payment;
  for (const auto& d : diffs)
    if (!qa::Overturned(d)) payment[d.encounter_id] += d.amount_cents;
  for (auto& a : audits) {
    a.payment_diff_cents = payment[a.encounter_id];
    writer->AddEncounterAudit(a);
  }
  for (const auto& r : rejects) writer->AddReject(r);
  ScoreSummary summary;
  const double benchmark = EffectiveBenchmark(policy, scoring.benchmark_override);
  summary.scores = qa::ScoreCoders(diffs, policy, benchmark);
  for (const auto& s : summary.scores) writer->AddScore(s);
  info.started_at = info.started_at.empty() ? NowIso() : info.started_at;
  info.finished_at = NowIso();
  info.run_id = writer->RunId();
  int64_t rebutted = 0, decided = 0;
  for (const auto& d : diffs) {
    rebutted += d.rebuttal != qa::Rebuttal::kNone;
    decided += d.decision != qa::Decision::kNone;
  }
  RecordRun(*writer, actor, scoring.origin == "rebuttal" ? "rebuttal.stored" : "score.stored", info,
            JsonObject().Str("origin", scoring.origin).Int("source_run_id", scoring.source_run_id)
                .Str("policy_sha256", scoring.policy_sha256).Int("rows", static_cast<int64_t>(diffs.size()))
                .Int("rebutted", rebutted).Int("decided", decided).Text());
  writer->Commit(info, benchmark);
  summary.run = info;
  summary.scoring = scoring;
  summary.policy = policy;
  return summary;
}

ScoreSummary StoreScoredCopy(const Actor& actor, store::Store& db, runs::RunInfo info,
                             const runs::ScoringInfo& scoring, const qa::ScoringPolicy& policy,
                             std::vector<qa::CodeDiff> diffs,
                             std::vector<qa::EncounterAudit> audits,
                             const std::vector<Reject>& rejects) {
  auto writer = db.BeginRun(info);
  return FinishScoredCopy(actor, std::move(writer), std::move(info), scoring, policy, std::move(diffs),
                          std::move(audits), rejects);
}

// A run lists each (role, path) once: re-scoring or rebutting again with the same file
// replaces the inherited entry with the file as it is now.
void PutInput(std::vector<runs::RunInput>& inputs, runs::RunInput input) {
  std::erase_if(inputs, [&](const runs::RunInput& i) {
    return i.role == input.role && i.path == input.path;
  });
  inputs.push_back(std::move(input));
}

runs::RunInfo NewScoreRunInfo(const runs::RunInfo& check) {
  runs::RunInfo info;
  info.kind = "score";
  info.parent_run_id = check.run_id;
  info.started_at = NowIso();
  info.tool_version = ToolVersion();
  info.rule_set_name = check.rule_set_name;
  info.rule_set_version = check.rule_set_version;
  info.rule_set_hash = check.rule_set_hash;
  return info;
}

ScoreSummary Rescore(const ScoreOptions& opt) {
  store::Store db(opt.db_path);
  const runs::RunInfo source = RequireScoreRun(db, opt.rescore_run_id, opt.db_path);
  const runs::ScoringInfo old = db.LoadScoring(source.run_id);
  const bool new_policy = !opt.policy_path.empty();
  std::optional<runs::RunInput> policy_input;
  const qa::ScoringPolicy policy =
      new_policy ? LoadPolicy(opt.policy_path, policy_input) : StoredPolicy(old);
  auto parent = db.LoadRun(source.parent_run_id);
  if (!parent) throw InputError("the check run of score run " + std::to_string(source.run_id) + " is gone");
  runs::RunInfo info = NewScoreRunInfo(*parent);
  // The rows are the source run's, so its input counts and files still describe them.
  info.records_read = source.records_read;
  info.records_processed = source.records_processed;
  info.records_rejected = source.records_rejected;
  info.encounters_read = source.encounters_read;
  info.encounters_processed = source.encounters_processed;
  info.encounters_rejected = source.encounters_rejected;
  info.inputs = source.inputs;
  if (policy_input) PutInput(info.inputs, *policy_input);
  // A frozen policy keeps its benchmark override unless a new one is asked for.
  const double bench = opt.benchmark > 0 ? opt.benchmark : new_policy ? 0 : old.benchmark_override;
  runs::ScoringInfo scoring = ScoringOf(policy, "rescore", source.run_id, bench);
  scoring.base_rate = old.base_rate;
  scoring.drg_weights_sha256 = old.drg_weights_sha256;
  scoring.cc_mcc_sha256 = old.cc_mcc_sha256;
  auto summary = StoreScoredCopy(opt.actor, db, info, scoring, policy, db.LoadDiffs(source.run_id),
                                 db.LoadEncounterAudits(source.run_id), {});
  return summary;
}

}  // namespace

ScoreSummary RunScore(const ScoreOptions& opt) {
  Authorize(opt.actor, Operation::kScore);
  CheckBenchmark(opt.benchmark);
  if (opt.rescore_run_id != 0) return Rescore(opt);
  if (opt.auditor_path.empty()) throw InputError("score needs an auditor file or a run to re-score");
  // Everything that can be refused is refused before the store is touched.
  RequireRegularFile(opt.auditor_path);
  std::optional<runs::RunInput> policy_input;
  const qa::ScoringPolicy policy =
      opt.policy_path.empty() ? qa::DefaultPolicy() : LoadPolicy(opt.policy_path, policy_input);
  qa::PaymentContext payment;
  // The auditor file's entry goes first once it has been read (it streams into the run).
  std::vector<runs::RunInput> inputs;
  if (policy_input) inputs.push_back(*policy_input);
  runs::ScoringInfo scoring = ScoringOf(policy, "auditor", 0, opt.benchmark);
  if (!opt.payment.drg_weights_path.empty()) {
    if (!(opt.payment.base_rate > 0))
      throw InputError("--drg-weights needs --base-rate (dollars per 1.0 of DRG weight)");
    RequireRegularFile(opt.payment.drg_weights_path);
    FileDigest d;
    payment.SetDrgWeights(qa::ReadDrgWeightsFile(opt.payment.drg_weights_path, &d),
                          opt.payment.base_rate);
    inputs.push_back(InputOf("drg-weights", opt.payment.drg_weights_path, d));
    scoring.base_rate = opt.payment.base_rate;
    scoring.drg_weights_sha256 = inputs.back().sha256;
  } else if (opt.payment.base_rate != 0) {
    throw InputError("--base-rate needs --drg-weights");
  }
  if (!opt.payment.cc_mcc_path.empty()) {
    RequireRegularFile(opt.payment.cc_mcc_path);
    FileDigest d;
    payment.SetSeverity(qa::ReadSeverityFile(opt.payment.cc_mcc_path, &d));
    inputs.push_back(InputOf("cc-mcc", opt.payment.cc_mcc_path, d));
    scoring.cc_mcc_sha256 = inputs.back().sha256;
  }

  store::Store db(opt.db_path);
  int64_t check_run = opt.check_run_id;
  if (check_run == 0) {
    check_run = LatestRunOfKind(db, "check");
    if (check_run == 0) throw InputError("the store holds no check run to score");
  }
  auto parent = db.LoadRun(check_run);
  if (!parent || parent->kind != "check")
    throw InputError("run " + std::to_string(check_run) + " is not a check run in " + opt.db_path);
  // Reference charges for codes the coder did not bill (omitted, revised): the audited
  // run's own usual charge per unit in the same claim setting.
  db.ForEachUnitCharge(check_run, [&](ClaimType type, const Code& code, int64_t cents, int64_t n) {
    payment.Charges().AddCount(type, code, cents, n);
  });

  runs::RunInfo info = NewScoreRunInfo(*parent);
  // The auditor file, policy, DRG weights and CC/MCC levels, as check runs record theirs:
  // a score run can be traced to the exact bytes it was scored from.
  info.inputs = inputs;
  auto writer = db.BeginRun(info);
  for (const auto& in : info.inputs) writer->AddInput(in);
  writer->SetScoring(scoring);

  // Scored encounter by encounter as the rows are stored: nothing holds the whole run.
  qa::ScoreBook book;
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
      for (const auto& r : a.removed) {
        missing_records++;
        writer->AddReject(Reject{opt.auditor_path, r.source_line, "encounter_id",
                                 "encounter rejected: see line " + std::to_string(a.source_line), ""});
      }
      return;
    }
    auto result = qa::AuditEncounter(*coder, a, &payment);
    for (const auto& r : a.removed) {
      const bool used = std::any_of(result.rows.begin(), result.rows.end(), [&](const qa::CodeDiff& d) {
        return d.outcome == qa::Outcome::kAdded && d.code_type == qa::ItemOf(r.type) &&
               d.coder_code == r.code.Str();
      });
      if (!used && opt.on_warning)
        opt.on_warning(opt.auditor_path + ":" + std::to_string(r.source_line) +
                       ": removed code is not a code the coder reported and the auditor "
                       "left out; its reason is not used");
    }
    writer->AddEncounterAudit(result.audit);
    for (auto& d : result.rows) d.ref = writer->AddDiff(d);
    book.Add(result.rows, policy);
  };
  sink.on_reject = [&](Reject&& r) { writer->AddReject(r); };
  sink.on_warning = opt.on_warning;
  FileDigest auditor_digest;
  const auto c = qa::ReadAuditorCsvFile(opt.auditor_path, sink, &auditor_digest);
  info.inputs.insert(info.inputs.begin(), InputOf("auditor", opt.auditor_path, auditor_digest));
  writer->AddInput(info.inputs.front());

  ScoreSummary summary;
  const double benchmark = EffectiveBenchmark(policy, opt.benchmark);
  summary.scores = book.Finish(policy, benchmark);
  for (const auto& s : summary.scores) writer->AddScore(s);
  info.records_read = c.records_read;
  info.records_processed = c.records_processed - missing_records;
  info.records_rejected = c.records_rejected + missing_records;
  info.encounters_read = c.encounters_read;
  info.encounters_processed = c.encounters_processed - missing_encounters;
  info.encounters_rejected = c.encounters_rejected + missing_encounters;
  info.finished_at = NowIso();
  info.run_id = writer->RunId();
  RecordRun(*writer, opt.actor, "score.stored", info,
            JsonObject().Str("origin", scoring.origin).Int("source_run_id", 0)
                .Str("policy_sha256", scoring.policy_sha256).Text());
  writer->Commit(info, benchmark);
  summary.run = info;
  summary.scoring = scoring;
  summary.policy = policy;
  return summary;
}

RebuttalSummary RunRebuttal(const RebuttalOptions& opt) {
  Authorize(opt.actor, Operation::kRebuttal);
  if (opt.path.empty()) throw InputError("rebuttal needs a workbook (.xlsx) or CSV file");
  const bool xlsx = opt.path.size() >= 5 && (opt.path.ends_with(".xlsx") || opt.path.ends_with(".XLSX"));
  RequireRegularFile(opt.path);
  if (!xlsx && !std::ifstream(opt.path, std::ios::binary))
    throw InputError("cannot open rebuttal file " + opt.path);
  std::optional<runs::RunInput> policy_input;
  std::optional<qa::ScoringPolicy> new_policy;
  if (!opt.policy_path.empty()) new_policy = LoadPolicy(opt.policy_path, policy_input);

  store::Store db(opt.db_path);
  int64_t run_id = opt.score_run_id;
  // A workbook says which run it shows (its Run sheet): the rebuttals are that run's,
  // whatever was scored since.
  const std::optional<int64_t> workbook_run =
      xlsx ? reports::ReadWorkbookRunId(opt.path) : std::nullopt;
  if (workbook_run && run_id != 0 && run_id != *workbook_run)
    throw InputError(opt.path + " is the workbook of score run " + std::to_string(*workbook_run) +
                     ", not of run " + std::to_string(run_id) + " (--run): leave --run out");
  if (run_id == 0 && workbook_run) run_id = *workbook_run;
  if (run_id == 0) {
    run_id = LatestRunOfKind(db, "score");
    if (run_id == 0) throw InputError("the store holds no score run");
  }
  const runs::RunInfo source = RequireScoreRun(db, run_id, opt.db_path);
  const runs::ScoringInfo old = db.LoadScoring(source.run_id);
  const qa::ScoringPolicy policy = new_policy ? *new_policy : StoredPolicy(old);
  std::vector<qa::CodeDiff> diffs = db.LoadDiffs(source.run_id);
  auto parent = db.LoadRun(source.parent_run_id);
  if (!parent) throw InputError("the check run of score run " + std::to_string(source.run_id) + " is gone");
  runs::RunInfo info = NewScoreRunInfo(*parent);
  info.inputs = source.inputs;
  if (policy_input) PutInput(info.inputs, *policy_input);

  // The file streams through: each entry is applied to the diffs as it is read, each
  // reject goes into the open run (dropped uncommitted if the run fails), and only the
  // first kListedRejects are kept for the summary (read rejects first, then the entries
  // that matched nothing, as they are listed). Memory does not grow with the file.
  auto writer = db.BeginRun(info);
  qa::RebuttalApplier applier(diffs);
  int64_t parse_rejects = 0, apply_rejects = 0, entries = 0;
  std::vector<Reject> parse_listed, apply_listed;
  auto keep = [](std::vector<Reject>& list, const Reject& r) {
    if (list.size() < RebuttalSummary::kListedRejects) list.push_back(r);
  };
  qa::RebuttalSink sink;
  sink.on_reject = [&](Reject&& r) {
    parse_rejects++;
    keep(parse_listed, r);
    writer->AddReject(r);
  };
  sink.on_entry = [&](qa::RebuttalEntry&& e) {
    entries++;
    applier.Apply(e, [&](Reject&& r) {
      apply_rejects++;
      keep(apply_listed, r);
      writer->AddReject(r);
    });
  };
  FileDigest rebuttal_digest;
  if (xlsx) reports::ReadRebuttalWorkbook(opt.path, sink, &rebuttal_digest);
  else qa::ReadRebuttalCsvFile(opt.path, sink, &rebuttal_digest);
  PutInput(info.inputs, InputOf("rebuttal", opt.path, rebuttal_digest));
  std::vector<Reject> rejects = std::move(parse_listed);
  for (auto& r : apply_listed)
    if (rejects.size() < RebuttalSummary::kListedRejects) rejects.push_back(std::move(r));
  const int64_t rejected = parse_rejects + apply_rejects;
  if (applier.Applied() == 0)
    throw InputError("nothing in " + opt.path + " applies to score run " +
                     std::to_string(source.run_id) + " (" + std::to_string(rejected) +
                     " rows rejected" +
                     (rejects.empty() ? "" : "; first: " + rejects.front().file + ":" +
                                                 std::to_string(rejects.front().line) + ": " +
                                                 rejects.front().reason) +
                     ")");
  // The rebuttal file is this run's input: rows read = used + rejected.
  info.records_read = entries + parse_rejects;
  info.records_processed = applier.Applied();
  info.records_rejected = rejected;
  std::set<std::string> encounters;
  for (const auto& d : diffs) encounters.insert(d.encounter_id);
  info.encounters_read = info.encounters_processed = static_cast<int64_t>(encounters.size());
  runs::ScoringInfo scoring =
      ScoringOf(policy, "rebuttal", source.run_id, new_policy ? 0 : old.benchmark_override);
  scoring.base_rate = old.base_rate;
  scoring.drg_weights_sha256 = old.drg_weights_sha256;
  scoring.cc_mcc_sha256 = old.cc_mcc_sha256;

  RebuttalSummary summary;
  summary.auditors = qa::ReviewAuditors(diffs, policy);
  summary.score = FinishScoredCopy(opt.actor, std::move(writer), info, scoring, policy, std::move(diffs),
                                   db.LoadEncounterAudits(source.run_id), {});
  summary.entries = applier.Entries();
  summary.applied = applier.Applied();
  summary.rejected = rejected;
  summary.rejects = std::move(rejects);
  return summary;
}

AgreementSummary RunAgreement(const AgreementOptions& opt) {
  Authorize(opt.actor, Operation::kReadScores);
  AgreementSummary summary;
  std::vector<qa::CodeDiff> sides[2];
  if (!opt.score_runs.empty()) {
    if (opt.score_runs.size() != 2 || !opt.auditor_paths.empty())
      throw InputError("agreement compares exactly two score runs or two auditor files");
    store::Store db(opt.db_path);
    int64_t check = 0;
    for (size_t i = 0; i < 2; ++i) {
      const auto run = RequireScoreRun(db, opt.score_runs[i], opt.db_path);
      if (i == 1 && run.parent_run_id != check)
        throw InputError("score runs " + std::to_string(opt.score_runs[0]) + " and " +
                         std::to_string(opt.score_runs[1]) + " audit different check runs");
      check = run.parent_run_id;
      sides[i] = db.LoadDiffs(run.run_id);
    }
    summary.check_run_id = check;
    summary.label_a = "run " + std::to_string(opt.score_runs[0]);
    summary.label_b = "run " + std::to_string(opt.score_runs[1]);
  } else {
    if (opt.auditor_paths.size() != 2)
      throw InputError("agreement compares exactly two score runs or two auditor files");
    store::Store db(opt.db_path);
    int64_t check_run = opt.check_run_id ? opt.check_run_id : LatestRunOfKind(db, "check");
    auto parent = db.LoadRun(check_run);
    if (!parent || parent->kind != "check")
      throw InputError("run " + std::to_string(check_run) + " is not a check run in " + opt.db_path);
    summary.check_run_id = check_run;
    for (size_t i = 0; i < 2; ++i) {
      int64_t& rejected = i == 0 ? summary.rejected_a : summary.rejected_b;
      qa::AuditorSink sink;
      sink.on_encounter = [&](qa::AuditedEncounter&& a) {
        auto coder = db.LoadEncounter(check_run, a.encounter_id);
        if (!coder) {
          rejected += static_cast<int64_t>(a.lines.size() + a.removed.size());
          return;
        }
        for (auto& d : qa::DiffEncounter(*coder, a)) sides[i].push_back(std::move(d));
      };
      sink.on_reject = [&](Reject&&) { rejected++; };
      sink.on_warning = opt.on_warning;
      qa::ReadAuditorCsvFile(opt.auditor_paths[i], sink);
    }
    summary.label_a = opt.auditor_paths[0];
    summary.label_b = opt.auditor_paths[1];
  }
  summary.agreement = qa::CompareAuditors(sides[0], sides[1]);
  return summary;
}

runs::AccuracyReport LoadReport(const std::string& db_path, int64_t run_id,
                                   const ReportOptions& options, const Actor& actor) {
  Authorize(actor, Operation::kReadScores);
  store::Store db(db_path);
  runs::AccuracyReport report = db.LoadAccuracyReport(run_id);
  if (actor.OwnRowsOnly()) {
    // A coder's own scores, rows and claims only; no trend over other coders.
    const std::string& me = actor.coder_id;
    std::erase_if(report.coders, [&](const qa::CoderScore& c) { return c.coder_id != me; });
    std::erase_if(report.diffs, [&](const qa::CodeDiff& d) { return d.coder_id != me; });
    std::erase_if(report.encounters, [&](const qa::EncounterAudit& a) { return a.coder_id != me; });
    std::erase_if(report.findings, [&](const runs::FindingRow& f) { return f.coder_id != me; });
    report.auditors = qa::ReviewAuditors(report.diffs, StoredPolicy(report.scoring));
    report.policy = StoredPolicy(report.scoring);
    return report;
  }
  report.policy = StoredPolicy(report.scoring);
  report.auditors = qa::ReviewAuditors(report.diffs, report.policy);
  if (!options.trend) return report;
  // One run per audit: score runs descend from an auditor-origin run through re-scores
  // and rebuttals (a tree: a run may be re-scored and rebutted separately). For the
  // rendered run's audit the rendered run is used; for every other audit its latest run
  // up to this one. Later runs never change how an earlier run renders.
  std::map<int64_t, int64_t> source_of;  // score run -> the run it was derived from
  for (const auto& r : db.ListRuns())
    if (r.kind == "score" && r.run_id <= run_id)
      source_of[r.run_id] = db.LoadScoring(r.run_id).source_run_id;
  auto root_of = [&](int64_t id) {
    for (int guard = 0; guard < 10000; ++guard) {
      const auto it = source_of.find(id);
      if (it == source_of.end() || it->second == 0) return id;
      id = it->second;
    }
    return id;
  };
  std::map<int64_t, int64_t> latest;  // audit (root run) -> run used
  for (const auto& [id, source] : source_of) latest[root_of(id)] = id;  // ascending ids
  latest[root_of(run_id)] = run_id;
  std::set<int64_t> chosen;
  for (const auto& [root, id] : latest) chosen.insert(id);
  qa::ScoreBook book(options.period);
  for (int64_t id : chosen) {
    report.trend_runs.push_back(id);
    if (id == run_id) {
      book.Add(report.diffs, report.policy);
    } else {
      book.Add(db.LoadDiffs(id), StoredPolicy(db.LoadScoring(id)));
    }
  }
  report.trend_period = options.period == qa::Period::kMonth ? "month" : "quarter";
  report.trend = book.Finish(report.policy, report.benchmark);
  return report;
}

}  // namespace coderaudit::service
