#include "audit/server/api_json.hpp"

#include "rules/rule_program.hpp"

namespace coderaudit::server {

void WriteRuleset(JsonWriter& w, const service::CompiledRules& rules) {
  w.BeginObject()
      .Field("id", rules.program->Name())
      .Field("version", rules.program->Version())
      .Field("sha256", rules.program->Hash())
      .EndObject();
}

void WriteTables(JsonWriter& w, const service::CompiledRules& rules) {
  w.BeginArray();
  for (const auto& t : rules.tables_used)
    w.BeginObject().Field("kind", t.kind).Field("version", t.version).Field("period", t.period).EndObject();
  w.EndArray();
}

void WriteFinding(JsonWriter& w, const Finding& f) {
  w.BeginObject()
      .Field("rule_id", f.rule_id)
      .Field("rule_version", f.rule_version)
      .Field("category", f.category)
      .Field("disposition", ToString(f.disposition))
      .Field("severity", ToString(f.severity));
  w.Key("lines").BeginArray();
  for (auto l : f.lines) w.Int(l);
  w.EndArray();
  w.Key("values").BeginObject();
  for (const auto& [k, v] : f.values) w.Field(k, v);
  w.EndObject();
  w.Field("message", f.message).Field("citation", f.citation).EndObject();
}

void WriteNotChecked(JsonWriter& w, const NotChecked& n) {
  w.BeginObject()
      .Field("rule_id", n.rule_id)
      .Field("rule_version", n.rule_version)
      .Field("table", n.table)
      .Field("date", n.date)
      .EndObject();
}

void WriteReject(JsonWriter& w, const Reject& r) {
  w.BeginObject()
      .Field("file", r.file)
      .Field("line", static_cast<int64_t>(r.line))
      .Field("field", r.field)
      .Field("reason", r.reason)
      .EndObject();
}

void WriteRunInfo(JsonWriter& w, const runs::RunInfo& run, bool with_inputs) {
  w.BeginObject()
      .Field("run_id", run.run_id)
      .Field("kind", run.kind)
      .Field("started_at", run.started_at)
      .Field("finished_at", run.finished_at)
      .Field("tool_version", run.tool_version);
  w.Key("ruleset")
      .BeginObject()
      .Field("id", run.rule_set_name)
      .Field("version", run.rule_set_version)
      .Field("sha256", run.rule_set_hash)
      .EndObject();
  w.Key("counts")
      .BeginObject()
      .Field("records_read", run.records_read)
      .Field("records_processed", run.records_processed)
      .Field("records_rejected", run.records_rejected)
      .Field("encounters_read", run.encounters_read)
      .Field("encounters_processed", run.encounters_processed)
      .Field("encounters_rejected", run.encounters_rejected)
      .Field("findings", run.findings)
      .EndObject();
  if (with_inputs) {
    w.Key("inputs").BeginArray();
    for (const auto& in : run.inputs)
      w.BeginObject()
          .Field("role", in.role)
          .Field("path", in.path)
          .Field("sha256", in.sha256)
          .Field("bytes", in.bytes)
          .EndObject();
    w.EndArray();
  }
  w.EndObject();
}

std::string ErrorBody(std::string_view code, std::string_view message,
                      const service::CompiledRules* rules) {
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject().Field("code", code).Field("message", message).EndObject();
  if (rules) {
    w.Key("ruleset");
    WriteRuleset(w, *rules);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace coderaudit::server
