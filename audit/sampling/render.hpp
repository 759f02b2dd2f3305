#pragma once
// Text (RAT-STATS-like layout) and JSON renderings of sampling results. The CLI and the
// HTTP server both print these, so the two front ends never disagree on a figure.
// Text: totals as whole numbers, means and SDs to 2 decimals, t and z to 12 decimals.
// JSON: every figure at full double precision (shortest round-trip form).
#include <string>
#include <vector>

#include "audit/sampling/attribute_appraisal.hpp"
#include "audit/sampling/draw.hpp"
#include "audit/sampling/multistage_appraisal.hpp"
#include "audit/sampling/rhc_selection.hpp"
#include "audit/sampling/sample_size.hpp"
#include "audit/sampling/variable_appraisal.hpp"

namespace coderaudit::sampling {

std::string RenderText(const DrawResult& r);
std::string RenderJson(const DrawResult& r);

std::string RenderText(const RhcSelection& s);
std::string RenderJson(const RhcSelection& s);

std::string RenderText(const UnrestrictedVariableAppraisal& a);
std::string RenderJson(const UnrestrictedVariableAppraisal& a);
std::string RenderText(const StratifiedVariableAppraisal& a);
std::string RenderJson(const StratifiedVariableAppraisal& a);

std::string RenderText(const MultistageAppraisal& a);
std::string RenderJson(const MultistageAppraisal& a);
std::string RenderText(const StratifiedMultistageAppraisal& a);
std::string RenderJson(const StratifiedMultistageAppraisal& a);

std::string RenderText(const UnrestrictedAttributeAppraisal& a);
std::string RenderJson(const UnrestrictedAttributeAppraisal& a);
std::string RenderText(const StratifiedAttributeAppraisal& a);
std::string RenderJson(const StratifiedAttributeAppraisal& a);

// One entry per confidence level asked for.
struct VariableSampleSizeReport {
  int64_t universe = 0;
  double mean = 0;
  double sd = 0;
  int64_t probe_size = 0;  // > 0: mean and SD were computed from this many probe values
  std::string probe_set;   // which values: difference, examined or audited
  // > 0: mean and SD are the error model of an estimated error rate (ErrorAmountModel)
  double error_rate = 0;
  double universe_total = 0, universe_sd = 0;
  std::vector<VariableSampleSize> results;
};
std::string RenderText(const VariableSampleSizeReport& r);
std::string RenderJson(const VariableSampleSizeReport& r);
std::string RenderText(const StratifiedSampleSize& r);
std::string RenderJson(const StratifiedSampleSize& r);

struct AttributeSampleSizeReport {
  int64_t universe = 0;
  std::vector<AttributeSampleSize> results;
};
std::string RenderText(const AttributeSampleSizeReport& r);
std::string RenderJson(const AttributeSampleSizeReport& r);

// Formatting shared with the tests: "706,000", "-1,234", "70.60", "1,234.56".
std::string FormatWhole(double value);
std::string FormatFixed(double value, int decimals, bool thousands);
// `value` to `decimals` places as RAT-STATS (VB's Format$) prints it: its 15-significant-
// digit decimal form rounded half away from zero. No thousands separators.
std::string FormatVb(double value, int decimals);

}  // namespace coderaudit::sampling
