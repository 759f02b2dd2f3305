// FHIR R4 Claim / ExplanationOfBenefit: single resource, Bundle, NDJSON.
#include <catch2/catch.hpp>

#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;
using coderaudit::test::ReadFhirText;

namespace {

// A professional Claim with a contained Patient; `extra` is spliced in at the top level.
std::string ProfessionalClaim(const std::string& extra = "", const std::string& diagnosis = "") {
  const std::string dx = diagnosis.empty() ? R"([
      {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]}},
      {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}}])"
                                           : diagnosis;
  return R"({
  "resourceType": "Claim", "id": "c1",
  "identifier": [{"value": "PR-9001"}],
  "status": "active", "use": "claim",
  "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
  "contained": [{"resourceType": "Patient", "id": "p", "identifier": [{"value": "PT-1"}], "gender": "female", "birthDate": "1950-02-03"},
                {"resourceType": "Organization", "id": "o", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "9999999991"}]}],
  "patient": {"reference": "#p"},
  "provider": {"reference": "#o"},
  "insurer": {"display": "MEDICARE"},
  "billablePeriod": {"start": "2024-03-04", "end": "2024-03-04"},
  "diagnosis": )" + dx + R"(,
  "item": [
    {"sequence": 1, "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]},
     "modifier": [{"coding": [{"code": "25"}]}], "servicedDate": "2024-03-04", "quantity": {"value": 1},
     "net": {"value": 125.00}, "diagnosisSequence": [1, 2],
     "locationCodeableConcept": {"coding": [{"code": "11"}]}},
    {"sequence": 2, "productOrService": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "J3301"}]},
     "servicedDate": "2024-03-04", "quantity": {"value": 4}, "unitPrice": {"value": 4.00}}
  ],
  "total": {"value": 141.00})" + extra + "\n}";
}

std::string OneLine(std::string s) {
  std::string out;
  for (char ch : s)
    if (ch != '\n') out.push_back(ch);
  return out;
}

}  // namespace

TEST_CASE("A single FHIR Claim with a contained Patient maps onto the encounter", "[fhir]") {
  const Collected c = ReadFhirText(ProfessionalClaim());
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.id == "PR-9001");
  CHECK(e.patient_id == "PT-1");
  CHECK(e.sex == Sex::kFemale);
  CHECK(ToIso(*e.birth_date) == "1950-02-03");
  CHECK(e.claim_type == ClaimType::kProfessional);
  CHECK(e.provider_id == "9999999991");
  CHECK(e.coder_id == "fhir");
  CHECK(e.payer == "MEDICARE");
  CHECK(ToIso(e.from_date) == "2024-03-04");
  CHECK(e.total_charge_cents == 14100);
  REQUIRE(e.lines.size() == 4);
  CHECK(e.lines[0].code.View() == "M1711");
  CHECK(e.lines[1].seq == 2);
  CHECK(e.lines[2].code.View() == "99213");
  CHECK(e.lines[2].modifiers.Str() == "25");
  CHECK(e.lines[2].charge_cents == 12500);
  CHECK(e.lines[2].place_of_service.View() == "11");
  CHECK(e.lines[2].dx_pointers == std::array<uint8_t, 4>{1, 2, 0, 0});
  CHECK(e.lines[3].units == 4);
  CHECK(e.lines[3].charge_cents == 1600);  // unitPrice x quantity
  CHECK(c.counts.records_read == 1);
  CHECK(c.counts.records_processed == 1);
}

TEST_CASE("The principal diagnosis becomes seq 1 whatever its FHIR sequence, pointers follow", "[fhir]") {
  const std::string dx = R"([
      {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}},
      {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]},
       "type": [{"coding": [{"code": "principal"}]}], "onAdmission": {"coding": [{"code": "y"}]}},
      {"sequence": 3, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R10.30"}]},
       "type": [{"coding": [{"code": "admitting"}]}]},
      {"sequence": 4, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R10.31"}]},
       "type": [{"coding": [{"code": "patientreasonforvisit"}]}]}])";
  const Collected c = ReadFhirText(ProfessionalClaim("", dx));
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  REQUIRE(e.lines.size() == 4);  // admitting and reason-for-visit are not DX lines
  CHECK(e.lines[0].code.View() == "M1711");
  CHECK(e.lines[0].seq == 1);
  CHECK(e.lines[0].poa == 'Y');
  CHECK(e.lines[1].code.View() == "E119");
  CHECK(e.lines[1].seq == 2);
  CHECK(e.admitting_dx.View() == "R1030");
  REQUIRE(e.visit_reason_dx.size() == 1);
  CHECK(e.visit_reason_dx[0].View() == "R1031");
  // diagnosisSequence [1, 2] named E11.9 then M17.11: now seq 2 then 1.
  CHECK(e.lines[2].dx_pointers == std::array<uint8_t, 4>{2, 1, 0, 0});
}

