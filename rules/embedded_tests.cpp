// RunEmbeddedTests (what `coderaudit rules test` runs) and Summarize (`rules check`).
#include <string>

#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::rules {

namespace {

std::string DescribeOutcome(size_t count, const std::vector<uint32_t>& lines) {
  std::string s = std::to_string(count) + (count == 1 ? " finding" : " findings");
  if (!lines.empty()) {
    s += " on lines";
    for (const uint32_t line : lines) s += " " + std::to_string(line);
  }
  return s;
}

}  // namespace

std::vector<EmbeddedTestResult> RunEmbeddedTests(const RuleSet& rule_set,
                                                 const RuleProgram& program) {
  std::vector<EmbeddedTestResult> results;
  std::vector<Finding> findings;
  for (const RuleDef& rule : rule_set.rules) {
    for (const TestCase& test : rule.tests) {
      findings.clear();
      program.Evaluate(test.encounter, findings);
      // Only the rule (and version) under test counts: others may legitimately fire too.
      size_t count = 0;
      std::vector<uint32_t> lines;
      std::string described;
      for (const Finding& finding : findings) {
        if (finding.rule_id != rule.id || finding.rule_version != rule.version) continue;
        ++count;
        lines.insert(lines.end(), finding.lines.begin(), finding.lines.end());
        described += "\n    " + Describe(finding);
      }
      EmbeddedTestResult result;
      result.rule_id = rule.id;
      result.test_name = test.name;
      result.passed = count == test.expected_findings &&
                      (!test.expected_lines || *test.expected_lines == lines);
      if (!result.passed) {
        result.detail = rule_set.file + ":" + std::to_string(test.pos.line) + ": expected " +
                        DescribeOutcome(test.expected_findings,
                                        test.expected_lines.value_or(std::vector<uint32_t>{})) +
                        ", got " + DescribeOutcome(count, lines) + described;
      }
      results.push_back(std::move(result));
    }
  }
  return results;
}

std::vector<RuleSummary> Summarize(const RuleSet& rule_set) {
  std::vector<RuleSummary> out;
  out.reserve(rule_set.rules.size());
  for (const RuleDef& rule : rule_set.rules) {
    RuleSummary summary;
    summary.id = rule.id;
    summary.version = rule.version;
    summary.title = rule.title;
    summary.category = rule.category;
    summary.kind = rule.check.name;
    summary.severity = std::string(ToString(rule.severity));
    summary.disposition = std::string(ToString(rule.disposition));
    summary.citation = rule.citation;
    summary.test_count = rule.tests.size();
    out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace coderaudit::rules
