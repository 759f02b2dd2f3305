#include "audit/service/audit_workflow.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "audit/io/output_file.hpp"
#include "audit/qa/auditor_csv.hpp"
#include "audit/qa/rebuttal.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/service/results.hpp"
#include "audit/service/sample_service.hpp"
#include "audit/service/service.hpp"
#include "audit/service/trail.hpp"
#include "audit/service/users.hpp"
#include "audit/store/store.hpp"
#include "audit/store/trail_store.hpp"

namespace coderaudit::service {

namespace {

// The auditor CSV columns the workflow writes (schemas/auditor-csv.md).
constexpr std::string_view kAuditorHeader =
    "encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,drg,reason,comment,removed\n";

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Units(double u) {
  std::ostringstream os;
  os << u;
  return os.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// The re-coding as auditor CSV rows (no header). DX and PCS take their sequence from their
// order in `lines`.
std::string RecodingRows(const std::string& encounter_id, const std::string& auditor,
                         const Recoding& r) {
  std::string out;
  uint32_t seq[3] = {0, 0, 0};
  const std::string drg = Trim(r.drg);
  auto row = [&](CodeType type, const std::string& seq_text, const std::string& code,
                 const std::string& poa, const std::string& modifiers, const std::string& units,
                 const std::string& reason, const std::string& comment, bool removed) {
    for (const std::string& f :
         {encounter_id, auditor, std::string(ToString(type)), seq_text, Trim(code), Trim(poa),
          Trim(modifiers), units, drg, Trim(reason), comment})
      out += CsvField(f) + ",";
    out += removed ? "Y\n" : "\n";
  };
  for (const auto& l : r.lines) {
    const auto t = static_cast<size_t>(l.type);
    const std::string s = l.type == CodeType::kHcpcs ? "" : std::to_string(++seq[t]);
    const std::string u = l.type == CodeType::kHcpcs && l.units > 0 ? Units(l.units) : "";
    row(l.type, s, l.code, l.type == CodeType::kDiagnosis ? l.poa : "",
        l.type == CodeType::kHcpcs ? l.modifiers : "", u, l.reason, l.comment, false);
  }
  for (const auto& s : r.removed) row(s.type, "", s.code, "", "", "", s.reason, s.comment, true);
  return out;
}

// Reads stored (or proposed) rows with the auditor CSV reader `coderaudit score` uses.
// InputError naming the first problem.
qa::AuditedEncounter ParseRows(const std::string& encounter_id, const std::string& rows) {
  std::istringstream in(std::string(kAuditorHeader) + rows);
  std::vector<qa::AuditedEncounter> got;
  std::vector<Reject> rejects;
  qa::AuditorSink sink;
  sink.on_encounter = [&](qa::AuditedEncounter&& a) { got.push_back(std::move(a)); };
  sink.on_reject = [&](Reject&& r) { rejects.push_back(std::move(r)); };
  qa::ReadAuditorCsv(in, "re-coding of " + encounter_id, sink);
  if (!rejects.empty()) {
    // Line 2 is the first code of the version (line 1 is the header).
    // The row at fault, not the rows rejected with it ("encounter rejected: see line N").
    const auto at_fault = std::find_if(rejects.begin(), rejects.end(), [](const Reject& r) {
      return !r.reason.starts_with("encounter rejected");
    });
    const auto& r = at_fault == rejects.end() ? rejects.front() : *at_fault;
    throw InputError("code " + std::to_string(r.line > 1 ? r.line - 1 : 1) + " of the version" +
                     (r.field.empty() ? "" : " (" + r.field + ")") + ": " + r.reason);
  }
  if (got.size() != 1) throw InputError("the version of " + encounter_id + " has no codes");
  return std::move(got.front());
}

Recoding RecodingOf(const qa::AuditedEncounter& a) {
  Recoding r;
  r.drg = a.drg;
  for (size_t i = 0; i < a.lines.size(); ++i) {
    const auto& l = a.lines[i];
    RecodedLine out;
    out.type = l.type;
    out.code = l.code.Str();
    out.poa = l.poa == ' ' ? "" : std::string(1, l.poa);
    out.modifiers = l.modifiers.Str();
    out.units = l.type == CodeType::kHcpcs ? l.units : 0;
    if (i < a.notes.size()) {
      out.reason = a.notes[i].reason;
      out.comment = a.notes[i].comment;
    }
    r.lines.push_back(std::move(out));
  }
  for (const auto& s : a.removed)
    r.removed.push_back({s.type, s.code.Str(), s.note.reason, s.note.comment});
  return r;
}

store::QaAuditRow RequireAudit(store::Store& db, int64_t audit_id) {
  auto a = store::LoadQaAudit(db, audit_id);
  if (!a) throw InputError("no audit " + std::to_string(audit_id));
  return *a;
}

// Whether the actor sees every encounter of an audit (managers and readers) or only their
// own (auditors: assigned to them; coders: their submitted ones).
bool SeesAll(const Actor& a) { return a.role != Role::kAuditor && a.role != Role::kCoder; }

bool MayView(const Actor& a, const store::QaAuditEncounterRow& row) {
  if (a.role == Role::kAuditor) return row.auditor == a.name;
  if (a.role == Role::kCoder) return row.coder_id == a.coder_id && row.state == "submitted";
  return true;
}

store::QaAuditEncounterRow RequireEncounter(store::Store& db, int64_t audit_id,
                                            const std::string& encounter_id, const Actor& actor) {
  auto row = store::LoadQaAuditEncounter(db, audit_id, encounter_id);
  // Someone else's encounter reads as absent: its id tells nothing.
  if (!row || !MayView(actor, *row))
    throw InputError("audit " + std::to_string(audit_id) + " has no encounter " + encounter_id +
                     " for " + actor.name);
  return *row;
}

std::string Subject(int64_t audit_id, const std::string& encounter_id = "") {
  return "audit:" + std::to_string(audit_id) + (encounter_id.empty() ? "" : "/encounter:" + encounter_id);
}

// The encounter's diff rows (matches included: change indexes count every row).
std::vector<qa::CodeDiff> DiffRows(const store::QaAuditEncounterRow& row, const Encounter& coder) {
  if (row.recoding.empty()) return {};
  return qa::DiffEncounter(coder, ParseRows(row.encounter_id, row.recoding));
}

Encounter RequireCoderEncounter(store::Store& db, const store::QaAuditRow& audit,
                                const std::string& encounter_id) {
  auto e = db.LoadEncounter(audit.check_run_id, encounter_id);
  if (!e)
    throw InputError("encounter " + encounter_id + " is no longer in check run " +
                     std::to_string(audit.check_run_id));
  return *e;
}

AuditProgress ProgressOf(store::Store& db, const store::QaAuditRow& audit) {
  AuditProgress p;
  p.audit = audit;
  std::map<std::string, AuditProgress::ByAuditor> by;
  for (const auto& e : store::AllQaAuditEncounters(db, audit.audit_id)) {
    p.encounters++;
    if (e.auditor.empty()) p.unassigned++;
    else {
      auto& b = by[e.auditor];
      b.auditor = e.auditor;
      b.assigned++;
      b.drafts += e.state == "draft";
      b.submitted += e.state == "submitted";
    }
    p.drafts += e.state == "draft";
    p.submitted += e.state == "submitted";
  }
  for (const auto& r : store::LoadQaResponses(db, audit.audit_id)) {
    p.disputes += r.rebuttal == "disagree";
    p.decided += r.rebuttal == "disagree" && !r.decision.empty();
  }
  for (auto& [name, b] : by) p.auditors.push_back(b);
  return p;
}

// A private folder for the files a close scores from (removed afterwards).
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "coderaudit-audit-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw SystemError("cannot make a temporary folder");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw SystemError("cannot write " + path);
}

std::string AuditorCsvOf(store::Store& db, int64_t audit_id, int64_t* scored, int64_t* left_out) {
  std::string csv(kAuditorHeader);
  for (const auto& e : store::AllQaAuditEncounters(db, audit_id)) {
    if (e.state != "submitted") {
      if (left_out) ++*left_out;
      continue;
    }
    if (scored) ++*scored;
    csv += e.recoding;
  }
  return csv;
}

}  // namespace

Recoding CopyOf(const Encounter& e) {
  Recoding r;
  r.drg = e.drg;
  for (const CodeType t : {CodeType::kDiagnosis, CodeType::kPcs, CodeType::kHcpcs}) {
    std::vector<const CodedLine*> lines;
    for (const auto& l : e.lines)
      if (l.type == t) lines.push_back(&l);
    if (t != CodeType::kHcpcs)
      std::stable_sort(lines.begin(), lines.end(),
                       [](const CodedLine* a, const CodedLine* b) { return a->seq < b->seq; });
    for (const auto* l : lines) {
      RecodedLine out;
      out.type = t;
      out.code = l->code.Str();
      out.poa = l->poa == ' ' ? "" : std::string(1, l->poa);
      out.modifiers = l->modifiers.Str();
      out.units = t == CodeType::kHcpcs ? l->units : 0;
      r.lines.push_back(std::move(out));
    }
  }
  return r;
}

CodeValidity CheckCodeOn(const refdata::RefData& tables, CodeType type, std::string_view text, Date on) {
  using refdata::TableKind;
  CodeValidity v;
  const auto code = Code::Parse(qa::NormalCode(text));
  const TableKind kind = type == CodeType::kDiagnosis ? TableKind::kIcd10CmOrder
                         : type == CodeType::kPcs     ? TableKind::kIcd10PcsOrder
                                                      : TableKind::kHcpcs;
  const auto* table = tables.TableFor(kind, on);
  const std::string day = ToIso(on);
  if (!table) {
    v.message = "no " + std::string(refdata::ToString(kind)) + " table covers " + day;
    return v;
  }
  v.table_in_force = true;
  v.table = std::string(refdata::ToString(kind)) + " " + table->version;
  if (!code) {
    v.message = "not a code";
    return v;
  }
  v.description = std::string(tables.Description(kind, *code, on));
  if (type == CodeType::kDiagnosis) {
    const bool known = tables.IcdCmKnown(*code, on), billable = tables.IcdCmBillable(*code, on);
    v.valid = known && billable;
    v.message = !known ? "not an ICD-10-CM code on " + day
                : billable ? "valid on " + day
                           : "a category, not billable on " + day + ": use a more specific code";
  } else if (type == CodeType::kPcs) {
    v.valid = tables.IcdPcsValid(*code, on);
    v.message = v.valid ? "valid on " + day : "not an ICD-10-PCS code on " + day;
  } else {
    v.valid = tables.HcpcsValid(*code, on);
    const bool cpt = !text.empty() && text[0] >= '0' && text[0] <= '9';
    v.message = v.valid ? "valid on " + day
                : cpt   ? "a CPT code: not in the HCPCS Level II table"
                        : "not a HCPCS Level II code on " + day;
  }
  v.message += " (" + v.table + ")";
  return v;
}

std::optional<Actor> SessionActor(const std::string& db_path, const Actor& logged_in) {
  store::Store db(db_path);
  const auto user = store::LoadUserById(db, logged_in.user_id);
  if (!user || !user->disabled_at.empty() || user->hash_hex.empty()) return std::nullopt;
  return ActorOf(*user);
}

const std::vector<ReasonCode>& AuditReasons() {
  static const std::vector<ReasonCode> kReasons = {
      {"DOC", "Documentation does not support / supports the code"},
      {"SPEC", "A more specific code applies"},
      {"SEQ", "Sequencing guideline"},
      {"GUIDE", "Other coding guideline"},
      {"MOD", "Modifier"},
      {"UNITS", "Units"},
      {"POA", "Present-on-admission indicator"},
      {"DRG", "DRG assignment"},
  };
  return kReasons;
}

int64_t CreateAudit(const std::string& db_path, const CreateAuditOptions& o, const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  Authorize(actor, Operation::kDrawSample);
  const std::string title = Trim(o.title);
  if (title.empty() || title.size() > 200) throw InputError("an audit needs a title (1-200 characters)");
  // The policy is refused before anything is drawn or stored.
  const std::string& policy_text = o.policy_text;
  std::optional<qa::ScoringPolicy> policy;
  if (!policy_text.empty()) {
    if (policy_text.size() > qa::kMaxPolicyBytes) throw InputError("the policy file is too large");
    auto loaded = qa::ParsePolicy(policy_text, o.policy_file.empty() ? "policy" : o.policy_file);
    if (!loaded.policy) {
      std::string why = "the scoring policy is not valid";
      for (size_t i = 0; i < loaded.issues.size() && i < 3; ++i) why += "\n" + Describe(loaded.issues[i]);
      throw InputError(why);
    }
    policy = std::move(loaded.policy);
  }
  const int64_t run = o.check_run_id ? o.check_run_id : LatestCheckRun(db_path);
  {
    store::Store db(db_path);
    std::set<std::string> auditors;
    for (const auto& u : store::ListUsers(db))
      if (u.role == "auditor" && u.disabled_at.empty()) auditors.insert(u.name);
    for (const auto& a : o.auditors)
      if (!auditors.count(a)) throw InputError(a + " is not an auditor of this store");
  }
  // The frame's coder of each encounter (the sample records ids only).
  std::map<std::string, std::string> coder_of;
  for (const auto& f : LoadFrame(db_path, run)) coder_of[f.encounter_id] = f.coder_id;
  const auto drawn = DrawAndStoreSample(db_path, run, o.spec, actor);
  std::vector<store::QaAuditEncounterRow> rows;
  for (const auto& it : drawn.sample.items) {
    if (it.role != "sample") continue;
    store::QaAuditEncounterRow r;
    r.encounter_id = it.encounter_id;
    r.position = static_cast<int64_t>(rows.size()) + 1;
    r.coder_id = coder_of[it.encounter_id];
    if (!o.auditors.empty()) r.auditor = o.auditors[rows.size() % o.auditors.size()];
    rows.push_back(std::move(r));
  }
  if (rows.empty()) throw InputError("the sample drew no encounters");
  store::QaAuditRow a;
  a.title = title;
  a.check_run_id = run;
  a.sample_id = drawn.sample_id;
  a.design = std::string(sampling::ToString(drawn.sample.spec.design));
  a.policy_name = qa::DefaultPolicy().id + " " + qa::DefaultPolicy().version;
  if (!policy_text.empty()) {
    a.policy_name = policy->id + " " + policy->version;
    a.policy_text = o.policy_text;
  }
  a.created_by = actor.name;
  a.created_at = NowIso();
  store::Store db(db_path);
  int64_t id = 0;
  store::InTransaction(db, [&] {
    id = store::InsertQaAudit(db, a, rows);
    Record(db, MakeEvent(actor, "audit.created", Subject(id), run, "{}",
                         JsonObject().Str("title", title).Int("sample_id", drawn.sample_id)
                             .Str("design", a.design).Int("encounters", static_cast<int64_t>(rows.size()))
                             .Str("policy", a.policy_name).Int("auditors", static_cast<int64_t>(o.auditors.size()))
                             .Text()));
  });
  return id;
}

std::vector<AuditProgress> ListAudits(const std::string& db_path, const Actor& actor) {
  Authorize(actor, Operation::kReadAudits);
  store::Store db(db_path);
  std::vector<AuditProgress> out;
  auto audits = store::ListQaAudits(db);
  std::reverse(audits.begin(), audits.end());
  for (const auto& a : audits) {
    if (!SeesAll(actor)) {
      store::QaEncounterFilter f;
      f.limit = 1;
      if (actor.role == Role::kAuditor) f.auditor = actor.name;
      else {
        f.coder_id = actor.coder_id;
        f.state = "submitted";
      }
      int64_t n = 0;
      store::ListQaAuditEncounters(db, a.audit_id, f, &n);
      if (n == 0) continue;
    }
    out.push_back(ProgressOf(db, a));
  }
  return out;
}

AuditProgress LoadAuditProgress(const std::string& db_path, int64_t audit_id, const Actor& actor) {
  Authorize(actor, Operation::kReadAudits);
  store::Store db(db_path);
  return ProgressOf(db, RequireAudit(db, audit_id));
}

AuditEncounterPage ListAuditEncounters(const std::string& db_path, int64_t audit_id,
                                       store::QaEncounterFilter filter, const Actor& actor) {
  Authorize(actor, Operation::kReadAudits);
  if (filter.limit < 1 || filter.limit > 1000) throw InputError("limit must be 1..1000");
  if (filter.offset < 0) throw InputError("offset must be >= 0");
  if (actor.role == Role::kAuditor) filter.auditor = actor.name;
  if (actor.role == Role::kCoder) {
    filter.coder_id = actor.coder_id;
    filter.state = "submitted";
  }
  store::Store db(db_path);
  RequireAudit(db, audit_id);
  AuditEncounterPage page;
  page.rows = store::ListQaAuditEncounters(db, audit_id, filter, &page.total);
  return page;
}

std::vector<std::string> ListAuditors(const std::string& db_path, const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  store::Store db(db_path);
  std::vector<std::string> out;
  for (const auto& u : store::ListUsers(db))
    if (u.role == "auditor" && u.disabled_at.empty()) out.push_back(u.name);
  return out;
}

int64_t AssignEncounters(const std::string& db_path, int64_t audit_id,
                         const std::vector<std::string>& encounter_ids, const std::string& auditor,
                         const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  store::Store db(db_path);
  const auto audit = RequireAudit(db, audit_id);
  if (audit.state != "open") throw InputError("audit " + std::to_string(audit_id) + " is closed");
  const auto user = store::LoadUser(db, auditor);
  if (!user || user->role != "auditor" || !user->disabled_at.empty())
    throw InputError(auditor + " is not an auditor of this store");
  int64_t changed = 0;
  store::InTransaction(db, [&] {
    changed = store::AssignQaAuditEncounters(db, audit_id, encounter_ids, auditor);
    Record(db, MakeEvent(actor, "audit.assigned", Subject(audit_id), audit.check_run_id, "{}",
                         JsonObject().Str("auditor", auditor).Int("encounters", changed).Text()));
  });
  return changed;
}

AuditEncounterView LoadAuditEncounter(const std::string& db_path, int64_t audit_id,
                                      const std::string& encounter_id, const Actor& actor) {
  Authorize(actor, Operation::kReadAudits);
  store::Store db(db_path);
  AuditEncounterView v;
  v.audit = RequireAudit(db, audit_id);
  v.row = RequireEncounter(db, audit_id, encounter_id, actor);
  v.coder = RequireCoderEncounter(db, v.audit, encounter_id);
  if (actor.MasksPatients()) {
    v.coder.patient_id = std::string(kMasked);
    v.coder.birth_date.reset();
  }
  v.recoding = v.row.recoding.empty() ? CopyOf(v.coder)
                                      : RecodingOf(ParseRows(encounter_id, v.row.recoding));
  const auto rows = DiffRows(v.row, v.coder);
  std::map<int64_t, store::QaResponseRow> answers;
  for (auto& r : store::LoadQaResponses(db, audit_id, encounter_id)) answers[r.change_index] = r;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!qa::IsError(rows[i].outcome)) continue;
    AuditChange c;
    c.index = static_cast<int64_t>(i);
    c.diff = rows[i];
    if (auto it = answers.find(c.index); it != answers.end()) c.response = it->second;
    v.changes.push_back(std::move(c));
  }
  if (actor.Can(Operation::kReadFindings)) {
    FindingFilter f;
    f.encounter = encounter_id;
    v.findings = ListFindings(db_path, v.audit.check_run_id, f, actor).rows;
  }
  return v;
}

