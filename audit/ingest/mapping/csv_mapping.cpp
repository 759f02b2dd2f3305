#include "audit/ingest/mapping/csv_mapping.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "audit/io/csv_reader.hpp"
#include "audit/io/hashed_file.hpp"
#include "audit/ingest/csv/encounter_rows.hpp"
#include "audit/ingest/mapping/field_checks.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::ingest {

namespace {

constexpr std::array<std::string_view, kMfCount> kFieldNames = {
    "encounter_id", "patient_id", "sex", "birth_date", "from_date", "through_date",
    "claim_type", "provider_id", "coder_id", "payer", "drg", "discharge_status",
    "code_type", "seq", "code", "poa", "modifiers", "units", "service_date", "charge"};
constexpr size_t kFirstLineField = kMfCodeType;
constexpr int kMaxRepeat = 999;

bool IsDateField(size_t f) {
  return f == kMfBirthDate || f == kMfFromDate || f == kMfThroughDate || f == kMfServiceDate;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ---- date formats -------------------------------------------------------------------
struct DateToken {
  char kind;  // 'Y' year, 'M' month, 'D' day, 'L' literal
  bool two;   // MM / DD written with two letters
  char literal;
};

std::optional<std::vector<DateToken>> Tokenize(std::string_view format) {
  std::vector<DateToken> out;
  bool y = false, m = false, d = false;
  for (size_t i = 0; i < format.size();) {
    if (format.substr(i, 4) == "YYYY") {
      if (y) return std::nullopt;
      out.push_back({'Y', false, 0}), y = true, i += 4;
    } else if (format[i] == 'M' || format[i] == 'D') {
      const char k = format[i];
      const bool two = i + 1 < format.size() && format[i + 1] == k;
      if ((k == 'M' && m) || (k == 'D' && d)) return std::nullopt;
      (k == 'M' ? m : d) = true;
      out.push_back({k, two, 0});
      i += two ? 2 : 1;
    } else if (format[i] == '-' || format[i] == '/' || format[i] == '.' || format[i] == ' ') {
      out.push_back({'L', false, format[i]}), ++i;
    } else {
      return std::nullopt;
    }
  }
  if (!y || !m || !d) return std::nullopt;
  return out;
}

}  // namespace

std::string_view MappedFieldName(MappedField f) { return kFieldNames[f]; }

bool ValidDateFormat(std::string_view format) { return Tokenize(format).has_value(); }

std::optional<Date> ParseDateWithFormat(std::string_view text, std::string_view format) {
  const auto tokens = Tokenize(format);
  if (!tokens) return std::nullopt;
  int year = -1, month = -1, day = -1;
  size_t i = 0;
  for (size_t t = 0; t < tokens->size(); ++t) {
    const DateToken& tok = (*tokens)[t];
    if (tok.kind == 'L') {
      if (i >= text.size() || text[i] != tok.literal) return std::nullopt;
      ++i;
      continue;
    }
    // Next to another number token (compact "YYYYMMDD") a month or day has exactly two
    // digits; between separators it may have one or two ("3/4/2024").
    const bool compact = (t > 0 && (*tokens)[t - 1].kind != 'L') ||
                         (t + 1 < tokens->size() && (*tokens)[t + 1].kind != 'L');
    size_t min = 1, max = 2;
    if (tok.kind == 'Y') min = max = 4;
    else if (compact) min = max = 2;
    size_t n = 0;
    int value = 0;
    while (i < text.size() && n < max && text[i] >= '0' && text[i] <= '9') value = value * 10 + (text[i++] - '0'), ++n;
    if (n < min) return std::nullopt;
    (tok.kind == 'Y' ? year : tok.kind == 'M' ? month : day) = value;
  }
  if (i < text.size()) {
    // A time of day after the date (spreadsheet exports): " 0:00", " 12:30:00 PM", "T10:30:00".
    if (text[i] != ' ' && text[i] != 'T') return std::nullopt;
    const std::string_view rest = text.substr(i + 1);
    if (rest.empty() || rest[0] < '0' || rest[0] > '9' || rest.find(':') == std::string_view::npos)
      return std::nullopt;
    for (char c : rest)
      if (!((c >= '0' && c <= '9') || c == ':' || c == '.' || c == ' ' || c == 'A' || c == 'P' ||
            c == 'M' || c == 'Z' || c == '+' || c == '-'))
        return std::nullopt;
  }
  char iso[48];
  if (year < 0 || month < 0 || day < 0 || month > 99 || day > 99) return std::nullopt;
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
  return ParseIsoDate(iso);
}

// ---- mapping file ---------------------------------------------------------------------
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

[[noreturn]] void Bad(const std::string& name, const std::string& what) {
  throw InputError(name + ": mapping: " + what + " (see schemas/csv-mapping.md)");
}

std::string StrOf(const Var& v, const std::string& name, const std::string& what) {
  if (!v.isString()) Bad(name, what + " must be a string");
  return v.extract<std::string>();
}

FieldSource ParseSource(const Var& v, const std::string& name, const std::string& what, bool date) {
  FieldSource s;
  if (v.isString()) {
    s.column = v.extract<std::string>();
    if (s.column.empty()) Bad(name, what + ": column name is empty");
    return s;
  }
  if (v.type() != typeid(Object::Ptr)) Bad(name, what + " must be a column name or an object");
  const Object::Ptr o = v.extract<Object::Ptr>();
  for (const auto& [key, value] : *o) {
    if (key == "column") s.column = StrOf(value, name, what + ".column");
    else if (key == "value") s.constant = StrOf(value, name, what + ".value"), s.has_constant = true;
    else if (key == "date_format" && date) s.date_format = StrOf(value, name, what + ".date_format");
    else if (key == "values") {
      if (value.type() != typeid(Object::Ptr)) Bad(name, what + ".values must be an object");
      for (const auto& [from, to] : *value.extract<Object::Ptr>())
        s.values[from] = StrOf(to, name, what + ".values." + from);
    } else {
      Bad(name, what + ": unknown key '" + key + "'");
    }
  }
  if (s.column.empty() == !s.has_constant) Bad(name, what + ": give exactly one of \"column\" or \"value\"");
  if (!s.date_format.empty() && !ValidDateFormat(s.date_format))
    Bad(name, what + ".date_format: use tokens YYYY MM M DD D and separators - / . space");
  return s;
}

std::vector<FieldSource> ParseModifierColumns(const Var& v, const std::string& name, const std::string& what) {
  std::vector<FieldSource> out;
  const Array::Ptr a = v.extract<Array::Ptr>();
  if (a->size() > Modifiers::kMax) Bad(name, what + ": at most 4 modifier columns");
  for (size_t i = 0; i < a->size(); ++i)
    out.push_back(ParseSource(a->get(static_cast<unsigned>(i)), name, what + "[" + std::to_string(i) + "]", false));
  return out;
}

size_t FieldIndex(const std::string& key) {
  for (size_t i = 0; i < kMfCount; ++i)
    if (kFieldNames[i] == key) return i;
  return kMfCount;
}

void ParseFields(const Object::Ptr& o, std::array<FieldSource, kMfCount>& fields,
                 std::vector<FieldSource>& modifiers, const std::string& name,
                 const std::string& where, bool lines_only) {
  for (const auto& [key, value] : *o) {
    const size_t f = FieldIndex(key);
    if (f == kMfCount) Bad(name, where + ": unknown field '" + key + "'");
    if (lines_only && f < kFirstLineField) Bad(name, where + ": '" + key + "' is an encounter field, not a line field");
    if (f == kMfModifiers && value.type() == typeid(Array::Ptr)) {
      modifiers = ParseModifierColumns(value, name, where + ".modifiers");
      continue;
    }
    fields[f] = ParseSource(value, name, where + "." + key, IsDateField(f));
  }
}

}  // namespace

