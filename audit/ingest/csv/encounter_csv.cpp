#include "audit/ingest/csv/encounter_csv.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <memory>
#include <optional>

#include "audit/io/csv_reader.hpp"
#include "audit/ingest/csv/encounter_rows.hpp"
#include "audit/model/error.hpp"
#include "audit/model/id_set.hpp"

namespace coderaudit::ingest {

namespace {

enum Col : size_t {
  kEncounterId, kPatientId, kSex, kBirthDate, kFromDate, kThroughDate, kClaimType,
  kProviderId, kCoderId, kPayer, kDrg, kDischargeStatus, kAdmittingDx,
  kCodeType, kSeq, kCode, kPoa, kModifiers, kUnits, kServiceDate, kCharge, kColCount
};
constexpr std::array<std::string_view, kColCount> kNames = {
    "encounter_id", "patient_id", "sex", "birth_date", "from_date", "through_date",
    "claim_type", "provider_id", "coder_id", "payer", "drg", "discharge_status",
    "admitting_dx", "code_type", "seq", "code", "poa", "modifiers", "units", "service_date", "charge"};
constexpr size_t kFirstHeaderCol = kPatientId, kLastHeaderCol = kAdmittingDx;
// Columns that may be absent from the file entirely.
constexpr std::array<bool, kColCount> kOptionalColumn = {
    false, false, false, false, false, false, false, false, false, true, true, true, true,
    false, false, false, true, true, true, true, true};

struct RowError {
  std::string field, reason;
};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

bool AllDigits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Assembles contiguous rows into one encounter and decides its fate. One Encounter is
// refilled for every encounter (Clear keeps capacity): no allocation per row once warm.
class EncounterBuilder {
 public:
  // `replay_ids` re-reads the ids of the records before a line (SeenIds, below).
  EncounterBuilder(const std::string& file, const IngestSink& sink, IngestCounts& counts,
                   std::function<void(uint32_t before_line, const SeenIds::Add&)> replay_ids)
      : file_(file), sink_(sink), counts_(counts),
        started_ids_(replay_ids ? SeenIds::Replay([this, replay_ids](const SeenIds::Add& add) {
          replay_ids(row_line_, add);
        })
                                : SeenIds::Replay()) {}

  // Row fields are already mapped to layout order; empty string = column absent/blank.
  void AddRow(const std::array<std::string_view, kColCount>& f, const io::CsvView& rec) {
    const std::string_view id = f[kEncounterId];
    if (!open_ || id != current_.id) {
      Close();
      row_line_ = rec.line;
      if (!started_ids_.Insert(id)) {
        Reject r{file_, rec.line, "encounter_id",
                 "rows of an encounter must be contiguous; this encounter already ended",
                 std::string(rec.raw)};
        counts_.records_rejected++;
        if (sink_.on_reject) sink_.on_reject(std::move(r));
        if (sink_.on_encounter_rejected) sink_.on_encounter_rejected(id);
        return;
      }
      Open(f, rec);
    } else {
      CheckHeaderRepeat(f, rec);
    }
    rows_.AddRow(rec.line, rec.raw);
    if (!rows_.Failed()) AddLine(f, rec);
  }

  // `id`: the record's encounter id when it could be read. A record whose id is unknown
  // may be a row of the open encounter, so that encounter is rejected too rather than
  // audited with a line missing.
  // A record with a known id that begins another encounter (its first row is malformed)
  // opens that encounter already failed: its other rows are rejected with it ("see line
  // N"), instead of the next row looking like a first row without patient data.
  void RejectRecord(const io::CsvView& rec, std::string reason, std::string field = "",
                    std::string_view id = {}) {
    bool reappeared = false;
    if (open_ && (id.empty() || id == current_.id)) {
      Fail(rec.line, "", "");
    } else if (!id.empty()) {
      Close();
      row_line_ = rec.line;
      if (started_ids_.Insert(id)) {
        open_ = true;
        current_.Clear();
        current_.id.assign(id);
        current_.source_line = rec.line;
        for (auto& h : header_) h.clear();
        Fail(rec.line, "", "");
      } else {
        reappeared = true;
      }
    }
    counts_.records_rejected++;
    if (sink_.on_reject) sink_.on_reject(Reject{file_, rec.line, std::move(field),
                                                std::move(reason), std::string(rec.raw)});
    if (reappeared && sink_.on_encounter_rejected) sink_.on_encounter_rejected(id);
  }

  void Close() {
    if (!open_) return;
    open_ = false;
    rows_.Close(current_, file_, sink_, counts_);
    current_.Clear();
  }

 private:
  void Fail(uint32_t line, std::string field, std::string reason) {
    rows_.Fail(line, std::move(field), std::move(reason));
  }

