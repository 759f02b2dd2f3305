#include "audit/service/claim_check.hpp"

#include "rules/rule_program.hpp"

namespace coderaudit::service {

ClaimChecker::ClaimChecker(std::shared_ptr<const CompiledRules> rules, HoldPolicy policy)
    : rules_(std::move(rules)), policy_(policy) {}

ClaimResult ClaimChecker::CheckOne(const Encounter& encounter) const {
  ClaimResult r;
  r.encounter_id = encounter.id;
  rules_->program->Evaluate(encounter, r.findings, r.not_checked);
  r.decision = Decide(encounter.id, r.findings, r.not_checked.size(), policy_);
  return r;
}

std::vector<ClaimResult> ClaimChecker::Check(const std::vector<Encounter>& encounters) const {
  std::vector<ClaimResult> out;
  out.reserve(encounters.size());
  for (const auto& e : encounters) out.push_back(CheckOne(e));
  return out;
}

}  // namespace coderaudit::service
