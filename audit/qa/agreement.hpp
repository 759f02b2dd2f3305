#pragma once
// Audit the auditor: two auditors' re-codings of the same encounters, compared item by
// item (each coder code position, each code an auditor added, the DRG) with percent
// agreement and Cohen's kappa. audit/qa/SCORING.md § Agreement.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/qa/diff.hpp"
#include "audit/qa/score.hpp"

namespace coderaudit::qa {

struct KappaStats {
  uint32_t items = 0;
  uint32_t agreed = 0;
  double observed = 0;               // percent agreement p_o (0..1)
  double expected = 0;               // chance agreement p_e
  std::optional<double> kappa;       // (p_o - p_e) / (1 - p_e); none when p_e == 1
  double standard_error = 0;         // sqrt(p_o (1 - p_o) / (n (1 - p_e)^2)), Cohen 1960
  Interval kappa_ci;                 // kappa -/+ z * SE at `confidence`, clipped to [-1, 1]
};

struct Agreement {
  uint32_t encounters_a = 0, encounters_b = 0, encounters_both = 0;
  // Outcome categories: "match", an outcome name, or "modifier+units" when one position
  // has both. Sorted; the matrix is [category of A][category of B].
  std::vector<std::string> categories;
  std::vector<std::vector<uint32_t>> matrix;
  KappaStats outcome;                // over the categories
  KappaStats error;                  // two categories: error / no error
  std::vector<std::string> auditors_a, auditors_b;  // auditor ids seen on each side
};

// Compares the two sets of rows (each from DiffEncounter against the same coder coding)
// on the encounters both hold.
Agreement CompareAuditors(const std::vector<CodeDiff>& a, const std::vector<CodeDiff>& b,
                          double confidence = 0.95);

// Kappa from a square contingency table (rows: rater A, columns: rater B).
KappaStats Kappa(const std::vector<std::vector<uint32_t>>& table, double confidence = 0.95);

}  // namespace coderaudit::qa
