#include "audit/sampling/sample_size.hpp"

#include <algorithm>
#include <cmath>

#include "audit/model/error.hpp"
#include "audit/sampling/count_sum.hpp"
#include "audit/sampling/distributions.hpp"

namespace coderaudit::sampling {

namespace {

// The formula's n to the nearest whole item, half away from zero, as RAT-STATS prints it
// (see DETAILS.md, "Sample size", for why nearest and not up). A value that rounds to 0
// is a sample size of 0, printed "---".
int64_t RoundedSampleSize(double exact) { return static_cast<int64_t>(std::llround(exact)); }

void CheckConfidence(double confidence) {
  if (!(confidence > 0 && confidence < 1))
    throw InputError("confidence must be between 0 and 100 percent");
}

void CheckPrecision(double precision_percent) {
  if (!(precision_percent > 0 && precision_percent < 1000))
    throw InputError("precision must be a positive percentage");
}

VariableSampleSize FromFormula(double numerator, double denominator_extra, double precision_amount,
                               double confidence, double precision_percent, int64_t universe) {
  VariableSampleSize r;
  r.confidence = confidence;
  r.z = TwoSidedZ(confidence);
  r.precision_percent = precision_percent;
  r.precision_amount = precision_amount;
  const double e_over_z = precision_amount / r.z;
  r.exact = numerator / (e_over_z * e_over_z + denominator_extra);
  r.sample_size = std::min<int64_t>(RoundedSampleSize(r.exact), universe);
  r.small = r.sample_size > 0 && r.sample_size < kSmallSampleWarning;
  return r;
}

}  // namespace

VariableSampleSize UnrestrictedVariableSampleSize(int64_t universe, double mean, double sd,
                                                  double precision_percent, double confidence) {
  if (universe < 2) throw InputError("universe size must be at least 2");
  if (!(mean > 0)) throw InputError("the probe mean must be positive (precision is a % of it)");
  if (!(sd >= 0) || !std::isfinite(sd)) throw InputError("the probe SD must be 0 or more");
  CheckPrecision(precision_percent);
  CheckConfidence(confidence);
  const auto big_n = static_cast<double>(universe);
  const double e = precision_percent / 100.0 * mean * big_n;
  const double sd_n = sd * big_n;
  return FromFormula(sd_n * sd_n, big_n * sd * sd, e, confidence, precision_percent, universe);
}

ErrorRateModel ErrorAmountModel(int64_t universe, double error_rate, double universe_total,
                                double universe_sd) {
  if (universe < 2) throw InputError("universe size must be at least 2");
  if (!(error_rate > 0 && error_rate <= 1))
    throw InputError("the estimated error rate must be above 0 and at most 100 percent");
  if (!(universe_total > 0) || !std::isfinite(universe_total))
    throw InputError("the universe's total amount must be positive");
  if (!(universe_sd >= 0) || !std::isfinite(universe_sd))
    throw InputError("the universe's standard deviation must be 0 or more");
  const double mu = universe_total / static_cast<double>(universe);
  return {error_rate * mu,
          std::sqrt(error_rate * (universe_sd * universe_sd + (1.0 - error_rate) * mu * mu))};
}

StratifiedSampleSize StratifiedVariableSampleSize(const std::vector<StratumProbe>& strata,
                                                  double precision_percent, double confidence,
                                                  int64_t total_sample_size) {
  if (strata.empty()) throw InputError("stratified sample size needs at least one stratum");
  CheckConfidence(confidence);
  double sum_nsd = 0, sum_nsd2 = 0, total_point = 0;
  int64_t universe = 0;
  for (const StratumProbe& s : strata) {
    if (s.universe < 1) throw InputError("stratum " + s.id + ": universe size must be at least 1");
    if (!(s.sd >= 0) || !std::isfinite(s.sd))
      throw InputError("stratum " + s.id + ": the probe SD must be 0 or more");
    const auto big_nh = static_cast<double>(s.universe);
    sum_nsd += big_nh * s.sd;
    sum_nsd2 += big_nh * s.sd * s.sd;
    total_point += big_nh * s.mean;
    AddCount(universe, s.universe, "the strata's universe sizes");
  }
  if (!(sum_nsd > 0)) throw InputError("every stratum has SD 0: Neyman allocation is undefined");

  StratifiedSampleSize r;
  if (total_sample_size > 0) {
    if (total_sample_size > universe)
      throw InputError("the total sample size exceeds the universe");
    r.total_given = true;
    r.total.confidence = confidence;
    r.total.sample_size = total_sample_size;
    r.total.exact = static_cast<double>(total_sample_size);
    r.total.small = total_sample_size < kSmallSampleWarning;
  } else {
    if (!(total_point > 0))
      throw InputError("the probe total must be positive (precision is a % of it)");
    CheckPrecision(precision_percent);
    r.total = FromFormula(sum_nsd * sum_nsd, sum_nsd2, precision_percent / 100.0 * total_point,
                          confidence, precision_percent, universe);
  }
  const int64_t n = r.total.sample_size;
  r.strata.resize(strata.size());
  for (size_t h = 0; h < strata.size(); ++h) {
    r.strata[h].id = strata[h].id;
    r.strata[h].universe = strata[h].universe;
    r.strata[h].share = static_cast<double>(strata[h].universe) * strata[h].sd / sum_nsd;
  }
  // Capping: a stratum whose Neyman share of what is left exceeds N_h is reviewed 100%;
  // repeat until no share exceeds its stratum.
  for (bool changed = true; changed;) {
    changed = false;
    int64_t left = n;
    double weight = 0;
    for (size_t h = 0; h < strata.size(); ++h) {
      if (r.strata[h].capped)
        left -= strata[h].universe;
      else
        weight += static_cast<double>(strata[h].universe) * strata[h].sd;
    }
    for (size_t h = 0; h < strata.size(); ++h) {
      StratumAllocation& al = r.strata[h];
      if (al.capped) continue;
      al.exact = weight > 0 ? static_cast<double>(left) * static_cast<double>(strata[h].universe) *
                                  strata[h].sd / weight
                            : 0.0;
      if (al.exact > static_cast<double>(strata[h].universe) + 1e-9) {
        al.capped = true;
        al.exact = static_cast<double>(strata[h].universe);
        changed = true;
      }
    }
  }
  // Largest remainder: floors first, then one more item to the largest fractions (the
  // earlier stratum on a tie) until the sizes sum to n.
  int64_t given = 0;
  std::vector<size_t> order;
  for (size_t h = 0; h < strata.size(); ++h) {
    StratumAllocation& al = r.strata[h];
    al.sample_size = al.capped ? al.universe : static_cast<int64_t>(std::floor(al.exact + 1e-9));
    given += al.sample_size;
    if (!al.capped && al.sample_size < al.universe) order.push_back(h);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return r.strata[a].exact - std::floor(r.strata[a].exact + 1e-9) >
           r.strata[b].exact - std::floor(r.strata[b].exact + 1e-9);
  });
  for (size_t k = 0; given < n && k < order.size(); ++k) {
    ++r.strata[order[k]].sample_size;
    ++given;
  }
  double variance = 0;
  for (size_t h = 0; h < strata.size(); ++h) {
    const StratumAllocation& al = r.strata[h];
    if (al.capped)
      r.warnings.push_back("stratum " + al.id + " is capped at its universe size " +
                           std::to_string(al.universe) + " (review it 100%)");
    if (al.sample_size < 2)
      r.warnings.push_back("stratum " + al.id + " is allocated " + std::to_string(al.sample_size) +
                           " item(s): below 2 no variance can be estimated");
    r.allocated += al.sample_size;
    if (al.sample_size > 0) {
      const auto big_nh = static_cast<double>(al.universe);
      const auto nh = static_cast<double>(al.sample_size);
      variance += big_nh * (big_nh - nh) * strata[h].sd * strata[h].sd / nh;
    }
  }
  if (r.allocated != n)
    r.warnings.push_back("only " + std::to_string(r.allocated) + " of " + std::to_string(n) +
                         " items could be allocated (the other strata have SD 0)");
  if (r.total.z == 0) r.total.z = TwoSidedZ(confidence);
  r.point_estimate = total_point;
  r.achieved_se = std::sqrt(variance);
  r.achieved_precision = r.total.z * r.achieved_se;
  r.achieved_precision_percent = total_point > 0 ? r.achieved_precision / total_point * 100.0 : 0.0;
  if (r.total.small) r.warnings.push_back("the total sample size is below 30");
  return r;
}

