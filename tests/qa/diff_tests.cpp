#include <catch2/catch.hpp>

#include "audit/qa/diff.hpp"

using namespace coderaudit;
using namespace coderaudit::qa;

namespace {
CodedLine Dx(uint16_t seq, const char* code) {
  CodedLine l;
  l.type = CodeType::kDiagnosis;
  l.seq = seq;
  l.code = Code::Of(code);
  return l;
}
CodedLine Pcs(uint16_t seq, const char* code) {
  CodedLine l = Dx(seq, code);
  l.type = CodeType::kPcs;
  return l;
}
CodedLine Cpt(const char* code, const char* mods = "", double units = 1) {
  CodedLine l;
  l.type = CodeType::kHcpcs;
  l.code = Code::Of(code);
  l.modifiers = *Modifiers::Parse(mods);
  l.units = units;
  return l;
}
Encounter Coded(std::vector<CodedLine> lines) {
  Encounter e;
  e.id = "E1";
  e.coder_id = "C01";
  e.lines = std::move(lines);
  return e;
}
AuditedEncounter Audited(std::vector<CodedLine> lines) {
  AuditedEncounter a;
  a.encounter_id = "E1";
  a.auditor_id = "A01";
  a.lines = std::move(lines);
  return a;
}
std::string Summary(const std::vector<CodeDiff>& diffs) {
  std::string s;
  for (const auto& d : diffs)
    s += std::string(ToString(d.outcome)) + ":" + d.coder_code + ">" + d.auditor_code + "@" +
         std::to_string(d.line) + " ";
  return s;
}
}  // namespace

TEST_CASE("Identical coding gives only matches", "[qa][diff]") {
  auto e = Coded({Dx(1, "I10"), Dx(2, "E11.9"), Cpt("99213", "25")});
  auto d = DiffEncounter(e, Audited({Dx(1, "I10"), Dx(2, "E11.9"), Cpt("99213", "25")}));
  CHECK(Summary(d) == "match:I10>I10@1 match:E119>E119@2 match:99213>99213@3 ");
}

TEST_CASE("Added, omitted and revised codes are told apart by category", "[qa][diff]") {
  // Coder: I10, E11.9, K21.9. Auditor: I10, E11.65 (revised), J44.1 (omitted); K21.9 added.
  auto e = Coded({Dx(1, "I10"), Dx(2, "E11.9"), Dx(3, "K21.9")});
  auto d = DiffEncounter(e, Audited({Dx(1, "I10"), Dx(2, "E11.65"), Dx(3, "J44.1")}));
  CHECK(Summary(d) == "match:I10>I10@1 revised:E119>E1165@2 added:K219>@3 omitted:>J441@0 ");
}

TEST_CASE("A principal diagnosis swapped with a secondary is one resequencing error", "[qa][diff]") {
  auto e = Coded({Dx(1, "J44.1"), Dx(2, "I50.9"), Dx(3, "I10")});
  auto d = DiffEncounter(e, Audited({Dx(1, "I50.9"), Dx(2, "J44.1"), Dx(3, "I10")}));
  CHECK(Summary(d) == "resequenced:I509>I509@2 match:J441>J441@1 match:I10>I10@3 ");
  CHECK(d[0].detail == "principal was J441");
}

TEST_CASE("A principal replaced within its category is a revised principal", "[qa][diff]") {
  auto e = Coded({Dx(1, "E11.9"), Dx(2, "I10")});
  auto d = DiffEncounter(e, Audited({Dx(1, "E11.65"), Dx(2, "I10")}));
  CHECK(Summary(d) == "match:I10>I10@2 revised:E119>E1165@1 ");
  CHECK(d[1].detail == "principal");
}

TEST_CASE("Modifier and units differences on the same HCPCS code are separate errors", "[qa][diff]") {
  auto e = Coded({Cpt("20610", "RT", 1), Cpt("96372", "", 3), Cpt("36415")});
  auto d = DiffEncounter(e, Audited({Cpt("20610", "LT", 2), Cpt("96372", "", 2), Cpt("36415")}));
  CHECK(Summary(d) ==
        "modifier:20610>20610@1 units:20610>20610@1 units:96372>96372@2 match:36415>36415@3 ");
  CHECK(d[0].detail == "modifiers 'RT' -> 'LT'");
  CHECK(d[1].detail == "units 1 -> 2");
}

TEST_CASE("Modifier order does not matter", "[qa][diff]") {
  auto d = DiffEncounter(Coded({Cpt("20610", "RT;59")}), Audited({Cpt("20610", "59;RT")}));
  CHECK(Summary(d) == "match:20610>20610@1 ");
}

TEST_CASE("An E/M level change is a revised HCPCS code", "[qa][diff]") {
  auto d = DiffEncounter(Coded({Cpt("99214")}), Audited({Cpt("99213")}));
  CHECK(Summary(d) == "revised:99214>99213@1 ");
}

TEST_CASE("PCS codes are compared with PCS codes only", "[qa][diff]") {
  auto e = Coded({Dx(1, "M17.11"), Pcs(1, "0SRD0J9")});
  auto d = DiffEncounter(e, Audited({Dx(1, "M17.11"), Pcs(1, "0SRC0J9")}));
  // Same first three characters (0SR: replacement, lower joints): revised.
  CHECK(Summary(d) == "match:M1711>M1711@1 revised:0SRD0J9>0SRC0J9@2 ");
}

TEST_CASE("Repeated codes pair up one to one", "[qa][diff]") {
  auto d = DiffEncounter(Coded({Cpt("36415"), Cpt("36415")}), Audited({Cpt("36415")}));
  CHECK(Summary(d) == "match:36415>36415@1 added:36415>@2 ");
}
