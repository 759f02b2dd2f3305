#include "audit/sampling/random.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <random>

#include "audit/model/error.hpp"

namespace coderaudit::sampling {

namespace {

// VB6 Rnd: 24-bit LCG.
constexpr uint64_t kVbA = 1140671485;
constexpr uint64_t kVbC = 12820163;
constexpr uint64_t kVbMask = (uint64_t{1} << 24) - 1;
constexpr double kTwo24 = 16777216.0;

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// The 16-bit value VB's Randomize extracts from the double: XOR of the two 16-bit halves
// of the upper 32 bits of its IEEE-754 representation.
uint32_t RandomizeBits(double value) {
  const auto bits = std::bit_cast<uint64_t>(value);
  const auto hi = static_cast<uint32_t>(bits >> 32);
  return (hi & 0xFFFFu) ^ (hi >> 16);
}

WichmannHillState StateFromRandomizeBits(uint32_t x) {
  // Randomize keeps the low byte of Rnd's state; after VB start-up it is 134 (0x86).
  uint64_t st = (uint64_t{x} << 8) | 134u;
  std::array<int32_t, 3> seeds{};
  const std::array<int32_t, 3> moduli{30269, 30307, 30323};
  for (size_t i = 0; i < 3; ++i) {
    const double m = moduli[i];
    double v = 0;
    // RAT-STATS computes Int(m * Rnd + 1) and redraws when it reaches m: the seed must
    // stay below its modulus. The product m*st fits in 40 bits, so the double is exact.
    do {
      st = (st * kVbA + kVbC) & kVbMask;
      v = m * static_cast<double>(st) / kTwo24 + 1.0;
    } while (!(v < m));
    seeds[i] = static_cast<int32_t>(std::floor(v));
  }
  return {seeds[0], seeds[1], seeds[2]};
}

RatStatsSeed SeedFromCents(uint64_t cents) {
  RatStatsSeed s;
  s.text = std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") +
           std::to_string(cents % 100);
  s.value = std::strtod(s.text.c_str(), nullptr);
  return s;
}

}  // namespace

RatStatsSeed ParseRatStatsSeed(std::string_view raw) {
  const std::string text = Trim(raw);
  const std::string shown = "'" + text.substr(0, 40) + "'";
  if (text.empty()) throw InputError("RAT-STATS seed is empty: give a number > 0 and < 10^15");
  if (text[0] == '-') throw InputError("RAT-STATS seed " + shown + " must be greater than 0");
  size_t pos = (text[0] == '+') ? 1 : 0;
  std::string int_digits, frac_digits;
  bool seen_point = false;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c >= '0' && c <= '9') {
      (seen_point ? frac_digits : int_digits) += c;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      throw InputError("RAT-STATS seed " + shown +
                       " is not a plain decimal number (digits and at most one '.')");
    }
  }
  if (int_digits.empty() && frac_digits.empty())
    throw InputError("RAT-STATS seed " + shown + " has no digits");
  // Strip leading zeros, keep at least one digit.
  size_t nz = int_digits.find_first_not_of('0');
  int_digits = (nz == std::string::npos) ? "0" : int_digits.substr(nz);
  if (int_digits.size() > 16)
    throw InputError("RAT-STATS seed " + shown + " must be less than 10^15");

  // Round to 2 decimals, half up, on the decimal text (what VB's Format "#####.00" does
  // for any seed a person can type, i.e. up to 15 significant digits).
  bool rounded = false;
  std::string cents_text = frac_digits.substr(0, 2);
  while (cents_text.size() < 2) cents_text += '0';
  uint64_t cents = std::stoull(int_digits) * 100 + std::stoull(cents_text);
  if (frac_digits.size() > 2) {
    rounded = frac_digits.find_first_not_of('0', 2) != std::string::npos;
    if (frac_digits[2] >= '5') ++cents;
  }
  if (cents == 0)
    throw InputError("RAT-STATS seed " + shown + " must be greater than 0 (it rounds to 0.00)");
  if (cents >= uint64_t{100000000000000000})  // 10^15 in cents
    throw InputError("RAT-STATS seed " + shown + " must be less than 10^15");
  RatStatsSeed seed = SeedFromCents(cents);
  seed.was_rounded = rounded;
  return seed;
}

WichmannHillState RatStatsInitialState(double rounded_seed) {
  return StateFromRandomizeBits(RandomizeBits(rounded_seed));
}

