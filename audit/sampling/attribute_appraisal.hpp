#pragma once
// Attribute appraisal (error rates): exact hypergeometric limits for an unrestricted
// sample, normal approximation for a stratified one; see SAMPLING.md.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace coderaudit::sampling {

struct AttributeLimits {
  double confidence = 0;
  // Two-sided: each tail (1 - confidence) / 2.
  int64_t lower = 0;
  int64_t upper = 0;
  // One-sided: the whole 1 - confidence in one tail (what x = 0 or x = n reports).
  int64_t one_sided_lower = 0;
  int64_t one_sided_upper = 0;
};

struct UnrestrictedAttributeAppraisal {
  int64_t universe = 0;
  int64_t sample_size = 0;
  int64_t errors = 0;
  double rate = 0;              // x / n
  double projected_errors = 0;  // x / n * N
  // x / n * N in 80-bit arithmetic, rounded half away from zero: what RAT-STATS prints
  // (see variable_appraisal.hpp on the x87 printed figures).
  double projected_printed = 0;
  // Standard errors (Cochran 3.5, without-replacement): SE(rate) =
  // sqrt(p q / (n - 1) * (N - n) / N), SE(total) = N * SE(rate). Defined for n >= 2.
  bool se_defined = false;
  double se_rate = 0;   // fraction
  double se_total = 0;  // universe items
  std::array<AttributeLimits, 3> limits{};  // 80, 90, 95%; limits count universe items
};

// Throws InputError on impossible counts.
UnrestrictedAttributeAppraisal AppraiseAttribute(int64_t universe, int64_t sample_size,
                                                 int64_t errors);

struct AttributeStratumInput {
  std::string id;
  int64_t universe = 0;
  int64_t sample_size = 0;
  int64_t errors = 0;
};

struct NormalLimits {
  double confidence = 0;
  double z = 0;
  // projected -/+ z * SE(total), not clamped to [0, N] (as RAT-STATS prints them); a
  // limit outside that range gets a warning instead.
  double lower = 0;
  double upper = 0;
  double precision = 0;          // z * SE(total), universe items
  double precision_percent = 0;  // z * SE(rate) * 100: percentage points of the rate
};

struct StratifiedAttributeAppraisal {
  std::vector<UnrestrictedAttributeAppraisal> strata;  // exact limits per stratum
  std::vector<std::string> ids;
  // Each stratum's precision at 80/90/95%, as the overall's: z * SE_h(total) in items
  // (the rate's: z * SE_h(rate)); 0 for a stratum of one item, which has no SE.
  std::vector<std::array<double, 3>> stratum_precision;
  int64_t universe = 0;
  int64_t sample_size = 0;
  int64_t errors = 0;
  double projected_errors = 0;  // sum N_h x_h / n_h
  double projected_printed = 0; // sum of x_h / n_h * N_h in 80-bit, rounded
  double rate = 0;              // projected / N
  double se_total = 0;          // sqrt(sum N_h^2 (1 - n_h/N_h) p_h q_h / (n_h - 1))
  double se_rate = 0;           // se_total / N
  std::array<NormalLimits, 3> limits{};
  std::vector<std::string> warnings;
};

StratifiedAttributeAppraisal AppraiseStratifiedAttribute(
    const std::vector<AttributeStratumInput>& strata);

}  // namespace coderaudit::sampling