TEST_CASE("A Bundle resolves Patient and Organization references in any order", "[fhir]") {
  const std::string bundle = R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:claim-1", "resource": {"resourceType": "Claim", "identifier": [{"value": "IP-1"}],
      "type": {"coding": [{"code": "institutional"}]}, "subType": {"coding": [{"code": "inpatient"}]},
      "patient": {"reference": "urn:uuid:pat-1"}, "provider": {"reference": "Organization/org-1"},
      "enterer": {"reference": "https://example.org/fhir/Practitioner/coder-7/_history/2"},
      "careTeam": [{"sequence": 1, "provider": {"reference": "Practitioner/coder-7"}, "role": {"coding": [{"code": "attending"}]}}],
      "billablePeriod": {"start": "2024-05-01T08:00:00-05:00", "end": "2024-05-04"},
      "supportingInfo": [
        {"sequence": 1, "category": {"coding": [{"code": "discharge-status"}]}, "code": {"coding": [{"code": "01"}]}},
        {"sequence": 2, "category": {"coding": [{"code": "drg"}]}, "code": {"coding": [{"code": "470"}]}}],
      "diagnosis": [{"sequence": 1, "type": [{"coding": [{"code": "principal"}]}],
        "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]},
        "onAdmission": {"coding": [{"code": "Y"}]}}],
      "procedure": [{"sequence": 1, "date": "2024-05-02", "procedureCodeableConcept": {"coding": [
        {"system": "http://www.cms.gov/Medicare/Coding/ICD10", "code": "0SRD0J9"}]}}],
      "item": [{"sequence": 1, "revenue": {"coding": [{"system": "https://www.nubc.org/CodeSystem/RevenueCodes", "code": "0120"}]},
                "productOrService": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "not-applicable"}]},
                "quantity": {"value": 3}, "net": {"value": 3000}}]}},
    {"fullUrl": "urn:uuid:pat-1", "resource": {"resourceType": "Patient", "id": "pat-1", "gender": "male", "birthDate": "1955-06-07"}},
    {"resource": {"resourceType": "Organization", "id": "org-1", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "9999999992"}]}},
    {"resource": {"resourceType": "Practitioner", "id": "coder-7", "identifier": [{"value": "C07"}]}}
  ]})";
  const Collected c = ReadFhirText(bundle);
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.claim_type == ClaimType::kInpatient);
  CHECK(e.patient_id == "pat-1");  // no identifier: the resource id
  CHECK(e.provider_id == "9999999992");
  CHECK(e.coder_id == "fhir:C07");
  CHECK(e.attending_provider_id == "C07");
  CHECK(ToIso(e.from_date) == "2024-05-01");
  CHECK(ToIso(e.through_date) == "2024-05-04");
  CHECK(e.discharge_status == "01");
  CHECK(e.drg == "470");
  REQUIRE(e.lines.size() == 2);  // the revenue-only room line is not a coded line
  CHECK(e.lines[0].poa == 'Y');
  CHECK(e.lines[1].type == CodeType::kPcs);
  CHECK(ToIso(*e.lines[1].service_date) == "2024-05-02");
  CHECK(e.source_line == 1);  // Bundle entry 1
}

TEST_CASE("NDJSON streams: a bad line is a rejected record, the others are read", "[fhir]") {
  const std::string patient = R"({"resourceType":"Patient","id":"PT-1","gender":"female","birthDate":"1950-02-03"})";
  std::string claim = OneLine(ProfessionalClaim());
  const std::string eob = [&] {
    std::string s = claim;
    s.replace(s.find("\"Claim\""), 7, "\"ExplanationOfBenefit\"");
    s.replace(s.find("PR-9001"), 7, "PR-9002");
    s.replace(s.find("\"total\": {\"value\": 141.00}"), 26,
              R"("total": [{"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": 141.00}}])");
    return s;
  }();
  const std::string text = patient + "\n" + claim + "\n{not json\n\n" + eob + "\n" +
                           R"({"resourceType":"Observation","id":"x"})" + "\n";
  const Collected c = ReadFhirText(text);
  INFO(c.Describe());
  CHECK(c.counts.records_read == 3);
  CHECK(c.counts.records_processed == 2);
  CHECK(c.counts.records_rejected == 1);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].line == 3);
  CHECK_THAT(c.rejects[0].reason, Catch::Contains("not valid JSON"));
  REQUIRE(c.encounters.size() == 2);
  CHECK(c.encounters[1].id == "PR-9002");
  CHECK(c.encounters[1].total_charge_cents == 14100);
  CHECK(c.encounters[1].source_line == 5);
  bool skipped = false;
  for (const auto& w : c.warnings) skipped = skipped || w.find("1 Observation") != std::string::npos;
  CHECK(skipped);
}

