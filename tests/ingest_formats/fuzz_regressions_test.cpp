// Inputs found by fuzzing (fuzz/README.md) or by reviewing what the fuzzers could not
// reach, kept as tests so they stay fixed. Each case names where it came from.
#include <catch2/catch.hpp>

#include <limits>

#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;

namespace {

std::string ClaimWithItem(const std::string& item_fields, const std::string& diagnosis_sequence = "1") {
  return R"({"resourceType":"Claim","identifier":[{"value":"X1"}],"type":{"coding":[{"code":"professional"}]},)"
         R"("contained":[{"resourceType":"Patient","id":"p","gender":"male","birthDate":"1950-01-01"},)"
         R"({"resourceType":"Organization","id":"o","identifier":[{"value":"1"}]}],)"
         R"("patient":{"reference":"#p"},"provider":{"reference":"#o"},"billablePeriod":{"start":"2024-01-01"},)"
         R"("diagnosis":[{"sequence":)" + diagnosis_sequence +
         R"(,"diagnosisCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"R69"}]}}],)"
         R"("item":[{"sequence":1,"productOrService":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"99213"}]})" +
         item_fields + "}]}\n";
}

}  // namespace

// Review of fuzz coverage, UBSan: "1e+300 is outside the range of representable values
// of type 'long'" in the diagnosisSequence lookup (fhir_reader.cpp). libFuzzer did not
// produce such a number in 5 minutes; the FHIR dictionary now carries extreme numbers.
TEST_CASE("Fuzz regression: an out-of-range diagnosisSequence is a reject, not a cast", "[fhir]") {
  for (const char* v : {"1e300", "-1e300", "1.5", "0", "-1", "18446744073709551616", "9223372036854775808"}) {
    INFO(v);
    const Collected c = test::ReadFhirText(ClaimWithItem(std::string(",\"diagnosisSequence\":[") + v + "]"));
    CHECK(c.counts.records_rejected == 1);
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.rejects[0].field == "Claim.item[0].diagnosisSequence[0]");
  }
}

TEST_CASE("Fuzz regression: extreme numbers elsewhere in a FHIR claim are rejected cleanly", "[fhir]") {
  struct Case {
    std::string item, sequence, field;
  };
  const std::vector<Case> cases = {
      {",\"quantity\":{\"value\":1e300}", "1", "Claim.item[0].quantity"},
      {",\"quantity\":{\"value\":-0.0}", "1", "Claim.item[0].quantity"},
      {",\"net\":{\"value\":1e300}", "1", "Claim.item[0].net"},
      {",\"net\":{\"value\":-1e-320}", "1", "Claim.item[0].net"},
      {",\"unitPrice\":{\"value\":1e300},\"quantity\":{\"value\":99999}", "1", "Claim.item[0].unitPrice"},
      {"", "1e300", "Claim.diagnosis[0].sequence"},
      {"", "1.5", "Claim.diagnosis[0].sequence"},
      {"", "\"1\"", "Claim.diagnosis[0].sequence"},
  };
  for (const auto& k : cases) {
    INFO(k.item << " / " << k.sequence);
    const Collected c = test::ReadFhirText(ClaimWithItem(k.item, k.sequence));
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.rejects[0].field == k.field);
    CHECK(test::CountsAddUp(c.counts));
  }
}

TEST_CASE("Fuzz regression: the largest hierarchical id does not wrap into a valid sequence", "[x12]") {
  auto claim = test::ProfessionalClaim("C1");
  claim[0] = "HL*18446744073709551615**20*1";
  claim[2] = "HL*0*18446744073709551615*22*0";  // 2^64-1 + 1 wraps to 0
  const Collected c = test::ReadX12Text(test::Wrap(claim));
  CHECK(c.counts.records_rejected == 1);
  REQUIRE(c.rejects.size() == 1);
  CHECK_THAT(c.rejects[0].reason, Catch::Contains("HL01"));
  claim[0] = "HL*99999999999999999999999**20*1";  // does not fit 64 bits
  CHECK(test::ReadX12Text(test::Wrap(claim)).counts.records_rejected == 1);
}

TEST_CASE("Fuzz regression: a segment of nothing but separators stays bounded", "[x12]") {
  auto claim = test::ProfessionalClaim("C1");
  claim.insert(claim.begin() + 9, "NTE" + std::string(65000, '*'));  // 65,000 empty elements
  claim.insert(claim.begin() + 9, "HI" + std::string(60000, '*') + "ABF:R69");
  const Collected c = test::ReadX12Text(test::Wrap(claim));
  INFO(c.Describe());
  CHECK(test::CountsAddUp(c.counts));
  CHECK(c.counts.records_read == 1);
}
