// Issue 12: no reject, warning or exception text carries a value from a patient column
// (patient id, names, birth date, sex, member id): messages name the column, never what
// it held. Each reader's error paths are fed values marked "ZZPHIMARK" (a valid birth date
// after the service: year 2037); the mark must not
// appear in any text a reader produces except the record's raw text (Reject::raw, the
// row itself, kept beside the data it came from).
#include <catch2/catch.hpp>

#include <functional>

#include "audit/ingest/json/claim_json.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;

namespace {

constexpr const char* kMark = "ZZPHIMARK";
// A birth date cannot carry kMark and stay a date: the birth dates that must be refused
// as valid dates (after the service) are in 2037, and no text may show that year.
constexpr const char* kDateMark = "2037";

// Every text a reader produced for `read`, except raw record text.
std::vector<std::string> Texts(const std::function<Collected()>& read) {
  std::vector<std::string> texts;
  try {
    const Collected c = read();
    for (const auto& r : c.rejects) {
      texts.push_back(r.file + ":" + std::to_string(r.line) + ": " + r.field + ": " + r.reason);
    }
    for (const auto& w : c.warnings) texts.push_back(w);
  } catch (const std::exception& e) {
    texts.push_back(e.what());
  }
  return texts;
}

void CheckNoMark(const std::string& what, const std::function<Collected()>& read) {
  const auto texts = Texts(read);
  INFO(what);
  for (const auto& t : texts) {
    INFO(t);
    CHECK(t.find(kMark) == std::string::npos);
    CHECK(t.find(kDateMark) == std::string::npos);
  }
}

std::string Mark(const std::string& extra = "") { return std::string(kMark) + extra; }
std::string Long() { return Mark(std::string(80, 'X')); }

}  // namespace

TEST_CASE("Encounter CSV errors never echo patient values", "[phi][issue12]") {
  const std::string header =
      "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,provider_id,coder_id,"
      "payer,drg,discharge_status,code_type,seq,code,poa,modifiers,units,service_date,charge\n";
  auto row = [](const std::string& patient, const std::string& sex, const std::string& birth) {
    return "E1," + patient + "," + sex + "," + birth +
           ",2024-04-02,2024-04-02,professional,9000000001,C01,BCBS,,,DX,1,M17.11,,,,,\n"
           "E1,,,,,,,,,,,,HCPCS,,99213,,,1,2024-04-02,125.00\n";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"long patient id", header + row(Long(), "F", "1961-05-14")},
      {"patient id with a control character", header + row(Mark("\x01"), "F", "1961-05-14")},
      {"sex", header + row("P1", Mark(), "1961-05-14")},
      {"birth date", header + row("P1", "F", Mark())},
      {"birth date after admission", header + row("P1", "F", "2037-01-01")},
      {"patient id differs on a later row",
       header + row("P1", "F", "1961-05-14") + "E1," + Mark() + ",,,,,,,,,,,HCPCS,,99213,,,1,2024-04-02,1.00\n"},
      {"stray quote in the patient id", header + row(Mark("\"x"), "F", "1961-05-14")},
      {"NUL in the patient id", header + row(Mark(std::string(1, '\0')), "F", "1961-05-14")},
      {"unterminated quote", header + "E1,\"" + Mark() + ",F\n"},
      {"no header row", row(Mark(), "F", "1961-05-14")},
      {"no header row, a value twice", "encounter_id," + Mark() + "," + Mark() + "\n"},
      {"too few fields", header + "E1," + Mark() + ",F\n"},
  };
  for (const auto& [what, text] : cases) {
    CheckNoMark("csv: " + what, [&] {
      Collected c;
      c.counts = ingest::ReadEncountersText(text, ingest::InputFormat::kCsv, test::SinkInto(c), "body");
      return c;
    });
  }
}

TEST_CASE("Mapped export errors never echo patient values", "[phi][issue12]") {
  const std::string mapping = R"({"coderaudit_csv_mapping": 1, "layout": "row_per_code", "date_format": "MM/DD/YYYY",
    "fields": {"encounter_id": "Acct", "patient_id": "MRN", "sex": {"column": "Gender", "values": {"Female": "F", "Male": "M"}},
      "birth_date": "DOB", "from_date": "Admit", "through_date": "Disch",
      "claim_type": {"column": "Type", "values": {"PRO": "professional"}}, "provider_id": "NPI", "coder_id": "Coder",
      "code_type": {"column": "Kind", "values": {"DX": "DX", "CPT": "HCPCS"}}, "seq": "Seq", "code": "Code"}})";
  const std::string header = "Acct,MRN,Last Name,First Name,Gender,DOB,Admit,Disch,Type,NPI,Coder,Kind,Seq,Code\n";
  auto row = [](const std::string& mrn, const std::string& sex, const std::string& dob) {
    return "E1," + mrn + ",DOE,JANE," + sex + "," + dob + ",04/02/2024,04/02/2024,PRO,9000000001,C01,DX,1,M17.11\n";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no header row: a patient's name twice",
       "E1," + Mark("DOE") + "," + Mark("DOE") + "," + Mark("DOE") + ",F,01/01/1950\n" + row("P1", "Female", "01/01/1950")},
      {"no header row", row(Mark(), "Female", "01/01/1950")},
      {"long MRN", header + row(Long(), "Female", "01/01/1950")},
      {"unknown sex value", header + row("P1", Mark(), "01/01/1950")},
      {"bad birth date", header + row("P1", "Female", Mark())},
      {"birth date after admission (a newborn row)", header + row("P1", "Female", "01/01/2037")},
      {"MRN differs on a later row", header + row("P1", "Female", "01/01/1950") + row(Mark(), "Female", "01/01/1950")},
      {"stray quote in the MRN", header + row(Mark("\"x"), "Female", "01/01/1950")},
      {"too few fields", header + "E1," + Mark() + "\n"},
  };
  for (const auto& [what, text] : cases)
    CheckNoMark("mapping: " + what, [&] { return test::ReadMappedText(text, mapping); });
}

