#pragma once
// Membership in a code list made of exact codes, prefixes and ranges.
// A range "O00".."O9A" holds every code whose first 3 characters lie between the bounds in
// character order ('0'-'9' sort before 'A'-'Z'), so O9A1 is in and P00 is not.
#include <string>
#include <string_view>
#include <cstdint>
#include <vector>

#include "audit/model/code.hpp"

namespace coderaudit::rules {

class CodeMatcher {
 public:
  void AddCode(const Code& code);
  // Normalised (upper case, no dots) prefix of 1-7 characters.
  void AddPrefix(std::string prefix);
  // Normalised bounds of equal length (1-7) with from <= to.
  void AddRange(std::string from, std::string to);
  void AddAll(const CodeMatcher& other);

  bool Contains(const Code& code) const;
  bool Empty() const { return codes_.empty() && prefixes_.empty() && ranges_.empty(); }
  size_t ExactCount() const { return codes_.size(); }

  // Every Code::Category() value (the code itself when shorter than 3 characters) that a
  // member can have. Short prefixes and ranges are expanded here, once, at compile time,
  // so the evaluator can index rules by category.
  std::vector<std::string> Categories() const;

 private:
  // Members as Code::Key() integers, so Contains compares integers (a binary search over
  // the exact codes, a mask and compare per prefix or range) instead of hashing and
  // comparing strings. Prefixes and ranges keep their text for Categories().
  struct Prefix {
    std::string text;
    uint64_t key, mask;
  };
  struct Range {
    std::string from, to;
    uint64_t from_key, to_key, mask;
    // CPT bounds (five characters, a digit first) ending in a digit: the range holds only
    // codes ending in a digit ('0'); ending in the same letter: codes ending in it. CPT
    // sections are told by that last character, not by order: 3008F (Category II) sorts
    // between 10004 and 35999 but is no surgery code. 0 otherwise.
    char cpt_last = 0;
  };
  std::vector<Code> codes_;  // sorted, unique
  std::vector<uint64_t> code_keys_;  // Key() of codes_
  std::vector<Prefix> prefixes_;
  std::vector<Range> ranges_;
};

}  // namespace coderaudit::rules