CsvMapping ParseCsvMapping(std::string_view json, const std::string& name) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    const Var v = parser.parse(std::string(json));
    if (v.type() != typeid(Object::Ptr)) Bad(name, "the file must hold one JSON object");
    root = v.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    Bad(name, "not valid JSON");
  }
  CsvMapping m;
  m.name = name;
  try {
    if (!root->has("coderaudit_csv_mapping") || root->get("coderaudit_csv_mapping").toString() != "1")
      Bad(name, "\"coderaudit_csv_mapping\": 1 is required (the mapping format version)");
    for (const auto& [key, value] : *root) {
      if (key == "coderaudit_csv_mapping" || key == "description") continue;
      if (key == "delimiter") {
        std::string d = StrOf(value, name, "delimiter");
        if (d == "\\t" || d == "tab") d = "\t";
        if (d.size() != 1 || d == "\n" || d == "\r" || d == "\"") Bad(name, "delimiter must be one character (\",\", \";\", \"|\" or \"tab\")");
        m.delimiter = d[0];
      } else if (key == "quote") {
        const std::string q = StrOf(value, name, "quote");
        if (q.size() > 1) Bad(name, "quote must be one character or \"\" (no quoting)");
        m.quote = q.empty() ? '\0' : q[0];
      } else if (key == "layout") {
        const std::string l = StrOf(value, name, "layout");
        if (l == "row_per_code") m.layout = MappingLayout::kRowPerCode;
        else if (l == "row_per_encounter") m.layout = MappingLayout::kRowPerEncounter;
        else Bad(name, "layout must be row_per_code or row_per_encounter");
      } else if (key == "date_format") {
        m.date_format = StrOf(value, name, "date_format");
        if (!ValidDateFormat(m.date_format)) Bad(name, "date_format: use tokens YYYY MM M DD D and separators - / . space");
      } else if (key == "fields") {
        if (value.type() != typeid(Object::Ptr)) Bad(name, "fields must be an object");
        ParseFields(value.extract<Object::Ptr>(), m.fields, m.modifier_columns, name, "fields", false);
      } else if (key == "repeat") {
        if (value.type() != typeid(Array::Ptr)) Bad(name, "repeat must be an array of column groups");
        const Array::Ptr groups = value.extract<Array::Ptr>();
        for (size_t i = 0; i < groups->size(); ++i) {
          const std::string where = "repeat[" + std::to_string(i) + "]";
          const Object::Ptr g = groups->getObject(static_cast<unsigned>(i));
          if (g.isNull()) Bad(name, where + " must be an object");
          RepeatGroup group;
          Object::Ptr lines = new Object;
          for (const auto& [key2, value2] : *g) {
            if (key2 == "code_type") {
              auto t = ParseCodeType(StrOf(value2, name, where + ".code_type"));
              if (!t) Bad(name, where + ".code_type must be DX, PCS or HCPCS");
              group.type = *t;
            } else if (key2 == "count") {
              if (!value2.isInteger()) Bad(name, where + ".count must be a whole number");
              const auto n = value2.convert<int64_t>();
              if (n < 1 || n > kMaxRepeat) Bad(name, where + ".count must be 1-999");
              group.count = static_cast<int>(n);
            } else {
              lines->set(key2, value2);
            }
          }
          if (group.count == 0) Bad(name, where + ".count is required");
          if (!g->has("code_type")) Bad(name, where + ".code_type is required");
          ParseFields(lines, group.fields, group.modifier_columns, name, where, true);
          if (!group.fields[kMfCode].Mapped()) Bad(name, where + ".code is required");
          if (group.fields[kMfCodeType].Mapped() || group.fields[kMfSeq].Mapped())
            Bad(name, where + ": code_type is the group's; seq is the position n");
          if (group.fields[kMfCode].column.find("{n}") == std::string::npos)
            Bad(name, where + ".code must contain {n} (the repeat number)");
          m.repeats.push_back(std::move(group));
        }
      } else {
        Bad(name, "unknown key '" + key + "'");
      }
    }
  } catch (const Poco::Exception&) {
    Bad(name, "unexpected JSON value types");
  }
  static constexpr std::array kRequired = {kMfEncounterId, kMfPatientId, kMfSex, kMfBirthDate,
                                           kMfFromDate, kMfThroughDate, kMfClaimType,
                                           kMfProviderId, kMfCoderId};
  for (MappedField f : kRequired)
    if (!m.fields[f].Mapped()) Bad(name, "fields." + std::string(kFieldNames[f]) + " is required");
  if (m.layout == MappingLayout::kRowPerCode) {
    if (!m.fields[kMfCode].Mapped()) Bad(name, "fields.code is required for row_per_code");
    if (!m.fields[kMfCodeType].Mapped()) Bad(name, "fields.code_type is required for row_per_code (a column or a constant)");
    if (!m.repeats.empty()) Bad(name, "repeat is for row_per_encounter");
  } else {
    for (size_t f = kFirstLineField; f < kMfCount; ++f)
      if (m.fields[f].Mapped()) Bad(name, "fields." + std::string(kFieldNames[f]) + ": line fields go in repeat groups for row_per_encounter");
    if (!m.modifier_columns.empty()) Bad(name, "fields.modifiers: line fields go in repeat groups");
    if (m.repeats.empty()) Bad(name, "row_per_encounter needs at least one repeat group");
  }
  return m;
}