TEST_CASE("X12 837 errors never echo patient values", "[phi][issue12]") {
  auto claim = [](const std::string& nm1, const std::string& dmg) {
    auto body = test::ProfessionalClaim("CLM1");
    body[4] = nm1;
    body[5] = dmg;
    return test::Wrap(body);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"long member id", claim("NM1*IL*1*DOE*JANE****MI*" + Long(), "DMG*D8*19800115*F")},
      {"bad birth date", claim("NM1*IL*1*" + Mark() + "*JANE****MI*M1", "DMG*D8*" + Mark() + "*F")},
      {"bad sex", claim("NM1*IL*1*" + Mark() + "*JANE****MI*M1", "DMG*D8*19800115*" + Mark())},
      {"birth date after the service", claim("NM1*IL*1*DOE*JANE****MI*M1", "DMG*D8*20370115*F")},
      {"bad date qualifier", claim("NM1*IL*1*DOE*JANE****MI*M1", "DMG*" + Mark() + "*19800115*F")},
      {"member id missing, name marked", claim("NM1*IL*1*" + Mark() + "*" + Mark() + "****MI*", "DMG*D8*19800115*F")},
      {"entity type marked", claim("NM1*IL*" + Mark() + "*DOE*JANE****MI*M1", "DMG*D8*19800115*F")},
  };
  for (const auto& [what, text] : cases) CheckNoMark("x12: " + what, [&] { return test::ReadX12Text(text); });
}

TEST_CASE("FHIR errors never echo patient values", "[phi][issue12]") {
  auto claim = [](const std::string& patient) {
    return R"({"resourceType": "Claim", "id": "c1", "identifier": [{"value": "PR-9001"}], "status": "active", "use": "claim",
      "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
      "contained": [)" + patient + R"(, {"resourceType": "Organization", "id": "o", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "9999999991"}]}],
      "patient": {"reference": "#p"}, "provider": {"reference": "#o"}, "billablePeriod": {"start": "2024-03-04", "end": "2024-03-04"},
      "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]}}],
      "item": [{"sequence": 1, "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]}, "servicedDate": "2024-03-04"}]})";
  };
  auto patient = [](const std::string& id, const std::string& gender, const std::string& birth) {
    return R"({"resourceType": "Patient", "id": "p", "identifier": [{"value": ")" + id + R"("}], "name": [{"family": ")" +
           std::string(kMark) + R"(", "given": [")" + std::string(kMark) + R"("]}], "gender": ")" + gender +
           R"(", "birthDate": ")" + birth + R"("})";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"long patient id", claim(patient(Long(), "female", "1950-02-03"))},
      {"bad gender", claim(patient("P1", Mark(), "1950-02-03"))},
      {"bad birth date", claim(patient("P1", "female", Mark()))},
      {"birth date after the service", claim(patient("P1", "female", "2037-02-03"))},
      {"patient without identifier", claim(R"({"resourceType": "Patient", "id": "p", "name": [{"family": ")" + Mark() + R"("}]})")},
      {"bad JSON with a name", "{\"resourceType\": \"Patient\", \"name\": \"" + Mark() + "\" x}\n" + "{\"a\": \"" + Mark() + "\"\n"},
  };
  for (const auto& [what, text] : cases) CheckNoMark("fhir: " + what, [&] { return test::ReadFhirText(text); });
}

TEST_CASE("JSON claim model errors never echo patient values", "[phi][issue12]") {
  auto claim = [](const std::string& patient, const std::string& sex, const std::string& birth, const std::string& extra = "") {
    return R"({"claims": [{"encounter_id": "E1", "patient_id": ")" + patient + R"(", "sex": ")" + sex +
           R"(", "birth_date": ")" + birth + R"(", "from_date": "2024-03-04", "through_date": "2024-03-04",
           "claim_type": "professional", "provider_id": "1234567890", "coder_id": "C01")" + extra +
           R"(, "diagnoses": [{"code": "M17.11", "seq": 1}], "lines": [{"code": "99213"}]}]})";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"long patient id", claim(Long(), "F", "1950-01-01")},
      {"bad sex", claim("P1", Mark(), "1950-01-01")},
      {"bad birth date", claim("P1", "F", Mark())},
      {"birth date after admission", claim("P1", "F", "2037-01-01")},
      {"unknown member named like a patient", claim("P1", "F", "1950-01-01", ", \"" + Mark() + "\": 1")},
      {"patient id of the wrong type", R"({"claims": [{"encounter_id": "E1", "patient_id": [")" + Mark() + R"("]}]})"},
      {"syntax error after a name", "{\"claims\": [{\"patient_id\": \"" + Mark() + "\" \"x\"}]}"},
  };
  for (const auto& [what, text] : cases)
    CheckNoMark("json: " + what, [&] {
      Collected c;
      c.counts = ingest::ReadClaimJson(text, "body.json", test::SinkInto(c));
      return c;
    });
}