int64_t SaveRecoding(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
                     int64_t expected_version, const Recoding& recoding, bool submit,
                     const Actor& actor) {
  Authorize(actor, Operation::kRecodeAudit);
  store::Store db(db_path);
  const auto audit = RequireAudit(db, audit_id);
  if (audit.state != "open") throw InputError("audit " + std::to_string(audit_id) + " is closed");
  const auto row = RequireEncounter(db, audit_id, encounter_id, actor);
  if (actor.role != Role::kAdmin && row.auditor != actor.name)
    throw ForbiddenError(encounter_id + " is assigned to " + (row.auditor.empty() ? "nobody" : row.auditor));
  if (row.state == "submitted")
    throw ConflictError(encounter_id + " was submitted by " + row.updated_by + " at " + row.updated_at +
                        "; a submitted re-coding cannot change");
  if (row.version != expected_version)
    throw ConflictError(encounter_id + " was saved by " + row.updated_by + " at " + row.updated_at +
                        " (version " + std::to_string(row.version) + "; yours started from version " +
                        std::to_string(expected_version) + "). Reload it to see their changes; "
                        "nothing of yours was saved.");
  if (recoding.lines.empty()) throw InputError("the auditor's version needs at least one code");
  for (const auto& l : recoding.lines)
    if (l.comment.size() > 2000 || Trim(l.reason).size() > 16)
      throw InputError("a reason is at most 16 characters and a comment 2000");
  const std::string auditor = row.auditor.empty() ? actor.name : row.auditor;
  const std::string rows = RecodingRows(encounter_id, auditor, recoding);
  ParseRows(encounter_id, rows);   // refused as `coderaudit score` would refuse it
  const std::string state = submit ? "submitted" : "draft";
  bool saved = false;
  store::InTransaction(db, [&] {
    saved = store::SaveQaRecoding(db, audit_id, encounter_id, expected_version, rows, state,
                                  NowIso(), actor.name);
    if (!saved) return;
    Record(db, MakeEvent(actor, submit ? "audit.recoding.submitted" : "audit.recoding.saved",
                         Subject(audit_id, encounter_id), audit.check_run_id,
                         JsonObject().Int("version", expected_version).Text(),
                         JsonObject().Int("version", expected_version + 1)
                             .Str("sha256", Sha256Hex(rows)).Int("codes", static_cast<int64_t>(recoding.lines.size()))
                             .Int("struck", static_cast<int64_t>(recoding.removed.size())).Text()));
  });
  if (!saved)
    throw ConflictError(encounter_id + " was saved by someone else just now; reload it to see "
                        "their changes; nothing of yours was saved.");
  return expected_version + 1;
}

