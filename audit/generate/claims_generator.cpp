#include "audit/generate/claims_generator.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "audit/generate/code_pools.hpp"
#include "audit/generate/synthetic_claim.hpp"
#include "audit/generate/x12_writer.hpp"
#include "audit/model/date.hpp"

namespace coderaudit::generate {

namespace {

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// splitmix64: fixed arithmetic, so a seed gives the same file on every platform (the
// standard distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() { return Mix(s_ += 0x9E3779B97F4A7C15ULL); }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(unsigned percent) { return Below(100) < percent; }

 private:
  uint64_t s_;
};

struct Pair {
  std::string column1, column2;
};
struct OverMue {
  std::string code;
  uint32_t units;  // one above the 2024Q3 practitioner MUE
};

// Real 2024Q3 practitioner edits (checked against the official tables): active PTP pairs,
// MUE limits, add-on codes and their primaries.
const std::vector<std::string> kEvaluation{"99203", "99213", "99213", "99213", "99214", "99214"};
// No active PTP pair among these nor with the E/M codes above.
const std::vector<std::string> kCleanExtras{"36415", "80053", "85025", "71046", "73560", "88305", "J1885"};
const std::vector<Pair> kBuiltinPairs{
    {"20610", "99213"}, {"11042", "99214"}, {"12002", "96372"}, {"27447", "20610"},
    {"29881", "12002"}, {"64483", "99213"}, {"99291", "36415"}, {"96372", "99213"},
    {"99284", "96372"}, {"27447", "11042"}};
const std::vector<OverMue> kBuiltinOverMue{
    {"80053", 2}, {"99203", 2}, {"G0514", 2}, {"20610", 3}, {"J1885", 9}, {"99213", 3}};
const std::vector<Pair> kAddOnWithPrimary{{"99291", "99292"}, {"64483", "64484"}};
const std::vector<std::string> kAddOnAlone{"99292", "64484"};
const std::vector<std::string> kPayers{"MEDICARE", "BCBS", "AETNA", "MEDICAID", "UHC"};

constexpr int kCoders = 12, kProviders = 40, kPatients = 200000;
constexpr int kHospitals = 8, kInpatientCoders = 4;  // coders C13-C16 code inpatient stays

// Inpatient stays: a principal diagnosis and what goes with it (real ICD-10-CM FY2025 and
// ICD-10-PCS codes, the MS-DRG v41/v42 it groups to without CC/MCC, typical length of stay).
struct Stay {
  unsigned weight;                        // relative frequency
  const char* principal;
  std::vector<const char*> secondaries;   // always coded after the principal
  std::vector<const char*> procedures;    // ICD-10-PCS, on the first day or two
  const char* drg;
  char sex;                               // 'F': women only; 0: anyone
  int age_min, age_max;                   // at admission (newborn: 0-0)
  int los_min, los_max;                   // days
  const char* admission_type;             // UB-04: 1 emergency, 3 elective, 4 newborn
  bool more_dx;                           // other diagnoses drawn from the pool
};
const std::vector<Stay> kStays{
    {12, "A419", {"N179", "E871"}, {}, "871", 0, 40, 95, 3, 9, "1", true},          // sepsis
    {2, "A419", {"J9601", "N179"}, {"5A1955Z"}, "870", 0, 40, 95, 6, 14, "1", true},  // sepsis, ventilated
    {10, "I509", {"E785"}, {}, "293", 0, 55, 95, 2, 6, "1", true},                  // heart failure
    {8, "J189", {"R0602"}, {}, "194", 0, 30, 95, 2, 6, "1", true},                  // pneumonia
    {6, "J441", {"F17210"}, {}, "191", 0, 45, 90, 2, 5, "1", true},                 // COPD exacerbation
    {5, "M1711", {}, {"0SRC0J9"}, "470", 0, 50, 88, 1, 3, "3", true},               // knee replacement
    {4, "M1611", {}, {"0SR90J9"}, "470", 0, 50, 88, 1, 3, "3", true},               // hip replacement
    {5, "N390", {}, {}, "690", 0, 30, 95, 2, 5, "1", true},                         // urinary infection
    {4, "N179", {"E871"}, {}, "683", 0, 40, 95, 2, 6, "1", true},                   // acute kidney injury
    {4, "L03115", {}, {}, "603", 0, 20, 90, 2, 5, "1", true},                       // cellulitis
    {5, "R079", {}, {}, "313", 0, 30, 90, 1, 2, "1", true},                         // chest pain
    {4, "I639", {"I10"}, {}, "066", 0, 50, 95, 2, 6, "1", true},                    // stroke
    {4, "K922", {"D649"}, {"0DJ08ZZ"}, "378", 0, 40, 95, 2, 5, "1", true},          // GI bleeding
    {3, "I214", {"I2510"}, {"4A023N7"}, "282", 0, 45, 90, 2, 5, "1", true},         // NSTEMI
    {10, "O80", {"Z370", "Z3A39"}, {"10E0XZZ"}, "807", 'F', 18, 40, 1, 3, "1", false},   // vaginal delivery
    {4, "O82", {"Z370", "Z3A39"}, {"10D00Z1"}, "788", 'F', 18, 40, 2, 4, "3", false},    // cesarean
    {10, "Z3800", {}, {"3E0234Z"}, "795", 0, 0, 0, 1, 3, "4", false},               // newborn
};
const std::vector<std::pair<const char*, unsigned>> kDischargeStatus{
    {"01", 70}, {"06", 12}, {"03", 10}, {"02", 3}, {"62", 2}, {"07", 2}, {"20", 1}};

std::string Num(const char* prefix, int64_t n, int width) {
  const std::string digits = std::to_string(n);
  std::string s(prefix);
  if (static_cast<int>(digits.size()) < width) s.append(static_cast<size_t>(width) - digits.size(), '0');
  s += digits;
  return s;
}

Code C(std::string_view text) { return *Code::Parse(text); }

// Pair and MUE pools from loaded tables: for every code the built-in lists use, the
// tables' own active pairs (column 2 a five-character CPT/HCPCS code) and MUE limits.
void FromTables(const refdata::RefData& t, Date dos, std::vector<Pair>& pairs,
                std::vector<OverMue>& over, std::vector<std::string>& clean) {
  std::vector<std::string> seeds = kEvaluation;
  for (const auto& p : kBuiltinPairs) seeds.push_back(p.column1);
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  std::vector<Pair> found;
  for (const auto& c1 : seeds)
    for (const auto& e : t.PtpByColumn1(refdata::PtpSetting::kPractitioner, Code::Of(c1), dos))
      if (e.column2.View().size() == 5 && e.ActiveOn(dos))
        found.push_back({c1, e.column2.Str()});
  if (!found.empty()) pairs = std::move(found);
  std::vector<OverMue> limits;
  for (const auto& c : seeds)
    if (const auto* m = t.FindMue(refdata::MueSetting::kPractitioner, Code::Of(c), dos))
      limits.push_back({c, m->units + 1});
  for (const auto& o : kBuiltinOverMue)
    if (const auto* m = t.FindMue(refdata::MueSetting::kPractitioner, Code::Of(o.code), dos))
      limits.push_back({o.code, m->units + 1});
  if (!limits.empty()) over = std::move(limits);
  // A "clean" extra that pairs with an E/M code in these tables would fire on every claim.
  std::erase_if(clean, [&](const std::string& x) {
    for (const auto& em : kEvaluation)
      if (t.FindPtp(refdata::PtpSetting::kPractitioner, Code::Of(em), Code::Of(x), dos) ||
          t.FindPtp(refdata::PtpSetting::kPractitioner, Code::Of(x), Code::Of(em), dos))
        return true;
    return false;
  });
}

// The claims of one seed, one at a time. Running it twice gives the same claims, which
// is how the 837 output writes professional and inpatient claims in separate groups
// without holding either.
class ClaimSource {
 public:
  ClaimSource(const GenerateOptions& opt, const CodePools& pools, const std::vector<Pair>& pairs,
              const std::vector<OverMue>& over, const std::vector<std::string>& clean)
      : opt_(opt), pools_(pools), pairs_(pairs), over_(over), clean_(clean), rng_(opt.seed) {
    stats_.dx_source = pools.dx_source;
    stats_.pcs_source = pools.pcs_source;
  }

