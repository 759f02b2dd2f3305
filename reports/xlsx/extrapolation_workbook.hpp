#pragma once
#include <string>

#include "audit/runs/extrapolation_report.hpp"

namespace coderaudit::reports {

// The extrapolation workbook: Design, Frame, Sample (random numbers and selection
// order), Items (examined / audited / difference), Appraisal (RAT-STATS figures and the
// demand amount) and Replay (how to reproduce the sample). Atomic; byte-identical for
// identical input (created time = the sample's creation time).
void WriteExtrapolationWorkbook(const runs::ExtrapolationReport& report, const std::string& path,
                                const std::string& store_path);

}  // namespace coderaudit::reports
