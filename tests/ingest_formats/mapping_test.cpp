// CSV column mapping: date layouts, mapping files, both layouts.
#include <catch2/catch.hpp>

#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::ingest::ParseCsvMapping;
using coderaudit::ingest::ParseDateWithFormat;
using coderaudit::test::Collected;
using coderaudit::test::ReadMappedText;

namespace {

std::string Iso(std::string_view text, std::string_view format) {
  auto d = ParseDateWithFormat(text, format);
  return d ? ToIso(*d) : "-";
}

const std::string kRowPerCode = R"({
  "coderaudit_csv_mapping": 1,
  "delimiter": "tab",
  "date_format": "MM/DD/YYYY",
  "fields": {
    "encounter_id": "Visit", "patient_id": "MRN",
    "sex": {"column": "Sex", "values": {"Female": "F", "Male": "M"}},
    "birth_date": {"column": "DOB", "date_format": "YYYYMMDD"},
    "from_date": "Admit", "through_date": "Discharge",
    "claim_type": {"value": "inpatient"},
    "provider_id": "NPI", "coder_id": {"value": "EXPORT"},
    "drg": "DRG", "discharge_status": "Disp",
    "code_type": {"column": "Kind", "values": {"Dx": "DX", "Px": "PCS"}},
    "code": "Code", "poa": "POA"
  }
})";

}  // namespace

TEST_CASE("Date layouts: separators, one or two digits, compact forms, a trailing time", "[mapping]") {
  CHECK(Iso("03/04/2024", "MM/DD/YYYY") == "2024-03-04");
  CHECK(Iso("3/4/2024", "MM/DD/YYYY") == "2024-03-04");
  CHECK(Iso("3/4/2024", "M/D/YYYY") == "2024-03-04");
  CHECK(Iso("04.03.2024", "DD.MM.YYYY") == "2024-03-04");
  CHECK(Iso("20240304", "YYYYMMDD") == "2024-03-04");
  CHECK(Iso("2024-03-04", "YYYY-MM-DD") == "2024-03-04");
  CHECK(Iso("3/4/2024 0:00", "M/D/YYYY") == "2024-03-04");
  CHECK(Iso("2024-03-04T10:30:00Z", "YYYY-MM-DD") == "2024-03-04");
  CHECK(Iso("3/4/2024 12:30:00 PM", "M/D/YYYY") == "2024-03-04");
  CHECK(Iso("2024034", "YYYYMMDD") == "-");
  CHECK(Iso("02/30/2024", "MM/DD/YYYY") == "-");
  CHECK(Iso("13/01/2024", "MM/DD/YYYY") == "-");
  CHECK(Iso("03/04/24", "MM/DD/YYYY") == "-");
  CHECK(Iso("03/04/2024x", "MM/DD/YYYY") == "-");
  CHECK(Iso("", "MM/DD/YYYY") == "-");
  CHECK_FALSE(ingest::ValidDateFormat("MM/DD/YY"));
  CHECK_FALSE(ingest::ValidDateFormat("YYYY-MM"));
  CHECK_FALSE(ingest::ValidDateFormat("YYYY-MM-DD-DD"));
}

