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

TEST_CASE("The optional v2 columns carry DRG, reasons, comments and removed codes", "[qa][csv]") {
  std::istringstream in(
      "encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,service_date,drg,reason,comment,removed\n"
      "E1,A01,DX,1,I50.23,Y,,,,291,SEQ,\"HF is the reason, per H&P\",\n"
      "E1,,DX,2,I11.0,Y,,,,,,,\n"
      "E1,,DX,,K21.9,,,,,,DOC,not documented,Y\n"
      "E2,A01,DX,1,I10,,,,,291,,,\n"
      "E2,,DX,2,E11.9,,,,,292,,,\n"     // a second, different DRG: E2 rejected
      "E3,A01,DX,1,J44.1,,,,,,bad reason!,,\n"
      "E4,A01,DX,1,J44.1,,,,,,,,X\n");
  std::vector<AuditedEncounter> got;
  std::vector<Reject> rejects;
  AuditorSink sink;
  sink.on_encounter = [&](AuditedEncounter&& a) { got.push_back(std::move(a)); };
  sink.on_reject = [&](Reject&& r) { rejects.push_back(std::move(r)); };
  ReadAuditorCsv(in, "aud.csv", sink);
  REQUIRE(got.size() == 1);
  const auto& e = got[0];
  CHECK(e.drg == "291");
  REQUIRE(e.lines.size() == 2);
  REQUIRE(e.notes.size() == 2);
  CHECK(e.notes[0].reason == "SEQ");
  CHECK(e.notes[0].comment == "HF is the reason, per H&P");
  REQUIRE(e.removed.size() == 1);
  CHECK(e.removed[0].code.Str() == "K219");
  CHECK(e.removed[0].note.reason == "DOC");
  std::vector<std::string> fields;
  for (const auto& r : rejects)
    if (!r.field.empty()) fields.push_back(r.field);
  CHECK(fields == std::vector<std::string>{"drg", "reason", "removed"});
}

// Issue 12: an auditor file that lists an encounter twice scores no copy of it.
TEST_CASE("An encounter listed twice in an auditor file is rejected in both copies", "[qa][csv][issue12]") {
  const std::string text =
      "encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,service_date\n"
      "E1,A01,DX,1,I10,,,,\n"
      "E1,,HCPCS,,99213,,25,,\n"
      "E2,A02,DX,1,I10,,,,\n"
      "E1,A01,DX,1,E11.9,,,,\n"  // E1 again
      "E3,A01,DX,1,J44.1,,,,\n";
  for (bool seekable : {true, false}) {
    CAPTURE(seekable);
    std::istringstream in(text);
    // A stream that cannot seek (a pipe) must give the same result.
    struct NoSeek : std::streambuf {
      explicit NoSeek(std::streambuf* s) : src(s) {}
      int_type underflow() override { return src->sgetc(); }
      int_type uflow() override { return src->sbumpc(); }
      std::streambuf* src;
    } no_seek(in.rdbuf());
    std::istream piped(&no_seek);
    std::vector<AuditedEncounter> got;
    std::vector<Reject> rejects;
    AuditorSink sink;
    sink.on_encounter = [&](AuditedEncounter&& a) { got.push_back(std::move(a)); };
    sink.on_reject = [&](Reject&& r) { rejects.push_back(std::move(r)); };
    auto c = ReadAuditorCsv(seekable ? in : piped, "aud.csv", sink);
    CHECK(c.records_read == 5);
    CHECK(c.records_processed == 2);
    CHECK(c.records_rejected == 3);
    CHECK(c.encounters_processed == 2);
    CHECK(c.encounters_rejected == 1);
    REQUIRE(got.size() == 2);
    CHECK(got[0].encounter_id == "E2");
    CHECK(got[1].encounter_id == "E3");
    REQUIRE(rejects.size() == 3);
    CHECK(rejects[0].line == 2);
    CHECK(rejects[0].field == "encounter_id");
    CHECK(rejects[0].reason.find("listed again") != std::string::npos);
    CHECK(rejects[1].line == 3);
    CHECK(rejects[2].line == 5);
  }
}