CsvMapping LoadCsvMapping(const std::string& path, FileDigest* digest) {
  FileDigest read;
  const std::string text = io::ReadHashedText(path, "mapping file", size_t{1} << 20, read);
  CsvMapping mapping = ParseCsvMapping(text, path);
  if (digest) *digest = read;
  return mapping;
}

// ---- reading ----------------------------------------------------------------------------
namespace {

// A field source bound to a column index of this file.
struct Bound {
  const FieldSource* source = nullptr;
  int index = -1;      // -1: constant or not mapped
  std::string column;  // the concrete column name (for messages)
  std::string date_format;
};

struct BoundGroup {
  const RepeatGroup* group;
  int n;
  std::array<Bound, kMfCount> fields;
  std::vector<Bound> modifiers;
};

// One row's values in canonical form, with the column each came from.
struct Values {
  std::array<std::string, kMfCount> v;
  std::array<std::string, kMfCount> column;
  std::array<std::string, kMfCount> date_format;
};

class MappedReader {
 public:
  MappedReader(const std::string& file, const CsvMapping& m, const IngestSink& sink)
      : file_(file), m_(m), sink_(sink) {}

  IngestCounts Run(std::istream& in) {
    io::CsvReader reader(in, m_.delimiter, m_.quote);
    io::CsvRecord row;
    if (!reader.Next(row) || !row.error.empty())
      throw InputError(file_ + ": missing or unreadable header row" + (row.error.empty() ? "" : " (" + row.error + ")"));
    std::unordered_map<std::string, int> header;
    for (size_t i = 0; i < row.fields.size(); ++i) {
      const std::string name(Trim(row.fields[i]));
      // The name is not quoted: without a header row this is a patient's data.
      if (const auto [it, fresh] = header.emplace(name, static_cast<int>(i)); !fresh)
        throw InputError(file_ + ":" + std::to_string(row.line) + ": columns " + std::to_string(it->second + 1) +
                         " and " + std::to_string(i + 1) +
                         " of the header row have the same name (a header row is required: is the first row data?)");
    }
    width_ = row.fields.size();
    for (const auto& f : row.fields) header_names_.emplace_back(Trim(f));
    std::vector<std::string> missing;
    auto bind = [&](const FieldSource& s, size_t f, int n) {
      Bound b;
      b.source = &s;
      b.date_format = s.date_format.empty() ? m_.date_format : s.date_format;
      if (s.column.empty()) return b;
      b.column = s.column;
      if (n > 0)
        for (size_t p = b.column.find("{n}"); p != std::string::npos; p = b.column.find("{n}"))
          b.column.replace(p, 3, std::to_string(n));
      auto it = header.find(b.column);
      if (it == header.end()) missing.push_back(b.column);
      else b.index = it->second;
      (void)f;
      return b;
    };
    for (size_t f = 0; f < kMfCount; ++f)
      if (m_.fields[f].Mapped()) fields_[f] = bind(m_.fields[f], f, 0);
    for (const auto& s : m_.modifier_columns) modifiers_.push_back(bind(s, kMfModifiers, 0));
    for (const auto& g : m_.repeats)
      for (int n = 1; n <= g.count; ++n) {
        BoundGroup bg{&g, n, {}, {}};
        for (size_t f = kFirstLineField; f < kMfCount; ++f)
          if (g.fields[f].Mapped()) bg.fields[f] = bind(g.fields[f], f, n);
        for (const auto& s : g.modifier_columns) bg.modifiers.push_back(bind(s, kMfModifiers, n));
        groups_.push_back(std::move(bg));
      }
    if (!missing.empty()) {
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 10; ++i) list += (i ? ", '" : "'") + missing[i].substr(0, 60) + "'";
      if (missing.size() > 10) list += " and " + std::to_string(missing.size() - 10) + " more";
      throw InputError(file_ + ":" + std::to_string(row.line) + ": mapped column(s) missing from the header: " + list + " (mapping " + m_.name + ")");
    }

