#include "audit/ingest/json/claim_json.hpp"

// simdjson (Debian libsimdjson-dev) parses into a flat tape, no allocation per value:
// Poco::JSON's per-value allocations dominated a batch request (80k lines: 0.57 s ->
// under 0.1 s), and RapidJSON 1.1.0 does pointer arithmetic on null (UBSan, the fuzz run).
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <optional>
#include <cctype>
#include <span>
#include <unordered_map>

#include "audit/ingest/json/json_scan.hpp"
#include "audit/ingest/mapping/field_checks.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::ingest {

namespace {

using Value = simdjson::dom::element;

// Where a value sits in the document, rendered into a JSON path ("claims[3].lines[1].units")
// only when a claim is rejected: the happy path builds no strings.
struct Where {
  const Where* parent = nullptr;
  std::string_view key;          // a member name, or empty for an array index
  size_t index = 0;
  std::string Str() const {
    std::string base = parent ? parent->Str() : std::string();
    if (!key.empty()) return base.empty() ? std::string(key) : base + "." + std::string(key);
    if (!parent) return base;
    return base + "[" + std::to_string(index) + "]";
  }
  Where Member(std::string_view k) const { return Where{this, k, 0}; }
  Where At(size_t i) const { return Where{this, {}, i}; }
};

// A claim that cannot be used: where (JSON path) and why. Thrown inside one claim only.
struct ClaimProblem {
  std::string field, reason;
};

constexpr std::string_view kClaimKeys[] = {
    "encounter_id", "patient_id", "sex", "birth_date", "from_date", "through_date",
    "claim_type", "provider_id", "coder_id", "payer", "drg", "discharge_status",
    "place_of_service", "type_of_bill", "claim_frequency", "total_charge",
    "rendering_provider_id", "attending_provider_id", "admitting_dx", "visit_reason_dx",
    "diagnoses", "procedures", "lines"};
constexpr std::string_view kDiagnosisKeys[] = {"code", "seq", "poa"};
constexpr std::string_view kProcedureKeys[] = {"code", "seq", "date"};
constexpr std::string_view kLineKeys[] = {
    "code", "seq", "modifiers", "units", "date", "charge", "revenue_code", "place_of_service",
    "dx_pointers"};

std::string_view TypeName(const Value& v) {
  if (v.is_null()) return "null";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_bool()) return "a boolean";
  if (v.is_number()) return "a number";
  return "an unsupported value";
}

// The checked conversions below run after the type test: simdjson's conversion operators
// would throw on a wrong type, never here.
std::string_view Text(const Value& v) { return static_cast<std::string_view>(v); }
simdjson::dom::object ObjectOf(const Value& v) { return static_cast<simdjson::dom::object>(v); }
simdjson::dom::array ArrayOf(const Value& v) { return static_cast<simdjson::dom::array>(v); }

// A member name as it may appear in a reason: printable ASCII, at most 40 characters.
// An unknown member's name as messages show it: a name shaped like the schema's own
// (lower-case snake_case, at most 40 characters) or one of `known` in other letter case
// (a misspelt field); never anything else, which could be data put where a name belongs
// (a patient's name or id used as a key).
std::string SafeName(std::string_view key, std::span<const std::string_view> known = {}) {
  const bool schema_like = !key.empty() && key.size() <= 40 && key[0] >= 'a' && key[0] <= 'z' &&
                           std::all_of(key.begin(), key.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                           });
  bool known_in_other_case = false;
  for (auto k : known)
    known_in_other_case = known_in_other_case ||
                          (k.size() == key.size() && std::equal(k.begin(), k.end(), key.begin(), [](char a, char b) {
                             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                           }));
  return schema_like || known_in_other_case ? std::string(key) : "(a member whose name is not shown)";
}

[[noreturn]] void Fail(const Where& at, std::string reason) {
  throw ClaimProblem{at.Str(), std::move(reason)};
}

void Expect(const Value& v, bool ok, const Where& at, std::string_view what) {
  if (!ok) Fail(at, "must be " + std::string(what) + ", got " + std::string(TypeName(v)));
}

// Strict: a billing integration that misspells a field must hear about it, not have
// the value silently dropped.
void NoUnknownMembers(const Value& o, std::span<const std::string_view> known, const Where& at) {
  for (const auto member : ObjectOf(o)) {
    const std::string_view key = member.key;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string safe = SafeName(key, known);
      Fail(at.Member(safe), "unknown field (see schemas/claim-json.md)");
    }
  }
}

