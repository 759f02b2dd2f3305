#include "audit/service/workers.hpp"

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <sstream>
#include <thread>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/service/compiled_rules.hpp"
#include "audit/store/dialect.hpp"
#include "audit/store/store.hpp"
#include "rules/rule_program.hpp"

namespace coderaudit::service {

namespace {

// A CSV record: where it starts, and its encounter id.
struct Record {
  size_t begin = 0, line = 0;
  std::string id;
};

// The records of a CSV text after its header (quoted fields may hold commas and newlines),
// with the value of column `id_column`; `header_end` is the first record's offset.
std::vector<Record> Records(const std::string& text, size_t header_end, size_t id_column,
                            size_t first_line) {
  std::vector<Record> out;
  size_t i = header_end, line = first_line;
  while (i < text.size()) {
    Record r;
    r.begin = i;
    r.line = line;
    size_t column = 0;
    bool quoted = false;
    std::string field;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',' || c == '\n') {
        if (column == id_column) r.id = field;
        field.clear();
        ++column;
        if (c == '\n') {
          ++i;
          ++line;
          break;
        }
      } else if (c != '\r') {
        field += c;
      }
    }
    if (column == id_column) r.id = field;  // the last record without a newline
    out.push_back(std::move(r));
  }
  return out;
}

// Splits `path` into about `parts` plans; returns the encounter ids it holds.
std::set<std::string> Split(const std::string& path, int parts, std::vector<store::PartitionPlan>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const size_t header_end = text.find('\n');
  if (header_end == std::string::npos) throw InputError(path + ": no header line");
  std::vector<std::string> names;
  {
    std::string h = text.substr(0, header_end);
    if (!h.empty() && h.back() == '\r') h.pop_back();
    std::stringstream cols(h);
    std::string c;
    while (std::getline(cols, c, ',')) names.push_back(c);
  }
  size_t id_column = names.size();
  for (size_t k = 0; k < names.size(); ++k)
    if (names[k] == "encounter_id") id_column = k;
  if (id_column == names.size())
    throw InputError(path + ":1: no encounter_id column: --partitions splits encounter CSV "
                     "files (schemas/encounters-csv.md)");
  const std::string header = text.substr(0, header_end + 1);
  const auto records = Records(text, header_end + 1, id_column, 2);
  // A cut before record r is allowed when no id occurs both before and from r on.
  std::map<std::string, size_t> last;
  for (size_t r = 0; r < records.size(); ++r) last[records[r].id] = r;
  std::vector<bool> cut_ok(records.size() + 1, false);
  size_t reach = 0;  // the furthest last occurrence of the ids before r
  for (size_t r = 0; r < records.size(); ++r) {
    cut_ok[r] = r > 0 && reach < r;
    reach = std::max(reach, last[records[r].id]);
  }
  std::vector<size_t> cuts{0};
  for (int k = 1; k < parts; ++k) {
    const size_t target = header_end + 1 + (text.size() - header_end - 1) * static_cast<size_t>(k) /
                                               static_cast<size_t>(parts);
    size_t r = cuts.back() + 1;
    while (r < records.size() && (records[r].begin < target || !cut_ok[r])) ++r;
    if (r >= records.size()) break;
    cuts.push_back(r);
  }
  cuts.push_back(records.size());
  for (size_t k = 0; k + 1 < cuts.size(); ++k) {
    if (cuts[k] == cuts[k + 1]) continue;
    const size_t from = records[cuts[k]].begin;
    const size_t to = cuts[k + 1] < records.size() ? records[cuts[k + 1]].begin : text.size();
    out.push_back({path, static_cast<int64_t>(records[cuts[k]].line), header + text.substr(from, to - from)});
  }
  if (records.empty()) out.push_back({path, 2, header});  // counted as read, like check does
  std::set<std::string> ids;
  for (auto& [id, at] : last) ids.insert(id);
  return ids;
}

}  // namespace