    while (reader.Next(row)) {
      counts_.records_read++;
      if (!row.error.empty()) {
        // A NUL byte or a stray quote names the column it is in (the header's name).
        const std::string field = row.error_field > 0 && row.error_field <= header_names_.size()
                                      ? header_names_[row.error_field - 1]
                                      : std::string();
        RejectRow(row, field, row.error, true);
        continue;
      }
      if (row.fields.size() != width_) {
        const int id = fields_[kMfEncounterId].index;
        RejectRow(row, "", "has " + std::to_string(row.fields.size()) + " fields, the header has " + std::to_string(width_),
                  id < 0 || static_cast<size_t>(id) >= row.fields.size() ||
                      Trim(row.fields[static_cast<size_t>(id)]) == current_.id);
        continue;
      }
      if (m_.layout == MappingLayout::kRowPerCode) RowPerCode(row);
      else RowPerEncounter(row);
    }
    Close();
    return counts_;
  }

 private:
  std::string Cell(const Bound& b, const io::CsvRecord& row) const {
    if (!b.source) return {};
    std::string value = b.index >= 0 ? std::string(Trim(row.fields[static_cast<size_t>(b.index)]))
                                     : b.source->constant;
    if (auto it = b.source->values.find(value); it != b.source->values.end()) value = it->second;
    return value;
  }

