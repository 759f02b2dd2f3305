// Synthetic X12: the mapping of 837P/837I claims and what broken or hostile input does.
#include <catch2/catch.hpp>

#include <sstream>
#include <streambuf>

#include "audit/model/error.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;
using coderaudit::test::ProfessionalClaim;
using coderaudit::test::ReadX12Text;
using coderaudit::test::Wrap;

namespace {

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool AnyReject(const Collected& c, const std::string& text) {
  for (const auto& r : c.rejects)
    if (r.reason.find(text) != std::string::npos || r.field.find(text) != std::string::npos) return true;
  return false;
}

// One inpatient 837I claim with every coding feature the reader maps.
std::vector<std::string> InpatientClaim() {
  return {"HL*1**20*1",
          "NM1*85*2*HOSPITAL*****XX*9999999992",
          "HL*2*1*22*1",
          "SBR*P**GRP******MB",
          "NM1*IL*1*ROE*RICHARD****MI*SUB123",
          "NM1*PR*2*MEDICARE A*****PI*MCA",
          "HL*3*2*23*0",
          "PAT*19",
          "NM1*QC*1*ROE*ROBIN",
          "DMG*D8*20100704*F",
          "CLM*INP-1*2500.00***11:A:1*Y*A*Y*Y",
          "DTP*096*TM*1130",                                  // discharge hour: not a date
          "DTP*434*RD8*20240301-20240305",
          "DTP*435*DT*202403020815",
          "CL1*1*7*06",
          "HI*ABK:K3580:::::::Y*ABF:E119:::::::N*ABF:Z9181:::::::1",
          "HI*ABJ:R1030",
          "HI*APR:R1031*APR:R1084",
          "HI*BBR:0DTJ4ZZ:D8:20240302*BBQ:3E0T3BZ:D8:20240303",
          "HI*BH:A1:D8:20240302*BG:09",                          // occurrence, condition codes
          "HI*DR:343",
          "NM1*71*1*WELBY*MARCUS****XX*9999999993",
          "NM1*82*1*KILDARE*JAMES****XX*9999999994",
          "SBR*S*01*******CI",                                  // 2320: another payer
          "NM1*IL*1*ROE*RICHARD****MI*OTHER999",
          "NM1*82*1*OTHER*DOC****XX*1111111111",
          "LX*1",
          "SV2*0120**2000.00*DA*3",                             // room and board: no HCPCS
          "LX*2",
          "SV2*0300*HC:85025:91*500.00*UN*2",
          "DTP*472*D8*20240303"};
}

// An istream that cannot seek (like a pipe).
class NoSeekBuf : public std::streambuf {
 public:
  explicit NoSeekBuf(std::string data) : data_(std::move(data)) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 protected:
  pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override { return pos_type(-1); }
  pos_type seekpos(pos_type, std::ios_base::openmode) override { return pos_type(-1); }

 private:
  std::string data_;
};

}  // namespace

TEST_CASE("A 5010 837P claim maps onto the encounter field by field", "[x12]") {
  const Collected c = ReadX12Text(Wrap(ProfessionalClaim("CLAIM-1")));
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.id == "CLAIM-1");
  CHECK(e.patient_id == "MBR001");
  CHECK(e.sex == Sex::kFemale);
  CHECK(ToIso(*e.birth_date) == "1980-01-15");
  CHECK(ToIso(e.from_date) == "2024-03-04");
  CHECK(ToIso(e.through_date) == "2024-03-04");
  CHECK(e.claim_type == ClaimType::kProfessional);
  CHECK(e.provider_id == "9999999991");
  CHECK(e.coder_id == "x12:SUB01");
  CHECK(e.payer == "ACME HEALTH");
  CHECK(e.total_charge_cents == 15000);
  REQUIRE(e.lines.size() == 4);
  CHECK(e.lines[0].code.View() == "M1711");
  CHECK(e.lines[0].code_system == CodeSystem::kDefault);
  CHECK(e.lines[1].seq == 2);
  CHECK(e.lines[2].modifiers.Str() == "25");
  CHECK(e.lines[2].dx_pointers == std::array<uint8_t, 4>{1, 2, 0, 0});
  CHECK(e.lines[3].modifiers.Has("RT"));
  CHECK(c.counts.records_read == 1);
  CHECK(c.counts.records_processed == 1);
}