  void Open(const std::array<std::string_view, kColCount>& f, const io::CsvView& rec) {
    open_ = true;
    current_.Clear();
    current_.id.assign(f[kEncounterId]);
    current_.source_line = rec.line;
    for (size_t c = kFirstHeaderCol; c <= kLastHeaderCol; ++c) header_[c].assign(f[c]);
    const uint32_t line = rec.line;
    if (!IsIdentifier(f[kEncounterId])) return Fail(line, "encounter_id", "must be 1-64 printable characters");
    if (!IsIdentifier(f[kPatientId])) return Fail(line, "patient_id", "required on the first row of an encounter (1-64 printable characters)");
    current_.patient_id.assign(f[kPatientId]);
    auto sex = ParseSex(f[kSex]);
    if (!sex) return Fail(line, "sex", "must be F, M or U");
    current_.sex = *sex;
    auto birth = ParseIsoDate(f[kBirthDate]);
    if (!birth) return Fail(line, "birth_date", "must be a real date YYYY-MM-DD");
    current_.birth_date = birth;
    auto from = ParseIsoDate(f[kFromDate]);
    if (!from) return Fail(line, "from_date", "must be a real date YYYY-MM-DD");
    auto through = ParseIsoDate(f[kThroughDate]);
    if (!through) return Fail(line, "through_date", "must be a real date YYYY-MM-DD");
    if (*through < *from) return Fail(line, "through_date", "is before from_date");
    if (*birth > *from) return Fail(line, "birth_date", "is after from_date");
    current_.from_date = *from;
    current_.through_date = *through;
    auto type = ParseClaimType(f[kClaimType]);
    if (!type) return Fail(line, "claim_type", "must be inpatient, outpatient or professional");
    current_.claim_type = *type;
    if (!IsIdentifier(f[kProviderId])) return Fail(line, "provider_id", "required (1-64 printable characters)");
    current_.provider_id.assign(f[kProviderId]);
    if (!IsIdentifier(f[kCoderId])) return Fail(line, "coder_id", "required (1-64 printable characters)");
    current_.coder_id.assign(f[kCoderId]);
    current_.payer.assign(f[kPayer]);
    if (!f[kDrg].empty() && !AllDigits(f[kDrg], 3)) return Fail(line, "drg", "must be 3 digits");
    current_.drg.assign(f[kDrg]);
    if (!f[kDischargeStatus].empty() && !AllDigits(f[kDischargeStatus], 2))
      return Fail(line, "discharge_status", "must be 2 digits");
    current_.discharge_status.assign(f[kDischargeStatus]);
    if (!f[kAdmittingDx].empty()) {
      const std::string why = ParseCodeForType(CodeType::kDiagnosis, f[kAdmittingDx],
                                               current_.admitting_dx);
      if (!why.empty()) return Fail(line, "admitting_dx", why);
    }
  }

  void CheckHeaderRepeat(const std::array<std::string_view, kColCount>& f, const io::CsvView& rec) {
    for (size_t c = kFirstHeaderCol; c <= kLastHeaderCol; ++c) {
      if (!f[c].empty() && f[c] != header_[c])
        return Fail(rec.line, std::string(kNames[c]),
                    "differs from the value on the encounter's first row");
    }
  }

  void AddLine(const std::array<std::string_view, kColCount>& f, const io::CsvView& rec) {
    const uint32_t line = rec.line;
    CodedLine cl;
    cl.source_line = line;
    auto type = ParseCodeType(f[kCodeType]);
    if (!type) return Fail(line, "code_type", "must be DX, PCS or HCPCS");
    cl.type = *type;
    if (auto why = ParseCodeForType(cl.type, f[kCode], cl.code); !why.empty())
      return Fail(line, "code", why);
    if (cl.type != CodeType::kHcpcs) {
      if (auto why = ParseSeq(f[kSeq], cl.seq); !why.empty()) return Fail(line, "seq", why);
      for (const auto& other : current_.lines)
        if (other.type == cl.type && other.seq == cl.seq)
          return Fail(line, "seq", "repeats a sequence number of this encounter");
    } else if (!f[kSeq].empty()) {
      if (auto why = ParseSeq(f[kSeq], cl.seq); !why.empty()) return Fail(line, "seq", why);
    }
    if (!f[kPoa].empty()) {
      const auto p = f[kPoa];
      if (cl.type != CodeType::kDiagnosis) return Fail(line, "poa", "only diagnoses carry POA");
      if (p.size() != 1 || std::string_view("YNUW1").find(p[0]) == std::string_view::npos)
        return Fail(line, "poa", "must be Y, N, U, W or 1");
      cl.poa = p[0];
    }
    if (!f[kModifiers].empty()) {
      if (cl.type != CodeType::kHcpcs) return Fail(line, "modifiers", "only HCPCS lines carry modifiers");
      auto mods = Modifiers::Parse(f[kModifiers]);
      if (!mods) return Fail(line, "modifiers", "at most 4 two-character modifiers separated by ';'");
      cl.modifiers = *mods;
    }
    if (!f[kUnits].empty()) {
      if (cl.type != CodeType::kHcpcs) return Fail(line, "units", "only HCPCS lines carry units");
      if (auto why = ParseUnits(f[kUnits], cl.units); !why.empty()) return Fail(line, "units", why);
    } else if (cl.type == CodeType::kHcpcs) {
      cl.units = 1;
    }
    if (!f[kServiceDate].empty()) {
      auto dos = ParseIsoDate(f[kServiceDate]);
      if (!dos) return Fail(line, "service_date", "must be a real date YYYY-MM-DD");
      if (*dos < current_.from_date || *dos > current_.through_date)
        return Fail(line, "service_date", "outside from_date..through_date");
      cl.service_date = dos;
    }
    if (!f[kCharge].empty()) {
      if (auto why = ParseCharge(f[kCharge], cl.charge_cents); !why.empty())
        return Fail(line, "charge", why);
    }
    current_.lines.push_back(cl);
  }

