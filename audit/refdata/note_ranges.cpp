#include "audit/refdata/note_ranges.hpp"

#include <array>
#include <optional>
#include <string>
#include <utility>

namespace coderaudit::refdata {

namespace {

bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Alnum(char c) { return Upper(c) || Digit(c) || (c >= 'a' && c <= 'z'); }

// An ICD-10-CM code starting at `pos`: letter, digit, letter-or-digit, then optionally
// a dot and up to four more. Advances `pos` past it.
std::optional<Code> CodeAt(std::string_view s, size_t& pos) {
  if (pos + 3 > s.size()) return std::nullopt;
  if (pos > 0 && Alnum(s[pos - 1])) return std::nullopt;
  if (!Upper(s[pos]) || !(Upper(s[pos + 2]) || Digit(s[pos + 2]))) return std::nullopt;
  // Place 2 is a digit, except in chapter QA0-style categories (letter, letter, digit),
  // accepted only when a dot or dash follows so that words like "(CD4)" stay words.
  if (!Digit(s[pos + 1])) {
    const bool next_marks = pos + 3 < s.size() && (s[pos + 3] == '.' || s[pos + 3] == '-');
    if (!Upper(s[pos + 1]) || !Digit(s[pos + 2]) || !next_marks) return std::nullopt;
  }
  std::string text(s.substr(pos, 3));
  size_t p = pos + 3;
  if (p < s.size() && s[p] == '.') {
    size_t q = p + 1;
    std::string tail;
    while (q < s.size() && (Upper(s[q]) || Digit(s[q])) && tail.size() < 4) tail += s[q++];
    if (!tail.empty()) {
      text += tail;
      p = q;
    }
  }
  if (p < s.size() && Alnum(s[p])) return std::nullopt;  // "A1CX": not a code token
  auto c = Code::Parse(text);
  if (c) pos = p;
  return c;
}

void SkipSpaces(std::string_view s, size_t& pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
}

// After a code: ".-" or "-" marks "and everything below" (the code is a prefix anyway).
void SkipDashSuffix(std::string_view s, size_t& pos) {
  if (pos + 1 < s.size() && s[pos] == '.' && s[pos + 1] == '-') ++pos;
}

void ParseCodes(std::string_view g, std::vector<CodeRange>& out);

// The codes from `from` to `to` (same length, differing only in digits after the first
// character: E08..E13, B27.0..B27.9), at most `limit` of them; empty when not so.
std::vector<std::string> Enumerate(const Code& from, const Code& to, size_t limit) {
  std::string s(from.View());
  const std::string last(to.View());
  if (s.size() != last.size()) return {};
  for (size_t i = 1; i < s.size(); ++i)
    if (!Digit(s[i]) || !Digit(last[i])) return {};
  std::vector<std::string> out;
  while (out.size() < limit) {
    out.push_back(s);
    if (s == last) return out;
    size_t i = s.size() - 1;  // increment the digits after the letter, with carry
    while (i > 0 && s[i] == '9') s[i--] = '0';
    if (i == 0) return {};
    ++s[i];
  }
  return {};
}

// "E08-E13 with .42", "F10-F19 with .14, .24, .94", "E08-E13 with .51-.52",
// "E08-E13 with .69-", "F10, F13, F19 with .26, .96", "B27.0-B27.9 with 1": each code
// of the left side with each ending of the right side appended (a prefix, or a range of
// two endings). False when the right side is not such a list of endings.
bool ParseWithEndings(std::string_view left, std::string_view right,
                      std::vector<CodeRange>& out) {
  struct Ending {
    std::string from, to;
  };
  std::vector<Ending> endings;
  size_t p = 0;
  // ".42", ".51", or digits alone ("B27.0-B27.9 with 1"); never a word ("5th").
  auto ending_at = [&](std::string& text) {
    const bool dot = p < right.size() && right[p] == '.';
    if (dot) ++p;
    while (p < right.size() && (dot ? Upper(right[p]) || Digit(right[p]) : Digit(right[p])))
      text += right[p++];
    return !text.empty() && (p == right.size() || !Alnum(right[p]));
  };
  while (p < right.size()) {
    Ending e;
    if (!ending_at(e.from)) return false;
    e.to = e.from;
    if (p < right.size() && right[p] == '-') {
      ++p;
      if (p < right.size() && right[p] == '.') {
        e.to.clear();
        if (!ending_at(e.to) || e.to.size() != e.from.size() || e.to < e.from) return false;
      }
    }
    endings.push_back(std::move(e));
    // separators between endings: commas, spaces, and a stray period before a space
    while (p < right.size() && (right[p] == ',' || right[p] == ' ' ||
                                (right[p] == '.' && p + 1 < right.size() && right[p + 1] == ' ')))
      ++p;
  }
  std::vector<CodeRange> bases;
  ParseCodes(left, bases);
  if (endings.empty() || bases.empty()) return false;
  std::vector<CodeRange> expanded;
  for (const CodeRange& base : bases) {
    const auto codes = Enumerate(base.from, base.to, 100);
    if (codes.empty()) return false;
    for (const std::string& code : codes)
      for (const Ending& e : endings) {
        const auto from = Code::Parse(code + e.from), to = Code::Parse(code + e.to);
        if (!from || !to) return false;
        expanded.push_back({*from, *to});
      }
  }
  out.insert(out.end(), expanded.begin(), expanded.end());
  return true;
}

// The words of a qualifier, lower case, split at spaces and commas ("fifth-character" is
// two words).
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (c == ' ' || c == ',' || (c == '-' && !word.empty() && !Digit(word.back()))) {
      if (!word.empty()) words.push_back(word);
      word.clear();
      continue;
    }
    word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

int Ordinal(const std::string& w) {
  static constexpr std::pair<std::string_view, int> kOrdinals[] = {
      {"fourth", 4}, {"4th", 4}, {"fifth", 5}, {"5th", 5}, {"sixth", 6}, {"six", 6},
      {"6th", 6},    {"seventh", 7}, {"7th", 7}};
  for (const auto& [name, n] : kOrdinals)
    if (w == name) return n;
  return 0;
}

int CharBit(char c) {
  if (Digit(c)) return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return -1;
}

// "fifth or sixth character 5", "5th character 9", "fifth-character 1", "7th character B
// or C", "fifth or sixth character 1-4 or 6", "5th character .6": one condition (any of
// the positions holds any of the characters). "fifth to sixth characters 51": one
// condition per position. False when the words are not of these forms ("open fracture 7th
// character", "character to indicate intent").
bool ParsePositions(const std::vector<std::string>& w, std::array<CharCondition, 2>& where) {
  size_t i = 0;
  uint8_t positions = 0;
  int first = 0, last = 0;
  bool span = false;
  while (i < w.size() && Ordinal(w[i]) != 0) {
    const int n = Ordinal(w[i++]);
    positions |= static_cast<uint8_t>(1u << (n - 1));
    if (first == 0) first = n;
    last = n;
    if (i < w.size() && (w[i] == "or" || w[i] == "to")) {
      span = span || w[i] == "to";
      ++i;
    }
  }
  if (positions == 0 || i >= w.size() || (w[i] != "character" && w[i] != "characters"))
    return false;
  ++i;
  if (span) {  // a sequence of characters at consecutive positions
    if (i + 1 != w.size() || w[i].size() != static_cast<size_t>(last - first + 1) || w[i].size() > 2)
      return false;
    for (size_t k = 0; k < w[i].size(); ++k) {
      const int bit = CharBit(w[i][k]);
      if (bit < 0) return false;
      where[k] = {static_cast<uint8_t>(1u << (first - 1 + static_cast<int>(k))), uint64_t{1} << bit};
    }
    return true;
  }
  uint64_t chars = 0;
  for (; i < w.size(); ++i) {
    if (w[i] == "or") continue;
    std::string t = w[i];
    if (!t.empty() && t[0] == '.') t.erase(0, 1);
    if (t.size() == 1 && CharBit(t[0]) >= 0) {
      chars |= uint64_t{1} << CharBit(t[0]);
    } else if (t.size() == 3 && t[1] == '-' && Digit(t[0]) && Digit(t[2]) && t[0] <= t[2]) {
      for (char c = t[0]; c <= t[2]; ++c) chars |= uint64_t{1} << CharBit(c);
    } else {
      return false;
    }
  }
  if (chars == 0) return false;
  where[0] = {positions, chars};
  return true;
}

// "I69. with final characters -23": the characters after the category's fourth (I69.x23).
bool ParseFinal(const std::vector<std::string>& w, size_t base_length,
                std::array<CharCondition, 2>& where) {
  if (w.size() != 3 || w[0] != "final" || w[1] != "characters" || w[2].size() < 2 ||
      w[2][0] != '-' || w[2].size() > 3)
    return false;
  for (size_t k = 1; k < w[2].size(); ++k) {
    const int bit = CharBit(w[2][k]);
    if (bit < 0) return false;
    where[k - 1] = {static_cast<uint8_t>(1u << (base_length + k)), uint64_t{1} << bit};
  }
  return true;
}

// A range qualified by character positions: the left side's ranges, each with the
// conditions. False when the qualifier is not one the conditions express.
bool ParseWithPositions(std::string_view left, std::string_view right,
                        std::vector<CodeRange>& out) {
  std::vector<CodeRange> bases;
  ParseCodes(left, bases);
  if (bases.empty()) return false;
  const std::vector<std::string> words = Words(right);
  std::array<CharCondition, 2> where{};
  if (!ParsePositions(words, where) && !ParseFinal(words, bases[0].from.Size(), where))
    return false;
  for (CodeRange& base : bases) {
    base.where = where;
    out.push_back(base);
  }
  return true;
}

void ParseGroup(std::string_view g, std::vector<CodeRange>& out) {
  for (size_t i = 0; i + 4 < g.size(); ++i) {
    if (g.substr(i, 5) == "with " && (i == 0 || g[i - 1] == ' ')) {
      // A qualified range: codes with given endings ("with .42") or characters at given
      // positions ("with fifth or sixth character 5"). Any other qualifier gives nothing:
      // a missed review is better than a wrong one.
      const std::string_view left = g.substr(0, i), right = g.substr(i + 5);
      if (!ParseWithEndings(left, right, out)) ParseWithPositions(left, right, out);
      return;
    }
  }
  ParseCodes(g, out);
}

void ParseCodes(std::string_view g, std::vector<CodeRange>& out) {
  size_t pos = 0;
  while (pos < g.size()) {
    size_t start = pos;
    auto from = CodeAt(g, start);
    if (!from) {
      ++pos;
      continue;
    }
    pos = start;
    SkipDashSuffix(g, pos);
    // After the code: dashes (a prefix marker or a range dash) and spaces, then maybe
    // "to" or a second code.
    size_t look = pos;
    bool dash = false;
    while (look < g.size() && (g[look] == '-' || g[look] == ' ')) dash = g[look++] == '-' || dash;
    std::optional<Code> to;
    size_t after = look;
    if (g.compare(look, 3, "to ") == 0) {
      after = look + 3;
      SkipSpaces(g, after);
      to = CodeAt(g, after);
    } else if (dash) {
      to = CodeAt(g, after);
    }
    pos = to ? after : look;
    if (to) {
      SkipDashSuffix(g, pos);
      if (pos < g.size() && g[pos] == '-') ++pos;
      if (*to < *from) std::swap(*from, *to);
      out.push_back({*from, *to});
    } else {
      out.push_back({*from, *from});
    }
  }
}

}  // namespace

std::vector<CodeRange> ParseNoteRanges(std::string_view text) {
  std::vector<CodeRange> out;
  size_t pos = 0;
  while ((pos = text.find('(', pos)) != std::string_view::npos) {
    const size_t close = text.find(')', pos + 1);
    const size_t end = close == std::string_view::npos ? text.size() : close;
    ParseGroup(text.substr(pos + 1, end - pos - 1), out);
    pos = end;
  }
  return out;
}

}  // namespace coderaudit::refdata
