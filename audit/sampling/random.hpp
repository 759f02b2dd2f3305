#pragma once
// Random number generators for sample selection.
//
// Two generators sit behind one interface:
//  - "ratstats": bit-for-bit RAT-STATS (VB6 Randomize/Rnd seeding of Wichmann-Hill AS 183),
//    so a sample drawn by OIG or a contractor can be reproduced from its seed;
//  - "xoshiro256ss": the modern default (xoshiro256** seeded by SplitMix64, 64-bit seed),
//    specified in README.md precisely enough to replay in any language.
// Bounded integers never go through std::uniform_int_distribution: its algorithm differs
// between standard libraries, and a sample must replay anywhere.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace coderaudit::sampling {

class RandomGenerator {
 public:
  virtual ~RandomGenerator() = default;
  // Short, stable name recorded with every sample ("ratstats", "xoshiro256ss").
  virtual std::string Name() const = 0;
  // Version of the algorithm as specified in README.md; bumps if the draw ever changes.
  virtual std::string Version() const = 0;
  // The seed in canonical text form, enough to rebuild the generator.
  virtual std::string SeedText() const = 0;
  // Uniform integer in [0, count). count must be in [1, MaxCount()].
  virtual uint64_t NextBelow(uint64_t count) = 0;
  virtual uint64_t MaxCount() const = 0;
};

// ---- RAT-STATS -------------------------------------------------------------------------

inline constexpr std::string_view kRatStatsName = "ratstats";
inline constexpr std::string_view kXoshiroName = "xoshiro256ss";

// A RAT-STATS seed after validation: > 0 and < 10^15, rounded to 2 decimals the way
// VB's Format "#####.00" does (decimal half-up on the text the user typed).
struct RatStatsSeed {
  double value = 0;         // the rounded seed as the IEEE double VB would hold
  std::string text;         // canonical "12345.00"
  bool was_rounded = false; // the user gave more than 2 decimals
};

// Parses and validates a seed typed by a user ("12345", "12345.5", "0.01").
// Throws InputError with a message saying what is wrong.
RatStatsSeed ParseRatStatsSeed(std::string_view text);

// Wichmann-Hill state (the three AS 183 seeds).
struct WichmannHillState {
  int32_t a = 0, b = 0, c = 0;
  bool operator==(const WichmannHillState&) const = default;
};

// The Wichmann-Hill seeds RAT-STATS derives from a (validated, rounded) seed.
WichmannHillState RatStatsInitialState(double rounded_seed);

// Another seed (the smallest positive whole number, else the smallest multiple of 0.01)
// that leaves the generator in the same state, hence draws the same sample. There are
// only 65,536 seeding states, so one always exists; nullopt only if the search limit
// is reached.
std::optional<RatStatsSeed> FindEquivalentRatStatsSeed(const RatStatsSeed& seed);

class RatStatsGenerator final : public RandomGenerator {
 public:
  explicit RatStatsGenerator(const RatStatsSeed& seed);

  std::string Name() const override { return std::string(kRatStatsName); }
  std::string Version() const override { return "1"; }
  std::string SeedText() const override { return seed_.text; }
  // floor(u * count): exactly RAT-STATS' Int(Rnd * (High - Low + 1)).
  uint64_t NextBelow(uint64_t count) override;
  // Above 2^40 the double product u*count no longer separates every integer reliably.
  uint64_t MaxCount() const override { return uint64_t{1} << 40; }

  // One Wichmann-Hill uniform in [0, 1).
  double NextUniform();
  const WichmannHillState& State() const { return state_; }
  const RatStatsSeed& Seed() const { return seed_; }

 private:
  RatStatsSeed seed_;
  WichmannHillState state_;
};

// ---- modern default --------------------------------------------------------------------

class Xoshiro256ssGenerator final : public RandomGenerator {
 public:
  explicit Xoshiro256ssGenerator(uint64_t seed);

  std::string Name() const override { return std::string(kXoshiroName); }
  std::string Version() const override { return "1"; }
  std::string SeedText() const override { return std::to_string(seed_); }
  // Rejection: draw r until r >= (2^64 mod count), return r mod count. Unbiased.
  uint64_t NextBelow(uint64_t count) override;
  uint64_t MaxCount() const override { return UINT64_MAX; }

  uint64_t NextU64();
  const std::array<uint64_t, 4>& State() const { return s_; }

 private:
  uint64_t seed_;
  std::array<uint64_t, 4> s_{};
};

// Parses a decimal 64-bit unsigned seed; throws InputError.
uint64_t ParseXoshiroSeed(std::string_view text);

// Builds a generator by name ("ratstats" or "xoshiro256ss") from seed text.
// Throws InputError for an unknown name or an invalid seed.
std::unique_ptr<RandomGenerator> MakeGenerator(std::string_view name, std::string_view seed_text);

// A fresh seed for when the user gives none, in the generator's canonical text form.
// Non-deterministic on purpose (std::random_device); the result is always recorded.
std::string FreshSeedText(std::string_view generator_name);

}  // namespace coderaudit::sampling
