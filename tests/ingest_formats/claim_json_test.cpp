// The JSON claim model (schemas/claim-json.md): batch shapes, one reject per bad claim
// with its JSON path, whole-document errors with a byte offset, hostile bodies, and
// ReadEncountersText over every format.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "audit/ingest/json/claim_json.hpp"
#include "audit/ingest/json/json_scan.hpp"
#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;

namespace {

Collected ReadJson(const std::string& text) {
  Collected c;
  c.counts = ingest::ReadClaimJson(text, "body.json", test::SinkInto(c));
  CHECK(test::CountsAddUp(c.counts));
  CHECK(c.counts.records_rejected == static_cast<int64_t>(c.rejects.size()));
  return c;
}

Collected ReadText(const std::string& text, ingest::InputFormat format = ingest::InputFormat::kAuto) {
  Collected c;
  c.counts = ingest::ReadEncountersText(text, format, test::SinkInto(c), "body");
  return c;
}

// A valid professional claim; tests replace one piece of it.
std::string ProClaim(const std::string& id = "E1") {
  return R"({"encounter_id":")" + id + R"(","patient_id":"P1","sex":"F","birth_date":"1950-01-01",)"
         R"("from_date":"2024-03-04","through_date":"2024-03-05","claim_type":"professional",)"
         R"("provider_id":"1234567890","coder_id":"C01","payer":"BCBS",)"
         R"("diagnoses":[{"code":"M17.11","seq":1,"poa":"Y"},{"code":"E119","seq":2}],)"
         R"("lines":[{"code":"99213","modifiers":["25"],"units":1,"date":"2024-03-04","charge":"125.00","dx_pointers":[1]},)"
         R"({"code":"20610","units":2,"charge":210.5}]})";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("A JSON claim becomes the encounter the CSV layout would give", "[json]") {
  const Collected c = ReadJson(ProClaim());
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.id == "E1");
  CHECK(e.sex == Sex::kFemale);
  CHECK(e.claim_type == ClaimType::kProfessional);
  CHECK(e.payer == "BCBS");
  CHECK(e.source_line == 1);
  CHECK(e.source_file == "body.json");
  REQUIRE(e.lines.size() == 4);
  CHECK(e.lines[0].type == CodeType::kDiagnosis);
  CHECK(e.lines[0].code.View() == "M1711");
  CHECK(e.lines[0].poa == 'Y');
  CHECK(e.lines[1].code.View() == "E119");
  CHECK(e.lines[2].type == CodeType::kHcpcs);
  CHECK(e.lines[2].modifiers.Str() == "25");
  CHECK(e.lines[2].charge_cents == 12500);
  CHECK(e.lines[2].dx_pointers[0] == 1);
  CHECK(e.lines[3].units == 2);
  CHECK(e.lines[3].charge_cents == 21050);
  CHECK(!e.lines[3].service_date);
}

TEST_CASE("The claim-level extras of X12 and FHIR have JSON members too", "[json]") {
  const std::string claim = Replace(ProClaim(), R"("payer":"BCBS",)",
      R"("payer":"BCBS","place_of_service":"11","claim_frequency":"1","total_charge":335.5,)"
      R"("rendering_provider_id":"1999999999","admitting_dx":"R69","visit_reason_dx":["R10.9"],"drg":"470","discharge_status":"01","type_of_bill":"131",)");
  const Collected c = ReadJson(Replace(claim, R"("charge":210.5})", R"("charge":210.5,"revenue_code":"0450","place_of_service":"22"})"));
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.place_of_service == "11");
  CHECK(e.type_of_bill == "0131");
  CHECK(e.claim_frequency == "1");
  CHECK(e.total_charge_cents == 33550);
  CHECK(e.rendering_provider_id == "1999999999");
  CHECK(e.admitting_dx.View() == "R69");
  REQUIRE(e.visit_reason_dx.size() == 1);
  CHECK(e.drg == "470");
  CHECK(e.lines[3].revenue_code.View() == "0450");
  CHECK(e.lines[3].place_of_service.View() == "22");
}

