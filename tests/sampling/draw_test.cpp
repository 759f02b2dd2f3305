#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/sampling/draw.hpp"
#include "audit/sampling/random.hpp"

namespace sm = coderaudit::sampling;
using Tuple = std::vector<int64_t>;

namespace {
sm::DrawResult DrawRatStats(const char* seed, sm::DrawDesign design, std::vector<sm::Range> ranges,
                            uint64_t n, uint64_t s) {
  sm::RatStatsGenerator g(sm::ParseRatStatsSeed(seed));
  return sm::Draw(g, sm::DrawRequest{design, std::move(ranges), n, s});
}
std::vector<Tuple> Values(const std::vector<sm::DrawnItem>& items) {
  std::vector<Tuple> out;
  for (const auto& i : items) out.push_back(i.values);
  return out;
}
}  // namespace

// Expected values in this file come from an independent Python transcription of
// SAMPLING.md's algorithm (they check our reading of it, not RAT-STATS output itself).

TEST_CASE("Sets of two numbers use two consecutive draws and sort lexicographically", "[sampling]") {
  const auto r = DrawRatStats("12345", sm::DrawDesign::kSets, {{1, 3}, {1, 10}}, 5, 2);
  CHECK(Values(r.sample) == std::vector<Tuple>{{2, 1}, {2, 3}, {2, 4}, {2, 7}, {2, 9}});
  CHECK(Values(r.spares) == std::vector<Tuple>{{3, 10}, {3, 7}});
  CHECK(r.sum == std::vector<int64_t>{16, 41});
  CHECK(r.frame_size == 30);
  // The first set is built from the published first two draws 0.4965... and 0.0086...
  const auto first = std::find_if(r.sample.begin(), r.sample.end(), [](const auto& i) { return i.order == 1; });
  REQUIRE(first != r.sample.end());
  CHECK(first->values == Tuple{2, 1});
}

TEST_CASE("Sets of three numbers match the transcribed algorithm", "[sampling]") {
  const auto r = DrawRatStats("12345", sm::DrawDesign::kSets, {{1, 5}, {1, 20}, {1, 50}}, 5, 2);
  CHECK(Values(r.sample) ==
        std::vector<Tuple>{{2, 7, 18}, {2, 9, 32}, {3, 1, 28}, {4, 18, 33}, {5, 19, 43}});
  CHECK(Values(r.spares) == std::vector<Tuple>{{4, 8, 28}, {4, 2, 44}});
  CHECK(r.sum == std::vector<int64_t>{24, 64, 226});
}

TEST_CASE("Sets of four numbers redraw duplicate tuples", "[sampling]") {
  const auto r = DrawRatStats("777", sm::DrawDesign::kSets, {{1, 2}, {1, 4}, {1, 6}, {1, 8}}, 6, 2);
  CHECK(Values(r.sample) == std::vector<Tuple>{{1, 3, 3, 2}, {1, 4, 6, 8}, {2, 1, 4, 4},
                                               {2, 1, 5, 4}, {2, 2, 6, 8}, {2, 3, 1, 2}});
  CHECK(Values(r.spares) == std::vector<Tuple>{{1, 4, 3, 2}, {1, 2, 4, 2}});
  CHECK(r.sum == std::vector<int64_t>{12, 20, 32, 32});
  std::set<Tuple> distinct;
  for (const auto& t : Values(r.sample)) distinct.insert(t);
  for (const auto& t : Values(r.spares)) distinct.insert(t);
  CHECK(distinct.size() == 8);
}

TEST_CASE("Frames concatenate ranges and map each draw back to its frame and item", "[sampling]") {
  const auto r = DrawRatStats("12345", sm::DrawDesign::kFrames, {{1, 100}, {501, 550}, {1001, 1200}}, 8, 3);
  std::vector<std::pair<uint32_t, int64_t>> sample, spares;
  for (const auto& i : r.sample) sample.emplace_back(i.frame, i.values[0]);
  for (const auto& i : r.spares) spares.emplace_back(i.frame, i.values[0]);
  CHECK(sample == std::vector<std::pair<uint32_t, int64_t>>{
                      {1, 4}, {1, 83}, {2, 519}, {2, 521}, {3, 1024}, {3, 1045}, {3, 1081}, {3, 1160}});
  CHECK(spares == std::vector<std::pair<uint32_t, int64_t>>{{3, 1075}, {2, 518}, {2, 542}});
  CHECK(r.sum == std::vector<int64_t>{7572});
  CHECK(r.frame_size == 350);
  // Position is the 1-based place in the concatenated frame.
  CHECK(r.sample[2].position == 100 + 19);
}

TEST_CASE("A frame draw records a canonical frame definition and its SHA-256", "[sampling]") {
  const auto r = DrawRatStats("1", sm::DrawDesign::kFrames, {{1, 10}, {20, 29}}, 3, 0);
  CHECK(r.frame_definition == "frames 1-10;20-29");
  CHECK(r.frame_sha256 == coderaudit::Sha256Hex("frames 1-10;20-29"));
  const auto s = DrawRatStats("1", sm::DrawDesign::kSingleStage, {{1, 1000}}, 3, 0);
  CHECK(s.frame_definition == "single_stage 1-1000");
}

