#include "audit/ingest/fhir/fhir_reader.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "audit/ingest/json/json_scan.hpp"
#include "audit/ingest/mapping/field_checks.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::ingest {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// Code systems (the URIs US Core, CARIN Blue Button and CMS use).
const std::set<std::string, std::less<>> kIcd10CmSystems = {"http://hl7.org/fhir/sid/icd-10-cm",
                                                           "urn:oid:2.16.840.1.113883.6.90"};
const std::set<std::string, std::less<>> kIcd9Systems = {
    "http://hl7.org/fhir/sid/icd-9-cm", "urn:oid:2.16.840.1.113883.6.103",
    "urn:oid:2.16.840.1.113883.6.104", "http://www.cms.gov/Medicare/Coding/ICD9"};
const std::set<std::string, std::less<>> kIcd10PcsSystems = {
    "http://www.cms.gov/Medicare/Coding/ICD10", "urn:oid:2.16.840.1.113883.6.4"};
const std::set<std::string, std::less<>> kHcpcsSystems = {
    "http://www.ama-assn.org/go/cpt",
    "urn:oid:2.16.840.1.113883.6.12",
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
    "urn:oid:2.16.840.1.113883.6.14"};
const std::set<std::string, std::less<>> kRevenueSystems = {
    "https://www.nubc.org/CodeSystem/RevenueCodes",
    "http://terminology.hl7.org/CodeSystem/ex-revenue-center",
    "https://bluebutton.cms.gov/resources/variables/rev_cntr"};
constexpr std::string_view kNpiSystem = "http://hl7.org/fhir/sid/us-npi";
constexpr std::string_view kDataAbsent = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
constexpr size_t kMaxIndexedParties = 1000000;
constexpr size_t kMaxRawKept = 512;

// ---- JSON access (never throws for a missing or mistyped member) ------------------------
std::string Str(const Object::Ptr& o, const std::string& key) {
  if (o.isNull()) return {};
  const Var v = o->get(key);
  if (v.isEmpty() || !v.isString()) return {};
  return v.extract<std::string>();
}

Object::Ptr Obj(const Object::Ptr& o, const std::string& key) {
  return o.isNull() ? Object::Ptr() : o->getObject(key);
}

Array::Ptr Arr(const Object::Ptr& o, const std::string& key) {
  return o.isNull() ? Array::Ptr() : o->getArray(key);
}

size_t Size(const Array::Ptr& a) { return a.isNull() ? 0 : a->size(); }

Object::Ptr At(const Array::Ptr& a, size_t i) {
  return a.isNull() ? Object::Ptr() : a->getObject(static_cast<unsigned>(i));
}

