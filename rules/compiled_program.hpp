#pragma once
// The concrete RuleProgram. Internal to rules/ and its tests: the engine uses the
// RuleProgram interface of rule_program.hpp.
#include <cstdint>
#include <memory>
#include <string>
#include <array>
#include <map>
#include <span>
#include <vector>

#include "audit/refdata/refdata.hpp"
#include "rules/check.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::rules {

// What one evaluation touched; lets tests prove the index works (an encounter whose codes
// trigger nothing visits no code rule) without shared mutable counters.
struct EvalStats {
  size_t index_lookups = 0;         // one per line
  size_t membership_tests = 0;      // exact Contains() calls on indexed candidates
  size_t code_rules_visited = 0;    // rules with a code trigger whose check ran
  size_t always_rules_visited = 0;  // rules without a code trigger whose check ran
};

struct CompileOptions {
  std::shared_ptr<const refdata::RefData> tables;
  // true: a rule whose check reads tables that are not loaded is an issue (what Compile
  // does); false: compile anyway (the reader's trial compile, which has no tables).
  bool require_tables = true;
};

class CompiledProgram final : public RuleProgram {
 public:
  void Evaluate(const Encounter& encounter, std::vector<Finding>& out) const override {
    Evaluate(encounter, out, nullptr);
  }
  void Evaluate(const Encounter& encounter, std::vector<Finding>& out, EvalStats* stats) const {
    Evaluate(encounter, out, stats, nullptr);
  }
  // Findings exactly as the 2-argument form, plus one NotChecked per rule that applies to
  // the encounter and would run but has no table version in force on a date it looks up.
  void Evaluate(const Encounter& encounter, std::vector<Finding>& out,
                std::vector<NotChecked>& not_checked) const override {
    Evaluate(encounter, out, nullptr, &not_checked);
  }
  void Evaluate(const Encounter& encounter, std::vector<Finding>& out,
                std::vector<NotChecked>& not_checked, const ClaimHistory* history) const override {
    Evaluate(encounter, out, nullptr, &not_checked, history);
  }
  void Evaluate(const Encounter& encounter, std::vector<Finding>& out, EvalStats* stats,
                std::vector<NotChecked>* not_checked,
                const ClaimHistory* history = nullptr) const;

  size_t RuleCount() const override { return rules_.size(); }
  const std::string& Hash() const override { return hash_; }
  const std::string& Name() const override { return name_; }
  const std::string& Version() const override { return version_; }

  std::vector<refdata::TableKind> TablesUsed() const override { return tables_used_; }
  bool ReadsClaimHistory() const override {
    for (const auto& r : rules_)
      if (r.check && r.check->ReadsHistory()) return true;
    return false;
  }
  const refdata::RefData* Tables() const { return tables_.get(); }

  // Number of (code type, category) keys in the index.
  size_t IndexSize() const { return index_.triggers.size(); }
  size_t AlwaysRuleCount() const { return always_.size(); }

 private:
  friend std::shared_ptr<const CompiledProgram> CompileProgram(const RuleSet&, std::vector<Issue>&,
                                                               const CompileOptions&);
  struct CompiledRule {
    RuleDef def;  // without check element and tests
    std::unique_ptr<Check> check;
  };
  // What the evaluation loop reads of every candidate rule, packed together (a RuleDef is
  // ~460 bytes; the loop visits dozens of rules per encounter).
  struct Dispatch {
    const Check* check = nullptr;
    int32_t from_days = INT32_MIN, to_days = INT32_MAX;  // effective dates, inclusive
    uint8_t claim_types = 0;  // bit ClaimType: the rule applies to it
    bool reads_tables = false;
    // Days on which every table the rule reads has a version in force (one gap-free span
    // per table, intersected): an encounter whose dates all fall inside is covered, two
    // compares; outside, the check's Lookups() are tested one by one.
    int32_t covered_from = INT32_MAX, covered_to = INT32_MIN;
  };
  std::vector<Dispatch> dispatch_;  // parallel to rules_
  static void EncounterDays(const Encounter& encounter, int32_t& first, int32_t& last);
  // The slow path: the first of rule r's lookups with no table version in force, if any.
  void NoteUncovered(uint32_t r, const Encounter& encounter, std::span<const LineHit> hits,
                     std::vector<NotChecked>& not_checked) const;
  struct Trigger {
    uint32_t rule = 0;
    uint8_t role = 0;
    const CodeSelection* selection = nullptr;
  };

  std::string hash_, name_, version_;
  std::vector<CompiledRule> rules_;
  // (code type, category) -> candidate rules, in rule then role order.
  // (code type, category) -> candidate rules, in rule then role order. Open addressing
  // over a power-of-two table, frozen after compilation: one multiply and usually one
  // probe per line, where a std::unordered_map divides by a prime.
  struct Index {
    std::vector<uint32_t> keys;  // IndexKey + 1 per slot; 0: empty
    std::vector<uint32_t> at;    // per slot: the position of its list in `triggers`
    std::vector<std::vector<Trigger>> triggers;
    const std::vector<Trigger>* Find(uint32_t key) const;
    void Build(std::map<uint32_t, std::vector<Trigger>> lists);
  } index_;
  std::vector<uint32_t> always_;  // rules with no code trigger, ascending
  // always_ cut to the rules whose claim types include each ClaimType (by value).
  std::array<std::vector<uint32_t>, 3> always_by_type_;
  std::shared_ptr<const refdata::RefData> tables_;  // kept alive as long as the program
  std::vector<refdata::TableKind> tables_used_;
};

// Compiles, appending positioned issues; null when any issue was found.
std::shared_ptr<const CompiledProgram> CompileProgram(const RuleSet& rule_set,
                                                      std::vector<Issue>& issues,
                                                      const CompileOptions& options = {});

}  // namespace coderaudit::rules