  // The next claim, or false once the requested number of lines is written.
  bool Next(SyntheticClaim& c) {
    const int64_t remaining = opt_.lines - stats_.lines;
    if (remaining <= 0) return false;
    const int64_t n = ++stats_.encounters;
    c = SyntheticClaim{};
    // A claim of one line can only be an inpatient stay with its principal diagnosis
    // (an 837P claim needs a diagnosis and a service line).
    if (remaining == 1 || rng_.Below(100) < opt_.inpatient_percent)
      Inpatient(n, c);
    else
      Professional(n, c);
    if (static_cast<int64_t>(c.lines.size()) > remaining) Cut(c, static_cast<size_t>(remaining));
    if (c.inpatient) stats_.inpatient++;
    stats_.lines += static_cast<int64_t>(c.lines.size());
    return true;
  }

  const GenerateStats& Stats() const { return stats_; }

 private:
  struct Patient {
    std::string id;
    char sex;
    Date birth;
  };

  // A patient's sex and birth date follow from their number, so they agree across claims.
  Patient PatientOf(int64_t number) const {
    const uint64_t h = Mix(opt_.seed * 0x2545F4914F6CDD1DULL + static_cast<uint64_t>(number));
    return {Num("P", number, 6), (h & 1) ? 'F' : 'M',
            DateFromCivil(1935 + static_cast<int>((h >> 8) % 75), 1 + static_cast<unsigned>((h >> 16) % 12),
                          1 + static_cast<unsigned>((h >> 24) % 28))};
  }

