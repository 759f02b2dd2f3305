#include <algorithm>
#include <tuple>
#include <limits>

#include "audit/model/error.hpp"
#include "rules/compiled_program.hpp"
#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

// (code type, category of up to three characters) packed into one integer key.
uint32_t IndexKey(CodeType type, std::string_view category) {
  uint32_t key = static_cast<uint32_t>(type) << 24;
  for (size_t i = 0; i < category.size() && i < 3; ++i)
    key |= static_cast<uint32_t>(static_cast<unsigned char>(category[i])) << (16 - 8 * i);
  return key;
}

void CheckPlaceholders(const RuleSet& rule_set, const RuleDef& rule, const CheckKind& kind,
                       std::vector<Issue>& issues) {
  const std::vector<std::string> allowed_list = SplitList(kind.placeholders);
  auto check = [&](const std::string& text, uint32_t source, const SourcePos& pos,
                   std::string_view what) {
    for (const auto& name : Placeholders(text)) {
      if (name == "age" || name == "sex") continue;
      if (std::find(allowed_list.begin(), allowed_list.end(), name) != allowed_list.end())
        continue;
      issues.push_back(Issue{rule_set.FileOf(source), pos.line, pos.column,
                             std::string(what) + " placeholder {" + name +
                                 "} is not provided by <" + std::string(kind.element) +
                                 ">; it offers " + std::string(kind.placeholders) + " age sex"});
    }
  };
  check(rule.message, rule.message_source, rule.message_pos, "message");
  check(rule.citation, rule.citation_source, rule.citation_pos, "citation");
}

std::string JoinTableNames(const std::vector<refdata::TableKind>& kinds) {
  std::string out;
  for (const auto kind : kinds) out += (out.empty() ? "" : ", ") + std::string(TableName(kind));
  return out;
}

}  // namespace

namespace {
// The longest span of days on which some version of `kind` is in force (versions' periods
// merged where they touch or overlap). A subset of what RefData::TableFor answers for, so
// the evaluation's fast path never misses an uncovered date. Empty: from > to.
std::pair<int32_t, int32_t> CoveredSpan(const refdata::RefData& tables, refdata::TableKind kind) {
  std::vector<std::pair<int64_t, int64_t>> periods;
  for (const auto& v : tables.Tables())
    if (v.kind == kind)
      periods.push_back({v.period_from.days, v.period_to ? int64_t{v.period_to->days} : INT32_MAX});
  std::sort(periods.begin(), periods.end());
  std::pair<int64_t, int64_t> best{INT32_MAX, INT32_MIN}, current{0, -1};
  bool open = false;
  for (const auto& [from, to] : periods) {
    if (open && from <= current.second + 1) {
      current.second = std::max(current.second, to);
    } else {
      if (open && current.second - current.first > best.second - best.first) best = current;
      current = {from, to};
      open = true;
    }
  }
  if (open && current.second - current.first > best.second - best.first) best = current;
  return {static_cast<int32_t>(best.first), static_cast<int32_t>(best.second)};
}
}  // namespace

