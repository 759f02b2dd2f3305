#include "audit/sampling/multistage_appraisal.hpp"

#include <cmath>
#include <map>

#include "audit/model/error.hpp"
#include "audit/sampling/distributions.hpp"

namespace coderaudit::sampling {

namespace {

// A sampled unit: its population of sub-units, and the sampled ones (or, at the last
// stage, the item indices).
struct Unit {
  int64_t size = 0;
  std::map<std::string, Unit> children;  // by id; empty at the level above the items
  std::vector<size_t> items;
};

struct Estimate {
  double total = 0;
  double variance = 0;
};

// N/n x sum of the sub-units' totals; variance as in the header.
Estimate EstimateUnit(const Unit& u, const std::vector<double>& values, const std::string& what,
                      std::vector<std::string>& warnings) {
  std::vector<Estimate> subs;
  if (u.children.empty()) {
    for (size_t i : u.items) subs.push_back({values[i], 0.0});
  } else {
    for (const auto& [id, child] : u.children)
      subs.push_back(EstimateUnit(child, values, what + " / " + id, warnings));
  }
  const auto n = static_cast<double>(subs.size());
  const auto big_n = static_cast<double>(u.size);
  double sum = 0, sum_sq = 0, within = 0;
  for (const Estimate& e : subs) {
    sum += e.total;
    sum_sq += e.total * e.total;
    within += e.variance;
  }
  Estimate out;
  out.total = big_n / n * sum;
  double between = 0;
  if (subs.size() >= 2) {
    const double s2 = std::max(0.0, (sum_sq - sum * sum / n) / (n - 1));
    between = big_n * big_n * (1 - n / big_n) * s2 / n;
  } else if (u.size > 1) {
    warnings.push_back(what + " has 1 sampled unit: its variance between units is taken as 0");
  }
  out.variance = between + big_n / n * within;
  return out;
}

}  // namespace

MultistageAppraisal AppraiseMultistage(const MultistageItems& items, int64_t universe,
                                       const std::string& source) {
  if (items.stages != 2 && items.stages != 3)
    throw InputError("a multistage appraisal has 2 or 3 stages");
  const VariableSample sample = CompleteValueSets(items.sample);
  MultistageAppraisal a;
  a.stages = items.stages;
  a.universe = universe;
  Unit root;
  root.size = universe;
  const size_t count = items.primary.size();
  for (size_t i = 0; i < count; ++i) {
    const std::string where = source + ":" + std::to_string(items.line[i]) + ": ";
    Unit& p = root.children[items.primary[i]];
    if (p.size == 0) p.size = items.primary_size[i];
    if (p.size != items.primary_size[i])
      throw InputError(where + "primary " + items.primary[i] + " has size " +
                       std::to_string(items.primary_size[i]) + " here and " + std::to_string(p.size) +
                       " on an earlier row");
    if (items.stages == 2) {
      p.items.push_back(i);
      continue;
    }
    Unit& s = p.children[items.secondary[i]];
    if (s.size == 0) s.size = items.secondary_size[i];
    if (s.size != items.secondary_size[i])
      throw InputError(where + "secondary " + items.primary[i] + " / " + items.secondary[i] +
                       " has size " + std::to_string(items.secondary_size[i]) + " here and " +
                       std::to_string(s.size) + " on an earlier row");
    s.items.push_back(i);
  }
  a.primaries = static_cast<int64_t>(root.children.size());
  a.items = static_cast<int64_t>(count);
  if (a.primaries < 2) throw InputError(source + ": a multistage appraisal needs at least 2 sampled primaries");
  if (universe < a.primaries)
    throw InputError("universe size " + std::to_string(universe) + " is below the " +
                     std::to_string(a.primaries) + " primaries sampled");
  for (const auto& [pid, p] : root.children) {
    const auto sampled = static_cast<int64_t>(items.stages == 2 ? p.items.size() : p.children.size());
    a.secondaries += sampled;
    if (p.size < 1 || sampled > p.size)
      throw InputError(source + ": primary " + pid + " has size " + std::to_string(p.size) + " but " +
                       std::to_string(sampled) + " sampled units");
    for (const auto& [sid, s] : p.children)
      if (s.size < 1 || static_cast<int64_t>(s.items.size()) > s.size)
        throw InputError(source + ": secondary " + pid + " / " + sid + " has size " +
                         std::to_string(s.size) + " but " + std::to_string(s.items.size()) +
                         " sampled items");
  }

  std::vector<ValueSet> sets;
  if (sample.examined) sets.push_back(ValueSet::kExamined);
  if (sample.audited) sets.push_back(ValueSet::kAudited);
  if (sample.difference) sets.push_back(ValueSet::kDifference);
  a.primary_set = sample.difference ? ValueSet::kDifference : sets[0];
  const double df = static_cast<double>(a.primaries - 1);
  for (ValueSet set : sets) {
    const std::vector<double>& values = set == ValueSet::kExamined  ? *sample.examined
                                        : set == ValueSet::kAudited ? *sample.audited
                                                                    : *sample.difference;
    std::vector<std::string> warnings;
    const Estimate e = EstimateUnit(root, values, "the universe", warnings);
    if (set == a.primary_set) a.warnings = warnings;
    MultistageSetResult r;
    r.set = set;
    r.point_estimate = e.total;
    r.se_total = std::sqrt(std::max(0.0, e.variance));
    r.mean = e.total / static_cast<double>(universe);
    for (size_t i = 0; i < kConfidenceLevels.size(); ++i) {
      ConfidenceLimits& l = r.limits[i];
      l.confidence = kConfidenceLevels[i];
      l.critical = RatStatsT(l.confidence, static_cast<int64_t>(df));
      l.precision = l.critical * r.se_total;
      l.lower = r.point_estimate - l.precision;
      l.upper = r.point_estimate + l.precision;
      l.precision_percent = r.point_estimate > 0 ? l.precision / r.point_estimate * 100.0 : 0.0;
      l.lower_printed = std::round(l.lower);
      l.upper_printed = std::round(l.upper);
    }
    if (set == a.primary_set) {
      a.demand_amount = r.limits[0].lower;
      if (r.limits[1].precision_percent > kPrecisionWarningPercent)
        a.warnings.push_back("precision of the " + std::string(ValueSetName(set)) +
                             " estimate at 90% confidence is above 25%");
    }
    a.sets.push_back(r);
  }
  return a;
}

}  // namespace coderaudit::sampling
