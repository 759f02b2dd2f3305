// libFuzzer target: the table inputs of `appraise`, `sample-size` and `sample rhc` (audit/sampling/
// table_input.hpp: CSV or space-delimited), and what the commands do with what they
// read: appraise, then print text and JSON. The first byte picks the reader; the rest is
// the file. Hostile amounts (1e308, -0, 18 digits) reach the statistics and the
// RAT-STATS-style printing this way, where UBSan watches the float-to-integer roundings.
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "audit/model/error.hpp"
#include "audit/sampling/random.hpp"
#include "audit/sampling/render.hpp"
#include "audit/sampling/rhc_selection.hpp"
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

// The rows' primaries as the drawn primaries of RHC groups of two (measures from the
// ids' lengths), appraised with an RHC first stage.
template <typename Rows>
void AppraiseRhc(const Rows& rows) {
  std::vector<sm::RhcGroup> groups;
  for (const std::string& p : std::set<std::string>(rows.primary.begin(), rows.primary.end())) {
    const auto z = static_cast<int64_t>(p.size() % 7) + 1;
    groups.push_back({std::to_string(groups.size() + 1), 2, z + 1 + static_cast<int64_t>(p.size() % 3), p, z,
                      static_cast<uint32_t>(groups.size() + 2)});
  }
  try {
    const auto a = sm::AppraiseRhc(rows, groups, kSource, "groups.csv");
    Require(a.rhc && a.universe == 2 * static_cast<int64_t>(groups.size()), "RHC universe is the groups' primaries");
    Print(a);
  } catch (const coderaudit::InputError&) {
  }
}

// Unrestricted, or (with a stratum column) split by stratum, each appraised, combined.
template <typename Rows>
void AppraiseRows(const Rows& rows) {
  if (rows.stratum.empty()) {
    AppraiseRhc(rows);
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

// The same bytes as an RHC frame (`sample rhc`): the groups partition the frame, each
// drawn primary is a member of its group, and the groups file reads back as written.
void RhcFrame(const std::string& text) {
  try {
    std::istringstream in(text);
    const auto frame = sm::ReadRhcFrame(in, kSource);
    sm::Xoshiro256ssGenerator rng(text.size());
    const auto groups = static_cast<int64_t>(2 + text.size() % std::max<size_t>(frame.size(), 1));
    const sm::RhcSelection s = sm::SelectRhc(rng, frame, groups, kSource);
    std::set<size_t> seen;
    for (const auto& g : s.groups) {
      int64_t measure = 0;
      bool drawn_member = false;
      for (size_t i : g.members) {
        Require(seen.insert(i).second, "a primary in two groups");
        measure += s.frame[i].measure;
        drawn_member |= i == g.drawn;
      }
      Require(drawn_member && measure == g.measure && g.draw >= 1 && g.draw <= g.measure, "an RHC group");
    }
    Require(seen.size() == frame.size(), "the RHC groups cover the frame");
    std::istringstream groups_in(sm::RhcGroupsCsv(s));
    const auto read = sm::ReadRhcGroups(groups_in, "groups.csv");
    const auto made = sm::RhcGroups(s);
    Require(read.size() == made.size(), "the groups file reads back");
    for (size_t g = 0; g < read.size(); ++g)
      Require(read[g].primary == made[g].primary && read[g].measure == made[g].measure &&
                  read[g].primaries == made[g].primaries && read[g].primary_measure == made[g].primary_measure,
              "the groups file reads back as written");
    Print(s);
  } catch (const coderaudit::InputError&) {
  }
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
        RhcFrame(in.str());
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
