#include <catch2/catch.hpp>

#include <sstream>

#include "audit/qa/auditor_csv.hpp"

using namespace coderaudit;
using namespace coderaudit::qa;

TEST_CASE("Auditor re-coding is read per encounter and bad rows are rejected", "[qa][csv]") {
  std::istringstream in(
      "encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,service_date\n"
      "E1,A01,DX,1,I10,,,,\n"
      "E1,,HCPCS,,99213,,25,,\n"
      "E2,A02,DX,1,I10,,,,\n"
      "E2,,DX,1,E11.9,,,,\n"   // repeated seq: E2 rejected
      "E3,A01,DX,1,J44.1,,,,\n");
  std::vector<AuditedEncounter> got;
  std::vector<Reject> rejects;
  AuditorSink sink;
  sink.on_encounter = [&](AuditedEncounter&& a) { got.push_back(std::move(a)); };
  sink.on_reject = [&](Reject&& r) { rejects.push_back(std::move(r)); };
  auto c = ReadAuditorCsv(in, "aud.csv", sink);
  CHECK(c.records_read == 5);
  CHECK(c.records_processed == 3);
  CHECK(c.records_rejected == 2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].auditor_id == "A01");
  CHECK(got[0].lines[1].units == 1);
  CHECK(got[1].encounter_id == "E3");
  REQUIRE(rejects.size() == 2);
  CHECK(rejects[1].line == 5);
  CHECK(rejects[1].field == "seq");
}