namespace {

struct AttributeCheck {
  bool ok = false;
  int64_t x = 0, lower = 0, upper = 0;
};

AttributeCheck CheckAttribute(int64_t universe, int64_t n, double rate, double precision,
                              double tail, AttributePrecision kind) {
  AttributeCheck c;
  c.x = std::clamp<int64_t>(static_cast<int64_t>(std::floor(rate * static_cast<double>(n) + 0.5)),
                            0, n);
  c.lower = HypergeometricLowerLimit(universe, n, c.x, tail);
  c.upper = HypergeometricUpperLimit(universe, n, c.x, tail);
  const auto big_n = static_cast<double>(universe);
  const double point = static_cast<double>(c.x) / static_cast<double>(n) * big_n;
  const double allowed = precision * big_n + 1e-9;
  c.ok = kind == AttributePrecision::kRange
             ? static_cast<double>(c.upper - c.lower) <= allowed
             : static_cast<double>(c.upper) - point <= allowed &&
                   point - static_cast<double>(c.lower) <= allowed;
  return c;
}

}  // namespace

AttributeSampleSize AttributeSampleSizeFor(int64_t universe, double anticipated_rate,
                                           double precision, double confidence,
                                           AttributePrecision kind) {
  if (universe < 1 || universe > kMaxHypergeometricN)
    throw InputError("universe size must be from 1 to 2^53");
  if (!(anticipated_rate >= 0 && anticipated_rate <= 1))
    throw InputError("anticipated rate must be from 0 to 100 percent");
  if (!(precision > 0 && precision < 1)) throw InputError("precision must be between 0 and 100 percent");
  CheckConfidence(confidence);
  const double tail = (1.0 - confidence) / 2.0;

  AttributeSampleSize r;
  r.confidence = confidence;
  r.anticipated_rate = anticipated_rate;
  r.precision = precision;
  r.kind = kind;
  // Doubling from n = 1, then bisection: the interval narrows as n grows, up to the
  // sawtooth caused by rounding rate*n to whole errors, which the downward scan below
  // catches. Doubling keeps every n tried below twice the answer: an exact interval costs
  // time with the sample's spread of errors, so one at n near a universe of 2^53 took
  // minutes even when the answer was a few thousand.
  auto meets = [&](int64_t n) {
    try {
      return CheckAttribute(universe, n, anticipated_rate, precision, tail, kind).ok;
    } catch (const InputError& e) {
      throw InputError(std::string("no attribute sample size at this precision: ") + e.what() +
                       "; ask for a wider precision");
    }
  };
  int64_t lo = 1, hi = 1;
  while (hi < universe && !meets(hi)) {
    lo = hi + 1;
    hi = hi > universe / 2 ? universe : hi * 2;
  }
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (meets(mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  // Near the answer, whether n meets the precision alternates with the rounding of
  // rate*n (at 50%, odd n miss where even n meet it, over hundreds of n when the sample
  // is large), so the bisection can stop inside that stretch. Scan down from it until the
  // precision has been missed at every rounding offset twice over: 2/rate consecutive n
  // (2/(1 - rate) above 50%), at least 100.
  int64_t best = lo;
  const double rarer = std::min(anticipated_rate, 1.0 - anticipated_rate);
  if (rarer > 0) {
    const int64_t run = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(2.0 / rarer)), 100, 20000);
    for (int64_t m = lo - 1, missed = 0; m >= 1 && missed < run; --m) {
      if (meets(m)) {
        best = m;
        missed = 0;
      } else {
        ++missed;
      }
    }
  }
  const AttributeCheck c = CheckAttribute(universe, best, anticipated_rate, precision, tail, kind);
  r.sample_size = best;
  r.expected_errors = c.x;
  r.lower = c.lower;
  r.upper = c.upper;
  r.reachable = c.ok;
  return r;
}

}  // namespace coderaudit::sampling
