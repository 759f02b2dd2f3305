#include <catch2/catch.hpp>

#include <map>

#include "audit/qa/diff.hpp"
#include "audit/qa/payment.hpp"

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

TEST_CASE("A new principal the coder did not report makes the coder's principal resequenced",
          "[qa][diff]") {
  auto d = DiffEncounter(Coded({Dx(1, "M17.11"), Dx(2, "E11.9"), Pcs(1, "0SRD0J9")}),
                         Audited({Dx(1, "I10"), Dx(2, "M17.11"), Dx(3, "E11.9"), Pcs(1, "0SRD0J9")}));
  CHECK(Summary(d) == "resequenced:M1711>M1711@1 match:E119>E119@2 omitted:>I10@0 "
                      "match:0SRD0J9>0SRD0J9@3 ");
  REQUIRE(d.size() == 4);
  CHECK(d[0].principal);
  CHECK(d[0].detail == "principal is now I10");
  // A swap stays one resequencing on the new principal's line.
  auto swap = DiffEncounter(Coded({Dx(1, "M17.11"), Dx(2, "I10")}),
                            Audited({Dx(1, "I10"), Dx(2, "M17.11")}));
  CHECK(Summary(swap) == "resequenced:I10>I10@2 match:M1711>M1711@1 ");
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

TEST_CASE("Repeated codes pair identical lines first: one changed line is one difference",
          "[qa][diff]") {
  // Bilateral: the auditor keeps only the LT line. RT is the added line, LT matches.
  auto bilateral = DiffEncounter(Coded({Cpt("20610", "RT"), Cpt("20610", "LT")}),
                                 Audited({Cpt("20610", "LT")}));
  CHECK(Summary(bilateral) == "match:20610>20610@2 added:20610>@1 ");
  // Units: 1 and 2 coded, 2 kept: the 2-unit line matches, the 1-unit line is added.
  auto units = DiffEncounter(Coded({Cpt("96372", "", 1), Cpt("96372", "", 2)}),
                             Audited({Cpt("96372", "", 2)}));
  CHECK(Summary(units) == "match:96372>96372@2 added:96372>@1 ");
  // Nothing identical: the lines still pair in line order, with their differences.
  auto changed = DiffEncounter(Coded({Cpt("20610", "RT"), Cpt("20610", "LT")}),
                               Audited({Cpt("20610", "50")}));
  CHECK(Summary(changed) == "modifier:20610>20610@1 added:20610>@2 ");
}

// ---- v2: POA, DRG, direction, money, reasons (audit/qa/README.md)

namespace {
CodedLine DxPoa(uint16_t seq, const char* code, char poa) {
  CodedLine l = Dx(seq, code);
  l.poa = poa;
  return l;
}
CodedLine Charged(CodedLine l, int64_t cents) {
  l.charge_cents = cents;
  return l;
}
}  // namespace

TEST_CASE("A POA difference on a matched diagnosis is a poa row, not a match", "[qa][diff]") {
  auto e = Coded({DxPoa(1, "I50.23", 'Y'), DxPoa(2, "N17.9", 'Y'), DxPoa(3, "E11.9", 'N')});
  auto d = DiffEncounter(e, Audited({DxPoa(1, "I50.23", 'Y'), DxPoa(2, "N17.9", 'N'),
                                     DxPoa(3, "E11.9", 'Y')}));
  CHECK(Summary(d) == "match:I5023>I5023@1 poa:N179>N179@2 poa:E119>E119@3 ");
  CHECK(d[1].detail == "POA Y -> N");
  // Coder says present on admission, auditor not: the claim escapes a HAC reduction.
  CHECK(d[1].direction == Direction::kOver);
  CHECK(d[2].direction == Direction::kUnder);
}

TEST_CASE("POA is compared only when the auditor gives one, and blank equals exempt", "[qa][diff]") {
  auto e = Coded({DxPoa(1, "I10", 'Y'), DxPoa(2, "Z79.4", ' '), DxPoa(3, "E78.5", ' ')});
  auto d = DiffEncounter(e, Audited({DxPoa(1, "I10", ' '), DxPoa(2, "Z79.4", '1'),
                                     DxPoa(3, "E78.5", 'Y')}));
  CHECK(Summary(d) == "match:I10>I10@1 match:Z794>Z794@2 poa:E785>E785@3 ");
  CHECK(d[2].detail == "POA (blank) -> Y");
  CHECK(d[2].direction == Direction::kNeutral);  // blank is neither present nor absent
}

TEST_CASE("A resequenced principal also reports a POA difference on the same code", "[qa][diff]") {
  auto e = Coded({DxPoa(1, "J44.1", 'Y'), DxPoa(2, "J96.01", 'N')});
  auto d = DiffEncounter(e, Audited({DxPoa(1, "J96.01", 'Y'), DxPoa(2, "J44.1", 'Y')}));
  CHECK(Summary(d) == "resequenced:J9601>J9601@2 poa:J9601>J9601@2 match:J441>J441@1 ");
  CHECK(d[0].principal);
}

TEST_CASE("Both DRGs known give one DRG row: a match or a change with weights and money", "[qa][diff]") {
  auto e = Coded({Dx(1, "I11.0"), Dx(2, "I50.23")});
  e.drg = "291";
  e.claim_type = ClaimType::kInpatient;
  auto a = Audited({Dx(1, "I11.0"), Dx(2, "I50.22")});
  a.drg = "291";
  auto same = DiffEncounter(e, a);
  REQUIRE(same.size() == 3);
  CHECK(same[2].code_type == ItemType::kDrg);
  CHECK(same[2].outcome == Outcome::kMatch);

  a.drg = "292";
  PaymentContext pay;
  pay.SetDrgWeights({{"291", 1.3}, {"292", 0.9}}, 6000.0);
  auto r = AuditEncounter(e, a, &pay);
  const CodeDiff& drg = r.rows.back();
  CHECK(drg.outcome == Outcome::kDrg);
  CHECK(drg.detail == "DRG 291 -> 292 (weight 1.3000 -> 0.9000)");
  CHECK(drg.direction == Direction::kOver);
  // (1.3 - 0.9) x $6,000 = $2,400.00, paid too much.
  CHECK(drg.amount_cents == 240000);
  CHECK(r.audit.method == PaymentMethod::kDrg);
  CHECK(r.audit.payment_diff_cents == 240000);
  CHECK(r.audit.coder_weight == 1.3);
  // A DRG the weights file does not have: no money, and the row says why.
  a.drg = "999";
  const CodeDiff unknown = AuditEncounter(e, a, &pay).rows.back();
  CHECK(unknown.detail == "DRG 291 -> 999; no weight known for DRG 999");
  CHECK(unknown.amount_cents == 0);
  // Without the auditor's DRG there is no DRG row at all.
  a.drg.clear();
  CHECK(DiffEncounter(e, a).size() == 2);
}

TEST_CASE("Direction: added over, omitted under, units by count, E/M by level", "[qa][diff]") {
  auto e = Coded({Dx(1, "M17.11"), Dx(2, "I10"), Cpt("99214"), Cpt("96372", "", 3), Cpt("36415")});
  auto d = DiffEncounter(e, Audited({Dx(1, "M17.11"), Dx(2, "E78.5"), Cpt("99213"),
                                     Cpt("96372", "", 2), Cpt("36415", "", 1)}));
  std::map<std::string, Direction> by;
  for (const auto& x : d) by[std::string(ToString(x.outcome)) + ":" + x.coder_code + x.auditor_code] = x.direction;
  CHECK(by["added:I10"] == Direction::kOver);
  CHECK(by["omitted:E785"] == Direction::kUnder);
  CHECK(by["revised:9921499213"] == Direction::kOver);
  CHECK(by["units:9637296372"] == Direction::kOver);
  CHECK(by["match:3641536415"] == Direction::kNeutral);
  // A revision without a known order stays neutral.
  auto x = DiffEncounter(Coded({Cpt("71046")}), Audited({Cpt("71045")}));
  CHECK(x[0].direction == Direction::kNeutral);
}

TEST_CASE("A revised diagnosis takes its direction from CC/MCC levels when known", "[qa][diff]") {
  PaymentContext pay;
  pay.SetSeverity({{Code::Of("I50.23"), Severity::kMcc}, {Code::Of("I50.22"), Severity::kCc}});
  auto e = Coded({Dx(1, "I11.0"), Dx(2, "I50.23"), Dx(3, "E11.9")});
  auto r = AuditEncounter(e, Audited({Dx(1, "I11.0"), Dx(2, "I50.22"), Dx(3, "E11.65")}), &pay);
  CHECK(r.rows[1].outcome == Outcome::kRevised);
  CHECK(r.rows[1].direction == Direction::kOver);     // MCC coded, CC supported
  CHECK(r.rows[2].direction == Direction::kNeutral);  // neither is a CC/MCC
}

TEST_CASE("A principal change follows the DRG's direction when the DRG moved", "[qa][diff]") {
  PaymentContext pay;
  pay.SetDrgWeights({{"871", 1.9}, {"690", 0.8}}, 5000.0);
  auto e = Coded({Dx(1, "A41.9"), Dx(2, "N39.0")});
  e.drg = "871";
  e.claim_type = ClaimType::kInpatient;
  auto a = Audited({Dx(1, "N39.0"), Dx(2, "A41.9")});
  a.drg = "690";
  auto r = AuditEncounter(e, a, &pay);
  REQUIRE(r.rows[0].outcome == Outcome::kResequenced);
  CHECK(r.rows[0].direction == Direction::kOver);
  CHECK(r.rows.back().amount_cents == 550000);  // (1.9 - 0.8) x $5,000
}

TEST_CASE("Line charges price HCPCS differences when no DRG prices the encounter", "[qa][diff]") {
  PaymentContext pay;
  pay.Charges().Add(ClaimType::kProfessional, Code::Of("99213"), 1, 12500);
  pay.Charges().Add(ClaimType::kProfessional, Code::Of("85025"), 1, 2400);
  auto e = Coded({Dx(1, "J06.9"), Charged(Cpt("99214"), 18500), Charged(Cpt("96372", "", 2), 9000),
                  Charged(Cpt("36415"), 1200)});
  auto r = AuditEncounter(e, Audited({Dx(1, "J06.9"), Cpt("99213"), Cpt("96372", "", 1),
                                      Cpt("85025", "", 1)}),
                          &pay);
  std::map<std::string, int64_t> amount;
  for (const auto& d : r.rows) amount[std::string(ToString(d.outcome)) + ":" + d.coder_code + d.auditor_code] = d.amount_cents;
  CHECK(amount["revised:9921499213"] == 18500 - 12500);  // coder's charge - usual 99213
  CHECK(amount["units:9637296372"] == 4500);              // half of the line's $90
  CHECK(amount["added:36415"] == 1200);
  CHECK(amount["omitted:85025"] == -2400);
  CHECK(r.audit.method == PaymentMethod::kCharges);
  CHECK(r.audit.payment_diff_cents == 6000 + 4500 + 1200 - 2400);
  // A code with no usual charge in the run is priced at 0 and says so.
  auto u = AuditEncounter(Coded({Cpt("99214")}), Audited({Cpt("99215")}), &pay);
  CHECK(u.rows[0].amount_cents == 0);
  CHECK(u.rows[0].detail == "no charge known");
}

TEST_CASE("Reasons and comments come from the auditor's rows, and from removed rows for "
          "added codes", "[qa][diff]") {
  auto e = Coded({Dx(1, "E11.9"), Dx(2, "K21.9")});
  auto a = Audited({Dx(1, "E11.65")});
  a.notes = {LineNote{"SPEC", "hyperglycemia documented"}};
  a.removed = {RemovedCode{CodeType::kDiagnosis, Code::Of("K21.9"), LineNote{"DOC", "no GERD in the record"}, 9}};
  auto d = DiffEncounter(e, a);
  REQUIRE(d.size() == 2);
  CHECK(d[0].outcome == Outcome::kRevised);
  CHECK(d[0].reason == "SPEC");
  CHECK(d[0].comment == "hyperglycemia documented");
  CHECK(d[1].outcome == Outcome::kAdded);
  CHECK(d[1].reason == "DOC");
  CHECK(d[1].comment == "no GERD in the record");
}

TEST_CASE("Outcome, direction, rebuttal and decision names round-trip", "[qa][diff]") {
  for (size_t i = 0; i < kOutcomeCount; ++i) {
    const auto o = static_cast<Outcome>(i);
    CHECK(ParseOutcome(ToString(o)) == o);
  }
  for (auto t : {ItemType::kDx, ItemType::kPcs, ItemType::kHcpcs, ItemType::kDrg})
    CHECK(ParseItemType(ToString(t)) == t);
  CHECK(ParseDirection("over-coded") == Direction::kOver);
  CHECK(ParseRebuttal("Disagree") == Rebuttal::kDisagree);
  CHECK(ParseDecision("OVERTURNED") == Decision::kOverturned);
  CHECK_FALSE(ParseDecision("maybe"));
}
