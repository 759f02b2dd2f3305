#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/model/error.hpp"

using namespace coderaudit;
using namespace coderaudit::ingest;

namespace {
const std::string kHeader =
    "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,"
    "coder_id,payer,drg,discharge_status,code_type,seq,code,poa,modifiers,units,service_date,"
    "charge\n";

struct Result {
  IngestCounts counts;
  std::vector<Encounter> encounters;
  std::vector<Reject> rejects;
  std::vector<std::string> warnings;
};

Result Read(const std::string& text) {
  Result r;
  IngestSink sink;
  sink.on_encounter = [&](Encounter&& e) { r.encounters.push_back(std::move(e)); };
  sink.on_reject = [&](Reject&& j) { r.rejects.push_back(std::move(j)); };
  sink.on_warning = [&](const std::string& w) { r.warnings.push_back(w); };
  std::istringstream in(text);
  r.counts = ReadEncounterCsv(in, "enc.csv", sink);
  return r;
}

void CheckCountsAddUp(const IngestCounts& c) {
  CHECK(c.records_read == c.records_processed + c.records_rejected);
  CHECK(c.encounters_read == c.encounters_processed + c.encounters_rejected);
}
}  // namespace

TEST_CASE("A well-formed encounter file becomes encounters with every field", "[ingest]") {
  auto r = Read(kHeader +
                "E1,P1,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,MCR,470,01,DX,1,M17.11,Y,,,,\n"
                "E1,,,,,,,,,,,,DX,2,E11.9,N,,,,\n"
                "E1,P1,,,,,,,,,,,PCS,1,0SRD0J9,,,,2024-03-05,\n"
                "E2,P2,M,1971-09-30,2024-03-06,2024-03-06,professional,NPI2,C02,BCBS,,,HCPCS,,99213,,25,,2024-03-06,125.5\n"
                "E2,,,,,,,,,,,,HCPCS,,20610,,RT;59,2,,210.00\n");
  REQUIRE(r.rejects.empty());
  CHECK(r.counts.records_read == 5);
  CHECK(r.counts.records_processed == 5);
  CHECK(r.counts.encounters_processed == 2);
  REQUIRE(r.encounters.size() == 2);
  const auto& e1 = r.encounters[0];
  CHECK(e1.claim_type == ClaimType::kInpatient);
  CHECK(e1.drg == "470");
  CHECK(e1.AgeAtAdmission() == 65);
  REQUIRE(e1.lines.size() == 3);
  CHECK(e1.lines[0].code.View() == "M1711");
  CHECK(e1.lines[0].poa == 'Y');
  CHECK(e1.lines[2].type == CodeType::kPcs);
  CHECK(ToIso(*e1.lines[2].service_date) == "2024-03-05");
  const auto& e2 = r.encounters[1];
  CHECK(e2.lines[0].units == 1);          // default for HCPCS
  CHECK(e2.lines[0].charge_cents == 12550);
  CHECK(e2.lines[1].modifiers.Str() == "RT;59");
  CHECK(e2.lines[1].units == 2);
  CHECK(e2.DateOfService(e2.lines[1]) == e2.from_date);
}

TEST_CASE("A bad field rejects its encounter with file, line, field and reason", "[ingest]") {
  auto r = Read(kHeader +
                "E1,P1,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,M17.11,Y,,,,\n"
                "E1,,,,,,,,,,,,PCS,1,0SRD0J,,,,,\n"
                "E2,P2,M,1971-09-30,2024-03-06,2024-03-06,professional,NPI2,C02,,,,HCPCS,,99213,,,,,\n");
  CheckCountsAddUp(r.counts);
  CHECK(r.counts.records_rejected == 2);
  CHECK(r.counts.encounters_rejected == 1);
  REQUIRE(r.encounters.size() == 1);
  CHECK(r.encounters[0].id == "E2");
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].file == "enc.csv");
  CHECK(r.rejects[0].line == 2);
  CHECK(r.rejects[0].reason == "encounter rejected: see line 3");
  CHECK(r.rejects[1].line == 3);
  CHECK(r.rejects[1].field == "code");
  CHECK(r.rejects[1].reason == "ICD-10-PCS codes have exactly 7 characters");
}