  void AddDx(SyntheticClaim& c, const Code& code, char poa) {
    SyntheticLine l;
    l.kind = LineKind::kDx;
    l.code = code;
    l.poa = poa;
    c.lines.push_back(std::move(l));
  }
  bool HasDx(const SyntheticClaim& c, const Code& code) const {
    return std::any_of(c.lines.begin(), c.lines.end(), [&](const SyntheticLine& l) {
      return l.kind == LineKind::kDx && l.code == code;
    });
  }
  // Up to `count` more distinct diagnoses from the pool; an external cause code (V00-Y99)
  // is never first-listed.
  void DrawDx(SyntheticClaim& c, size_t count, bool inpatient) {
    for (size_t tries = 0; count > 0 && tries < 4 * count + 4; ++tries) {
      const Code& code = pools_.dx.Pick(rng_.Next());
      if (HasDx(c, code)) continue;
      if (c.lines.empty() && code.View()[0] >= 'V' && code.View()[0] <= 'Y') continue;
      AddDx(c, code, inpatient ? Poa(code) : 0);
      --count;
    }
  }
  char Poa(const Code& code) {
    if (pools_.PoaExempt(code)) return 0;
    const auto r = rng_.Below(100);
    return r < 88 ? 'Y' : r < 96 ? 'N' : r < 98 ? 'U' : 'W';
  }
  void Number(SyntheticClaim& c) {
    uint16_t dx = 0, pcs = 0;
    for (auto& l : c.lines)
      if (l.kind == LineKind::kDx) l.seq = ++dx;
      else if (l.kind == LineKind::kPcs) l.seq = ++pcs;
  }