TEST_CASE("An inpatient 837I claim: POA, admitting and visit-reason diagnoses, procedures, DRG", "[x12]") {
  const Collected c = ReadX12Text(Wrap(InpatientClaim(), "005010X223A2"));
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 1);
  const Encounter& e = c.encounters[0];
  CHECK(e.claim_type == ClaimType::kInpatient);               // type of bill 0111
  CHECK(e.type_of_bill == "0111");
  CHECK(ToIso(e.from_date) == "2024-03-02");                  // DTP*435 admission
  CHECK(ToIso(e.through_date) == "2024-03-05");               // statement through (096 is TM)
  CHECK(e.sex == Sex::kFemale);                               // the 2000C patient
  CHECK(e.patient_id.starts_with("SUB123-"));
  CHECK(e.discharge_status == "06");
  CHECK(e.drg == "343");
  CHECK(e.admitting_dx.View() == "R1030");
  REQUIRE(e.visit_reason_dx.size() == 2);
  CHECK(e.visit_reason_dx[1].View() == "R1084");
  CHECK(e.attending_provider_id == "9999999993");
  CHECK(e.rendering_provider_id == "9999999994");             // not the 2330 one
  REQUIRE(e.lines.size() == 6);                               // 3 DX, 2 PCS, 1 coded line
  CHECK(e.lines[0].poa == 'Y');
  CHECK(e.lines[1].poa == 'N');
  CHECK(e.lines[2].poa == '1');
  CHECK(e.lines[3].type == CodeType::kPcs);
  CHECK(e.lines[3].seq == 1);
  CHECK(e.lines[3].code.View() == "0DTJ4ZZ");
  CHECK(ToIso(*e.lines[3].service_date) == "2024-03-02");
  CHECK(e.lines[4].seq == 2);
  CHECK(e.lines[5].code.View() == "85025");
  CHECK(e.lines[5].modifiers.Str() == "91");
  CHECK(e.lines[5].revenue_code.View() == "0300");
  CHECK(e.lines[5].units == 2);
  CHECK(e.total_charge_cents == 250000);                      // the room line counts in CLM02
}

TEST_CASE("A bad claim is rejected and the rest of the transaction is read", "[x12]") {
  auto bad = ProfessionalClaim("BAD", 3, "MBR002");
  bad[10] = "SV1*HC:9921*100.00*UN*1***1:2";                  // 4-character procedure code
  const Collected c = ReadX12Text(Wrap(Concat(Concat(ProfessionalClaim("GOOD-1", 1), bad),
                                              ProfessionalClaim("GOOD-2", 5, "MBR003"))));
  CHECK(c.counts.records_read == 3);
  CHECK(c.counts.records_processed == 2);
  CHECK(c.counts.records_rejected == 1);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].field == "segment " + std::to_string(c.rejects[0].line) + " SV101-2");
  CHECK_THAT(c.rejects[0].reason, Catch::Contains("CPT/HCPCS codes have exactly 5 characters"));
  CHECK(c.Find("GOOD-2"));
}

TEST_CASE("Claim-level mistakes are rejected with the segment and element named", "[x12]") {
  struct Case {
    size_t index;  // segment of ProfessionalClaim to replace
    std::string segment, field, reason;
  };
  const std::vector<Case> cases = {
      {5, "DMG*D8*19801315*F", "DMG02", "birth date is not a real date"},
      {5, "DMG*D8*19800115*X", "DMG03", "sex must be F, M or U"},
      {7, "CLM*C1*150.00***1:B:1*Y*A*Y*Y", "CLM05-1", "place of service must be 2 digits"},
      {7, "CLM*C1*-5***11:B:1*Y*A*Y*Y", "CLM02", "non-negative amount"},
      {8, "HI*ABK:M1711*BF:4019", "HI", "mixes ICD-9"},
      {8, "HI*ABF:M1711", "HI", "no principal diagnosis"},
      {8, "HI*ABK:1234", "HI01-2", "not an ICD-10-CM code"},
      {10, "SV1*HC:99213:2X5*100.00*UN*1***1", "SV101-3", "modifier must be 2 letters or digits"},
      {10, "SV1*HC:99213*100.00*UN*0***1", "SV104", "greater than 0"},
      {10, "SV1*HC:99213*100.00*UN*1***3", "SV107", "points to diagnosis 3 but the claim has 2"},
      {10, "SV1*HC:99213*100.00*XX*1***1", "SV103", "unit basis"},
      {10, "SV2*0450*HC:99213*100.00*UN*1", "", "SV2 (institutional service) in an 837P"},
      {11, "DTP*472*D8*20240230", "DTP03", "service date"},
      {11, "NTE*ADD*NO DATE", "LX", "no date of service"},
  };
  for (const auto& k : cases) {
    INFO(k.segment);
    auto claim = ProfessionalClaim("C1");
    claim[k.index] = k.segment;
    const Collected c = ReadX12Text(Wrap(claim));
    CHECK(test::CountsAddUp(c.counts));
    CHECK(c.counts.records_read == 1);
    if (k.reason.empty()) {
      CHECK(c.counts.records_processed == 1);
      continue;
    }
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.counts.records_rejected == 1);
    if (!k.field.empty()) CHECK_THAT(c.rejects[0].field, Catch::EndsWith(" " + k.field));
    CHECK_THAT(c.rejects[0].reason, Catch::Contains(k.reason));
    CHECK(c.rejects[0].field.starts_with("segment " + std::to_string(c.rejects[0].line)));
  }
}

