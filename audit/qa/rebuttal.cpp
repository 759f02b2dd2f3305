#include "audit/qa/rebuttal.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <unordered_map>

#include "audit/io/csv_reader.hpp"
#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::qa {

std::string NormalCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '.' || c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

RebuttalApplier::RebuttalApplier(std::vector<CodeDiff>& diffs)
    : diffs_(diffs), taken_(diffs.size(), false) {
  for (size_t i = 0; i < diffs.size(); ++i) {
    if (diffs[i].ref) by_ref_[diffs[i].ref] = i;
    by_encounter_[diffs[i].encounter_id].push_back(i);
  }
}

void RebuttalApplier::Apply(const RebuttalEntry& e, const std::function<void(Reject&&)>& on_reject) {
  entries_++;
  auto reject = [&](std::string field, std::string reason) {
    const std::string file = e.where.empty() ? e.file : e.file + " [" + e.where + "]";
    on_reject(Reject{file, e.line, std::move(field), std::move(reason), ""});
  };
  std::optional<size_t> hit;
  auto fits = [&](const CodeDiff& d) {
    return (e.encounter_id.empty() || d.encounter_id == e.encounter_id) &&
           (!e.outcome || d.outcome == *e.outcome) &&
           (!e.code_type || d.code_type == *e.code_type) &&
           (!e.code_line || d.line == *e.code_line) &&
           (e.coder_code.empty() || NormalCode(d.coder_code) == e.coder_code) &&
           (e.auditor_code.empty() || NormalCode(d.auditor_code) == e.auditor_code);
  };
  if (e.ref) {
    const auto it = by_ref_.find(e.ref);
    if (it == by_ref_.end()) return reject("ref", "no difference with this ref in the run");
    if (!fits(diffs_[it->second]))
      return reject("ref", "the difference with this ref has another encounter, outcome or code");
    hit = it->second;
  } else {
    if (e.encounter_id.empty() || !e.outcome)
      return reject("", "encounter_id and outcome are needed when ref is empty");
    const auto it = by_encounter_.find(e.encounter_id);
    bool matched_taken = false;
    if (it != by_encounter_.end())
      for (size_t i : it->second) {
        if (!fits(diffs_[i])) continue;
        if (taken_[i]) {
          matched_taken = true;
          continue;
        }
        hit = i;
        break;
      }
    if (!hit)
      return reject("", matched_taken ? "this difference was already given on an earlier row"
                                      : "no such difference in the run");
  }
  CodeDiff& d = diffs_[*hit];
  if (!IsError(d.outcome)) return reject("", "a match has nothing to rebut");
  if (taken_[*hit]) return reject("", "this difference was already given on an earlier row");
  taken_[*hit] = true;
  d.rebuttal = e.rebuttal;
  d.rebuttal_comment = e.coder_comment;
  d.decision = e.decision;
  d.decision_note = e.decision_note;
  applied_++;
}

RebuttalResult ApplyRebuttals(std::vector<CodeDiff>& diffs,
                              const std::vector<RebuttalEntry>& entries) {
  RebuttalResult result;
  RebuttalApplier applier(diffs);
  for (const RebuttalEntry& e : entries)
    applier.Apply(e, [&](Reject&& r) { result.rejects.push_back(std::move(r)); });
  result.entries = applier.Entries();
  result.applied = applier.Applied();
  return result;
}

namespace {
enum Col : size_t {
  kRef, kEncounterId, kCodeType, kLine, kCoderCode, kAuditorCode, kOutcome, kRebuttal,
  kCoderComment, kDecision, kDecisionNote, kColCount
};
constexpr std::array<std::string_view, kColCount> kNames = {
    "ref",       "encounter_id", "code_type",     "line",     "coder_code",   "auditor_code",
    "outcome",   "rebuttal",     "coder_comment", "decision", "decision_note"};
constexpr size_t kMaxText = 2000;
}  // namespace

