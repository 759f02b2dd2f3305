#include "audit/ingest/json/claim_json.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

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

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

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

std::string_view TypeName(const Var& v) {
  if (v.isEmpty()) return "null";
  if (v.type() == typeid(Object::Ptr)) return "an object";
  if (v.type() == typeid(Array::Ptr)) return "an array";
  if (v.isString()) return "a string";
  if (v.isBoolean()) return "a boolean";
  if (v.isNumeric()) return "a number";
  return "an unsupported value";
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// A member name as it may appear in a reason: printable ASCII, at most 40 characters.
// An unknown member's name as messages show it: a name shaped like the schema's own
// (lower-case snake_case, at most 40 characters) or one of `known` in other letter case
// (a misspelt field); never anything else, which could be data put where a name belongs
// (a patient's name or id used as a key).
std::string SafeName(const std::string& key, std::span<const std::string_view> known = {}) {
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
  return schema_like || known_in_other_case ? key : "(a member whose name is not shown)";
}

[[noreturn]] void Fail(std::string field, std::string reason) {
  throw ClaimProblem{std::move(field), std::move(reason)};
}

void Expect(const Var& v, bool ok, const std::string& path, std::string_view what) {
  if (!ok) Fail(path, "must be " + std::string(what) + ", got " + std::string(TypeName(v)));
}

// Strict: a billing integration that misspells a field must hear about it, not have
// the value silently dropped.
void NoUnknownMembers(const Object& o, std::span<const std::string_view> known,
                      const std::string& path) {
  for (const auto& [key, value] : o) {
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (!ok) Fail(Join(path, SafeName(key, known)), "unknown field (see schemas/claim-json.md)");
  }
}

Object::Ptr AsObject(const Var& v, const std::string& path) {
  Expect(v, v.type() == typeid(Object::Ptr), path, "an object");
  return v.extract<Object::Ptr>();
}

class Fields {
 public:
  Fields(const Object& o, std::string path) : o_(o), path_(std::move(path)) {}

  std::string Path(std::string_view key) const { return Join(path_, key); }

  bool Has(const char* key) const { return o_.has(key); }

  std::optional<std::string> String(const char* key) const {
    if (!o_.has(key)) return std::nullopt;
    const Var v = o_.get(key);
    Expect(v, v.isString(), Path(key), "a string");
    return v.extract<std::string>();
  }

  std::string Required(const char* key) const {
    auto s = String(key);
    if (!s) Fail(Path(key), "is required");
    return *s;
  }

  // A number as text for the CSV layout's parsers ("12.5", "3"); strings too when
  // `string_ok` (amounts may be written as decimal strings, exact to the cent).
  std::optional<std::string> NumberText(const char* key, bool string_ok) const {
    if (!o_.has(key)) return std::nullopt;
    const Var v = o_.get(key);
    return ToNumberText(v, Path(key), string_ok);
  }

  static std::string ToNumberText(const Var& v, const std::string& path, bool string_ok) {
    if (string_ok && v.isString()) return v.extract<std::string>();
    Expect(v, v.isNumeric() && !v.isBoolean(), path, string_ok ? "a number or a decimal string" : "a number");
    if (v.type() == typeid(Poco::UInt64)) return std::to_string(v.extract<Poco::UInt64>());
    if (v.isInteger()) return std::to_string(v.convert<Poco::Int64>());
    // Shortest text that reads back as the same double: 210.1 stays "210.1".
    std::array<char, 64> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v.convert<double>());
    if (ec != std::errc()) Fail(path, "number out of range");
    return std::string(buf.data(), end);
  }

  Array::Ptr Arr(const char* key) const {
    if (!o_.has(key)) return {};
    const Var v = o_.get(key);
    Expect(v, v.type() == typeid(Array::Ptr), Path(key), "an array");
    return v.extract<Array::Ptr>();
  }

 private:
  const Object& o_;
  std::string path_;
};

Date RequiredDate(const Fields& f, const char* key) {
  const auto s = f.Required(key);
  const auto d = ParseIsoDate(s);
  if (!d) Fail(f.Path(key), "must be a real date YYYY-MM-DD");
  return *d;
}

std::string Identifier(const Fields& f, const char* key, bool required) {
  const auto s = required ? std::optional(f.Required(key)) : f.String(key);
  if (!s) return "";
  if (!IsIdentifier(*s)) Fail(f.Path(key), "must be 1-64 printable characters");
  return *s;
}

std::string Digits(const Fields& f, const char* key, size_t min, size_t max) {
  const auto s = f.String(key);
  if (!s) return "";
  if (s->size() < min || s->size() > max || !AllDigits(*s))
    Fail(f.Path(key), min == max ? "must be " + std::to_string(min) + " digits"
                                 : "must be " + std::to_string(min) + "-" + std::to_string(max) + " digits");
  return *s;
}