std::optional<RatStatsSeed> FindEquivalentRatStatsSeed(const RatStatsSeed& seed) {
  const WichmannHillState target = RatStatsInitialState(seed.value);
  // Whole numbers 1..131,068 already reach all 65,536 Randomize values; search a bit
  // further so the seed itself being the only whole-number match is also covered.
  constexpr uint64_t kWholeLimit = uint64_t{1} << 24;
  for (uint64_t n = 1; n <= kWholeLimit; ++n) {
    const double v = static_cast<double>(n);
    if (v == seed.value) continue;
    if (RatStatsInitialState(v) == target) return SeedFromCents(n * 100);
  }
  for (uint64_t cents = 1; cents <= kWholeLimit; ++cents) {
    if (cents % 100 == 0) continue;
    RatStatsSeed candidate = SeedFromCents(cents);
    if (candidate.value == seed.value) continue;
    if (RatStatsInitialState(candidate.value) == target) return candidate;
  }
  return std::nullopt;
}

RatStatsGenerator::RatStatsGenerator(const RatStatsSeed& seed)
    : seed_(seed), state_(RatStatsInitialState(seed.value)) {}

double RatStatsGenerator::NextUniform() {
  // AS 183 in Schrage form, as RAT-STATS computes it. The integer arithmetic is exact
  // in int32, and so identical to VB's doubles; the sum below is the part that must be
  // evaluated in double, left to right.
  int32_t& a = state_.a;
  int32_t& b = state_.b;
  int32_t& c = state_.c;
  a = 171 * (a % 177) - 2 * (a / 177);
  if (a <= 0) a += 30269;
  b = 172 * (b % 176) - 35 * (b / 176);
  if (b <= 0) b += 30307;
  c = 170 * (c % 178) - 63 * (c / 178);
  if (c <= 0) c += 30323;
  const double t = static_cast<double>(a) / 30269.0 + static_cast<double>(b) / 30307.0 +
                   static_cast<double>(c) / 30323.0;
  return t - std::floor(t);
}

uint64_t RatStatsGenerator::NextBelow(uint64_t count) {
  const double u = NextUniform();
  const double v = std::floor(u * static_cast<double>(count));
  const auto r = static_cast<uint64_t>(v);
  // u < 1 - 3e-14, so with count <= 2^40 r < count always; the guard documents that.
  return r < count ? r : count - 1;
}

// ---- xoshiro256** ----------------------------------------------------------------------

namespace {
uint64_t SplitMix64(uint64_t& x) {
  x += 0x9E3779B97F4A7C15ull;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

Xoshiro256ssGenerator::Xoshiro256ssGenerator(uint64_t seed) : seed_(seed) {
  uint64_t x = seed;
  for (auto& word : s_) word = SplitMix64(x);
}

uint64_t Xoshiro256ssGenerator::NextU64() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

uint64_t Xoshiro256ssGenerator::NextBelow(uint64_t count) {
  // 2^64 mod count, computed without 128-bit arithmetic.
  const uint64_t threshold = (0 - count) % count;
  for (;;) {
    const uint64_t r = NextU64();
    if (r >= threshold) return r % count;
  }
}

uint64_t ParseXoshiroSeed(std::string_view raw) {
  const std::string text = Trim(raw);
  uint64_t value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (text.empty() || ec != std::errc() || ptr != last)
    throw InputError("xoshiro256ss seed '" + text.substr(0, 40) +
                     "' must be a whole number from 0 to 18446744073709551615");
  return value;
}

std::unique_ptr<RandomGenerator> MakeGenerator(std::string_view name,
                                               std::string_view seed_text) {
  if (name == kRatStatsName)
    return std::make_unique<RatStatsGenerator>(ParseRatStatsSeed(seed_text));
  if (name == kXoshiroName)
    return std::make_unique<Xoshiro256ssGenerator>(ParseXoshiroSeed(seed_text));
  throw InputError("unknown generator '" + std::string(name) + "' (use " +
                   std::string(kRatStatsName) + " or " + std::string(kXoshiroName) + ")");
}

std::string FreshSeedText(std::string_view generator_name) {
  std::random_device device;
  const uint64_t r = (uint64_t{device()} << 32) ^ uint64_t{device()};
  if (generator_name == kRatStatsName) return std::to_string(1 + r % 999999) + ".00";
  return std::to_string(r);
}

}  // namespace coderaudit::sampling