std::optional<double> Number(const Object::Ptr& o, const std::string& key) {
  if (o.isNull()) return std::nullopt;
  const Var v = o->get(key);
  if (v.isEmpty() || !v.isNumeric() || v.isString()) return std::nullopt;
  const double d = v.convert<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

bool Present(const Object::Ptr& o, const std::string& key) { return !o.isNull() && o->has(key); }

struct Coding {
  std::string system, code, display;
};

std::vector<Coding> Codings(const Object::Ptr& cc) {
  std::vector<Coding> out;
  const Array::Ptr codings = Arr(cc, "coding");
  for (size_t i = 0; i < Size(codings); ++i) {
    const Object::Ptr c = At(codings, i);
    if (c.isNull()) continue;
    out.push_back({Str(c, "system"), Str(c, "code"), Str(c, "display")});
  }
  return out;
}

bool HasCode(const Object::Ptr& cc, std::string_view code) {
  for (const auto& c : Codings(cc))
    if (c.code == code) return true;
  return false;
}

std::string FirstCode(const Object::Ptr& cc) {
  for (const auto& c : Codings(cc))
    if (!c.code.empty()) return c.code;
  return {};
}

// FHIR date or dateTime; the calendar date as written (a dateTime's local date).
std::optional<Date> FhirDate(std::string_view s) {
  if (s.size() < 10 || (s.size() > 10 && s[10] != 'T')) return std::nullopt;
  return ParseIsoDate(s.substr(0, 10));
}

std::string Idx(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// ---- references -------------------------------------------------------------------------
struct Party {
  std::string identifier;  // NPI, else the first identifier, else the resource id
  std::string gender, birth_date;
  bool patient = false;
};

std::string PartyIdentifier(const Object::Ptr& r) {
  const Array::Ptr ids = Arr(r, "identifier");
  std::string first;
  for (size_t i = 0; i < Size(ids); ++i) {
    const Object::Ptr id = At(ids, i);
    const std::string value = Str(id, "value");
    if (value.empty()) continue;
    if (Str(id, "system") == kNpiSystem) return value;
    if (first.empty()) first = value;
  }
  return first.empty() ? Str(r, "id") : first;
}

Party MakeParty(const Object::Ptr& r) {
  Party p;
  p.patient = Str(r, "resourceType") == "Patient";
  p.identifier = PartyIdentifier(r);
  if (p.patient) {
    p.gender = Str(r, "gender");
    p.birth_date = Str(r, "birthDate");
  }
  return p;
}

// "Patient/123", "https://x/fhir/Patient/123/_history/2" -> "Patient/123".
std::string TypeAndId(std::string_view ref) {
  if (auto h = ref.find("/_history/"); h != std::string_view::npos) ref = ref.substr(0, h);
  const size_t last = ref.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::string(ref);
  const size_t before = ref.rfind('/', last - 1);
  return std::string(before == std::string_view::npos ? ref : ref.substr(before + 1));
}

bool Indexable(std::string_view type) {
  return type == "Patient" || type == "Practitioner" || type == "Organization" ||
         type == "PractitionerRole";
}

class PartyIndex {
 public:
  void Add(const Object::Ptr& r, const std::string& full_url, const std::string& file) {
    const std::string type = Str(r, "resourceType"), id = Str(r, "id");
    if (parties_.size() >= kMaxIndexedParties)
      throw InputError(file + ": more than " + std::to_string(kMaxIndexedParties) +
                       " Patient/Practitioner/Organization resources; split the file");
    Party p = MakeParty(r);
    if (!id.empty()) parties_[type + "/" + id] = p;
    if (!full_url.empty()) parties_[full_url] = p;
  }
  const Party* Find(const std::string& reference) const {
    if (reference.empty()) return nullptr;
    if (auto it = parties_.find(reference); it != parties_.end()) return &it->second;
    if (auto it = parties_.find(TypeAndId(reference)); it != parties_.end()) return &it->second;
    return nullptr;
  }

 private:
  std::unordered_map<std::string, Party> parties_;
};

// ---- one Claim / ExplanationOfBenefit -----------------------------------------------------
struct MapProblem {
  std::string field, reason;
};

class ClaimMapper {
 public:
  ClaimMapper(const Object::Ptr& r, const PartyIndex& index, uint32_t line,
              std::map<std::string, size_t>& unknown_systems)
      : r_(r), index_(index), line_(line), unknown_(unknown_systems),
        type_(Str(r, "resourceType")) {}

  // The encounter, or the problem that rejects the resource.
  std::optional<MapProblem> Map(Encounter& e) {
    try {
      // A list the reader reads must be a list of objects: anything else rejects the
      // resource (never silently read as empty).
      MapHeader(e);
      for (const char* key : {"diagnosis", "procedure", "item", "supportingInfo"}) CheckList(key);
      if (!problem_) MapDiagnoses(e);
      if (!problem_) MapProcedures(e);
      if (!problem_) MapItems(e);
      if (!problem_) MapDates(e);
      if (!problem_) Check(e);
    } catch (const Poco::Exception&) {
      Fail("", "unexpected JSON value types in the resource");
    }
    return problem_;
  }

 private:
  std::string P(std::string_view path) const { return type_ + (path.empty() ? "" : ".") + std::string(path); }

  void Fail(std::string_view path, std::string reason) {
    if (!problem_) problem_ = MapProblem{P(path), std::move(reason)};
  }

  static std::string JsonType(const Var& v) {
    if (v.isEmpty()) return "null";
    if (v.type() == typeid(Object::Ptr)) return "an object";
    if (v.type() == typeid(Array::Ptr)) return "an array";
    if (v.isString()) return "a string";
    if (v.isBoolean()) return "a boolean";
    if (v.isNumeric()) return "a number";
    return "a value of another type";
  }

  void CheckList(const std::string& key) {
    if (problem_ || !Present(r_, key)) return;
    const Var v = r_->get(key);
    if (v.type() != typeid(Array::Ptr))
      return Fail(key, "must be a JSON array of objects, found " + JsonType(v));
    const Array::Ptr a = v.extract<Array::Ptr>();
    for (size_t i = 0; i < Size(a); ++i) {
      const Var element = a->get(static_cast<unsigned>(i));
      if (element.type() != typeid(Object::Ptr))
        return Fail(Idx(key, i), "must be a JSON object, found " + JsonType(element));
    }
  }

  // A referenced party: contained ("#id"), else in the Bundle / earlier NDJSON lines.
  std::optional<Party> Resolve(const Object::Ptr& reference) {
    if (reference.isNull()) return std::nullopt;
    const std::string ref = Str(reference, "reference");
    if (!ref.empty() && ref[0] == '#') {
      const Array::Ptr contained = Arr(r_, "contained");
      for (size_t i = 0; i < Size(contained); ++i) {
        const Object::Ptr c = At(contained, i);
        if (Str(c, "id") == ref.substr(1)) return MakeParty(c);
      }
      return std::nullopt;
    }
    if (const Party* p = index_.Find(ref)) return *p;
    // A logical reference (identifier only) names the party without its details.
    const Object::Ptr id = Obj(reference, "identifier");
    if (!id.isNull() && !Str(id, "value").empty()) {
      Party p;
      p.identifier = Str(id, "value");
      return p;
    }
    return std::nullopt;
  }

  // Picks the coding to use from a CodeableConcept. Returns the chosen one and which
  // family it belongs to; unknown systems are remembered for the file's warning.
  enum class Family { kNone, kIcd10Cm, kIcd9, kIcd10Pcs, kHcpcs, kRevenue, kAbsent, kOther };
  std::pair<Coding, Family> Pick(const Object::Ptr& cc, std::initializer_list<Family> wanted) {
    const auto codings = Codings(cc);
    for (Family f : wanted)
      for (const auto& c : codings) {
        if (c.code.empty()) continue;
        const Family got = kIcd10CmSystems.count(c.system)    ? Family::kIcd10Cm
                           : kIcd9Systems.count(c.system)     ? Family::kIcd9
                           : kIcd10PcsSystems.count(c.system) ? Family::kIcd10Pcs
                           : kHcpcsSystems.count(c.system)    ? Family::kHcpcs
                           : kRevenueSystems.count(c.system)  ? Family::kRevenue
                           : c.system == kDataAbsent          ? Family::kAbsent
                                                              : Family::kNone;
        if (got == f) return {c, f};
      }
    for (const auto& c : codings)
      if (!c.code.empty() && !kRevenueSystems.count(c.system) && c.system != kDataAbsent) {
        // Bounded: a hostile file cannot grow the warning list without limit.
        const std::string key = c.system.empty() ? "(no system)" : c.system.substr(0, 200);
        if (unknown_.size() < 50 || unknown_.count(key)) unknown_[key]++;
        else unknown_["(further systems not listed)"]++;
        return {c, Family::kOther};
      }
    for (const auto& c : codings)
      if (kRevenueSystems.count(c.system) || c.system == kDataAbsent)
        return {c, kRevenueSystems.count(c.system) ? Family::kRevenue : Family::kAbsent};
    return {Coding{}, Family::kNone};
  }

  void MapHeader(Encounter& e) {
    e.source_line = line_;
    // The business identifier the provider knows the claim by; the resource id otherwise.
    const Array::Ptr ids = Arr(r_, "identifier");
    for (size_t i = 0; i < Size(ids) && e.id.empty(); ++i) e.id = Str(At(ids, i), "value");
    if (e.id.empty()) e.id = Str(r_, "id");
    if (!IsIdentifier(e.id)) return Fail("identifier", "claim identifier (identifier.value or id) must be 1-64 printable characters");
    const std::string status = Str(r_, "status");
    if (status == "entered-in-error") return Fail("status", "status entered-in-error: not a claim to audit");
    const std::string use = Str(r_, "use");
    if (!use.empty() && use != "claim")
      return Fail("use", "use '" + use.substr(0, 20) + "' is not a claim (preauthorization/predetermination are not read)");

    const Object::Ptr type = Obj(r_, "type");
    if (HasCode(type, "professional")) {
      e.claim_type = ClaimType::kProfessional;
    } else if (HasCode(type, "institutional")) {
      institutional_ = true;
      e.claim_type = ClaimType::kOutpatient;
    } else {
      const std::string code = FirstCode(type);
      return Fail("type", code.empty() ? "type is missing (institutional or professional)"
                                       : "type '" + code.substr(0, 20) + "' is not read (institutional or professional only)");
    }

    // Patient.
    const Object::Ptr patient_ref = Obj(r_, "patient");
    const auto patient = Resolve(patient_ref);
    if (!patient) return Fail("patient", "patient reference cannot be resolved (contained, in the Bundle, or an earlier NDJSON line)");
    e.patient_id = patient->identifier;
    if (!patient->patient) return Fail("patient", "the referenced Patient resource is not available (gender and birthDate are required)");
    if (patient->gender == "female") e.sex = Sex::kFemale;
    else if (patient->gender == "male") e.sex = Sex::kMale;
    else if (patient->gender == "other" || patient->gender == "unknown") e.sex = Sex::kUnknown;
    else return Fail("patient", "Patient.gender must be male, female, other or unknown");
    const auto birth = ParseIsoDate(patient->birth_date);
    if (!birth) return Fail("patient", "Patient.birthDate must be a full date YYYY-MM-DD");
    e.birth_date = birth;

    // Providers.
    if (const auto provider = Resolve(Obj(r_, "provider"))) e.provider_id = provider->identifier;
    if (e.provider_id.empty()) return Fail("provider", "provider reference cannot be resolved to an identifier (NPI)");
    const auto enterer = Resolve(Obj(r_, "enterer"));
    e.coder_id = enterer && !enterer->identifier.empty() ? "fhir:" + enterer->identifier.substr(0, 59) : "fhir";
    const Object::Ptr insurer = Obj(r_, "insurer");
    e.payer = Str(insurer, "display");
    if (e.payer.empty())
      if (const auto payer = Resolve(insurer)) e.payer = payer->identifier;
    const Array::Ptr team = Arr(r_, "careTeam");
    for (size_t i = 0; i < Size(team); ++i) {
      const Object::Ptr member = At(team, i);
      const Object::Ptr role = Obj(member, "role");
      const auto who = Resolve(Obj(member, "provider"));
      if (!who) continue;
      if ((HasCode(role, "rendering") || HasCode(role, "performing") || HasCode(role, "primary")) &&
          e.rendering_provider_id.empty())
        e.rendering_provider_id = who->identifier.substr(0, 64);
      if (HasCode(role, "attending") && e.attending_provider_id.empty())
        e.attending_provider_id = who->identifier.substr(0, 64);
    }

    // Money: Claim.total, or the EOB's submitted total.
    std::optional<double> total;
    if (type_ == "Claim") {
      total = Number(Obj(r_, "total"), "value");
    } else {
      const Array::Ptr totals = Arr(r_, "total");
      for (size_t i = 0; i < Size(totals); ++i)
        if (HasCode(Obj(At(totals, i), "category"), "submitted"))
          total = Number(Obj(At(totals, i), "amount"), "value");
    }
    if (total && !Cents(*total, e.total_charge_cents)) return Fail("total", "total must be a non-negative amount with at most 2 decimals");

    // Supporting information: type of bill, admission period, discharge status, DRG.
    const Array::Ptr info = Arr(r_, "supportingInfo");
    for (size_t i = 0; i < Size(info); ++i) {
      const Object::Ptr s = At(info, i);
      const Object::Ptr category = Obj(s, "category");
      const std::string code = FirstCode(Obj(s, "code"));
      if (HasCode(category, "typeofbill") && !code.empty()) {
        e.type_of_bill = code.size() == 3 ? "0" + code : code.substr(0, 4);
      } else if (HasCode(category, "admissionperiod")) {
        const Object::Ptr period = Obj(s, "timingPeriod");
        admission_from_ = FhirDate(Str(period, "start"));
        admission_to_ = FhirDate(Str(period, "end"));
        if (Present(period, "start") && !admission_from_)
          return Fail(Idx("supportingInfo", i) + ".timingPeriod.start", "admission date must be a full date");
      } else if (HasCode(category, "discharge-status") || HasCode(category, "dischargestatus")) {
        e.discharge_status = code.substr(0, 8);
        status_path_ = Idx("supportingInfo", i);
      } else if (HasCode(category, "drg") && !code.empty()) {
        e.drg = code.substr(0, 8);
        drg_path_ = Idx("supportingInfo", i);
      }
    }
    if (institutional_) {
      const Object::Ptr sub = Obj(r_, "subType");
      if (HasCode(sub, "inpatient")) e.claim_type = ClaimType::kInpatient;
      else if (HasCode(sub, "outpatient")) e.claim_type = ClaimType::kOutpatient;
      else if (e.type_of_bill.size() == 4 && e.type_of_bill.substr(1, 2) == "11") e.claim_type = ClaimType::kInpatient;
    }
  }

  static bool Cents(double v, int64_t& out) {
    if (!(v >= 0) || v > 1e12) return false;
    const double scaled = v * 100;
    const double rounded = std::round(scaled);
    if (std::fabs(scaled - rounded) > 1e-6 * std::max(1.0, scaled)) return false;
    out = static_cast<int64_t>(rounded);
    return true;
  }

  struct Listed {
    int64_t sequence;
    bool principal;
    CodedLine line;
    std::string path;
  };

  void MapDiagnoses(Encounter& e) {
    const Array::Ptr dxs = Arr(r_, "diagnosis");
    std::vector<Listed> listed;
    std::set<int64_t> sequences;
    bool icd9 = false, icd10 = false;
    for (size_t i = 0; i < Size(dxs); ++i) {
      const std::string path = Idx("diagnosis", i);
      const Object::Ptr d = At(dxs, i);
      const auto seq = Number(d, "sequence");
      if (!seq || *seq < 1 || *seq > 1e6 || *seq != std::floor(*seq))
        return Fail(path + ".sequence", "sequence must be a positive integer");
      const auto sequence = static_cast<int64_t>(*seq);
      if (!sequences.insert(sequence).second) return Fail(path + ".sequence", "sequence repeats an earlier diagnosis");
      if (const std::string drg = FirstCode(Obj(d, "packageCode")); !drg.empty() && e.drg.empty()) {
        e.drg = drg.substr(0, 8);
        drg_path_ = path + ".packageCode";
      }
      bool principal = false, admitting = false, reason = false, other = false;
      const Array::Ptr types = Arr(d, "type");
      for (size_t t = 0; t < Size(types); ++t)
        for (const auto& c : Codings(At(types, t))) {
          if (c.code == "principal") principal = true;
          else if (c.code == "admitting") admitting = true;
          else if (c.code == "patientreasonforvisit" || c.code == "reason-for-visit") reason = true;
          else other = true;
        }
      const bool is_line = principal || other || (!admitting && !reason);
      const Object::Ptr cc = Obj(d, "diagnosisCodeableConcept");
      if (cc.isNull())
        return Fail(path, Present(d, "diagnosisReference")
                              ? "diagnosisReference (a Condition) is not read: send diagnosisCodeableConcept"
                              : "diagnosisCodeableConcept is missing");
      auto [coding, family] = Pick(cc, {Family::kIcd10Cm, Family::kIcd9});
      CodedLine line;
      line.type = CodeType::kDiagnosis;
      line.source_line = line_;
      std::string why;
      if (family == Family::kIcd10Cm) {
        why = ParseCodeForType(CodeType::kDiagnosis, coding.code, line.code);
        icd10 = true;
      } else if (family == Family::kIcd9) {
        line.code_system = CodeSystem::kIcd9;
        why = ParseIcd9Diagnosis(coding.code, line.code);
        icd9 = true;
      } else if (family == Family::kOther) {
        line.code_system = CodeSystem::kOther;
        why = ParseOtherCode(coding.code, line.code);
        if (!why.empty()) why = "has no ICD-10-CM or ICD-9-CM coding, and its code (system " + coding.system.substr(0, 100) + ") " + why;
      } else {
        why = "has no coding with a code";
      }
      if (!why.empty()) return Fail(path + ".diagnosisCodeableConcept", "diagnosis " + why);
      const std::string poa = FirstCode(Obj(d, "onAdmission"));
      if (!poa.empty()) {
        const char p = poa.size() == 1 ? static_cast<char>(std::toupper(static_cast<unsigned char>(poa[0]))) : '?';
        if (std::string_view("YNUW1").find(p) == std::string_view::npos)
          return Fail(path + ".onAdmission", "present-on-admission code must be y, n, u, w or 1");
        line.poa = p;
      }
      if (admitting) {
        if (!e.admitting_dx.Empty()) return Fail(path, "a second admitting diagnosis");
        e.admitting_dx = line.code;
      }
      if (reason && !principal && !other) {
        if (e.visit_reason_dx.size() == 3) return Fail(path, "more than 3 reason-for-visit diagnoses");
        e.visit_reason_dx.push_back(line.code);
      }
      if (is_line) {
        if (principal && std::any_of(listed.begin(), listed.end(), [](const Listed& l) { return l.principal; }))
          return Fail(path, "a second principal diagnosis");
        listed.push_back({sequence, principal, line, path});
      }
    }
    if (icd9 && icd10) return Fail("diagnosis", "the claim mixes ICD-9-CM and ICD-10-CM diagnoses");
    if (listed.size() > 999) return Fail("diagnosis", "more than 999 diagnoses");
    // The principal is seq 1 whatever its FHIR sequence; the others keep their order.
    std::stable_sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
      if (a.principal != b.principal) return a.principal;
      return a.sequence < b.sequence;
    });
    uint16_t seq = 1;
    for (auto& l : listed) {
      dx_seq_[l.sequence] = seq;
      l.line.seq = seq++;
      e.lines.push_back(l.line);
      paths_.push_back(l.path);
    }
  }

  void MapProcedures(Encounter& e) {
    const Array::Ptr procs = Arr(r_, "procedure");
    std::vector<Listed> pcs, hcpcs;
    std::set<int64_t> sequences;
    for (size_t i = 0; i < Size(procs); ++i) {
      const std::string path = Idx("procedure", i);
      const Object::Ptr p = At(procs, i);
      const auto seq = Number(p, "sequence");
      if (!seq || *seq < 1 || *seq > 1e6 || *seq != std::floor(*seq))
        return Fail(path + ".sequence", "sequence must be a positive integer");
      const auto sequence = static_cast<int64_t>(*seq);
      if (!sequences.insert(sequence).second) return Fail(path + ".sequence", "sequence repeats an earlier procedure");
      bool principal = false;
      const Array::Ptr types = Arr(p, "type");
      for (size_t t = 0; t < Size(types); ++t) principal = principal || HasCode(At(types, t), "principal");
      const Object::Ptr cc = Obj(p, "procedureCodeableConcept");
      if (cc.isNull())
        return Fail(path, Present(p, "procedureReference")
                              ? "procedureReference (a Procedure) is not read: send procedureCodeableConcept"
                              : "procedureCodeableConcept is missing");
      auto [coding, family] = Pick(cc, {Family::kIcd10Pcs, Family::kIcd9, Family::kHcpcs});
      CodedLine line;
      line.source_line = line_;
      line.type = family == Family::kHcpcs ? CodeType::kHcpcs : CodeType::kPcs;
      std::string why;
      if (family == Family::kIcd10Pcs) why = ParseCodeForType(CodeType::kPcs, coding.code, line.code);
      else if (family == Family::kIcd9) line.code_system = CodeSystem::kIcd9, why = ParseIcd9Procedure(coding.code, line.code);
      else if (family == Family::kHcpcs) why = ParseCodeForType(CodeType::kHcpcs, coding.code, line.code), line.units = 1;
      else if (family == Family::kOther) {
        line.code_system = CodeSystem::kOther;
        why = ParseOtherCode(coding.code, line.code);
        if (!why.empty()) why = "has no ICD-10-PCS, ICD-9 or CPT/HCPCS coding, and its code (system " + coding.system.substr(0, 100) + ") " + why;
      } else {
        why = "has no coding with a code";
      }
      if (!why.empty()) return Fail(path + ".procedureCodeableConcept", "procedure " + why);
      const std::string date = Str(p, "date");
      if (!date.empty()) {
        line.service_date = FhirDate(date);
        if (!line.service_date) return Fail(path + ".date", "date must be a full date (YYYY-MM-DD...)");
      }
      if (principal && line.type == CodeType::kPcs &&
          std::any_of(pcs.begin(), pcs.end(), [](const Listed& l) { return l.principal; }))
        return Fail(path, "a second principal procedure");
      (line.type == CodeType::kHcpcs ? hcpcs : pcs).push_back({sequence, principal, line, path});
    }
    if (pcs.size() > 999) return Fail("procedure", "more than 999 procedures");
    std::stable_sort(pcs.begin(), pcs.end(), [](const Listed& a, const Listed& b) {
      if (a.principal != b.principal) return a.principal;
      return a.sequence < b.sequence;
    });
    uint16_t seq = 1;
    for (auto& l : pcs) {
      l.line.seq = seq++;
      e.lines.push_back(l.line);
      paths_.push_back(l.path);
    }
    for (auto& l : hcpcs) {
      e.lines.push_back(l.line);
      paths_.push_back(l.path);
    }
  }

  void MapItems(Encounter& e) {
    const Array::Ptr items = Arr(r_, "item");
    if (Size(items) > 9999) return Fail("item", "more than 9999 items");
    for (size_t i = 0; i < Size(items); ++i) {
      const std::string path = Idx("item", i);
      const Object::Ptr item = At(items, i);
      auto [coding, family] = Pick(Obj(item, "productOrService"), {Family::kHcpcs});
      CodedLine line;
      line.type = CodeType::kHcpcs;
      line.source_line = line_;
      const std::string revenue = FirstCode(Obj(item, "revenue"));
      if (!revenue.empty()) {
        auto code = Code::Parse(revenue);
        if (!code) return Fail(path + ".revenue", "revenue code must be 1-7 letters or digits (4 digits for NUBC)");
        line.revenue_code = *code;
      }
      // Dates first: they also frame the claim when billablePeriod is absent.
      const std::string served = Str(item, "servicedDate");
      const Object::Ptr period = Obj(item, "servicedPeriod");
      std::optional<Date> start, end;
      if (!served.empty()) {
        start = end = FhirDate(served);
        if (!start) return Fail(path + ".servicedDate", "servicedDate must be a full date YYYY-MM-DD");
      } else if (!period.isNull()) {
        start = FhirDate(Str(period, "start"));
        end = Present(period, "end") ? FhirDate(Str(period, "end")) : start;
        if (!start || !end || *end < *start) return Fail(path + ".servicedPeriod", "servicedPeriod must have full start (and end) dates, end not before start");
      }
      if (start) {
        if (!item_min_ || *start < *item_min_) item_min_ = start;
        if (!item_max_ || *end > *item_max_) item_max_ = end;
      }
      if (family == Family::kRevenue || family == Family::kAbsent) continue;  // revenue-only line
      std::string why;
      if (family == Family::kHcpcs) {
        why = ParseCodeForType(CodeType::kHcpcs, coding.code, line.code);
      } else if (family == Family::kOther) {
        line.code_system = CodeSystem::kOther;
        why = ParseOtherCode(coding.code, line.code);
        if (!why.empty()) why = "has no CPT/HCPCS coding, and its code (system " + coding.system.substr(0, 100) + ") " + why;
      } else {
        if (!revenue.empty()) continue;  // revenue code only, nothing coded
        why = "has no coding with a code";
      }
      if (!why.empty()) return Fail(path + ".productOrService", "productOrService " + why);
      const Array::Ptr mods = Arr(item, "modifier");
      for (size_t m = 0; m < Size(mods); ++m)
        if (!line.modifiers.Add(FirstCode(At(mods, m))))
          return Fail(Idx(path + ".modifier", m), "at most 4 modifiers of 2 letters or digits");
      const Object::Ptr quantity = Obj(item, "quantity");
      const auto q = Number(quantity, "value");
      line.units = 1;
      if (Present(quantity, "value")) {
        if (!q || !(*q > 0) || *q > 99999) return Fail(path + ".quantity", "quantity must be a number greater than 0 and at most 99999");
        line.units = *q;
      }
      if (const auto net = Number(Obj(item, "net"), "value")) {
        if (!Cents(*net, line.charge_cents)) return Fail(path + ".net", "net must be a non-negative amount with at most 2 decimals");
      } else if (const auto price = Number(Obj(item, "unitPrice"), "value")) {
        if (!Cents(*price * line.units, line.charge_cents)) return Fail(path + ".unitPrice", "unitPrice x quantity must be a non-negative amount with at most 2 decimals");
      }
      line.service_date = start;
      if (const std::string pos = FirstCode(Obj(item, "locationCodeableConcept")); !pos.empty()) {
        auto code = pos.size() == 2 && AllDigits(pos) ? Code::Parse(pos) : std::nullopt;
        if (!code) return Fail(path + ".locationCodeableConcept", "place of service must be 2 digits");
        line.place_of_service = *code;
      }
      const Array::Ptr pointers = Arr(item, "diagnosisSequence");
      if (Size(pointers) > 4) return Fail(path + ".diagnosisSequence", "more than 4 diagnosis pointers");
      for (size_t k = 0; k < Size(pointers); ++k) {
        const Var v = pointers->get(static_cast<unsigned>(k));
        // Only whole numbers in range are converted: casting 1e300 to an integer is
        // undefined behaviour (found by review, fuzz_regressions_test.cpp).
        const double d = v.isNumeric() && !v.isString() ? v.convert<double>() : 0.0;
        const bool whole = std::isfinite(d) && d >= 1 && d <= 1e6 && d == std::floor(d);
        const auto it = whole ? dx_seq_.find(static_cast<int64_t>(d)) : dx_seq_.end();
        if (it == dx_seq_.end() || it->second > 255)
          return Fail(Idx(path + ".diagnosisSequence", k), "points to no diagnosis of this claim");
        line.dx_pointers[k] = static_cast<uint8_t>(it->second);
      }
      e.lines.push_back(line);
      paths_.push_back(path);
    }
  }

  void MapDates(Encounter& e) {
    const Object::Ptr period = Obj(r_, "billablePeriod");
    std::optional<Date> from = FhirDate(Str(period, "start"));
    std::optional<Date> through = Present(period, "end") ? FhirDate(Str(period, "end")) : from;
    if (Present(period, "start") && (!from || !through))
      return Fail("billablePeriod", "billablePeriod must have full start (and end) dates");
    if (!from) {
      from = item_min_;
      through = item_max_;
    }
    if (e.claim_type == ClaimType::kInpatient) {
      if (admission_from_) from = admission_from_;
      if (admission_to_) through = admission_to_;
    }
    if (!from) return Fail("billablePeriod", "billablePeriod is missing and no item has a servicedDate");
    e.from_date = *from;
    e.through_date = *through;
  }

  void Check(Encounter& e) {
    auto p = CheckAssembledEncounter(e);
    if (!p) return;
    std::string path;
    if (p->line_index >= 0) {
      path = paths_[static_cast<size_t>(p->line_index)];
      if (p->field == "service_date") path += path.starts_with("item") ? ".serviced[x]" : ".date";
      if (p->field == "units") path += ".quantity";
    } else if (p->field == "encounter_id") path = "identifier";
    else if (p->field == "patient_id") path = "patient";
    else if (p->field == "provider_id") path = "provider";
    else if (p->field == "coder_id") path = "enterer";
    else if (p->field == "birth_date") path = "patient";
    else if (p->field == "through_date") path = "billablePeriod";
    else if (p->field == "drg") path = drg_path_.empty() ? "supportingInfo" : drg_path_;
    else if (p->field == "discharge_status") path = status_path_;
    else if (p->field == "lines") path = "item";
    Fail(path, p->field + " " + p->reason);
  }

  const Object::Ptr& r_;
  const PartyIndex& index_;
  uint32_t line_;
  std::map<std::string, size_t>& unknown_;
  std::string type_;
  std::optional<MapProblem> problem_;
  bool institutional_ = false;
  std::optional<Date> admission_from_, admission_to_, item_min_, item_max_;
  std::map<int64_t, uint16_t> dx_seq_;  // FHIR diagnosis.sequence -> DX seq
  std::vector<std::string> paths_;      // FHIRPath of each line, parallel to Encounter::lines
  std::string drg_path_, status_path_;
};

