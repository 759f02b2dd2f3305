#include "rules/code_matcher.hpp"

#include <algorithm>

namespace coderaudit::rules {

namespace {

// Code characters in their sort order ('0' < '9' < 'A' < 'Z').
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

bool Between(std::string_view value, std::string_view from, std::string_view to) {
  return from <= value && value <= to;
}

// Next string of the same length in character order; false after "ZZZ".
bool Increment(std::string& s) {
  for (size_t i = s.size(); i-- > 0;) {
    const size_t at = kAlphabet.find(s[i]);
    if (at + 1 < kAlphabet.size()) {
      s[i] = kAlphabet[at + 1];
      return true;
    }
    s[i] = kAlphabet.front();
  }
  return false;
}

// Calls f for every string of length 1..3 over the code alphabet.
template <typename F>
void ForEachShortString(F&& f) {
  std::string s;
  for (size_t length = 1; length <= 3; ++length) {
    s.assign(length, kAlphabet.front());
    do {
      f(std::string_view(s));
    } while (Increment(s));
  }
}

}  // namespace

namespace {
// The Code::Key() of normalised text of 1-7 code characters (a prefix or range bound).
uint64_t KeyOfText(const std::string& text) { return Code::Of(text).Key(); }
}  // namespace

void CodeMatcher::AddCode(const Code& code) {
  const auto at = std::lower_bound(codes_.begin(), codes_.end(), code);
  if (at != codes_.end() && *at == code) return;
  code_keys_.insert(code_keys_.begin() + (at - codes_.begin()), code.Key());
  codes_.insert(at, code);
}

void CodeMatcher::AddPrefix(std::string prefix) {
  const uint64_t key = KeyOfText(prefix), mask = Code::PrefixMask(prefix.size());
  prefixes_.push_back({std::move(prefix), key, mask});
}

namespace {
// The last character of a CPT code as its section: '0' for any digit, else the letter.
char CptSection(std::string_view code) {
  if (code.size() != 5 || code[0] < '0' || code[0] > '9') return 0;
  return code[4] >= '0' && code[4] <= '9' ? '0' : code[4];
}
}  // namespace

void CodeMatcher::AddRange(std::string from, std::string to) {
  const uint64_t mask = Code::PrefixMask(from.size());
  const uint64_t from_key = KeyOfText(from), to_key = KeyOfText(to);
  const char from_section = CptSection(from);
  const char cpt_last = from_section == CptSection(to) ? from_section : 0;
  ranges_.push_back({std::move(from), std::move(to), from_key, to_key, mask, cpt_last});
}

void CodeMatcher::AddAll(const CodeMatcher& other) {
  for (const auto& code : other.codes_) AddCode(code);
  prefixes_.insert(prefixes_.end(), other.prefixes_.begin(), other.prefixes_.end());
  ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
}

bool CodeMatcher::Contains(const Code& code) const {
  const uint64_t key = code.Key();
  if (std::binary_search(code_keys_.begin(), code_keys_.end(), key)) return true;
  // Padding bytes are zero and code characters never are: a code shorter than a prefix
  // cannot match it.
  for (const auto& prefix : prefixes_)
    if ((key & prefix.mask) == prefix.key) return true;
  for (const auto& range : ranges_) {
    if (code.Size() < range.from.size()) continue;
    const uint64_t head = key & range.mask;
    if (head < range.from_key || head > range.to_key) continue;
    if (range.cpt_last == 0 || CptSection(code.View()) == range.cpt_last) return true;
  }
  return false;
}

std::vector<std::string> CodeMatcher::Categories() const {
  std::vector<std::string> out;
  for (const auto& code : codes_) out.emplace_back(code.Category());

  for (const auto& member : prefixes_) {
    const std::string& prefix = member.text;
    if (prefix.size() >= 3) {
      out.push_back(prefix.substr(0, 3));
      continue;
    }
    // A short prefix ("Z" or "Z3") reaches many categories, and codes shorter than three
    // characters are their own category.
    ForEachShortString([&](std::string_view s) {
      if (s.size() >= prefix.size() && s.starts_with(prefix)) out.emplace_back(s);
    });
  }

  for (const auto& range : ranges_) {
    const size_t length = range.from.size();
    if (length >= 3) {
      // Codes reach at least `length` >= 3 characters, so only 3-character categories
      // between the bounds' first three characters qualify: walk them in order.
      std::string s = range.from.substr(0, 3);
      const std::string last = range.to.substr(0, 3);
      do {
        out.push_back(s);
      } while (s != last && Increment(s));
      continue;
    }
    ForEachShortString([&](std::string_view s) {
      if (s.size() >= length && Between(s.substr(0, length), range.from, range.to))
        out.emplace_back(s);
    });
  }

  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace coderaudit::rules
