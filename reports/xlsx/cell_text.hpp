#pragma once
// Text that is safe to put in a workbook. Report strings come from users (coder ids,
// messages, paths) and may hold anything; Excel and its XML have hard rules. These
// helpers are pure C++ (no xlsxwriter) so tests can check them directly.
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace coderaudit::reports {

// Excel's limit on the characters of one cell (counted in UTF-16 units).
inline constexpr size_t kMaxCellChars = 32767;
// Excel's limit on a worksheet name.
inline constexpr size_t kMaxSheetNameChars = 31;

// Makes `text` valid cell content, capped at `max_chars`:
// - invalid UTF-8 bytes, surrogates, U+FFFE/U+FFFF become U+FFFD;
// - control characters other than tab and newline (which XML 1.0 cannot carry) and
//   literal "_xHHHH_" sequences (which Excel would decode) are written as Excel's
//   _xHHHH_ escapes, so the text reads back unchanged; CR LF and lone CR become LF;
// - the cap counts UTF-16 units of the escaped text (what both Excel and
//   libxlsxwriter's length check count, whichever is stricter) and never splits a
//   character or an escape.
std::string CellText(std::string_view text, size_t max_chars = kMaxCellChars);

// Appends code point `cp` (at most U+10FFFF) to `out` as UTF-8. Shared by CellText and
// by the rebuttal reader, which decodes the _xHHHH_ escapes CellText writes.
void AppendUtf8(std::string& out, char32_t cp);

// Number of characters Excel shows for a CellText result (escapes count as one).
size_t DisplayWidth(std::string_view cell_text);

// A unique worksheet name "<prefix><id>": printable ASCII only (other characters and
// []:*?/\' become '_'; an empty id becomes "_"), at most 31 characters, unique against
// `used` compared case-insensitively as Excel does (a " (2)", " (3)"... suffix is added,
// trimming the id to fit). The chosen name is inserted into `used` in upper case.
std::string UniqueSheetName(std::string_view prefix, std::string_view id,
                            std::set<std::string>& used);

}  // namespace coderaudit::reports
