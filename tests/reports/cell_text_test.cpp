#include "reports/xlsx/cell_text.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using coderaudit::reports::CellText;
using coderaudit::reports::DisplayWidth;
using coderaudit::reports::kMaxCellChars;
using coderaudit::reports::UniqueSheetName;

TEST_CASE("Cell text keeps ordinary text, tabs and newlines as they are", "[reports]") {
  CHECK(CellText("E11.9 principal") == "E11.9 principal");
  CHECK(CellText("a\tb\nc") == "a\tb\nc");
  CHECK(CellText("caf\xC3\xA9 \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(CellText("=1+1") == "=1+1");  // text stays text: formulas are never written
}

TEST_CASE("Cell text turns carriage returns into newlines", "[reports]") {
  CHECK(CellText("a\r\nb\rc") == "a\nb\nc");
}

TEST_CASE("Cell text escapes control characters and literal escapes the Excel way",
          "[reports]") {
  CHECK(CellText(std::string("a\x01z", 3)) == "a_x0001_z");
  CHECK(CellText(std::string("nul\0end", 7)) == "nul_x0000_end");
  CHECK(CellText("_x0041_") == "_x005F_x0041_");
  CHECK(CellText("_x004_ and _xZZZZ_") == "_x004_ and _xZZZZ_");
}

TEST_CASE("Cell text replaces invalid UTF-8 with U+FFFD", "[reports]") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(CellText("a\xFF" "b") == "a" + r + "b");
  CHECK(CellText("\xC3\x28") == r + "(");
  CHECK(CellText("\xED\xA0\x80") == r + r + r);   // an encoded surrogate
  CHECK(CellText("\xC0\xAF") == r + r);           // overlong '/'
  CHECK(CellText("\xE2\x82") == r + r);           // truncated sequence
  CHECK(CellText("\xEF\xBF\xBF") == r);           // U+FFFF is not an XML character
}

TEST_CASE("Cell text is capped at Excel's 32767 characters without splitting any",
          "[reports]") {
  CHECK(CellText(std::string(40000, 'x')).size() == kMaxCellChars);
  CHECK(CellText(std::string(kMaxCellChars, 'x')).size() == kMaxCellChars);
  // Astral characters count as two UTF-16 units, and are never cut in half.
  std::string emoji;
  for (int i = 0; i < 20000; ++i) emoji += "\xF0\x9F\x98\x80";
  CHECK(CellText(emoji).size() == 16383 * 4);
  // Escapes are kept whole.
  CHECK(CellText("ab\x01", 8) == "ab");
  CHECK(CellText("ab\x01", 9) == "ab_x0001_");
  CHECK(CellText("\xC3\xA9\xC3\xA9", 1) == "\xC3\xA9");
}

TEST_CASE("Display width counts an escape as one character", "[reports]") {
  CHECK(DisplayWidth("abc") == 3);
  CHECK(DisplayWidth("a_x0001_b") == 3);
  CHECK(DisplayWidth("caf\xC3\xA9") == 4);
}

TEST_CASE("Sheet names drop forbidden characters and fit in 31 characters", "[reports]") {
  std::set<std::string> used;
  CHECK(UniqueSheetName("Coder ", "C001", used) == "Coder C001");
  CHECK(UniqueSheetName("Coder ", "[a]:b*c?d/e\\f'g", used) == "Coder _a__b_c_d_e_f_g");
  const std::string long_name = UniqueSheetName("Coder ", std::string(50, 'z'), used);
  CHECK(long_name == "Coder " + std::string(25, 'z'));
  CHECK(UniqueSheetName("Coder ", "", used) == "Coder _");
  CHECK(UniqueSheetName("Coder ", "caf\xC3\xA9", used) == "Coder caf_");
}

TEST_CASE("Sheet names are unique ignoring case, as Excel compares them", "[reports]") {
  std::set<std::string> used;
  UniqueSheetName("", "Summary", used);
  CHECK(UniqueSheetName("", "SUMMARY", used) == "SUMMARY (2)");
  CHECK(UniqueSheetName("Coder ", "C001", used) == "Coder C001");
  CHECK(UniqueSheetName("Coder ", "c001", used) == "Coder c001 (2)");
  CHECK(UniqueSheetName("Coder ", "C001", used) == "Coder C001 (3)");
  // A long id keeps its suffix inside the 31 characters.
  const std::string a = UniqueSheetName("Coder ", std::string(40, 'q'), used);
  const std::string b = UniqueSheetName("Coder ", std::string(40, 'q'), used);
  CHECK(a.size() == 31);
  CHECK(b == "Coder " + std::string(21, 'q') + " (2)");
  CHECK(UniqueSheetName("", "history", used) == "history (2)");
}