TEST_CASE("Each kind of malformed row names the offending field", "[ingest]") {
  const std::string base = "E1,P1,F,1958-04-02,2024-03-04,2024-03-08,professional,NPI1,C01,,,,";
  struct Case {
    std::string row, field;
  };
  const std::vector<Case> cases = {
      {"E1,P1,X,1958-04-02,2024-03-04,2024-03-08,professional,NPI1,C01,,,,DX,1,I10,,,,,", "sex"},
      {"E1,P1,F,1958-02-30,2024-03-04,2024-03-08,professional,NPI1,C01,,,,DX,1,I10,,,,,", "birth_date"},
      {"E1,P1,F,1958-04-02,2024-03-09,2024-03-08,professional,NPI1,C01,,,,DX,1,I10,,,,,", "through_date"},
      {"E1,P1,F,1958-04-02,2024-03-04,2024-03-08,hospice,NPI1,C01,,,,DX,1,I10,,,,,", "claim_type"},
      {"E1,P1,F,1958-04-02,2024-03-04,2024-03-08,professional,,C01,,,,DX,1,I10,,,,,", "provider_id"},
      {"E1,P1,F,1958-04-02,2024-03-04,2024-03-08,professional,NPI1,,,,,DX,1,I10,,,,,", "coder_id"},
      {"E1,P1,F,1958-04-02,2024-03-04,2024-03-08,professional,NPI1,C01,,47,,DX,1,I10,,,,,", "drg"},
      {base + "RX,1,I10,,,,,", "code_type"},
      {base + "DX,0,I10,,,,,", "seq"},
      {base + "DX,1,110,,,,,", "code"},
      {base + "DX,1,I10,Q,,,,", "poa"},
      {base + "DX,1,I10,,25,,,", "modifiers"},
      {base + "HCPCS,,99213,,25;59;RT;LT;XS,,,", "modifiers"},
      {base + "HCPCS,,99213,,,0,,", "units"},
      {base + "HCPCS,,99213,,,abc,,", "units"},
      {base + "HCPCS,,9921,,,,,", "code"},
      {base + "HCPCS,,99213,,,,2024-03-09,", "service_date"},
      {base + "HCPCS,,99213,,,,,12.345", "charge"},
      {base + "HCPCS,,99213,,,,,-5", "charge"},
  };
  for (const auto& c : cases) {
    INFO(c.row);
    auto r = Read(kHeader + c.row + "\n");
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.rejects[0].field == c.field);
    CHECK(r.rejects[0].line == 2);
    CHECK(r.encounters.empty());
    CheckCountsAddUp(r.counts);
  }
}

TEST_CASE("Diagnoses without seq 1 reject the encounter at its first diagnosis", "[ingest]") {
  // Seq 1 is the principal (first-listed) diagnosis: without it the MCE's principal
  // edits would have nothing to judge, and the claim would look clean.
  const std::string head = "E1,P1,M,1960-01-01,2024-09-27,2024-09-30,inpatient,PR1,C1,,,01,";
  auto r = Read(kHeader + head + "HCPCS,,99213,,,,,\n" + head + "DX,2,I10,Y,,,,\n" + head +
                "DX,3,I50.22,Y,,,,\n");
  REQUIRE(r.rejects.size() == 3);
  CHECK(r.rejects[1].line == 3);
  CHECK(r.rejects[1].field == "seq");
  CHECK_THAT(r.rejects[1].reason, Catch::Contains("no diagnosis has seq 1"));
  CHECK(r.encounters.empty());
  CheckCountsAddUp(r.counts);
  // Procedures and service lines alone need no diagnosis; seq 1 anywhere is enough.
  CHECK(Read(kHeader + head + "HCPCS,,99213,,,,,\n").encounters.size() == 1);
  CHECK(Read(kHeader + head + "DX,2,I10,Y,,,,\n" + head + "DX,1,I50.22,Y,,,,\n").encounters.size() ==
        1);
}

TEST_CASE("A later row that contradicts the encounter header is rejected", "[ingest]") {
  auto r = Read(kHeader +
                "E1,P1,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,\n"
                "E1,P1,M,,,,,,,,,,DX,2,E11.9,,,,,\n");
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[1].field == "sex");
  CHECK(r.rejects[1].reason == "differs from the value on the encounter's first row");
}

