#include "reports/xlsx/cell_text.hpp"

#include <array>
#include <cstdint>

namespace coderaudit::reports {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at `i` (strict UTF-8: no overlongs, no surrogates, <= U+10FFFF)
// and advances `i`. An invalid byte yields U+FFFD and consumes that one byte, so the
// result depends only on the input bytes.
char32_t DecodeNext(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t length = 0;
  uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;  // U+D800..U+DFFF are surrogates, not characters
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + length > s.size()) {
    ++i;
    return kReplacement;
  }
  for (size_t k = 1; k < length; ++k) {
    const uint8_t b = byte(i + k);
    const uint8_t lo = k == 1 ? low : uint8_t{0x80};
    const uint8_t hi = k == 1 ? high : uint8_t{0xBF};
    if (b < lo || b > hi) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  i += length;
  return cp;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// True when s[i..] is "_xHHHH_", the form Excel decodes inside strings.
bool IsEscapeAt(std::string_view s, size_t i) {
  if (i + 7 > s.size() || s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_') return false;
  for (size_t k = 2; k < 6; ++k)
    if (!IsHex(s[i + k])) return false;
  return true;
}

std::string Escape(char32_t cp) {
  static constexpr std::array<char, 16> kDigits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                   '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string e = "_x0000_";
  for (size_t k = 0; k < 4; ++k) e[5 - k] = kDigits[(cp >> (4 * k)) & 0xF];
  return e;
}

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = AsciiUpper(c);
  return u;
}

}  // namespace

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string CellText(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(text.size() < max_chars ? text.size() : max_chars);
  size_t used = 0;  // UTF-16 units of `out`, escapes counted at their full length
  size_t i = 0;
  while (i < text.size()) {
    const size_t at = i;
    char32_t cp = DecodeNext(text, i);
    std::string piece;
    size_t cost = 1;
    if (cp == '\r') {
      if (i < text.size() && text[i] == '\n') ++i;
      piece = "\n";
    } else if ((cp < 0x20 && cp != '\t' && cp != '\n')) {
      piece = Escape(cp);
      cost = piece.size();
    } else if (cp == '_' && IsEscapeAt(text, at)) {
      piece = Escape('_');  // keeps a literal "_x0041_" from being decoded to "A"
      cost = piece.size();
    } else {
      if (cp == 0xFFFE || cp == 0xFFFF) cp = kReplacement;  // not XML characters
      AppendUtf8(piece, cp);
      cost = cp > 0xFFFF ? 2 : 1;
    }
    if (used + cost > max_chars) break;
    out += piece;
    used += cost;
  }
  return out;
}

size_t DisplayWidth(std::string_view cell_text) {
  size_t width = 0;
  size_t i = 0;
  while (i < cell_text.size()) {
    if (IsEscapeAt(cell_text, i)) {
      i += 7;
    } else {
      DecodeNext(cell_text, i);
    }
    ++width;
  }
  return width;
}

std::string UniqueSheetName(std::string_view prefix, std::string_view id,
                            std::set<std::string>& used) {
  std::string clean;
  for (size_t i = 0; i < id.size();) {
    // One '_' per character (not per byte) for anything outside printable ASCII.
    const char32_t c = DecodeNext(id, i);
    const bool printable = c >= 0x20 && c <= 0x7E;
    const bool forbidden = c == '[' || c == ']' || c == ':' || c == '*' || c == '?' ||
                           c == '/' || c == '\\' || c == '\'';
    clean += (printable && !forbidden) ? static_cast<char>(c) : '_';
  }
  if (clean.empty()) clean = "_";
  const auto compose = [&](std::string_view suffix) {
    const size_t room = kMaxSheetNameChars - prefix.size() - suffix.size();
    return std::string(prefix) + clean.substr(0, room) + std::string(suffix);
  };
  std::string name = compose("");
  // "History" is reserved by Excel; treat it as taken.
  for (int n = 2; used.count(Upper(name)) || Upper(name) == "HISTORY"; ++n)
    name = compose(" (" + std::to_string(n) + ")");
  used.insert(Upper(name));
  return name;
}

}  // namespace coderaudit::reports