  const std::string& file_;
  const IngestSink& sink_;
  IngestCounts& counts_;
  bool open_ = false;
  Encounter current_;
  std::array<std::string, kColCount> header_;
  EncounterRows rows_;          // the open encounter's rows and its first failure
  uint32_t row_line_ = 0;       // line of the row that opens an encounter
  SeenIds started_ids_;         // every encounter id opened so far in this file
};

}  // namespace

std::string ParseCodeForType(CodeType type, std::string_view text, Code& out) {
  auto code = Code::Parse(text);
  if (!code) return "must be 3-7 letters or digits (dots allowed)";
  const auto v = code->View();
  switch (type) {
    case CodeType::kDiagnosis:
      // Form only: a letter, then letters or digits (FY2026 added codes such as QA00.109,
      // whose second character is a letter). The code set tables decide validity.
      if (v.size() < 3 || v[0] < 'A' || v[0] > 'Z')
        return "not an ICD-10-CM code (a letter, then 2-6 letters or digits)";
      break;
    case CodeType::kPcs:
      if (v.size() != 7) return "ICD-10-PCS codes have exactly 7 characters";
      break;
    case CodeType::kHcpcs:
      if (v.size() != 5) return "CPT/HCPCS codes have exactly 5 characters";
      break;
  }
  out = *code;
  return "";
}

std::string ParseUnits(std::string_view text, double& out) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !(v > 0) || v > 99999)
    return "must be a number greater than 0 and at most 99999";
  out = v;
  return "";
}

std::string ParseCharge(std::string_view text, int64_t& cents) {
  const std::string_view why = "must be a non-negative amount with at most 2 decimals";
  int64_t whole = 0, frac = 0;
  size_t i = 0, digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (digits >= 12) return std::string(why);
    whole = whole * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (++frac_digits > 2) return std::string(why);
      frac = frac * 10 + (text[i] - '0');
    }
    if (frac_digits == 1) frac *= 10;
  }
  if (i != text.size() || digits == 0) return std::string(why);
  cents = whole * 100 + frac;
  return "";
}

std::string ParseSeq(std::string_view text, uint16_t& out) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < 1 || v > 999)
    return "must be a whole number 1-999";
  out = static_cast<uint16_t>(v);
  return "";
}

namespace {

// Reads the file again from its start, handing the stream to the callback.
using Reopen = std::function<void(const std::function<void(std::istream&)>&)>;

// The header row: where each layout column is. Throws InputError when it is unusable.
struct Header {
  std::array<int, kColCount> index;
  size_t width = 0;
  // The layout name of each column by position ("" for a column the layout does not have).
  std::vector<std::string_view> names;

