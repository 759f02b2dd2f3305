#include "audit/generate/code_pools.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <unordered_set>

#include "audit/refdata/catalogue.hpp"
#include "audit/refdata/index_file.hpp"
#include "audit/refdata/layouts.hpp"

namespace coderaudit::generate {

ZipfPicker::ZipfPicker(size_t n) {
  cumulative_.reserve(n);
  // Weight of rank r: 2^40 / (r + 1). Integers: the same draws on every platform.
  uint64_t total = 0;
  for (size_t r = 0; r < n; ++r) {
    total += (uint64_t{1} << 40) / (r + 1);
    cumulative_.push_back(total);
  }
}

size_t ZipfPicker::Pick(uint64_t random) const {
  if (cumulative_.empty()) return 0;
  const uint64_t x = random % cumulative_.back();
  return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), x) -
                             cumulative_.begin());
}

namespace {

using refdata::MceList;
using refdata::TableKind;

// Heads of the frequency ranking: codes among the most reported on claims (real
// ICD-10-CM FY2025 / ICD-10-PCS FY2026 codes), most frequent first. Codes a loaded
// table lacks, or that are kept out of the pool, are skipped.
const char* const kCommonDx[] = {
    "I10",    "E119",   "E785",   "Z0000",  "M5450",  "J069",   "K219",   "E039",  "F419",
    "Z23",    "E669",   "R059",   "F32A",   "I2510",  "M25561", "N390",   "J45909", "G4733",
    "R109",   "E559",   "M1711",  "R079",   "J029",   "I4891",  "Z794",   "E1165",  "N1830",
    "D649",   "E1122",  "Z0001",  "Z1231",  "Z7901",  "F17210", "E1142",  "G8929",  "R42",
    "K5900",  "Z87891", "R0602",  "I480",   "Z8673",  "J189",   "I509",   "J441",  "N179",
    "E871",   "M1611",  "K5790",  "L03115", "R0789"};
// The generator's list before tables were used: the whole DX pool without tables.
const char* const kBuiltinDx[] = {"M1711", "E119", "I10", "M5450", "J069",
                                  "Z0000", "R079", "L97412", "S81811A", "N390"};
const char* const kCommonPcs[] = {
    "30233N1", "5A1935Z", "0DJ08ZZ", "02HV33Z", "4A023N7", "5A1945Z", "0DB68ZX", "3E0234Z",
    "0W9G3ZZ", "0BH17EZ", "3E033GC", "0JH63XZ", "5A1D70Z", "02703DZ", "0DTJ4ZZ", "0FT44ZZ"};
const char* const kBuiltinHeaders[] = {"E11", "I50", "J18", "E872", "M545", "R51", "M199"};
const char* const kBuiltinFemale[] = {"N951", "N838", "N920"};
const char* const kBuiltinMale[] = {"N400", "N421", "N5201"};
const char* const kBuiltinNewborn[] = {"Z3800", "P599", "P0730"};
const char* const kBuiltinCodeFirst[] = {"D631", "G63"};

template <size_t N>
std::vector<Code> Codes(const char* const (&list)[N]) {
  std::vector<Code> out;
  for (const char* c : list)
    if (auto code = Code::Parse(c)) out.push_back(*code);
  return out;
}

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t HashOf(const Code& c) {
  uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (char ch : c.View()) h = Mix(h ^ static_cast<unsigned char>(ch));
  return h;
}

struct OrderCodes {
  std::string version;
  std::vector<Code> valid, headers;
};

// Every code of the order file (icd10cm-order / icd10pcs-order) in force on `on`, else of
// the newest loaded version: read from the reference directory's index file.
std::optional<OrderCodes> ReadOrderCodes(const refdata::RefData& tables,
                                         const std::string& dir, TableKind kind, Date on) {
  std::optional<refdata::detail::CatalogueEntry> pick;
  const refdata::TableVersion* in_force = tables.TableFor(kind, on);
  for (auto& e : refdata::detail::ReadCatalogue(dir)) {
    if (e.table.kind != kind) continue;
    if (in_force ? e.table.version == in_force->version
                 : !pick || pick->table.period_from < e.table.period_from)
      pick = std::move(e);
  }
  if (!pick) return std::nullopt;
  const auto file = refdata::detail::IndexFile::Open(
      (std::filesystem::path(dir) / pick->index_file).string(), kind);
  const auto rows = file->Get(refdata::detail::SectionId::kRows,
                              sizeof(refdata::detail::OrderRecord));
  OrderCodes out;
  out.version = pick->table.version;
  for (uint64_t i = 0; i < rows.count; ++i) {
    const auto r = refdata::detail::Read<refdata::detail::OrderRecord>(rows, i);
    const Code c = refdata::detail::CodeOfKey(r.code.data());
    if (c.Empty()) continue;
    (r.billable == 1 ? out.valid : out.headers).push_back(c);
  }
  return out;
}

// Head codes first (those in `pool`, in the head's order), then the rest of `pool`.
std::vector<Code> Ranked(std::vector<Code> pool, const std::vector<Code>& head) {
  std::unordered_set<Code> in_pool(pool.begin(), pool.end()), taken;
  std::vector<Code> out;
  for (const auto& c : head)
    if (in_pool.count(c) && taken.insert(c).second) out.push_back(c);
  std::erase_if(pool, [&](const Code& c) { return taken.count(c) > 0; });
  // Shorter codes first (E11.9 before the seventh-character injury codes that make up
  // most of ICD-10-CM), each length in a fixed pseudo-random order.
  std::sort(pool.begin(), pool.end(), [](const Code& a, const Code& b) {
    if (a.Size() != b.Size()) return a.Size() < b.Size();
    const uint64_t ha = HashOf(a), hb = HashOf(b);
    return ha != hb ? ha < hb : a < b;
  });
  out.insert(out.end(), pool.begin(), pool.end());
  return out;
}

std::string Count(size_t n) {  // 74719 -> "74,719"
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

}  // namespace

CodePools LoadCodePools(const std::shared_ptr<const refdata::RefData>& tables,
                        const std::string& refdata_dir, Date on) {
  CodePools p;
  p.tables = tables;
  p.on = on;
  p.dx_headers = Codes(kBuiltinHeaders);
  p.female_only = Codes(kBuiltinFemale);
  p.male_only = Codes(kBuiltinMale);
  p.newborn_only = Codes(kBuiltinNewborn);
  p.code_first = Codes(kBuiltinCodeFirst);
  p.dx.codes = Codes(kBuiltinDx);
  p.dx_source = "built-in list, " + Count(p.dx.codes.size()) + " codes";
  p.pcs.codes = Codes(kCommonPcs);
  p.pcs_source = "built-in list, " + Count(p.pcs.codes.size()) + " codes";

  std::optional<OrderCodes> cm, pcs;
  if (tables && !refdata_dir.empty()) {
    cm = ReadOrderCodes(*tables, refdata_dir, TableKind::kIcd10CmOrder, on);
    pcs = ReadOrderCodes(*tables, refdata_dir, TableKind::kIcd10PcsOrder, on);
  }
  auto in_list = [&](MceList list, const Code& c) { return tables->InMceList(list, c, on); };
  if (cm && !cm->valid.empty()) {
    std::vector<Code> pool, female, male, young, code_first;
    for (const auto& c : cm->valid) {
      const bool is_female = in_list(MceList::kFemaleDx, c), is_male = in_list(MceList::kMaleDx, c);
      const bool is_young = in_list(MceList::kNewborn, c) || in_list(MceList::kPediatric, c);
      const bool age_or_sex = is_female || is_male || is_young || in_list(MceList::kMaternity, c);
      // A manifestation ("code first" the underlying disease; never principal) is what
      // the conventions pack's code-first edit and the MCE's principal edit read.
      const bool manifestation = in_list(MceList::kManifestation, c);
      const auto* notes = tables->Notes(c);
      if (is_female && !is_young) female.push_back(c);
      if (is_male && !is_young) male.push_back(c);
      if (is_young && !is_female && !is_male) young.push_back(c);
      if (manifestation && !age_or_sex && notes && !notes->code_first.empty()) code_first.push_back(c);
      if (!age_or_sex && !manifestation) pool.push_back(c);
    }
    if (!pool.empty()) {
      p.dx.codes = Ranked(std::move(pool), Codes(kCommonDx));
      p.dx_source = "icd10cm-order " + cm->version + ", " + Count(p.dx.codes.size()) + " of " +
                    Count(cm->valid.size()) + " billable codes";
    }
    if (!cm->headers.empty()) p.dx_headers = std::move(cm->headers);
    if (!female.empty()) p.female_only = std::move(female);
    if (!male.empty()) p.male_only = std::move(male);
    if (!young.empty()) p.newborn_only = std::move(young);
    if (!code_first.empty()) p.code_first = std::move(code_first);
  }
  if (pcs && !pcs->valid.empty()) {
    std::vector<Code> pool;
    for (const auto& c : pcs->valid) {
      bool listed = false;
      for (MceList l : {MceList::kFemalePx, MceList::kMalePx, MceList::kNonCoveredProcedure,
                        MceList::kLimitedCoverage, MceList::kNonCoveredOver60,
                        MceList::kNonCoveredLos96Hours})
        listed = listed || in_list(l, c);
      if (!listed) pool.push_back(c);
    }
    if (!pool.empty()) {
      p.pcs.codes = Ranked(std::move(pool), Codes(kCommonPcs));
      p.pcs_source = "icd10pcs-order " + pcs->version + ", " + Count(p.pcs.codes.size()) + " of " +
                     Count(pcs->valid.size()) + " codes";
    }
  }
  p.dx.Rank();
  p.pcs.Rank();
  return p;
}

}  // namespace coderaudit::generate
