#pragma once
// Public face of the rule language: read (Xerces, XSD-validated, XXE-safe) -> compile
// -> evaluate. See rules/README.md for the language and the recipe for a new check kind.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/date.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"
#include "audit/model/reject.hpp"

namespace coderaudit::refdata {
class RefData;                    // audit/refdata/refdata.hpp
enum class TableKind : uint8_t;
}  // namespace coderaudit::refdata

namespace coderaudit::rules {

struct RuleSet;   // parsed, validated document (rules/rule_set.hpp)
class ClaimHistory;  // rules/claim_history.hpp
class RuleProgram;

struct LoadResult {
  std::shared_ptr<const RuleSet> rule_set;  // null when issues contain errors
  std::vector<Issue> issues;                // file:line:column positioned
};

// Where <include pack="name"/> looks for name.xml: these directories in order, then the
// packs built into the binary (rules/packs/*.xml at build time). When pack_dirs is empty
// the CODERAUDIT_PACKS_DIR environment variable (colon-separated) is used instead.
struct LoadOptions {
  std::vector<std::string> pack_dirs;
  // Directory that <include href> paths of LoadRuleText are relative to (LoadRuleFile
  // uses the file's own directory); default: the display name's directory.
  std::string base_dir;
};

// Reads and validates a rule file against schemas/rules-v1.xsd (embedded in the binary),
// with its includes (each read by the same XXE-safe reader), overrides and disables.
LoadResult LoadRuleFile(const std::string& path);
LoadResult LoadRuleFile(const std::string& path, const LoadOptions& options);
LoadResult LoadRuleText(std::string_view xml, const std::string& display_name);
LoadResult LoadRuleText(std::string_view xml, const std::string& display_name,
                        const LoadOptions& options);
// The rule packs built into the binary, by name ("ncci-ptp", ...), sorted.
std::vector<std::string> BuiltInPacks();

// Compiled, immutable, thread-safe to evaluate. Indexed by code so an encounter only
// visits rules its codes can trigger.
class RuleProgram {
 public:
  virtual ~RuleProgram() = default;
  // Appends findings for one encounter, in rule order then line order (deterministic).
  virtual void Evaluate(const Encounter& encounter, std::vector<Finding>& out) const = 0;
  // Also lists the rules that apply to the encounter but could not judge it: they read a
  // table with no loaded version covering the claim's date (audit/model/hold.hpp).
  virtual void Evaluate(const Encounter& encounter, std::vector<Finding>& out,
                        std::vector<NotChecked>& not_checked) const {
    Evaluate(encounter, out);
    (void)not_checked;
  }
  // With the claims that came before it (rules/claim_history.hpp), for edits across claims.
  virtual void Evaluate(const Encounter& encounter, std::vector<Finding>& out,
                        std::vector<NotChecked>& not_checked, const ClaimHistory* history) const {
    Evaluate(encounter, out, not_checked);
    (void)history;
  }
  virtual size_t RuleCount() const = 0;
  // SHA-256 (hex) of the rule file bytes: what the store records as the rule set hash.
  virtual const std::string& Hash() const = 0;
  virtual const std::string& Name() const = 0;     // ruleset id
  virtual const std::string& Version() const = 0;  // ruleset version
  // Reference tables the rules read (sorted, distinct); empty for a self-contained set.
  virtual std::vector<refdata::TableKind> TablesUsed() const { return {}; }
  // Whether some rule pairs claims with earlier claims (the caller then keeps a claim
  // history and passes it to Evaluate).
  virtual bool ReadsClaimHistory() const { return false; }
};

// Throws InputError listing issues if the set cannot compile. Without tables, a rule set
// whose rules read reference tables (ncci-ptp, code-editor, ...) does not compile.
std::shared_ptr<const RuleProgram> Compile(const RuleSet& rule_set);
// With reference tables (refdata::LoadRefData(dir)); the program keeps them alive. Every
// table kind a rule reads must have at least one loaded version (else InputError naming
// the rule and the table); a claim dated outside every loaded version of a table is not
// edited by the rules reading it (Lint warns when the run date is not covered).
std::shared_ptr<const RuleProgram> Compile(const RuleSet& rule_set,
                                           std::shared_ptr<const refdata::RefData> tables);

struct EmbeddedTestResult {
  std::string rule_id;
  std::string test_name;
  bool passed = false;
  std::string detail;  // expected vs actual when failed
  // An <override> moved the rule's effective dates or claim types so that the test's
  // encounter is outside them: the test is not run (passed stays true, detail says why).
  bool skipped = false;
};
// Runs every <test> embedded in the rule set against the compiled program.
std::vector<EmbeddedTestResult> RunEmbeddedTests(const RuleSet& rule_set,
                                                 const RuleProgram& program);

// Lint-level facts `rules check` prints: effective rule list with id, version, kind.
// Included rules come first (in include order), then the file's own; disabled rules are
// not in it (SummarizeDisabled lists them).
struct RuleSummary {
  std::string id, version, title, category, kind;
  std::string severity, disposition, citation;
  size_t test_count = 0;
  std::string source;                  // the file that defined the rule ("pack:ncci-ptp", a path)
  std::vector<std::string> tables;     // reference tables it reads ("ptp-practitioner", ...)
  std::vector<std::string> overrides;  // what <override>s changed, with their position
  std::string effective_from, effective_to;  // ISO dates or empty
  std::string claim_types;                   // "outpatient professional" or empty (all)
};
std::vector<RuleSummary> Summarize(const RuleSet& rule_set);

struct DisabledSummary {
  std::string id, version;  // version empty: every version
  std::string source;       // the file that defined the rule
  std::string disabled_at;  // file:line:column of the <disable>
  std::string reason;
};
std::vector<DisabledSummary> SummarizeDisabled(const RuleSet& rule_set);

// `rules check` lint: problems the schema and compiler accept but an auditor should see.
//   error   unknown-table   a rule reads a table kind with no loaded version
//   error   duplicate-id    one id defined twice (or ids differing only in case: warning)
//   error   no-citation     a rule without a citation (warning: a table-backed rule whose
//                           citation does not name the table version, {table})
//   warning no-tests        a rule without embedded tests
//   warning expired-table   a table the rules read has no version in force on run_date
//   info    tables-unchecked  tables == nullptr and the rules read tables
//   info    rule-ended      a rule's effective-to is before run_date
// `tables` may be null. Sorted by file, line, column.
struct LintIssue {
  Severity severity = Severity::kWarning;
  std::string code;
  Issue issue;
};
std::vector<LintIssue> Lint(const RuleSet& rule_set, const refdata::RefData* tables,
                            Date run_date);
// "file:line:column: warning [no-tests]: message"
std::string Describe(const LintIssue& lint);

}  // namespace coderaudit::rules
