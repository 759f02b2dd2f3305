#include "audit/qa/auditor_csv.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "audit/io/csv_reader.hpp"
#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::qa {

namespace {

enum Col : size_t {
  kEncounterId, kAuditorId, kCodeType, kSeq, kCode, kPoa, kModifiers, kUnits, kServiceDate,
  kDrg, kReason, kComment, kRemoved, kColCount
};
constexpr std::array<std::string_view, kColCount> kNames = {
    "encounter_id", "auditor_id", "code_type", "seq",    "code",    "poa",     "modifiers",
    "units",        "service_date", "drg",     "reason", "comment", "removed"};
// v2 added drg, reason, comment and removed as optional columns: v1 files stay valid.
constexpr std::array<bool, kColCount> kRequired = {true,  true,  true,  true,  true,
                                                   false, false, false, false, false,
                                                   false, false, false};
constexpr size_t kMaxReason = 16;
constexpr size_t kMaxComment = 2000;

bool ValidReason(std::string_view r) {
  if (r.empty() || r.size() > kMaxReason) return false;
  for (char c : r)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

struct Pending {
  AuditedEncounter enc;
  std::vector<std::pair<uint32_t, std::string>> rows;
  std::optional<Reject> error;
};

// The ids whose rows appear in more than one block (an encounter listed twice). Reads the
// encounter_id column only; the caller rewinds the stream.
std::set<std::string> RepeatedIds(std::istream& in) {
  std::set<std::string> seen, repeated;
  io::CsvReader reader(in);
  io::CsvRecord rec;
  if (!reader.Next(rec) || !rec.error.empty()) return repeated;
  int column = -1;
  for (size_t i = 0; i < rec.fields.size(); ++i)
    if (rec.fields[i] == kNames[kEncounterId]) column = static_cast<int>(i);
  if (column < 0) return repeated;
  std::string previous;
  while (reader.Next(rec)) {
    if (!rec.error.empty() || rec.fields.size() <= static_cast<size_t>(column)) continue;
    const std::string& id = rec.fields[static_cast<size_t>(column)];
    if (id.empty() || id == previous) continue;
    previous = id;
    if (!seen.insert(id).second) repeated.insert(id);
  }
  return repeated;
}

}  // namespace

ingest::IngestCounts ReadAuditorCsv(std::istream& in, const std::string& file,
                                    const AuditorSink& sink) {
  // An encounter listed twice is scored in neither copy, so the reader must know before
  // it delivers the first copy: a first pass reads the ids (the file is an audit sample;
  // `seen` below holds its ids anyway). A stream that cannot seek back is read into
  // memory first.
  const std::istream::pos_type start = in.tellg();
  if (start == std::istream::pos_type(-1)) {
    std::ostringstream all;
    all << in.rdbuf();
    std::istringstream copy(std::move(all).str());
    return ReadAuditorCsv(copy, file, sink);
  }
  const std::set<std::string> repeated = RepeatedIds(in);
  in.clear();
  in.seekg(start);
  if (!in) throw InputError(file + ": cannot read the auditor file a second time");
  ingest::IngestCounts counts;
  io::CsvReader reader(in);
  io::CsvRecord rec;
  if (!reader.Next(rec) || !rec.error.empty())
    throw InputError(file + ": missing or unreadable header row");
  std::array<int, kColCount> index;
  index.fill(-1);
  for (size_t i = 0; i < rec.fields.size(); ++i)
    for (size_t c = 0; c < kColCount; ++c)
      if (rec.fields[i] == kNames[c]) index[c] = static_cast<int>(i);
  for (size_t c = 0; c < kColCount; ++c)
    if (index[c] == -1 && kRequired[c])
      throw InputError(file + ":1: required column '" + std::string(kNames[c]) +
                       "' is missing (see schemas/auditor-csv.md)");
  const size_t width = rec.fields.size();

  std::optional<Pending> cur;
  std::set<std::string> seen;
  auto reject = [&](uint32_t line, std::string field, std::string reason, std::string raw) {
    counts.records_rejected++;
    if (sink.on_reject) sink.on_reject(Reject{file, line, std::move(field), std::move(reason), std::move(raw)});
  };
  auto close = [&] {
    if (!cur) return;
    counts.encounters_read++;
    // As in the coder's file: diagnoses start with the principal (seq 1).
    if (!cur->error) {
      const CodedLine* first_dx = nullptr;
      bool principal = false;
      for (const CodedLine& l : cur->enc.lines) {
        if (l.type != CodeType::kDiagnosis) continue;
        if (!first_dx) first_dx = &l;
        principal |= l.seq == 1;
      }
      if (first_dx && !principal)
        cur->error = Reject{file, first_dx->source_line, "seq",
                            std::string(ingest::kNoPrincipalDiagnosis), ""};
    }
    seen.insert(cur->enc.encounter_id);
    if (cur->error) {
      counts.encounters_rejected++;
      for (auto& [line, raw] : cur->rows) {
        if (line == cur->error->line)
          reject(line, cur->error->field, cur->error->reason, raw);
        else
          reject(line, "", "encounter rejected: see line " + std::to_string(cur->error->line), raw);
      }
    } else {
      counts.encounters_processed++;
      counts.records_processed += static_cast<int64_t>(cur->rows.size());
      if (sink.on_encounter) sink.on_encounter(std::move(cur->enc));
    }
    cur.reset();
  };

  while (reader.Next(rec)) {
    counts.records_read++;
    if (!rec.error.empty() || rec.fields.size() != width) {
      const std::string why = !rec.error.empty() ? rec.error
                              : "has " + std::to_string(rec.fields.size()) +
                                    " fields, the header has " + std::to_string(width);
      if (cur && !cur->error) cur->error = Reject{file, rec.line, "", why, ""};
      reject(rec.line, "", why, rec.raw);
      continue;
    }
    auto f = [&](Col c) {
      return index[c] < 0 ? std::string_view() : std::string_view(rec.fields[static_cast<size_t>(index[c])]);
    };
    const std::string id(f(kEncounterId));
    if (id.empty()) {
      reject(rec.line, "encounter_id", "is required on every row", rec.raw);
      continue;
    }
    if (!cur || cur->enc.encounter_id != id) {
      close();
      if (seen.count(id)) {
        reject(rec.line, "encounter_id",
               "rows of an encounter must be contiguous; this encounter already ended", rec.raw);
        continue;
      }
      cur.emplace();
      cur->enc.encounter_id = id;
      cur->enc.source_line = rec.line;
      cur->enc.auditor_id = std::string(f(kAuditorId));
      if (repeated.count(id))
        cur->error = Reject{file, rec.line, "encounter_id",
                            "encounter listed again later in this file (rows of an encounter must be "
                            "contiguous); no copy of it is scored", ""};
    }
    cur->rows.push_back({rec.line, rec.raw});
    if (cur->error) continue;
    auto fail = [&](std::string field, std::string reason) {
      cur->error = Reject{file, rec.line, std::move(field), std::move(reason), ""};
    };
    if (cur->enc.auditor_id.empty() || cur->enc.auditor_id.size() > 64) {
      fail("auditor_id", "required on the first row of an encounter (1-64 characters)");
      continue;
    }
    if (!f(kAuditorId).empty() && f(kAuditorId) != cur->enc.auditor_id) {
      fail("auditor_id", "differs from the value on the encounter's first row");
      continue;
    }
    if (!f(kDrg).empty()) {
      const auto drg = f(kDrg);
      if (drg.size() != 3 || !std::all_of(drg.begin(), drg.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        fail("drg", "must be 3 digits (MS-DRG)");
        continue;
      }
      if (!cur->enc.drg.empty() && cur->enc.drg != drg) {
        fail("drg", "differs from the DRG given on an earlier row of the encounter");
        continue;
      }
      cur->enc.drg = std::string(drg);
    }
    LineNote note;
    if (!f(kReason).empty()) {
      if (!ValidReason(f(kReason))) { fail("reason", "1-16 letters, digits, '-' or '_'"); continue; }
      note.reason = std::string(f(kReason));
    }
    if (f(kComment).size() > kMaxComment) { fail("comment", "at most 2000 characters"); continue; }
    note.comment = std::string(f(kComment));
    bool removed = false;
    if (f(kRemoved) == "Y" || f(kRemoved) == "y") removed = true;
    else if (!f(kRemoved).empty() && f(kRemoved) != "N" && f(kRemoved) != "n") { fail("removed", "must be Y, N or empty"); continue; }
    CodedLine cl;
    cl.source_line = rec.line;
    auto type = ParseCodeType(f(kCodeType));
    if (!type) { fail("code_type", "must be DX, PCS or HCPCS"); continue; }
    cl.type = *type;
    if (auto why = ingest::ParseCodeForType(cl.type, f(kCode), cl.code); !why.empty()) { fail("code", why); continue; }
    if (removed) {
      // Not part of the auditor's coding: it only carries the reason for striking a code.
      cur->enc.removed.push_back(RemovedCode{cl.type, cl.code, std::move(note), rec.line});
      continue;
    }
    if (cl.type != CodeType::kHcpcs || !f(kSeq).empty()) {
      if (auto why = ingest::ParseSeq(f(kSeq), cl.seq); !why.empty()) { fail("seq", why); continue; }
    }
    bool dup_seq = false;
    if (cl.type != CodeType::kHcpcs)
      for (const auto& other : cur->enc.lines) dup_seq |= other.type == cl.type && other.seq == cl.seq;
    if (dup_seq) { fail("seq", "repeats a sequence number of this encounter"); continue; }
    if (!f(kPoa).empty()) {
      const auto p = f(kPoa);
      if (p.size() != 1 || std::string_view("YNUW1").find(p[0]) == std::string_view::npos) { fail("poa", "must be Y, N, U, W or 1"); continue; }
      cl.poa = p[0];
    }
    if (!f(kModifiers).empty()) {
      auto mods = Modifiers::Parse(f(kModifiers));
      if (!mods || cl.type != CodeType::kHcpcs) { fail("modifiers", "at most 4 two-character modifiers on HCPCS lines"); continue; }
      cl.modifiers = *mods;
    }
    if (!f(kUnits).empty()) {
      if (auto why = ingest::ParseUnits(f(kUnits), cl.units); !why.empty()) { fail("units", why); continue; }
    } else if (cl.type == CodeType::kHcpcs) {
      cl.units = 1;
    }
    if (!f(kServiceDate).empty()) {
      auto dos = ParseIsoDate(f(kServiceDate));
      if (!dos) { fail("service_date", "must be a real date YYYY-MM-DD"); continue; }
      cl.service_date = dos;
    }
    cur->enc.lines.push_back(cl);
    cur->enc.notes.push_back(std::move(note));
  }
  close();
  return counts;
}

ingest::IngestCounts ReadAuditorCsvFile(const std::string& path, const AuditorSink& sink,
                                        FileDigest* digest) {
  io::HashedFile file(path, "auditor file");
  const auto counts = ReadAuditorCsv(file.Stream(), path, sink);
  const FileDigest read = file.Finish();
  if (digest) *digest = read;
  return counts;
}

}  // namespace coderaudit::qa
