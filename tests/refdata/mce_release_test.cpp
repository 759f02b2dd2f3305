// The CMS MCE release (kind mce-release): its tables read straight from mce.bin, version
// and period from the release itself, dated attribute flags per code, age ranges and
// discharge statuses by date, and clear errors for anything that is not a release.
#include <catch2/catch.hpp>

#include <filesystem>

#include "audit/model/error.hpp"
#include "audit/refdata/period.hpp"
#include "tests/refdata/test_support.hpp"

namespace rd = coderaudit::refdata;
using namespace refdata_test;

namespace {

// The pack subset of the official v43.1 release (samples/packs/make_pack_tables.py).
std::string PackRelease() {
  return std::string(CODERAUDIT_SOURCE_DIR) + "/samples/packs/tables/mce_v43_1_pack.bin";
}

uint64_t Flags(std::initializer_list<rd::MceFlag> flags) {
  uint64_t out = 0;
  for (auto f : flags) out |= rd::Bit(f);
  return out;
}

// A protobuf length-delimited field (tag, length, bytes) for hand-made releases.
std::string Field(int number, const std::string& bytes) {
  std::string out;
  out += static_cast<char>(number << 3 | 2);
  out += static_cast<char>(bytes.size());  // every test message is under 128 bytes
  return out + bytes;
}
std::string Varint(int number, int value) {
  return std::string(1, static_cast<char>(number << 3)) + static_cast<char>(value);
}

}  // namespace

TEST_CASE("An MCE release names its own version and period", "[refdata][mce-release]") {
  const auto period = rd::MceReleasePeriod(PackRelease());
  CHECK(period.version == "v43.1");
  CHECK(period.period.from == D("2015-10-01"));
  REQUIRE(period.period.to);
  CHECK(*period.period.to == D("2026-09-30"));
}

