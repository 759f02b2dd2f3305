#include <catch2/catch.hpp>

#include <functional>
#include <sstream>

#include "audit/qa/auditor_csv.hpp"
#include "audit/qa/rebuttal.hpp"

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

TEST_CASE("Auditor diagnoses without seq 1 reject the encounter, as in the coder's file",
          "[qa][csv]") {
  std::istringstream in(
      "encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,service_date\n"
      "E1,A01,HCPCS,,99213,,,,\n"
      "E1,,DX,2,I10,,,,\n"
      "E1,,DX,3,E11.9,,,,\n"
      "E2,A01,HCPCS,,99213,,,,\n");  // no diagnoses at all: fine
  std::vector<AuditedEncounter> got;
  std::vector<Reject> rejects;
  AuditorSink sink;
  sink.on_encounter = [&](AuditedEncounter&& a) { got.push_back(std::move(a)); };
  sink.on_reject = [&](Reject&& r) { rejects.push_back(std::move(r)); };
  const auto c = ReadAuditorCsv(in, "aud.csv", sink);
  CHECK(c.records_read == c.records_processed + c.records_rejected);
  REQUIRE(got.size() == 1);
  CHECK(got[0].encounter_id == "E2");
  REQUIRE(rejects.size() == 3);
  CHECK(rejects[1].line == 3);
  CHECK(rejects[1].field == "seq");
  CHECK(rejects[1].reason.find("no diagnosis has seq 1") != std::string::npos);
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

// Issue 12: no reject, warning or exception text carries a value the file held in any
// column (these layouts have no patient column; comments and ids may still hold one).
TEST_CASE("Auditor and rebuttal CSV errors never echo the values they reject", "[qa][csv][phi][issue12]") {
  const std::string mark = "ZZPHIMARK";
  std::vector<std::string> texts;
  auto collect = [&](const std::function<void()>& read) {
    try {
      read();
    } catch (const std::exception& e) {
      texts.push_back(e.what());
    }
  };
  const std::string auditor_header = "encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,service_date,drg,reason,comment,removed\n";
  for (const std::string& text :
       {auditor_header + "E1," + mark + std::string(80, 'X') + ",DX,1,I10,,,,,,,,\n",
        auditor_header + "E1,A1," + mark + ",1,I10,,,,,,,,\n",
        auditor_header + "E1,A1,DX," + mark + ",I10,,,,,,,,\n",
        auditor_header + "E1,A1,DX,1," + mark + ",,,,,,,,\n",
        auditor_header + "E1,A1,DX,1,I10," + mark + ",,,,,,,\n",
        auditor_header + "E1,A1,DX,1,I10,,,,," + mark + ",,,\n",
        auditor_header + "E1,A1,DX,1,I10,,,,,," + mark + ",,\n",
        auditor_header + "E1,A1,DX,1,I10,,,,,,,," + mark + "\n",
        auditor_header + "E1,A1,DX,1,I10,,,,,,,\"" + mark + "\"x,\n",
        auditor_header + "E1," + mark + "\n",
        "E1," + mark + "," + mark + "\n",
        auditor_header + "E1,A1,DX,1,I10,,,,,,," + std::string(2100, 'X') + mark + ",\n"}) {
    AuditorSink sink;
    sink.on_reject = [&](Reject&& r) { texts.push_back(r.field + ": " + r.reason); };
    sink.on_warning = [&](const std::string& w) { texts.push_back(w); };
    collect([&] {
      std::istringstream in(text);
      ReadAuditorCsv(in, "aud.csv", sink);
    });
  }
  const std::string rebuttal_header = "ref,encounter_id,outcome,code_type,line,coder_code,auditor_code,rebuttal,coder_comment,decision,decision_note\n";
  for (const std::string& text :
       {rebuttal_header + mark + ",,,,,,,agree,,,\n", rebuttal_header + "1," + mark + "," + mark + ",,,,,agree,,,\n",
        rebuttal_header + "1,,," + mark + "," + mark + ",,,agree,,,\n", rebuttal_header + "1,,,,,,," + mark + ",,,\n",
        rebuttal_header + "1,,,,,,,,," + mark + ",\n", rebuttal_header + "1,,,,,,,agree," + std::string(2100, 'X') + mark + ",,\n",
        rebuttal_header + "1,,,,,,,agree,\"" + mark + "\"x,,\n", "E1," + mark + "," + mark + "\n"}) {
    std::vector<Reject> rejects;
    collect([&] {
      std::istringstream in(text);
      ReadRebuttalCsv(in, "reb.csv", rejects);
    });
    for (const auto& r : rejects) texts.push_back(r.field + ": " + r.reason);
  }
  CHECK(!texts.empty());
  for (const auto& t : texts) {
    INFO(t);
    CHECK(t.find(mark) == std::string::npos);
  }
}