  void Professional(int64_t n, SyntheticClaim& c) {
    const Date quarter = DateFromCivil(2024, 7, 1);  // the 2024Q3 tables' period: 92 days
    const Date dos{quarter.days + static_cast<int32_t>(rng_.Below(92))};
    const Patient p = PatientOf(1 + static_cast<int64_t>(rng_.Below(kPatients)));
    c.id = Num("G", n, 9);
    c.patient_id = p.id;
    c.sex = p.sex;
    c.birth = p.birth;
    c.from = c.through = dos;
    c.provider_id = Num("19", 1 + static_cast<int64_t>(rng_.Below(kProviders)), 8);
    c.coder_id = Num("C", 1 + static_cast<int64_t>(rng_.Below(kCoders)), 2);
    c.payer = kPayers[rng_.Below(kPayers.size())];

    // The CPT/HCPCS lines: an E/M visit, some services, and at most one deliberate edit,
    // at rates in the range payers report for professional claims.
    struct Hcpcs {
      std::string code, modifiers;
      uint32_t units;
    };
    std::vector<Hcpcs> lines;
    lines.push_back({kEvaluation[rng_.Below(kEvaluation.size())], "", 1});
    for (size_t k = rng_.Below(3); k > 0; --k) {
      const auto& x = clean_.empty() ? kCleanExtras[0] : clean_[rng_.Below(clean_.size())];
      if (std::none_of(lines.begin(), lines.end(), [&](const Hcpcs& l) { return l.code == x; }))
        lines.push_back({x, "", 1});
    }
    const auto roll = rng_.Below(100);
    if (roll < 6) {  // PTP pair on one date; a third carry the NCCI-associated modifier
      const auto& pr = pairs_[rng_.Below(pairs_.size())];
      lines.clear();
      lines.push_back({pr.column1, "", 1});
      lines.push_back({pr.column2, rng_.Chance(30) ? "59" : "", 1});
      stats_.ptp_claims++;
    } else if (roll < 9) {  // units above the MUE
      const auto& o = over_[rng_.Below(over_.size())];
      lines.clear();
      lines.push_back({o.code, "", o.units});
      stats_.mue_claims++;
    } else if (roll < 11) {  // add-on code billed without its primary
      lines.clear();
      lines.push_back({kAddOnAlone[rng_.Below(kAddOnAlone.size())], "", 1});
      stats_.addon_claims++;
    } else if (roll < 15) {  // add-on with its primary: must not fire
      const auto& pr = kAddOnWithPrimary[rng_.Below(kAddOnWithPrimary.size())];
      lines.clear();
      lines.push_back({pr.column1, "", 1});
      lines.push_back({pr.column2, "", 1 + static_cast<uint32_t>(rng_.Below(2))});
    }

    DrawDx(c, 1 + rng_.Below(3), false);
    if (c.lines.empty()) AddDx(c, pools_.dx.codes.front(), 0);  // every claim has a diagnosis
    for (const auto& h : lines) {
      SyntheticLine l;
      l.kind = LineKind::kHcpcs;
      l.code = C(h.code);
      l.modifiers = h.modifiers;
      l.units = h.units;
      l.date = dos;
      l.charge_cents = static_cast<int64_t>(2500 + rng_.Below(40000));
      c.lines.push_back(std::move(l));
    }
    Number(c);
  }

  void Inpatient(int64_t n, SyntheticClaim& c) {
    unsigned total = 0;
    for (const auto& s : kStays) total += s.weight;
    auto pick = rng_.Below(total);
    const Stay* stay = &kStays.back();
    for (const auto& s : kStays) {
      if (pick < s.weight) {
        stay = &s;
        break;
      }
      pick -= s.weight;
    }
    // Admitted 2024-10-01 .. 2024-12-20: discharged in FY2025 (ICD-10-CM FY2025 tables).
    const Date admission{DateFromCivil(2024, 10, 1).days + static_cast<int32_t>(rng_.Below(81))};
    const int los = stay->los_min + static_cast<int>(rng_.Below(static_cast<size_t>(stay->los_max - stay->los_min + 1)));
    // One id sequence for every claim type: a CSV export sorted by claim id, as billing
    // systems write them, lets `check` track ids in flat memory (audit/model/id_set.hpp).
    c.id = Num("G", n, 9);
    c.inpatient = true;
    c.from = admission;
    c.through = Date{admission.days + los};
    if (stay->age_max == 0) {  // a newborn: born on the day of admission
      c.patient_id = Num("B", n, 9);
      c.sex = rng_.Chance(50) ? 'F' : 'M';
      c.birth = admission;
    } else {
      bool found = false;
      for (int tries = 0; tries < 64 && !found; ++tries) {  // a patient who fits the stay
        const Patient p = PatientOf(1 + static_cast<int64_t>(rng_.Below(kPatients)));
        const int age = AgeInYears(p.birth, admission);
        found = (!stay->sex || p.sex == stay->sex) && age >= stay->age_min && age <= stay->age_max;
        if (found) {
          c.patient_id = p.id;
          c.sex = p.sex;
          c.birth = p.birth;
        }
      }
      if (!found) {  // rare: a patient of their own, aged age_min at admission
        c.patient_id = Num("A", n, 9);
        c.sex = stay->sex ? stay->sex : 'F';
        int y = 0;
        unsigned m = 0, d = 0;
        CivilFromDate(admission, y, m, d);
        c.birth = DateFromCivil(y - stay->age_min, m, 1);
      }
    }
    c.provider_id = Num("14", 1 + static_cast<int64_t>(rng_.Below(kHospitals)), 8);
    c.coder_id = Num("C", kCoders + 1 + static_cast<int64_t>(rng_.Below(kInpatientCoders)), 2);
    c.payer = rng_.Chance(55) ? "MEDICARE" : kPayers[rng_.Below(kPayers.size())];
    c.drg = stay->drg;
    c.admission_type = stay->admission_type;
    unsigned status = static_cast<unsigned>(rng_.Below(100));
    c.discharge_status = "01";
    if (stay->more_dx)
      for (const auto& [code, share] : kDischargeStatus) {
        if (status < share) {
          c.discharge_status = code;
          break;
        }
        status -= share;
      }

    const Code principal = C(stay->principal);
    AddDx(c, principal, pools_.PoaExempt(principal) ? 0 : 'Y');
    for (const char* s : stay->secondaries) AddDx(c, C(s), Poa(C(s)));
    if (stay->more_dx) {
      const size_t target = 2 + rng_.Below(10);  // 2-11 diagnoses
      const size_t have = c.lines.size();
      if (target > have) DrawDx(c, target - have, true);
    }
    BuildErrors(c, *stay);
    std::vector<SyntheticLine> procedures;
    for (const char* code : stay->procedures) {
      SyntheticLine l;
      l.kind = LineKind::kPcs;
      l.code = C(code);
      l.date = Date{admission.days + static_cast<int32_t>(rng_.Below(std::min(los, 2)))};
      procedures.push_back(std::move(l));
    }
    if (stay->more_dx && rng_.Chance(20) && !pools_.pcs.Empty()) {
      SyntheticLine l;
      l.kind = LineKind::kPcs;
      l.code = pools_.pcs.Pick(rng_.Next());
      l.date = Date{admission.days + static_cast<int32_t>(rng_.Below(static_cast<size_t>(los)))};
      if (std::none_of(procedures.begin(), procedures.end(),
                       [&](const SyntheticLine& x) { return x.code == l.code; }))
        procedures.push_back(std::move(l));
    }
    for (auto& l : procedures) c.lines.push_back(std::move(l));
    Number(c);

    // Charges the 837I carries on revenue-code lines (not coded lines).
    const auto per_day = static_cast<int64_t>(180000 + rng_.Below(90000));
    c.revenue.push_back({"0120", static_cast<uint32_t>(los), true, per_day * los});
    c.revenue.push_back({"0250", 1, false, static_cast<int64_t>(15000 + rng_.Below(250000))});
    c.revenue.push_back({"0300", 1, false, static_cast<int64_t>(8000 + rng_.Below(92000))});
  }

