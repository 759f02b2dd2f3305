#include "audit/sampling/variable_appraisal.hpp"

#include <algorithm>
#include <cmath>

#include "audit/model/error.hpp"
#include "audit/sampling/count_sum.hpp"
#include "audit/sampling/distributions.hpp"
#include "audit/sampling/render.hpp"

namespace coderaudit::sampling {

const char* ValueSetName(ValueSet set) {
  switch (set) {
    case ValueSet::kExamined: return "examined";
    case ValueSet::kAudited: return "audited";
    case ValueSet::kDifference: return "difference";
  }
  return "?";
}

namespace {

// Amounts are cents; a half-cent (plus binary noise) is the most two given sets may disagree.
constexpr double kCentTolerance = 0.005 + 1e-9;

std::string Money(double v) { return FormatFixed(v, 2, false); }

std::string Percent(double v) { return FormatFixed(v, 2, false) + "%"; }

std::vector<ValueSet> AvailableSets(const VariableSample& s) {
  std::vector<ValueSet> sets;
  if (s.examined) sets.push_back(ValueSet::kExamined);
  if (s.audited) sets.push_back(ValueSet::kAudited);
  if (s.difference) sets.push_back(ValueSet::kDifference);
  return sets;
}

const std::vector<double>& ValuesOf(const VariableSample& s, ValueSet set) {
  switch (set) {
    case ValueSet::kExamined: return *s.examined;
    case ValueSet::kAudited: return *s.audited;
    case ValueSet::kDifference: break;
  }
  return *s.difference;
}

// Rounds half away from zero, as VB6's Format "#,##0" does, from the 80-bit value.
double PrintedWhole(long double v) { return static_cast<double>(std::roundl(v)); }

ConfidenceLimits Limits(double confidence, double critical, double point, long double point_x87,
                        double se_mean, double se_total, double mean) {
  ConfidenceLimits l;
  l.confidence = confidence;
  l.critical = critical;
  l.precision = critical * se_total;
  l.lower = point - l.precision;
  l.upper = point + l.precision;
  l.precision_percent = mean > 0 ? critical * se_mean / mean * 100.0 : 0.0;
  const long double precision_x87 = static_cast<long double>(critical) * se_total;
  l.lower_printed = PrintedWhole(point_x87 - precision_x87);
  l.upper_printed = PrintedWhole(point_x87 + precision_x87);
  return l;
}

}  // namespace

VariableSample CompleteValueSets(const VariableSample& in) {
  VariableSample s = in;
  const auto sets = AvailableSets(s);
  if (sets.empty()) throw InputError("no examined, audited or difference values given");
  const size_t n = ValuesOf(s, sets[0]).size();
  for (ValueSet set : sets)
    if (ValuesOf(s, set).size() != n)
      throw InputError("the value sets have different numbers of items");
  if (s.examined && s.audited && s.difference) {
    for (size_t i = 0; i < n; ++i) {
      const double derived = (*s.examined)[i] - (*s.audited)[i];
      if (std::fabs(derived - (*s.difference)[i]) > kCentTolerance)
        throw InputError("item " + std::to_string(i + 1) + ": difference " +
                         Money((*s.difference)[i]) + " is not examined - audited (" +
                         Money(derived) + ")");
    }
  } else if (s.examined && s.audited) {
    s.difference.emplace();
    for (size_t i = 0; i < n; ++i) s.difference->push_back((*s.examined)[i] - (*s.audited)[i]);
  } else if (s.examined && s.difference) {
    s.audited.emplace();
    for (size_t i = 0; i < n; ++i) s.audited->push_back((*s.examined)[i] - (*s.difference)[i]);
  } else if (s.audited && s.difference) {
    s.examined.emplace();
    for (size_t i = 0; i < n; ++i) s.examined->push_back((*s.audited)[i] + (*s.difference)[i]);
  }
  return s;
}

ValueSetStats AppraiseValues(ValueSet set, const std::vector<double>& values, int64_t universe) {
  ValueSetStats st;
  st.set = set;
  st.n = static_cast<int64_t>(values.size());
  st.universe = universe;
  if (st.n == 0) throw InputError("a sample needs at least one item");
  if (universe < st.n)
    throw InputError("universe size " + std::to_string(universe) + " is below the sample size " +
                     std::to_string(st.n));
  const auto n = static_cast<double>(st.n);
  const auto big_n = static_cast<double>(universe);

  // RAT-STATS' one-pass power sums, in input order. The gates below are RAT-STATS's own (its
  // variable appraisal code, as OIG published it for the RAT-STATS replacement challenge):
  // no SD when the values sum to 0; skewness and kurtosis only when the population SD is
  // at least 1.
  double sum = 0, sum_sq = 0, sum_cube = 0, sum_quad = 0;
  bool all_equal = true;
  for (double x : values) {
    sum += x;
    sum_sq += x * x;
    sum_cube += x * x * x;
    sum_quad += x * x * x * x;
    if (x != 0) ++st.nonzero;
    if (x != values.front()) all_equal = false;
  }
  st.sum = sum;
  st.mean = sum / n;
  if (st.n >= 2 && !all_equal && sum != 0) {
    const double variance = (sum_sq - sum * sum / n) / (n - 1);
    st.sd = variance > 0 ? std::sqrt(variance) : 0.0;
  }
  st.sd_zero_sum = st.n >= 2 && !all_equal && sum == 0;
  // Moments about the mean from the raw sums (population, n denominator): skewness
  // m3 / m2^1.5 and kurtosis m4 / m2^2, the latter not less 3.
  const double mean = st.mean, q2 = sum_sq / n, q3 = sum_cube / n, q4 = sum_quad / n;
  const double sd_pop = q2 > mean * mean ? std::sqrt(q2 - mean * mean) : 0.0;
  if (st.nonzero > 0 && sd_pop >= 1) {
    const double m3 = q3 - 3 * q2 * mean + 2 * mean * mean * mean;
    const double m4 = q4 - 4 * q3 * mean + 6 * (q2 * mean * mean) - 3 * mean * mean * mean * mean;
    st.skewness = m3 / (sd_pop * sd_pop * sd_pop);
    st.kurtosis = m4 / (sd_pop * sd_pop * sd_pop * sd_pop);
  }
  st.se_mean = st.sd / std::sqrt(n) * std::sqrt((big_n - n) / big_n);
  st.se_total = big_n * st.se_mean;
  st.point_estimate = st.mean * big_n;
  st.mean_x87 = static_cast<long double>(sum) / static_cast<long double>(st.n);
  const long double point_x87 = st.mean_x87 * static_cast<long double>(universe);
  st.point_printed = PrintedWhole(point_x87);
  if (st.n >= 2) {
    st.limits_defined = true;
    for (size_t i = 0; i < kConfidenceLevels.size(); ++i) {
      const double t = RatStatsT(kConfidenceLevels[i], st.n - 1);
      st.limits[i] = Limits(kConfidenceLevels[i], t, st.point_estimate, point_x87, st.se_mean,
                            st.se_total, st.mean);
    }
  }
  return st;
}

UnrestrictedVariableAppraisal AppraiseUnrestricted(const VariableSample& raw, int64_t universe) {
  const VariableSample sample = CompleteValueSets(raw);
  UnrestrictedVariableAppraisal a;
  a.universe = universe;
  const auto sets = AvailableSets(sample);
  a.sample_size = static_cast<int64_t>(ValuesOf(sample, sets[0]).size());
  if (a.sample_size < 2)
    throw InputError("an unrestricted variable appraisal needs at least 2 sampled items");
  for (ValueSet set : sets) a.sets.push_back(AppraiseValues(set, ValuesOf(sample, set), universe));
  a.primary = sample.difference ? ValueSet::kDifference : sets[0];
  for (const ValueSetStats& st : a.sets) {
    if (st.set != a.primary) continue;
    a.demand_amount = st.limits[0].lower;
    a.demand_printed = st.limits[0].lower_printed;
    if (st.sd_zero_sum)
      a.warnings.push_back(std::string("the ") + ValueSetName(st.set) +
                           " values sum to 0: RAT-STATS computes no standard deviation then, so "
                           "the limits equal the point estimate");
    else if (st.sd == 0)
      a.warnings.push_back(std::string("the ") + ValueSetName(st.set) +
                           " values have zero variance: the limits equal the point estimate");
    if (st.limits[1].precision_percent > kPrecisionWarningPercent)
      a.warnings.push_back(std::string("precision of the ") + ValueSetName(st.set) +
                           " estimate at 90% confidence is " +
                           Percent(st.limits[1].precision_percent) + " (above 25%)");
  }
  return a;
}

StratifiedVariableAppraisal AppraiseStratified(const std::vector<StratumInput>& strata) {
  if (strata.empty()) throw InputError("a stratified appraisal needs at least one stratum");
  StratifiedVariableAppraisal a;
  std::vector<ValueSet> sets;
  for (size_t h = 0; h < strata.size(); ++h) {
    const StratumInput& in = strata[h];
    const VariableSample sample = CompleteValueSets(in.sample);
    const auto these = AvailableSets(sample);
    if (h == 0) sets = these;
    if (these != sets)
      throw InputError("stratum " + in.id + " does not carry the same value sets as the others");
    StratumResult r;
    r.id = in.id;
    for (ValueSet set : sets) r.sets.push_back(AppraiseValues(set, ValuesOf(sample, set), in.universe));
    a.strata.push_back(std::move(r));
  }
  a.primary = std::find(sets.begin(), sets.end(), ValueSet::kDifference) != sets.end()
                  ? ValueSet::kDifference
                  : sets[0];

  for (size_t k = 0; k < sets.size(); ++k) {
    StratifiedSetTotals t;
    t.set = sets[k];
    double variance = 0;
    long double point_x87 = 0;
    for (const StratumResult& r : a.strata) {
      const ValueSetStats& st = r.sets[k];
      t.n += st.n;
      AddCount(t.universe, st.universe, "the strata's universe sizes");
      t.nonzero += st.nonzero;
      t.point_estimate += static_cast<double>(st.universe) * st.mean;
      point_x87 += static_cast<long double>(st.universe) * st.mean_x87;
      // RAT-STATS' degenerate strata (n_h = 1, zero variance) add 0 here.
      const auto nh = static_cast<double>(st.n);
      const auto big_nh = static_cast<double>(st.universe);
      variance += big_nh * (big_nh - nh) * st.sd * st.sd / nh;
      if (t.set == a.primary) {
        if (st.n < 2)
          a.warnings.push_back("stratum " + r.id + " has only " + std::to_string(st.n) +
                               " sampled item: it adds nothing to the variance");
        else if (st.sd_zero_sum)
          a.warnings.push_back("stratum " + r.id + ": the " + ValueSetName(t.set) +
                               " values sum to 0, and RAT-STATS computes no standard deviation "
                               "then: it adds nothing to the variance");
        else if (st.sd == 0)
          a.warnings.push_back("stratum " + r.id + " has zero variance in the " +
                               ValueSetName(t.set) + " values: it adds nothing to the variance");
      }
    }
    t.se_total = std::sqrt(variance);
    const double big_n = static_cast<double>(t.universe);
    const double mean = t.point_estimate / big_n;
    const double se_mean = t.se_total / big_n;
    t.se_mean = se_mean;
    t.point_printed = PrintedWhole(point_x87);
    for (size_t i = 0; i < kConfidenceLevels.size(); ++i)
      t.limits[i] = Limits(kConfidenceLevels[i], RatStatsZ(kConfidenceLevels[i]), t.point_estimate,
                           point_x87, se_mean, t.se_total, mean);
    if (t.set == a.primary) {
      a.demand_amount = t.limits[0].lower;
      a.demand_printed = t.limits[0].lower_printed;
      if (t.limits[1].precision_percent > kPrecisionWarningPercent)
        a.warnings.push_back(std::string("precision of the overall ") + ValueSetName(t.set) +
                             " estimate at 90% confidence is " +
                             Percent(t.limits[1].precision_percent) + " (above 25%)");
    }
    a.overall.push_back(t);
  }
  return a;
}

}  // namespace coderaudit::sampling