TEST_CASE("Broken hierarchical loops reject the claims under them", "[x12]") {
  SECTION("a subscriber loop names a parent that does not exist") {
    auto claim = ProfessionalClaim("C1");
    claim[2] = "HL*2*7*22*0";
    const Collected c = ReadX12Text(Wrap(claim));
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("HL02 of a subscriber loop (HL03 22) must name the billing provider loop"));
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("the claim at segment"));
  }
  SECTION("hierarchical ids out of order") {
    auto claim = ProfessionalClaim("C1");
    claim[2] = "HL*5*1*22*0";
    const Collected c = ReadX12Text(Wrap(claim));
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("expected 2"));
  }
  SECTION("a patient loop under a subscriber that announced no children") {
    auto claim = ProfessionalClaim("C1");
    claim.insert(claim.begin() + 7, {"HL*3*2*23*0", "PAT*19", "NM1*QC*1*DOE*JIM", "DMG*D8*20100101*M"});
    const Collected c = ReadX12Text(Wrap(claim));
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("says it has no patient loop (HL04 0)"));
  }
  SECTION("an unknown level code") {
    auto claim = ProfessionalClaim("C1");
    claim[2] = "HL*2*1*21*0";
    const Collected c = ReadX12Text(Wrap(claim));
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("HL03 level code must be 20, 22 or 23"));
  }
  SECTION("a claim before any subscriber loop") {
    const Collected c = ReadX12Text(Wrap({"HL*1**20*1", "NM1*85*2*CLINIC*****XX*9999999991",
                                          "CLM*C1*10***11:B:1*Y*A*Y*Y", "HI*ABK:R69", "LX*1",
                                          "SV1*HC:99213*10*UN*1***1", "DTP*472*D8*20240101"}));
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("outside a subscriber or patient loop"));
  }
  SECTION("a missing billing provider NPI") {
    auto claim = ProfessionalClaim("C1");
    claim[1] = "NM1*85*2*CLINIC";
    const Collected c = ReadX12Text(Wrap(claim));
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("billing provider identifier (NPI) is missing"));
  }
  SECTION("only the claims under the broken loop are rejected") {
    auto second = ProfessionalClaim("C2", 3, "MBR002");
    second[4] = "NM1*IL*1*DOE*JOE";  // no member id
    const Collected c = ReadX12Text(Wrap(Concat(Concat(ProfessionalClaim("C1"), second), ProfessionalClaim("C3", 5))));
    CHECK(c.counts.records_processed == 2);
    REQUIRE(c.rejects.size() == 1);
    CHECK_THAT(c.rejects[0].reason, Catch::Contains("member id"));
  }
}

