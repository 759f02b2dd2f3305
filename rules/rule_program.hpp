#pragma once
// Public face of the rule language: read (Xerces, XSD-validated, XXE-safe) -> compile
// -> evaluate. See rules/README.md for the language and the recipe for a new check kind.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/reject.hpp"

namespace coderaudit::rules {

struct RuleSet;   // parsed, validated document (rules/rule_set.hpp)
class RuleProgram;

struct LoadResult {
  std::shared_ptr<const RuleSet> rule_set;  // null when issues contain errors
  std::vector<Issue> issues;                // file:line:column positioned
};

// Reads and validates a rule file against schemas/rules-v1.xsd (embedded in the binary).
LoadResult LoadRuleFile(const std::string& path);
LoadResult LoadRuleText(std::string_view xml, const std::string& display_name);

// Compiled, immutable, thread-safe to evaluate. Indexed by code so an encounter only
// visits rules its codes can trigger.
class RuleProgram {
 public:
  virtual ~RuleProgram() = default;
  // Appends findings for one encounter, in rule order then line order (deterministic).
  virtual void Evaluate(const Encounter& encounter, std::vector<Finding>& out) const = 0;
  virtual size_t RuleCount() const = 0;
  // SHA-256 (hex) of the rule file bytes: what the store records as the rule set hash.
  virtual const std::string& Hash() const = 0;
  virtual const std::string& Name() const = 0;     // ruleset id
  virtual const std::string& Version() const = 0;  // ruleset version
};

// Throws InputError listing issues if the set cannot compile.
std::shared_ptr<const RuleProgram> Compile(const RuleSet& rule_set);

struct EmbeddedTestResult {
  std::string rule_id;
  std::string test_name;
  bool passed = false;
  std::string detail;  // expected vs actual when failed
};
// Runs every <test> embedded in the rule set against the compiled program.
std::vector<EmbeddedTestResult> RunEmbeddedTests(const RuleSet& rule_set,
                                                 const RuleProgram& program);

// Lint-level facts `rules check` prints: effective rule list with id, version, kind.
struct RuleSummary {
  std::string id, version, title, category, kind;
  std::string severity, disposition, citation;
  size_t test_count = 0;
};
std::vector<RuleSummary> Summarize(const RuleSet& rule_set);

}  // namespace coderaudit::rules
