#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "audit/model/error.hpp"
#include "audit/sampling/multistage_appraisal.hpp"
#include "audit/sampling/random.hpp"
#include "audit/sampling/rhc_selection.hpp"
#include "audit/sampling/table_input.hpp"

namespace sm = coderaudit::sampling;

namespace {
std::vector<sm::RhcFramePrimary> Frame(const std::string& csv) {
  std::istringstream in(csv);
  return sm::ReadRhcFrame(in, "frame.csv");
}

const char* kFrame = "primary,measure\nP1,12\nP2,25\nP3,23\nP4,8\nP5,10\nP6,22\nP7,30\nP8,5\nP9,17\nP10,40\n";
}  // namespace

// The procedure of rhc_selection.hpp written out again from its comment, on a second
// generator with the same seed: all M numbers in selection order (duplicates redrawn),
// groups of 4, 3, 3 in that order, then one draw per group over its measure.
TEST_CASE("RHC selection follows its documented procedure", "[sampling]") {
  const auto frame = Frame(kFrame);
  for (const std::string generator : {"ratstats", "xoshiro256ss"}) {
    INFO(generator);
    auto rng = sm::MakeGenerator(generator, "12345");
    const auto s = sm::SelectRhc(*rng, frame, 3, "frame.csv");
    auto replay = sm::MakeGenerator(generator, "12345");
    std::vector<size_t> order;
    std::unordered_set<uint64_t> seen;
    while (order.size() < frame.size()) {
      const uint64_t k = replay->NextBelow(frame.size());
      if (seen.insert(k).second) order.push_back(k);
    }
    REQUIRE(s.groups.size() == 3);
    size_t next = 0;
    for (size_t g = 0; g < 3; ++g) {
      const size_t size = g == 0 ? 4 : 3;
      std::vector<size_t> members(order.begin() + static_cast<std::ptrdiff_t>(next),
                                  order.begin() + static_cast<std::ptrdiff_t>(next + size));
      next += size;
      std::sort(members.begin(), members.end());
      CHECK(s.groups[g].members == members);
      int64_t measure = 0;
      for (size_t i : members) measure += frame[i].measure;
      CHECK(s.groups[g].measure == measure);
      const int64_t r = static_cast<int64_t>(replay->NextBelow(static_cast<uint64_t>(measure))) + 1;
      CHECK(s.groups[g].draw == r);
      int64_t running = 0;
      size_t drawn = members.back();
      for (size_t i : members) {
        running += frame[i].measure;
        if (running >= r) {
          drawn = i;
          break;
        }
      }
      CHECK(s.groups[g].drawn == drawn);
    }
    CHECK(s.measure == 192);
    CHECK(s.seed == (generator == "ratstats" ? "12345.00" : "12345"));
    // The same seed draws the same groups; the frame's hash is recorded.
    auto again = sm::MakeGenerator(generator, "12345");
    CHECK(sm::RhcGroupsCsv(sm::SelectRhc(*again, frame, 3, "frame.csv")) == sm::RhcGroupsCsv(s));
    CHECK(s.frame_sha256.size() == 64);
  }
}

// Within its group a primary is drawn with probability (its measure) / (group's measure).
// Measures 1, 2, 3, 4 in groups of two: over 20,000 seeds each of the 6 possible pairs
// appears about 6,700 times; every drawn share must be within 5 standard errors of its
// probability. Reaching the draw with > instead of >= (or r from 0) moves a share by
// 1 / (group measure), at least 1/7, about 25 standard errors.
TEST_CASE("RHC draws a primary within its group with probability proportional to its measure", "[sampling]") {
  const auto frame = Frame("primary,measure\nA,1\nB,2\nC,3\nD,4\n");
  std::map<std::pair<size_t, size_t>, std::array<int, 2>> tally;  // pair -> draws of first, second
  for (uint64_t seed = 1; seed <= 20000; ++seed) {
    sm::Xoshiro256ssGenerator rng(seed);
    const auto s = sm::SelectRhc(rng, frame, 2, "frame.csv");
    for (const auto& g : s.groups) {
      REQUIRE(g.members.size() == 2);
      auto& t = tally[{g.members[0], g.members[1]}];
      ++t[g.drawn == g.members[0] ? 0 : 1];
    }
  }
  REQUIRE(tally.size() == 6);
  for (const auto& [pair, t] : tally) {
    const double n = t[0] + t[1];
    const double p = static_cast<double>(frame[pair.first].measure) /
                     static_cast<double>(frame[pair.first].measure + frame[pair.second].measure);
    INFO(frame[pair.first].id << frame[pair.second].id << ": " << t[0] << " of " << n);
    CHECK(std::abs(t[0] / n - p) < 5 * std::sqrt(p * (1 - p) / n));
  }
}

TEST_CASE("The RHC groups file is what appraise multistage --groups reads", "[sampling]") {
  const auto frame = Frame(kFrame);
  sm::Xoshiro256ssGenerator rng(99);
  const auto s = sm::SelectRhc(rng, frame, 3, "frame.csv");
  std::istringstream in(sm::RhcGroupsCsv(s));
  const auto groups = sm::ReadRhcGroups(in, "groups.csv");
  REQUIRE(groups.size() == 3);
  std::string items = "primary,primary_size,difference\n";
  int64_t primaries = 0;
  for (size_t g = 0; g < 3; ++g) {
    CHECK(groups[g].primary == frame[s.groups[g].drawn].id);
    CHECK(groups[g].measure == s.groups[g].measure);
    CHECK(groups[g].primary_measure == frame[s.groups[g].drawn].measure);
    primaries += groups[g].primaries;
    items += groups[g].primary + ",20,5\n" + groups[g].primary + ",20,9\n";
  }
  CHECK(primaries == 10);
  std::istringstream items_in(items);
  const auto a = sm::AppraiseRhc(sm::ReadMultistageItems(items_in, "items.csv"), groups, "items.csv", "groups.csv");
  CHECK(a.universe == 10);
  CHECK(a.measure == 192);
}

TEST_CASE("RHC frames and group counts that cannot be drawn are refused with file and line", "[sampling]") {
  sm::Xoshiro256ssGenerator rng(1);
  auto refused = [&](const std::string& csv, int64_t groups, const std::string& message) {
    INFO(csv);
    CHECK_THROWS_WITH(sm::SelectRhc(rng, Frame(csv), groups, "frame.csv"), Catch::Contains(message));
  };
  refused("primary,measure\nA,1\nB,2\nA,3\n", 2, "frame.csv:4: primary A is listed twice");
  refused("primary,measure\nA,1\nB,0\n", 2, "frame.csv:3: primary B: its measure of size must be at least 1");
  refused("primary,measure\nA,1\n,2\n", 2, "frame.csv:3: empty primary");
  refused("primary,measure\nA,1\nB,2\n", 1, "between 2 and the frame's 2 primaries");
  refused("primary,measure\nA,1\nB,2\n", 3, "between 2 and the frame's 2 primaries");
  refused("primary,measure\nA,1\n", 2, "at least 2 primaries");
  refused("primary,measure\nA,600000000000\nB,400000000001\n", 2, "above 10^12");
  CHECK_THROWS_WITH(Frame("primary,measure\nA,1.5\n"), Catch::Contains("frame.csv:2: '1.5' is not a whole number"));
  CHECK_THROWS_WITH(Frame("primary,weight\nA,1\n"), Catch::Contains("no 'measure' column"));
}
