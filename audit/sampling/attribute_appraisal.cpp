#include "audit/sampling/attribute_appraisal.hpp"

#include <cmath>

#include "audit/model/error.hpp"
#include "audit/sampling/count_sum.hpp"
#include "audit/sampling/distributions.hpp"
#include "audit/sampling/variable_appraisal.hpp"

namespace coderaudit::sampling {

UnrestrictedAttributeAppraisal AppraiseAttribute(int64_t universe, int64_t sample_size,
                                                 int64_t errors) {
  if (universe < 1 || universe > kMaxHypergeometricN)
    throw InputError("universe size must be from 1 to 2^53");
  if (sample_size < 1 || sample_size > universe)
    throw InputError("sample size must be from 1 to the universe size");
  if (errors < 0 || errors > sample_size)
    throw InputError("errors must be from 0 to the sample size");
  UnrestrictedAttributeAppraisal a;
  a.universe = universe;
  a.sample_size = sample_size;
  a.errors = errors;
  a.rate = static_cast<double>(errors) / static_cast<double>(sample_size);
  a.projected_errors = a.rate * static_cast<double>(universe);
  a.projected_printed = static_cast<double>(std::roundl(
      static_cast<long double>(errors) / static_cast<long double>(sample_size) *
      static_cast<long double>(universe)));
  if (sample_size >= 2) {
    const auto n = static_cast<double>(sample_size);
    const auto big_n = static_cast<double>(universe);
    a.se_defined = true;
    a.se_rate = std::sqrt(a.rate * (1.0 - a.rate) / (n - 1.0) * ((big_n - n) / big_n));
    a.se_total = big_n * a.se_rate;
  }
  for (size_t i = 0; i < kConfidenceLevels.size(); ++i) {
    const double c = kConfidenceLevels[i];
    AttributeLimits& l = a.limits[i];
    l.confidence = c;
    const double two_sided_tail = (1.0 - c) / 2.0;
    const double one_sided_tail = 1.0 - c;
    l.lower = HypergeometricLowerLimit(universe, sample_size, errors, two_sided_tail);
    l.upper = HypergeometricUpperLimit(universe, sample_size, errors, two_sided_tail);
    l.one_sided_lower = HypergeometricLowerLimit(universe, sample_size, errors, one_sided_tail);
    l.one_sided_upper = HypergeometricUpperLimit(universe, sample_size, errors, one_sided_tail);
  }
  return a;
}

StratifiedAttributeAppraisal AppraiseStratifiedAttribute(
    const std::vector<AttributeStratumInput>& strata) {
  if (strata.empty()) throw InputError("a stratified appraisal needs at least one stratum");
  StratifiedAttributeAppraisal a;
  double variance = 0;
  long double projected_x87 = 0;
  for (const AttributeStratumInput& s : strata) {
    UnrestrictedAttributeAppraisal r;
    try {
      r = AppraiseAttribute(s.universe, s.sample_size, s.errors);
    } catch (const InputError& e) {
      throw InputError("stratum " + s.id + ": " + e.what());
    }
    AddCount(a.universe, s.universe, "the strata's universe sizes");
    AddCount(a.sample_size, s.sample_size, "the strata's sample sizes");
    AddCount(a.errors, s.errors, "the strata's errors");
    a.projected_errors += r.projected_errors;
    projected_x87 += static_cast<long double>(s.errors) / static_cast<long double>(s.sample_size) *
                     static_cast<long double>(s.universe);
    const auto big_nh = static_cast<double>(s.universe);
    const auto nh = static_cast<double>(s.sample_size);
    if (s.sample_size < 2) {
      a.warnings.push_back("stratum " + s.id + " has only 1 sampled item: it adds nothing to the variance");
    } else {
      const double p = r.rate;
      variance += big_nh * big_nh * (1.0 - nh / big_nh) * p * (1.0 - p) / (nh - 1.0);
    }
    a.ids.push_back(s.id);
    a.strata.push_back(r);
  }
  const auto big_n = static_cast<double>(a.universe);
  a.rate = a.projected_errors / big_n;
  a.se_total = std::sqrt(variance);
  a.se_rate = a.se_total / big_n;
  a.projected_printed = static_cast<double>(std::roundl(projected_x87));
  bool outside = false;
  a.stratum_precision.assign(a.strata.size(), {});
  for (size_t i = 0; i < kConfidenceLevels.size(); ++i) {
    NormalLimits& l = a.limits[i];
    l.confidence = kConfidenceLevels[i];
    l.z = TwoSidedZ(l.confidence);
    for (size_t h = 0; h < a.strata.size(); ++h)
      a.stratum_precision[h][i] = a.strata[h].se_defined ? l.z * a.strata[h].se_total : 0.0;
    l.precision = l.z * a.se_total;
    l.precision_percent = l.z * a.se_rate * 100.0;
    // Not clamped: RAT-STATS prints the normal-approximation limits as computed.
    l.lower = a.projected_errors - l.precision;
    l.upper = a.projected_errors + l.precision;
    outside = outside || l.lower < 0 || l.upper > big_n;
  }
  if (outside)
    a.warnings.push_back(
        "a normal-approximation limit lies outside 0 to the universe size; it is printed "
        "as computed (as RAT-STATS prints it), the count itself cannot be below 0 or above N");
  return a;
}

}  // namespace coderaudit::sampling
