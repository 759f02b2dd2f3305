#pragma once
// A medical code (ICD-10-CM, ICD-10-PCS, CPT/HCPCS, modifier) held inline in 8 bytes:
// upper case, dots removed. No heap string per code on the hot path.
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace coderaudit {

class Code {
 public:
  static constexpr size_t kMaxLength = 7;

  Code() = default;
  // Normalises "e11.9" to "E119". nullopt when empty, too long, or not [A-Z0-9] (plus dots).
  static std::optional<Code> Parse(std::string_view text);
  // For literals known to be well formed (tests, rule tables); throws InputError otherwise.
  static Code Of(std::string_view text);

  std::string_view View() const { return {chars_.data(), length_}; }
  std::string Str() const { return std::string(View()); }
  size_t Size() const { return length_; }
  bool Empty() const { return length_ == 0; }
  // First three characters: the ICD-10-CM category, the PCS section/body system/operation.
  std::string_view Category() const { return View().substr(0, length_ < 3 ? length_ : 3); }
  bool StartsWith(std::string_view prefix) const { return View().starts_with(prefix); }
  // ICD-10-CM display form with the dot after the category ("E11.9").
  std::string DottedIcd10Cm() const;

  // The eight bytes as one big-endian integer. Codes are [A-Z0-9] padded with zero bytes,
  // so integer order is the codes' string order and equal keys are equal codes: table
  // lookups compare one integer instead of calling memcmp.
  uint64_t Key() const {
    uint64_t v;
    std::memcpy(&v, chars_.data(), sizeof v);
    return __builtin_bswap64(v);
  }

  // Keeps the first n characters of a Key(): Key() & PrefixMask(n) is the key of the
  // code's n-character prefix.
  static constexpr uint64_t PrefixMask(size_t n) { return n >= 8 ? ~0ull : ~(~0ull >> (8 * n)); }

  friend bool operator==(const Code& a, const Code& b) { return a.Key() == b.Key(); }
  friend std::strong_ordering operator<=>(const Code& a, const Code& b) {
    return a.Key() <=> b.Key();
  }

 private:
  std::array<char, 8> chars_{};
  uint8_t length_ = 0;
};

}  // namespace coderaudit

template <>
struct std::hash<coderaudit::Code> {
  size_t operator()(const coderaudit::Code& c) const noexcept {
    return std::hash<uint64_t>{}(c.Key() * 0x9E3779B97F4A7C15ull);
  }
};
