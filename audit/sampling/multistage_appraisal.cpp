#include "audit/sampling/multistage_appraisal.hpp"

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "audit/model/error.hpp"
#include "audit/sampling/count_sum.hpp"
#include "audit/sampling/distributions.hpp"

namespace coderaudit::sampling {

namespace {

// A sampled unit: its population of sub-units and the sampled ones; at the level above
// the items, the sampled items' indices (variable) or their count (attribute).
struct Unit {
  int64_t size = 0;
  std::map<std::string, Unit> children;  // by id; empty at the level above the items
  std::vector<size_t> items;
  int64_t counted = -1;         // attribute: items sampled (set when read as counts)
  int64_t characteristic = 0;   // attribute: of which have the characteristic

  int64_t Sampled() const {
    if (!children.empty()) return static_cast<int64_t>(children.size());
    return counted >= 0 ? counted : static_cast<int64_t>(items.size());
  }
};

struct Estimate {
  double total = 0;
  double variance = 0;
};

// N/n x sum of the sub-units' totals; variance as in the header. Items valued 0/1 add up
// to the count with the characteristic, and so do their squares.
Estimate EstimateUnit(const Unit& u, const std::vector<double>& values, const std::string& what,
                      std::vector<std::string>& warnings) {
  double n = 0, sum = 0, sum_sq = 0, within = 0;
  if (!u.children.empty()) {
    for (const auto& [id, child] : u.children) {
      const Estimate e = EstimateUnit(child, values, what + " / " + id, warnings);
      n += 1;
      sum += e.total;
      sum_sq += e.total * e.total;
      within += e.variance;
    }
  } else if (u.counted >= 0) {
    n = static_cast<double>(u.counted);
    sum = sum_sq = static_cast<double>(u.characteristic);
  } else {
    for (size_t i : u.items) {
      n += 1;
      sum += values[i];
      sum_sq += values[i] * values[i];
    }
  }
  const auto big_n = static_cast<double>(u.size);
  Estimate out;
  out.total = big_n / n * sum;
  double between = 0;
  if (n >= 2) {
    const double s2 = std::max(0.0, (sum_sq - sum * sum / n) / (n - 1));
    between = big_n * big_n * (1 - n / big_n) * s2 / n;
  } else if (u.size > 1) {
    warnings.push_back(what + " has 1 sampled unit: its variance between units is taken as 0");
  }
  out.variance = between + big_n / n * within;
  return out;
}

std::string Where(const MultistageRows& rows, size_t i, const std::string& source) {
  return source + ":" + std::to_string(rows.line[i]) + ": ";
}

std::string LeafName(const MultistageRows& rows, size_t i) {
  return rows.stages == 2 ? "primary " + rows.primary[i] : "secondary " + rows.primary[i] + " / " + rows.secondary[i];
}

// A row's unit under `parent`, created on first sight; a size that differs from an
// earlier row's is refused with the row's line.
Unit& Child(Unit& parent, const std::string& id, int64_t size, const std::string& name,
            const std::string& where) {
  Unit& u = parent.children[id];
  if (u.size == 0) u.size = size;
  if (u.size != size)
    throw InputError(where + name + " has size " + std::to_string(size) + " here and " +
                     std::to_string(u.size) + " on an earlier row");
  return u;
}

// Row i's unit at the level above the items: its primary (two stages) or secondary.
Unit& LeafOf(Unit& root, const MultistageRows& rows, size_t i, const std::string& source) {
  const std::string where = Where(rows, i, source);
  Unit& p = Child(root, rows.primary[i], rows.primary_size[i], "primary " + rows.primary[i], where);
  if (rows.stages == 2) return p;
  return Child(p, rows.secondary[i], rows.secondary_size[i], LeafName(rows, i), where);
}

// point -/+ critical x SE at each confidence level; `critical` gives t or z for a level.
template <typename Critical>
void SetLimits(MultistageSetResult& r, Critical critical) {
  for (size_t i = 0; i < kConfidenceLevels.size(); ++i) {
    ConfidenceLimits& l = r.limits[i];
    l.confidence = kConfidenceLevels[i];
    l.critical = critical(l.confidence);
    l.precision = l.critical * r.se_total;
    l.lower = r.point_estimate - l.precision;
    l.upper = r.point_estimate + l.precision;
    l.precision_percent = r.point_estimate > 0 ? l.precision / r.point_estimate * 100.0 : 0.0;
    l.lower_printed = std::round(l.lower);
    l.upper_printed = std::round(l.upper);
  }
}

std::string PrecisionWarning(bool attribute, ValueSet set, const std::string& scope) {
  return "precision of the " + scope +
         (attribute ? std::string("projected count") : std::string(ValueSetName(set)) + " estimate") +
         " at 90% confidence is above 25%";
}

// The universe's estimated total from the sampled primaries (root's children).
using FirstStage = std::function<Estimate(const Unit& root, const std::vector<double>& values,
                                          std::vector<std::string>& warnings)>;

Estimate SimpleRandomFirstStage(const Unit& root, const std::vector<double>& values,
                                std::vector<std::string>& warnings) {
  return EstimateUnit(root, values, "the universe", warnings);
}

// Sizes against samples, then the estimate for each value set.
MultistageAppraisal Appraise(const Unit& root, int stages, int64_t universe, const std::string& source,
                             const std::vector<std::pair<ValueSet, const std::vector<double>*>>& sets,
                             ValueSet primary_set, bool attribute, const FirstStage& first_stage) {
  MultistageAppraisal a;
  a.stages = stages;
  a.attribute = attribute;
  a.universe = universe;
  a.primaries = static_cast<int64_t>(root.children.size());
  if (a.primaries < 2) throw InputError(source + ": a multistage appraisal needs at least 2 sampled primaries");
  if (universe < a.primaries)
    throw InputError("universe size " + std::to_string(universe) + " is below the " +
                     std::to_string(a.primaries) + " primaries sampled");
  for (const auto& [pid, p] : root.children) {
    AddCount(a.secondaries, p.Sampled(), "the units sampled");
    if (p.size < 1 || p.Sampled() < 1 || p.Sampled() > p.size)
      throw InputError(source + ": primary " + pid + " has size " + std::to_string(p.size) + " but " +
                       std::to_string(p.Sampled()) + " sampled units");
    if (stages == 2) AddCount(a.items, p.Sampled(), "the items sampled");
    for (const auto& [sid, s] : p.children) {
      AddCount(a.items, s.Sampled(), "the items sampled");
      if (s.size < 1 || s.Sampled() < 1 || s.Sampled() > s.size)
        throw InputError(source + ": secondary " + pid + " / " + sid + " has size " +
                         std::to_string(s.size) + " but " + std::to_string(s.Sampled()) +
                         " sampled items");
    }
  }

  a.primary_set = primary_set;
  const double df = static_cast<double>(a.primaries - 1);
  for (const auto& [set, values] : sets) {
    std::vector<std::string> warnings;
    const Estimate e = first_stage(root, *values, warnings);
    if (set == a.primary_set) a.warnings = warnings;
    MultistageSetResult r;
    r.set = set;
    r.point_estimate = e.total;
    r.se_total = std::sqrt(std::max(0.0, e.variance));
    r.mean = e.total / static_cast<double>(universe);
    SetLimits(r, [&](double confidence) { return RatStatsT(confidence, static_cast<int64_t>(df)); });
    if (set == a.primary_set) {
      if (!attribute) a.demand_amount = r.limits[0].lower;
      if (r.limits[1].precision_percent > kPrecisionWarningPercent)
        a.warnings.push_back(PrecisionWarning(attribute, set, ""));
    }
    a.sets.push_back(r);
  }
  return a;
}

void RequireStages(int stages) {
  if (stages != 2 && stages != 3) throw InputError("a multistage appraisal has 2 or 3 stages");
}

MultistageAppraisal AppraiseItems(const MultistageItems& items, int64_t universe, const std::string& source,
                                  const FirstStage& first_stage) {
  RequireStages(items.stages);
  const VariableSample sample = CompleteValueSets(items.sample);
  Unit root;
  root.size = universe;
  for (size_t i = 0; i < items.primary.size(); ++i) LeafOf(root, items, i, source).items.push_back(i);
  std::vector<std::pair<ValueSet, const std::vector<double>*>> sets;
  if (sample.examined) sets.emplace_back(ValueSet::kExamined, &*sample.examined);
  if (sample.audited) sets.emplace_back(ValueSet::kAudited, &*sample.audited);
  if (sample.difference) sets.emplace_back(ValueSet::kDifference, &*sample.difference);
  return Appraise(root, items.stages, universe, source, sets,
                  sample.difference ? ValueSet::kDifference : sets[0].first, false, first_stage);
}

MultistageAppraisal AppraiseUnits(const MultistageAttributeUnits& units, int64_t universe,
                                  const std::string& source, const FirstStage& first_stage) {
  RequireStages(units.stages);
  Unit root;
  root.size = universe;
  int64_t characteristic = 0;
  for (size_t i = 0; i < units.primary.size(); ++i) {
    Unit& leaf = LeafOf(root, units, i, source);
    if (leaf.counted >= 0) throw InputError(Where(units, i, source) + LeafName(units, i) + " is listed twice");
    if (units.characteristic[i] < 0 || units.characteristic[i] > units.sampled[i])
      throw InputError(Where(units, i, source) + std::to_string(units.characteristic[i]) +
                       " items with the characteristic in a sample of " + std::to_string(units.sampled[i]));
    leaf.counted = units.sampled[i];
    leaf.characteristic = units.characteristic[i];
    AddCount(characteristic, units.characteristic[i], "the items with the characteristic");
  }
  const std::vector<double> none;
  MultistageAppraisal a = Appraise(root, units.stages, universe, source, {{ValueSet::kDifference, &none}},
                                   ValueSet::kDifference, true, first_stage);
  a.characteristic = characteristic;
  return a;
}

// An RHC first stage checked against the rows: the universe's primaries and measure, A,
// and the groups by drawn primary.
struct RhcDesign {
  int64_t universe = 0;   // M
  int64_t measure = 0;    // Z
  double a = 0;           // A
  std::map<std::string, const RhcGroup*> by_primary;
};

RhcDesign CheckRhcGroups(const MultistageRows& rows, const std::vector<RhcGroup>& groups,
                         const std::string& source, const std::string& groups_source) {
  if (groups.size() < 2) throw InputError(groups_source + ": an RHC appraisal needs at least 2 groups");
  RhcDesign d;
  std::set<std::string> ids;
  long double squares = 0;
  for (const RhcGroup& g : groups) {
    const std::string where = groups_source + ":" + std::to_string(g.line) + ": group " + g.id;
    if (g.id.empty() || g.primary.empty()) throw InputError(where + ": a group and its primary need names");
    if (!ids.insert(g.id).second) throw InputError(where + " is listed twice");
    if (g.primaries < 1 || g.measure < 1 || g.primary_measure < 1)
      throw InputError(where + ": primaries, measure and primary_measure must be at least 1");
    if (g.primary_measure > g.measure)
      throw InputError(where + ": its primary's measure " + std::to_string(g.primary_measure) +
                       " is above the group's " + std::to_string(g.measure));
    // Every other primary of the group has a measure of at least 1 (it could be drawn).
    if (g.measure - g.primary_measure < g.primaries - 1)
      throw InputError(where + ": " + std::to_string(g.primaries - 1) + " other primaries cannot share a measure of " +
                       std::to_string(g.measure - g.primary_measure));
    if (!d.by_primary.emplace(g.primary, &g).second)
      throw InputError(where + ": primary " + g.primary + " is drawn from two groups");
    AddCount(d.universe, g.primaries, "the groups' primaries");
    AddCount(d.measure, g.measure, "the groups' measures");
    squares += static_cast<long double>(g.primaries) * g.primaries;
  }
  for (size_t i = 0; i < rows.primary.size(); ++i)
    if (!d.by_primary.contains(rows.primary[i]))
      throw InputError(Where(rows, i, source) + "primary " + rows.primary[i] + " is not drawn from any group of " +
                       groups_source);
  const std::set<std::string> sampled(rows.primary.begin(), rows.primary.end());
  for (const RhcGroup& g : groups)
    if (!sampled.contains(g.primary))
      throw InputError(groups_source + ":" + std::to_string(g.line) + ": group " + g.id + "'s primary " + g.primary +
                       " has no rows in " + source);
  const auto m = static_cast<long double>(d.universe);
  d.a = static_cast<double>((squares - m) / (m * m - squares));
  return d;
}

// Y = sum_g (Z_g / z_g) Y_g; v = A sum_g pi_g (Y_g / p_g - Y)^2 + sum_g (pi_g / p_g) v_g.
FirstStage RhcFirstStage(const RhcDesign& d) {
  return [&d](const Unit& root, const std::vector<double>& values, std::vector<std::string>& warnings) {
    const auto z = static_cast<double>(d.measure);
    struct Drawn {
      double pi, p, weight;  // pi_g, p_g, Z_g / z_g
      Estimate e;
    };
    std::vector<Drawn> drawn;
    Estimate out;
    for (const auto& [id, unit] : root.children) {
      const RhcGroup* g = d.by_primary.at(id);
      const double pi = static_cast<double>(g->measure) / z, p = static_cast<double>(g->primary_measure) / z;
      drawn.push_back({pi, p, pi / p, EstimateUnit(unit, values, "the universe / " + id, warnings)});
      out.total += drawn.back().weight * drawn.back().e.total;
    }
    double between = 0, within = 0;
    for (const Drawn& x : drawn) {
      between += x.pi * (x.e.total / x.p - out.total) * (x.e.total / x.p - out.total);
      within += x.weight * x.e.variance;
    }
    out.variance = d.a * between + within;
    return out;
  };
}

template <typename Rows, typename AppraiseRows>
MultistageAppraisal AppraiseRhcRows(const Rows& rows, const std::vector<RhcGroup>& groups, const std::string& source,
                                    const std::string& groups_source, AppraiseRows appraise) {
  const RhcDesign d = CheckRhcGroups(rows, groups, source, groups_source);
  MultistageAppraisal a = appraise(rows, d.universe, source, RhcFirstStage(d));
  a.rhc = true;
  a.measure = d.measure;
  return a;
}

}  // namespace

MultistageAppraisal AppraiseMultistage(const MultistageItems& items, int64_t universe,
                                       const std::string& source) {
  return AppraiseItems(items, universe, source, SimpleRandomFirstStage);
}

MultistageAppraisal AppraiseMultistage(const MultistageAttributeUnits& units, int64_t universe,
                                       const std::string& source) {
  return AppraiseUnits(units, universe, source, SimpleRandomFirstStage);
}

MultistageAppraisal AppraiseRhc(const MultistageItems& items, const std::vector<RhcGroup>& groups,
                                const std::string& source, const std::string& groups_source) {
  return AppraiseRhcRows(items, groups, source, groups_source, AppraiseItems);
}

MultistageAppraisal AppraiseRhc(const MultistageAttributeUnits& units, const std::vector<RhcGroup>& groups,
                                const std::string& source, const std::string& groups_source) {
  return AppraiseRhcRows(units, groups, source, groups_source, AppraiseUnits);
}

namespace {

// Strata appraised one by one (same kind, stages and value sets), added up.
StratifiedMultistageAppraisal CombineStrata(std::vector<std::string> ids, std::vector<MultistageAppraisal> strata) {
  if (strata.empty()) throw InputError("a stratified appraisal needs strata");
  StratifiedMultistageAppraisal a;
  a.stages = strata[0].stages;
  a.attribute = strata[0].attribute;
  a.primary_set = strata[0].primary_set;
  for (size_t h = 0; h < strata.size(); ++h) {
    const MultistageAppraisal& s = strata[h];
    if (s.stages != a.stages || s.attribute != a.attribute || s.sets.size() != strata[0].sets.size())
      throw InputError("the strata of a stratified multistage appraisal differ in design");
    AddCount(a.universe, s.universe, "the strata's primaries");
    AddCount(a.primaries, s.primaries, "the strata's sampled primaries");
    AddCount(a.secondaries, s.secondaries, "the strata's sampled units");
    AddCount(a.items, s.items, "the strata's sampled items");
    AddCount(a.characteristic, s.characteristic, "the strata's items with the characteristic");
    for (const std::string& w : s.warnings) a.warnings.push_back("stratum " + ids[h] + ": " + w);
  }
  for (size_t k = 0; k < strata[0].sets.size(); ++k) {
    MultistageSetResult r;
    r.set = strata[0].sets[k].set;
    double variance = 0;
    for (const MultistageAppraisal& s : strata) {
      r.point_estimate += s.sets[k].point_estimate;
      variance += s.sets[k].se_total * s.sets[k].se_total;
    }
    r.se_total = std::sqrt(variance);
    r.mean = r.point_estimate / static_cast<double>(a.universe);
    SetLimits(r, RatStatsZ);
    if (r.set == a.primary_set) {
      if (!a.attribute) a.demand_amount = r.limits[0].lower;
      if (r.limits[1].precision_percent > kPrecisionWarningPercent)
        a.warnings.push_back(PrecisionWarning(a.attribute, r.set, "overall "));
    }
    a.overall.push_back(r);
  }
  a.ids = std::move(ids);
  a.strata = std::move(strata);
  return a;
}

template <typename Rows>
StratifiedMultistageAppraisal AppraiseStrata(const std::vector<MultistageStratum<Rows>>& parts,
                                             const std::string& source) {
  std::vector<std::string> ids;
  std::vector<MultistageAppraisal> strata;
  for (const auto& part : parts) {
    ids.push_back(part.id);
    try {
      strata.push_back(AppraiseMultistage(part.rows, part.universe, source));
    } catch (const InputError& e) {
      throw InputError("stratum " + part.id + ": " + e.what());
    }
  }
  return CombineStrata(std::move(ids), std::move(strata));
}

}  // namespace

StratifiedMultistageAppraisal AppraiseMultistage(const std::vector<MultistageStratum<MultistageItems>>& strata,
                                                 const std::string& source) {
  return AppraiseStrata(strata, source);
}

StratifiedMultistageAppraisal AppraiseMultistage(
    const std::vector<MultistageStratum<MultistageAttributeUnits>>& strata, const std::string& source) {
  return AppraiseStrata(strata, source);
}

}  // namespace coderaudit::sampling
