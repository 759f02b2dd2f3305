// RunEmbeddedTests (what `coderaudit rules test` runs) and Summarize (`rules check`).
#include <algorithm>
#include <string>

#include "rules/check.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"
#include "rules/tables.hpp"

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

// Whether a rule applies to an encounter by its (possibly overridden) effective period and
// claim types: the program's own test, repeated here for skipping tests an override moved.
bool Applies(const RuleDef& rule, const Encounter& encounter) {
  if (rule.effective_from && encounter.from_date < *rule.effective_from) return false;
  if (rule.effective_to && encounter.from_date > *rule.effective_to) return false;
  return rule.claim_types.empty() ||
         std::find(rule.claim_types.begin(), rule.claim_types.end(), encounter.claim_type) !=
             rule.claim_types.end();
}

std::string Where(const RuleSet& rule_set, uint32_t source, const SourcePos& pos) {
  return rule_set.FileOf(source) + ":" + std::to_string(pos.line) + ":" +
         std::to_string(pos.column);
}

}  // namespace

std::vector<EmbeddedTestResult> RunEmbeddedTests(const RuleSet& rule_set,
                                                 const RuleProgram& program) {
  std::vector<EmbeddedTestResult> results;
  std::vector<Finding> findings;
  for (const RuleDef& rule : rule_set.rules) {
    for (const TestCase& test : rule.tests) {
      if (rule.applicability_overridden && !Applies(rule, test.encounter)) {
        EmbeddedTestResult skipped;
        skipped.rule_id = rule.id;
        skipped.test_name = test.name;
        skipped.passed = true;
        skipped.skipped = true;
        skipped.detail = "skipped: an override moved the rule's effective dates or claim types "
                         "away from this test's encounter";
        results.push_back(std::move(skipped));
        continue;
      }
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
        result.detail = rule_set.FileOf(rule.source) + ":" + std::to_string(test.pos.line) +
                        ": expected " +
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
    summary.source = rule_set.FileOf(rule.source);
    summary.overrides = rule.overrides;
    if (rule.effective_from) summary.effective_from = ToIso(*rule.effective_from);
    if (rule.effective_to) summary.effective_to = ToIso(*rule.effective_to);
    for (const ClaimType type : rule.claim_types)
      summary.claim_types += (summary.claim_types.empty() ? "" : " ") + std::string(ToString(type));
    // The tables a rule reads are its check's business: ask a trial compile.
    if (const CheckKind* kind = FindCheckKind(rule.check.name)) {
      std::vector<Issue> ignored;
      CompileContext context(rule_set, rule, ignored);
      if (auto check = kind->compile(rule.check, context))
        for (const auto table : check->Tables()) summary.tables.emplace_back(TableName(table));
    }
    out.push_back(std::move(summary));
  }
  return out;
}

std::vector<DisabledSummary> SummarizeDisabled(const RuleSet& rule_set) {
  std::vector<DisabledSummary> out;
  for (const DisabledRule& disabled : rule_set.disabled)
    out.push_back(DisabledSummary{disabled.id, disabled.version,
                                  rule_set.FileOf(disabled.rule_source),
                                  Where(rule_set, disabled.source, disabled.pos), disabled.reason});
  return out;
}

}  // namespace coderaudit::rules
