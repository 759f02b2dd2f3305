#pragma once
// Overpayment extrapolation from a stored statistical sample (SAMPLING.md, CMS PIM ch. 8).
#include <cstdint>
#include <string>

#include "audit/runs/extrapolation_report.hpp"

namespace coderaudit::service {

// `reviewed_csv` has a header with encounter_id, examined and audited (dollar amounts)
// for every encounter currently in the sample (after substitutions), and no others.
// Refuses non-statistical samples. Replays the sample and records whether it is identical.
runs::ExtrapolationReport BuildExtrapolation(const std::string& db_path, int64_t sample_id,
                                                const std::string& reviewed_csv);

}  // namespace coderaudit::service
