#pragma once
// The parsed, XSD-validated rule document (what LoadRuleFile returns). Check elements stay
// a small generic element tree (XmlNode) so that the reader knows nothing about check
// kinds: each kind compiles its own element (rules/check.hpp, rules/checks/).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/model/date.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/io/xml_document.hpp"
#include "rules/code_matcher.hpp"

namespace coderaudit::rules {

// Rule documents are element trees read by the shared XXE-safe reader (audit/io/).
using io::SourcePos;
using io::XmlNode;

struct CodeSetDef {
  std::string id;
  std::string title;
  CodeMatcher members;
  SourcePos pos;
};

// Expected outcome of an embedded <test>: findings of the rule under test only.
struct TestCase {
  std::string name;
  Encounter encounter;
  size_t expected_findings = 0;
  std::optional<std::vector<uint32_t>> expected_lines;  // concatenated Finding::lines
  SourcePos pos;
};

struct RuleDef {
  uint32_t source = 0;  // index into RuleSet::sources: the file the rule was read from
  std::string id;
  std::string version;
  std::string title;
  std::string category;
  Severity severity = Severity::kError;
  Disposition disposition = Disposition::kReview;
  std::string citation;
  std::string message;  // template with {placeholders}
  std::optional<Date> effective_from;
  std::optional<Date> effective_to;
  std::vector<ClaimType> claim_types;  // empty = every claim type
  XmlNode check;                       // the single check element (code-in-set, ...)
  std::vector<TestCase> tests;
  SourcePos pos;
  SourcePos message_pos;
  SourcePos citation_pos;
  uint32_t message_source = 0;   // the file the message came from (an override's, if any)
  uint32_t citation_source = 0;  // likewise for the citation
  // What <override>s changed, e.g. "disposition review (facility.xml:12:40)"; empty when
  // the rule stands as its file wrote it.
  std::vector<std::string> overrides;
  bool applicability_overridden = false;  // effective dates or claim types were overridden
};

// One file of a layered rule set: the root (index 0) and every file it includes, in the
// order they were read. Codesets are private to their file.
struct RuleSource {
  std::string file;    // display name used in issues (a path, or "pack:<name>")
  std::string sha256;  // of the file bytes
  int64_t bytes = 0;   // the file's size
  std::string id, version, title;
  std::vector<CodeSetDef> codesets;
  std::optional<uint32_t> included_by;  // index of the including source; none for the root
  SourcePos included_at;                // the <include> element in that source
};

// A rule switched off by <disable>: kept so `rules check` can show it.
struct DisabledRule {
  std::string id;
  std::string version;  // empty: every version
  std::string reason;
  uint32_t rule_source = 0;  // the file that defined the rule
  uint32_t source = 0;       // the file that disabled it
  SourcePos pos;
};

struct RuleSet {
  std::string file;    // display name used in issues
  // The rule set hash the store records: SHA-256 of the file bytes, or, when the file
  // includes others, SHA-256 over every source's hash in reading order.
  std::string sha256;
  std::string id;
  std::string version;
  std::string title;
  std::vector<CodeSetDef> codesets;  // the root file's (each source keeps its own)
  // Effective rules: included files' rules first (in include order), then the file's own;
  // overrides applied, disabled rules removed. This order is the evaluation order.
  std::vector<RuleDef> rules;
  std::vector<RuleSource> sources;  // [0] = this file; empty for a hand-built set
  std::vector<DisabledRule> disabled;

  // The file a rule (or issue about it) belongs to.
  const std::string& FileOf(uint32_t source) const {
    return source < sources.size() ? sources[source].file : file;
  }
};

}  // namespace coderaudit::rules