  void Fill(Values& out, const std::array<Bound, kMfCount>& bound, const io::CsvRecord& row, size_t from, size_t to) {
    for (size_t f = from; f < to; ++f) {
      out.v[f] = Cell(bound[f], row);
      out.column[f] = bound[f].column.empty() ? std::string(kFieldNames[f]) : bound[f].column;
      out.date_format[f] = bound[f].date_format;
    }
  }

  static std::string Modifiers(const std::vector<Bound>& bound, const io::CsvRecord& row, const MappedReader& self,
                               std::string joined) {
    for (const auto& b : bound) {
      const std::string v = self.Cell(b, row);
      if (v.empty()) continue;
      if (!joined.empty()) joined += ';';
      joined += v;
    }
    return joined;
  }

  void RowPerCode(const io::CsvRecord& row) {
    Values v;
    Fill(v, fields_, row, 0, kMfCount);
    if (!modifiers_.empty()) {
      v.v[kMfModifiers] = Modifiers(modifiers_, row, *this, v.v[kMfModifiers]);
      v.column[kMfModifiers] = modifiers_.front().column;
    }
    if (v.v[kMfEncounterId].empty()) return RejectRow(row, v.column[kMfEncounterId], "is required on every row", true);
    if (!open_ || v.v[kMfEncounterId] != current_.id) {
      Close();
      if (closed_ids_.count(v.v[kMfEncounterId])) {
        RejectRow(row, v.column[kMfEncounterId],
                  "rows of an encounter must be contiguous; this encounter already ended", false);
        if (sink_.on_encounter_rejected) sink_.on_encounter_rejected(v.v[kMfEncounterId]);
        return;
      }
      Open(v, row);
    } else {
      for (size_t f = kMfPatientId; f < kFirstLineField; ++f)
        if (!v.v[f].empty() && v.v[f] != header_[f]) {
          Fail(row.line, v.column[f], "differs from the value on the encounter's first row");
          break;
        }
    }
    rows_.AddRow(row.line, row.raw);
    if (!rows_.Failed()) AddLine(v, row.line, 0);
  }

  void RowPerEncounter(const io::CsvRecord& row) {
    Values v;
    Fill(v, fields_, row, 0, kFirstLineField);
    if (v.v[kMfEncounterId].empty()) return RejectRow(row, v.column[kMfEncounterId], "is required on every row", false);
    Close();
    if (closed_ids_.count(v.v[kMfEncounterId]))
      return RejectRow(row, v.column[kMfEncounterId], "appears on an earlier row: one row per encounter", false);
    Open(v, row);
    rows_.AddRow(row.line, row.raw);
    for (const auto& g : groups_) {
      if (rows_.Failed()) break;
      Values lv;
      Fill(lv, g.fields, row, kFirstLineField, kMfCount);
      if (lv.v[kMfCode].empty()) continue;  // unused repeat slot
      lv.v[kMfCodeType] = std::string(ToString(g.group->type));
      if (g.group->type != CodeType::kHcpcs) lv.v[kMfSeq] = std::to_string(g.n);
      if (!g.modifiers.empty()) {
        lv.v[kMfModifiers] = Modifiers(g.modifiers, row, *this, lv.v[kMfModifiers]);
        lv.column[kMfModifiers] = g.modifiers.front().column;
      }
      AddLine(lv, row.line, g.n);
    }
    Close();
  }