std::shared_ptr<const CompiledProgram> CompileProgram(const RuleSet& rule_set,
                                                      std::vector<Issue>& issues,
                                                      const CompileOptions& options) {
  const size_t issues_before = issues.size();
  auto program = std::shared_ptr<CompiledProgram>(new CompiledProgram());
  program->hash_ = rule_set.sha256;
  program->name_ = rule_set.id;
  program->version_ = rule_set.version;
  program->tables_ = options.tables;
  program->rules_.reserve(rule_set.rules.size());

  // Table kinds some loaded version provides, to refuse a program that would edit
  // nothing for want of a table.
  std::vector<refdata::TableKind> loaded;
  if (options.tables)
    for (const auto& table : options.tables->Tables())
      if (std::find(loaded.begin(), loaded.end(), table.kind) == loaded.end())
        loaded.push_back(table.kind);

  for (const RuleDef& rule : rule_set.rules) {
    const std::string& file = rule_set.FileOf(rule.source);
    const CheckKind* kind = FindCheckKind(rule.check.name);
    if (kind == nullptr) {
      issues.push_back(Issue{file, rule.check.pos.line, rule.check.pos.column,
                             "rule " + rule.id + ": unknown check <" + rule.check.name + ">"});
      continue;
    }
    CompileContext context(rule_set, rule, issues);
    std::unique_ptr<Check> check = kind->compile(rule.check, context);
    CheckPlaceholders(rule_set, rule, *kind, issues);
    if (!check) {
      if (!context.Failed())
        issues.push_back(Issue{file, rule.check.pos.line, rule.check.pos.column,
                               "rule " + rule.id + ": check does not compile"});
      continue;
    }
    const std::vector<refdata::TableKind> needed = check->Tables();
    for (const auto kind_needed : needed)
      if (std::find(program->tables_used_.begin(), program->tables_used_.end(), kind_needed) ==
          program->tables_used_.end())
        program->tables_used_.push_back(kind_needed);
    if (options.require_tables && !needed.empty()) {
      std::vector<refdata::TableKind> missing;
      for (const auto kind_needed : needed)
        if (std::find(loaded.begin(), loaded.end(), kind_needed) == loaded.end())
          missing.push_back(kind_needed);
      if (!options.tables) {
        issues.push_back(Issue{file, rule.check.pos.line, rule.check.pos.column,
                               "rule " + rule.id + " (<" + rule.check.name +
                                   ">) needs reference tables (" + JoinTableNames(needed) +
                                   "): load them (--refdata DIR) or disable the rule"});
        continue;
      }
      if (!missing.empty()) {
        issues.push_back(Issue{file, rule.check.pos.line, rule.check.pos.column,
                               "rule " + rule.id + " (<" + rule.check.name +
                                   ">) needs tables that are not loaded: " +
                                   JoinTableNames(missing) + " (import them or disable the rule)"});
        continue;
      }
    }
    CompiledProgram::CompiledRule compiled;
    compiled.def = rule;
    compiled.def.check = XmlNode{};
    compiled.def.tests.clear();
    compiled.check = std::move(check);
    program->rules_.push_back(std::move(compiled));
  }
  if (issues.size() != issues_before) return nullptr;
  std::sort(program->tables_used_.begin(), program->tables_used_.end());

  // The index: every (code type, category) a trigger selection can contain points at the
  // rule and role, so evaluation only tests candidates whose category matches.
  std::map<uint32_t, std::vector<CompiledProgram::Trigger>> index;
  for (uint32_t r = 0; r < program->rules_.size(); ++r) {
    const auto triggers = program->rules_[r].check->Triggers();
    if (triggers.empty()) {
      program->always_.push_back(r);
      const auto& types = program->rules_[r].def.claim_types;
      for (const ClaimType type :
           {ClaimType::kInpatient, ClaimType::kOutpatient, ClaimType::kProfessional})
        if (types.empty() || std::find(types.begin(), types.end(), type) != types.end())
          program->always_by_type_[static_cast<size_t>(type)].push_back(r);
      continue;
    }
    if (triggers.size() > std::numeric_limits<uint8_t>::max())
      throw SystemError("check has too many trigger selections");
    for (size_t role = 0; role < triggers.size(); ++role) {
      const CodeSelection* selection = triggers[role];
      for (const auto& category : selection->matcher.Categories())
        index[IndexKey(selection->type, category)].push_back(
            {r, static_cast<uint8_t>(role), selection});
    }
  }
  program->index_.Build(std::move(index));
  for (const auto& rule : program->rules_) {
    CompiledProgram::Dispatch d;
    d.check = rule.check.get();
    if (rule.def.effective_from) d.from_days = rule.def.effective_from->days;
    if (rule.def.effective_to) d.to_days = rule.def.effective_to->days;
    for (const ClaimType type :
         {ClaimType::kInpatient, ClaimType::kOutpatient, ClaimType::kProfessional})
      if (rule.def.claim_types.empty() ||
          std::find(rule.def.claim_types.begin(), rule.def.claim_types.end(), type) !=
              rule.def.claim_types.end())
        d.claim_types |= static_cast<uint8_t>(1u << static_cast<unsigned>(type));
    const auto kinds = rule.check->Tables();
    d.reads_tables = !kinds.empty() && options.tables != nullptr;
    if (d.reads_tables) {
      d.covered_from = INT32_MIN;
      d.covered_to = INT32_MAX;
      for (const auto kind : kinds) {
        const auto [from, to] = CoveredSpan(*options.tables, kind);
        d.covered_from = std::max(d.covered_from, from);
        d.covered_to = std::min(d.covered_to, to);
      }
    }
    program->dispatch_.push_back(d);
  }
  return program;
}

namespace {
size_t SlotOf(uint32_t key, size_t mask) {
  return static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}
}  // namespace

void CompiledProgram::Index::Build(std::map<uint32_t, std::vector<Trigger>> lists) {
  size_t slots = 16;
  while (slots < lists.size() * 2) slots *= 2;  // load factor at most 1/2
  keys.assign(slots, 0);
  at.assign(slots, 0);
  triggers.clear();
  for (auto& [key, list] : lists) {
    size_t i = SlotOf(key, slots - 1);
    while (keys[i] != 0) i = (i + 1) & (slots - 1);
    keys[i] = key + 1;
    at[i] = static_cast<uint32_t>(triggers.size());
    triggers.push_back(std::move(list));
  }
}

const std::vector<CompiledProgram::Trigger>* CompiledProgram::Index::Find(uint32_t key) const {
  const size_t mask = keys.size() - 1;
  for (size_t i = SlotOf(key, mask);; i = (i + 1) & mask) {
    if (keys[i] == key + 1) return &triggers[at[i]];
    if (keys[i] == 0) return nullptr;
  }
}