PartitionedRun CreatePartitionedRun(const PartitionOptions& opt) {
  // Checked before anything is read or a SQLite file is created.
  if (!store::IsPostgresUrl(opt.db_path))
    throw UsageError("a run in partitions needs a PostgreSQL store (--db postgresql://...): "
                     "its workers share it");
  if (opt.partitions < 1) throw UsageError("--partitions must be at least 1");
  if (opt.encounter_paths.empty()) throw UsageError("name at least one encounter file");
  const auto compiled = CompileRules(opt.rules_path, opt.refdata_dir);
  // A partition sees only its own claims: an edit across claims would miss pairs split
  // between partitions, and the run would differ from a single-process run.
  if (compiled->program->ReadsClaimHistory())
    throw UsageError("rule set " + compiled->program->Name() + " has edits across claims (they "
                     "read every earlier claim of the batch): check it without --partitions");
  runs::RunInfo info;
  info.kind = "check";
  info.started_at = info.finished_at = NowIso();
  info.tool_version = ToolVersion();
  info.rule_set_name = compiled->program->Name();
  info.rule_set_version = compiled->program->Version();
  info.rule_set_hash = compiled->program->Hash();
  info.inputs = compiled->inputs;
  int64_t total = 0;
  for (const auto& p : opt.encounter_paths) {
    const FileDigest d = Sha256File(p);
    info.inputs.push_back({"encounters", p, d.sha256, d.bytes});
    total += d.bytes;
  }
  std::vector<store::PartitionPlan> plans;
  std::map<std::string, size_t> file_of_id;
  for (size_t i = 0; i < opt.encounter_paths.size(); ++i) {
    const int64_t bytes = info.inputs[compiled->inputs.size() + i].bytes;
    const int share = total > 0 ? static_cast<int>((opt.partitions * bytes + total - 1) / total) : 1;
    for (const auto& id : Split(opt.encounter_paths[i], std::max(1, share), plans)) {
      // A run audits no copy of a repeated id; copies in two files would be in two
      // partitions, checked apart.
      const auto [it, fresh] = file_of_id.emplace(id, i);
      if (!fresh)
        throw InputError("encounter id '" + id + "' is in both " + opt.encounter_paths[it->second] +
                         " and " + opt.encounter_paths[i] +
                         ": check these files without --partitions (no copy of a repeated id is audited)");
    }
  }
  // The bytes stored are the bytes hashed: a file changed in between fails the run here.
  for (size_t i = 0; i < opt.encounter_paths.size(); ++i)
    if (!(Sha256File(opt.encounter_paths[i]).sha256 == info.inputs[compiled->inputs.size() + i].sha256))
      throw InputError(opt.encounter_paths[i] + " changed while it was being split; nothing stored");
  store::CheckJob job{opt.rules_path, opt.refdata_dir,
                      opt.store == CheckOptions::StoreMode::kAll ? "all" : "findings"};
  store::Store db(opt.db_path);
  PartitionedRun out;
  out.run_id = db.CreatePartitionedRun(info, job, plans);
  out.partitions = static_cast<int>(plans.size());
  out.rule_set_hash = info.rule_set_hash;
  return out;
}

int64_t RunWorker(const WorkerOptions& opt) {
  if (!store::IsPostgresUrl(opt.db_path))
    throw UsageError("workers need a PostgreSQL store (--db postgresql://...)");
  store::Store db(opt.db_path);
  std::map<int64_t, std::shared_ptr<const CompiledRules>> rules_of_job;
  int64_t stored = 0;
  auto say = [&](const std::string& line) {
    if (opt.on_event) opt.on_event(line);
  };
  for (;;) {
    auto claim = db.ClaimPartition(opt.name);
    if (!claim) {
      if (opt.until_done && db.PendingPartitions() == 0) return stored;
      std::this_thread::sleep_for(std::chrono::duration<double>(opt.poll_seconds));
      continue;
    }
    auto& rules = rules_of_job[claim->job_id];
    if (!rules) {
      rules = CompileRules(claim->job.rules_path, claim->job.refdata_dir);
      if (rules->program->Hash() != claim->rule_set_hash)
        throw SystemError("worker: the rules at " + claim->job.rules_path + " (sha256 " +
                          rules->program->Hash().substr(0, 12) + ") are not the rules run " +
                          std::to_string(claim->run_id) + " was created with (sha256 " +
                          claim->rule_set_hash.substr(0, 12) + ")");
    }
    CheckOptions check;
    check.compiled = rules;
    check.format = "csv";
    check.bodies = {{claim->plan.input_name, std::move(claim->plan.body)}};
    check.store = claim->job.store_mode == "findings" ? CheckOptions::StoreMode::kFindings
                                                      : CheckOptions::StoreMode::kAll;
    check.threads = 1;
    check.partition_writer = claim->writer.get();
    check.on_encounter_read = opt.on_encounter_read;
    const auto summary = RunCheck(check);
    ++stored;
    say("run " + std::to_string(claim->run_id) + " partition " + std::to_string(claim->seq) + "/" +
        std::to_string(claim->partitions) + ": records " + std::to_string(summary.run.records_read) +
        ", findings " + std::to_string(summary.run.findings));
    if (db.LoadRun(claim->run_id)) say("run " + std::to_string(claim->run_id) + " complete");
  }
}

}  // namespace coderaudit::service
