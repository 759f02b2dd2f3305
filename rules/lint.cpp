// Lint: what `coderaudit rules check` warns about beyond schema and compile errors.
#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "rules/check.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"
#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool Blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; });
}

std::string Period(const refdata::TableVersion& table) {
  return table.version + " " + ToIso(table.period_from) + ".." +
         (table.period_to ? ToIso(*table.period_to) : std::string("open"));
}

class Linter {
 public:
  Linter(const RuleSet& rule_set, std::vector<LintIssue>& out) : rule_set_(rule_set), out_(out) {}

  void Add(Severity severity, std::string code, uint32_t source, const SourcePos& pos,
           std::string message) {
    out_.push_back(LintIssue{severity, std::move(code),
                             Issue{rule_set_.FileOf(source), pos.line, pos.column,
                                   std::move(message)}});
  }

 private:
  const RuleSet& rule_set_;
  std::vector<LintIssue>& out_;
};

}  // namespace

std::vector<LintIssue> Lint(const RuleSet& rule_set, const refdata::RefData* tables,
                            Date run_date) {
  std::vector<LintIssue> out;
  Linter lint(rule_set, out);

  // Which rules read which tables (a trial compile of each check; the reader has already
  // compiled them once, so compile problems are not repeated here).
  std::map<refdata::TableKind, std::vector<const RuleDef*>> readers;
  for (const RuleDef& rule : rule_set.rules) {
    const CheckKind* kind = FindCheckKind(rule.check.name);
    if (kind == nullptr) {
      lint.Add(Severity::kError, "unknown-check", rule.source, rule.check.pos,
               "rule " + rule.id + ": unknown check <" + rule.check.name + ">");
      continue;
    }
    std::vector<Issue> ignored;
    CompileContext context(rule_set, rule, ignored);
    const auto check = kind->compile(rule.check, context);
    if (!check) continue;
    const auto kinds = check->Tables();
    for (const auto table : kinds) readers[table].push_back(&rule);

    if (Blank(rule.citation)) {
      lint.Add(Severity::kError, "no-citation", rule.source, rule.pos,
               "rule " + rule.id + " has no citation: name the manual section or table it "
               "comes from");
    } else if (!kinds.empty() && rule.citation.find("{table}") == std::string::npos) {
      lint.Add(Severity::kWarning, "no-citation", rule.citation_source, rule.citation_pos,
               "rule " + rule.id + " reads reference tables but its citation does not name "
               "the table version: add {table}");
    }
    if (rule.tests.empty())
      lint.Add(Severity::kWarning, "no-tests", rule.source, rule.pos,
               "rule " + rule.id + " has no embedded <test>");
    if (rule.effective_to && *rule.effective_to < run_date)
      lint.Add(Severity::kInfo, "rule-ended", rule.source, rule.pos,
               "rule " + rule.id + " version " + rule.version + " ended on " +
                   ToIso(*rule.effective_to) + ", before the run date " + ToIso(run_date));
  }

  // Duplicate ids: the reader refuses the same id and version twice in one layered set,
  // so what is left here is a hand-built set, or ids that differ only in letter case
  // (a reviewer reading NCCI-PTP-001 and ncci-ptp-001 cannot tell which fired).
  std::map<std::string, const RuleDef*> by_id, by_lower;
  for (const RuleDef& rule : rule_set.rules) {
    const std::string key = rule.id + "@" + rule.version;
    if (const auto [it, inserted] = by_id.emplace(key, &rule); !inserted) {
      lint.Add(Severity::kError, "duplicate-id", rule.source, rule.pos,
               "duplicate rule id " + rule.id + " version " + rule.version + " (also in " +
                   rule_set.FileOf(it->second->source) + ")");
      continue;
    }
    const std::string lower = Lower(rule.id);
    if (const auto [it, inserted] = by_lower.emplace(lower, &rule);
        !inserted && it->second->id != rule.id)
      lint.Add(Severity::kWarning, "duplicate-id", rule.source, rule.pos,
               "rule id " + rule.id + " differs from " + it->second->id + " (in " +
                   rule_set.FileOf(it->second->source) + ") only in letter case");
  }

  if (!readers.empty() && tables == nullptr) {
    std::string names;
    for (const auto& [kind, rules] : readers) names += " " + std::string(TableName(kind));
    lint.Add(Severity::kInfo, "tables-unchecked", 0, SourcePos{},
             "the rules read reference tables (" + names.substr(1) +
                 "); give the reference store (--refdata DIR) to check them");
  }
  if (tables != nullptr) {
    const auto loaded = tables->Tables();
    for (const auto& [kind, rules] : readers) {
      std::vector<const refdata::TableVersion*> versions;
      for (const auto& table : loaded)
        if (table.kind == kind) versions.push_back(&table);
      const RuleDef& first = *rules.front();
      std::string who = "rule " + first.id;
      if (rules.size() > 1) who += " and " + std::to_string(rules.size() - 1) + " more";
      if (versions.empty()) {
        lint.Add(Severity::kError, "unknown-table", first.source, first.check.pos,
                 "table " + std::string(TableName(kind)) + ", read by " + who +
                     ", is not in the reference store");
        continue;
      }
      if (kind == refdata::TableKind::kIcd10CmTabular) {
        // Notes are not dated: the newest loaded tabular answers for every date.
        if (tables->TableFor(kind, run_date) == nullptr)
          lint.Add(Severity::kInfo, "expired-table", first.source, first.check.pos,
                   "no version of table icd10cm-tabular is in force on " + ToIso(run_date) +
                       "; " + who + " will use the newest loaded notes");
        continue;
      }
      if (tables->TableFor(kind, run_date) == nullptr) {
        std::string periods;
        for (const auto* version : versions) periods += (periods.empty() ? "" : ", ") + Period(*version);
        lint.Add(Severity::kWarning, "expired-table", first.source, first.check.pos,
                 "no version of table " + std::string(TableName(kind)) + " is in force on " +
                     ToIso(run_date) + " (loaded: " + periods + "); " + who +
                     " will not edit claims dated outside those periods");
      }
    }
  }

  std::stable_sort(out.begin(), out.end(), [](const LintIssue& a, const LintIssue& b) {
    return std::tie(a.issue.file, a.issue.line, a.issue.column) <
           std::tie(b.issue.file, b.issue.line, b.issue.column);
  });
  return out;
}

std::string Describe(const LintIssue& lint) {
  return lint.issue.file + ":" + std::to_string(lint.issue.line) + ":" +
         std::to_string(lint.issue.column) + ": " + std::string(ToString(lint.severity)) + " [" +
         lint.code + "]: " + lint.issue.message;
}

}  // namespace coderaudit::rules