void ReadRebuttalCsv(std::istream& in, const std::string& file, const RebuttalSink& sink) {
  io::CsvReader reader(in);
  io::CsvRecord rec;
  if (!reader.Next(rec) || !rec.error.empty())
    throw InputError(file + ": missing or unreadable header row");
  std::array<int, kColCount> index;
  index.fill(-1);
  for (size_t i = 0; i < rec.fields.size(); ++i)
    for (size_t c = 0; c < kColCount; ++c)
      if (rec.fields[i] == kNames[c]) index[c] = static_cast<int>(i);
  if (index[kRef] < 0 && (index[kEncounterId] < 0 || index[kOutcome] < 0))
    throw InputError(file + ":1: needs a 'ref' column or 'encounter_id' and 'outcome' "
                            "(see schemas/rebuttal-csv.md)");
  if (index[kRebuttal] < 0 && index[kDecision] < 0)
    throw InputError(file + ":1: needs a 'rebuttal' or 'decision' column "
                            "(see schemas/rebuttal-csv.md)");
  const size_t width = rec.fields.size();
  while (reader.Next(rec)) {
    auto reject = [&](std::string field, std::string reason) {
      sink.on_reject(Reject{file, rec.line, std::move(field), std::move(reason), rec.raw});
    };
    if (!rec.error.empty()) { reject("", rec.error); continue; }
    if (rec.fields.size() != width) {
      reject("", "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                     std::to_string(width));
      continue;
    }
    auto f = [&](Col c) {
      return index[c] < 0 ? std::string_view() : std::string_view(rec.fields[static_cast<size_t>(index[c])]);
    };
    RebuttalEntry e;
    e.file = file;
    e.line = rec.line;
    if (!f(kRef).empty()) {
      auto [p, ec] = std::from_chars(f(kRef).data(), f(kRef).data() + f(kRef).size(), e.ref);
      if (ec != std::errc() || p != f(kRef).data() + f(kRef).size() || e.ref == 0) {
        reject("ref", "must be a whole number >= 1");
        continue;
      }
    }
    e.encounter_id = std::string(f(kEncounterId));
    if (!f(kCodeType).empty()) {
      e.code_type = ParseItemType(f(kCodeType));
      if (!e.code_type) { reject("code_type", "must be DX, PCS, HCPCS or DRG"); continue; }
    }
    if (!f(kLine).empty()) {
      uint32_t v = 0;
      auto [p, ec] = std::from_chars(f(kLine).data(), f(kLine).data() + f(kLine).size(), v);
      if (ec != std::errc() || p != f(kLine).data() + f(kLine).size()) {
        reject("line", "must be a whole number");
        continue;
      }
      e.code_line = v;
    }
    e.coder_code = NormalCode(f(kCoderCode));
    e.auditor_code = NormalCode(f(kAuditorCode));
    if (!f(kOutcome).empty()) {
      e.outcome = ParseOutcome(f(kOutcome));
      if (!e.outcome || *e.outcome == Outcome::kMatch) { reject("outcome", "must be a difference outcome (added, omitted, ...)"); continue; }
    }
    const auto rebuttal = ParseRebuttal(f(kRebuttal));
    if (!rebuttal) { reject("rebuttal", "must be agree, disagree or empty"); continue; }
    const auto decision = ParseDecision(f(kDecision));
    if (!decision) { reject("decision", "must be upheld, overturned or empty"); continue; }
    e.rebuttal = *rebuttal;
    e.decision = *decision;
    if (f(kCoderComment).size() > kMaxText || f(kDecisionNote).size() > kMaxText) {
      reject("", "comments are at most 2000 characters");
      continue;
    }
    e.coder_comment = std::string(f(kCoderComment));
    e.decision_note = std::string(f(kDecisionNote));
    if (e.rebuttal == Rebuttal::kNone && e.decision == Decision::kNone &&
        e.coder_comment.empty() && e.decision_note.empty())
      continue;  // nothing said about this row
    sink.on_entry(std::move(e));
  }
}

void ReadRebuttalCsvFile(const std::string& path, const RebuttalSink& sink, FileDigest* digest) {
  io::HashedFile file(path, "rebuttal file");
  ReadRebuttalCsv(file.Stream(), path, sink);
  const FileDigest read = file.Finish();
  if (digest) *digest = read;
}

std::vector<RebuttalEntry> ReadRebuttalCsv(std::istream& in, const std::string& file,
                                           std::vector<Reject>& rejects) {
  std::vector<RebuttalEntry> out;
  ReadRebuttalCsv(in, file, {[&](RebuttalEntry&& e) { out.push_back(std::move(e)); },
                             [&](Reject&& r) { rejects.push_back(std::move(r)); }});
  return out;
}

std::vector<RebuttalEntry> ReadRebuttalCsvFile(const std::string& path,
                                               std::vector<Reject>& rejects) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open rebuttal file " + path);
  return ReadRebuttalCsv(in, path, rejects);
}

}  // namespace coderaudit::qa
