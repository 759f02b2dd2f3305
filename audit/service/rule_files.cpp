#include "audit/service/rule_files.hpp"

#include "audit/refdata/refdata.hpp"

namespace coderaudit::service {

namespace {

std::shared_ptr<const refdata::RefData> Tables(const std::string& dir) {
  if (dir.empty()) return nullptr;
  return refdata::LoadRefData(dir);
}

}  // namespace

RuleFileCheck CheckRuleFile(const std::string& path, const std::string& refdata_dir, Date run_date) {
  RuleFileCheck out;
  auto loaded = rules::LoadRuleFile(path);
  out.issues = std::move(loaded.issues);
  if (!loaded.rule_set) return out;
  out.rule_set = loaded.rule_set;
  const auto tables = Tables(refdata_dir);
  // With tables, a set whose rules cannot compile against them is refused here, as in `check`.
  if (tables) rules::Compile(*out.rule_set, tables);
  out.rules = rules::Summarize(*out.rule_set);
  out.disabled = rules::SummarizeDisabled(*out.rule_set);
  for (const auto& l : rules::Lint(*out.rule_set, tables.get(), run_date)) {
    out.lint.push_back(rules::Describe(l));
    out.lint_errors |= l.severity == Severity::kError;
  }
  return out;
}

RuleFileTest TestRuleFile(const std::string& path, const std::string& refdata_dir) {
  RuleFileTest out;
  auto loaded = rules::LoadRuleFile(path);
  out.issues = std::move(loaded.issues);
  if (!loaded.rule_set) return out;
  out.valid = true;
  const auto tables = Tables(refdata_dir);
  const auto program =
      tables ? rules::Compile(*loaded.rule_set, tables) : rules::Compile(*loaded.rule_set);
  out.results = rules::RunEmbeddedTests(*loaded.rule_set, *program);
  return out;
}

}  // namespace coderaudit::service
