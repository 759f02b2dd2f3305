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

void ParseGroup(std::string_view g, std::vector<CodeRange>& out) {
  for (size_t i = 0; i + 4 < g.size(); ++i) {
    if (g.substr(i, 5) == "with " && (i == 0 || g[i - 1] == ' '))
      return;  // qualified range ("with fifth character 5"): not expressible
  }
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
