#include "audit/generate/claims_generator.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "audit/model/date.hpp"

namespace coderaudit::generate {

namespace {

// splitmix64: fixed arithmetic, so a seed gives the same file on every platform (the
// standard distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
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
const std::vector<std::string> kDiagnoses{"M17.11", "E11.9", "I10", "M54.50", "J06.9",
                                          "Z00.00", "R07.9", "L97.412", "S81.811A", "N39.0"};
const std::vector<std::string> kPayers{"MEDICARE", "BCBS", "AETNA", "MEDICAID", "UHC"};

constexpr int kCoders = 12, kProviders = 40, kPatients = 200000;

std::string Num(const char* prefix, int64_t n, int width) {
  std::string digits = std::to_string(n);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, width - digits.size(), '0');
  return prefix + digits;
}

struct Line {
  std::string code, modifiers;
  uint32_t units = 1;
};

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

}  // namespace

GenerateStats GenerateClaims(const GenerateOptions& opt, std::ostream& out) {
  Rng rng(opt.seed);
  const Date quarter = DateFromCivil(2024, 7, 1);  // the 2024Q3 tables' period: 92 days
  std::vector<Pair> pairs = kBuiltinPairs;
  std::vector<OverMue> over = kBuiltinOverMue;
  std::vector<std::string> clean = kCleanExtras;
  if (opt.tables) FromTables(*opt.tables, DateFromCivil(2024, 8, 15), pairs, over, clean);

  GenerateStats stats;
  out << "encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,"
         "provider_id,coder_id,payer,drg,discharge_status,code_type,seq,code,poa,modifiers,"
         "units,service_date,charge\n";
  std::string row;
  std::vector<Line> lines;
  while (stats.lines < opt.lines) {
    const int64_t n = ++stats.encounters;
    const std::string id = Num("G", n, 9);
    const Date dos{quarter.days + static_cast<int32_t>(rng.Below(92))};
    const Date birth = DateFromCivil(1935 + static_cast<int>(rng.Below(75)),
                                     1 + static_cast<unsigned>(rng.Below(12)),
                                     1 + static_cast<unsigned>(rng.Below(28)));
    const std::string date = ToIso(dos);

    // The claim's CPT/HCPCS lines: an E/M visit, some services, and at most one
    // deliberate edit, at rates in the range payers report for professional claims.
    lines.clear();
    lines.push_back({kEvaluation[rng.Below(kEvaluation.size())], "", 1});
    for (size_t k = rng.Below(3); k > 0; --k) {
      const auto& c = clean.empty() ? kCleanExtras[0] : clean[rng.Below(clean.size())];
      if (std::none_of(lines.begin(), lines.end(), [&](const Line& l) { return l.code == c; }))
        lines.push_back({c, "", 1});
    }
    const auto roll = rng.Below(100);
    if (roll < 6) {  // PTP pair on one date; a third carry the NCCI-associated modifier
      const auto& p = pairs[rng.Below(pairs.size())];
      lines.clear();
      lines.push_back({p.column1, "", 1});
      lines.push_back({p.column2, rng.Chance(30) ? "59" : "", 1});
      stats.ptp_claims++;
    } else if (roll < 9) {  // units above the MUE
      const auto& o = over[rng.Below(over.size())];
      lines.clear();
      lines.push_back({o.code, "", o.units});
      stats.mue_claims++;
    } else if (roll < 11) {  // add-on code billed without its primary
      lines.clear();
      lines.push_back({kAddOnAlone[rng.Below(kAddOnAlone.size())], "", 1});
      stats.addon_claims++;
    } else if (roll < 15) {  // add-on with its primary: must not fire
      const auto& p = kAddOnWithPrimary[rng.Below(kAddOnWithPrimary.size())];
      lines.clear();
      lines.push_back({p.column1, "", 1});
      lines.push_back({p.column2, "", 1 + static_cast<uint32_t>(rng.Below(2))});
    }

    const size_t dx_count = 1 + rng.Below(3);
    const size_t total = dx_count + lines.size();
    for (size_t i = 0; i < total && stats.lines < opt.lines; ++i) {
      row.clear();
      row += id;
      if (i == 0) {
        row += ',' + Num("P", 1 + static_cast<int64_t>(rng.Below(kPatients)), 6);
        row += rng.Chance(50) ? ",F," : ",M,";
        row += ToIso(birth) + ',' + date + ',' + date + ",professional,";
        row += Num("19", 1 + static_cast<int64_t>(rng.Below(kProviders)), 8) + ',';
        row += Num("C", 1 + static_cast<int64_t>(rng.Below(kCoders)), 2) + ',';
        row += kPayers[rng.Below(kPayers.size())] + ",,,";
      } else {
        row += ",,,,,,,,,,,,";
      }
      if (i < dx_count) {
        row += "DX," + std::to_string(i + 1) + ',' + kDiagnoses[rng.Below(kDiagnoses.size())] +
               ",,,,,\n";
      } else {
        const Line& l = lines[i - dx_count];
        const auto cents = 2500 + rng.Below(40000);
        row += "HCPCS,," + l.code + ",," + l.modifiers + ',' + std::to_string(l.units) + ',' +
               date + ',' + std::to_string(cents / 100) + '.' +
               (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100) + '\n';
      }
      out << row;
      stats.lines++;
    }
  }
  return stats;
}

}  // namespace coderaudit::generate
