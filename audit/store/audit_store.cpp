#include "audit/store/audit_store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include "audit/store/rows.hpp"
#include "audit/store/store.hpp"

namespace coderaudit::store {

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;
using detail::Int;
using detail::Rethrow;
using detail::Str;

namespace {

QaAuditRow AuditOf(RecordSet& rs) {
  QaAuditRow r;
  r.audit_id = Int(rs, "audit_id");
  r.title = Str(rs, "title");
  r.check_run_id = Int(rs, "check_run_id");
  r.sample_id = Int(rs, "sample_id");
  r.design = Str(rs, "design");
  r.policy_name = Str(rs, "policy_name");
  r.policy_text = Str(rs, "policy_text");
  r.state = Str(rs, "state");
  r.created_by = Str(rs, "created_by");
  r.created_at = Str(rs, "created_at");
  r.closed_at = Str(rs, "closed_at");
  r.score_run_id = Int(rs, "score_run_id");
  r.final_run_id = Int(rs, "final_run_id");
  return r;
}

QaAuditEncounterRow EncounterOf(RecordSet& rs) {
  QaAuditEncounterRow r;
  r.audit_id = Int(rs, "audit_id");
  r.encounter_id = Str(rs, "encounter_id");
  r.position = Int(rs, "position");
  r.coder_id = Str(rs, "coder_id");
  r.auditor = Str(rs, "auditor");
  r.state = Str(rs, "state");
  r.version = Int(rs, "version");
  r.recoding = Str(rs, "recoding");
  r.updated_at = Str(rs, "updated_at");
  r.updated_by = Str(rs, "updated_by");
  return r;
}

// The filter's WHERE clause: $1 audit, $2 auditor, $3 coder, $4 state, $5 text, $6 '%text%'.
constexpr const char* kFilter =
    " FROM qa_audit_encounters WHERE audit_id = $1 AND ($2 = '' OR auditor = $2) AND "
    "($3 = '' OR coder_id = $3) AND ($4 = '' OR state = $4) AND ($5 = '' OR encounter_id LIKE $6)";

}  // namespace

int64_t InsertQaAudit(Store& store, const QaAuditRow& row,
                      const std::vector<QaAuditEncounterRow>& encounters) {
  auto& s = store.Session();
  try {
    Poco::Int64 id = 0;
    s << "SELECT COALESCE(MAX(audit_id), 0) + 1 FROM qa_audits", into(id), now;
    QaAuditRow r = row;
    Poco::Int64 run = r.check_run_id, sample = r.sample_id;
    s << "INSERT INTO qa_audits (audit_id, title, check_run_id, sample_id, design, policy_name, "
         "policy_text, state, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', "
         "$8, $9)",
        use(id), use(r.title), use(run), use(sample), use(r.design), use(r.policy_name),
        use(r.policy_text), use(r.created_by), use(r.created_at), now;
    Statement st(s);
    std::string enc, coder, auditor;
    Poco::Int64 position = 0;
    st << "INSERT INTO qa_audit_encounters (audit_id, encounter_id, position, coder_id, auditor, "
          "state) VALUES ($1, $2, $3, $4, $5, 'new')",
        use(id), use(enc), use(position), use(coder), use(auditor);
    for (const auto& e : encounters) {
      enc = e.encounter_id;
      position = e.position;
      coder = e.coder_id;
      auditor = e.auditor;
      st.execute();
    }
    return id;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot store the audit");
  }
}

std::vector<QaAuditRow> ListQaAudits(Store& store) {
  std::vector<QaAuditRow> out;
  try {
    Statement st = (store.Session() << "SELECT * FROM qa_audits ORDER BY audit_id", now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(AuditOf(rs));
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot list audits");
  }
  return out;
}

std::optional<QaAuditRow> LoadQaAudit(Store& store, int64_t audit_id) {
  try {
    Poco::Int64 id = audit_id;
    Statement st = (store.Session() << "SELECT * FROM qa_audits WHERE audit_id = $1", use(id), now);
    RecordSet rs(st);
    if (!rs.moveFirst()) return std::nullopt;
    return AuditOf(rs);
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read audit " + std::to_string(audit_id));
  }
}

std::vector<QaAuditEncounterRow> ListQaAuditEncounters(Store& store, int64_t audit_id,
                                                       const QaEncounterFilter& filter,
                                                       int64_t* total) {
  std::vector<QaAuditEncounterRow> out;
  try {
    Poco::Int64 id = audit_id, offset = filter.offset, limit = filter.limit;
    std::string auditor = filter.auditor, coder = filter.coder_id, state = filter.state,
                text = filter.text, like = "%" + filter.text + "%";
    if (total) {
      Poco::Int64 n = 0;
      store.Session() << std::string("SELECT COUNT(*)") + kFilter, into(n), use(id), use(auditor),
          use(coder), use(state), use(text), use(like), now;
      *total = n;
    }
    Statement st = (store.Session() << std::string("SELECT *") + kFilter +
                                           " ORDER BY position LIMIT $7 OFFSET $8",
                    use(id), use(auditor), use(coder), use(state), use(text), use(like),
                    use(limit), use(offset), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(EncounterOf(rs));
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot list the encounters of audit " + std::to_string(audit_id));
  }
  return out;
}

std::optional<QaAuditEncounterRow> LoadQaAuditEncounter(Store& store, int64_t audit_id,
                                                        const std::string& encounter_id) {
  try {
    Poco::Int64 id = audit_id;
    std::string enc = encounter_id;
    Statement st = (store.Session() << "SELECT * FROM qa_audit_encounters WHERE audit_id = $1 AND "
                                       "encounter_id = $2",
                    use(id), use(enc), now);
    RecordSet rs(st);
    if (!rs.moveFirst()) return std::nullopt;
    return EncounterOf(rs);
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read an encounter of audit " + std::to_string(audit_id));
  }
}

std::vector<QaAuditEncounterRow> AllQaAuditEncounters(Store& store, int64_t audit_id) {
  QaEncounterFilter all;
  all.limit = INT64_MAX;
  return ListQaAuditEncounters(store, audit_id, all, nullptr);
}

int64_t AssignQaAuditEncounters(Store& store, int64_t audit_id,
                                const std::vector<std::string>& encounter_ids,
                                const std::string& auditor) {
  int64_t changed = 0;
  try {
    Poco::Int64 id = audit_id;
    std::string who = auditor, enc;
    Statement st(store.Session());
    st << "UPDATE qa_audit_encounters SET auditor = $1 WHERE audit_id = $2 AND encounter_id = $3 "
          "AND state <> 'submitted'",
        use(who), use(id), use(enc);
    for (const auto& e : encounter_ids) {
      enc = e;
      changed += static_cast<int64_t>(st.execute());
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot assign encounters of audit " + std::to_string(audit_id));
  }
  return changed;
}

bool SaveQaRecoding(Store& store, int64_t audit_id, const std::string& encounter_id,
                    int64_t expected_version, const std::string& recoding,
                    const std::string& state, const std::string& at, const std::string& by) {
  try {
    Poco::Int64 id = audit_id, expected = expected_version;
    std::string enc = encounter_id, text = recoding, st_ = state, when = at, who = by;
    Statement st(store.Session());
    st << "UPDATE qa_audit_encounters SET recoding = $1, state = $2, version = version + 1, "
          "updated_at = $3, updated_by = $4 WHERE audit_id = $5 AND encounter_id = $6 AND "
          "version = $7",
        use(text), use(st_), use(when), use(who), use(id), use(enc), use(expected);
    return st.execute() == 1;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot save the re-coding of " + encounter_id);
  }
}

std::vector<QaResponseRow> LoadQaResponses(Store& store, int64_t audit_id,
                                           const std::string& encounter_id) {
  std::vector<QaResponseRow> out;
  try {
    Poco::Int64 id = audit_id;
    std::string enc = encounter_id;
    Statement st = (store.Session() << "SELECT * FROM qa_audit_responses WHERE audit_id = $1 AND "
                                       "($2 = '' OR encounter_id = $2) ORDER BY encounter_id, "
                                       "change_index",
                    use(id), use(enc), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      QaResponseRow r;
      r.audit_id = Int(rs, "audit_id");
      r.encounter_id = Str(rs, "encounter_id");
      r.change_index = Int(rs, "change_index");
      r.rebuttal = Str(rs, "rebuttal");
      r.coder_comment = Str(rs, "coder_comment");
      r.decision = Str(rs, "decision");
      r.decision_note = Str(rs, "decision_note");
      out.push_back(std::move(r));
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read the answers of audit " + std::to_string(audit_id));
  }
  return out;
}

void PutQaResponse(Store& store, const QaResponseRow& row) {
  try {
    auto& s = store.Session();
    QaResponseRow r = row;
    Poco::Int64 id = r.audit_id, change = r.change_index;
    s << "DELETE FROM qa_audit_responses WHERE audit_id = $1 AND encounter_id = $2 AND "
         "change_index = $3",
        use(id), use(r.encounter_id), use(change), now;
    s << "INSERT INTO qa_audit_responses (audit_id, encounter_id, change_index, rebuttal, "
         "coder_comment, decision, decision_note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        use(id), use(r.encounter_id), use(change), use(r.rebuttal), use(r.coder_comment),
        use(r.decision), use(r.decision_note), now;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot store the answer");
  }
}

void CloseQaAudit(Store& store, int64_t audit_id, int64_t score_run_id, int64_t final_run_id,
                  const std::string& at) {
  try {
    Poco::Int64 id = audit_id, score = score_run_id, final_run = final_run_id;
    std::string when = at;
    store.Session() << "UPDATE qa_audits SET state = 'closed', closed_at = $1, score_run_id = $2, "
                       "final_run_id = $3 WHERE audit_id = $4",
        use(when), use(score), use(final_run), use(id), now;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot close audit " + std::to_string(audit_id));
  }
}

}  // namespace coderaudit::store
