#include "audit/qa/rebuttal.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <unordered_map>

#include "audit/io/csv_reader.hpp"
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

RebuttalResult ApplyRebuttals(std::vector<CodeDiff>& diffs,
                              const std::vector<RebuttalEntry>& entries) {
  RebuttalResult result;
  std::unordered_map<uint32_t, size_t> by_ref;
  std::unordered_map<std::string, std::vector<size_t>> by_encounter;
  for (size_t i = 0; i < diffs.size(); ++i) {
    if (diffs[i].ref) by_ref[diffs[i].ref] = i;
    by_encounter[diffs[i].encounter_id].push_back(i);
  }
  std::vector<bool> taken(diffs.size(), false);
  for (const RebuttalEntry& e : entries) {
    result.entries++;
    auto reject = [&](std::string field, std::string reason) {
      const std::string file = e.where.empty() ? e.file : e.file + " [" + e.where + "]";
      result.rejects.push_back(Reject{file, e.line, std::move(field), std::move(reason), ""});
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
      const auto it = by_ref.find(e.ref);
      if (it == by_ref.end()) {
        reject("ref", "no difference with this ref in the run");
        continue;
      }
      if (!fits(diffs[it->second])) {
        reject("ref", "the difference with this ref has another encounter, outcome or code");
        continue;
      }
      hit = it->second;
    } else {
      if (e.encounter_id.empty() || !e.outcome) {
        reject("", "encounter_id and outcome are needed when ref is empty");
        continue;
      }
      const auto it = by_encounter.find(e.encounter_id);
      bool matched_taken = false;
      if (it != by_encounter.end())
        for (size_t i : it->second) {
          if (!fits(diffs[i])) continue;
          if (taken[i]) {
            matched_taken = true;
            continue;
          }
          hit = i;
          break;
        }
      if (!hit) {
        reject("", matched_taken ? "this difference was already given on an earlier row"
                                 : "no such difference in the run");
        continue;
      }
    }
    CodeDiff& d = diffs[*hit];
    if (!IsError(d.outcome)) {
      reject("", "a match has nothing to rebut");
      continue;
    }
    if (taken[*hit]) {
      reject("", "this difference was already given on an earlier row");
      continue;
    }
    taken[*hit] = true;
    d.rebuttal = e.rebuttal;
    d.rebuttal_comment = e.coder_comment;
    d.decision = e.decision;
    d.decision_note = e.decision_note;
    result.applied++;
  }
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

std::vector<RebuttalEntry> ReadRebuttalCsv(std::istream& in, const std::string& file,
                                           std::vector<Reject>& rejects) {
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
  std::vector<RebuttalEntry> out;
  while (reader.Next(rec)) {
    auto reject = [&](std::string field, std::string reason) {
      rejects.push_back(Reject{file, rec.line, std::move(field), std::move(reason), rec.raw});
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
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<RebuttalEntry> ReadRebuttalCsvFile(const std::string& path,
                                               std::vector<Reject>& rejects) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open rebuttal file " + path);
  return ReadRebuttalCsv(in, path, rejects);
}

}  // namespace coderaudit::qa
