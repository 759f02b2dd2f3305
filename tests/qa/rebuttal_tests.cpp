#include <catch2/catch.hpp>

#include <sstream>

#include "audit/model/error.hpp"
#include "audit/qa/rebuttal.hpp"
#include "audit/qa/score.hpp"

using namespace coderaudit;
using namespace coderaudit::qa;

namespace {
std::vector<CodeDiff> Rows() {
  auto row = [](uint32_t ref, const char* enc, uint32_t line, const char* c, const char* a,
                Outcome o) {
    CodeDiff d;
    d.ref = ref;
    d.encounter_id = enc;
    d.coder_id = "C01";
    d.auditor_id = "A01";
    d.line = line;
    d.coder_code = c;
    d.auditor_code = a;
    d.outcome = o;
    return d;
  };
  return {row(1, "E1", 1, "I10", "I10", Outcome::kMatch),
          row(2, "E1", 2, "E119", "E1165", Outcome::kRevised),
          row(3, "E1", 0, "", "K219", Outcome::kOmitted),
          row(4, "E2", 1, "99214", "99214", Outcome::kModifier),
          row(5, "E2", 1, "99214", "99214", Outcome::kUnits)};
}
RebuttalEntry ByRef(uint32_t ref, Rebuttal r, Decision d) {
  RebuttalEntry e;
  e.file = "wb.xlsx";
  e.line = ref + 1;
  e.ref = ref;
  e.rebuttal = r;
  e.decision = d;
  return e;
}
}  // namespace

TEST_CASE("Rebuttals apply by Ref and by their keys, and bad rows are rejected", "[qa][rebuttal]") {
  auto diffs = Rows();
  RebuttalEntry by_key;
  by_key.file = "r.csv";
  by_key.line = 2;
  by_key.encounter_id = "E2";
  by_key.outcome = Outcome::kUnits;
  by_key.rebuttal = Rebuttal::kDisagree;
  by_key.decision = Decision::kOverturned;
  by_key.coder_comment = "two vials documented";
  auto wrong = ByRef(2, Rebuttal::kAgree, Decision::kNone);
  wrong.encounter_id = "E9";
  auto r = ApplyRebuttals(diffs, {ByRef(2, Rebuttal::kDisagree, Decision::kOverturned),
                                  ByRef(3, Rebuttal::kAgree, Decision::kUpheld), by_key,
                                  ByRef(1, Rebuttal::kDisagree, Decision::kNone),   // a match
                                  ByRef(99, Rebuttal::kDisagree, Decision::kNone),  // no such ref
                                  ByRef(2, Rebuttal::kAgree, Decision::kNone),      // twice
                                  wrong});
  CHECK(r.entries == 7);
  CHECK(r.applied == 3);
  REQUIRE(r.rejects.size() == 4);
  CHECK(r.rejects[0].reason == "a match has nothing to rebut");
  CHECK(r.rejects[1].reason == "no difference with this ref in the run");
  CHECK(r.rejects[2].reason == "this difference was already given on an earlier row");
  CHECK(r.rejects[3].field == "ref");
  CHECK(diffs[1].decision == Decision::kOverturned);
  CHECK(diffs[2].decision == Decision::kUpheld);
  CHECK(diffs[4].rebuttal_comment == "two vials documented");
  // Re-scored: E1 line 2 now a match, K21.9 still omitted, E2 line 1 keeps its modifier
  // error (its units error was overturned): 2 matches, 2 errors.
  auto s = ScoreCoders(diffs, 0.95).at(0);
  CHECK(s.matches == 2);
  CHECK(s.errors == 2);
  CHECK(s.overturned == 2);
}

TEST_CASE("The rebuttal CSV is read with rejects for bad rows", "[qa][rebuttal]") {
  std::istringstream in(
      "ref,encounter_id,code_type,line,coder_code,auditor_code,outcome,rebuttal,coder_comment,decision,decision_note\n"
      ",E1,DX,2,E11.9,E11.65,revised,disagree,A1c 6.1,overturned,agreed on review\n"
      "4,,,,,,,agree,,,\n"
      ",E2,,,,,units,maybe,,,\n"
      ",E2,,,,,,disagree,,,\n"
      ",E3,,,,,added,,,,\n");
  std::vector<Reject> rejects;
  auto entries = ReadRebuttalCsv(in, "r.csv", rejects);
  REQUIRE(entries.size() == 3);  // the last row says nothing: skipped
  CHECK(entries[0].coder_code == "E119");
  CHECK(entries[0].code_line == 2u);
  CHECK(entries[0].decision_note == "agreed on review");
  CHECK(entries[1].ref == 4);
  REQUIRE(rejects.size() == 1);
  CHECK(rejects[0].line == 4);
  CHECK(rejects[0].field == "rebuttal");
  auto diffs = Rows();
  auto r = ApplyRebuttals(diffs, entries);
  CHECK(r.applied == 2);
  REQUIRE(r.rejects.size() == 1);  // E2 without an outcome and without a ref
  CHECK(r.rejects[0].line == 5);
  std::istringstream no_keys("rebuttal\nagree\n");
  CHECK_THROWS_AS(ReadRebuttalCsv(no_keys, "x.csv", rejects), InputError);
}
