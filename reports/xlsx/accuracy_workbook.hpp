#pragma once
#include <cstdint>
#include <string>

#include "audit/runs/accuracy_report.hpp"

namespace coderaudit::reports {

// Writes the per-coder accuracy workbook to `path` atomically (temp file + rename).
// Byte-identical for identical reports: the workbook's created time is the run's start.
// Throws SystemError when the file cannot be written; leaves no partial file behind.
void WriteAccuracyWorkbook(const runs::AccuracyReport& report, const std::string& path);

// Knobs for benchmarks and tests; the defaults are what the CLI uses.
struct AccuracyWorkbookOptions {
  // libxlsxwriter's constant_memory mode: rows stream to one temp file per sheet, so
  // memory stays flat with the number of diffs (inline strings, slightly larger file).
  // It needs one open file per sheet: the writer raises the soft RLIMIT_NOFILE up to the
  // hard limit when a report has more coders than the soft limit allows.
  bool constant_memory = true;
  // Rows per sheet before a per-coder sheet or Findings continues on "<name> (2)".
  // Excel's maximum; tests lower it to exercise the continuation.
  uint32_t max_rows_per_sheet = 1048576;
  // A coder's own feedback workbook (report --coder / --per-coder): `report` holds that
  // one coder only (service::OneCoder filters it). Their sheet comes first, under a block
  // with their result and scores, counted errors first; then Error categories, Trend,
  // Findings, Policy, Run. No Summary, Summary detail or Auditors.
  bool feedback = false;
  // In a feedback workbook, list the matching codes too (after the differences).
  bool feedback_matches = false;
};
void WriteAccuracyWorkbook(const runs::AccuracyReport& report, const std::string& path,
                           const AccuracyWorkbookOptions& options);

}  // namespace coderaudit::reports