namespace {

// The change `index` of a submitted encounter the actor may see.
AuditChange RequireChange(store::Store& db, const store::QaAuditRow& audit,
                          const store::QaAuditEncounterRow& row, int64_t index) {
  if (row.state != "submitted") throw InputError(row.encounter_id + " is not submitted yet");
  const auto coder = RequireCoderEncounter(db, audit, row.encounter_id);
  const auto rows = DiffRows(row, coder);
  if (index < 0 || index >= static_cast<int64_t>(rows.size()) ||
      !qa::IsError(rows[static_cast<size_t>(index)].outcome))
    throw InputError(row.encounter_id + " has no change " + std::to_string(index));
  AuditChange c;
  c.index = index;
  c.diff = rows[static_cast<size_t>(index)];
  for (auto& r : store::LoadQaResponses(db, audit.audit_id, row.encounter_id))
    if (r.change_index == index) c.response = r;
  return c;
}

std::string ChangeJson(const qa::CodeDiff& d) {
  return JsonObject().Str("outcome", qa::ToString(d.outcome)).Str("code_type", qa::ToString(d.code_type))
      .Str("coder_code", d.coder_code).Str("auditor_code", d.auditor_code).Text();
}

}  // namespace

namespace {

// Stores a coder's answer or a manager's decision on one change of an open audit, with
// its trail event, in one transaction. `set` fills the answer's fields.
void PutAnswer(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
               int64_t change_index, const Actor& actor, bool coder_answers,
               const std::string& action, const std::string& value, const std::string& text) {
  store::Store db(db_path);
  const auto audit = RequireAudit(db, audit_id);
  if (audit.state != "open") throw InputError("audit " + std::to_string(audit_id) + " is closed");
  const auto row = RequireEncounter(db, audit_id, encounter_id, actor);
  if (coder_answers && actor.role != Role::kAdmin && row.coder_id != actor.coder_id)
    throw ForbiddenError("only the coder of " + encounter_id + " answers its changes");
  auto c = RequireChange(db, audit, row, change_index);
  if (coder_answers && !c.response.decision.empty()) throw InputError("this change is already decided");
  const char* key = coder_answers ? "rebuttal" : "decision";
  store::InTransaction(db, [&] {
    const std::string before =
        JsonObject().Str(key, coder_answers ? c.response.rebuttal : c.response.decision).Text();
    c.response.audit_id = audit_id;
    c.response.encounter_id = encounter_id;
    c.response.change_index = change_index;
    (coder_answers ? c.response.rebuttal : c.response.decision) = value;
    (coder_answers ? c.response.coder_comment : c.response.decision_note) = text;
    store::PutQaResponse(db, c.response);
    Record(db, MakeEvent(actor, action,
                         Subject(audit_id, encounter_id) + "/change:" + std::to_string(change_index),
                         audit.check_run_id, before,
                         JsonObject().Raw("change", ChangeJson(c.diff)).Str(key, value)
                             .Str(coder_answers ? "comment" : "note", text).Text()));
  });
}

}  // namespace

