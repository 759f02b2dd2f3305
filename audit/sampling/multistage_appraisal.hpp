#pragma once
// Two- and three-stage variable and attribute appraisal (simple random sampling at every stage):
// primaries drawn from the universe, sub-units within each sampled primary, and for three
// stages units within each sampled secondary. The estimator of a unit's total is
// N/n x (sum of its sampled sub-units' estimated totals); its variance is the unbiased
// multistage form (Cochran, Sampling Techniques, 10.8 and 11.26 applied level by level):
//   v(Y) = N^2 (1 - n/N) s^2 / n + (N/n) sum_j v(Y_j),
// s^2 the sample variance (n - 1) of the sub-units' estimated totals Y_j, v = 0 at the
// last stage. Limits are point -/+ t x SE with t on (primaries sampled - 1) df.
// An attribute appraisal is the same estimator on items valued 1 (has the characteristic)
// or 0, read as counts per last-stage sampling unit. Stratified: each stratum is a
// multistage design of its own; the overall estimate adds the strata's totals and
// variances and its limits use z, as the stratified single-stage appraisal does (a
// stratified cluster sample is the case with every unit of each sampled primary reviewed).
// RHC (Rao, Hartley and Cochran 1962; RAT-STATS's "RHC two/three stage"): the M primaries
// were split at random into n groups of fixed sizes M_g and one primary drawn from each
// group with probability z_g / Z_g (its measure of size over the group's). With Z the
// universe's measure, pi_g = Z_g / Z, p_g = z_g / Z and Y_g the drawn primary's estimated
// total (from the stages below, as above) with unbiased variance v_g:
//   Y = sum_g (Z_g / z_g) Y_g,
//   v(Y) = A sum_g pi_g (Y_g / p_g - Y)^2 + sum_g (pi_g / p_g) v_g,
//   A = (sum_g M_g^2 - M) / (M^2 - sum_g M_g^2)
// (unbiased: a test enumerates every grouping, draw and subsample of a small universe).
// Limits as above, t on n - 1 df.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "audit/sampling/variable_appraisal.hpp"

namespace coderaudit::sampling {

// Where each row of a multistage sample sits: its stratum, primary and (three stages)
// secondary, with their sizes.
struct MultistageRows {
  int stages = 2;                        // 2 or 3
  std::vector<std::string> stratum;      // per row, when the file has a stratum column
  std::vector<std::string> primary;      // per row
  std::vector<int64_t> primary_size;     // per row: second-stage units in its primary
  std::vector<std::string> secondary;    // per row, three stages only
  std::vector<int64_t> secondary_size;   // per row, three stages: third-stage units in it
  std::vector<uint32_t> line;            // per row: where it was read
};

// Variable: one row per sampled last-stage item, with its values.
struct MultistageItems : MultistageRows {
  VariableSample sample;
};

// Attribute, as RAT-STATS asks for it: one row per sampled primary (two stages) or
// sampled secondary (three stages), with how many of its units were sampled and how many
// of those have the characteristic.
struct MultistageAttributeUnits : MultistageRows {
  std::vector<int64_t> sampled;          // per row: last-stage units sampled in the unit
  std::vector<int64_t> characteristic;   // per row: of which have the characteristic
};

struct MultistageSetResult {
  ValueSet set = ValueSet::kDifference;
  double point_estimate = 0;
  double se_total = 0;
  double mean = 0;  // point / (universe of primaries): the estimated total per primary
  std::array<ConfidenceLimits, 3> limits{};  // t on primaries - 1 df
};

struct MultistageAppraisal {
  int stages = 2;
  bool attribute = false;      // items valued 1/0 (has the characteristic or not)
  bool rhc = false;            // primaries drawn by RHC (one per group), not by SRS
  int64_t measure = 0;         // RHC: the universe's measure of size (Z)
  int64_t characteristic = 0;  // attribute: sampled items with the characteristic
  int64_t universe = 0;        // primaries in the universe (M)
  int64_t primaries = 0;       // primaries sampled (m)
  int64_t secondaries = 0;     // second-stage units sampled (three stages: distinct secondaries)
  int64_t items = 0;           // last-stage units sampled
  std::vector<MultistageSetResult> sets;
  ValueSet primary_set = ValueSet::kDifference;
  double demand_amount = 0;    // variable: two-sided 80% lower limit of the primary set
  std::vector<std::string> warnings;
};

// One stratum of a stratified multistage sample: its primaries and its rows.
template <typename Rows>
struct MultistageStratum {
  std::string id;
  int64_t universe = 0;  // primaries in the stratum
  Rows rows;
};

struct StratifiedMultistageAppraisal {
  int stages = 2;
  bool attribute = false;
  std::vector<std::string> ids;              // strata, in the order given
  std::vector<MultistageAppraisal> strata;   // each with its own t on m_h - 1 df
  int64_t universe = 0, primaries = 0, secondaries = 0, items = 0, characteristic = 0;
  std::vector<MultistageSetResult> overall;  // per value set: sums over strata, limits with z
  ValueSet primary_set = ValueSet::kDifference;
  double demand_amount = 0;                  // variable: overall two-sided 80% lower limit
  std::vector<std::string> warnings;         // the strata's (named) and the overall precision
};

// The groups of an RHC first stage: one row per group, naming the primary drawn from it.
struct RhcGroup {
  std::string id;
  int64_t primaries = 0;        // M_g: primaries in the group
  int64_t measure = 0;          // Z_g: the group's measure of size
  std::string primary;          // the primary drawn from the group
  int64_t primary_measure = 0;  // z_g: that primary's measure of size
  uint32_t line = 0;            // where it was read
};

// Throws InputError (with source:line where an item is at fault) on inconsistent sizes.
MultistageAppraisal AppraiseMultistage(const MultistageItems& items, int64_t universe,
                                       const std::string& source);
// The projected number of last-stage items with the characteristic, and its limits.
MultistageAppraisal AppraiseMultistage(const MultistageAttributeUnits& units, int64_t universe,
                                       const std::string& source);
// RHC first stage: the primaries are the groups' drawn primaries (every row's primary must
// be one, and every group's primary must have rows); the universe is sum_g M_g primaries.
MultistageAppraisal AppraiseRhc(const MultistageItems& items, const std::vector<RhcGroup>& groups,
                                const std::string& source, const std::string& groups_source);
MultistageAppraisal AppraiseRhc(const MultistageAttributeUnits& units, const std::vector<RhcGroup>& groups,
                                const std::string& source, const std::string& groups_source);
// Each stratum appraised as above (an error names its stratum), then combined.
StratifiedMultistageAppraisal AppraiseMultistage(const std::vector<MultistageStratum<MultistageItems>>& strata,
                                                 const std::string& source);
StratifiedMultistageAppraisal AppraiseMultistage(
    const std::vector<MultistageStratum<MultistageAttributeUnits>>& strata, const std::string& source);

}  // namespace coderaudit::sampling
