// Writes the sample workbooks read back by read_workbook.py, plus expected.json: the
// report's numbers as the workbook should show them.
//   reports_write_sample OUT_DIR
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "reports/xlsx/accuracy_workbook.hpp"
#include "tests/reports/sample_report.hpp"

namespace {

using coderaudit::runs::AccuracyReport;

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;  // the sample's ids are valid UTF-8
    }
  }
  return out + "\"";
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string ExpectedJson(const AccuracyReport& r) {
  using coderaudit::qa::Outcome;
  std::string j = "{\n \"benchmark\": " + Num(r.benchmark) + ",\n \"started_at\": " +
                  Json(r.run.started_at) + ",\n \"run_id\": " + std::to_string(r.run.run_id) +
                  ",\n \"findings\": " + std::to_string(r.findings.size()) + ",\n \"coders\": [";
  for (size_t i = 0; i < r.coders.size(); ++i) {
    const auto& s = r.coders[i];
    const auto n = [&](Outcome o) { return std::to_string(s.by_outcome[static_cast<size_t>(o)]); };
    j += std::string(i ? "," : "") + "\n  {\"Coder\": " + Json(s.coder_id) +
         ", \"Encounters\": " + std::to_string(s.encounters) +
         ", \"Codes reviewed\": " + std::to_string(s.codes_reviewed) +
         ", \"Matches\": " + std::to_string(s.matches) +
         ", \"Errors\": " + std::to_string(s.errors) +
         ", \"Added\": " + n(Outcome::kAdded) + ", \"Omitted\": " + n(Outcome::kOmitted) +
         ", \"Revised\": " + n(Outcome::kRevised) +
         ", \"Resequenced\": " + n(Outcome::kResequenced) +
         ", \"Modifier\": " + n(Outcome::kModifier) + ", \"Units\": " + n(Outcome::kUnits) +
         ", \"POA\": " + n(Outcome::kPoa) + ", \"DRG\": " + n(Outcome::kDrg) +
         ", \"Weighted errors\": " + Num(s.weighted_errors) +
         ", \"Code accuracy\": " + Num(s.code_accuracy) +
         ", \"Code CI low\": " + Num(s.code_interval.low) +
         ", \"Code CI high\": " + Num(s.code_interval.high) +
         ", \"Error-free encounters\": " + std::to_string(s.error_free_encounters) +
         ", \"Claim accuracy\": " + Num(s.claim_accuracy) +
         ", \"Claim CI low\": " + Num(s.claim_interval.low) +
         ", \"Claim CI high\": " + Num(s.claim_interval.high) +
         ", \"DRG encounters\": " + std::to_string(s.drg_encounters) +
         ", \"DRG changes\": " + std::to_string(s.drg_changes) +
         ", \"Over-coded\": " + std::to_string(s.over_coded) +
         ", \"Under-coded\": " + std::to_string(s.under_coded) +
         ", \"Overpayment\": " + Num(static_cast<double>(s.overpayment_cents) / 100) +
         ", \"Underpayment\": " + Num(static_cast<double>(s.underpayment_cents) / 100) +
         ", \"Rebutted\": " + std::to_string(s.rebutted) +
         ", \"Overturned\": " + std::to_string(s.overturned) +
         ", \"Benchmark\": " + Num(s.benchmark) +
         ", \"Result\": " + Json(s.pass ? "PASS" : "FAIL") + ", \"diffs\": [";
    bool first = true;
    for (const auto& d : r.diffs) {
      if (d.coder_id != s.coder_id) continue;
      const bool counted = r.policy.WeightOf(d) > 0 && r.policy.Scores(d.code_type);
      j += std::string(first ? "" : ", ") + "{\"ref\": " + std::to_string(d.ref) +
           ", \"outcome\": " + Json(coderaudit::qa::ToString(d.outcome)) +
           ", \"counted\": " + (counted ? "true" : "false") + "}";
      first = false;
    }
    j += "]}";
  }
  j += "\n ],\n \"trend\": [";
  for (size_t i = 0; i < r.trend.size(); ++i) {
    const auto& t = r.trend[i];
    j += std::string(i ? "," : "") + "\n  {\"Coder\": " + Json(t.coder_id) + ", \"Period\": " +
         Json(t.period) + ", \"Codes reviewed\": " + std::to_string(t.codes_reviewed) +
         ", \"Code accuracy\": " + Num(t.code_accuracy) + "}";
  }
  j += "\n ],\n \"auditors\": [";
  for (size_t i = 0; i < r.auditors.size(); ++i) {
    const auto& a = r.auditors[i];
    j += std::string(i ? "," : "") + "\n  {\"Auditor\": " + Json(a.auditor_id) +
         ", \"Differences\": " + std::to_string(a.differences) + ", \"Rebutted\": " +
         std::to_string(a.rebutted) + ", \"Decided\": " + std::to_string(a.decided) +
         ", \"Overturned\": " + std::to_string(a.overturned) + "}";
  }
  return j + "\n ]\n}\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: reports_write_sample OUT_DIR\n");
    return 2;
  }
  try {
    namespace fs = std::filesystem;
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    const AccuracyReport report = coderaudit::reports::testing::SampleReport();
    coderaudit::reports::WriteAccuracyWorkbook(report, (dir / "sample.xlsx").string());
    coderaudit::reports::AccuracyWorkbookOptions in_memory;
    in_memory.constant_memory = false;
    coderaudit::reports::WriteAccuracyWorkbook(report, (dir / "sample_in_memory.xlsx").string(),
                                               in_memory);
    coderaudit::reports::AccuracyWorkbookOptions split;
    split.max_rows_per_sheet = 4;  // header + 3 rows: C001's 9 diffs span three sheets
    coderaudit::reports::WriteAccuracyWorkbook(report, (dir / "sample_split.xlsx").string(),
                                               split);
    std::ofstream(dir / "expected.json") << ExpectedJson(report);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reports_write_sample: %s\n", e.what());
    return 1;
  }
}
