#pragma once
// `rules check` and `rules test` as services: validate a rule file (XSD, includes, overrides,
// disables), list its effective rules, lint it against the loaded tables, run its embedded
// tests. Positioned problems come back as data; nothing here prints.
#include <memory>
#include <string>
#include <vector>

#include "audit/model/date.hpp"
#include "audit/model/reject.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::service {

struct RuleFileCheck {
  std::vector<Issue> issues;                       // why the file is invalid (file:line:column)
  std::shared_ptr<const rules::RuleSet> rule_set;  // null when invalid
  std::vector<rules::RuleSummary> rules;           // the effective rule list
  std::vector<rules::DisabledSummary> disabled;
  std::vector<std::string> lint;                   // "file:line:column: warning [code]: ..."
  bool lint_errors = false;
};
// `refdata_dir` "" lints without tables (tables-unchecked); `run_date` is the date lint
// checks table coverage and rule end dates for.
RuleFileCheck CheckRuleFile(const std::string& path, const std::string& refdata_dir, Date run_date);

struct RuleFileTest {
  std::vector<Issue> issues;                       // why the file is invalid
  bool valid = false;
  std::vector<rules::EmbeddedTestResult> results;  // empty when invalid
};
// Compiles with the tables of `refdata_dir` ("" = none: a set reading tables is refused
// with an InputError naming the table).
RuleFileTest TestRuleFile(const std::string& path, const std::string& refdata_dir);

}  // namespace coderaudit::service
