#pragma once
// Pre-bill decision per claim: held (with what holds it) or released. Shared by the CLI's
// hold/release list, the findings workbook and the HTTP API, so they always agree.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/finding.hpp"

namespace coderaudit {

// A rule that applies to a claim but could not judge it: it reads a reference table and
// no loaded version of that table covers the claim's date. Never "clean".
struct NotChecked {
  std::string rule_id;
  std::string rule_version;
  std::string encounter_id;
  std::string table;   // table kind name ("ptp-practitioner", "mce", ...)
  std::string date;    // ISO date the table was looked up for
};

// Per rule of a run: how many claims it could not judge, and the first table and date it
// had no version for (what the run summary prints).
struct NotCheckedCount {
  std::string rule_id;
  std::string rule_version;
  std::string table;
  std::string date;
  int64_t claims = 0;
};

// "NCCI-PTP-001 12 (ptp-practitioner: no version for 2031-01-05)"
std::string Describe(const NotCheckedCount& count);

// Which dispositions hold a claim. Default: claim-reject, claim-deny, return-to-provider,
// suspend, line-reject, line-deny hold; review and info do not. Claims with a rule that
// could not be checked are held too unless hold_unchecked is off.
struct HoldPolicy {
  uint16_t holding = 0;  // bit per Disposition
  bool hold_unchecked = true;

  static HoldPolicy Default();
  // "claim-reject,line-deny,..." (comma or space separated disposition names); nullopt
  // names the first unknown one in `error`.
  static std::optional<HoldPolicy> Parse(std::string_view list, std::string* error = nullptr);
  bool Holds(Disposition d) const { return (holding >> static_cast<unsigned>(d)) & 1u; }
  std::string Str() const;  // the holding dispositions, comma separated, in enum order
};

struct ClaimDecision {
  std::string encounter_id;
  bool held = false;
  std::vector<size_t> holding_findings;  // indices into the findings given to Decide
  size_t not_checked = 0;                // rules that could not judge this claim
};

// `findings` and `not_checked` are this claim's only.
ClaimDecision Decide(std::string_view encounter_id, std::span<const Finding> findings,
                     size_t not_checked, const HoldPolicy& policy);

}  // namespace coderaudit
