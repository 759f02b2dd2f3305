#include "audit/server/results_routes.hpp"

#include <algorithm>
#include <map>

#include "audit/server/api_json.hpp"
#include "audit/store/store.hpp"

namespace coderaudit::server {

namespace {

RouteAnswer NotFound(int64_t run_id, const service::CompiledRules& now) {
  return {404, ErrorBody("not_found", "no run " + std::to_string(run_id) + " in the store", &now)};
}

void PageFields(JsonWriter& w, Page page, size_t total) {
  w.Field("offset", page.offset).Field("limit", page.limit).Field("total", total);
}

template <typename T>
std::pair<size_t, size_t> Slice(const std::vector<T>& v, Page page) {
  const size_t from = std::min(v.size(), static_cast<size_t>(page.offset));
  const size_t to = std::min(v.size(), from + static_cast<size_t>(page.limit));
  return {from, to};
}

std::optional<runs::RunInfo> CheckRun(store::Store& db, int64_t run_id) {
  auto run = db.LoadRun(run_id);
  if (!run || run->kind != "check") return std::nullopt;
  return run;
}

}  // namespace

RouteAnswer ListRunsJson(const std::string& db_path, Page page, const service::CompiledRules& now) {
  store::Store db(db_path);
  const auto runs = db.ListRuns();
  const auto [from, to] = Slice(runs, page);
  JsonWriter w;
  w.BeginObject().Key("runs").BeginArray();
  for (size_t i = from; i < to; ++i) WriteRunInfo(w, runs[i], false);
  w.EndArray();
  PageFields(w, page, runs.size());
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

RouteAnswer RunJson(const std::string& db_path, int64_t run_id, const service::CompiledRules& now) {
  store::Store db(db_path);
  const auto run = db.LoadRun(run_id);
  if (!run) return NotFound(run_id, now);
  JsonWriter w;
  w.BeginObject().Field("status", "done").Key("run");
  WriteRunInfo(w, *run, true);
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

RouteAnswer FindingsJson(const std::string& db_path, int64_t run_id, const FindingQuery& q,
                         Page page, const service::CompiledRules& now) {
  // TODO(outcomes branch): service::ListFindings(db, run, FindingFilter).
  store::Store db(db_path);
  const auto run = CheckRun(db, run_id);
  if (!run) return NotFound(run_id, now);
  auto rows = db.LoadFindings(run_id);
  std::erase_if(rows, [&](const runs::FindingRow& r) {
    return (!q.rule.empty() && r.finding.rule_id != q.rule) ||
           (!q.disposition.empty() && ToString(r.finding.disposition) != q.disposition) ||
           (!q.encounter.empty() && r.finding.encounter_id != q.encounter) ||
           (!q.provider.empty() && r.provider_id != q.provider) ||
           (!q.coder.empty() && r.coder_id != q.coder);
  });
  const auto [from, to] = Slice(rows, page);
  JsonWriter w;
  w.BeginObject().Field("run_id", run_id).Key("findings").BeginArray();
  for (size_t i = from; i < to; ++i) {
    // The finding's fields plus the claim it belongs to (ids only; no claim contents).
    JsonWriter one;
    WriteFinding(one, rows[i].finding);
    std::string json = one.Take();
    json.pop_back();
    JsonWriter extra;
    extra.BeginObject()
        .Field("encounter_id", rows[i].finding.encounter_id)
        .Field("provider_id", rows[i].provider_id)
        .Field("coder_id", rows[i].coder_id)
        .EndObject();
    w.Raw(json + "," + extra.Str().substr(1));
  }
  w.EndArray();
  PageFields(w, page, rows.size());
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

RouteAnswer HoldsJson(const std::string& db_path, int64_t run_id, const HoldPolicy& policy,
                      Page page, const service::CompiledRules& now) {
  // TODO(outcomes branch): service::ListHolds(db, run, HoldPolicy), which also counts the
  // rules that could not check a claim (stored by migration 0006). Until then a stored
  // claim's not-checked count is 0.
  store::Store db(db_path);
  const auto run = CheckRun(db, run_id);
  if (!run) return NotFound(run_id, now);
  std::map<std::string, std::vector<Finding>> by_claim;
  for (auto& row : db.LoadFindings(run_id))
    by_claim[row.finding.encounter_id].push_back(std::move(row.finding));
  // Every stored claim (a --store findings run keeps only claims with findings).
  db.ForEachEncounter(run_id, [&](Encounter&& e) { by_claim.try_emplace(e.id); });
  std::vector<std::pair<ClaimDecision, const std::vector<Finding>*>> decisions;
  size_t held = 0;
  for (const auto& [id, findings] : by_claim) {
    decisions.emplace_back(Decide(id, findings, 0, policy), &findings);
    held += decisions.back().first.held;
  }
  const auto [from, to] = Slice(decisions, page);
  JsonWriter w;
  w.BeginObject().Field("run_id", run_id).Field("hold_policy", policy.Str());
  w.Field("held", held).Field("released", decisions.size() - held);
  w.Key("claims").BeginArray();
  for (size_t i = from; i < to; ++i) {
    const auto& [d, findings] = decisions[i];
    w.BeginObject()
        .Field("id", d.encounter_id)
        .Field("decision", d.held ? "hold" : "release")
        .Field("not_checked", d.not_checked);
    w.Key("holding_findings").BeginArray();
    for (size_t k : d.holding_findings) WriteFinding(w, (*findings)[k]);
    w.EndArray().EndObject();
  }
  w.EndArray();
  PageFields(w, page, decisions.size());
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

}  // namespace coderaudit::server