TEST_CASE("A mapping file with a mistake is refused with the reason", "[mapping]") {
  auto error = [](const std::string& json) {
    try {
      ParseCsvMapping(json, "m.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(error("not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error("{}"), Catch::Contains("\"coderaudit_csv_mapping\": 1 is required"));
  std::string m = kRowPerCode;
  CHECK(error(m) == "accepted");
  CHECK_THAT(error(std::string(m).replace(m.find("\"delimiter\""), 11, "\"delimitr\"")), Catch::Contains("unknown key 'delimitr'"));
  CHECK_THAT(error(std::string(m).replace(m.find("MM/DD/YYYY"), 10, "MM/DD/YY")), Catch::Contains("date_format"));
  CHECK_THAT(error(std::string(m).replace(m.find("\"NPI\""), 5, "\"NPI\", \"colour\": \"x\"")), Catch::Contains("unknown field 'colour'"));
  CHECK_THAT(error(std::string(m).replace(m.find("\"provider_id\": \"NPI\","), 21, "")), Catch::Contains("fields.provider_id is required"));
  CHECK_THAT(error(std::string(m).replace(m.find("{\"value\": \"inpatient\"}"), 22, "{\"value\": \"x\", \"column\": \"y\"}")),
             Catch::Contains("exactly one of"));
  CHECK_THAT(error(R"({"coderaudit_csv_mapping": 1, "layout": "row_per_encounter", "fields": {"encounter_id": "a", "patient_id": "b",
      "sex": "c", "birth_date": "d", "from_date": "e", "through_date": "f", "claim_type": "g", "provider_id": "h", "coder_id": "i"},
      "repeat": [{"code_type": "DX", "count": 25, "code": "DX"}]})"),
             Catch::Contains("must contain {n}"));
}

TEST_CASE("A tab-separated export with value maps, constants and a second date layout", "[mapping]") {
  const std::string csv =
      "Visit\tMRN\tSex\tDOB\tAdmit\tDischarge\tNPI\tDRG\tDisp\tKind\tCode\tPOA\n"
      "V1\tM1\tFemale\t19500203\t03/04/2024\t03/07/2024\t9999999991\t70\t1\tDx\tK35.80\tY\n"
      "V1\t\t\t\t\t\t\t\t\tDx\tE119\tN\n"
      "V1\t\t\t\t\t\t\t\t\tPx\t0DTJ4ZZ\t\n"
      "V2\tM2\tMale\t19601010\t03/05/2024\t03/06/2024\t9999999991\t\t\tDx\tR69\t\n"
      "V2\t\t\t\t\t\t\t\t\tRx\tX\t\n";
  const Collected c = ReadMappedText(csv, kRowPerCode);
  INFO(c.Describe());
  CHECK(c.counts.records_read == 5);
  CHECK(c.counts.records_processed == 3);
  CHECK(c.counts.records_rejected == 2);
  CHECK(c.counts.encounters_processed == 1);
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.sex == Sex::kFemale);
  CHECK(ToIso(*e.birth_date) == "1950-02-03");
  CHECK(ToIso(e.from_date) == "2024-03-04");
  CHECK(e.claim_type == ClaimType::kInpatient);
  CHECK(e.coder_id == "EXPORT");
  CHECK(e.drg == "070");               // spreadsheet-stripped zeros restored
  CHECK(e.discharge_status == "01");
  REQUIRE(e.lines.size() == 3);
  CHECK(e.lines[0].code.View() == "K3580");
  CHECK(e.lines[0].seq == 1);          // no seq column: numbered per type in row order
  CHECK(e.lines[1].seq == 2);
  CHECK(e.lines[1].poa == 'N');
  CHECK(e.lines[2].type == CodeType::kPcs);
  CHECK(e.lines[2].seq == 1);
  // V2's second row has an unmapped code type: named by its source column.
  REQUIRE(c.rejects.size() == 2);
  CHECK(c.rejects[1].line == 6);
  CHECK(c.rejects[1].field == "Kind");
  CHECK_THAT(c.rejects[1].reason, Catch::Contains("must be DX, PCS or HCPCS"));
  CHECK_THAT(c.rejects[0].reason, Catch::Contains("encounter rejected: see line 6"));
}

TEST_CASE("A mapped column missing from the header stops the file", "[mapping]") {
  CHECK_THROWS_WITH(ReadMappedText("Visit\tMRN\n", kRowPerCode), Catch::Contains("mapped column(s) missing from the header: 'Sex'"));
}

