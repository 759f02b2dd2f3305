#include "audit/server/results_routes.hpp"

#include <algorithm>

#include "audit/model/error.hpp"
#include "audit/server/api_json.hpp"
#include "audit/service/results.hpp"
#include "audit/service/stored_runs.hpp"

namespace coderaudit::server {

namespace {

RouteAnswer NotFound(const std::string& why, const service::CompiledRules& now) {
  return {404, ErrorBody("not_found", why, &now)};
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

}  // namespace

RouteAnswer ListRunsJson(const std::string& db_path, Page page, const service::CompiledRules& now,
                         const service::Actor& actor) {
  const auto runs = service::ListRuns(db_path, actor);
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

RouteAnswer RunJson(const std::string& db_path, int64_t run_id, const service::CompiledRules& now,
                    const service::Actor& actor) {
  runs::RunInfo run;
  try {
    run = service::LoadRun(db_path, run_id, actor);
  } catch (const InputError& e) {
    return NotFound(e.what(), now);
  }
  JsonWriter w;
  w.BeginObject().Field("status", "done").Key("run");
  WriteRunInfo(w, run, true);
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

RouteAnswer FindingsJson(const std::string& db_path, int64_t run_id, const FindingQuery& q,
                         Page page, const service::CompiledRules& now, const service::Actor& actor) {
  service::FindingFilter filter;
  filter.rule_id = q.rule;
  filter.disposition = q.disposition;
  filter.encounter = q.encounter;
  filter.provider = q.provider;
  filter.coder = q.coder;
  filter.offset = page.offset;
  filter.limit = page.limit;
  service::FindingsPage found;
  try {
    found = service::ListFindings(db_path, run_id, filter, actor);
  } catch (const InputError& e) {
    // An unknown disposition name is the client's mistake; an unknown run is not found.
    if (!q.disposition.empty() && !ParseDisposition(q.disposition))
      return {400, ErrorBody("bad_request", e.what(), &now)};
    return NotFound(e.what(), now);
  }
  JsonWriter w;
  w.BeginObject().Field("run_id", run_id).Key("findings").BeginArray();
  for (const auto& row : found.rows) {
    // The finding's fields plus the claim it belongs to (ids only; no claim contents).
    JsonWriter one;
    WriteFinding(one, row.finding);
    std::string json = one.Take();
    json.pop_back();
    JsonWriter extra;
    extra.BeginObject()
        .Field("encounter_id", row.finding.encounter_id)
        .Field("provider_id", row.provider_id)
        .Field("coder_id", row.coder_id)
        .Field("payer", row.payer)
        .EndObject();
    w.Raw(json + "," + extra.Str().substr(1));
  }
  w.EndArray();
  PageFields(w, page, static_cast<size_t>(found.total));
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

RouteAnswer HoldsJson(const std::string& db_path, int64_t run_id, const HoldPolicy& policy,
                      Page page, const service::CompiledRules& now, const service::Actor& actor) {
  service::HoldList list;
  try {
    list = service::ListHolds(db_path, run_id, policy, actor);
  } catch (const InputError& e) {
    return NotFound(e.what(), now);
  }
  const auto [from, to] = Slice(list.entries, page);
  JsonWriter w;
  w.BeginObject().Field("run_id", run_id).Field("hold_policy", policy.Str());
  w.Field("hold_unchecked", policy.hold_unchecked);
  w.Field("claims_total", list.claims).Field("held", list.held).Field("released", list.released);
  w.Field("not_checked", list.not_checked).Field("all_claims_listed", list.all_claims_listed);
  w.Key("claims").BeginArray();
  for (size_t i = from; i < to; ++i) {
    const auto& e = list.entries[i];
    w.BeginObject()
        .Field("id", e.encounter_id)
        .Field("decision", e.held ? "hold" : "release")
        .Field("provider_id", e.provider_id)
        .Field("coder_id", e.coder_id)
        .Field("payer", e.payer);
    w.Key("holding_findings").BeginArray();
    for (const auto& f : e.holding) WriteFinding(w, f);
    w.EndArray();
    w.Key("not_checked").BeginArray();
    for (const auto& n : e.not_checked) WriteNotChecked(w, n);
    w.EndArray().EndObject();
  }
  w.EndArray();
  PageFields(w, page, list.entries.size());
  w.Key("ruleset");
  WriteRuleset(w, now);
  w.EndObject();
  return {200, w.Take()};
}

}  // namespace coderaudit::server
