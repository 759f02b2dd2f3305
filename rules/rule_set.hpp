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
#include "rules/code_matcher.hpp"

namespace coderaudit::rules {

// Where an element sits in the rule file, as Xerces reports it (the end of its start tag),
// so that semantic issues point at the same place as schema issues.
struct SourcePos {
  uint32_t line = 0;
  uint32_t column = 0;
};

// One element of a check, namespace stripped. Attribute values are as written (after XSD
// whitespace handling); text is the element's own character data, trimmed.
struct XmlNode {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;
  std::vector<XmlNode> children;
  SourcePos pos;

  const std::string* Attr(std::string_view key) const;
  std::string AttrOr(std::string_view key, std::string_view fallback) const;
  const XmlNode* Child(std::string_view child_name) const;  // first child so named
};

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
};

struct RuleSet {
  std::string file;    // display name used in issues
  std::string sha256;  // of the file bytes: the rule set hash the store records
  std::string id;
  std::string version;
  std::string title;
  std::vector<CodeSetDef> codesets;
  std::vector<RuleDef> rules;  // file order = evaluation order
};

}  // namespace coderaudit::rules