  void RejectRow(const io::CsvRecord& row, std::string field, std::string reason, bool may_belong_to_open) {
    if (open_ && may_belong_to_open) Fail(row.line, "", "");
    counts_.records_rejected++;
    if (sink_.on_reject) sink_.on_reject(Reject{file_, row.line, std::move(field), std::move(reason), row.raw});
  }

  void Fail(uint32_t line, std::string field, std::string reason) {
    rows_.Fail(line, std::move(field), std::move(reason));
  }

  std::optional<Date> ParseDate(const Values& v, size_t f) {
    return ParseDateWithFormat(v.v[f], v.date_format[f]);
  }

  // Spreadsheets drop leading zeros: "1" is discharge status "01", "70" is DRG "070".
  static std::string Pad(const std::string& s, size_t width) {
    if (s.empty() || s.size() >= width || !AllDigits(s)) return s;
    return std::string(width - s.size(), '0') + s;
  }

  void Open(const Values& v, const io::CsvRecord& row) {
    open_ = true;
    current_ = Encounter{};
    current_.id = v.v[kMfEncounterId];
    current_.source_line = row.line;
    for (size_t f = 0; f < kFirstLineField; ++f) header_[f] = v.v[f];
    auto_seq_ = {};
    const uint32_t line = row.line;
    if (!IsIdentifier(v.v[kMfEncounterId])) return Fail(line, v.column[kMfEncounterId], "must be 1-64 printable characters");
    if (!IsIdentifier(v.v[kMfPatientId])) return Fail(line, v.column[kMfPatientId], "required on the first row of an encounter (1-64 printable characters)");
    current_.patient_id = v.v[kMfPatientId];
    auto sex = ParseSex(v.v[kMfSex]);
    if (!sex) return Fail(line, v.column[kMfSex], "must be F, M or U (map other spellings with \"values\")");
    current_.sex = *sex;
    auto birth = ParseDate(v, kMfBirthDate);
    if (!birth) return Fail(line, v.column[kMfBirthDate], "must be a real date in the format " + v.date_format[kMfBirthDate]);
    current_.birth_date = birth;
    auto from = ParseDate(v, kMfFromDate);
    if (!from) return Fail(line, v.column[kMfFromDate], "must be a real date in the format " + v.date_format[kMfFromDate]);
    auto through = ParseDate(v, kMfThroughDate);
    if (!through) return Fail(line, v.column[kMfThroughDate], "must be a real date in the format " + v.date_format[kMfThroughDate]);
    if (*through < *from) return Fail(line, v.column[kMfThroughDate], "is before from_date");
    if (*birth > *from) return Fail(line, v.column[kMfBirthDate], "is after from_date");
    current_.from_date = *from;
    current_.through_date = *through;
    auto type = ParseClaimType(v.v[kMfClaimType]);
    if (!type) return Fail(line, v.column[kMfClaimType], "must be inpatient, outpatient or professional (map other spellings with \"values\")");
    current_.claim_type = *type;
    if (!IsIdentifier(v.v[kMfProviderId])) return Fail(line, v.column[kMfProviderId], "required (1-64 printable characters)");
    current_.provider_id = v.v[kMfProviderId];
    if (!IsIdentifier(v.v[kMfCoderId])) return Fail(line, v.column[kMfCoderId], "required (1-64 printable characters)");
    current_.coder_id = v.v[kMfCoderId];
    current_.payer = v.v[kMfPayer];
    current_.drg = Pad(v.v[kMfDrg], 3);
    if (!current_.drg.empty() && (current_.drg.size() != 3 || !AllDigits(current_.drg)))
      return Fail(line, v.column[kMfDrg], "must be 3 digits");
    current_.discharge_status = Pad(v.v[kMfDischargeStatus], 2);
    if (!current_.discharge_status.empty() &&
        (current_.discharge_status.size() != 2 || !AllDigits(current_.discharge_status)))
      return Fail(line, v.column[kMfDischargeStatus], "must be 2 digits");
  }