const Value& AsObject(const Value& v, const Where& at) {
  Expect(v, v.is_object(), at, "an object");
  return v;
}

// A number as text for the CSV layout's parsers ("12.5", "3"); strings too when
// `string_ok` (amounts may be written as decimal strings, exact to the cent).
std::string NumberText(const Value& v, const Where& at, bool string_ok) {
  if (string_ok && v.is_string()) return std::string(Text(v));
  Expect(v, v.is_number(), at, string_ok ? "a number or a decimal string" : "a number");
  if (v.is_int64()) return std::to_string(static_cast<int64_t>(v));
  if (v.is_uint64()) return std::to_string(static_cast<uint64_t>(v));
  // Shortest text that reads back as the same double: 210.1 stays "210.1".
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<double>(v));
  if (ec != std::errc()) Fail(at, "number out of range");
  return std::string(buf.data(), end);
}

class Fields {
 public:
  Fields(const Value& o, const Where& at) : o_(o), at_(at) {}

  Where Path(std::string_view key) const { return at_.Member(key); }
  const Where& At() const { return at_; }

  std::optional<Value> Get(std::string_view key) const {
    Value v;
    if (ObjectOf(o_).at_key(key).get(v) != simdjson::SUCCESS) return std::nullopt;
    return v;
  }
  bool Has(std::string_view key) const { return Get(key).has_value(); }

  std::optional<std::string_view> String(std::string_view key) const {
    const auto v = Get(key);
    if (!v) return std::nullopt;
    Expect(*v, v->is_string(), Path(key), "a string");
    return Text(*v);
  }

  std::string_view Required(std::string_view key) const {
    auto s = String(key);
    if (!s) Fail(Path(key), "is required");
    return *s;
  }

  std::optional<std::string> Number(std::string_view key, bool string_ok) const {
    const auto v = Get(key);
    if (!v) return std::nullopt;
    return NumberText(*v, Path(key), string_ok);
  }

  std::optional<simdjson::dom::array> Arr(std::string_view key) const {
    const auto v = Get(key);
    if (!v) return std::nullopt;
    Expect(*v, v->is_array(), Path(key), "an array");
    return ArrayOf(*v);
  }

 private:
  Value o_;
  const Where& at_;
};

Date RequiredDate(const Fields& f, std::string_view key) {
  const auto d = ParseIsoDate(f.Required(key));
  if (!d) Fail(f.Path(key), "must be a real date YYYY-MM-DD");
  return *d;
}

std::string Identifier(const Fields& f, std::string_view key, bool required) {
  const auto s = required ? std::optional(f.Required(key)) : f.String(key);
  if (!s) return "";
  if (!IsIdentifier(*s)) Fail(f.Path(key), "must be 1-64 printable characters");
  return std::string(*s);
}

std::string Digits(const Fields& f, std::string_view key, size_t min, size_t max) {
  const auto s = f.String(key);
  if (!s) return "";
  if (s->size() < min || s->size() > max || !AllDigits(*s))
    Fail(f.Path(key), min == max ? "must be " + std::to_string(min) + " digits"
                                 : "must be " + std::to_string(min) + "-" + std::to_string(max) + " digits");
  return std::string(*s);
}

Code ParseCodeAt(CodeType type, const Value& v, const Where& at) {
  Expect(v, v.is_string(), at, "a string");
  Code code;
  if (auto why = ParseCodeForType(type, Text(v), code); !why.empty()) Fail(at, why);
  return code;
}

Code RequiredCode(const Fields& f, CodeType type) {
  Code code;
  if (auto why = ParseCodeForType(type, f.Required("code"), code); !why.empty()) Fail(f.Path("code"), why);
  return code;
}

// Reads one claim object into `e`; throws ClaimProblem at the first bad value.
class ClaimBuilder {
 public:
  ClaimBuilder(Encounter& e, uint32_t claim_no) : e_(e), claim_no_(claim_no) {}