  // About 4.5% of stays carry one coding error the MCE or conventions packs catch.
  void BuildErrors(SyntheticClaim& c, const Stay& stay) {
    const auto roll = rng_.Below(1000);
    const bool newborn = stay.age_max == 0;
    auto one_of = [&](const std::vector<Code>& v) { return v[rng_.Below(v.size())]; };
    if (roll < 10) {  // a category header instead of a billable code
      const Code code = one_of(pools_.dx_headers);
      AddDx(c, code, Poa(code));
      stats_.mce_claims++;
    } else if (newborn) {
      if (roll >= 25 && roll < 28) {  // principal repeated as a secondary
        AddDx(c, c.lines.front().code, c.lines.front().poa);
        stats_.mce_claims++;
      }
    } else if (roll < 20) {  // a diagnosis for the other sex
      const Code code = one_of(c.sex == 'M' ? pools_.female_only : pools_.male_only);
      if (!HasDx(c, code)) {
        AddDx(c, code, Poa(code));
        stats_.mce_claims++;
      }
    } else if (roll < 25) {  // a newborn or pediatric diagnosis on an adult
      const Code code = one_of(pools_.newborn_only);
      if (!HasDx(c, code)) {
        AddDx(c, code, Poa(code));
        stats_.mce_claims++;
      }
    } else if (roll < 28) {  // principal repeated as a secondary
      AddDx(c, c.lines.front().code, c.lines.front().poa);
      stats_.mce_claims++;
    } else if (roll < 33) {  // a manifestation without its etiology
      const Code code = one_of(pools_.code_first);
      if (!HasDx(c, code)) {
        AddDx(c, code, Poa(code));
        stats_.convention_claims++;
      }
    } else if (roll < 45) {  // present-on-admission indicator left out
      for (auto it = c.lines.rbegin(); it != c.lines.rend(); ++it)
        if (it->kind == LineKind::kDx && it->poa != 0) {
          it->poa = 0;
          stats_.convention_claims++;
          break;
        }
    }
  }