TEST_CASE("A sample may take the whole frame", "[sampling]") {
  const auto r = DrawRatStats("42", sm::DrawDesign::kSingleStage, {{5, 14}}, 8, 2);
  std::set<int64_t> all;
  for (const auto& i : r.sample) all.insert(i.values[0]);
  for (const auto& i : r.spares) all.insert(i.values[0]);
  CHECK(all.size() == 10);
  CHECK(*all.begin() == 5);
  CHECK(*all.rbegin() == 14);
  CHECK(r.sum == std::vector<int64_t>{95});
}

TEST_CASE("Impossible draw requests are input errors", "[sampling]") {
  using coderaudit::InputError;
  sm::RatStatsGenerator g(sm::ParseRatStatsSeed("1"));
  CHECK_THROWS_AS(sm::Draw(g, {sm::DrawDesign::kSingleStage, {{1, 10}}, 8, 3}), InputError);
  CHECK_THROWS_AS(sm::Draw(g, {sm::DrawDesign::kSingleStage, {{10, 1}}, 1, 0}), InputError);
  CHECK_THROWS_AS(sm::Draw(g, {sm::DrawDesign::kSingleStage, {{1, 10}}, 0, 0}), InputError);
  CHECK_THROWS_AS(sm::Draw(g, {sm::DrawDesign::kSingleStage, {{-1'000'000'000'001, 10}}, 1, 0}),
                  InputError);
  CHECK_THROWS_AS(sm::Draw(g, {sm::DrawDesign::kSets, {{1, 10}}, 1, 0}), InputError);
  CHECK_THROWS_AS(sm::Draw(g, {sm::DrawDesign::kSets, {{1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}, 1, 0}), InputError);
  CHECK_NOTHROW(sm::Draw(g, {sm::DrawDesign::kSingleStage, {{1, 1}}, 1, 0}));
}

// Issue 16 item 1: RAT-STATS takes negative lows. Expected values from the Python
// transcription of SAMPLING.md (seeding, Wichmann-Hill, v = floor(u*(High-Low+1)) + Low,
// duplicates redrawn), which reproduces the Companion Manual's seed-12345 1..1000 example
// (9, 236, ... 884 / spares 404, 624, 927, 947) before it is run on these ranges:
//   single(12345.00, -5000, 50000, 10, 4) -> sample -4523 7930 13490 13682 14000 22308
//     25577 30217 31164 43592, spares 17179 29275 45958 47067, sum 336916
//   single(12345.00, -100, -1, 5, 2) -> -100 -77 -67 -51 -45 / -66 -35, sum -441
// Independently of the transcription: the draw over -5000..50000 is the 1..55001 draw
// shifted by -5001, since v depends on Low only through the final + Low.
TEST_CASE("Single-stage ranges take negative lows, as RAT-STATS does", "[sampling]") {
  const auto r = DrawRatStats("12345", sm::DrawDesign::kSingleStage, {{-5000, 50000}}, 10, 4);
  CHECK(Values(r.sample) == std::vector<Tuple>{{-4523}, {7930}, {13490}, {13682}, {14000},
                                               {22308}, {25577}, {30217}, {31164}, {43592}});
  CHECK(Values(r.spares) == std::vector<Tuple>{{17179}, {29275}, {45958}, {47067}});
  CHECK(r.sum == std::vector<int64_t>{336916});
  CHECK(r.frame_definition == "single_stage -5000-50000");
  const auto shifted = DrawRatStats("12345", sm::DrawDesign::kSingleStage, {{1, 55001}}, 10, 4);
  for (size_t i = 0; i < r.sample.size(); ++i)
    CHECK(r.sample[i].values[0] == shifted.sample[i].values[0] - 5001);

  const auto all_negative = DrawRatStats("12345", sm::DrawDesign::kSingleStage, {{-100, -1}}, 5, 2);
  CHECK(Values(all_negative.sample) == std::vector<Tuple>{{-100}, {-77}, {-67}, {-51}, {-45}});
  CHECK(Values(all_negative.spares) == std::vector<Tuple>{{-66}, {-35}});
  CHECK(all_negative.sum == std::vector<int64_t>{-441});

  // The canonical frame text parses back to the same ranges.
  const auto parsed = sm::ParseRanges("-5000-50000;-100--1", ';');
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0].low == -5000);
  CHECK(parsed[0].high == 50000);
  CHECK(parsed[1].low == -100);
  CHECK(parsed[1].high == -1);
}

TEST_CASE("Range lists parse for sets and frames", "[sampling]") {
  using coderaudit::InputError;
  const auto sets = sm::ParseRanges("1-3, 1-10", ',');
  REQUIRE(sets.size() == 2);
  CHECK(sets[1].low == 1);
  CHECK(sets[1].high == 10);
  const auto frames = sm::ParseRanges("1-100;501-550", ';');
  REQUIRE(frames.size() == 2);
  CHECK(frames[1].low == 501);
  CHECK_THROWS_AS(sm::ParseRanges("1-", ','), InputError);
  CHECK_THROWS_AS(sm::ParseRanges("abc", ','), InputError);
  CHECK_THROWS_AS(sm::ParseRanges("1-3,,4-5", ','), InputError);
}
