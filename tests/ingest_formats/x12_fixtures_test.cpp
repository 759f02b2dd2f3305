// Every X12 fixture in ../shared/data/encounters/x12 is read with the right counts or
// rejected with the right reason. Several claims are checked field by field against the
// raw segments (the segment numbers in comments count from the ISA = 1).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;

namespace {

#define REQUIRE_SHARED_DATA()                                                \
  const std::string data = coderaudit::test::SharedData();                   \
  if (data.empty()) {                                                        \
    WARN("skipped: ../shared/data not found");                               \
    return;                                                                  \
  }

std::string X12(const std::string& data, const std::string& rel) { return data + "/encounters/x12/" + rel; }

struct Expected {
  int64_t read, processed;
  std::string field;   // element of the claims' reject ("CLM05-1"), "" when none
  std::string reason;  // substring every claim reject carries
};

// Outcome of each file with the default (strict) options.
const std::map<std::string, Expected> kExpected = {
    // 5010 837P: the ones that declare ':' (ISA16) but write '>' in composites are rejected.
    {"linuxforhealth/837_005010X222A2/demo.ambulance.example5.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.autoaccident.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.cob.2ndary.example4.837", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    {"linuxforhealth/837_005010X222A2/demo.cob.example3.A.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.cob.example3.B.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.cob.example3.C.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.cob.example4.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.drug.example10.1.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.drug.example10.2.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.drug.example10.3.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.example1.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.example11.837", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    {"linuxforhealth/837_005010X222A2/demo.example12.837", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    {"linuxforhealth/837_005010X222A2/demo.example2.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.example6.837", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    {"linuxforhealth/837_005010X222A2/demo.example7.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.example8.837", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X222A2/demo.example9.837", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    // 5010 837I.
    {"linuxforhealth/837_005010X223A3/institutional-claim.837i", {1, 1, "", ""}},
    {"linuxforhealth/837_005010X223A3/out-of-network-repriced-claim.837i", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    {"linuxforhealth/837_005010X223A3/ppo-repriced-claim.837i", {1, 0, "CLM05-1", "contains '>' but ISA16 declares ':'"}},
    {"linuxforhealth/837_005010X223A3/two-claims-single-provider.837i", {2, 2, "", ""}},
    // 4010 claims: refused, each claim counted and rejected with the version reason.
    {"linuxforhealth/837_004010X096A1/automobile-accident.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X096A1/homeowners.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X096A1/institutional-ppo-repriced.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X096A1/institutional.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X096A1/workers-compensation.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X098A1/coordination-of-benefits.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X098A1/dependent-commercial-insurance-01.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X098A1/dependent-commercial-insurance-02.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X098A1/dependent-commercial-insurance-03.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X098A1/patient-is-dependent.837", {1, 0, "GS08", "4010 claims are not read"}},
    {"linuxforhealth/837_004010X098A1/patient-is-subscriber.837", {1, 0, "GS08", "4010 claims are not read"}},
    // 835 remittances hold no claims: one reject for the group, no records.
    {"linuxforhealth/835_005010X221A1/cob-contractural-adjustment.835", {0, 0, "GS08", "835 remittance advice"}},
    {"linuxforhealth/835_005010X221A1/managed-care.835", {0, 0, "GS08", "835 remittance advice"}},
    {"linuxforhealth/835_005010X221A1/medicare-part-a.835", {0, 0, "GS08", "835 remittance advice"}},
    {"linuxforhealth/835_005010X221A1/secondary-payment.835", {0, 0, "GS08", "835 remittance advice"}},
    {"linuxforhealth/835_005010X221A1/tertiary-payment.835", {0, 0, "GS08", "835 remittance advice"}},
    // imsweb: built for a loop-structure parser; every 837 one says SE*25 whatever its
    // length, so the transaction envelope rejects its claims unless an outer envelope
    // is already broken (then that one is named).
    {"imsweb/x12_999_accepted.txt", {0, 0, "GS08", "999 acknowledgment"}},
    {"imsweb/x12_999_rejected.txt", {0, 0, "GS08", "999 acknowledgment"}},
    {"imsweb/x12_ambiguous_loop.txt", {1, 0, "SE01", "SE01 segment count 25 does not match the 33"}},
    {"imsweb/x12_bad_first_line.txt", {2, 0, "ISA", "ISA02 has 9 characters, 10 required"}},
    {"imsweb/x12_bad_segment_identifier.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_bad_valid_code.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_complex.txt", {6, 0, "GE01", "GE01 transaction set count 1 does not match the 2 ST"}},
    {"imsweb/x12_loop_errors1_exceeds_max_1_parent.txt", {1, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_loop_errors3_missing_loops.txt", {1, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_many_claims.txt", {820, 0, "SE01", "SE01 segment count 25 does not match the 11486"}},
    {"imsweb/x12_missing_elements.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_missing_required_loop_in_one_repeat.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_missing_required_loops_mult_repeats.txt", {5, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_multiple_gs.txt", {6, 0, "IEA01", "IEA01 group count 1 does not match the 3 GS"}},
    {"imsweb/x12_multiple_isa.txt", {4, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_multiple_st.txt", {4, 0, "GE01", "GE01 transaction set count 1 does not match the 2 ST"}},
    {"imsweb/x12_multiple_transactions.txt", {624, 0, "", "rejected with its envelope"}},
    {"imsweb/x12_no_errors.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_segment_errors.txt", {1, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_segments_out_of_order.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_valid.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_valid_different_separators.txt", {2, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x12_writer_test.txt", {1, 0, "SE01", "SE01 segment count 25"}},
    {"imsweb/x223-test.txt", {1, 0, "SE01", "SE01 segment count 25"}},
};

const CodedLine& Line(const Encounter& e, size_t i) {
  REQUIRE(i < e.lines.size());
  return e.lines[i];
}

}  // namespace

TEST_CASE("Every X12 fixture is read with the expected counts or rejected with the right reason", "[x12]") {
  REQUIRE_SHARED_DATA();
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data + "/encounters/x12")) {
    if (!entry.is_regular_file() || entry.path().filename() == "LICENSE") continue;
    const std::string rel = std::filesystem::relative(entry.path(), data + "/encounters/x12").string();
    if (rel == "imsweb/x12_no_isa_line.txt") continue;  // its own test below
    INFO(rel);
    auto it = kExpected.find(rel);
    REQUIRE(it != kExpected.end());  // a new fixture needs an expectation
    seen.insert(rel);
    const Expected& want = it->second;
    const Collected c = test::ReadPath(entry.path().string(), ingest::InputFormat::kAuto);
    INFO(c.Describe());
    CHECK(test::CountsAddUp(c.counts));
    CHECK(c.counts.records_read == want.read);
    CHECK(c.counts.encounters_read == want.read);
    CHECK(c.counts.records_processed == want.processed);
    CHECK(c.encounters.size() == static_cast<size_t>(want.processed));
    if (want.reason.empty()) {
      CHECK(c.rejects.empty());
      continue;
    }
    REQUIRE_FALSE(c.rejects.empty());
    size_t claim_rejects = 0;
    for (const auto& r : c.rejects) {
      if (want.read == want.processed) break;
      // Claim rejects (one per rejected claim) all carry the reason; envelope rejects
      // that enclose no claim come on top.
      const bool about_claim = r.reason.find("the claim at segment") != std::string::npos ||
                               r.field.find("CLM") != std::string::npos;
      if (!about_claim) continue;
      ++claim_rejects;
      CHECK_THAT(r.reason, Catch::Contains(want.reason));
      if (!want.field.empty()) CHECK_THAT(r.field, Catch::EndsWith(" " + want.field));
      CHECK(r.field.starts_with("segment " + std::to_string(r.line) + " "));
    }
    CHECK(claim_rejects == static_cast<size_t>(want.read - want.processed));
    if (want.read == 0) {
      CHECK_THAT(c.rejects.front().field, Catch::EndsWith(want.field));
      CHECK_THAT(c.rejects.front().reason, Catch::Contains(want.reason));
    }
  }
  CHECK(seen.size() == kExpected.size());
}

TEST_CASE("A file without an ISA header is not X12 and stops with an input error", "[x12]") {
  REQUIRE_SHARED_DATA();
  CHECK_THROWS_AS(test::ReadPath(X12(data, "imsweb/x12_no_isa_line.txt"), ingest::InputFormat::kX12), InputError);
  // Auto-detection still calls it X12 (it starts with GS*), so the message is the X12 one.
  CHECK_THROWS_WITH(test::ReadPath(X12(data, "imsweb/x12_no_isa_line.txt")), Catch::Contains("does not start with an ISA"));
}

TEST_CASE("837P demo.example1: dependent patient, ICD-9 diagnoses, four lines with pointers", "[x12]") {
  REQUIRE_SHARED_DATA();
  const Collected c = test::ReadPath(X12(data, "linuxforhealth/837_005010X222A2/demo.example1.837"));
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.id == "26463774");                                   // CLM01, segment 27
  CHECK(e.source_line == 27);
  CHECK(e.total_charge_cents == 10000);                        // CLM02 100.00
  CHECK(e.place_of_service == "11");                           // CLM05 11:B:1
  CHECK(e.claim_frequency == "1");
  CHECK(e.claim_type == ClaimType::kProfessional);
  CHECK(e.provider_id == "1912301953");                        // 2010AA NM109
  CHECK(e.coder_id == "x12:TGJ23");                            // 1000A NM109: the placeholder
  CHECK(e.payer == "KEY INSURANCE COMPANY");                   // 2010BB NM103
  // The patient is the 2000C dependent (TED, DMG 19730501 M), not the subscriber.
  CHECK(e.sex == Sex::kMale);
  CHECK(ToIso(*e.birth_date) == "1973-05-01");
  CHECK(e.patient_id.starts_with("JS00111223333-"));          // subscriber id + digest
  CHECK(e.patient_id.find("SMITH") == std::string::npos);
  CHECK(ToIso(e.from_date) == "2006-10-03");                   // first DTP*472
  CHECK(ToIso(e.through_date) == "2006-10-10");                // last DTP*472
  REQUIRE(e.lines.size() == 6);
  CHECK(Line(e, 0).type == CodeType::kDiagnosis);              // HI*BK:0340*BF:V7389
  CHECK(Line(e, 0).seq == 1);
  CHECK(Line(e, 0).code.View() == "0340");
  CHECK(Line(e, 0).code_system == CodeSystem::kIcd9);
  CHECK(Line(e, 1).code.View() == "V7389");
  CHECK(Line(e, 1).seq == 2);
  const CodedLine& l3 = Line(e, 4);                            // SV1*HC:99214*35.00*UN*1.00***2
  CHECK(l3.type == CodeType::kHcpcs);
  CHECK(l3.code.View() == "99214");
  CHECK(l3.charge_cents == 3500);
  CHECK(l3.units == 1);
  CHECK(ToIso(*l3.service_date) == "2006-10-10");
  CHECK(l3.dx_pointers[0] == 2);
  CHECK(l3.dx_pointers[1] == 0);
  CHECK(l3.source_line == 37);
}

TEST_CASE("837P ambulance example: modifiers, 21 units, an empty CLM05-2 qualifier", "[x12]") {
  REQUIRE_SHARED_DATA();
  const Collected c = test::ReadPath(X12(data, "linuxforhealth/837_005010X222A2/demo.ambulance.example5.837"));
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.id == "051068");
  CHECK(e.place_of_service == "41");                           // CLM05 41::1
  CHECK(e.patient_id == "012345678A");                         // patient is the subscriber
  CHECK(e.sex == Sex::kFemale);
  CHECK(ToIso(*e.birth_date) == "1963-07-29");
  CHECK(e.total_charge_cents == 76650);
  REQUIRE(e.lines.size() == 8);                                // 4 DX + 4 lines
  CHECK(Line(e, 1).code.View() == "E8888");                    // ICD-9 E code
  const CodedLine& mileage = Line(e, 5);                       // SV1*HC:A0425:RH*8.20*UN*21.00***1:2:3:4
  CHECK(mileage.code.View() == "A0425");
  CHECK(mileage.modifiers.Str() == "RH");
  CHECK(mileage.units == 21);
  CHECK(mileage.charge_cents == 820);
  CHECK(mileage.dx_pointers == std::array<uint8_t, 4>{1, 2, 3, 4});
}

TEST_CASE("837P COB example: other-payer loops do not replace the patient or the rendering provider", "[x12]") {
  REQUIRE_SHARED_DATA();
  for (const char* file : {"demo.cob.example3.B.837", "demo.cob.example3.C.837"}) {
    INFO(file);
    const Collected c = test::ReadPath(X12(data, std::string("linuxforhealth/837_005010X222A2/") + file));
    REQUIRE(c.encounters.size() == 1);
    const Encounter& e = c.encounters[0];
    CHECK(ToIso(*e.birth_date) == "1973-05-01");               // 2010CA TED, not 2330A JANE
    CHECK(e.rendering_provider_id == "1999996666");            // 2310B, not the empty 2330D
    CHECK(e.payer == "GREAT PRAIRIES HEALTH");                 // 2010BB, not 2330B
    REQUIRE(e.lines.size() == 7);
    CHECK(Line(e, 6).code.View() == "J3301");
    CHECK(Line(e, 6).charge_cents == 2104);
  }
}

TEST_CASE("837P home infusion example: RD8 line dates frame the claim", "[x12]") {
  REQUIRE_SHARED_DATA();
  const Collected c = test::ReadPath(X12(data, "linuxforhealth/837_005010X222A2/demo.drug.example10.2.837"));
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.place_of_service == "12");
  CHECK(ToIso(e.from_date) == "2004-02-01");                   // DTP*472*RD8*20040201-20040207
  CHECK(ToIso(e.through_date) == "2004-02-07");
  REQUIRE(e.lines.size() == 7);
  CHECK(Line(e, 1).code.View() == "S9500");
  CHECK(Line(e, 1).units == 7);
  CHECK(Line(e, 1).charge_cents == 140000);
  CHECK(Line(e, 1).place_of_service.View() == "12");           // SV105
  CHECK(ToIso(*Line(e, 1).service_date) == "2004-02-01");
}

TEST_CASE("837I institutional claim: type of bill 0141 is outpatient, codes that are not coding are skipped", "[x12]") {
  REQUIRE_SHARED_DATA();
  const Collected c = test::ReadPath(X12(data, "linuxforhealth/837_005010X223A3/institutional-claim.837i"));
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.id == "756048Q");
  CHECK(e.type_of_bill == "0141");                             // CLM05 14:A:1
  CHECK(e.claim_type == ClaimType::kOutpatient);
  CHECK(e.discharge_status == "01");                           // CL1*3**01
  CHECK(ToIso(e.from_date) == "1996-09-11");                   // DTP*434*D8
  CHECK(ToIso(e.through_date) == "1996-09-11");
  CHECK(e.attending_provider_id.empty());                      // NM1*71 without NM109
  CHECK(e.provider_id == "9876540809");
  // HI*BK:3669 / HI*BF:4019*BF:79431; BH occurrence, BE value, BG condition codes are not DX.
  REQUIRE(e.lines.size() == 5);
  CHECK(Line(e, 0).code.View() == "3669");
  CHECK(Line(e, 2).code.View() == "79431");
  CHECK(Line(e, 2).seq == 3);
  CHECK(Line(e, 4).code.View() == "93005");                    // SV2*0730*HC:93005*76.54*UN*3.00
  CHECK(Line(e, 4).revenue_code.View() == "0730");
  CHECK(Line(e, 4).units == 3);
  CHECK(Line(e, 4).charge_cents == 7654);
}

TEST_CASE("837I with two claims under one billing provider", "[x12]") {
  REQUIRE_SHARED_DATA();
  const Collected c = test::ReadPath(X12(data, "linuxforhealth/837_005010X223A3/two-claims-single-provider.837i"));
  REQUIRE(c.encounters.size() == 2);
  const Encounter* a = c.Find("756048Q");
  const Encounter* b = c.Find("756049Q");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->provider_id == b->provider_id);
  CHECK(a->patient_id == "030005074");
  CHECK(b->patient_id == "123405074");
  CHECK(a->type_of_bill == "0131");
  CHECK(a->attending_provider_id == "1122334455");
  CHECK(b->attending_provider_id == "9999999999");
  CHECK(ToIso(*b->birth_date) == "1962-12-10");
  REQUIRE(b->lines.size() == 2);
  CHECK(b->lines[1].revenue_code.View() == "0300");
  CHECK(b->lines[1].code.View() == "85087");
}

TEST_CASE("With counts not verified, the imsweb files show their structural faults", "[x12]") {
  REQUIRE_SHARED_DATA();
  const ingest::X12Options lenient{false};
  struct Case {
    const char* file;
    int64_t rejected;
    std::vector<std::string> reasons;  // each appears in some reject
  };
  const std::vector<Case> cases = {
      {"x12_valid.txt", 2, {"HL04 announces a patient loop", "HL01 must number the hierarchical loops"}},
      {"x12_bad_segment_identifier.txt", 2, {"segment id is not 2-3 upper-case letters or digits; the claim at segment 22 is under this transaction header"}},
      {"x12_missing_required_loop_in_one_repeat.txt", 2, {"HL02 of a subscriber loop (HL03 22) must name the billing provider loop"}},
      {"x12_multiple_st.txt", 4, {"ST02 repeats the control number"}},
      {"x12_multiple_gs.txt", 6, {"GS06 repeats the control number"}},
      {"x12_multiple_transactions.txt", 624, {"ISA13 repeats the control number"}},
      {"x223-test.txt", 1, {"CLM05-2 must be A (uniform billing facility type) in an 837I"}},
      {"x12_bad_first_line.txt", 2, {"ISA02 has 9 characters"}},
  };
  for (const auto& k : cases) {
    INFO(k.file);
    const Collected c = test::ReadX12Path(X12(data, std::string("imsweb/") + k.file), lenient);
    INFO(c.Describe());
    CHECK(test::CountsAddUp(c.counts));
    CHECK(c.counts.records_rejected == k.rejected);
    for (const auto& reason : k.reasons) {
      bool found = false;
      for (const auto& r : c.rejects) found = found || r.reason.find(reason) != std::string::npos;
      CHECK(found);
    }
    // The count mismatches are still reported, as warnings.
    bool warned = false;
    for (const auto& w : c.warnings) warned = warned || w.find("counts not verified") != std::string::npos;
    CHECK(warned);
  }
}

TEST_CASE("X12 reject reasons never repeat patient names, ids or birth dates", "[x12]") {
  REQUIRE_SHARED_DATA();
  for (const char* file : {"imsweb/x12_many_claims.txt", "imsweb/x12_valid.txt", "imsweb/x12_writer_test.txt"}) {
    for (bool verify : {true, false}) {
      const Collected c = test::ReadX12Path(X12(data, file), ingest::X12Options{verify});
      for (const auto& r : c.rejects) {
        INFO(r.reason);
        for (const char* phi : {"DOE", "JOHN", "DAVID", "123456", "19611124", "A37YH556", "CALVERTON"}) {
          CHECK(r.reason.find(phi) == std::string::npos);
          CHECK(r.field.find(phi) == std::string::npos);
        }
      }
    }
  }
}
