// ReadEncountersFile: format detection by content and the mapping option.
#include <catch2/catch.hpp>

#include <sstream>

#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using ingest::DetectFormat;
using ingest::InputFormat;

namespace {

InputFormat Detect(const std::string& text) {
  std::istringstream in(text);
  const InputFormat f = DetectFormat(in);
  CHECK(in.tellg() == 0);  // the stream is left where it was
  return f;
}

}  // namespace

TEST_CASE("The input format is detected from the content", "[x12][fhir][mapping]") {
  CHECK(Detect("ISA*00*") == InputFormat::kX12);
  CHECK(Detect("\xEF\xBB\xBF\r\n  ISA|00|") == InputFormat::kX12);
  CHECK(Detect("GS*HC*A") == InputFormat::kX12);
  CHECK(Detect("{\"resourceType\":\"Bundle\"}") == InputFormat::kFhir);
  CHECK(Detect("\n  [") == InputFormat::kFhir);
  CHECK(Detect("encounter_id,patient_id\n") == InputFormat::kCsv);
  CHECK(Detect("ISA_ID,STATUS\n") == InputFormat::kCsv);  // a CSV column named like a segment
  CHECK(Detect("STATE,CITY\n") == InputFormat::kCsv);
  CHECK(Detect("") == InputFormat::kCsv);
  CHECK(ingest::ParseInputFormat("x12") == InputFormat::kX12);
  CHECK_FALSE(ingest::ParseInputFormat("xml"));
  CHECK(ingest::ToString(InputFormat::kFhir) == "fhir");
}

TEST_CASE("ReadEncountersFile reads every sample format, and a mapping only with CSV", "[x12][fhir][mapping]") {
  const std::string s = test::SourceDir() + "/samples/";
  for (const char* file : {"x12/same_encounters.csv", "x12/same_encounters_837p.x12", "x12/same_encounters_837i.x12",
                           "fhir/same_encounters.bundle.json", "fhir/same_encounters.ndjson"}) {
    INFO(file);
    const auto c = test::ReadPath(s + file);
    CHECK(c.rejects.empty());
    CHECK(c.counts.encounters_processed > 0);
  }
  CHECK_THROWS_WITH(test::ReadPath(s + "x12/same_encounters_837p.x12", InputFormat::kAuto,
                                   s + "mapping/row_per_code.mapping.json"),
                    Catch::Contains("a column mapping applies to CSV input"));
  CHECK_THROWS_AS(test::ReadPath(s + "does-not-exist.csv"), InputError);
  // Forcing a format overrides detection.
  CHECK_THROWS_AS(test::ReadPath(s + "x12/same_encounters.csv", InputFormat::kX12), InputError);
}