void AnswerChange(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
                  int64_t change_index, const std::string& rebuttal, const std::string& comment,
                  const Actor& actor) {
  Authorize(actor, Operation::kAnswerAudit);
  if (rebuttal != "agree" && rebuttal != "disagree") throw InputError("answer agree or disagree");
  if (comment.size() > 2000) throw InputError("a comment is at most 2000 characters");
  if (rebuttal == "disagree" && Trim(comment).empty())
    throw InputError("say why you disagree (a comment)");
  PutAnswer(db_path, audit_id, encounter_id, change_index, actor, true, "audit.change.answered",
            rebuttal, comment);
}

void DecideChange(const std::string& db_path, int64_t audit_id, const std::string& encounter_id,
                  int64_t change_index, const std::string& decision, const std::string& note,
                  const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  if (decision != "upheld" && decision != "overturned") throw InputError("decide upheld or overturned");
  if (note.size() > 2000) throw InputError("a note is at most 2000 characters");
  PutAnswer(db_path, audit_id, encounter_id, change_index, actor, false, "audit.change.decided",
            decision, note);
}

std::vector<Dispute> ListDisputes(const std::string& db_path, int64_t audit_id, const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  store::Store db(db_path);
  const auto audit = RequireAudit(db, audit_id);
  std::vector<Dispute> out;
  for (const auto& r : store::LoadQaResponses(db, audit_id)) {
    if (r.rebuttal != "disagree") continue;
    const auto row = RequireEncounter(db, audit_id, r.encounter_id, actor);
    out.push_back({row, RequireChange(db, audit, row, r.change_index)});
  }
  return out;
}