  void Build(const Value& claim, const Where& at,
             std::unordered_map<std::string, uint32_t>& seen_ids) {
    NoUnknownMembers(claim, kClaimKeys, at);
    const Fields f(claim, at);
    e_.id = Identifier(f, "encounter_id", true);
    // A repeated id in one batch is ambiguous (which one is the claim?): the later one
    // is rejected, as the CSV reader rejects an id that reappears.
    if (auto [it, fresh] = seen_ids.emplace(e_.id, claim_no_); !fresh)
      Fail(f.Path("encounter_id"), "repeats the encounter_id of claim " + std::to_string(it->second) + " in this batch");
    e_.source_line = claim_no_;
    e_.patient_id = Identifier(f, "patient_id", true);
    const auto sex = ParseSex(f.Required("sex"));
    if (!sex) Fail(f.Path("sex"), "must be F, M or U");
    e_.sex = *sex;
    e_.birth_date = RequiredDate(f, "birth_date");
    e_.from_date = RequiredDate(f, "from_date");
    e_.through_date = RequiredDate(f, "through_date");
    if (e_.through_date < e_.from_date) Fail(f.Path("through_date"), "is before from_date");
    if (*e_.birth_date > e_.from_date) Fail(f.Path("birth_date"), "is after from_date");
    const auto type = ParseClaimType(f.Required("claim_type"));
    if (!type) Fail(f.Path("claim_type"), "must be inpatient, outpatient or professional");
    e_.claim_type = *type;
    e_.provider_id = Identifier(f, "provider_id", true);
    e_.coder_id = Identifier(f, "coder_id", true);
    e_.payer = std::string(f.String("payer").value_or(""));
    e_.drg = Digits(f, "drg", 3, 3);
    e_.discharge_status = Digits(f, "discharge_status", 2, 2);
    e_.place_of_service = Digits(f, "place_of_service", 2, 2);
    e_.type_of_bill = Digits(f, "type_of_bill", 3, 4);
    if (e_.type_of_bill.size() == 3) e_.type_of_bill.insert(0, "0");  // as FHIR: "111" is "0111"
    e_.claim_frequency = Digits(f, "claim_frequency", 1, 1);
    if (auto t = f.Number("total_charge", true))
      if (auto why = ParseCharge(*t, e_.total_charge_cents); !why.empty()) Fail(f.Path("total_charge"), why);
    e_.rendering_provider_id = Identifier(f, "rendering_provider_id", false);
    e_.attending_provider_id = Identifier(f, "attending_provider_id", false);
    if (const auto v = f.Get("admitting_dx"))
      e_.admitting_dx = ParseCodeAt(CodeType::kDiagnosis, *v, f.Path("admitting_dx"));
    if (const auto reasons = f.Arr("visit_reason_dx")) {
      const Where list = f.Path("visit_reason_dx");
      if (reasons->size() > 3) Fail(list, "at most 3 reason-for-visit diagnoses");
      size_t i = 0;
      for (const Value item : *reasons)
        e_.visit_reason_dx.push_back(ParseCodeAt(CodeType::kDiagnosis, item, list.At(i++)));
    }
    // Lines in the model's order: diagnoses, procedures, then service lines.
    Each(f, "diagnoses", [&](const Value& o, const Where& w) { Diagnosis(o, w); });
    Each(f, "procedures", [&](const Value& o, const Where& w) { Procedure(o, w); });
    Each(f, "lines", [&](const Value& o, const Where& w) { Line(o, w); });
    if (e_.lines.empty()) Fail(at.Member("lines"), "claim has no diagnoses, procedures or lines");
    // The cross-field checks every foreign-format reader applies: a safety net here.
    if (auto problem = CheckAssembledEncounter(e_)) {
      std::string at_path = at.Str();
      if (problem->line_index >= 0) {
        const auto& [list, index] = line_places_[static_cast<size_t>(problem->line_index)];
        at_path = at.Member(list).At(index).Str();
      }
      const std::string field = problem->field == "service_date" ? "date" : problem->field;
      throw ClaimProblem{at_path.empty() ? field : at_path + "." + field, problem->reason};
    }
  }

 private:
  template <typename F>
  void Each(const Fields& f, std::string_view key, F&& one) {
    const auto arr = f.Arr(key);
    if (!arr) return;
    const Where list = f.Path(key);
    size_t i = 0;
    for (const Value element : *arr) {
      const Where item = list.At(i);
      list_ = key;
      index_ = i++;
      one(AsObject(element, item), item);
    }
  }

  uint16_t Seq(const Fields& f, bool required) {
    const auto t = f.Number("seq", false);
    if (!t) {
      if (required) Fail(f.Path("seq"), "is required");
      return 0;
    }
    uint16_t seq = 0;
    if (auto why = ParseSeq(*t, seq); !why.empty()) Fail(f.Path("seq"), why);
    return seq;
  }