namespace {

std::shared_ptr<const RuleProgram> CompileOrThrow(const RuleSet& rule_set,
                                                  const CompileOptions& options) {
  std::vector<Issue> issues;
  auto program = CompileProgram(rule_set, issues, options);
  if (!program) {
    std::string message = "rule set " + rule_set.file + " does not compile:";
    for (const auto& issue : issues) message += "\n  " + Describe(issue);
    throw InputError(message);
  }
  return program;
}

}  // namespace

std::shared_ptr<const RuleProgram> Compile(const RuleSet& rule_set) {
  return CompileOrThrow(rule_set, CompileOptions{nullptr, true});
}

std::shared_ptr<const RuleProgram> Compile(const RuleSet& rule_set,
                                           std::shared_ptr<const refdata::RefData> tables) {
  return CompileOrThrow(rule_set, CompileOptions{std::move(tables), true});
}

void CompiledProgram::Evaluate(const Encounter& encounter, std::vector<Finding>& out,
                               EvalStats* stats, std::vector<NotChecked>* not_checked,
                               const ClaimHistory* history) const {
  struct RuleHit {
    uint32_t rule;
    LineHit hit;
  };
  // Everything mutable is local to this call or to this thread (scratch reused between
  // calls): Evaluate is safe from many threads and allocates nothing once warm.
  thread_local std::vector<RuleHit> hits;
  hits.clear();
  for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
    const CodedLine& line = encounter.lines[i];
    if (stats) ++stats->index_lookups;
    const std::vector<Trigger>* candidates = index_.Find(IndexKey(line.type, line.code.Category()));
    if (candidates == nullptr) continue;
    for (const Trigger& trigger : *candidates) {
      if (stats) ++stats->membership_tests;
      if (trigger.selection->matcher.Contains(line.code))
        hits.push_back({trigger.rule, {i, trigger.role}});
    }
  }
  // Each rule's hits in (line, role) order. (Not std::stable_sort by rule, which gives
  // the same order but allocates a buffer on every call.)
  std::sort(hits.begin(), hits.end(), [](const RuleHit& a, const RuleHit& b) {
    return std::tie(a.rule, a.hit.line_index, a.hit.role) <
           std::tie(b.rule, b.hit.line_index, b.hit.role);
  });

  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  thread_local std::vector<LineHit> rule_hits;
  bool dates_known = false;  // the encounter's first and last date, computed when first needed
  int32_t first_day = 0, last_day = 0;
  size_t h = 0, a = 0;
  const std::vector<uint32_t>& always = always_by_type_[static_cast<size_t>(encounter.claim_type)];
  while (h < hits.size() || a < always.size()) {
    const uint32_t next_hit = h < hits.size() ? hits[h].rule : kNone;
    const uint32_t next_always = a < always.size() ? always[a] : kNone;
    const uint32_t r = std::min(next_hit, next_always);
    rule_hits.clear();
    while (h < hits.size() && hits[h].rule == r) rule_hits.push_back(hits[h++].hit);
    const bool is_always = next_always == r;
    if (is_always) ++a;

    const Dispatch& rule = dispatch_[r];
    if ((rule.claim_types >> static_cast<unsigned>(encounter.claim_type) & 1) == 0 ||
        encounter.from_date.days < rule.from_days || encounter.from_date.days > rule.to_days)
      continue;  // not this claim type, or outside the rule's effective dates
    if (stats) ++(is_always ? stats->always_rules_visited : stats->code_rules_visited);
    if (not_checked != nullptr && rule.reads_tables) {
      if (!dates_known) {
        EncounterDays(encounter, first_day, last_day);
        dates_known = true;
      }
      if (first_day < rule.covered_from || last_day > rule.covered_to)
        NoteUncovered(r, encounter, rule_hits, *not_checked);
    }
    rule.check->Evaluate(EvalContext(encounter, rules_[r].def, out, tables_.get(), history),
                         rule_hits);
  }
}

void CompiledProgram::EncounterDays(const Encounter& encounter, int32_t& first, int32_t& last) {
  first = std::min(encounter.from_date.days, encounter.through_date.days);
  last = std::max(encounter.from_date.days, encounter.through_date.days);
  for (const CodedLine& line : encounter.lines)
    if (line.service_date) {
      first = std::min(first, line.service_date->days);
      last = std::max(last, line.service_date->days);
    }
}

void CompiledProgram::NoteUncovered(uint32_t r, const Encounter& encounter,
                                    std::span<const LineHit> hits,
                                    std::vector<NotChecked>& not_checked) const {
  thread_local std::vector<TableLookup> lookups;
  lookups.clear();
  rules_[r].check->Lookups(encounter, hits, lookups);
  for (const TableLookup& lookup : lookups) {
    if (tables_->TableFor(lookup.table, lookup.on) != nullptr) continue;
    const RuleDef& def = rules_[r].def;
    not_checked.push_back({def.id, def.version, encounter.id,
                           std::string(refdata::ToString(lookup.table)), ToIso(lookup.on)});
    return;  // one per rule and claim: the first date it cannot judge
  }
}

}  // namespace coderaudit::rules
