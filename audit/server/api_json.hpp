#pragma once
// JSON shapes shared by the API's answers (documented in openapi.json).
#include <string>
#include <string_view>
#include <vector>

#include "audit/service/compiled_rules.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"
#include "audit/model/reject.hpp"
#include "audit/server/json_writer.hpp"
#include "audit/runs/run.hpp"

namespace coderaudit::server {

// {"id","version","sha256"} of the rule set that answers.
void WriteRuleset(JsonWriter& w, const service::CompiledRules& rules);
void WriteTables(JsonWriter& w, const service::CompiledRules& rules);
void WriteFinding(JsonWriter& w, const Finding& f);
void WriteNotChecked(JsonWriter& w, const NotChecked& n);
void WriteReject(JsonWriter& w, const Reject& r);   // never the raw record
void WriteRunInfo(JsonWriter& w, const runs::RunInfo& run, bool with_inputs);
// {"error":{"code","message"},"ruleset":{...}}
std::string ErrorBody(std::string_view code, std::string_view message,
                      const service::CompiledRules* rules);

}  // namespace coderaudit::server
