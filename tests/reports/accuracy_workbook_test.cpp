#include "reports/xlsx/accuracy_workbook.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "audit/model/error.hpp"
#include "tests/reports/sample_report.hpp"
#include "tests/reports/temp_dir.hpp"

namespace fs = std::filesystem;
using coderaudit::reports::AccuracyWorkbookOptions;
using coderaudit::reports::WriteAccuracyWorkbook;
using coderaudit::reports::testing::SampleReport;
using coderaudit::reports::testing::TempDir;

namespace {

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("Writing the workbook creates the file and leaves no temp file behind",
          "[reports]") {
  TempDir dir;
  const fs::path out = dir.Path() / "accuracy.xlsx";
  WriteAccuracyWorkbook(SampleReport(), out.string());
  REQUIRE(fs::is_regular_file(out));
  const std::string bytes = ReadBytes(out);
  REQUIRE(bytes.size() > 1000);
  CHECK(bytes.substr(0, 2) == "PK");  // a zip container
  CHECK(dir.Entries() == std::vector<std::string>{"accuracy.xlsx"});
}

TEST_CASE("Writing the same report twice gives byte-identical files", "[reports]") {
  const bool constant_memory = GENERATE(true, false);
  CAPTURE(constant_memory);
  AccuracyWorkbookOptions options;
  options.constant_memory = constant_memory;
  TempDir dir;
  WriteAccuracyWorkbook(SampleReport(), (dir.Path() / "a.xlsx").string(), options);
  WriteAccuracyWorkbook(SampleReport(), (dir.Path() / "b.xlsx").string(), options);
  const std::string a = ReadBytes(dir.Path() / "a.xlsx");
  CHECK(!a.empty());
  CHECK(a == ReadBytes(dir.Path() / "b.xlsx"));
}

TEST_CASE("The workbook's bytes follow the run's start time, not the clock", "[reports]") {
  TempDir dir;
  auto report = SampleReport();
  WriteAccuracyWorkbook(report, (dir.Path() / "a.xlsx").string());
  report.run.started_at = "2027-01-01T00:00:00Z";
  WriteAccuracyWorkbook(report, (dir.Path() / "b.xlsx").string());
  CHECK(ReadBytes(dir.Path() / "a.xlsx") != ReadBytes(dir.Path() / "b.xlsx"));
}

TEST_CASE("Rewriting an existing workbook replaces it whole", "[reports]") {
  TempDir dir;
  const fs::path out = dir.Path() / "accuracy.xlsx";
  std::ofstream(out) << "old contents";
  WriteAccuracyWorkbook(SampleReport(), out.string());
  CHECK(ReadBytes(out).substr(0, 2) == "PK");
  CHECK(dir.Entries() == std::vector<std::string>{"accuracy.xlsx"});
}

TEST_CASE("Writing into a directory that does not exist throws SystemError and leaves "
          "nothing",
          "[reports]") {
  TempDir dir;
  const fs::path out = dir.Path() / "missing" / "accuracy.xlsx";
  CHECK_THROWS_AS(WriteAccuracyWorkbook(SampleReport(), out.string()), coderaudit::SystemError);
  CHECK_THROWS_WITH(WriteAccuracyWorkbook(SampleReport(), out.string()),
                    Catch::Contains("cannot create") && Catch::Contains("missing"));
  CHECK(dir.Entries().empty());
}

TEST_CASE("Writing over a directory is refused as input and leaves nothing behind",
          "[reports]") {
  TempDir dir;
  const fs::path out = dir.Path() / "taken";
  fs::create_directory(out);
  CHECK_THROWS_AS(WriteAccuracyWorkbook(SampleReport(), out.string()), coderaudit::InputError);
  CHECK(dir.Entries() == std::vector<std::string>{"taken"});
  CHECK(fs::is_empty(out));
}

TEST_CASE("A run start time that is not ISO 8601 UTC is refused before anything is kept",
          "[reports]") {
  TempDir dir;
  auto report = SampleReport();
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                          "2026-11-23T04:33:40+01:00", "1970-01-01T00:00:00Z"}) {
    CAPTURE(bad);
    report.run.started_at = bad;
    CHECK_THROWS_AS(WriteAccuracyWorkbook(report, (dir.Path() / "x.xlsx").string()),
                    coderaudit::InputError);
  }
  CHECK(dir.Entries().empty());
}

TEST_CASE("Run start times in the forms the store may hold are accepted", "[reports]") {
  TempDir dir;
  auto report = SampleReport();
  for (const char* good : {"2026-11-23T04:33:40Z", "2026-11-23 04:33:40",
                           "2026-11-23T04:33:40.123Z", "2024-02-29T23:59:59+00:00"}) {
    CAPTURE(good);
    report.run.started_at = good;
    CHECK_NOTHROW(WriteAccuracyWorkbook(report, (dir.Path() / "x.xlsx").string()));
  }
  CHECK(dir.Entries() == std::vector<std::string>{"x.xlsx"});
}

TEST_CASE("An empty report still gives a valid workbook", "[reports]") {
  TempDir dir;
  coderaudit::runs::AccuracyReport report;
  report.run.started_at = "2026-11-23T04:33:40Z";
  const fs::path out = dir.Path() / "empty.xlsx";
  WriteAccuracyWorkbook(report, out.string());
  CHECK(ReadBytes(out).substr(0, 2) == "PK");
}

TEST_CASE("Sheets that fill up continue on numbered sheets", "[reports]") {
  TempDir dir;
  AccuracyWorkbookOptions options;
  options.max_rows_per_sheet = 2;
  const fs::path out = dir.Path() / "split.xlsx";
  WriteAccuracyWorkbook(SampleReport(), out.string(), options);
  CHECK(ReadBytes(out).substr(0, 2) == "PK");
  options.max_rows_per_sheet = 1;
  CHECK_THROWS_AS(WriteAccuracyWorkbook(SampleReport(), out.string(), options),
                  coderaudit::InputError);
}
