#pragma once
// A rule set read, compiled against its reference tables, and the run inputs that describe
// it: made once and shared (read-only) by RunCheck, ClaimChecker and the HTTP server's
// snapshots, so a long-running front end never recompiles per request.
#include <memory>
#include <string>
#include <vector>

#include "audit/runs/run.hpp"

namespace coderaudit::refdata {
class RefData;
}
namespace coderaudit::rules {
class RuleProgram;
}

namespace coderaudit::service {

struct TableUse {
  std::string kind, version, period;   // period "2024-07-01..2024-09-30" ("2024-07-01.." open)
};

struct CompiledRules {
  std::shared_ptr<const rules::RuleProgram> program;
  std::shared_ptr<const refdata::RefData> tables;   // null: no --refdata
  // Every rule file of the set and every table version the rules read, as run inputs.
  std::vector<runs::RunInput> inputs;
  std::vector<TableUse> tables_used;                // sorted as loaded
};

// Throws RuleSetError (bad rule file) or InputError (tables missing or unreadable).
std::shared_ptr<const CompiledRules> CompileRules(const std::string& rules_path,
                                                  const std::string& refdata_dir);

}  // namespace coderaudit::service
