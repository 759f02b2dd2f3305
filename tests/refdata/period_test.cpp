#include <catch2/catch.hpp>

#include "audit/refdata/period.hpp"
#include "audit/refdata/refdata.hpp"
#include "test_support.hpp"

namespace rd = coderaudit::refdata;
using refdata_test::D;

TEST_CASE("A quarter in a file name gives that calendar quarter", "[refdata]") {
  const auto g = rd::InferPeriod(rd::TableKind::kPtpPractitioner,
                                 "../shared/data/ncci/ncci_ptp_practitioner_2024q3.tsv.gz");
  REQUIRE(g);
  CHECK(g->version == "2024Q3");
  CHECK(g->period.from == D("2024-07-01"));
  CHECK(g->period.to == D("2024-09-30"));
  const auto q4 = rd::InferPeriod(rd::TableKind::kAddOn, "aoc_2023Q4.csv");
  REQUIRE(q4);
  CHECK(q4->period.from == D("2023-10-01"));
  CHECK(q4->period.to == D("2023-12-31"));
}

TEST_CASE("A fiscal year in a file name runs from October 1 to September 30", "[refdata]") {
  const auto g =
      rd::InferPeriod(rd::TableKind::kIcd10CmOrder, "icd10cm_fy2026_code_descriptions.zip");
  REQUIRE(g);
  CHECK(g->version == "FY2026");
  CHECK(g->period.from == D("2025-10-01"));
  CHECK(g->period.to == D("2026-09-30"));
  CHECK(rd::FiscalYearOf(D("2025-09-30")) == 2025);
  CHECK(rd::FiscalYearOf(D("2025-10-01")) == 2026);
}

TEST_CASE("A bare year is a fiscal year for ICD kinds and a calendar year for NCCI kinds",
          "[refdata]") {
  const auto icd = rd::InferPeriod(rd::TableKind::kIcd10CmOrder, "icd10cm_order_2026.txt");
  REQUIRE(icd);
  CHECK(icd->version == "FY2026");
  CHECK(icd->period.from == D("2025-10-01"));
  const auto ptp = rd::InferPeriod(rd::TableKind::kPtpPractitioner, "ptp_2024_sample.tsv");
  REQUIRE(ptp);
  CHECK(ptp->version == "2024");
  CHECK(ptp->period.from == D("2024-01-01"));
  CHECK(ptp->period.to == D("2024-12-31"));
}

TEST_CASE("MCE file names give the MCE version and the fiscal year's period", "[refdata]") {
  const auto v41 = rd::InferPeriod(rd::TableKind::kMce, "mce_v41_1_fy2024_code_edits.csv");
  REQUIRE(v41);
  CHECK(v41->version == "v41.1");
  CHECK(v41->period.from == D("2023-10-01"));
  const auto v37 = rd::InferPeriod(rd::TableKind::kMce, "mce_v37_fy2020_code_edits.tsv");
  REQUIRE(v37);
  CHECK(v37->version == "v37");
  CHECK(v37->period.to == D("2020-09-30"));
}

TEST_CASE("A file name without a period infers nothing", "[refdata]") {
  CHECK_FALSE(rd::InferPeriod(rd::TableKind::kInpatientOnly, "my_list.csv"));
  CHECK_FALSE(rd::InferPeriod(rd::TableKind::kHcpcs, "codes-v2.csv"));
}

TEST_CASE("Table dates are YYYYMMDD or ISO and must be real days", "[refdata]") {
  CHECK(rd::ParseTableDate("20231231") == D("2023-12-31"));
  CHECK(rd::ParseTableDate("2024-02-29") == D("2024-02-29"));
  CHECK_FALSE(rd::ParseTableDate("20230230"));
  CHECK_FALSE(rd::ParseTableDate("2023123"));
  CHECK_FALSE(rd::ParseTableDate("*"));
}

TEST_CASE("Table kind and MCE list names round-trip", "[refdata]") {
  for (int k = 0; k <= static_cast<int>(rd::TableKind::kCpt); ++k) {
    const auto kind = static_cast<rd::TableKind>(k);
    CHECK(rd::ParseTableKind(rd::ToString(kind)) == kind);
  }
  CHECK(rd::ParseTableKind("aoc") == rd::TableKind::kAddOn);
  CHECK_FALSE(rd::ParseTableKind("ptp"));
  for (int l = 0; l <= static_cast<int>(rd::MceList::kNonCoveredLos96Hours); ++l) {
    const auto list = static_cast<rd::MceList>(l);
    CHECK(rd::ParseMceList(rd::ToString(list)) == list);
  }
  CHECK(rd::ToString(rd::MceList::kFemaleDx) == "female-dx");
}

TEST_CASE("A PTP pair is active from its effective date through its deletion date", "[refdata]") {
  rd::PtpEdit e;
  e.deleted = D("2023-12-31");
  CHECK(e.ActiveOn(D("1999-01-01")));  // no effective date: in force since before history
  CHECK(e.ActiveOn(D("2023-12-31")));
  CHECK_FALSE(e.ActiveOn(D("2024-01-01")));
  e.effective = D("2020-01-01");
  CHECK_FALSE(e.ActiveOn(D("2019-12-31")));
  CHECK(e.ActiveOn(D("2020-01-01")));
  rd::PtpEdit open;
  CHECK(open.ActiveOn(D("2100-01-01")));
}
