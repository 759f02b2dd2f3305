#pragma once
// RHC (Rao, Hartley and Cochran 1962) selection of primary units with probability
// proportional to size, as RAT-STATS's "RHC sample selection" offers it: the M primaries
// of a frame are split at random into n groups, and one primary is drawn from each group
// with probability (its measure of size) / (the group's measure). The groups file this
// writes is the input of `appraise multistage --groups`.
//
// The procedure, so anyone can replay it from the generator, seed and frame:
//  1. Number the frame's primaries 1..M in file order. Draw all M numbers as a single-stage
//     draw 1..M (duplicates redrawn, as `sample numbers --low 1 --high M --count M`); the
//     selection order is the random order of the primaries.
//  2. Group sizes: M = nR + k (0 <= k < n); groups 1..k take R + 1 primaries, the rest R.
//     Group 1 takes the first primaries in selection order, group 2 the next, and so on.
//  3. For each group in turn, r = NextBelow(Z_g) + 1; the drawn primary is the first of the
//     group's members, in frame order, whose running total of measures reaches r.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/sampling/multistage_appraisal.hpp"
#include "audit/sampling/random.hpp"

namespace coderaudit::sampling {

struct RhcFramePrimary {
  std::string id;
  int64_t measure = 0;  // measure of size: a whole number >= 1 (claims, lines, whole dollars)
  uint32_t line = 0;    // where it was read
};

// Limits: a frame the draw can order, and measures every generator can draw within.
inline constexpr int64_t kMaxRhcMeasure = 1'000'000'000'000;  // total measure <= 10^12

struct RhcSelectedGroup {
  int64_t number = 0;            // 1-based
  std::vector<size_t> members;   // frame indices (0-based), in frame order
  int64_t measure = 0;           // Z_g
  size_t drawn = 0;              // frame index of the drawn primary
  int64_t draw = 0;              // r, in 1..Z_g
};

struct RhcSelection {
  std::string generator, generator_version, seed;
  std::vector<RhcFramePrimary> frame;
  int64_t measure = 0;           // Z: the frame's measure
  std::string frame_sha256;      // of RhcFrameText(frame)
  std::vector<RhcSelectedGroup> groups;
  std::vector<std::string> warnings;
};

// Validates the frame (ids unique and non-empty, measures >= 1, total within
// kMaxRhcMeasure; errors name source:line) and 2 <= groups <= M; throws InputError.
// Then selects as above.
RhcSelection SelectRhc(RandomGenerator& generator, std::vector<RhcFramePrimary> frame, int64_t groups,
                       const std::string& source);

// The canonical frame, hashed for the record: "primary,measure" then one CSV row per
// primary in file order.
std::string RhcFrameText(const std::vector<RhcFramePrimary>& frame);

// The groups as `appraise multistage --groups` reads them.
std::vector<RhcGroup> RhcGroups(const RhcSelection& selection);
std::string RhcGroupsCsv(const RhcSelection& selection);

}  // namespace coderaudit::sampling