Code ParseCodeAt(CodeType type, const Var& v, const std::string& path) {
  Expect(v, v.isString(), path, "a string");
  Code code;
  if (auto why = ParseCodeForType(type, v.extract<std::string>(), code); !why.empty()) Fail(path, why);
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

  void Build(const Object& claim, const std::string& path,
             std::unordered_map<std::string, uint32_t>& seen_ids) {
    NoUnknownMembers(claim, kClaimKeys, path);
    const Fields f(claim, path);
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
    e_.payer = f.String("payer").value_or("");
    e_.drg = Digits(f, "drg", 3, 3);
    e_.discharge_status = Digits(f, "discharge_status", 2, 2);
    e_.place_of_service = Digits(f, "place_of_service", 2, 2);
    e_.type_of_bill = Digits(f, "type_of_bill", 3, 4);
    if (e_.type_of_bill.size() == 3) e_.type_of_bill.insert(0, "0");  // as FHIR: "111" is "0111"
    e_.claim_frequency = Digits(f, "claim_frequency", 1, 1);
    if (auto t = f.NumberText("total_charge", true))
      if (auto why = ParseCharge(*t, e_.total_charge_cents); !why.empty()) Fail(f.Path("total_charge"), why);
    e_.rendering_provider_id = Identifier(f, "rendering_provider_id", false);
    e_.attending_provider_id = Identifier(f, "attending_provider_id", false);
    if (f.Has("admitting_dx")) {
      Var v = claim.get("admitting_dx");
      e_.admitting_dx = ParseCodeAt(CodeType::kDiagnosis, v, f.Path("admitting_dx"));
    }
    if (const auto reasons = f.Arr("visit_reason_dx")) {
      if (reasons->size() > 3) Fail(f.Path("visit_reason_dx"), "at most 3 reason-for-visit diagnoses");
      for (size_t i = 0; i < reasons->size(); ++i)
        e_.visit_reason_dx.push_back(ParseCodeAt(CodeType::kDiagnosis, reasons->get(static_cast<unsigned>(i)),
                                                 Index(f.Path("visit_reason_dx"), i)));
    }
    // Lines in the model's order: diagnoses, procedures, then service lines.
    Each(f, "diagnoses", [&](const Object& o, const std::string& p) { Diagnosis(o, p); });
    Each(f, "procedures", [&](const Object& o, const std::string& p) { Procedure(o, p); });
    Each(f, "lines", [&](const Object& o, const std::string& p) { Line(o, p); });
    if (e_.lines.empty()) Fail(Join(path, "lines"), "claim has no diagnoses, procedures or lines");
    // The cross-field checks every foreign-format reader applies: a safety net here.
    if (auto problem = CheckAssembledEncounter(e_)) {
      const std::string at = problem->line_index >= 0 ? line_paths_[static_cast<size_t>(problem->line_index)] : path;
      Fail(Join(at, problem->field == "service_date" ? "date" : problem->field), problem->reason);
    }
  }

 private:
  template <typename F>
  void Each(const Fields& f, const char* key, F&& one) {
    const auto arr = f.Arr(key);
    if (!arr) return;
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string p = Index(f.Path(key), i);
      const auto o = AsObject(arr->get(static_cast<unsigned>(i)), p);
      one(*o, p);
    }
  }

  uint16_t Seq(const Fields& f, bool required) {
    const auto t = f.NumberText("seq", false);
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

  void Add(CodedLine& line, const std::string& path) {
    line.source_line = claim_no_;
    e_.lines.push_back(line);
    line_paths_.push_back(path);
  }

  void Diagnosis(const Object& o, const std::string& path) {
    NoUnknownMembers(o, kDiagnosisKeys, path);
    const Fields f(o, path);
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
    Add(line, path);
  }

  void Procedure(const Object& o, const std::string& path) {
    NoUnknownMembers(o, kProcedureKeys, path);
    const Fields f(o, path);
    CodedLine line;
    line.type = CodeType::kPcs;
    line.code = RequiredCode(f, line.type);
    line.seq = Seq(f, true);
    UniqueSeq(line, f);
    line.service_date = LineDate(f);
    Add(line, path);
  }

  void Line(const Object& o, const std::string& path) {
    NoUnknownMembers(o, kLineKeys, path);
    const Fields f(o, path);
    CodedLine line;
    line.type = CodeType::kHcpcs;
    line.code = RequiredCode(f, line.type);
    line.seq = Seq(f, false);
    if (const auto mods = f.Arr("modifiers")) {
      if (mods->size() > Modifiers::kMax) Fail(f.Path("modifiers"), "at most 4 modifiers");
      for (size_t i = 0; i < mods->size(); ++i) {
        const std::string p = Index(f.Path("modifiers"), i);
        const Var m = mods->get(static_cast<unsigned>(i));
        Expect(m, m.isString(), p, "a string");
        if (!line.modifiers.Add(m.extract<std::string>())) Fail(p, "a modifier has exactly 2 characters");
      }
    }
    line.units = 1;
    if (const auto t = f.NumberText("units", false))
      if (auto why = ParseUnits(*t, line.units); !why.empty()) Fail(f.Path("units"), why);
    line.service_date = LineDate(f);
    if (const auto t = f.NumberText("charge", true))
      if (auto why = ParseCharge(*t, line.charge_cents); !why.empty()) Fail(f.Path("charge"), why);
    if (const auto s = Digits(f, "revenue_code", 4, 4); !s.empty()) line.revenue_code = *Code::Parse(s);
    if (const auto s = Digits(f, "place_of_service", 2, 2); !s.empty()) line.place_of_service = *Code::Parse(s);
    if (const auto ptrs = f.Arr("dx_pointers")) {
      if (ptrs->size() > line.dx_pointers.size()) Fail(f.Path("dx_pointers"), "at most 4 diagnosis pointers");
      for (size_t i = 0; i < ptrs->size(); ++i) {
        const std::string p = Index(f.Path("dx_pointers"), i);
        uint16_t seq = 0;
        if (auto why = ParseSeq(Fields::ToNumberText(ptrs->get(static_cast<unsigned>(i)), p, false), seq); !why.empty())
          Fail(p, why);
        bool found = false;
        for (const auto& dx : e_.lines) found = found || (dx.type == CodeType::kDiagnosis && dx.seq == seq);
        if (!found || seq > 255) Fail(p, "points to no diagnosis seq of this claim");
        line.dx_pointers[i] = static_cast<uint8_t>(seq);
      }
    }
    Add(line, path);
  }

  Encounter& e_;
  uint32_t claim_no_;
  std::vector<std::string> line_paths_;  // JSON path of each entry of e_.lines
};

