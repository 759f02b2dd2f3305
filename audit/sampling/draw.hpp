#pragma once
// Random number draws in RAT-STATS' three layouts: single stage (Low..High), sets of
// 2-4 numbers (one draw per dimension), and frames (several ranges concatenated).
// The draw itself is generator-agnostic: each value is `NextBelow(size) + low`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/sampling/random.hpp"

namespace coderaudit::sampling {

struct Range {
  int64_t low = 0;
  int64_t high = 0;  // inclusive
  uint64_t Size() const { return static_cast<uint64_t>(high - low) + 1; }
};

enum class DrawDesign { kSingleStage, kSets, kFrames };

// Limits that keep every sum and frame index inside int64 and the draw in memory.
inline constexpr int64_t kMaxFrameValue = 1'000'000'000'000;  // |bound| <= 10^12
inline constexpr uint64_t kMaxDrawCount = 1'000'000;          // sample + spares

struct DrawRequest {
  DrawDesign design = DrawDesign::kSingleStage;
  // single stage: exactly one range; sets: 2-4 ranges (one per dimension);
  // frames: one or more ranges, concatenated in the order given.
  std::vector<Range> ranges;
  uint64_t count = 0;   // n
  uint64_t spares = 0;  // s
};

struct DrawnItem {
  uint64_t order = 0;           // 1-based selection order over sample and spares
  std::vector<int64_t> values;  // one value, or one per dimension for sets
  uint32_t frame = 0;           // frames: 1-based frame the item falls in; otherwise 0
  uint64_t position = 0;        // 1-based index in the whole (concatenated / mixed-radix) frame
};

struct DrawResult {
  std::string generator;
  std::string generator_version;
  std::string seed;
  DrawRequest request;
  uint64_t frame_size = 0;
  std::string frame_definition;  // canonical text, e.g. "single_stage 1-1000"
  std::string frame_sha256;      // of frame_definition
  std::vector<DrawnItem> sample;  // sorted ascending (sets: lexicographically)
  std::vector<DrawnItem> spares;  // in selection order
  std::vector<int64_t> sum;       // over sample and spares; one per dimension for sets
  std::vector<std::string> warnings;
};

// Validates the request (throws InputError) and draws. Duplicates are redrawn.
DrawResult Draw(RandomGenerator& generator, const DrawRequest& request);

// Canonical frame text; also validates the ranges (throws InputError).
std::string FrameDefinition(const DrawRequest& request);

// Parses "L-H" / "L1-H1,L2-H2" / "L1-H1;L2-H2" (separator given). Throws InputError.
std::vector<Range> ParseRanges(std::string_view text, char separator);

}  // namespace coderaudit::sampling
