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

using coderaudit::reports::AccuracyReport;

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
         ", \"Code accuracy\": " + Num(s.code_accuracy) +
         ", \"Code CI low\": " + Num(s.code_interval.low) +
         ", \"Code CI high\": " + Num(s.code_interval.high) +
         ", \"Error-free encounters\": " + std::to_string(s.error_free_encounters) +
         ", \"Claim accuracy\": " + Num(s.claim_accuracy) +
         ", \"Claim CI low\": " + Num(s.claim_interval.low) +
         ", \"Claim CI high\": " + Num(s.claim_interval.high) +
         ", \"Benchmark\": " + Num(s.benchmark) +
         ", \"Result\": " + Json(s.pass ? "PASS" : "FAIL") + ", \"diffs\": [";
    bool first = true;
    for (const auto& d : r.diffs) {
      if (d.coder_id != s.coder_id) continue;
      j += std::string(first ? "" : ", ") + Json(coderaudit::qa::ToString(d.outcome));
      first = false;
    }
    j += "]}";
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