TEST_CASE("A batch is {\"claims\": [...]} or an array, claim k is line k", "[json]") {
  const std::string two = "[" + ProClaim("A") + "," + ProClaim("B") + "]";
  Collected c = ReadJson(two);
  CHECK(c.encounters.size() == 2);
  CHECK(c.encounters[1].source_line == 2);
  c = ReadJson(R"({"claims":[)" + ProClaim("A") + "," + Replace(ProClaim("B"), R"("sex":"F")", R"("sex":"X")") + "]}");
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].line == 2);
  CHECK(c.rejects[0].field == "claims[1].sex");
  c = ReadJson("[1," + Replace(ProClaim("B"), R"("sex":"F")", R"("sex":"X")") + "]");
  REQUIRE(c.rejects.size() == 2);
  CHECK(c.rejects[0].field == "[0]");
  CHECK(c.rejects[0].reason == "must be an object, got a number");
  CHECK(c.rejects[1].field == "[1].sex");
  c = ReadJson(R"({"claims":[]})");
  CHECK(c.counts.records_read == 0);
  CHECK_THROWS_WITH(ReadJson(R"({"claims":[],"sender":"x"})"), Catch::Contains("unknown member 'sender'"));
  CHECK_THROWS_WITH(ReadJson(R"({"claims":{}})"), Catch::Contains("\"claims\" must be an array, got an object"));
  CHECK_THROWS_WITH(ReadJson(R"( "claims")"), Catch::Contains("got a string"));
  CHECK_THROWS_WITH(ReadJson("null"), Catch::Contains("got null"));
  CHECK_THROWS_WITH(ReadJson("12"), Catch::Contains("got a number"));
}

