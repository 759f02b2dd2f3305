#include "audit/qa/score.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace coderaudit::qa {

Interval ClopperPearson(double x, double n, double confidence) {
  if (!(n > 0)) return {0.0, 1.0};
  const double alpha = 1.0 - confidence;
  Interval ci;
  // Exact bounds are quantiles of Beta(x, n-x+1) and Beta(x+1, n-x).
  ci.low = x <= 0 ? 0.0 : boost::math::ibeta_inv(x, n - x + 1, alpha / 2);
  ci.high = x >= n ? 1.0 : boost::math::ibeta_inv(x + 1, n - x, 1 - alpha / 2);
  return ci;
}

Interval Wilson(double x, double n, double confidence) {
  if (!(n > 0)) return {0.0, 1.0};
  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), 1 - (1 - confidence) / 2);
  const double p = x / n, z2 = z * z;
  const double denom = 1 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  Interval ci{center - half, center + half};
  // Exact ends at 0 and 1 (rounding would otherwise leave 1e-17 outside [0, 1]).
  if (x <= 0) ci.low = 0;
  if (x >= n) ci.high = 1;
  ci.low = std::max(0.0, ci.low);
  ci.high = std::min(1.0, ci.high);
  return ci;
}

Interval IntervalFor(const ScoringPolicy& policy, double x, double n) {
  return policy.interval == IntervalMethod::kWilson ? Wilson(x, n, policy.confidence)
                                                    : ClopperPearson(x, n, policy.confidence);
}

std::string PeriodOf(Date d, Period p) {
  if (p == Period::kNone) return "";
  int y = 0;
  unsigned m = 0, day = 0;
  CivilFromDate(d, y, m, day);
  char buf[16];
  if (p == Period::kMonth)
    std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
  else
    std::snprintf(buf, sizeof buf, "%04dQ%u", y, (m - 1) / 3 + 1);
  return buf;
}

namespace {

// Rows of one coder's encounter, in stored order.
using Group = std::vector<const CodeDiff*>;

std::map<std::pair<std::string, std::string>, Group> ByEncounter(const std::vector<CodeDiff>& diffs) {
  std::map<std::pair<std::string, std::string>, Group> out;
  for (const CodeDiff& d : diffs) out[{d.coder_id, d.encounter_id}].push_back(&d);
  return out;
}

}  // namespace

void ScoreBook::Add(const std::vector<CodeDiff>& diffs, const ScoringPolicy& policy) {
  for (const auto& [key, rows] : ByEncounter(diffs)) {
    const CodeDiff& first = *rows.front();
    if (first.claim_type && !policy.Scores(*first.claim_type)) continue;
    const std::string period =
        period_ == Period::kNone || !first.service_date ? "" : PeriodOf(*first.service_date, period_);
    Acc& acc = acc_[{key.first, period}];
    CoderScore& s = acc.score;

    // Positions: a coder line, an omitted auditor code (each its own), or the DRG.
    struct Position {
      ItemType type = ItemType::kDx;
      bool coder_side = false;  // a coder line or the DRG: counts even without errors
      uint32_t errors = 0;
      double weight = 0;
    };
    // Keyed by kind, code type, line: a coder line's number is unique in the encounter,
    // the type only keeps hand-made rows that reuse a number apart.
    std::map<std::tuple<int, ItemType, uint32_t, size_t>, Position> positions;
    int64_t payment = 0;
    uint32_t rebutted = 0, overturned = 0;
    bool drg_seen = false, drg_changed = false;
    for (size_t i = 0; i < rows.size(); ++i) {
      const CodeDiff& d = *rows[i];
      if (!Overturned(d)) payment += d.amount_cents;
      if (IsError(d.outcome) && d.rebuttal == Rebuttal::kDisagree) rebutted++;
      if (IsError(d.outcome) && Overturned(d)) overturned++;
      if (d.code_type == ItemType::kDrg) {
        drg_seen = true;
        drg_changed |= d.outcome == Outcome::kDrg && !Overturned(d);
      }
      if (!policy.Scores(d.code_type)) continue;
      const auto pos_key =
          d.code_type == ItemType::kDrg    ? std::make_tuple(2, d.code_type, 0u, size_t{0})
          : d.outcome == Outcome::kOmitted ? std::make_tuple(1, d.code_type, 0u, i)
                                           : std::make_tuple(0, d.code_type, d.line, size_t{0});
      const bool counts = policy.CountsAsError(d);
      if (d.outcome == Outcome::kOmitted && !counts) continue;  // nothing on the coder's side
      Position& p = positions[pos_key];
      p.type = d.code_type;
      p.coder_side |= d.outcome != Outcome::kOmitted;
      if (counts) {
        p.errors++;
        const double w = policy.WeightOf(d);
        p.weight += w;
        s.errors++;
        s.weighted_errors += w;
        s.by_outcome[static_cast<size_t>(d.outcome)]++;
        TypeScore& t = s.by_type[static_cast<size_t>(d.code_type)];
        t.errors++;
        t.weighted_errors += w;
        if (d.direction == Direction::kOver) s.over_coded++;
        if (d.direction == Direction::kUnder) s.under_coded++;
      }
    }
    // An encounter with nothing the policy scores is not part of the coder's score: not
    // its DRG, its money or its rebuttals either.
    if (positions.empty()) continue;
    s.rebutted += rebutted;
    s.overturned += overturned;
    if (drg_seen) {
      s.drg_encounters++;
      if (drg_changed) s.drg_changes++;
    }
    if (payment > 0) s.overpayment_cents += payment;
    if (payment < 0) s.underpayment_cents -= payment;
    bool any_error = false;
    for (const auto& [k, p] : positions) {
      TypeScore& t = s.by_type[static_cast<size_t>(p.type)];
      t.positions++;
      s.codes_reviewed++;
      if (p.errors == 0) {
        s.matches++;
        t.matches++;
      } else {
        any_error = true;
      }
    }
    s.encounters++;
    if (!any_error) s.error_free_encounters++;
  }
}

