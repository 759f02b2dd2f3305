#include <catch2/catch.hpp>

#include <sstream>

#include "audit/model/error.hpp"
#include "audit/qa/payment.hpp"

using namespace coderaudit;
using namespace coderaudit::qa;

TEST_CASE("DRG weight and CC/MCC tables are read strictly", "[qa][payment]") {
  std::istringstream ok("drg,weight,title\n291,1.3371,HEART FAILURE W MCC\n292,0.8898,x\n");
  auto w = ReadDrgWeightsCsv(ok, "w.csv");
  CHECK(w.size() == 2);
  CHECK(w.at("291") == 1.3371);
  for (const char* bad : {"drg,weight\n29,1.0\n", "drg,weight\n291,0\n", "drg,weight\n291,abc\n",
                          "drg,weight\n291,1\n291,2\n", "weight\n1\n", "drg,weight\n"}) {
    std::istringstream in(bad);
    CAPTURE(bad);
    CHECK_THROWS_AS(ReadDrgWeightsCsv(in, "w.csv"), InputError);
  }
  std::istringstream levels("code,level\nI50.23,MCC\nN17.9,CC\n");
  auto s = ReadSeverityCsv(levels, "s.csv");
  CHECK(s.at(Code::Of("I5023")) == Severity::kMcc);
  std::istringstream bad_level("code,level\nI10,major\n");
  CHECK_THROWS_WITH(ReadSeverityCsv(bad_level, "s.csv"), Catch::Contains("s.csv:2: level"));
}

TEST_CASE("The usual charge is the most frequent per-unit charge, ties to the lower", "[qa][payment]") {
  ChargeReference c;
  c.Add(ClaimType::kOutpatient, Code::Of("96372"), 2, 19000);  // 95.00 per unit
  c.Add(ClaimType::kOutpatient, Code::Of("96372"), 1, 9500);
  c.Add(ClaimType::kOutpatient, Code::Of("96372"), 1, 4500);
  c.Add(ClaimType::kOutpatient, Code::Of("36415"), 1, 2500);
  c.Add(ClaimType::kOutpatient, Code::Of("36415"), 1, 2000);
  c.Add(ClaimType::kOutpatient, Code::Of("85025"), 1, 0);  // no charge: ignored
  CHECK(c.PerUnit(ClaimType::kOutpatient, Code::Of("96372")) == 9500);
  CHECK(c.PerUnit(ClaimType::kOutpatient, Code::Of("36415")) == 2000);
  CHECK_FALSE(c.PerUnit(ClaimType::kProfessional, Code::Of("96372")));
  CHECK_FALSE(c.PerUnit(ClaimType::kOutpatient, Code::Of("85025")));
  CHECK(FormatCents(-123456) == "-1234.56");
  CHECK(FormatCents(5) == "0.05");
}