TEST_CASE("Unknown code systems are kept, flagged OTHER and named in one warning", "[fhir]") {
  std::string claim = ProfessionalClaim();
  claim.replace(claim.find("http://www.ama-assn.org/go/cpt"), 30, "urn:example:local-chargemaster");
  const Collected c = ReadFhirText(claim);
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  CHECK(c.encounters[0].lines[2].code_system == CodeSystem::kOther);
  CHECK(c.encounters[0].lines[2].code.View() == "99213");
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Catch::Contains("urn:example:local-chargemaster"));
  // A code that cannot be held (SNOMED ids are up to 18 digits) rejects the claim.
  std::string snomed = ProfessionalClaim();
  snomed.replace(snomed.find("http://hl7.org/fhir/sid/icd-10-cm\", \"code\": \"M17.11"), 51,
                 "http://snomed.info/sct\", \"code\": \"239873007");
  const Collected r = ReadFhirText(snomed);
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].field == "Claim.diagnosis[0].diagnosisCodeableConcept");
  CHECK_THAT(r.rejects[0].reason, Catch::Contains("http://snomed.info/sct"));
}

TEST_CASE("FHIR claims that cannot be audited are rejected with a FHIRPath", "[fhir]") {
  struct Case {
    std::string from, to, field, reason;
  };
  const std::vector<Case> cases = {
      {"\"#p\"", "\"Patient/nowhere\"", "Claim.patient", "cannot be resolved"},
      {"\"birthDate\": \"1950-02-03\"", "\"birthDate\": \"1950\"", "Claim.patient", "full date"},
      {"\"gender\": \"female\"", "\"gender\": \"f\"", "Claim.patient", "gender"},
      {"\"code\": \"professional\"", "\"code\": \"pharmacy\"", "Claim.type", "not read"},
      {"\"use\": \"claim\"", "\"use\": \"preauthorization\"", "Claim.use", "not a claim"},
      {"\"status\": \"active\"", "\"status\": \"entered-in-error\"", "Claim.status", "entered-in-error"},
      {"\"code\": \"99213\"", "\"code\": \"9921\"", "Claim.item[0].productOrService", "exactly 5 characters"},
      {"\"quantity\": {\"value\": 4}", "\"quantity\": {\"value\": 0}", "Claim.item[1].quantity", "greater than 0"},
      {"\"net\": {\"value\": 125.00}", "\"net\": {\"value\": 125.001}", "Claim.item[0].net", "2 decimals"},
      {"\"diagnosisSequence\": [1, 2]", "\"diagnosisSequence\": [1, 9]", "Claim.item[0].diagnosisSequence[1]", "points to no diagnosis"},
      {"\"servicedDate\": \"2024-03-04\", \"quantity\": {\"value\": 1}", "\"servicedDate\": \"2024-03-09\", \"quantity\": {\"value\": 1}",
       "Claim.item[0].serviced[x]", "outside from_date..through_date"},
      {"\"code\": \"E11.9\"", "\"code\": \"250.00\"", "Claim.diagnosis[1].diagnosisCodeableConcept", "not an ICD-10-CM code"},
      {"{\"sequence\": 2,", "{\"sequence\": 1,", "Claim.diagnosis[1].sequence", "repeats"},
      {"\"#o\"", "\"#missing\"", "Claim.provider", "cannot be resolved"},
  };
  for (const auto& k : cases) {
    INFO(k.to);
    std::string claim = ProfessionalClaim();
    const auto p = claim.find(k.from);
    REQUIRE(p != std::string::npos);
    claim.replace(p, k.from.size(), k.to);
    const Collected c = ReadFhirText(claim);
    CHECK(c.counts.records_rejected == 1);
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.rejects[0].field == k.field);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains(k.reason));
    CHECK(c.rejects[0].reason.find("PT-1") == std::string::npos);
  }
}