  void UniqueSeq(const CodedLine& line, const Fields& f) {
    for (const auto& other : e_.lines)
      if (other.type == line.type && other.seq == line.seq)
        Fail(f.Path("seq"), "repeats a sequence number of this claim");
  }

  std::optional<Date> LineDate(const Fields& f) {
    const auto s = f.String("date");
    if (!s) return std::nullopt;
    const auto d = ParseIsoDate(*s);
    if (!d) Fail(f.Path("date"), "must be a real date YYYY-MM-DD");
    if (*d < e_.from_date || *d > e_.through_date) Fail(f.Path("date"), "outside from_date..through_date");
    return d;
  }

  void Add(CodedLine& line) {
    line.source_line = claim_no_;
    e_.lines.push_back(line);
    line_places_.emplace_back(list_, index_);
  }

  void Diagnosis(const Value& o, const Where& at) {
    NoUnknownMembers(o, kDiagnosisKeys, at);
    const Fields f(o, at);
    CodedLine line;
    line.type = CodeType::kDiagnosis;
    line.code = RequiredCode(f, line.type);
    line.seq = Seq(f, true);
    UniqueSeq(line, f);
    if (const auto poa = f.String("poa"); poa && !poa->empty()) {
      if (poa->size() != 1 || std::string_view("YNUW1").find((*poa)[0]) == std::string_view::npos)
        Fail(f.Path("poa"), "must be Y, N, U, W or 1");
      line.poa = (*poa)[0];
    }
    Add(line);
  }

  void Procedure(const Value& o, const Where& at) {
    NoUnknownMembers(o, kProcedureKeys, at);
    const Fields f(o, at);
    CodedLine line;
    line.type = CodeType::kPcs;
    line.code = RequiredCode(f, line.type);
    line.seq = Seq(f, true);
    UniqueSeq(line, f);
    line.service_date = LineDate(f);
    Add(line);
  }

  void Line(const Value& o, const Where& at) {
    NoUnknownMembers(o, kLineKeys, at);
    const Fields f(o, at);
    CodedLine line;
    line.type = CodeType::kHcpcs;
    line.code = RequiredCode(f, line.type);
    line.seq = Seq(f, false);
    if (const auto mods = f.Arr("modifiers")) {
      const Where list = f.Path("modifiers");
      if (mods->size() > Modifiers::kMax) Fail(list, "at most 4 modifiers");
      size_t i = 0;
      for (const Value m : *mods) {
        Expect(m, m.is_string(), list.At(i), "a string");
        if (!line.modifiers.Add(Text(m))) Fail(list.At(i), "a modifier has exactly 2 characters");
        ++i;
      }
    }
    line.units = 1;
    if (const auto t = f.Number("units", false))
      if (auto why = ParseUnits(*t, line.units); !why.empty()) Fail(f.Path("units"), why);
    line.service_date = LineDate(f);
    if (const auto t = f.Number("charge", true))
      if (auto why = ParseCharge(*t, line.charge_cents); !why.empty()) Fail(f.Path("charge"), why);
    if (const auto s = Digits(f, "revenue_code", 4, 4); !s.empty()) line.revenue_code = *Code::Parse(s);
    if (const auto s = Digits(f, "place_of_service", 2, 2); !s.empty()) line.place_of_service = *Code::Parse(s);
    if (const auto ptrs = f.Arr("dx_pointers")) {
      const Where list = f.Path("dx_pointers");
      if (ptrs->size() > line.dx_pointers.size()) Fail(list, "at most 4 diagnosis pointers");
      size_t i = 0;
      for (const Value ptr : *ptrs) {
        uint16_t seq = 0;
        if (auto why = ParseSeq(NumberText(ptr, list.At(i), false), seq); !why.empty())
          Fail(list.At(i), why);
        bool found = false;
        for (const auto& dx : e_.lines) found = found || (dx.type == CodeType::kDiagnosis && dx.seq == seq);
        if (!found || seq > 255) Fail(list.At(i), "points to no diagnosis seq of this claim");
        line.dx_pointers[i++] = static_cast<uint8_t>(seq);
      }
    }
    Add(line);
  }

  Encounter& e_;
  uint32_t claim_no_;
  std::string_view list_;   // the list and index of the coded line being read
  size_t index_ = 0;
  std::vector<std::pair<std::string_view, size_t>> line_places_;  // of each entry of e_.lines
};

