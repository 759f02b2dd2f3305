#include "audit/model/hold.hpp"

namespace coderaudit {

std::string Describe(const NotCheckedCount& c) {
  return c.rule_id + " " + std::to_string(c.claims) + " (" + c.table + ": no version for " +
         c.date + ")";
}

HoldPolicy HoldPolicy::Default() {
  HoldPolicy p;
  for (Disposition d : {Disposition::kClaimReject, Disposition::kClaimDeny,
                        Disposition::kReturnToProvider, Disposition::kSuspend,
                        Disposition::kLineReject, Disposition::kLineDeny})
    p.holding |= uint16_t(1u << static_cast<unsigned>(d));
  return p;
}

std::optional<HoldPolicy> HoldPolicy::Parse(std::string_view list, std::string* error) {
  HoldPolicy p;
  size_t i = 0;
  while (i < list.size()) {
    const size_t end = list.find_first_of(", ", i);
    const std::string_view word = list.substr(i, end == std::string_view::npos ? end : end - i);
    i = end == std::string_view::npos ? list.size() : end + 1;
    if (word.empty()) continue;
    const auto d = ParseDisposition(word);
    if (!d) {
      if (error) *error = std::string(word);
      return std::nullopt;
    }
    p.holding |= uint16_t(1u << static_cast<unsigned>(*d));
  }
  return p;
}

std::string HoldPolicy::Str() const {
  std::string s;
  for (unsigned d = 0; d <= static_cast<unsigned>(Disposition::kInfo); ++d) {
    if (!Holds(static_cast<Disposition>(d))) continue;
    if (!s.empty()) s += ',';
    s += ToString(static_cast<Disposition>(d));
  }
  return s;
}

ClaimDecision Decide(std::string_view encounter_id, std::span<const Finding> findings,
                     size_t not_checked, const HoldPolicy& policy) {
  ClaimDecision d;
  d.encounter_id = std::string(encounter_id);
  for (size_t i = 0; i < findings.size(); ++i)
    if (policy.Holds(findings[i].disposition)) d.holding_findings.push_back(i);
  d.not_checked = not_checked;
  d.held = !d.holding_findings.empty() || (policy.hold_unchecked && not_checked > 0);
  return d;
}

}  // namespace coderaudit