  // The last claim, cut to the lines left: diagnoses first; a professional claim keeps
  // at least one diagnosis and one service line.
  static void Cut(SyntheticClaim& c, size_t keep) {
    if (c.inpatient || keep < 2) {
      c.lines.resize(keep);
      return;
    }
    const auto dx = static_cast<size_t>(std::count_if(
        c.lines.begin(), c.lines.end(), [](const SyntheticLine& l) { return l.kind == LineKind::kDx; }));
    const size_t services = c.lines.size() - dx;
    const size_t keep_services = std::min(services, keep - 1), keep_dx = keep - keep_services;
    c.lines.erase(c.lines.begin() + static_cast<std::ptrdiff_t>(keep_dx),
                  c.lines.begin() + static_cast<std::ptrdiff_t>(dx));
    c.lines.resize(keep);
  }

  const GenerateOptions& opt_;
  const CodePools& pools_;
  const std::vector<Pair>& pairs_;
  const std::vector<OverMue>& over_;
  const std::vector<std::string>& clean_;
  Rng rng_;
  GenerateStats stats_;
};

void WriteCsv(const SyntheticClaim& c, std::string& row, std::ostream& out) {
  for (size_t i = 0; i < c.lines.size(); ++i) {
    row.clear();
    row += c.id;
    if (i == 0) {
      row += ',' + c.patient_id + ',' + c.sex + ',' + ToIso(c.birth) + ',' + ToIso(c.from) + ',' +
             ToIso(c.through) + (c.inpatient ? ",inpatient," : ",professional,") + c.provider_id +
             ',' + c.coder_id + ',' + c.payer + ',' + c.drg + ',' + c.discharge_status + ',';
    } else {
      row += ",,,,,,,,,,,,";
    }
    const SyntheticLine& l = c.lines[i];
    switch (l.kind) {
      case LineKind::kDx:
        row += "DX," + std::to_string(l.seq) + ',' + DottedDx(l.code) + ',';
        if (l.poa) row += l.poa;
        row += ",,,,\n";
        break;
      case LineKind::kPcs:
        row += "PCS," + std::to_string(l.seq) + ',' + std::string(l.code.View()) + ",,,," +
               (l.date ? ToIso(*l.date) : std::string()) + ",\n";
        break;
      case LineKind::kHcpcs:
        row += "HCPCS,," + std::string(l.code.View()) + ",," + l.modifiers + ',' +
               std::to_string(l.units) + ',' + (l.date ? ToIso(*l.date) : std::string()) + ',' +
               (l.charge_cents >= 0 ? Money(l.charge_cents) : std::string()) + '\n';
        break;
    }
    out << row;
  }
}

}  // namespace

GenerateStats GenerateClaims(const GenerateOptions& opt, std::ostream& out) {
  std::vector<Pair> pairs = kBuiltinPairs;
  std::vector<OverMue> over = kBuiltinOverMue;
  std::vector<std::string> clean = kCleanExtras;
  if (opt.tables) FromTables(*opt.tables, DateFromCivil(2024, 8, 15), pairs, over, clean);
  // Inpatient stays are discharged in 2024Q4: FY2025 code sets.
  const CodePools pools = LoadCodePools(opt.tables, opt.refdata_dir, DateFromCivil(2024, 11, 15));

  SyntheticClaim claim;
  if (opt.format == OutputFormat::kCsv) {
    out << "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,"
           "provider_id,coder_id,payer,drg,discharge_status,code_type,seq,code,poa,modifiers,"
           "units,service_date,charge\n";
    ClaimSource source(opt, pools, pairs, over, clean);
    std::string row;
    while (source.Next(claim)) WriteCsv(claim, row, out);
    return source.Stats();
  }

  // X12: professional claims in an 837P group, then (the same claims generated again)
  // the inpatient ones in an 837I group.
  X12Writer writer(out);
  ClaimSource source(opt, pools, pairs, over, clean);
  bool professional_group = false;
  while (source.Next(claim)) {
    if (claim.inpatient) continue;
    if (!professional_group) writer.BeginGroup(X12Kind::kProfessional);
    professional_group = true;
    writer.Write(claim);
  }
  const GenerateStats stats = source.Stats();
  if (stats.inpatient > 0) {
    ClaimSource again(opt, pools, pairs, over, clean);
    writer.BeginGroup(X12Kind::kInstitutional);
    while (again.Next(claim))
      if (claim.inpatient) writer.Write(claim);
  }
  writer.Finish();
  return stats;
}

}  // namespace coderaudit::generate