TEST_CASE("Envelope faults reject what they enclose, and only that", "[x12]") {
  const std::string one = Wrap(ProfessionalClaim("A1"), "005010X222A1", 1);
  const std::string two = Wrap(ProfessionalClaim("B1"), "005010X222A1", 2);
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    const auto p = s.find(from);
    REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
  };
  struct Case {
    std::string name, first, reason;
  };
  const std::vector<Case> cases = {
      {"SE01 count", replace(one, "SE*20*", "SE*19*"), "SE01 segment count 19 does not match the 20"},
      {"SE02 control", replace(one, "SE*20*0001", "SE*20*0002"), "SE02 control number does not match ST02"},
      {"GE02 control", replace(one, "GE*1*1", "GE*1*7"), "GE02 control number does not match GS06"},
      {"GE01 count", replace(one, "GE*1*1", "GE*2*1"), "GE01 transaction set count 2 does not match the 1 ST"},
      {"IEA02 control", replace(one, "IEA*1*000000001", "IEA*1*000000009"), "IEA02 control number does not match ISA13"},
      {"IEA01 count", replace(one, "IEA*1*", "IEA*3*"), "IEA01 group count 3 does not match the 1 GS"},
      {"missing SE", replace(one, "SE*20*0001~\n", ""), "has no SE before GE"},
      {"missing GE", replace(one, "GE*1*1~\n", ""), "has no GE before IEA"},
      {"missing IEA", replace(one, "IEA*1*000000001~\n", ""), "has no IEA before the next ISA"},
      {"ST01 not 837", replace(one, "ST*837*", "ST*835*"), "835 remittance advice"},
      {"ST03 differs", replace(one, "ST*837*0001*005010X222A1", "ST*837*0001*005010X223A2"), "ST03 implementation guide differs from GS08"},
      {"4010 version", replace(replace(one, "*X*005010X222A1", "*X*004010X098A1"), "*0001*005010X222A1", "*0001*004010X098A1"), "4010 claims are not read"},
      {"bad ISA13", replace(one, "*000000001*0*T", "*00000000A*0*T"), "ISA13 interchange control number must be 9 digits"},
  };
  for (const auto& k : cases) {
    INFO(k.name);
    const Collected c = ReadX12Text(k.first + two);
    INFO(c.Describe());
    CHECK(test::CountsAddUp(c.counts));
    CHECK(c.counts.records_read == 2);
    CHECK(c.counts.records_rejected == 1);
    REQUIRE(c.encounters.size() == 1);
    CHECK(c.encounters[0].id == "B1");  // the second interchange is untouched
    CHECK(AnyReject(c, k.reason));
  }
}

TEST_CASE("A truncated file rejects the open envelope's claims and reports where it ends", "[x12]") {
  std::string text = Wrap(Concat(ProfessionalClaim("A1"), ProfessionalClaim("A2", 3, "M2")));
  text.resize(text.find("CLM*A2") + 20);
  const Collected c = ReadX12Text(text);
  CHECK(c.counts.records_read == 2);
  CHECK(c.counts.records_rejected == 2);
  CHECK(AnyReject(c, "the file ends inside the interchange"));
  CHECK(test::CountsAddUp(c.counts));
}

TEST_CASE("Hostile X12: truncated ISA, wrong delimiters, huge segments, garbage", "[x12]") {
  SECTION("a truncated ISA at the start is an input error") {
    CHECK_THROWS_AS(ReadX12Text("ISA*00*          *00*   "), InputError);
    CHECK_THROWS_AS(ReadX12Text(""), InputError);
    CHECK_THROWS_AS(ReadX12Text("   \n\n"), InputError);
  }
  SECTION("a letter as element separator is not X12") {
    CHECK_THROWS_AS(ReadX12Text("ISAX00X"), InputError);
  }
  SECTION("identical component and segment delimiters") {
    std::string text = Wrap(ProfessionalClaim("A1"));
    text[104] = '~';
    CHECK_THROWS_WITH(ReadX12Text(text), Catch::Contains("unusable delimiters"));
  }
  SECTION("a later truncated ISA stops reading with a reject; earlier claims stand") {
    const Collected c = ReadX12Text(Wrap(ProfessionalClaim("A1")) + "ISA*00*  ");
    CHECK(c.counts.records_processed == 1);
    CHECK(AnyReject(c, "ISA header is truncated"));
  }
  SECTION("a huge segment inside a claim rejects that claim only") {
    auto claim = ProfessionalClaim("A1");
    claim.insert(claim.begin() + 9, "NTE*ADD*" + std::string(200000, 'Z'));
    const Collected c = ReadX12Text(Wrap(Concat(claim, ProfessionalClaim("A2", 3, "M2"))));
    CHECK(c.counts.records_processed == 1);
    CHECK(c.counts.records_rejected == 1);
    CHECK(AnyReject(c, "longer than 65536 bytes"));
    REQUIRE(c.rejects.size() == 1);
    CHECK(c.rejects[0].raw.size() <= 512);
  }
  SECTION("garbage after IEA is one reject; a stray CLM there counts as a rejected claim") {
    const Collected c = ReadX12Text(Wrap(ProfessionalClaim("A1")) + "HELLO*WORLD~FOO~CLM*X*1~BAR~");
    CHECK(c.counts.records_read == 2);
    CHECK(c.counts.records_processed == 1);
    CHECK(c.counts.records_rejected == 1);
    CHECK(AnyReject(c, "outside any interchange"));
    CHECK(AnyReject(c, "CLM outside a transaction set"));
  }
  SECTION("binary noise between segments") {
    auto claim = ProfessionalClaim("A1");
    claim.insert(claim.begin() + 9, std::string("\x01\x02\xff\xfe", 4));
    const Collected c = ReadX12Text(Wrap(claim));
    CHECK(c.counts.records_rejected == 1);
    CHECK(AnyReject(c, "segment id is not 2-3 upper-case letters or digits"));
  }
  SECTION("a claim with more than 999 service lines is refused without growing") {
    auto claim = ProfessionalClaim("A1");
    claim.resize(9);
    for (int i = 1; i <= 1200; ++i) {
      claim.push_back("LX*" + std::to_string(i));
      claim.push_back("SV1*HC:99213*1*UN*1***1");
      claim.push_back("DTP*472*D8*20240304");
    }
    const Collected c = ReadX12Text(Wrap(claim));
    CHECK(c.counts.records_rejected == 1);
    CHECK(AnyReject(c, "more than 999 service lines"));
  }
}