  // The column a malformed record's error is in, by name ("" when not known).
  std::string FieldOf(uint32_t error_field) const {
    if (error_field == 0 || error_field > names.size()) return {};
    return std::string(names[error_field - 1]);
  }
  // The encounter id of a record when it can be read: a whole record, one with the wrong
  // number of fields, or a malformed one whose id comes before the error.
  std::string_view IdOf(const io::CsvView& rec) const {
    const auto col = static_cast<size_t>(index[kEncounterId]);
    const auto& fields = rec.error.empty() ? rec.fields : rec.complete_fields;
    return col < fields.size() ? fields[col] : std::string_view();
  }
};

Header ReadHeader(io::CsvReader& reader, io::CsvView& rec, const std::string& file_name,
                  const IngestSink* sink) {
  if (!reader.NextView(rec) || !rec.error.empty())
    throw InputError(file_name + ": missing or unreadable header row" +
                     (rec.error.empty() ? "" : " (" + rec.error + ")"));
  Header h;
  h.index.fill(-1);
  std::vector<std::string> unknown;
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    bool known = false;
    for (size_t c = 0; c < kColCount; ++c) {
      if (rec.fields[i] == kNames[c]) {
        if (h.index[c] != -1)
          throw InputError(file_name + ":" + std::to_string(rec.line) + ": column '" +
                           std::string(rec.fields[i]) + "' appears twice");
        h.index[c] = static_cast<int>(i);
        known = true;
      }
    }
    if (!known) unknown.emplace_back(rec.fields[i]);
  }
  for (size_t c = 0; c < kColCount; ++c)
    if (h.index[c] == -1 && !kOptionalColumn[c])
      throw InputError(file_name + ":" + std::to_string(rec.line) + ": required column '" +
                       std::string(kNames[c]) + "' is missing (see schemas/encounters-csv.md)");
  if (!unknown.empty() && sink && sink->on_warning) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u.substr(0, 40);
    sink->on_warning(file_name + ": ignoring unknown columns: " + list);
  }
  h.width = rec.fields.size();
  h.names.resize(h.width);
  for (size_t c = 0; c < kColCount; ++c)
    if (h.index[c] >= 0) h.names[static_cast<size_t>(h.index[c])] = kNames[c];
  return h;
}

// The encounter id of a record that reaches EncounterBuilder::AddRow; empty otherwise.
// (RejectRecord starts an encounter for a malformed record whose id is known: the same ids.)
std::string_view RowId(const io::CsvView& rec, const Header& h) { return h.IdOf(rec); }

IngestCounts ReadEncounterCsv(std::istream& in, const std::string& file_name,
                              const IngestSink& sink, const Reopen& reopen) {
  IngestCounts counts;
  io::CsvReader reader(in);
  io::CsvView rec;
  const Header header = ReadHeader(reader, rec, file_name, &sink);
  const auto& index = header.index;
  const size_t width = header.width;

  // Re-reading the file for the ids before a line (only when ids arrive out of order).
  std::function<void(uint32_t, const SeenIds::Add&)> replay_ids;
  if (reopen) {
    replay_ids = [&](uint32_t before_line, const SeenIds::Add& add) {
      reopen([&](std::istream& again) {
        io::CsvReader r(again);
        io::CsvView row;
        const Header h = ReadHeader(r, row, file_name, nullptr);
        while (r.NextView(row) && row.line < before_line)
          if (const auto id = RowId(row, h); !id.empty()) add(id);
      });
    };
  }
  EncounterBuilder builder(file_name, sink, counts, replay_ids);
  std::array<std::string_view, kColCount> f;
  while (reader.NextView(rec)) {
    counts.records_read++;
    if (!rec.error.empty()) {
      builder.RejectRecord(rec, rec.error, header.FieldOf(rec.error_field), header.IdOf(rec));
      continue;
    }
    if (rec.fields.size() != width) {
      builder.RejectRecord(rec,
                           "has " + std::to_string(rec.fields.size()) +
                               " fields, the header has " + std::to_string(width),
                           "", header.IdOf(rec));
      continue;
    }
    for (size_t c = 0; c < kColCount; ++c)
      f[c] = index[c] < 0 ? std::string_view() : rec.fields[static_cast<size_t>(index[c])];
    if (f[kEncounterId].empty()) {
      builder.RejectRecord(rec, "is required on every row", "encounter_id");
      continue;
    }
    builder.AddRow(f, rec);
  }
  builder.Close();
  return counts;
}

}  // namespace

IngestCounts ReadEncounterCsv(std::istream& in, const std::string& file_name,
                              const IngestSink& sink) {
  return ReadEncounterCsv(in, file_name, sink, Reopen());
}

IngestCounts ReadEncounterCsvFile(io::HashedFile& file, const std::string& path, const IngestSink& sink) {
  return ReadEncounterCsv(file.Stream(), path, sink,
                          [&file, &path](const std::function<void(std::istream&)>& use) {
                            io::HashedFile again(path, "encounter file");
                            use(again.Stream());
                            file.ExpectSame(again.Finish());
                          });
}

IngestCounts ReadEncounterCsvFile(const std::string& path, const IngestSink& sink) {
  io::HashedFile file(path, "encounter file");
  const IngestCounts counts = ReadEncounterCsvFile(file, path, sink);
  file.Finish();
  return counts;
}

}  // namespace coderaudit::ingest
