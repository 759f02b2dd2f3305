#pragma once
// The findings workbook of a check run (`coderaudit report --run CHECK`, `findings --format
// xlsx`): Summary (by rule, disposition, provider and payer, with a chart), Held claims,
// Findings (every finding, its citation and the values that fired) and Run. A pure
// function of the model: the same report gives the same bytes (created = run.started_at).
#include <string>

#include "audit/runs/findings_report.hpp"

namespace coderaudit::reports {

// Atomic (temp file, fsync, rename); SystemError on failure, nothing left behind.
void WriteFindingsWorkbook(const runs::FindingsReport& report, const std::string& path);

}  // namespace coderaudit::reports
