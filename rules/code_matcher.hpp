#pragma once
// Membership in a code list made of exact codes, prefixes and ranges.
// A range "O00".."O9A" holds every code whose first 3 characters lie between the bounds in
// character order ('0'-'9' sort before 'A'-'Z'), so O9A1 is in and P00 is not.
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "audit/model/code.hpp"

namespace coderaudit::rules {

class CodeMatcher {
 public:
  void AddCode(const Code& code) { codes_.insert(code); }
  // Normalised (upper case, no dots) prefix; never empty.
  void AddPrefix(std::string prefix) { prefixes_.push_back(std::move(prefix)); }
  // Normalised bounds of equal length with from <= to.
  void AddRange(std::string from, std::string to) {
    ranges_.push_back({std::move(from), std::move(to)});
  }
  void AddAll(const CodeMatcher& other);

  bool Contains(const Code& code) const;
  bool Empty() const { return codes_.empty() && prefixes_.empty() && ranges_.empty(); }
  size_t ExactCount() const { return codes_.size(); }

  // Every Code::Category() value (the code itself when shorter than 3 characters) that a
  // member can have. Short prefixes and ranges are expanded here, once, at compile time,
  // so the evaluator can index rules by category.
  std::vector<std::string> Categories() const;

 private:
  struct Range {
    std::string from, to;
  };
  std::unordered_set<Code> codes_;
  std::vector<std::string> prefixes_;
  std::vector<Range> ranges_;
};

}  // namespace coderaudit::rules
