#pragma once
// RAT-STATS calculators as services: random numbers, attribute and variable appraisal,
// sample sizes. Each takes a plain request, reads any input files it names, and returns
// the report as RAT-STATS-style text or JSON (audit/sampling/render.hpp), so the CLI and
// any other front end print the same figures. Bad values are InputErrors.
#include <cstdint>
#include <string>
#include <vector>

namespace coderaudit::service {

enum class ReportFormat { kText, kJson };

struct RandomNumbersRequest {
  std::string generator = "xoshiro256ss";  // or "ratstats"
  std::string seed;                        // "": a fresh seed, reported in a warning
  // Exactly one layout: single stage (low..high), sets of ranges ("1-10,1-20"), or
  // frames concatenated ("1-100;1-50").
  bool single_stage = false;
  int64_t low = 0, high = 0;
  std::string sets, frames;
  uint64_t count = 0, spares = 0;
};
std::string RandomNumbers(const RandomNumbersRequest& request, ReportFormat format);

// RHC selection of primaries with probability proportional to size
// (audit/sampling/rhc_selection.hpp). `groups_out`, when set, receives the groups file
// `appraise multistage --groups` reads, written whole or not at all.
struct RhcSelectionRequest {
  std::string generator = "xoshiro256ss";  // or "ratstats"
  std::string seed;                        // "": a fresh seed, reported in a warning
  std::string frame_path;                  // CSV primary,measure
  int64_t groups = 0;
  std::string groups_out;
};
std::string SelectRhc(const RhcSelectionRequest& request, ReportFormat format);

// Appraisals refuse to extrapolate from a non-statistical sample: one marked so by the
// caller, or a stored sample (db_path + sample_id) whose design is not statistical.
struct ExtrapolationGuard {
  bool non_statistical = false;
  std::string db_path;
  int64_t sample_id = 0;   // with db_path
};

struct VariableAppraisalRequest {
  std::string items_path;   // CSV: examined / audited / difference [, stratum]
  int64_t universe = 0;     // unrestricted; or
  std::string strata_path;  // stratified: stratum,N_h
  // The strata were formed after a simple random draw (post-strata): a stored sample
  // must then have one stratum, whose frame size the post-strata's sizes add up to.
  bool post_stratified = false;
  ExtrapolationGuard guard;
};
std::string AppraiseVariable(const VariableAppraisalRequest& request, ReportFormat format);

// Two- or three-stage appraisal; `universe` primaries in the universe. Variable: items
// with primary, primary_size [, secondary, secondary_size] and value columns. Attribute:
// one row per last-stage sampling unit with those columns, sample and errors.
// Stratified: a stratum column, and `strata_path` (stratum,primaries) instead of universe.
// RHC first stage: `groups_path` (group,primaries,measure,primary,primary_measure, as
// `sample rhc` writes it) instead of universe; the universe is the groups' primaries.
struct MultistageAppraisalRequest {
  std::string items_path;
  int64_t universe = 0;
  std::string strata_path;
  std::string groups_path;
  bool attribute = false;
  ExtrapolationGuard guard;  // only the non-statistical mark applies (stored samples are single-stage)
};
std::string AppraiseMultistage(const MultistageAppraisalRequest& request, ReportFormat format);

struct AttributeAppraisalRequest {
  int64_t universe = 0, sample = 0, errors = 0;  // unrestricted; or
  std::string strata_path;                       // stratified
  ExtrapolationGuard guard;
};
std::string AppraiseAttribute(const AttributeAppraisalRequest& request, ReportFormat format);

struct VariableSampleSizeRequest {
  int64_t universe = 0;                // unrestricted: universe, mean, sd
  double mean = 0, sd = 0;
  std::string probe_path;              // unrestricted: mean and SD of these probe values
  bool by_error_rate = false;          // unrestricted using an estimated error rate, with
  double error_rate_percent = 0;       //   the universe's total amount and SD
  double universe_total = 0, universe_sd = 0;
  std::string strata_path;             // stratified: probe values per stratum
  int64_t total = 0;                   // stratified with a known total (0: from precision)
  double precision_percent = 0;
  std::vector<double> confidences;     // 0.80, 0.90, ...
};
std::string VariableSampleSize(const VariableSampleSizeRequest& request, ReportFormat format);

struct AttributeSampleSizeRequest {
  int64_t universe = 0;
  double rate_percent = 0, precision_percent = 0;
  bool precision_is_range = false;  // precision_percent is the interval's whole width
  std::vector<double> confidences;
};
std::string AttributeSampleSize(const AttributeSampleSizeRequest& request, ReportFormat format);

}  // namespace coderaudit::service