  void AddLine(const Values& v, uint32_t line, int n) {
    CodedLine cl;
    cl.source_line = line;
    auto type = ParseCodeType(v.v[kMfCodeType]);
    if (!type) return Fail(line, v.column[kMfCodeType], "must be DX, PCS or HCPCS (map other spellings with \"values\")");
    cl.type = *type;
    if (auto why = ParseCodeForType(cl.type, v.v[kMfCode], cl.code); !why.empty()) return Fail(line, v.column[kMfCode], why);
    if (cl.type != CodeType::kHcpcs) {
      if (v.v[kMfSeq].empty() && n == 0) {
        // No seq column: number the codes of each type in row order.
        cl.seq = ++auto_seq_[cl.type == CodeType::kDiagnosis ? 0 : 1];
        if (cl.seq > 999) return Fail(line, v.column[kMfCode], "more than 999 codes of one type");
      } else if (auto why = ParseSeq(v.v[kMfSeq], cl.seq); !why.empty()) {
        return Fail(line, v.column[kMfSeq], why);
      }
      for (const auto& other : current_.lines)
        if (other.type == cl.type && other.seq == cl.seq)
          return Fail(line, v.column[n ? kMfCode : kMfSeq], "repeats a sequence number of this encounter");
    } else if (!v.v[kMfSeq].empty()) {
      if (auto why = ParseSeq(v.v[kMfSeq], cl.seq); !why.empty()) return Fail(line, v.column[kMfSeq], why);
    }
    if (!v.v[kMfPoa].empty()) {
      const std::string& p = v.v[kMfPoa];
      if (cl.type != CodeType::kDiagnosis) return Fail(line, v.column[kMfPoa], "only diagnoses carry POA");
      if (p.size() != 1 || std::string_view("YNUW1").find(p[0]) == std::string_view::npos)
        return Fail(line, v.column[kMfPoa], "must be Y, N, U, W or 1 (map other spellings with \"values\")");
      cl.poa = p[0];
    }
    if (!v.v[kMfModifiers].empty()) {
      if (cl.type != CodeType::kHcpcs) return Fail(line, v.column[kMfModifiers], "only HCPCS lines carry modifiers");
      auto mods = Modifiers::Parse(v.v[kMfModifiers]);
      if (!mods) return Fail(line, v.column[kMfModifiers], "at most 4 two-character modifiers");
      cl.modifiers = *mods;
    }
    if (!v.v[kMfUnits].empty()) {
      if (cl.type != CodeType::kHcpcs) return Fail(line, v.column[kMfUnits], "only HCPCS lines carry units");
      if (auto why = ParseUnits(v.v[kMfUnits], cl.units); !why.empty()) return Fail(line, v.column[kMfUnits], why);
    } else if (cl.type == CodeType::kHcpcs) {
      cl.units = 1;
    }
    if (!v.v[kMfServiceDate].empty()) {
      auto dos = ParseDate(v, kMfServiceDate);
      if (!dos) return Fail(line, v.column[kMfServiceDate], "must be a real date in the format " + v.date_format[kMfServiceDate]);
      if (*dos < current_.from_date || *dos > current_.through_date)
        return Fail(line, v.column[kMfServiceDate], "outside from_date..through_date");
      cl.service_date = dos;
    }
    if (!v.v[kMfCharge].empty()) {
      std::string charge;
      for (char c : v.v[kMfCharge])
        if (c != '$' && c != ',' && c != ' ') charge.push_back(c);
      if (auto why = ParseCharge(charge, cl.charge_cents); !why.empty()) return Fail(line, v.column[kMfCharge], why);
    }
    current_.lines.push_back(cl);
  }

  void Close() {
    if (!open_) return;
    open_ = false;
    closed_ids_.insert(current_.id);
    rows_.Close(current_, file_, sink_, counts_);
    current_ = Encounter{};
  }

  const std::string& file_;
  const CsvMapping& m_;
  const IngestSink& sink_;
  IngestCounts counts_;
  size_t width_ = 0;
  std::array<Bound, kMfCount> fields_;
  std::vector<Bound> modifiers_;
  std::vector<BoundGroup> groups_;

  bool open_ = false;
  Encounter current_;
  std::array<std::string, kFirstLineField> header_;
  std::array<uint16_t, 2> auto_seq_{};
  EncounterRows rows_;  // the open encounter's rows and its first failure
  std::set<std::string> closed_ids_;
  std::vector<std::string> header_names_;  // the export's column names, by position
};

}  // namespace

IngestCounts ReadMappedCsv(std::istream& in, const std::string& file_name, const CsvMapping& mapping,
                           const IngestSink& sink) {
  MappedReader reader(file_name, mapping, sink);
  return reader.Run(in);
}

IngestCounts ReadMappedCsvFile(const std::string& path, const CsvMapping& mapping, const IngestSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open encounter file " + path);
  return ReadMappedCsv(in, path, mapping, sink);
}

}  // namespace coderaudit::ingest
