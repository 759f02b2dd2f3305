#pragma once
// A scoring policy: which code types and claim types are scored, which outcomes count as
// errors and with what weight, the benchmark and the interval method. It is data (XML,
// schemas/policies/scoring-policy-v1.xsd) and frozen into every score run (text + SHA-256)
// so stored scores never drift. audit/qa/SCORING.md § Scoring policy.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/hash.hpp"
#include "audit/model/reject.hpp"
#include "audit/qa/diff.hpp"

namespace coderaudit::qa {

enum class IntervalMethod : uint8_t { kClopperPearson, kWilson };
std::string_view ToString(IntervalMethod m);  // "clopper-pearson" | "wilson"

// The accuracy pass/fail looks at, and whether the point estimate or the interval's
// lower bound must reach the benchmark.
enum class PassMetric : uint8_t { kCode, kClaim, kDrg };
enum class PassCompare : uint8_t { kPoint, kLowerBound };
std::string_view ToString(PassMetric m);   // "code" | "claim" | "drg"
std::string_view ToString(PassCompare c);  // "point" | "lower-bound"

struct OutcomeRule {
  bool error = true;
  double weight = 1;            // an error row counts this many errors
  double principal_weight = 1;  // ... when it involves the principal diagnosis
};

struct ScoringPolicy {
  std::string id = "default";
  std::string version = "1";
  std::string title = "All code types, every difference counts once";
  // Indexed by ItemType: DX, PCS, HCPCS, DRG.
  std::array<bool, kItemTypeCount> scored{true, true, true, false};
  // Indexed by ClaimType: inpatient, outpatient, professional.
  std::array<bool, 3> claim_types{true, true, true};
  // Indexed by Outcome (kMatch's entry is unused).
  std::array<OutcomeRule, kOutcomeCount> outcomes{};
  // Rules for one outcome on one code type (<outcome code-type="HCPCS" .../>), which
  // take precedence over the outcome's general rule. Indexed [Outcome][ItemType].
  std::array<std::array<std::optional<OutcomeRule>, kItemTypeCount>, kOutcomeCount> typed{};
  double benchmark = 0.95;
  // A trend period (a quarter, a month) gets PASS/FAIL only with at least this many
  // audited encounters of the coder; fewer show the interval and no verdict.
  uint32_t trend_min_encounters = 30;
  PassMetric pass_metric = PassMetric::kCode;
  PassCompare pass_compare = PassCompare::kPoint;
  IntervalMethod interval = IntervalMethod::kClopperPearson;
  double confidence = 0.95;
  // The exact bytes it was read from and their SHA-256 (empty for a built-in default
  // that was never read; DefaultPolicy() fills them from the embedded file).
  std::string text;
  std::string sha256;

  ScoringPolicy();
  bool Scores(ItemType t) const { return scored[static_cast<size_t>(t)]; }
  bool Scores(ClaimType t) const { return claim_types[static_cast<size_t>(t)]; }
  const OutcomeRule& Rule(Outcome o) const { return outcomes[static_cast<size_t>(o)]; }
  const OutcomeRule& Rule(Outcome o, ItemType t) const {
    const auto& typed_rule = typed[static_cast<size_t>(o)][static_cast<size_t>(t)];
    return typed_rule ? *typed_rule : Rule(o);
  }
  // Whether a row counts as an error under this policy (scope is checked by the caller).
  bool CountsAsError(const CodeDiff& d) const;
  // The weight an error row carries (0 when it does not count).
  double WeightOf(const CodeDiff& d) const;
};

// The built-in policy (schemas/policies/default.xml, embedded): v1 scoring exactly — DX,
// PCS and HCPCS scored, every difference one error, DRG changes reported but not counted
// as code errors, Clopper-Pearson 95%, benchmark 0.95 on code accuracy.
const ScoringPolicy& DefaultPolicy();

struct PolicyLoad {
  std::optional<ScoringPolicy> policy;  // set only when the document is valid
  std::vector<Issue> issues;            // file:line:column problems
};

// Validates `bytes` against the embedded XSD (DTDs, external entities and schema hints
// refused) and builds the policy. Never throws for bad input: problems are issues.
PolicyLoad ParsePolicy(std::string_view bytes, const std::string& display_name);
// Reads the file (at most kMaxPolicyBytes); InputError (with every issue) when it cannot
// be read or is invalid. `digest`, when given, is of exactly the bytes parsed.
inline constexpr size_t kMaxPolicyBytes = size_t{16} << 20;
ScoringPolicy LoadPolicyFile(const std::string& path, FileDigest* digest = nullptr);
// Parses stored policy text (a frozen policy); SystemError when the store holds a policy
// this build cannot read.
ScoringPolicy PolicyFromStoredText(const std::string& text);

// Human-readable one-liners for the Policy sheet and the CLI.
std::string DescribeScope(const ScoringPolicy& p);

}  // namespace coderaudit::qa