TEST_CASE("Rows of an encounter must be contiguous", "[ingest]") {
  auto r = Read(kHeader +
                "E1,P1,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,\n"
                "E2,P2,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,\n"
                "E1,,,,,,,,,,,,DX,2,E11.9,,,,,\n");
  CHECK(r.encounters.size() == 2);
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].line == 4);
  CHECK(r.rejects[0].field == "encounter_id");
  CheckCountsAddUp(r.counts);
}

TEST_CASE("A structurally broken row rejects the encounter it sits in", "[ingest]") {
  const std::string ok = ",P,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,\n";
  auto r = Read(kHeader + "E1" + ok +           // line 2
                "E1,too,few,fields\n" +          // 3: E1's row, unusable -> E1 rejected
                "E1,,,,,,,,,,,,DX,2,E11.9,,,,,\n" + // 4
                "E2" + ok +                      // 5
                "E3,short\n" +                   // 6: another encounter's row: E2 unaffected
                "E4" + ok +                      // 7
                "E4,P,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,2,\"I10\n");  // 8
  CheckCountsAddUp(r.counts);
  CHECK(r.counts.records_read == 7);
  REQUIRE(r.encounters.size() == 1);
  CHECK(r.encounters[0].id == "E2");
  CHECK(r.counts.records_rejected == 6);
  CHECK(r.counts.encounters_rejected == 3);  // E1, E3 (its one row is unusable), E4
  REQUIRE(r.rejects.size() == 6);
  CHECK(r.rejects[0].line == 3);
  CHECK(r.rejects[0].reason == "has 4 fields, the header has 20");
  CHECK(r.rejects[1].line == 2);
  CHECK(r.rejects[1].reason == "encounter rejected: see line 3");
  CHECK(r.rejects[3].line == 6);
  CHECK(r.rejects[4].line == 8);
  CHECK(r.rejects[4].reason.find("unterminated quoted field") == 0);
  CHECK(r.rejects[5].line == 7);
}

TEST_CASE("A missing required column stops the file with a clear error", "[ingest]") {
  IngestSink sink;
  std::istringstream in("encounter_id,patient_id\nE1,P1\n");
  CHECK_THROWS_WITH(ReadEncounterCsv(in, "x.csv", sink),
                    Catch::Contains("required column 'sex' is missing"));
  std::istringstream empty("");
  CHECK_THROWS_AS(ReadEncounterCsv(empty, "x.csv", sink), InputError);
}

TEST_CASE("Unknown columns are ignored with a warning", "[ingest]") {
  std::string header = kHeader;
  header.insert(header.size() - 1, ",note");
  auto r = Read(header +
                "E1,P1,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,,hello\n");
  CHECK(r.encounters.size() == 1);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].find("note") != std::string::npos);
}

TEST_CASE("Reject reasons never echo the offending value", "[ingest]") {
  auto r = Read(kHeader +
                "E1,P1,F,SECRET-DOB,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,\n");
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].reason.find("SECRET") == std::string::npos);
}

TEST_CASE("A file whose ids stop ascending is re-read once and still catches a reappearing id",
          "[ingest]") {
  // Ascending ids are tracked without memory; the first id out of order (E05 after E09)
  // re-reads the file up to that row. A structurally broken row (line 5) is not an
  // encounter start and must not count as one on re-reading either.
  const std::string row = ",P1,F,1958-04-02,2024-03-04,2024-03-08,inpatient,NPI1,C01,,,,DX,1,I10,,,,,\n";
  const std::string text = kHeader + "E01" + row + "E02" + row + "E09" + row +
                           "E77,short\n" +   // line 5: wrong field count
                           "E05" + row +     // out of order, new
                           "E02" + row +     // line 7: E02 already ended
                           "E10" + row;
  const auto path = std::filesystem::temp_directory_path() /
                    ("coderaudit_unsorted_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary) << text;
  Result r;
  IngestSink sink;
  sink.on_encounter = [&](Encounter&& e) { r.encounters.push_back(std::move(e)); };
  sink.on_reject = [&](Reject&& j) { r.rejects.push_back(std::move(j)); };
  r.counts = ReadEncounterCsvFile(path.string(), sink);
  std::filesystem::remove(path);
  std::vector<std::string> ids;
  for (const auto& e : r.encounters) ids.push_back(e.id);
  CHECK(ids == std::vector<std::string>{"E01", "E02", "E09", "E05", "E10"});
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].line == 5);
  CHECK(r.rejects[1].line == 7);
  CHECK(r.rejects[1].reason == "rows of an encounter must be contiguous; this encounter already ended");
  // The same text as a stream (nothing to re-read) gives the same result.
  const auto s = Read(text);
  CHECK(s.encounters.size() == r.encounters.size());
  REQUIRE(s.rejects.size() == 2);
  CHECK(s.rejects[1].line == 7);
  CheckCountsAddUp(r.counts);
}