TEST_CASE("Every bad value rejects its whole claim with the JSON path and a reason", "[json]") {
  struct Case {
    std::string from, to, field, reason;
  };
  const std::vector<Case> cases = {
      // wrong JSON types, null, objects
      {R"("diagnoses":[)", R"("diagnoses":"M17.11","x":[)", "x", "unknown field"},
      {R"("diagnoses":[{"code":"M17.11","seq":1,"poa":"Y"},{"code":"E119","seq":2}])", R"("diagnoses":"M17.11")", "diagnoses", "must be an array, got a string"},
      {R"("payer":"BCBS")", R"("payer":null)", "payer", "must be a string, got null"},
      {R"("sex":"F")", R"("sex":{"code":"F"})", "sex", "must be a string, got an object"},
      {R"("encounter_id":"E1")", R"("encounter_id":["E1"])", "encounter_id", "must be a string, got an array"},
      {R"("code":"99213")", R"("code":99213)", "lines[0].code", "must be a string, got a number"},
      {R"("units":2)", R"("units":"2")", "lines[1].units", "must be a number, got a string"},
      {R"("units":2)", R"("units":true)", "lines[1].units", "must be a number, got a boolean"},
      {R"("modifiers":["25"])", R"("modifiers":"25")", "lines[0].modifiers", "must be an array, got a string"},
      {R"("modifiers":["25"])", R"("modifiers":[25])", "lines[0].modifiers[0]", "must be a string, got a number"},
      {R"({"code":"E119","seq":2})", R"("E119")", "diagnoses[1]", "must be an object, got a string"},
      {R"("charge":210.5)", R"("charge":[210.5])", "lines[1].charge", "must be a number or a decimal string, got an array"},
      // missing and malformed identifiers
      {R"("encounter_id":"E1",)", "", "encounter_id", "is required"},
      {R"("encounter_id":"E1")", R"("encounter_id":"")", "encounter_id", "1-64 printable characters"},
      {R"("coder_id":"C01",)", "", "coder_id", "is required"},
      {R"("patient_id":"P1")", R"("patient_id":"P\u0001")", "patient_id", "1-64 printable characters"},
      // dates
      {R"("birth_date":"1950-01-01")", R"("birth_date":"1950-02-30")", "birth_date", "must be a real date YYYY-MM-DD"},
      {R"("from_date":"2024-03-04")", R"("from_date":"03/04/2024")", "from_date", "must be a real date YYYY-MM-DD"},
      {R"("through_date":"2024-03-05")", R"("through_date":"2024-03-01")", "through_date", "is before from_date"},
      {R"("birth_date":"1950-01-01")", R"("birth_date":"2025-01-01")", "birth_date", "is after from_date"},
      {R"("date":"2024-03-04")", R"("date":"2024-04-04")", "lines[0].date", "outside from_date..through_date"},
      {R"("date":"2024-03-04")", R"("date":"2024-03-04T10:00:00")", "lines[0].date", "must be a real date"},
      // codes, sequences, POA
      {R"("code":"M17.11")", R"("code":"17.11")", "diagnoses[0].code", "not an ICD-10-CM code"},
      {R"("code":"99213")", R"("code":"9921")", "lines[0].code", "CPT/HCPCS codes have exactly 5 characters"},
      {R"("code":"M17.11")", R"("code":"M17-11")", "diagnoses[0].code", "letters or digits"},
      {R"("code":"E119","seq":2)", R"("code":"E119","seq":1)", "diagnoses[1].seq", "repeats a sequence number"},
      {R"("code":"E119","seq":2)", R"("code":"E119","seq":0)", "diagnoses[1].seq", "must be a whole number 1-999"},
      {R"("code":"E119","seq":2)", R"("code":"E119","seq":1.5)", "diagnoses[1].seq", "must be a whole number 1-999"},
      {R"("code":"E119","seq":2)", R"("code":"E119")", "diagnoses[1].seq", "is required"},
      {R"("poa":"Y")", R"("poa":"X")", "diagnoses[0].poa", "must be Y, N, U, W or 1"},
      {R"("claim_type":"professional")", R"("claim_type":"dental")", "claim_type", "must be inpatient, outpatient or professional"},
      // units, charges, modifiers, pointers
      {R"("units":2)", R"("units":0)", "lines[1].units", "greater than 0"},
      {R"("units":2)", R"("units":-1)", "lines[1].units", "greater than 0"},
      {R"("units":2)", R"("units":100000)", "lines[1].units", "at most 99999"},
      {R"("charge":210.5)", R"("charge":210.505)", "lines[1].charge", "at most 2 decimals"},
      {R"("charge":"125.00")", R"("charge":"125.001")", "lines[0].charge", "at most 2 decimals"},
      {R"("charge":"125.00")", R"("charge":"-1")", "lines[0].charge", "non-negative"},
      {R"("charge":"125.00")", R"("charge":"$125")", "lines[0].charge", "non-negative"},
      {R"("modifiers":["25"])", R"("modifiers":["25","59","76","77","91"])", "lines[0].modifiers", "at most 4"},
      {R"("modifiers":["25"])", R"("modifiers":["259"])", "lines[0].modifiers[0]", "exactly 2 characters"},
      {R"("dx_pointers":[1])", R"("dx_pointers":[3])", "lines[0].dx_pointers[0]", "points to no diagnosis"},
      {R"("dx_pointers":[1])", R"("dx_pointers":[1,2,1,2,1])", "lines[0].dx_pointers", "at most 4"},
      // unknown members at every level
      {R"("payer":"BCBS")", R"("payer":"BCBS","Payer":"x")", "Payer", "unknown field"},
      {R"("poa":"Y")", R"("poa":"Y","present":true)", "diagnoses[0].present", "unknown field"},
      {R"("units":2)", R"("units":2,"ndc":"x")", "lines[1].ndc", "unknown field"},
  };
  for (const auto& k : cases) {
    INFO(k.to);
    const std::string bad = Replace(ProClaim("E1"), k.from, k.to);
    const Collected c = ReadJson(R"({"claims":[)" + ProClaim("E0") + "," + bad + "]}");
    CHECK(c.encounters.size() == 1);
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.rejects[0].line == 2);
    CHECK(c.rejects[0].file == "body.json");
    CHECK(c.rejects[0].field == "claims[1]." + k.field);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains(k.reason));
  }
  // Diagnoses without seq 1 (the principal) reject the claim at its first diagnosis.
  const std::string no_principal =
      Replace(Replace(ProClaim(), R"(,"dx_pointers":[1])", ""), R"("code":"M17.11","seq":1)",
              R"("code":"M17.11","seq":3)");
  const Collected without = ReadJson(no_principal);
  REQUIRE(without.rejects.size() == 1);
  CHECK(without.rejects[0].field == "diagnoses[0].seq");
  CHECK_THAT(without.rejects[0].reason, Catch::Contains("no diagnosis has seq 1"));
  // Pointers need diagnoses; lines alone are a claim, none at all is a reject.
  const std::string no_dx = Replace(Replace(ProClaim(), R"("diagnoses":[{"code":"M17.11","seq":1,"poa":"Y"},{"code":"E119","seq":2}],)", ""),
                                    R"(,"dx_pointers":[1])", "");
  CHECK(ReadJson(no_dx).encounters.size() == 1);
  const std::string nothing = Replace(no_dx, R"("lines":[{"code":"99213","modifiers":["25"],"units":1,"date":"2024-03-04","charge":"125.00"},{"code":"20610","units":2,"charge":210.5}])", R"("lines":[])");
  const Collected none = ReadJson(nothing);
  REQUIRE(none.rejects.size() == 1);
  CHECK(none.rejects[0].field == "lines");
  // Institutional fields: DRG and discharge status are digit strings, never numbers.
  for (const auto& [to, field, reason] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {R"("payer":"BCBS","drg":"47")", "drg", "must be 3 digits"},
           {R"("payer":"BCBS","drg":470)", "drg", "must be a string, got a number"},
           {R"("payer":"BCBS","discharge_status":"1")", "discharge_status", "must be 2 digits"},
           {R"("payer":"BCBS","type_of_bill":"01x1")", "type_of_bill", "must be 3-4 digits"},
           {R"("payer":"BCBS","total_charge":"1.234")", "total_charge", "at most 2 decimals"},
           {R"("payer":"BCBS","visit_reason_dx":["R69","R69","R69","R69"])", "visit_reason_dx", "at most 3"},
           {R"("payer":"BCBS","admitting_dx":"99")", "admitting_dx", "not an ICD-10-CM code"}}) {
    INFO(to);
    const Collected c = ReadJson(Replace(ProClaim(), R"("payer":"BCBS")", to));
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.rejects[0].field == field);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains(reason));
  }
  // A procedure is PCS, with its own date.
  const std::string pcs = Replace(ProClaim(), R"("lines":)", R"("procedures":[{"code":"0SRD0J9","seq":1,"date":"2024-03-06"}],"lines":)");
  const Collected p = ReadJson(pcs);
  REQUIRE(p.rejects.size() == 1);
  CHECK(p.rejects[0].field == "procedures[0].date");
  CHECK(p.rejects[0].reason == "outside from_date..through_date");
}

