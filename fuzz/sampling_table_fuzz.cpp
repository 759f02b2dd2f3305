// libFuzzer target: the table inputs of `appraise` and `sample-size` (audit/sampling/
// table_input.hpp: CSV or space-delimited), and what the commands do with what they
// read: appraise, then print text and JSON. The first byte picks the reader; the rest is
// the file. Hostile amounts (1e308, -0, 18 digits) reach the statistics and the
// RAT-STATS-style printing this way, where UBSan watches the float-to-integer roundings.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include "audit/model/error.hpp"
#include "audit/sampling/render.hpp"
#include "audit/sampling/table_input.hpp"

namespace {

namespace sm = coderaudit::sampling;
const std::string kSource = "fuzz-table.csv";

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "broken invariant: %s\n", what);
    std::abort();
  }
}

size_t Items(const sm::VariableSample& s) {
  if (s.examined) return s.examined->size();
  if (s.audited) return s.audited->size();
  return s.difference ? s.difference->size() : 0;
}

template <typename Appraisal>
void Print(const Appraisal& a) {
  Require(!sm::RenderText(a).empty() && !sm::RenderJson(a).empty(), "empty printout");
}

void Variable(std::istream& in) {
  const sm::VariableItems items = sm::ReadVariableItems(in, kSource);
  const size_t n = Items(items.sample);
  Require(items.line.size() == n, "one line number per item");
  Require(!items.has_stratum || items.stratum.size() == n, "one stratum per item");
  if (!items.has_stratum) {
    Print(sm::AppraiseUnrestricted(items.sample, static_cast<int64_t>(n) * 3 + 7));
    return;
  }
  std::map<std::string, int64_t> counts;
  for (const std::string& s : items.stratum) ++counts[s];
  std::vector<sm::StratumSize> sizes;
  for (const auto& [id, count] : counts) sizes.push_back({id, count * 2 + 1});
  Print(sm::AppraiseStratified(sm::GroupByStratum(items, sizes)));
}

// Unrestricted, or (with a stratum column) split by stratum, each appraised, combined.
template <typename Rows>
void AppraiseRows(const Rows& rows) {
  if (rows.stratum.empty()) {
    const auto a = sm::AppraiseMultistage(rows, static_cast<int64_t>(rows.primary.size()) + 5, kSource);
    Require(a.characteristic <= a.items, "more items with the characteristic than sampled");
    Print(a);
    return;
  }
  Require(rows.stratum.size() == rows.primary.size(), "one stratum per row");
  std::map<std::string, int64_t> rows_per_stratum;
  for (const std::string& s : rows.stratum) ++rows_per_stratum[s];
  std::vector<sm::StratumSize> sizes;
  for (const auto& [id, count] : rows_per_stratum) sizes.push_back({id, count + 3});
  Print(sm::AppraiseMultistage(sm::SplitByStratum(rows, sizes, kSource), kSource));
}

// The same bytes as item rows and as attribute counts (`appraise multistage [--attribute]`).
void Multistage(const std::string& text) {
  try {
    std::istringstream in(text);
    const sm::MultistageItems items = sm::ReadMultistageItems(in, kSource);
    Require(items.line.size() == Items(items.sample) && items.primary.size() == items.line.size(),
            "one primary and line per item");
    AppraiseRows(items);
  } catch (const coderaudit::InputError&) {
  }
  std::istringstream in(text);
  const sm::MultistageAttributeUnits units = sm::ReadMultistageAttributeUnits(in, kSource);
  Require(units.line.size() == units.primary.size() && units.sampled.size() == units.primary.size(),
          "one primary, line and count per row");
  AppraiseRows(units);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  try {
    switch (data[0] % 5) {
      case 0:
        Variable(in);
        break;
      case 1:
        Multistage(in.str());
        break;
      case 2:
        for (const sm::StratumSize& s : sm::ReadStrataSizes(in, kSource))
          Require(!s.id.empty() && s.universe >= 1, "a stratum size read without an id or below 1");
        break;
      case 3:
        Print(sm::AppraiseStratifiedAttribute(sm::ReadAttributeStrata(in, kSource)));
        break;
      default:
        Print(sm::StratifiedVariableSampleSize(sm::ReadStratumProbes(in, kSource), 10, 0.9, 0));
        break;
    }
  } catch (const coderaudit::InputError&) {
  }
  return 0;
}