TEST_CASE("A stream that cannot seek is spooled and read the same way", "[x12]") {
  const std::string text = Wrap(Concat(ProfessionalClaim("A1"), ProfessionalClaim("A2", 3, "M2")));
  NoSeekBuf buf(text);
  std::istream in(&buf);
  Collected c;
  c.counts = ingest::ReadX12(in, "pipe", test::SinkInto(c));
  CHECK(c.counts.records_processed == 2);
  CHECK(c.encounters.size() == 2);
}

TEST_CASE("Counts not verified: a wrong SE01 is a warning, a wrong SE02 still rejects", "[x12]") {
  std::string text = Wrap(ProfessionalClaim("A1"));
  text.replace(text.find("SE*20*"), 6, "SE*99*");
  const Collected lenient = ReadX12Text(text, ingest::X12Options{false});
  CHECK(lenient.counts.records_processed == 1);
  REQUIRE(lenient.warnings.size() == 1);
  CHECK_THAT(lenient.warnings[0], Catch::Contains("SE01 segment count 99 does not match the 20"));
  text.replace(text.find("SE*99*0001"), 10, "SE*20*0002");
  const Collected still = ReadX12Text(text, ingest::X12Options{false});
  CHECK(still.counts.records_rejected == 1);
}

TEST_CASE("A dependent's patient id is stable and does not contain the name", "[x12]") {
  const Collected a = ReadX12Text(Wrap(InpatientClaim(), "005010X223A2"));
  const Collected b = ReadX12Text(Wrap(InpatientClaim(), "005010X223A2", 7));
  REQUIRE(a.encounters.size() == 1);
  REQUIRE(b.encounters.size() == 1);
  CHECK(a.encounters[0].patient_id == b.encounters[0].patient_id);
  CHECK(a.encounters[0].patient_id.find("ROBIN") == std::string::npos);
  CHECK(a.encounters[0].patient_id.size() == std::string("SUB123-").size() + 8);
}

TEST_CASE("837I: revenue-only lines are not coded lines, SV1 in an 837I is refused", "[x12]") {
  auto claim = InpatientClaim();
  claim.back() = "DTP*472*D8*20240303";
  claim.push_back("LX*3");
  claim.push_back("SV1*HC:99213*10*UN*1***1");
  const Collected c = ReadX12Text(Wrap(claim, "005010X223A2"));
  REQUIRE(c.rejects.size() == 1);
  CHECK_THAT(c.rejects[0].reason, Catch::Contains("SV1 (professional service) in an 837I"));
}

TEST_CASE("The 837I feature sample reads as documented in samples/x12/README.md", "[x12]") {
  const Collected c = test::ReadPath(test::SourceDir() + "/samples/x12/features_837i.x12");
  INFO(c.Describe());
  REQUIRE(c.encounters.size() == 3);
  const Encounter& ip = c.encounters[0];
  CHECK(ip.id == "IP-9001");
  CHECK(ip.claim_type == ClaimType::kInpatient);
  CHECK(ip.admitting_dx.View() == "R1030");
  CHECK(ip.drg == "343");
  CHECK(ip.lines.size() == 6);
  CHECK(c.encounters[1].visit_reason_dx.size() == 1);
  CHECK(c.encounters[2].claim_frequency == "7");
  CHECK(c.encounters[2].lines[0].code_system == CodeSystem::kIcd9);
}
