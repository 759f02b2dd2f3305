#pragma once
// What a check kind implements, and the registry that maps its XML element to it.
// Recipe for a new kind: rules/README.md § "Adding a check kind".
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/reject.hpp"
#include "audit/refdata/refdata.hpp"
#include "rules/claim_history.hpp"
#include "rules/code_matcher.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::rules {

// The codes of one code type a check looks at (<codes>, <first>, <second>).
struct CodeSelection {
  CodeType type = CodeType::kHcpcs;
  CodeMatcher matcher;
  bool Matches(const CodedLine& line) const {
    return line.type == type && matcher.Contains(line.code);
  }
};

// A line (0-based index into Encounter::lines) whose code is in trigger selection `role`
// (the index into Check::Triggers()).
struct LineHit {
  uint32_t line_index = 0;
  uint8_t role = 0;
};

using Values = std::vector<std::pair<std::string, std::string>>;

// One reference-table lookup a check makes to judge an encounter: the table and the date
// it asks for. With no loaded version in force on that date the check cannot judge the
// encounter, and the program reports it "not checked" (audit/model/hold.hpp).
struct TableLookup {
  refdata::TableKind table;
  Date on;
};

// Collects positioned issues while one rule's check element is compiled.
class CompileContext {
 public:
  // Compiles a check of `rule` (whose codesets are those of its source file).
  CompileContext(const RuleSet& rule_set, const RuleDef& rule, std::vector<Issue>& issues);
  // A check outside any rule: codesets of the root file.
  CompileContext(const RuleSet& rule_set, std::vector<Issue>& issues);

  // The rule being compiled (null for the second constructor): table-backed kinds read its
  // claim types to know which table settings they will need.
  const RuleDef* rule() const { return rule_; }

  void Error(const SourcePos& pos, std::string message);
  bool Failed() const { return errors_ > 0; }

  // A CodeSelection element: code-type, optional codeset="id ..." references, and inline
  // <code>/<prefix>/<range> members. nullopt (with issues) when anything is wrong.
  std::optional<CodeSelection> Selection(const XmlNode& element);
  // The whitespace-separated modifiers of an element's text, normalised to upper case.
  std::vector<std::string> ModifierList(const XmlNode& element);
  std::optional<double> Number(const XmlNode& element, std::string_view attribute);
  std::optional<int> Integer(const XmlNode& element, std::string_view attribute);

 private:
  const RuleDef* rule_ = nullptr;
  std::string file_;
  std::vector<Issue>& issues_;
  std::unordered_map<std::string, const CodeMatcher*> codesets_;
  size_t errors_ = 0;
};

// Adds one <code>/<prefix>/<range> member; returns an error message when it is malformed.
std::optional<std::string> AddCodeMember(const XmlNode& member, CodeMatcher& matcher);

// What a check sees for one encounter; Emit() renders the finding.
class EvalContext {
 public:
  EvalContext(const Encounter& encounter, const RuleDef& rule, std::vector<Finding>& out,
              const refdata::RefData* tables = nullptr, const ClaimHistory* history = nullptr)
      : encounter_(encounter), rule_(rule), out_(out), tables_(tables), history_(history) {}

  const Encounter& encounter() const { return encounter_; }
  const CodedLine& Line(uint32_t index) const { return encounter_.lines[index]; }
  // The reference tables the program was compiled with; never null for a check whose
  // Tables() is not empty (Compile refuses to build such a program without tables).
  const refdata::RefData* tables() const { return tables_; }
  // Earlier claims of the same patient and provider (edits across claims); null when the
  // caller evaluates claims one at a time without history.
  const ClaimHistory* history() const { return history_; }

  // `lines`: 0-based indices of the lines the disposition acts on (reported 1-based).
  // `values`: what fired, in a fixed order. `extras`: more placeholders for the message
  // and citation only. {age} and {sex} are always available to both.
  void Emit(const std::vector<uint32_t>& lines, Values values, const Values& extras = {}) const;

 private:
  const Encounter& encounter_;
  const RuleDef& rule_;
  std::vector<Finding>& out_;
  const refdata::RefData* tables_;
  const ClaimHistory* history_;
};

// A compiled check. Immutable after compilation; Evaluate must not touch shared state.
class Check {
 public:
  virtual ~Check() = default;
  // The selections whose codes trigger this check, by role. Empty: the check runs on
  // every encounter (patient checks, duplicates).
  virtual std::vector<const CodeSelection*> Triggers() const = 0;
  // `hits` are this rule's trigger hits, ordered by line then role.
  virtual void Evaluate(const EvalContext& context, std::span<const LineHit> hits) const = 0;
  // The reference tables the check reads (for the claim types its rule applies to).
  // Large code lists live there, never in the XML. Empty for self-contained checks.
  virtual std::vector<refdata::TableKind> Tables() const { return {}; }
  // True for checks that pair a claim with earlier claims (EvalContext::history()).
  virtual bool ReadsHistory() const { return false; }
  // Appends the lookups Evaluate makes for this encounter whose failure means "cannot
  // judge" (it skips the encounter or lines for want of a version in force). Only called
  // when a date of the encounter falls outside its tables' covered range, so it need not be
  // fast. Default: none (self-contained, or tables whose newest version always answers).
  virtual void Lookups(const Encounter& encounter, std::span<const LineHit> hits,
                       std::vector<TableLookup>& out) const {
    (void)encounter;
    (void)hits;
    (void)out;
  }
};

using CheckCompiler = std::unique_ptr<Check> (*)(const XmlNode& element, CompileContext& context);

struct CheckKind {
  std::string_view element;       // the XSD element, e.g. "code-pair"
  std::string_view placeholders;  // message placeholders it provides, space separated
  CheckCompiler compile;
};

// Every check kind, in registry order (rules/check_registry.cpp).
std::span<const CheckKind> CheckKinds();
const CheckKind* FindCheckKind(std::string_view element);

// Splits an XSD list value ("RT LT 50") at whitespace.
std::vector<std::string> SplitList(std::string_view text);

// Display helpers shared by the kinds, so findings look the same everywhere.
std::string DisplayCode(const CodedLine& line);  // DX dotted (E11.9), others as billed
std::string FormatUnits(double units);           // shortest exact form: 2, 2.5
std::string JoinModifiers(const std::vector<std::string>& modifiers);  // "RT LT 50"

// Replaces {name} with values, then extras; unknown names stay as written.
std::string RenderMessage(std::string_view message, const Values& values, const Values& extras);
// The {names} a message template uses, in order of appearance.
std::vector<std::string> Placeholders(std::string_view message);

}  // namespace coderaudit::rules
