#include "audit/generate/x12_writer.hpp"

#include <cstdio>
#include <stdexcept>

namespace coderaudit::generate {

std::string Money(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

std::string DottedDx(const Code& code) {
  const std::string_view v = code.View();
  if (v.size() <= 3) return std::string(v);
  std::string s(v.substr(0, 3));
  s += '.';
  s += v.substr(3);
  return s;
}

namespace {

constexpr const char* kProfessionalVersion = "005010X222A1";
constexpr const char* kInstitutionalVersion = "005010X223A2";

std::string D8(Date d) {
  int y = 0;
  unsigned m = 0, day = 0;
  CivilFromDate(d, y, m, day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", y % 10000, m % 100, day % 100);
  return buf;
}

std::string Control(int n, int width) {
  const std::string digits = std::to_string(n);
  std::string s;
  if (static_cast<int>(digits.size()) < width) s.append(static_cast<size_t>(width) - digits.size(), '0');
  s += digits;
  return s;
}

// "25;59" -> ":25:59" (SV101-3.. / SV202-3..).
void AppendModifiers(std::string& procedure, const std::string& modifiers) {
  for (size_t i = 0; i + 2 <= modifiers.size(); i += 3) {
    procedure += ':';
    procedure.append(modifiers, i, 2);
  }
}

std::string Sbr09(const std::string& payer) {
  if (payer == "MEDICARE") return "MB";
  if (payer == "MEDICAID") return "MC";
  return "CI";
}

}  // namespace

X12Writer::X12Writer(std::ostream& out, int64_t claims_per_transaction)
    : out_(out), per_transaction_(claims_per_transaction < 1 ? 1 : claims_per_transaction) {}

void X12Writer::PutEnvelope(const std::string& segment) {
  out_ << segment << "~\n";
  bytes_ += segment.size() + 2;
}

void X12Writer::Put(const std::string& segment) {
  PutEnvelope(segment);
  ++segments_;
}

void X12Writer::BeginGroup(X12Kind kind) {
  if (finished_) throw std::logic_error("X12Writer: the interchange is finished");
  if (!interchange_open_) {
    // ISA is fixed width (106 bytes): ids padded to 15, control number 9 digits.
    PutEnvelope(
        "ISA*00*          *00*          *ZZ*GENERATOR      *ZZ*RECEIVER       *240101*1200*^*00501*"
        "000000001*0*T*:");
    interchange_open_ = true;
  }
  EndGroup();
  kind_ = kind;
  ++groups_;
  transactions_in_group_ = 0;
  PutEnvelope("GS*HC*GENERATOR*RECEIVER*20240101*1200*" + std::to_string(groups_) + "*X*" +
              (kind == X12Kind::kProfessional ? kProfessionalVersion : kInstitutionalVersion));
  group_open_ = true;
}

void X12Writer::BeginTransaction() {
  ++transactions_in_group_;
  const std::string control = Control(transactions_in_group_, 4);
  segments_ = 0;
  hl_ = 0;
  claims_in_transaction_ = 0;
  const char* version = kind_ == X12Kind::kProfessional ? kProfessionalVersion : kInstitutionalVersion;
  Put("ST*837*" + control + "*" + version);
  Put("BHT*0019*00*GEN" + Control(groups_, 2) + control + "*20240101*1200*CH");
  Put("NM1*41*2*CODERAUDIT GENERATOR*****46*GENERATOR");
  Put("PER*IC*SYNTHETIC CONTACT*TE*5555550100");
  Put("NM1*40*2*SYNTHETIC RECEIVER*****46*RECEIVER01");
  transaction_open_ = true;
}

void X12Writer::EndTransaction() {
  if (!transaction_open_) return;
  Put("SE*" + std::to_string(segments_ + 1) + "*" + Control(transactions_in_group_, 4));
  transaction_open_ = false;
}

void X12Writer::EndGroup() {
  if (!group_open_) return;
  EndTransaction();
  PutEnvelope("GE*" + std::to_string(transactions_in_group_) + "*" + std::to_string(groups_));
  group_open_ = false;
}

void X12Writer::Finish() {
  if (finished_) return;
  if (interchange_open_) {
    EndGroup();
    PutEnvelope("IEA*" + std::to_string(groups_) + "*000000001");
  }
  finished_ = true;
}

void X12Writer::Write(const SyntheticClaim& c) {
  if (!group_open_) throw std::logic_error("X12Writer: no functional group is open");
  const bool institutional = kind_ == X12Kind::kInstitutional;
  if (c.inpatient != institutional)
    throw std::logic_error("X12Writer: an inpatient claim goes in an 837I group, a professional one in an 837P group");
  if (!transaction_open_ || claims_in_transaction_ >= per_transaction_) {
    EndTransaction();
    BeginTransaction();
  }
  ++claims_in_transaction_;
  ++claims_;

  // 2000A/2010AA billing provider, 2000B/2010BA subscriber (= the patient), 2010BB payer.
  const int64_t billing = ++hl_;
  Put("HL*" + std::to_string(billing) + "**20*1");
  Put(std::string("NM1*85*2*") + (institutional ? "SYNTHETIC HOSPITAL" : "SYNTHETIC CLINIC") +
      "*****XX*" + c.provider_id);
  Put("N3*1 SAMPLE WAY");
  Put("N4*ANYTOWN*PA*171110000");
  Put("REF*EI*999999999");
  const int64_t subscriber = ++hl_;
  Put("HL*" + std::to_string(subscriber) + "*" + std::to_string(billing) + "*22*0");
  Put("SBR*P*18*******" + Sbr09(c.payer));
  Put("NM1*IL*1*PATIENT*SYNTHETIC****MI*" + c.patient_id);
  Put("N3*2 SAMPLE ROAD");
  Put("N4*ANYTOWN*PA*171110000");
  Put("DMG*D8*" + D8(c.birth) + "*" + std::string(1, c.sex));
  Put("NM1*PR*2*" + c.payer + "*****PI*" + c.payer);

  // 2300 claim.
  Put("CLM*" + c.id + "*" + Money(c.TotalCents()) + "***" + (institutional ? "11:A:1" : "11:B:1") +
      "*Y*A*Y*Y");
  if (institutional) {
    Put("DTP*096*TM*1200");
    Put("DTP*434*RD8*" + D8(c.from) + "-" + D8(c.through));
    Put("DTP*435*DT*" + D8(c.from) + "0800");
    Put("CL1*" + c.admission_type + "*1*" + c.discharge_status);
  }

  // HI in the guides' order: principal diagnosis, DRG (837I), other diagnoses (12
  // composites a segment), principal procedure, other procedures.
  size_t dx_count = 0;
  auto flush = [&](std::string& hi, int& n) {
    if (n > 0) Put(hi);
    hi = "HI";
    n = 0;
  };
  std::string hi = "HI";
  int in_segment = 0;
  for (const auto& l : c.lines) {
    if (l.kind != LineKind::kDx) continue;
    std::string composite = (dx_count == 0 ? "ABK:" : "ABF:") + std::string(l.code.View());
    if (institutional && l.poa) composite += std::string(":::::::") + l.poa;
    hi += "*" + composite;
    ++in_segment;
    ++dx_count;
    if (dx_count == 1 && institutional) {
      flush(hi, in_segment);
      if (!c.drg.empty()) Put("HI*DR:" + c.drg);
      continue;
    }
    // 837I: the principal diagnosis has its own HI (2300 principal diagnosis), as do
    // the other diagnoses in segments of 12; an 837P carries up to 12 in one HI.
    if (in_segment == 12) flush(hi, in_segment);
  }
  flush(hi, in_segment);
  size_t pcs_count = 0;
  for (const auto& l : c.lines) {
    if (l.kind != LineKind::kPcs) continue;
    hi += std::string(pcs_count == 0 ? "*BBR:" : "*BBQ:") + std::string(l.code.View());
    if (l.date) hi += ":D8:" + D8(*l.date);
    ++in_segment;
    ++pcs_count;
    if (pcs_count == 1 || in_segment == 12) flush(hi, in_segment);
  }
  flush(hi, in_segment);

  if (institutional) {
    Put("NM1*71*1*ATTENDING*SYNTHETIC****XX*" + c.provider_id);
    int n = 0;
    for (const auto& r : c.revenue) {
      Put("LX*" + std::to_string(++n));
      Put("SV2*" + r.revenue_code + "**" + Money(r.charge_cents) + (r.days ? "*DA*" : "*UN*") +
          std::to_string(r.units));
    }
    for (const auto& l : c.lines) {
      if (l.kind != LineKind::kHcpcs) continue;
      Put("LX*" + std::to_string(++n));
      std::string proc = "HC:" + std::string(l.code.View());
      AppendModifiers(proc, l.modifiers);
      Put("SV2*0510*" + proc + "*" + Money(l.charge_cents < 0 ? 0 : l.charge_cents) + "*UN*" +
          std::to_string(l.units));
      if (l.date) Put("DTP*472*D8*" + D8(*l.date));
    }
    return;
  }

  // 2400 service lines: SV1 with up to four diagnosis pointers, DTP*472 date.
  std::string pointers;
  for (size_t i = 1; i <= dx_count && i <= 4; ++i) {
    if (i > 1) pointers += ':';
    pointers += std::to_string(i);
  }
  int n = 0;
  for (const auto& l : c.lines) {
    if (l.kind != LineKind::kHcpcs) continue;
    Put("LX*" + std::to_string(++n));
    std::string proc = "HC:" + std::string(l.code.View());
    AppendModifiers(proc, l.modifiers);
    Put("SV1*" + proc + "*" + Money(l.charge_cents < 0 ? 0 : l.charge_cents) + "*UN*" +
        std::to_string(l.units) + "***" + pointers);
    Put("DTP*472*D8*" + D8(l.date ? *l.date : c.from));
  }
}

}  // namespace coderaudit::generate
