#include "audit/refdata/readers.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

#include "audit/io/csv_reader.hpp"
#include "audit/model/error.hpp"
#include "audit/refdata/period.hpp"

namespace coderaudit::refdata::detail {

namespace {

constexpr size_t kMaxRaw = 200;

// One record of a delimited file, whatever the delimiter.
struct Record {
  uint32_t line = 0;
  std::vector<std::string> fields;
  std::string raw;
  std::string error;  // malformed at the tokenizer level
};

// Tab-separated (NCCI PTP, MCE v37, POA lists: no quoting in those layouts) or RFC 4180
// CSV (the ingest tokenizer), behind one interface.
class Records {
 public:
  // `line_offset`: lines already consumed from the source (a sniffed header line).
  Records(Source& src, char delimiter, uint32_t line_offset = 0)
      : src_(src), lines_(src), tsv_(delimiter == '\t'), offset_(line_offset) {
    if (!tsv_) csv_ = std::make_unique<io::CsvReader>(src.Stream());
  }

  // A header line read before the tokenizer was chosen: split on the delimiter, quotes
  // around names dropped (header names never contain delimiters or quotes).
  static std::vector<std::string> SplitHeader(std::string_view line, char delimiter) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
      const size_t at = line.find(delimiter, start);
      std::string f(line.substr(start, at == std::string_view::npos ? at : at - start));
      if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
      out.push_back(std::move(f));
      if (at == std::string_view::npos) break;
      start = at + 1;
    }
    return out;
  }