TEST_CASE("MCE release flags, ages and statuses follow the discharge date",
          "[refdata][mce-release]") {
  TempDir dir;
  const auto period = rd::MceReleasePeriod(PackRelease());
  const auto result = rd::ImportTable(dir.Str(), rd::TableKind::kMceRelease, PackRelease(),
                                      period.version, period.period.from, period.period.to);
  CHECK(result.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  using F = rd::MceFlag;
  // O80 lost its sex flag from FY2025, when CMS dropped the sex edits' lists.
  CHECK(data->MceCodeFlags(false, C("O80"), D("2024-09-30")) == Flags({F::kMaternity, F::kFemale}));
  CHECK(data->MceCodeFlags(false, C("O80"), D("2024-10-01")) == Flags({F::kMaternity}));
  // A code valid only from FY2026; a header is not a code at all; PCS is its own table.
  CHECK_FALSE(data->MceCodeFlags(false, C("B88.01"), D("2025-09-30")));
  CHECK(data->MceCodeFlags(false, C("B88.01"), D("2025-10-01")) == uint64_t{0});
  CHECK_FALSE(data->MceCodeFlags(false, C("E11"), D("2024-03-01")));
  CHECK_FALSE(data->MceCodeFlags(true, C("O80"), D("2024-03-01")));
  CHECK(data->MceCodeFlags(true, C("5A1955Z"), D("2020-03-01")) == Flags({F::kLengthOfStay}));
  // 02HA0QZ lost its limited-coverage flag in the April 2022 update.
  CHECK(data->MceCodeFlags(true, C("02HA0QZ"), D("2022-03-31")) == Flags({F::kLimitedCoverage}));
  CHECK(data->MceCodeFlags(true, C("02HA0QZ"), D("2022-04-01")) == uint64_t{0});
  // Maternity ages 12-55 to FY2019, 9-64 from FY2020.
  const auto before = data->MceAges(rd::MceAgeGroup::kMaternity, D("2019-09-30"));
  const auto after = data->MceAges(rd::MceAgeGroup::kMaternity, D("2019-10-01"));
  REQUIRE(before);
  REQUIRE(after);
  CHECK(before->start_age == 12);
  CHECK(before->end_age == 55);
  CHECK(after->start_age == 9);
  CHECK(after->end_age == 64);
  // Status 08 was valid FY1995-FY2005 only; 01 always; 69 from FY2014; 00 never.
  CHECK_FALSE(data->MceDischargeStatusValid(8, D("2024-01-01")));
  CHECK(data->MceDischargeStatusValid(1, D("2024-01-01")));
  CHECK(data->MceDischargeStatusValid(69, D("2016-01-01")));
  CHECK_FALSE(data->MceDischargeStatusValid(0, D("2024-01-01")));
  // Outside the release's period no table is in force: claims there are not checked.
  CHECK(data->TableFor(rd::TableKind::kMceRelease, D("2026-09-30")));
  CHECK_FALSE(data->TableFor(rd::TableKind::kMceRelease, D("2026-10-01")));
  CHECK_FALSE(data->MceCodeFlags(false, C("O80"), D("2026-10-01")));
}

TEST_CASE("What is not an MCE release is refused with the file named",
          "[refdata][mce-release]") {
  TempDir dir;
  const std::string pack = ReadFile(PackRelease());
  const auto truncated = dir.Write("truncated.bin", pack.substr(0, pack.size() / 2));
  const auto text = dir.Write("text.bin", "icd10cm_order_2026.txt is not a release\n");
  const auto jar = dir.Str() + "/no-mce.jar";
  MakeZip(jar, {{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"}});
  for (const auto& path : {truncated, text}) {
    INFO(path);
    try {
      rd::MceReleasePeriod(path);
      FAIL("accepted");
    } catch (const coderaudit::InputError& e) {
      CHECK(std::string(e.what()).find(path) != std::string::npos);
      CHECK(std::string(e.what()).find("not a CMS MCE release") != std::string::npos);
    }
  }
  CHECK_THROWS_AS(rd::MceReleasePeriod(jar), coderaudit::InputError);
  CHECK_THROWS_AS(rd::ImportTable(dir.Str() + "/ref", rd::TableKind::kMceRelease, truncated,
                                  "v43.1", D("2015-10-01"), D("2026-09-30")),
                  coderaudit::InputError);
  CHECK_FALSE(std::filesystem::exists(dir.Str() + "/ref/catalogue.tsv"));
}

TEST_CASE("A code row with a flag no MCE edit knows is kept without it and reported",
          "[refdata][mce-release]") {
  TempDir dir;
  // Root{1 ages{Adult 15-124 from 19840301}, 2 statuses{1 from 19801001},
  //      3 dx{A000 from 20151001 flags [adult, frobnicate]; "1X" (not a code)}, 8 version 431}
  const std::string age = Field(1, Field(1, "Adult") + Varint(2, 15) + Varint(3, 124) +
                                       Field(4, "19840301"));
  const std::string status = Field(1, Varint(1, 1) + Field(2, "19801001"));
  const std::string dx = Field(1, Field(1, "A000") + Field(2, "20151001") + Field(4, "adult") +
                                      Field(4, "frobnicate")) +
                         Field(1, Field(1, "1X") + Field(2, "20151001"));
  const std::string root = Field(1, age) + Field(2, status) + Field(3, dx) + "\x40\xaf\x03";
  const auto path = dir.Write("mce.bin", root);
  const auto r = rd::ImportTable(dir.Str() + "/ref", rd::TableKind::kMceRelease, path, "v43.1",
                                 D("2015-10-01"), D("2026-09-30"));
  CHECK(r.table.rows == 1);
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].line == 1);
  CHECK(r.rejects[0].reason.find("'frobnicate'") != std::string::npos);
  CHECK(r.rejects[1].line == 2);
  CHECK(r.rejects[1].reason == "not an ICD-10-CM code");
  const auto data = rd::LoadRefData(dir.Str() + "/ref");
  CHECK(data->MceCodeFlags(false, C("A00.0"), D("2020-01-01")) == rd::Bit(rd::MceFlag::kAdult));
  CHECK(rd::MceReleasePeriod(path).version == "v43.1");
}

TEST_CASE("The official MCE jar imports whole", "[refdata][mce-release][official]") {
  const std::string jar =
      std::string(CODERAUDIT_SOURCE_DIR) + "/../shared/oracles/cms-java/MCE-2.0-43.1.0.0.jar";
  if (!std::filesystem::exists(jar)) {
    WARN("skipped: ../shared/oracles/cms-java not found");
    return;
  }
  TempDir dir;
  const auto period = rd::MceReleasePeriod(jar);
  const auto r = rd::ImportTable(dir.Str(), rd::TableKind::kMceRelease, jar, period.version,
                                 period.period.from, period.period.to);
  CHECK(r.table.rows == 171741);  // 84,932 diagnosis and 86,809 procedure rows
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  // FY2026 codes (QA00.109 and its chapter) and the unspecified edit from April 2022.
  CHECK(data->MceCodeFlags(false, C("QA00109"), D("2025-10-01")));
  CHECK_FALSE(data->MceCodeFlags(false, C("QA00109"), D("2025-09-30")));
  CHECK(data->MceCodeFlags(false, C("G81.90"), D("2022-04-01")) ==
        rd::Bit(rd::MceFlag::kUnspecified));
  CHECK(data->MceCodeFlags(false, C("G81.90"), D("2022-03-31")) == uint64_t{0});
}