std::vector<CoderScore> ScoreBook::Finish(const ScoringPolicy& policy, double benchmark) const {
  std::vector<CoderScore> out;
  for (const auto& [key, acc] : acc_) {
    CoderScore s = acc.score;
    s.coder_id = key.first;
    s.period = key.second;
    s.by_outcome[static_cast<size_t>(Outcome::kMatch)] = s.matches;
    const double scored = s.matches + s.weighted_errors;
    s.code_accuracy = scored > 0 ? s.matches / scored : 0.0;
    s.code_interval = IntervalFor(policy, s.matches, scored);
    s.claim_accuracy =
        s.encounters ? static_cast<double>(s.error_free_encounters) / s.encounters : 0.0;
    s.claim_interval = IntervalFor(policy, s.error_free_encounters, s.encounters);
    const uint32_t drg_same = s.drg_encounters - s.drg_changes;
    s.drg_accuracy = s.drg_encounters ? static_cast<double>(drg_same) / s.drg_encounters : 0.0;
    s.drg_interval = IntervalFor(policy, drg_same, s.drg_encounters);
    for (TypeScore& t : s.by_type) {
      const double n = t.matches + t.weighted_errors;
      t.accuracy = n > 0 ? t.matches / n : 0.0;
    }
    s.benchmark = benchmark;
    double value = 0, low = 0;
    bool any = false;
    switch (policy.pass_metric) {
      case PassMetric::kCode:
        value = s.code_accuracy, low = s.code_interval.low, any = scored > 0;
        break;
      case PassMetric::kClaim:
        value = s.claim_accuracy, low = s.claim_interval.low, any = s.encounters > 0;
        break;
      case PassMetric::kDrg:
        value = s.drg_accuracy, low = s.drg_interval.low, any = s.drg_encounters > 0;
        break;
    }
    s.pass = any && (policy.pass_compare == PassCompare::kLowerBound ? low : value) >= benchmark;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<CoderScore> ScoreCoders(const std::vector<CodeDiff>& diffs,
                                    const ScoringPolicy& policy, double benchmark) {
  ScoreBook book;
  book.Add(diffs, policy);
  return book.Finish(policy, benchmark < 0 ? policy.benchmark : benchmark);
}

std::vector<CoderScore> ScoreCoders(const std::vector<CodeDiff>& diffs, double benchmark) {
  static const ScoringPolicy defaults;
  return ScoreCoders(diffs, defaults, benchmark);
}

std::vector<AuditorReview> ReviewAuditors(const std::vector<CodeDiff>& diffs,
                                          const ScoringPolicy& policy) {
  std::map<std::string, AuditorReview> by;
  std::map<std::string, std::set<std::string>> encounters;
  for (const CodeDiff& d : diffs) {
    AuditorReview& r = by[d.auditor_id];
    encounters[d.auditor_id].insert(d.encounter_id);
    if (!IsError(d.outcome)) continue;
    r.differences++;
    if (d.rebuttal == Rebuttal::kDisagree) r.rebutted++;
    if (d.decision != Decision::kNone) r.decided++;
    if (d.decision == Decision::kOverturned) r.overturned++;
  }
  std::vector<AuditorReview> out;
  for (auto& [id, r] : by) {
    r.auditor_id = id;
    r.encounters = static_cast<uint32_t>(encounters[id].size());
    r.overturn_rate = r.decided ? static_cast<double>(r.overturned) / r.decided : 0.0;
    r.overturn_interval = IntervalFor(policy, r.overturned, r.decided);
    out.push_back(r);
  }
  return out;
}

}  // namespace coderaudit::qa
