#pragma once
// A small synthetic AccuracyReport for the workbook tests: four coders (one id that needs
// sanitising, two that differ only by case), diffs of every Outcome, findings whose text
// looks like formulas or breaks XML. No patient data: every id is made up.
#include <string>

#include "audit/runs/accuracy_report.hpp"

namespace coderaudit::reports::testing {

runs::AccuracyReport SampleReport();

// The coder id that needs sanitising into a sheet name.
inline const std::string kOddCoderId = "[QA]/night:shift*?-with-a-very-long-identifier";

}  // namespace coderaudit::reports::testing
