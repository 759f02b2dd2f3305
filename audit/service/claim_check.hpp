#pragma once
// In-memory checking for front ends that hold claims rather than files (the HTTP API):
// claims in, per claim findings, rules that could not judge it, and the hold/release
// decision. Nothing is stored (RunCheck does that). Immutable after construction, so one
// checker serves every thread at once.
#include <memory>
#include <string>
#include <vector>

#include "audit/service/compiled_rules.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"

namespace coderaudit::service {

struct ClaimResult {
  std::string encounter_id;
  std::vector<Finding> findings;        // rule order then line order (RuleProgram)
  std::vector<NotChecked> not_checked;
  ClaimDecision decision;
};

class ClaimChecker {
 public:
  ClaimChecker(std::shared_ptr<const CompiledRules> rules, HoldPolicy policy);
  // One result per encounter, in the given order.
  std::vector<ClaimResult> Check(const std::vector<Encounter>& encounters) const;
  ClaimResult CheckOne(const Encounter& encounter) const;
  const CompiledRules& Rules() const { return *rules_; }
  const HoldPolicy& Policy() const { return policy_; }

 private:
  std::shared_ptr<const CompiledRules> rules_;
  HoldPolicy policy_;
};

}  // namespace coderaudit::service
