#include "audit/refdata/note_ranges.hpp"

#include <optional>
#include <string>

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
// "E08-E13 with .69-", "F10, F13, F19 with .26, .96", "B27.0-B27.9 with .9": each code
// of the left side with each ending of the right side appended (a prefix, or a range of
// two endings). False when the right side is not such a list of endings.
bool ParseWithEndings(std::string_view left, std::string_view right,
                      std::vector<CodeRange>& out) {
  struct Ending {
    std::string from, to;
  };
  std::vector<Ending> endings;
  size_t p = 0;
  auto ending_at = [&](std::string& text) {
    if (p >= right.size() || right[p] != '.') return false;
    ++p;
    while (p < right.size() && (Upper(right[p]) || Digit(right[p]))) text += right[p++];
    return !text.empty();
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

void ParseGroup(std::string_view g, std::vector<CodeRange>& out) {
  for (size_t i = 0; i + 4 < g.size(); ++i) {
    if (g.substr(i, 5) == "with " && (i == 0 || g[i - 1] == ' ')) {
      // A qualified range: codes with given endings are expressible, character positions
      // ("with fifth or sixth character 5") are not, and a missed review is better than a
      // wrong one.
      ParseWithEndings(g.substr(0, i), g.substr(i + 5), out);
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