// ---- file level -------------------------------------------------------------------------
class FhirFile {
 public:
  FhirFile(const std::string& file, const IngestSink& sink, const FhirOptions& options)
      : file_(file), sink_(sink), options_(options) {}

  IngestCounts Run(std::istream& in) {
    std::string first;
    uint32_t first_line = 0;
    bool too_long = false;
    uint32_t line_no = 0;
    // The first non-blank line decides: complete JSON on one line means NDJSON.
    while (ReadLine(in, first, too_long)) {
      ++line_no;
      if (!Blank(first) || too_long) {
        first_line = line_no;
        break;
      }
    }
    if (first_line == 0) throw InputError(file_ + ": empty FHIR input");
    if (!too_long && CompleteJson(first)) {
      ndjson_ = true;
      HandleLine(first, first_line, false);
      std::string line;
      while (ReadLine(in, line, too_long)) {
        ++line_no;
        if (Blank(line) && !too_long) continue;
        HandleLine(line, line_no, too_long);
      }
    } else {
      std::string text = first;
      if (too_long) throw InputError(file_ + ": the first line of the FHIR document is longer than the NDJSON line limit and is not NDJSON");
      text.push_back('\n');
      char buf[65536];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<size_t>(in.gcount()));
        if (text.size() > options_.max_document_bytes)
          throw InputError(file_ + ": FHIR JSON document larger than " +
                           std::to_string(options_.max_document_bytes >> 20) +
                           " MiB; export NDJSON (one resource per line), which is streamed");
      }
      Object::Ptr root = Parse(text);
      if (root.isNull())
        throw InputError(file_ + ": neither a FHIR resource, a Bundle nor NDJSON: " + WhyNotParsed(text).substr(5));
      HandleResource(root, 1, "");
    }
    if (sink_.on_warning) {
      for (const auto& [system, n] : unknown_systems_)
        sink_.on_warning(file_ + ": " + std::to_string(n) + " coding(s) from an unknown code system kept and flagged OTHER: " + system);
      for (const auto& [type, n] : skipped_types_)
        sink_.on_warning(file_ + ": skipped " + std::to_string(n) + " " + type + " resource(s) (only Claim and ExplanationOfBenefit are read)");
    }
    return counts_;
  }

 private:
  static bool Blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
  }

  // One line (without '\n'); at most max_line_bytes kept, the rest skipped.
  bool ReadLine(std::istream& in, std::string& out, bool& too_long) {
    out.clear();
    too_long = false;
    std::streambuf* sb = in.rdbuf();
    int c = sb->sbumpc();
    if (c == std::char_traits<char>::eof()) return false;
    if (!bom_checked_) {
      bom_checked_ = true;
      if (c == 0xEF && sb->sgetc() == 0xBB) {
        sb->sbumpc();
        if (sb->sgetc() == 0xBF) sb->sbumpc();
        c = sb->sbumpc();
        if (c == std::char_traits<char>::eof()) return true;
      }
    }
    for (; c != std::char_traits<char>::eof() && c != '\n'; c = sb->sbumpc()) {
      if (out.size() < options_.max_line_bytes) out.push_back(static_cast<char>(c));
      else too_long = true;
    }
    return true;
  }

  // One complete JSON object on the line (brackets balance outside strings).
  static bool CompleteJson(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    if (i == s.size() || s[i] != '{') return false;
    int depth = 0;
    bool in_string = false, escape = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (in_string) {
        if (escape) escape = false;
        else if (c == '\\') escape = true;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }

  static Object::Ptr Parse(const std::string& text) {
    try {
      Poco::JSON::Parser parser;
      const Var v = parser.parse(text);
      if (v.type() != typeid(Object::Ptr)) return {};
      return v.extract<Object::Ptr>();
    } catch (const Poco::Exception&) {
      return {};
    } catch (const std::exception&) {
      return {};
    }
  }

  // Why Poco could not parse a line: the syntax scan names the problem (a number out of
  // range, a syntax error at a byte offset); otherwise the line is valid JSON but no object.
  static std::string WhyNotParsed(const std::string& text) {
    JsonLimits limits;
    limits.max_depth = 512;
    limits.max_string_bytes = text.size() + 1;
    if (auto error = CheckJsonSyntax(text, limits))
      return "line is not valid JSON: " + error->reason + " (byte " + std::to_string(error->offset + 1) + ")";
    return "line is not a JSON object (NDJSON: one resource per line)";
  }

  void RejectRecord(uint32_t line, std::string field, std::string reason, const std::string& raw) {
    counts_.records_read++;
    counts_.records_rejected++;
    if (sink_.on_reject)
      sink_.on_reject(Reject{file_, line, std::move(field), std::move(reason), raw.substr(0, kMaxRawKept)});
  }

  void HandleLine(const std::string& line, uint32_t line_no, bool too_long) {
    if (too_long)
      return RejectRecord(line_no, "", "NDJSON line longer than " + std::to_string(options_.max_line_bytes) + " bytes", line);
    Object::Ptr root = Parse(line);
    if (root.isNull()) return RejectRecord(line_no, "", WhyNotParsed(line), line);
    HandleResource(root, line_no, "");
  }

  static bool IsClaim(const std::string& type) { return type == "Claim" || type == "ExplanationOfBenefit"; }

  void HandleResource(const Object::Ptr& r, uint32_t line, const std::string& prefix) {
    const std::string type = Str(r, "resourceType");
    if (type == "Bundle") return HandleBundle(r, line, prefix);
    if (IsClaim(type)) return MapOne(r, line, prefix);
    if (Indexable(type)) {
      index_.Add(r, "", file_);
      return;
    }
    if (type.empty()) return RejectRecord(line, prefix, "resource has no resourceType", "");
    Skipped(type);
  }

  void Skipped(const std::string& type) {
    const std::string key = type.substr(0, 40);
    if (skipped_types_.size() < 50 || skipped_types_.count(key)) skipped_types_[key]++;
    else skipped_types_["(further types not listed)"]++;
  }

  void HandleBundle(const Object::Ptr& bundle, uint32_t line, const std::string& prefix) {
    const Array::Ptr entries = Arr(bundle, "entry");
    // Index supporting resources first: references may point forward in a Bundle.
    for (size_t i = 0; i < Size(entries); ++i) {
      const Object::Ptr entry = At(entries, i);
      const Object::Ptr r = Obj(entry, "resource");
      if (!r.isNull() && Indexable(Str(r, "resourceType"))) index_.Add(r, Str(entry, "fullUrl"), file_);
    }
    for (size_t i = 0; i < Size(entries); ++i) {
      const Object::Ptr r = Obj(At(entries, i), "resource");
      if (r.isNull()) continue;
      const std::string type = Str(r, "resourceType");
      // A whole Bundle numbers records by entry; inside an NDJSON line they share the line.
      const uint32_t where = ndjson_ ? line : static_cast<uint32_t>(std::min<size_t>(i + 1, UINT32_MAX));
      const std::string path = prefix + "Bundle.entry[" + std::to_string(i) + "].resource: ";
      if (IsClaim(type)) MapOne(r, where, path);
      else if (type == "Bundle") Skipped("Bundle (nested)");
      else if (!Indexable(type)) {
        if (type.empty()) RejectRecord(where, path, "resource has no resourceType", "");
        else Skipped(type);
      }
    }
  }

  void MapOne(const Object::Ptr& r, uint32_t line, const std::string& prefix) {
    counts_.records_read++;
    counts_.encounters_read++;
    Encounter e;
    ClaimMapper mapper(r, index_, line, unknown_systems_);
    if (auto problem = mapper.Map(e)) {
      counts_.records_rejected++;
      counts_.encounters_rejected++;
      if (sink_.on_reject)
        sink_.on_reject(Reject{file_, line, prefix + problem->field, problem->reason, ""});
      if (sink_.on_encounter_rejected && !e.id.empty()) sink_.on_encounter_rejected(e.id);
      return;
    }
    counts_.records_processed++;
    counts_.encounters_processed++;
    e.source_file = file_;
    if (sink_.on_encounter) sink_.on_encounter(std::move(e));
  }

  const std::string& file_;
  const IngestSink& sink_;
  const FhirOptions& options_;
  IngestCounts counts_;
  PartyIndex index_;
  bool ndjson_ = false, bom_checked_ = false;
  std::map<std::string, size_t> unknown_systems_, skipped_types_;
};

}  // namespace

IngestCounts ReadFhir(std::istream& in, const std::string& file_name, const IngestSink& sink,
                      const FhirOptions& options) {
  FhirFile reader(file_name, sink, options);
  return reader.Run(in);
}

IngestCounts ReadFhirFile(const std::string& path, const IngestSink& sink, const FhirOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open FHIR file " + path);
  return ReadFhir(in, path, sink, options);
}

}  // namespace coderaudit::ingest
