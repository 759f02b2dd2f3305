#pragma once
// Helpers shared by the rules tests: inline rule sets and synthetic encounters.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/refdata/refdata.hpp"
#include "rules/compiled_program.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::rules::testing {

// Wraps <codeset>/<rule> elements in a <ruleset> of the rules namespace.
std::string RuleSetXml(std::string_view body);

// A rule with the usual attributes around a check element.
std::string RuleXml(std::string_view id, std::string_view check,
                    std::string_view message = "{code}", std::string_view extra_attributes = "");

struct Loaded {
  std::shared_ptr<const RuleSet> rule_set;
  std::shared_ptr<const CompiledProgram> program;
};
// Loads and compiles; fails the current test (with every issue) when anything is wrong.
Loaded MustLoad(std::string_view xml);
// The same, compiled with reference tables (table-backed check kinds).
Loaded MustLoad(std::string_view xml, std::shared_ptr<const refdata::RefData> tables);

// Issues as "line:column: message" lines.
std::vector<std::string> IssueTexts(std::string_view xml);

// A minimal encounter: id E1, sex F, born 1980-01-01, from/through `from`.
Encounter MakeEncounter(std::string_view from = "2024-03-06");
CodedLine Dx(std::string_view code, uint16_t seq, char poa = ' ');
CodedLine Pcs(std::string_view code, uint16_t seq);
CodedLine Hcpcs(std::string_view code, std::string_view modifiers = "", double units = 1,
                std::string_view dos = "");

std::vector<std::string> Describe(const std::vector<Finding>& findings);
std::vector<std::string> Run(const RuleProgram& program, const Encounter& encounter);

std::string SourcePath(std::string_view relative);
std::string ReadFile(const std::string& path);

}  // namespace coderaudit::rules::testing