class ClaimFile {
 public:
  ClaimFile(const std::string& name, const IngestSink& sink) : name_(name), sink_(sink) {}

  IngestCounts Run(const Value& root) {
    const Where top;
    if (root.is_array()) {
      Claims(root, top);
    } else if (root.is_object()) {
      const auto object = ObjectOf(root);
      Value claims;
      if (object.at_key("claims").get(claims) == simdjson::SUCCESS) {
        for (const auto member : object)
          if (member.key != "claims")
            throw InputError(name_ + ": unknown member '" + SafeName(member.key) + "' next to \"claims\" (see schemas/claim-json.md)");
        if (!claims.is_array())
          throw InputError(name_ + ": \"claims\" must be an array, got " + std::string(TypeName(claims)));
        Claims(claims, top.Member("claims"));
      } else {
        One(root, 1, top);
      }
    } else {
      throw InputError(name_ + ": a JSON claim document is a claim object, an array of claims or {\"claims\": [...]}, got " +
                       std::string(TypeName(root)));
    }
    return counts_;
  }

 private:
  void Claims(const Value& claims, const Where& list) {
    size_t i = 0;
    for (const Value claim : ArrayOf(claims)) {
      One(claim, static_cast<uint32_t>(std::min<size_t>(i + 1, UINT32_MAX)), list.At(i));
      ++i;
    }
  }

  void One(const Value& v, uint32_t claim_no, const Where& at) {
    counts_.records_read++;
    counts_.encounters_read++;
    Encounter e;
    try {
      const Where named = at.parent || !at.key.empty() ? at : Where{nullptr, "(claim)", 0};
      ClaimBuilder(e, claim_no).Build(AsObject(v, named), at, seen_ids_);
    } catch (const ClaimProblem& p) {
      counts_.records_rejected++;
      counts_.encounters_rejected++;
      if (sink_.on_reject) sink_.on_reject(Reject{name_, claim_no, p.field, p.reason, ""});
      if (sink_.on_encounter_rejected && !e.id.empty()) sink_.on_encounter_rejected(e.id);
      return;
    }
    counts_.records_processed++;
    counts_.encounters_processed++;
    e.source_file = name_;
    if (sink_.on_encounter) sink_.on_encounter(std::move(e));
  }

  const std::string& name_;
  const IngestSink& sink_;
  IngestCounts counts_;
  std::unordered_map<std::string, uint32_t> seen_ids_;
};

}  // namespace

IngestCounts ReadClaimJson(std::string_view text, const std::string& name, const IngestSink& sink,
                           const ClaimJsonOptions& options) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (text.size() > options.max_document_bytes)
    throw InputError(name + ": JSON claim document larger than " +
                     std::to_string(options.max_document_bytes >> 20) + " MiB; send smaller batches");
  const JsonLimits limits{options.max_depth, options.max_string_bytes};
  if (const auto error = CheckJsonSyntax(text, limits))
    throw InputError(name + ": not valid JSON at byte " + std::to_string(error->offset) + ": " + error->reason);
  // A claim document is an array or an object at the top: name what else came.
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (text[first] != '{' && text[first] != '[') {
    const char c = text[first];
    throw InputError(name + ": a JSON claim document is a claim object, an array of claims or {\"claims\": [...]}, got " +
                     (c == '"' ? "a string" : c == 'n' ? "null" : c == 't' || c == 'f' ? "a boolean" : "a number"));
  }
  // One parser per thread: its buffers are reused from document to document.
  thread_local simdjson::dom::parser parser;
  const simdjson::padded_string padded(text.data(), text.size());
  Value root;
  if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS)
    // The scan accepted it, so this is a value simdjson refuses.
    throw InputError(name + ": JSON not readable: " + simdjson::error_message(error));
  ClaimFile file(name, sink);
  return file.Run(root);
}

IngestCounts ReadClaimJsonFile(const std::string& path, const IngestSink& sink, const ClaimJsonOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open JSON claim file " + path);
  return ReadClaimJsonStream(in, path, sink, options);
}

IngestCounts ReadClaimJsonStream(std::istream& in, const std::string& path, const IngestSink& sink,
                                 const ClaimJsonOptions& options) {
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > options.max_document_bytes + 3)
      throw InputError(path + ": JSON claim document larger than " +
                       std::to_string(options.max_document_bytes >> 20) + " MiB; split it into smaller files");
  }
  return ReadClaimJson(text, path, sink, options);
}

}  // namespace coderaudit::ingest