  bool Next(Record& r) {
    r.fields.clear();
    r.error.clear();
    if (tsv_) {
      bool too_long = false;
      for (;;) {
        if (!lines_.Next(line_, r.line, too_long)) return false;
        if (!line_.empty() || too_long) break;  // blank lines carry nothing
      }
      r.line += offset_;
      r.raw = line_.substr(0, kMaxRaw);
      if (too_long) {
        r.error = "line longer than " + std::to_string(LineReader::kMaxLine) + " bytes";
        return true;
      }
      size_t start = 0;
      for (;;) {
        const size_t tab = line_.find('\t', start);
        r.fields.push_back(line_.substr(start, tab == std::string::npos ? tab : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
      }
      return true;
    }
    io::CsvRecord rec;
    if (!csv_->Next(rec)) {
      src_.CheckEnd();
      return false;
    }
    r.line = rec.line + offset_;
    r.fields = std::move(rec.fields);
    r.raw = rec.raw.substr(0, kMaxRaw);
    r.error = rec.error;
    return true;
  }

 private:
  Source& src_;
  LineReader lines_;
  bool tsv_;
  uint32_t offset_;
  std::string line_;
  std::unique_ptr<io::CsvReader> csv_;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Column positions by header name (lower case, BOM and spaces trimmed).
class Header {
 public:
  explicit Header(const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string_view f = fields[i];
      if (i == 0 && f.starts_with("\xEF\xBB\xBF")) f.remove_prefix(3);
      index_.emplace(Lower(Trim(f)), i);
    }
  }
  // First of the names present.
  std::optional<size_t> Find(std::initializer_list<std::string_view> names) const {
    for (auto n : names)
      if (auto it = index_.find(std::string(n)); it != index_.end()) return it->second;
    return std::nullopt;
  }

 private:
  std::map<std::string, size_t> index_;
};

class Rejecter {
 public:
  Rejecter(const Source& src, std::vector<Reject>& out) : file_(src.Name()), out_(out) {}
  void operator()(const Record& r, std::string field, std::string reason) {
    out_.push_back(Reject{file_, r.line, std::move(field), std::move(reason), r.raw});
  }

 private:
  std::string file_;
  std::vector<Reject>& out_;
};

// Every reader's first two checks: the record parsed, and it has the fields the layout
// needs. Otherwise it is rejected and the caller moves on to the next record.
bool Usable(const Record& r, size_t need, Rejecter& reject,
            std::string_view fields_word = "fields") {
  if (!r.error.empty()) {
    reject(r, "", r.error);
    return false;
  }
  if (r.fields.size() < need) {
    reject(r, "",
           "expected " + std::to_string(need) + " " + std::string(fields_word) + ", found " +
               std::to_string(r.fields.size()));
    return false;
  }
  return true;
}

// Reads the header record; throws InputError when the file is empty.
Record ReadHeader(Records& records, const Source& src) {
  Record r;
  if (!records.Next(r)) throw InputError(src.Name() + ": empty file");
  return r;
}

[[noreturn]] void WrongLayout(const Source& src, const std::string& layout,
                              const std::string& needs) {
  throw InputError(src.Name() + ": header does not match the " + layout + " layout (needs " +
                   needs + ")");
}

bool AllAlnumUpper(std::string_view s) {
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

std::string Normalise(std::string_view text) {
  std::string s;
  for (char c : Trim(text)) {
    if (c == '.') continue;
    s += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return s;
}

template <typename Int>
bool ParseUnsigned(std::string_view s, Int& out, Int max) {
  s = Trim(s);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

// Interns rationale texts into a small table (the PTP file has a dozen distinct ones).
class Strings {
 public:
  std::optional<uint16_t> Intern(std::string_view s) {
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    if (table_.size() >= 65535) return std::nullopt;
    const auto id = static_cast<uint16_t>(table_.size());
    table_.emplace_back(s);
    index_.emplace(std::string(s), id);
    return id;
  }
  std::vector<std::string> Take() { return std::move(table_); }

 private:
  std::vector<std::string> table_;
  std::unordered_map<std::string, uint16_t> index_;
};

std::string_view Field(const Record& r, size_t col) { return Trim(r.fields[col]); }

size_t MaxCol(std::initializer_list<std::optional<size_t>> cols) {
  size_t m = 0;
  for (auto c : cols)
    if (c) m = std::max(m, *c);
  return m;
}

}  // namespace

std::optional<Code> ParseHcpcsCode(std::string_view text) {
  const std::string s = Normalise(text);
  if (s.size() != 5 || !AllAlnumUpper(s)) return std::nullopt;
  return Code::Parse(s);
}

std::optional<Code> ParseIcdCmCode(std::string_view text) {
  const std::string s = Normalise(text);
  if (s.size() < 3 || s.size() > 7 || !AllAlnumUpper(s)) return std::nullopt;
  // A letter, then letters or digits: FY2026 opened chapter QA0 (letter in place 2).
  if (s[0] < 'A' || s[0] > 'Z') return std::nullopt;
  return Code::Parse(s);
}

std::optional<Code> ParseIcdPcsCode(std::string_view text) {
  const std::string s = Normalise(text);
  if (s.size() < 3 || s.size() > 7 || !AllAlnumUpper(s)) return std::nullopt;
  return Code::Parse(s);
}

PtpRows ReadPtp(Source& src, std::vector<Reject>& rejects) {
  Records records(src, '\t');
  Rejecter reject(src, rejects);
  const Header h(ReadHeader(records, src).fields);
  const auto c1 = h.Find({"column1", "column 1"});
  const auto c2 = h.Find({"column2", "column 2"});
  const auto eff = h.Find({"effective_date", "effective date"});
  const auto del = h.Find({"deletion_date", "deletion date"});
  const auto mod = h.Find({"modifier", "modifier indicator", "modifier_indicator"});
  const auto rat = h.Find({"rationale", "ptp edit rationale", "ptp_edit_rationale"});
  if (!c1 || !c2 || !del || !mod || !rat)
    WrongLayout(src, "NCCI PTP",
                "column1, column2, deletion_date, modifier, rationale; tab-separated");
  const size_t need = MaxCol({c1, c2, eff, del, mod, rat}) + 1;

  PtpRows out;
  out.had_effective_column = eff.has_value();
  Strings strings;
  Record r;
  while (records.Next(r)) {
    if (!Usable(r, need, reject, "tab-separated fields")) continue;
    PtpRow row;
    const auto a = ParseHcpcsCode(Field(r, *c1));
    if (!a) {
      reject(r, "column1", "not a 5-character HCPCS/CPT code");
      continue;
    }
    const auto b = ParseHcpcsCode(Field(r, *c2));
    if (!b) {
      reject(r, "column2", "not a 5-character HCPCS/CPT code");
      continue;
    }
    row.column1 = *a;
    row.column2 = *b;
    if (eff) {
      const auto e = Field(r, *eff);
      if (!e.empty() && e != "*") {
        row.effective = ParseTableDate(e);
        if (!row.effective) {
          reject(r, "effective_date", "not a date (YYYYMMDD)");
          continue;
        }
      }
    }
    const auto d = Field(r, *del);
    if (d != "*") {
      row.deleted = ParseTableDate(d);
      if (!row.deleted) {
        reject(r, "deletion_date", "not a date (YYYYMMDD) or '*'");
        continue;
      }
    }
    if (row.effective && row.deleted && *row.deleted < *row.effective) {
      reject(r, "deletion_date", "before the effective date");
      continue;
    }
    const auto m = Field(r, *mod);
    if (m != "0" && m != "1" && m != "9") {
      reject(r, "modifier", "modifier indicator must be 0, 1 or 9");
      continue;
    }
    row.modifier = static_cast<uint8_t>(m[0] - '0');
    const auto id = strings.Intern(Field(r, *rat));
    if (!id) {
      reject(r, "rationale", "too many distinct rationales");
      continue;
    }
    row.rationale = *id;
    out.rows.push_back(row);
  }
  out.rationales = strings.Take();
  return out;
}

MueRows ReadMue(Source& src, TableKind kind, std::vector<Reject>& rejects) {
  Records records(src, ',');
  Rejecter reject(src, rejects);
  const Header h(ReadHeader(records, src).fields);
  const auto code = h.Find({"hcpcs_code", "hcpcs/cpt code", "hcpcs"});
  const auto units = h.Find({"mue_units", "mue values", "practitioner services mue values"});
  const auto mai = h.Find({"mue_mai", "mue adjudication indicator", "mai"});
  const auto rat = h.Find({"mue_rationale", "mue rationale"});
  const auto service = h.Find({"mue_service"});
  if (!code || !units || !mai)
    WrongLayout(src, "NCCI MUE", "hcpcs_code, mue_units, mue_mai; comma-separated");
  const size_t need = MaxCol({code, units, mai, rat, service}) + 1;
  const std::string expected_service = kind == TableKind::kMuePractitioner ? "practitioner"
                                       : kind == TableKind::kMueOutpatient ? "outpatient hospital"
                                                                           : "dme supplier";
  MueRows out;
  Strings strings;
  std::unordered_map<Code, uint32_t> first_line;
  Record r;
  while (records.Next(r)) {
    if (!Usable(r, need, reject)) continue;
    MueRow row;
    const auto c = ParseHcpcsCode(Field(r, *code));
    if (!c) {
      reject(r, "hcpcs_code", "not a 5-character HCPCS/CPT code");
      continue;
    }
    row.code = *c;
    if (!ParseUnsigned<uint32_t>(Field(r, *units), row.units, 1000000)) {
      reject(r, "mue_units", "units must be a whole number 0..1000000");
      continue;
    }
    const auto m = Field(r, *mai);
    if (m != "1" && m != "2" && m != "3") {
      reject(r, "mue_mai", "MUE adjudication indicator must be 1, 2 or 3");
      continue;
    }
    row.mai = static_cast<uint8_t>(m[0] - '0');
    if (service && Lower(Field(r, *service)) != expected_service) {
      reject(r, "mue_service", "row is for another setting than " + std::string(ToString(kind)));
      continue;
    }
    const auto id = strings.Intern(rat ? Field(r, *rat) : std::string_view());
    if (!id) {
      reject(r, "mue_rationale", "too many distinct rationales");
      continue;
    }
    row.rationale = *id;
    if (auto [it, fresh] = first_line.emplace(row.code, r.line); !fresh) {
      reject(r, "hcpcs_code", "duplicate code (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    out.rows.push_back(row);
  }
  out.rationales = strings.Take();
  return out;
}

std::vector<AddOnRow> ReadAddOn(Source& src, std::vector<Reject>& rejects) {
  Records records(src, ',');
  Rejecter reject(src, rejects);
  const Header h(ReadHeader(records, src).fields);
  const auto primary = h.Find({"primary_code", "primary code"});
  const auto add_on = h.Find({"add_on_code", "add-on code", "add on code"});
  const auto type = h.Find({"aoc_edit_type", "aoc edit type", "edit type"});
  if (!primary || !add_on || !type)
    WrongLayout(src, "NCCI add-on code", "primary_code, add_on_code, aoc_edit_type");
  const size_t need = MaxCol({primary, add_on, type}) + 1;
  std::vector<AddOnRow> out;
  Record r;
  while (records.Next(r)) {
    if (!Usable(r, need, reject)) continue;
    AddOnRow row;
    const auto a = ParseHcpcsCode(Field(r, *add_on));
    if (!a) {
      reject(r, "add_on_code", "not a 5-character HCPCS/CPT code");
      continue;
    }
    row.add_on = *a;
    const auto p = Field(r, *primary);
    if (p != "CCCCC") {
      row.primary = ParseHcpcsCode(p);
      if (!row.primary) {
        reject(r, "primary_code", "not a 5-character HCPCS/CPT code or CCCCC");
        continue;
      }
    }
    const auto t = Field(r, *type);
    if (t != "1" && t != "2" && t != "3") {
      reject(r, "aoc_edit_type", "add-on edit type must be 1, 2 or 3");
      continue;
    }
    row.type = static_cast<uint8_t>(t[0] - '0');
    out.push_back(row);
  }
  return out;
}

std::vector<OrderRow> ReadOrder(Source& src, TableKind kind, std::vector<Reject>& rejects) {
  LineReader lines(src);
  Rejecter reject(src, rejects);
  std::vector<OrderRow> out;
  std::unordered_map<Code, uint32_t> first_line;
  std::string line;
  uint32_t line_no = 0;
  bool too_long = false;
  Record r;  // for the rejecter
  bool any = false;
  while (lines.Next(line, line_no, too_long)) {
    if (line.empty() && !too_long) continue;
    any = true;
    r.line = line_no;
    r.raw = line.substr(0, kMaxRaw);
    if (too_long) {
      reject(r, "", "line longer than " + std::to_string(LineReader::kMaxLine) + " bytes");
      continue;
    }
    // Fixed width: order number (1-5), blank, code (7-13), blank, flag (15), blank, titles.
    if (line.size() < 15) {
      reject(r, "", "shorter than the order-file layout (code in columns 7-13, flag in 15)");
      continue;
    }
    bool number_ok = line[5] == ' ';
    for (int i = 0; i < 5; ++i) number_ok = number_ok && line[i] >= '0' && line[i] <= '9';
    if (!number_ok) {
      reject(r, "order_number", "columns 1-5 must be the order number");
      continue;
    }
    const std::string_view code_text = Trim(std::string_view(line).substr(6, 7));
    const auto code =
        kind == TableKind::kIcd10PcsOrder ? ParseIcdPcsCode(code_text) : ParseIcdCmCode(code_text);
    if (!code || line[13] != ' ' || code_text.find('.') != std::string_view::npos) {
      reject(r, "code",
             kind == TableKind::kIcd10PcsOrder
                 ? "columns 7-13 must be an ICD-10-PCS code"
                 : "columns 7-13 must be an ICD-10-CM code without the dot");
      continue;
    }
    if (line[14] != '0' && line[14] != '1') {
      reject(r, "billable", "column 15 must be 0 (header) or 1 (valid for submission)");
      continue;
    }
    if (auto [it, fresh] = first_line.emplace(*code, line_no); !fresh) {
      reject(r, "code", "duplicate code (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    // Short title in columns 17-76, long title from column 78 (CMS's layout); the long
    // one is what the tabular prints, the short one stands in when a file lacks it.
    const std::string_view rest = std::string_view(line).substr(15);
    std::string_view title = rest.size() > 62 ? Trim(rest.substr(62)) : std::string_view();
    if (title.empty()) title = Trim(rest.substr(0, std::min<size_t>(rest.size(), 61)));
    out.push_back({*code, line[14] == '1', std::string(title)});
  }
  if (!any) throw InputError(src.Name() + ": empty file");
  return out;
}

std::vector<HcpcsRow> ReadHcpcs(Source& src, std::vector<Reject>& rejects) {
  Records records(src, ',');
  Rejecter reject(src, rejects);
  const Header h(ReadHeader(records, src).fields);
  const auto code = h.Find({"hcpcs_code", "hcpc", "hcpcs"});
  const auto added = h.Find({"date_added", "add_dt"});
  const auto term = h.Find({"date_term", "term_dt"});
  const auto long_title = h.Find({"long_description", "long description", "long_desc"});
  const auto short_title = h.Find({"short_description", "short description", "short_desc"});
  if (!code) WrongLayout(src, "HCPCS attributes", "hcpcs_code; comma-separated");
  const size_t need = MaxCol({code, added, term}) + 1;
  std::vector<HcpcsRow> out;
  std::unordered_map<Code, uint32_t> first_line;
  Record r;
  while (records.Next(r)) {
    if (!Usable(r, need, reject)) continue;
    HcpcsRow row;
    const auto c = ParseHcpcsCode(Field(r, *code));
    if (!c) {
      reject(r, "hcpcs_code", "not a 5-character HCPCS code");
      continue;
    }
    row.code = *c;
    auto date = [&](std::optional<size_t> col, std::optional<Date>& out_date) {
      if (!col || Field(r, *col).empty()) return true;
      out_date = ParseTableDate(Field(r, *col));
      return out_date.has_value();
    };
    if (!date(added, row.added)) {
      reject(r, "date_added", "not a date (YYYY-MM-DD)");
      continue;
    }
    if (!date(term, row.terminated)) {
      reject(r, "date_term", "not a date (YYYY-MM-DD)");
      continue;
    }
    if (row.added && row.terminated && *row.terminated < *row.added) {
      reject(r, "date_term", "terminated before it was added");
      continue;
    }
    if (auto [it, fresh] = first_line.emplace(row.code, r.line); !fresh) {
      reject(r, "hcpcs_code", "duplicate code (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    // Optional columns after the required ones: a short row simply has no description.
    auto text = [&](std::optional<size_t> col) {
      return col && *col < r.fields.size() ? Trim(Field(r, *col)) : std::string_view();
    };
    row.description = std::string(text(long_title));
    if (row.description.empty()) row.description = std::string(text(short_title));
    out.push_back(row);
  }
  return out;
}

std::vector<Code> ReadCodeList(Source& src, TableKind kind, std::vector<Reject>& rejects) {
  const bool poa = kind == TableKind::kPoaExempt;
  const bool cpt = kind == TableKind::kCpt;
  Records records(src, poa ? '\t' : ',');
  Rejecter reject(src, rejects);
  Record first = ReadHeader(records, src);
  const Header h(first.fields);
  auto parse = [&](std::string_view t) -> std::optional<Code> {
    if (poa) return ParseIcdCmCode(t);
    auto code = ParseHcpcsCode(t);
    // A CPT list holds CPT codes only (a digit first); a Level II code there would make
    // the CPT edit call it valid, and the HCPCS table is where those are judged.
    if (cpt && code && !(code->View()[0] >= '0' && code->View()[0] <= '9')) return std::nullopt;
    return code;
  };
  std::optional<size_t> col = poa ? h.Find({"poaexemptcode", "code", "icd_code"})
                                  : h.Find({"code", "hcpcs_code", "cpt_code", "hcpcs", "cpt"});
  std::vector<Code> out;
  if (!col) {
    // No header: the codes start on line 1, in column 1 (inpatient-only lists people
    // keep by hand). A POA list always has its header.
    if (poa || first.fields.empty() || !parse(first.fields[0]))
      WrongLayout(src, poa ? "POA-exempt" : std::string(ToString(kind)),
                  poa ? "a POAexemptCode column; tab-separated"
                      : "a code column (code, hcpcs_code or cpt_code) or codes in column 1");
    col = 0;
    out.push_back(*parse(first.fields[0]));
  }
  Record r;
  while (records.Next(r)) {
    if (!r.error.empty()) {
      reject(r, "", r.error);
      continue;
    }
    if (r.fields.size() <= *col) {
      reject(r, "",
             "expected at least " + std::to_string(*col + 1) + " fields, found " +
                 std::to_string(r.fields.size()));
      continue;
    }
    const auto c = parse(Field(r, *col));
    if (!c) {
      reject(r, poa ? "POAexemptCode" : "code",
             poa   ? "not an ICD-10-CM code"
             : cpt ? "not a 5-character CPT code (a digit first; HCPCS Level II codes go in "
                     "the hcpcs table)"
                   : "not a 5-character HCPCS/CPT code");
      continue;
    }
    out.push_back(*c);
  }
  return out;
}

namespace {

struct MceMapping {
  std::string_view edit_type;
  char code_type;  // 'D' diagnosis, 'P' procedure
  MceList list;
};

// MCE v37 MCE_Edit_Type x ICD_Code_Type -> list. The sex edits exist for both code types.
constexpr MceMapping kV37[] = {
    {"newborn_only", 'D', MceList::kNewborn},
    {"pediatric_only", 'D', MceList::kPediatric},
    {"maternity_only", 'D', MceList::kMaternity},
    {"adult_only", 'D', MceList::kAdult},
    {"female_only", 'D', MceList::kFemaleDx},
    {"female_only", 'P', MceList::kFemalePx},
    {"male_only", 'D', MceList::kMaleDx},
    {"male_only", 'P', MceList::kMalePx},
    {"principal_manifestation", 'D', MceList::kManifestation},
    {"principal_unacceptable", 'D', MceList::kUnacceptablePrincipal},
    {"principal_questionable_admit", 'D', MceList::kQuestionableAdmission},
    {"principal_nonspecific", 'D', MceList::kNonSpecificPrincipal},
    {"noncovered_always", 'P', MceList::kNonCoveredProcedure},
    {"limited_coverage", 'P', MceList::kLimitedCoverage},
    {"noncovered_over60", 'P', MceList::kNonCoveredOver60},
    {"wrong_performed", 'D', MceList::kWrongProcedure},
    {"noncovered_los_96hr", 'P', MceList::kNonCoveredLos96Hours},
};

// MCE v41.1 icd_conflict_rule text -> list (all v41.1 lists are diagnosis lists).
std::optional<MceList> V41List(std::string_view group, std::string_view rule) {
  const std::string g = Lower(group), r = Lower(rule);
  if (g == "age") {
    if (r.find("newborn") != std::string::npos || r.find("perinatal") != std::string::npos)
      return MceList::kNewborn;
    if (r.find("pediatric") != std::string::npos) return MceList::kPediatric;
    if (r.find("maternity") != std::string::npos) return MceList::kMaternity;
    if (r.find("adult") != std::string::npos) return MceList::kAdult;
  } else if (g == "sex") {
    if (r.find("female") != std::string::npos) return MceList::kFemaleDx;
    if (r.find("male") != std::string::npos) return MceList::kMaleDx;
  } else {
    if (r.find("manifestation") != std::string::npos) return MceList::kManifestation;
    if (r.find("unacceptable") != std::string::npos) return MceList::kUnacceptablePrincipal;
    if (r.find("questionable") != std::string::npos) return MceList::kQuestionableAdmission;
    if (r.find("non-specific") != std::string::npos || r.find("nonspecific") != std::string::npos)
      return MceList::kNonSpecificPrincipal;
  }
  return std::nullopt;
}

}  // namespace

std::vector<MceRow> ReadMce(Source& src, std::vector<Reject>& rejects) {
  // Tell the layouts apart by the first line before choosing the tokenizer.
  std::string peek;
  {
    LineReader probe(src);
    uint32_t n = 0;
    bool too_long = false;
    if (!probe.Next(peek, n, too_long)) throw InputError(src.Name() + ": empty file");
  }
  const bool v37 = peek.find("MCE_Edit_Type") != std::string::npos;
  const bool v41 = peek.find("icd_conflict_group") != std::string::npos;
  if (!v37 && !v41)
    WrongLayout(src, "MCE",
                "MCE_Edit_Type, ICD_Code_Type, ICD_Code (v37 TSV) or icd_code, "
                "icd_conflict_group, icd_conflict_rule (v41.1 CSV)");
  // The header line is consumed; the rest is records, numbered from line 2.
  Records records(src, v37 ? '\t' : ',', 1);
  Rejecter reject(src, rejects);
  const Header h(Records::SplitHeader(peek, v37 ? '\t' : ','));
  std::vector<MceRow> out;
  Record r;
  if (v37) {
    const auto type = h.Find({"mce_edit_type"});
    const auto code_type = h.Find({"icd_code_type"});
    const auto code = h.Find({"icd_code"});
    if (!type || !code_type || !code)
      WrongLayout(src, "MCE v37", "MCE_Edit_Type, ICD_Code_Type, ICD_Code");
    const size_t need = MaxCol({type, code_type, code}) + 1;
    while (records.Next(r)) {
      if (!Usable(r, need, reject, "tab-separated fields")) continue;
      const auto ct = Field(r, *code_type);
      if (ct != "D" && ct != "P") {
        reject(r, "ICD_Code_Type", "must be D (diagnosis) or P (procedure)");
        continue;
      }
      const std::string et = Lower(Field(r, *type));
      std::optional<MceList> list;
      bool known_type = false;
      for (const auto& m : kV37) {
        if (m.edit_type != et) continue;
        known_type = true;
        if (m.code_type == ct[0]) list = m.list;
      }
      if (!list) {
        reject(r, known_type ? "ICD_Code_Type" : "MCE_Edit_Type",
               known_type ? "edit type does not apply to this code type" : "unknown MCE edit type");
        continue;
      }
      const auto c = ct == "D" ? ParseIcdCmCode(Field(r, *code)) : ParseIcdPcsCode(Field(r, *code));
      if (!c) {
        reject(r, "ICD_Code", ct == "D" ? "not an ICD-10-CM code" : "not an ICD-10-PCS code");
        continue;
      }
      out.push_back({*list, *c});
    }
  } else {
    const auto code = h.Find({"icd_code"});
    const auto group = h.Find({"icd_conflict_group"});
    const auto rule = h.Find({"icd_conflict_rule"});
    if (!code || !group || !rule)
      WrongLayout(src, "MCE v41.1", "icd_code, icd_conflict_group, icd_conflict_rule");
    const size_t need = MaxCol({code, group, rule}) + 1;
    while (records.Next(r)) {
      if (!r.error.empty()) {
        reject(r, "", r.error);
        continue;
      }
      if (r.fields.size() < need) {
        reject(r, "",
               "expected " + std::to_string(need) + " fields, found " +
                   std::to_string(r.fields.size()));
        continue;
      }
      const auto list = V41List(Field(r, *group), Field(r, *rule));
      if (!list) {
        reject(r, "icd_conflict_rule", "unknown MCE conflict group/rule");
        continue;
      }
      const auto c = ParseIcdCmCode(Field(r, *code));
      if (!c) {
        reject(r, "icd_code", "not an ICD-10-CM code");
        continue;
      }
      out.push_back({*list, *c});
    }
  }
  return out;
}

}  // namespace coderaudit::refdata::detail