TEST_CASE("One row per encounter: repeated columns, empty slots skipped, seq is the position", "[mapping]") {
  const std::string mapping = R"({
    "coderaudit_csv_mapping": 1, "layout": "row_per_encounter", "date_format": "YYYY-MM-DD",
    "fields": {"encounter_id": "id", "patient_id": "pt", "sex": "sex", "birth_date": "dob", "from_date": "from",
               "through_date": "to", "claim_type": "type", "provider_id": "npi", "coder_id": "coder"},
    "repeat": [{"code_type": "DX", "count": 3, "code": "dx{n}"},
               {"code_type": "HCPCS", "count": 2, "code": "cpt{n}", "modifiers": ["cpt{n}m1", "cpt{n}m2"], "units": "cpt{n}u"}]})";
  const std::string csv =
      "id,pt,sex,dob,from,to,type,npi,coder,dx1,dx2,dx3,cpt1,cpt1m1,cpt1m2,cpt1u,cpt2,cpt2m1,cpt2m2,cpt2u\n"
      "E1,P1,F,1970-01-01,2024-01-02,2024-01-02,professional,9999999991,C1,M17.11,,E11.9,20610,RT,59,2,,,,\n"
      "E2,P2,M,1970-01-01,2024-01-02,2024-01-02,professional,9999999991,C1,R69,,,99213,XYZ,,1,,,,\n"
      "E1,P1,F,1970-01-01,2024-01-02,2024-01-02,professional,9999999991,C1,R69,,,,,,,,,,\n";
  const Collected c = ReadMappedText(csv, mapping);
  INFO(c.Describe());
  CHECK(c.counts.records_read == 3);
  CHECK(c.counts.records_processed == 1);
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  REQUIRE(e.lines.size() == 3);
  CHECK(e.lines[1].code.View() == "E119");
  CHECK(e.lines[1].seq == 3);
  CHECK(e.lines[2].modifiers.Str() == "RT;59");
  CHECK(e.lines[2].units == 2);
  REQUIRE(c.rejects.size() == 2);
  CHECK(c.rejects[0].field == "cpt1m1");
  CHECK_THAT(c.rejects[1].reason, Catch::Contains("one row per encounter"));
}

TEST_CASE("The sample exports read through their sample mappings", "[mapping]") {
  const std::string dir = test::SourceDir() + "/samples/mapping/";
  for (auto [csv, mapping] : {std::pair{"export_row_per_code.csv", "row_per_code.mapping.json"},
                              std::pair{"export_row_per_encounter.csv", "row_per_encounter.mapping.json"}}) {
    INFO(csv);
    const Collected c = test::ReadPath(dir + csv, ingest::InputFormat::kAuto, dir + mapping);
    INFO(c.Describe());
    CHECK(c.rejects.empty());
    CHECK(c.counts.encounters_processed == 18);
  }
}

TEST_CASE("A NUL byte or a stray quote in a mapped export names its column", "[mapping][issue12]") {
  const std::string mapping = R"({"coderaudit_csv_mapping": 1, "layout": "row_per_code", "date_format": "MM/DD/YYYY",
    "fields": {"encounter_id": "Acct", "patient_id": "MRN", "sex": "Sex", "birth_date": "DOB", "from_date": "Admit",
      "through_date": "Disch", "claim_type": "Type", "provider_id": "NPI", "coder_id": "Coder",
      "code_type": "Kind", "seq": "Seq", "code": "Code"}})";
  const std::string header = "Acct,MRN,Sex,DOB,Admit,Disch,Type,NPI,Coder,Kind,Seq,Code\n";
  const std::string row = "E1,P1,F,01/01/1950,04/02/2024,04/02/2024,professional,9000000001,C01,DX,1,";
  const auto c = coderaudit::test::ReadMappedText(header + row + std::string("M17\0" "11", 6) + "\n" + row + "M1\"7\n", mapping);
  INFO(c.Describe());
  REQUIRE(c.rejects.size() == 2);
  CHECK(c.rejects[0].field == "Code");
  CHECK(c.rejects[1].field == "Code");
}
