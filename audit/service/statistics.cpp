#include "audit/service/statistics.hpp"

#include <fstream>

#include "audit/model/error.hpp"
#include "audit/sampling/attribute_appraisal.hpp"
#include "audit/sampling/draw.hpp"
#include "audit/sampling/random.hpp"
#include "audit/sampling/render.hpp"
#include "audit/sampling/sample_size.hpp"
#include "audit/sampling/table_input.hpp"
#include "audit/sampling/variable_appraisal.hpp"
#include "audit/service/stored_runs.hpp"

namespace coderaudit::service {

namespace sm = coderaudit::sampling;

namespace {

template <typename Report>
std::string Render(const Report& r, ReportFormat format) {
  return format == ReportFormat::kJson ? sm::RenderJson(r) : sm::RenderText(r);
}

std::ifstream OpenInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open '" + path + "'");
  return in;
}

void RefuseNonStatistical(const ExtrapolationGuard& guard) {
  if (!guard.db_path.empty()) {
    // The appraised items come from a stored sample: its own label decides.
    const auto stored = LoadSample(guard.db_path, guard.sample_id);
    const std::string id = std::to_string(guard.sample_id);
    if (!stored) throw InputError("sample " + id + " is not in " + guard.db_path);
    if (!stored->sample.statistical)
      throw InputError("refusing to extrapolate: stored sample " + id + " is " +
                       std::string(sm::ToString(stored->sample.spec.design)) +
                       ", a non-statistical sample; its results describe only the items reviewed");
  }
  if (guard.non_statistical)
    throw InputError(
        "refusing to extrapolate: the sample is marked non-statistical (targeted or "
        "judgmental), so its results describe only the items reviewed");
}

}  // namespace

std::string RandomNumbers(const RandomNumbersRequest& r, ReportFormat format) {
  sm::DrawRequest request;
  if (r.single_stage) {
    request.design = sm::DrawDesign::kSingleStage;
    request.ranges.push_back({r.low, r.high});
  } else if (!r.sets.empty()) {
    request.design = sm::DrawDesign::kSets;
    request.ranges = sm::ParseRanges(r.sets, ',');
  } else {
    request.design = sm::DrawDesign::kFrames;
    request.ranges = sm::ParseRanges(r.frames, ';');
  }
  request.count = r.count;
  request.spares = r.spares;
  std::vector<std::string> extra_warnings;
  std::string seed = r.seed;
  if (seed.empty()) {
    seed = sm::FreshSeedText(r.generator);
    extra_warnings.push_back("no --seed given: drew with the fresh seed " + seed +
                             "; keep it to replay this sample");
  }
  auto rng = sm::MakeGenerator(r.generator, seed);
  sm::DrawResult result = sm::Draw(*rng, request);
  result.warnings.insert(result.warnings.begin(), extra_warnings.begin(), extra_warnings.end());
  return Render(result, format);
}

std::string AppraiseVariable(const VariableAppraisalRequest& r, ReportFormat format) {
  RefuseNonStatistical(r.guard);
  auto in = OpenInput(r.items_path);
  const sm::VariableItems items = sm::ReadVariableItems(in, r.items_path);
  if (r.strata_path.empty()) return Render(sm::AppraiseUnrestricted(items.sample, r.universe), format);
  auto strata_in = OpenInput(r.strata_path);
  const auto sizes = sm::ReadStrataSizes(strata_in, r.strata_path);
  return Render(sm::AppraiseStratified(sm::GroupByStratum(items, sizes)), format);
}

std::string AppraiseAttribute(const AttributeAppraisalRequest& r, ReportFormat format) {
  RefuseNonStatistical(r.guard);
  if (r.strata_path.empty()) return Render(sm::AppraiseAttribute(r.universe, r.sample, r.errors), format);
  auto in = OpenInput(r.strata_path);
  return Render(sm::AppraiseStratifiedAttribute(sm::ReadAttributeStrata(in, r.strata_path)), format);
}

std::string VariableSampleSize(const VariableSampleSizeRequest& r, ReportFormat format) {
  if (r.strata_path.empty()) {
    sm::VariableSampleSizeReport report;
    report.universe = r.universe;
    report.mean = r.mean;
    report.sd = r.sd;
    for (double c : r.confidences)
      report.results.push_back(
          sm::UnrestrictedVariableSampleSize(r.universe, r.mean, r.sd, r.precision_percent, c));
    return Render(report, format);
  }
  if (r.confidences.size() != 1) throw InputError("stratified sample size takes one confidence level");
  auto in = OpenInput(r.strata_path);
  return Render(sm::StratifiedVariableSampleSize(sm::ReadStratumProbes(in, r.strata_path),
                                                 r.precision_percent, r.confidences[0], r.total),
                format);
}

std::string AttributeSampleSize(const AttributeSampleSizeRequest& r, ReportFormat format) {
  sm::AttributeSampleSizeReport report;
  report.universe = r.universe;
  for (double c : r.confidences)
    report.results.push_back(sm::AttributeSampleSizeFor(r.universe, r.rate_percent / 100.0,
                                                        r.precision_percent / 100.0, c));
  return Render(report, format);
}

}  // namespace coderaudit::service