TEST_CASE("ICD-9 codings are kept and flagged, mixing ICD-9 and ICD-10 is rejected", "[fhir]") {
  const std::string icd9 = R"([
      {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "715.16"}]}},
      {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "V73.89"}]}}])";
  const Collected c = ReadFhirText(ProfessionalClaim("", icd9));
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  CHECK(c.encounters[0].lines[0].code_system == CodeSystem::kIcd9);
  CHECK(c.encounters[0].lines[0].code.View() == "71516");
  const std::string mixed = R"([
      {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "715.16"}]}},
      {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}}])";
  const Collected m = ReadFhirText(ProfessionalClaim("", mixed));
  REQUIRE(m.rejects.size() == 1);
  CHECK_THAT(m.rejects[0].reason, Catch::Contains("mixes ICD-9-CM and ICD-10-CM"));
}

TEST_CASE("Input that is not FHIR JSON, or too large a document, stops with an input error", "[fhir]") {
  CHECK_THROWS_AS(ReadFhirText("{\n\"resourceType\": \"Claim\",\n"), InputError);
  CHECK_THROWS_AS(ReadFhirText(""), InputError);
  CHECK_THROWS_AS(ReadFhirText("\n[\n1, 2\n]\n"), InputError);
  ingest::FhirOptions small;
  small.max_document_bytes = 100;
  CHECK_THROWS_WITH(ReadFhirText(ProfessionalClaim(), small), Catch::Contains("export NDJSON"));
}

TEST_CASE("Deeply nested or odd JSON is rejected without crashing", "[fhir]") {
  const std::string deep = "{\"resourceType\":\"Claim\",\"x\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  const Collected c = ReadFhirText(deep + "\n");
  CHECK(c.counts.records_rejected == 1);
  const Collected odd = ReadFhirText(R"({"resourceType":"Claim","identifier":"nope","type":[1,2],"patient":7,"item":{"a":1}})" "\n");
  CHECK(odd.counts.records_rejected == 1);
}

TEST_CASE("In NDJSON a claim must come after the Patient it references", "[fhir]") {
  std::string claim = OneLine(ProfessionalClaim());
  claim.replace(claim.find("\"#p\""), 4, "\"Patient/PT-9\"");
  const std::string patient = R"({"resourceType":"Patient","id":"PT-9","gender":"male","birthDate":"1940-01-01"})";
  const Collected late = ReadFhirText(claim + "\n" + patient + "\n");
  CHECK(late.counts.records_rejected == 1);
  const Collected early = ReadFhirText(patient + "\n" + claim + "\n");
  CHECK(early.counts.records_processed == 1);
  CHECK(early.encounters[0].sex == Sex::kMale);
}

// Issue 12: a member the reader does not understand rejects the resource, never vanishes.
TEST_CASE("A FHIR claim whose item, diagnosis, procedure or supportingInfo has the wrong JSON type is rejected", "[fhir][issue12]") {
  for (const char* key : {"item", "diagnosis", "procedure", "supportingInfo"}) {
    for (const char* value : {R"("text")", R"({"sequence": 1})", "null", "7", R"(["text"])", "[null]"}) {
      // Replace the member when the fixture has it, else add it.
      std::string claim = ProfessionalClaim();
      const std::string quoted = std::string("\"") + key + "\": ";
      if (const auto at = claim.find(quoted); at != std::string::npos) {
        const size_t start = at + quoted.size();
        size_t depth = 0, end = start;
        for (; end < claim.size(); ++end) {
          if (claim[end] == '[' || claim[end] == '{') ++depth;
          else if (claim[end] == ']' || claim[end] == '}') {
            if (--depth == 0) { ++end; break; }
          }
        }
        claim.replace(start, end - start, value);
      } else {
        claim = ProfessionalClaim(",\n  " + quoted + value);
      }
      const Collected c = ReadFhirText(claim);
      INFO(key << " = " << value << "\n" << c.Describe());
      CHECK(c.encounters.empty());
      REQUIRE(c.rejects.size() == 1);
      CHECK(c.rejects[0].field.find(key) != std::string::npos);
      CHECK(c.counts.encounters_rejected == 1);
    }
  }
}

TEST_CASE("A FHIR number out of range is reported as such, not as a line that is not a JSON object", "[fhir][issue12]") {
  const Collected c = ReadFhirText(OneLine(ProfessionalClaim(R"(, "extension": [{"valueDecimal": 1e999}])")) + "\n" +
                                   OneLine(ProfessionalClaim()) + "\n");
  INFO(c.Describe());
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].reason.find("not a JSON object") == std::string::npos);
  CHECK(c.rejects[0].reason.find("number") != std::string::npos);
}
