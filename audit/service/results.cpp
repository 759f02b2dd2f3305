#include "audit/service/results.hpp"

#include "reports/xlsx/findings_workbook.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <span>
#include <utility>

#include "audit/model/error.hpp"
#include "audit/service/trail.hpp"
#include "audit/store/store.hpp"

namespace coderaudit::service {

namespace {

// Opening a Store creates a missing file: a query must not leave an empty store behind.
store::Store OpenExisting(const std::string& db_path) {
  if (!std::filesystem::exists(db_path)) throw InputError("no store at " + db_path);
  return store::Store(db_path);
}

int64_t LatestCheck(store::Store& db) {
  int64_t id = 0;
  for (const auto& r : db.ListRuns())
    if (r.kind == "check") id = r.run_id;
  if (id == 0) throw InputError("the store holds no check run");
  return id;
}

runs::RunInfo RequireCheckRun(store::Store& db, int64_t run_id) {
  if (run_id == 0) run_id = LatestCheck(db);
  auto run = db.LoadRun(run_id);
  if (!run) throw InputError("no run " + std::to_string(run_id) + " in the store");
  if (run->kind != "check")
    throw InputError("run " + std::to_string(run_id) + " is a " + run->kind +
                     " run, not a check run");
  return *run;
}

bool Matches(const runs::FindingRow& row, const FindingFilter& f) {
  return (f.rule_id.empty() || row.finding.rule_id == f.rule_id) &&
         (f.disposition.empty() || ToString(row.finding.disposition) == f.disposition) &&
         (f.provider.empty() || row.provider_id == f.provider) &&
         (f.coder.empty() || row.coder_id == f.coder) &&
         (f.encounter.empty() || row.finding.encounter_id == f.encounter);
}

// A fired value that identifies or describes the patient.
bool NamesPatient(const std::string& key) {
  for (const char* part : {"patient", "birth", "dob", "age", "sex"})
    if (key.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

void MaskFinding(Finding& f, const Actor& actor) {
  if (!actor.MasksPatients()) return;
  for (auto& [key, value] : f.values) {
    if (!NamesPatient(key)) continue;
    // In the message too, wherever the value stands as a word of its own ("sex M.",
    // "aged 57:"), not inside another word.
    auto word = [&](size_t i) { return i < f.message.size() && std::isalnum(static_cast<unsigned char>(f.message[i])); };
    for (size_t at = 0; !value.empty() && (at = f.message.find(value, at)) != std::string::npos;) {
      if ((at > 0 && word(at - 1)) || word(at + value.size())) {
        at += value.size();
        continue;
      }
      f.message.replace(at, value.size(), kMasked);
      at += kMasked.size();
    }
    value = std::string(kMasked);
  }
}

std::string HoldReasons(const HoldEntry& e) {
  // One entry per rule and disposition in first-seen order ("x3" when it fired more than
  // once), then the rules that could not check the claim: a short line for a person.
  std::vector<std::pair<std::string, int>> holding;
  for (const auto& f : e.holding) {
    const std::string key = f.rule_id + " " + std::string(ToString(f.disposition));
    auto it = std::find_if(holding.begin(), holding.end(), [&](const auto& p) { return p.first == key; });
    if (it == holding.end()) holding.push_back({key, 1});
    else it->second++;
  }
  std::string s;
  for (const auto& [key, n] : holding)
    s += (s.empty() ? "" : "; ") + key + (n > 1 ? " x" + std::to_string(n) : "");
  for (const auto& n : e.not_checked)
    s += (s.empty() ? "" : "; ") + n.rule_id + " not checked (" + n.table + " " + n.date + ")";
  return s;
}

int64_t LatestCheckRun(const std::string& db_path) {
  auto db = OpenExisting(db_path);
  return LatestCheck(db);
}

FindingsPage ListFindings(const std::string& db_path, int64_t run_id, const FindingFilter& filter_in,
                          const Actor& actor) {
  Authorize(actor, Operation::kReadFindings);
  FindingFilter filter = filter_in;
  if (actor.OwnRowsOnly()) {
    // Another coder's id asked for gives nothing, as an unknown id would.
    if (!filter.coder.empty() && filter.coder != actor.coder_id) filter.coder = "\x01none";
    else filter.coder = actor.coder_id;
  }
  if (!filter.disposition.empty() && !ParseDisposition(filter.disposition))
    throw InputError("unknown disposition '" + filter.disposition +
                     "' (claim-reject, claim-deny, return-to-provider, suspend, line-reject, "
                     "line-deny, review, info)");
  if (filter.offset < 0 || filter.limit < 0) throw InputError("offset and limit must be >= 0");
  auto db = OpenExisting(db_path);
  FindingsPage page;
  page.run = RequireCheckRun(db, run_id);
  for (auto& row : db.LoadFindings(page.run.run_id)) {
    if (!Matches(row, filter)) continue;
    const int64_t index = page.total++;
    if (index < filter.offset) continue;
    if (filter.limit > 0 && index >= filter.offset + filter.limit) continue;
    MaskFinding(row.finding, actor);
    page.rows.push_back(std::move(row));
  }
  return page;
}

HoldList ListHolds(const std::string& db_path, int64_t run_id, const HoldPolicy& policy,
                   const Actor& actor) {
  Authorize(actor, Operation::kReadFindings);
  auto db = OpenExisting(db_path);
  HoldList list;
  list.policy = policy;
  list.run = RequireCheckRun(db, run_id);
  const int64_t id = list.run.run_id;

  // Findings and not-checked rows grouped by claim; both come in input order.
  std::map<std::string, std::vector<Finding>> findings;
  for (auto& row : db.LoadFindings(id))
    findings[row.finding.encounter_id].push_back(std::move(row.finding));
  std::map<std::string, std::vector<NotChecked>> unchecked;
  for (auto& n : db.LoadNotChecked(id)) unchecked[n.encounter_id].push_back(std::move(n));

  const auto claims = db.LoadClaimRefs(id);
  // Fewer stored claims than processed: a --store findings run.
  list.all_claims_listed = static_cast<int64_t>(claims.size()) >= list.run.encounters_processed;
  for (const auto& c : claims) {
    if (actor.OwnRowsOnly() && c.coder_id != actor.coder_id) continue;
    HoldEntry e;
    e.encounter_id = c.encounter_id;
    e.provider_id = c.provider_id;
    e.coder_id = c.coder_id;
    e.payer = c.payer;
    static const std::vector<Finding> kNone;
    const auto f = findings.find(c.encounter_id);
    const std::vector<Finding>& own = f == findings.end() ? kNone : f->second;
    if (const auto u = unchecked.find(c.encounter_id); u != unchecked.end())
      e.not_checked = u->second;
    const ClaimDecision d = Decide(c.encounter_id, own, e.not_checked.size(), policy);
    e.held = d.held;
    e.findings = own.size();
    for (const size_t i : d.holding_findings) {
      e.holding.push_back(own[i]);
      MaskFinding(e.holding.back(), actor);
    }
    list.held += e.held;
    list.not_checked += !e.not_checked.empty();
    list.entries.push_back(std::move(e));
  }
  list.claims = list.all_claims_listed || actor.OwnRowsOnly()
                    ? static_cast<int64_t>(actor.OwnRowsOnly() ? list.entries.size() : claims.size())
                    : list.run.encounters_processed;
  list.released = list.claims - list.held;
  return list;
}

runs::FindingsReport LoadFindingsReport(const std::string& db_path, int64_t run_id,
                                           const HoldPolicy& policy, const Actor& actor) {
  const HoldList holds = ListHolds(db_path, run_id, policy, actor);
  runs::FindingsReport report;
  report.run = holds.run;
  report.hold_policy = policy.Str();
  report.hold_unchecked = policy.hold_unchecked;
  report.claims = holds.claims;
  report.held = holds.held;
  report.released = holds.released;
  report.all_claims_listed = holds.all_claims_listed;
  for (const auto& e : holds.entries) {
    if (!e.held) continue;
    runs::HeldClaim h{e.encounter_id, e.provider_id, e.coder_id, e.payer, "",
                         static_cast<int64_t>(e.holding.size()), static_cast<int64_t>(e.findings),
                         static_cast<int64_t>(e.not_checked.size())};
    h.reasons = HoldReasons(e);
    report.held_claims.push_back(std::move(h));
  }
  auto db = OpenExisting(db_path);
  report.findings = db.LoadFindings(holds.run.run_id);
  if (actor.OwnRowsOnly())
    std::erase_if(report.findings, [&](const runs::FindingRow& r) { return r.coder_id != actor.coder_id; });
  for (auto& r : report.findings) MaskFinding(r.finding, actor);
  return report;
}

runs::FindingsReport WriteFindingsReport(const std::string& db_path, int64_t run_id,
                                         const HoldPolicy& policy, const std::string& path,
                                         const std::vector<runs::FindingRow>* only,
                                         const Actor& actor) {
  Authorize(actor, Operation::kExportReport);
  auto report = LoadFindingsReport(db_path, run_id, policy, actor);
  if (only) report.findings = *only;
  reports::WriteFindingsWorkbook(report, path);
  RecordExport(db_path, actor, "findings", report.run.run_id,
               "run:" + std::to_string(report.run.run_id), path);
  return report;
}

}  // namespace coderaudit::service