// Issue 12: a malformed row names its field, and a malformed first row takes its own
// encounter down with it instead of making the next row look like a bad first row.
TEST_CASE("NUL and stray-quote rejects name their field, and a malformed first row rejects its own encounter", "[ingest][issue12]") {
  const std::string first = "PT1,F,1961-05-14,2024-04-02,2024-04-02,professional,9000000001,C01,BCBS,,,DX,1,";
  const std::string more = ",,,,,,,,,,,,HCPCS,,99213,,,1,2024-04-02,125.00\n";
  const std::string nul("M17\0" "11", 6);
  const auto r = Read(kHeader +
                      "E1," + first + nul + ",,,,,\n" + "E1" + more +                    // NUL in code (line 2)
                      "E2," + first + "M1\"7.11,,,,,\n" + "E2" + more +                 // stray quote in code (line 4)
                      "E3," + first + "M17.11,,,,,\n" + "E3" + more);                    // good
  INFO(r.rejects.size());
  CheckCountsAddUp(r.counts);
  CHECK(r.counts.encounters_read == 3);
  CHECK(r.counts.encounters_rejected == 2);
  REQUIRE(r.encounters.size() == 1);
  CHECK(r.encounters[0].id == "E3");
  REQUIRE(r.rejects.size() == 4);
  CHECK(r.rejects[0].line == 2);
  CHECK(r.rejects[0].field == "code");
  CHECK(r.rejects[0].reason.find("NUL") != std::string::npos);
  CHECK(r.rejects[1].line == 3);
  CHECK(r.rejects[1].reason == "encounter rejected: see line 2");
  CHECK(r.rejects[2].line == 4);
  CHECK(r.rejects[2].field == "code");
  CHECK(r.rejects[3].line == 5);
  CHECK(r.rejects[3].reason == "encounter rejected: see line 4");
}

TEST_CASE("Diagnosis codes follow the code sets' form: QA00.109 reads, the admitting diagnosis too",
          "[ingest][issue15]") {
  const std::string header =
      "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,"
      "coder_id,discharge_status,admitting_dx,code_type,seq,code,poa\n";
  auto r = Read(header +
                "E1,P1,F,2020-01-01,2025-11-03,2025-11-05,inpatient,NPI1,C01,01,R07.9,DX,1,QA00.109,Y\n"
                "E1,,,,,,,,,,,DX,2,U07.1,Y\n"
                "E2,P2,F,2020-01-01,2025-11-03,2025-11-05,inpatient,NPI1,C01,01,7A1.0,DX,1,E11.9,Y\n"
                "E3,P3,F,2020-01-01,2025-11-03,2025-11-05,inpatient,NPI1,C01,01,,DX,1,9A1.0,Y\n");
  CheckCountsAddUp(r.counts);
  REQUIRE(r.encounters.size() == 1);
  CHECK(r.encounters[0].lines[0].code == Code::Of("QA00109"));
  CHECK(r.encounters[0].admitting_dx == Code::Of("R079"));
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].line == 4);
  CHECK(r.rejects[0].field == "admitting_dx");
  CHECK(r.rejects[1].line == 5);
  CHECK(r.rejects[1].field == "code");
  CHECK(r.rejects[1].reason.find("not an ICD-10-CM code") != std::string::npos);
}