std::string AuditorCsv(const std::string& db_path, int64_t audit_id, const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  store::Store db(db_path);
  RequireAudit(db, audit_id);
  return AuditorCsvOf(db, audit_id, nullptr, nullptr);
}

ClosedAudit CloseAudit(const std::string& db_path, int64_t audit_id, const Actor& actor) {
  Authorize(actor, Operation::kManageAudits);
  ClosedAudit out;
  store::QaAuditRow audit;
  std::string auditor_csv, rebuttal_csv;
  {
    store::Store db(db_path);
    audit = RequireAudit(db, audit_id);
    if (audit.state != "open") throw InputError("audit " + std::to_string(audit_id) + " is already closed");
    auditor_csv = AuditorCsvOf(db, audit_id, &out.scored_encounters, &out.left_out);
    if (out.scored_encounters == 0) throw InputError("no encounter of audit " + std::to_string(audit_id) + " is submitted");
  }
  // Closing is the manager's operation (manage-audits, authorised above); the score and
  // rebuttal runs it makes are part of it, so they run with the manager's name and the
  // rights those two steps need, and the trail records both under that name.
  Actor closing = actor;
  closing.role = Role::kAdmin;
  closing.scope = TokenScope::kAll;
  TempDir dir;
  const std::string tag = "audit-" + std::to_string(audit_id);
  ScoreOptions so;
  so.db_path = db_path;
  so.check_run_id = audit.check_run_id;
  so.auditor_path = dir.File(tag + "-auditor.csv");
  so.actor = closing;
  if (!audit.policy_text.empty()) {
    so.policy_path = dir.File(tag + "-policy.xml");
    WriteFile(so.policy_path, audit.policy_text);
  }
  WriteFile(so.auditor_path, auditor_csv);
  const auto scored = RunScore(so);
  out.score_run_id = out.final_run_id = scored.run.run_id;
  out.scores = scored.scores;
  {
    // Each answered change by its Ref in the score run: the run stores every encounter's
    // diff rows in the order DiffEncounter gives them, which is what change indexes count.
    store::Store db(db_path);
    std::map<std::string, std::vector<uint32_t>> refs;
    for (const auto& d : db.LoadDiffs(out.score_run_id)) refs[d.encounter_id].push_back(d.ref);
    rebuttal_csv = "ref,encounter_id,outcome,rebuttal,coder_comment,decision,decision_note\n";
    bool any = false;
    for (const auto& r : store::LoadQaResponses(db, audit_id)) {
      if (r.rebuttal.empty() && r.decision.empty()) continue;
      const auto it = refs.find(r.encounter_id);
      if (it == refs.end() || r.change_index >= static_cast<int64_t>(it->second.size())) continue;
      const auto row = store::LoadQaAuditEncounter(db, audit_id, r.encounter_id);
      const auto change = RequireChange(db, audit, *row, r.change_index);
      rebuttal_csv += std::to_string(it->second[static_cast<size_t>(r.change_index)]) + "," +
                      CsvField(r.encounter_id) + "," + std::string(qa::ToString(change.diff.outcome)) +
                      "," + r.rebuttal + "," + CsvField(r.coder_comment) + "," + r.decision + "," +
                      CsvField(r.decision_note) + "\n";
      any = true;
    }
    if (any) {
      RebuttalOptions ro;
      ro.db_path = db_path;
      ro.score_run_id = out.score_run_id;
      ro.path = dir.File(tag + "-rebuttal.csv");
      ro.actor = closing;
      WriteFile(ro.path, rebuttal_csv);
      const auto rebutted = RunRebuttal(ro);
      out.final_run_id = rebutted.score.run.run_id;
      out.scores = rebutted.score.scores;
    }
  }
  store::Store db(db_path);
  store::InTransaction(db, [&] {
    store::CloseQaAudit(db, audit_id, out.score_run_id, out.final_run_id, NowIso());
    Record(db, MakeEvent(actor, "audit.closed", Subject(audit_id), audit.check_run_id,
                         JsonObject().Str("state", "open").Text(),
                         JsonObject().Int("score_run_id", out.score_run_id)
                             .Int("final_run_id", out.final_run_id)
                             .Int("scored_encounters", out.scored_encounters)
                             .Int("left_out", out.left_out)
                             .Str("auditor_csv_sha256", Sha256Hex(auditor_csv)).Text()));
  });
  return out;
}

}  // namespace coderaudit::service