class ClaimFile {
 public:
  ClaimFile(const std::string& name, const IngestSink& sink) : name_(name), sink_(sink) {}

  IngestCounts Run(const Var& root) {
    if (root.type() == typeid(Array::Ptr)) {
      Claims(*root.extract<Array::Ptr>(), "");
    } else if (root.type() == typeid(Object::Ptr)) {
      const auto o = root.extract<Object::Ptr>();
      if (o->has("claims")) {
        for (const auto& [key, value] : *o)
          if (key != "claims")
            throw InputError(name_ + ": unknown member '" + SafeName(key) + "' next to \"claims\" (see schemas/claim-json.md)");
        const Var claims = o->get("claims");
        if (claims.type() != typeid(Array::Ptr))
          throw InputError(name_ + ": \"claims\" must be an array, got " + std::string(TypeName(claims)));
        Claims(*claims.extract<Array::Ptr>(), "claims");
      } else {
        One(root, 1, "");
      }
    } else {
      throw InputError(name_ + ": a JSON claim document is a claim object, an array of claims or {\"claims\": [...]}, got " +
                       std::string(TypeName(root)));
    }
    return counts_;
  }

 private:
  void Claims(const Array& claims, const std::string& path) {
    for (size_t i = 0; i < claims.size(); ++i)
      One(claims.get(static_cast<unsigned>(i)), static_cast<uint32_t>(std::min<size_t>(i + 1, UINT32_MAX)),
          Index(path, i));
  }

  void One(const Var& v, uint32_t claim_no, const std::string& path) {
    counts_.records_read++;
    counts_.encounters_read++;
    Encounter e;
    try {
      ClaimBuilder(e, claim_no).Build(*AsObject(v, path.empty() ? "(claim)" : path), path, seen_ids_);
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
  // Poco parses only arrays and objects at the top: name what else came.
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (text[first] != '{' && text[first] != '[') {
    const char c = text[first];
    throw InputError(name + ": a JSON claim document is a claim object, an array of claims or {\"claims\": [...]}, got " +
                     (c == '"' ? "a string" : c == 'n' ? "null" : c == 't' || c == 'f' ? "a boolean" : "a number"));
  }
  Var root;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(options.max_depth + 1);
    root = parser.parse(std::string(text));
  } catch (const Poco::Exception& e) {
    // The scan accepted it, so this is a value Poco cannot represent.
    throw InputError(name + ": JSON not readable: " + e.message());
  }
  ClaimFile file(name, sink);
  return file.Run(root);
}

IngestCounts ReadClaimJsonFile(const std::string& path, const IngestSink& sink, const ClaimJsonOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open JSON claim file " + path);
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
