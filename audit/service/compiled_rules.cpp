#include "audit/service/compiled_rules.hpp"

#include <algorithm>
#include <filesystem>

#include "audit/service/service.hpp"
#include "audit/model/hash.hpp"
#include "audit/refdata/refdata.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::service {

namespace {

// The size of an imported table's official source file, when it is still where it was
// imported from; 0 (unknown) otherwise. (Never the row count: the column says bytes.)
int64_t SourceBytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

}  // namespace

std::shared_ptr<const CompiledRules> CompileRules(const std::string& rules_path,
                                                  const std::string& refdata_dir) {
  auto loaded = rules::LoadRuleFile(rules_path);
  if (!loaded.rule_set)
    throw RuleSetError("rule set " + rules_path + " is invalid", std::move(loaded.issues));
  auto out = std::make_shared<CompiledRules>();
  if (!refdata_dir.empty()) out->tables = refdata::LoadRefData(refdata_dir);
  out->program = out->tables ? rules::Compile(*loaded.rule_set, out->tables)
                             : rules::Compile(*loaded.rule_set);
  // Every file of a layered rule set and every table version the rules read is an input.
  if (loaded.rule_set->sources.empty()) {
    const FileDigest d = Sha256File(rules_path);
    out->inputs.push_back({"rules", rules_path, d.sha256, d.bytes});
  }
  for (const auto& src : loaded.rule_set->sources)
    out->inputs.push_back({"rules", src.file, src.sha256, src.bytes});
  if (out->tables) {
    const auto used = out->program->TablesUsed();
    for (const auto& t : out->tables->Tables())
      if (std::find(used.begin(), used.end(), t.kind) != used.end()) {
        out->inputs.push_back({"refdata " + std::string(refdata::ToString(t.kind)) + " " + t.version,
                               t.source_path, t.sha256, SourceBytes(t.source_path)});
        out->tables_used.push_back(
            {std::string(refdata::ToString(t.kind)), t.version,
             ToIso(t.period_from) + ".." + (t.period_to ? ToIso(*t.period_to) : "")});
      }
  }
  return out;
}

}  // namespace coderaudit::service