TEST_CASE("A repeated encounter_id in one batch rejects the later claim", "[json]") {
  const Collected c = ReadJson("[" + ProClaim("A") + "," + ProClaim("B") + "," + ProClaim("A") + "]");
  CHECK(c.encounters.size() == 2);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].line == 3);
  CHECK(c.rejects[0].field == "[2].encounter_id");
  CHECK(c.rejects[0].reason == "repeats the encounter_id of claim 1 in this batch");
}

TEST_CASE("Malformed JSON stops the read with the byte offset", "[json]") {
  CHECK_THROWS_WITH(ReadJson(R"({"claims": [1,, 2]})"), Catch::Contains("not valid JSON at byte 14: unexpected character"));
  CHECK_THROWS_WITH(ReadJson(R"({"claims": [])"), Catch::Contains("at byte 13: unexpected end of document"));
  CHECK_THROWS_WITH(ReadJson(ProClaim() + " x"), Catch::Contains("unexpected text after the JSON value"));
  CHECK_THROWS_WITH(ReadJson(""), Catch::Contains("empty document"));
  CHECK_THROWS_WITH(ReadJson("  \n"), Catch::Contains("empty document"));
  CHECK_THROWS_WITH(ReadJson(R"({"a":1,"b":2,"a":3})"), Catch::Contains("at byte 13: duplicate member name"));
  CHECK_THROWS_WITH(ReadJson(R"({"units": 1e400})"), Catch::Contains("at byte 10: number out of range"));
  CHECK_THROWS_WITH(ReadJson(R"({"units": 12345678901234567890})"), Catch::Contains("number out of range"));
  CHECK_THROWS_WITH(ReadJson("{\"a\":\"x\ty\"}"), Catch::Contains("control character"));
  CHECK_THROWS_WITH(ReadJson(R"({"a":"\x"})"), Catch::Contains("bad escape"));
  CHECK_THROWS_AS(ReadJson("{'a':1}"), InputError);
  // A byte order mark is not part of the document.
  CHECK(ReadJson("\xEF\xBB\xBF" + ProClaim()).encounters.size() == 1);
}

