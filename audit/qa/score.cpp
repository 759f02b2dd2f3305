#include "audit/qa/score.hpp"

#include <boost/math/distributions/beta.hpp>

#include <map>
#include <set>

namespace coderaudit::qa {

Interval ClopperPearson(uint64_t x, uint64_t n, double confidence) {
  if (n == 0) return {0.0, 1.0};
  const double alpha = 1.0 - confidence;
  const double xd = static_cast<double>(x), nd = static_cast<double>(n);
  Interval ci;
  // Exact bounds are quantiles of Beta(x, n-x+1) and Beta(x+1, n-x).
  ci.low = x == 0 ? 0.0 : boost::math::ibeta_inv(xd, nd - xd + 1, alpha / 2);
  ci.high = x == n ? 1.0 : boost::math::ibeta_inv(xd + 1, nd - xd, 1 - alpha / 2);
  return ci;
}

std::vector<CoderScore> ScoreCoders(const std::vector<CodeDiff>& diffs, double benchmark) {
  struct Acc {
    CoderScore score;
    std::set<std::string> encounters, encounters_with_errors;
    // Positions compared: a coder line (by position) or an omitted auditor code.
    std::set<std::pair<std::string, uint32_t>> coder_positions;
    uint32_t omitted = 0;
  };
  std::map<std::string, Acc> by_coder;
  for (const auto& d : diffs) {
    Acc& acc = by_coder[d.coder_id];
    acc.encounters.insert(d.encounter_id);
    acc.score.by_outcome[static_cast<size_t>(d.outcome)]++;
    if (d.outcome == Outcome::kOmitted)
      acc.omitted++;
    else
      acc.coder_positions.insert({d.encounter_id, d.line});
    if (IsError(d.outcome)) {
      acc.score.errors++;
      acc.encounters_with_errors.insert(d.encounter_id);
    } else {
      acc.score.matches++;
    }
  }
  std::vector<CoderScore> out;
  for (auto& [coder, acc] : by_coder) {
    CoderScore s = acc.score;
    s.coder_id = coder;
    s.encounters = static_cast<uint32_t>(acc.encounters.size());
    s.error_free_encounters =
        static_cast<uint32_t>(acc.encounters.size() - acc.encounters_with_errors.size());
    s.codes_reviewed = static_cast<uint32_t>(acc.coder_positions.size()) + acc.omitted;
    const uint32_t scored = s.matches + s.errors;
    s.code_accuracy = scored ? static_cast<double>(s.matches) / scored : 0.0;
    s.code_interval = ClopperPearson(s.matches, scored);
    s.claim_accuracy =
        s.encounters ? static_cast<double>(s.error_free_encounters) / s.encounters : 0.0;
    s.claim_interval = ClopperPearson(s.error_free_encounters, s.encounters);
    s.benchmark = benchmark;
    s.pass = scored > 0 && s.code_accuracy >= benchmark;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace coderaudit::qa