TEST_CASE("Hostile JSON bodies are refused before the parser recurses", "[json]") {
  for (const std::string& deep : {std::string(100000, '['), std::string(100000, '[') + std::string(100000, ']'),
                                  [] { std::string s; for (int i = 0; i < 100000; ++i) s += "{\"a\":"; return s; }()}) {
    CHECK_THROWS_WITH(ReadJson(deep), Catch::Contains("nested deeper than 16 levels"));
    // Auto-detection sends a body without claim members to the FHIR reader: refused too.
    CHECK_THROWS_AS(ReadText(deep), InputError);
  }
  const std::string huge = R"({"encounter_id":")" + std::string(100000, 'x') + R"("})";
  CHECK_THROWS_WITH(ReadJson(huge), Catch::Contains("string longer than 65536 bytes"));
  ingest::ClaimJsonOptions small;
  small.max_document_bytes = 1000;
  Collected c;
  CHECK_THROWS_WITH(ingest::ReadClaimJson(std::string(2000, ' '), "b", test::SinkInto(c), small),
                    Catch::Contains("larger than"));
  // The scan itself, on the limits.
  CHECK_FALSE(ingest::CheckJsonSyntax(std::string(16, '[') + std::string(16, ']')));
  CHECK(ingest::CheckJsonSyntax(std::string(17, '[') + std::string(17, ']')));
  CHECK_FALSE(ingest::CheckJsonSyntax(R"([-0, 0.5e-3, 1E+2, "\u00e9\n", true, false, null, {}])"));
  CHECK(ingest::CheckJsonSyntax("[01]"));
  CHECK(ingest::CheckJsonSyntax("[1.]"));
  CHECK(ingest::CheckJsonSyntax("[-]"));
}

TEST_CASE("ReadEncountersText reads every format from memory, as the files read", "[json][x12][fhir]") {
  const std::string s = test::SourceDir() + "/samples/";
  for (const char* file : {"x12/same_encounters.csv", "x12/same_encounters_837p.x12", "x12/same_encounters_837i.x12",
                           "fhir/same_encounters.bundle.json", "fhir/same_encounters.ndjson", "json/same_encounters.json",
                           "bad_encounters.csv"}) {
    INFO(file);
    const Collected from_file = test::ReadPath(s + file);
    const Collected from_text = ReadText(test::Slurp(s + file));
    CHECK(from_text.counts.records_read == from_file.counts.records_read);
    CHECK(from_text.counts.encounters_processed == from_file.counts.encounters_processed);
    CHECK(from_text.rejects.size() == from_file.rejects.size());
    REQUIRE(from_text.encounters.size() == from_file.encounters.size());
    for (size_t i = 0; i < from_file.encounters.size(); ++i) {
      CHECK(from_text.encounters[i].id == from_file.encounters[i].id);
      CHECK(from_text.encounters[i].lines.size() == from_file.encounters[i].lines.size());
    }
  }
  const std::string json = test::Slurp(s + "json/same_encounters.json");
  CHECK(ReadText(json, ingest::InputFormat::kJson).encounters.size() == 18);
  CHECK_THROWS_AS(ReadText(json, ingest::InputFormat::kX12), InputError);
}

TEST_CASE("The JSON claim model is detected by content, FHIR by resourceType", "[json][fhir]") {
  auto detect = [](const std::string& text) {
    std::istringstream in(text);
    return ingest::DetectFormat(in);
  };
  CHECK(detect(ProClaim()) == ingest::InputFormat::kJson);
  CHECK(detect(" {\"claims\": []}") == ingest::InputFormat::kJson);
  CHECK(detect("[" + ProClaim() + "]") == ingest::InputFormat::kJson);
  CHECK(detect(R"({"resourceType":"Claim","identifier":[{"value":"encounter_id"}]})") == ingest::InputFormat::kFhir);
  CHECK(detect(R"({"resourceType":"Bundle","entry":[]})") == ingest::InputFormat::kFhir);
  CHECK(ingest::ParseInputFormat("json") == ingest::InputFormat::kJson);
  CHECK(ingest::ToString(ingest::InputFormat::kJson) == "json");
  const auto c = test::ReadPath(test::SourceDir() + "/samples/json/same_encounters.json");
  CHECK(c.counts.encounters_processed == 18);
  CHECK(c.rejects.empty());
}
