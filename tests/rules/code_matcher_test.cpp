// Code lists: exact codes (dots optional), prefixes, ranges and their index categories.
#include "rules/code_matcher.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

namespace cr = coderaudit::rules;
using coderaudit::Code;

namespace {

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("Exact codes match with or without the dot", "[rules][codes]") {
  cr::CodeMatcher matcher;
  matcher.AddCode(Code::Of("E11.9"));
  matcher.AddCode(Code::Of("29877"));
  CHECK(matcher.Contains(Code::Of("E119")));
  CHECK(matcher.Contains(Code::Of("e11.9")));
  CHECK(matcher.Contains(Code::Of("29877")));
  CHECK_FALSE(matcher.Contains(Code::Of("E11.8")));
  CHECK_FALSE(matcher.Contains(Code::Of("E11.91")));  // exact, not a prefix
  CHECK(matcher.Categories() == std::vector<std::string>{"298", "E11"});
}

TEST_CASE("A prefix matches every code that starts with it", "[rules][codes]") {
  cr::CodeMatcher matcher;
  matcher.AddPrefix("Z3A");
  CHECK(matcher.Contains(Code::Of("Z3A.39")));
  CHECK(matcher.Contains(Code::Of("Z3A")));
  CHECK_FALSE(matcher.Contains(Code::Of("Z37.0")));
  CHECK(matcher.Categories() == std::vector<std::string>{"Z3A"});
}

TEST_CASE("A short prefix is expanded to every category it reaches", "[rules][codes]") {
  cr::CodeMatcher matcher;
  matcher.AddPrefix("Z");
  const auto categories = matcher.Categories();
  CHECK(categories.size() == 1 + 36 + 36 * 36);  // Z, Z?, Z??
  CHECK(Has(categories, "Z00"));
  CHECK(Has(categories, "ZZZ"));
  CHECK_FALSE(Has(categories, "Y99"));
}

TEST_CASE("Range O00-O9A holds the whole pregnancy chapter and nothing after it",
          "[rules][codes]") {
  cr::CodeMatcher matcher;
  matcher.AddRange("O00", "O9A");
  CHECK(matcher.Contains(Code::Of("O00")));
  CHECK(matcher.Contains(Code::Of("O00.0")));
  CHECK(matcher.Contains(Code::Of("O80")));
  CHECK(matcher.Contains(Code::Of("O99.89")));  // O99 sorts before O9A
  CHECK(matcher.Contains(Code::Of("O9A.1")));   // upper bound, any extension
  CHECK(matcher.Contains(Code::Of("O9A.119")));
  CHECK_FALSE(matcher.Contains(Code::Of("P00")));
  CHECK_FALSE(matcher.Contains(Code::Of("P00.0")));
  CHECK_FALSE(matcher.Contains(Code::Of("O9B")));
  CHECK_FALSE(matcher.Contains(Code::Of("N99.89")));
  CHECK_FALSE(matcher.Contains(Code::Of("O9")));  // shorter than the bounds

  const auto categories = matcher.Categories();
  CHECK(categories.size() == 9 * 36 + 11);  // O00..O8Z, then O90..O9A
  CHECK(categories.front() == "O00");
  CHECK(categories.back() == "O9A");
  CHECK(Has(categories, "O99"));
  CHECK_FALSE(Has(categories, "P00"));
}

TEST_CASE("A CPT range compares the whole code", "[rules][codes]") {
  cr::CodeMatcher matcher;
  matcher.AddRange("99211", "99215");
  CHECK(matcher.Contains(Code::Of("99211")));
  CHECK(matcher.Contains(Code::Of("99213")));
  CHECK(matcher.Contains(Code::Of("99215")));
  CHECK_FALSE(matcher.Contains(Code::Of("99205")));
  CHECK_FALSE(matcher.Contains(Code::Of("99216")));
  CHECK(matcher.Categories() == std::vector<std::string>{"992"});
}

TEST_CASE("A CPT range holds the codes of its own section: digits, or its bounds' letter",
          "[rules][codes]") {
  cr::CodeMatcher surgery;
  surgery.AddRange("10004", "35999");
  CHECK(surgery.Contains(Code::Of("20610")));
  // Category II (F), Category III (T), PLA (U) and vaccine (A) codes sort among the
  // Category I numbers but are other sections.
  for (const char* other : {"3008F", "1000F", "0503T", "2000T", "1234U", "2000A"})
    CHECK_FALSE(surgery.Contains(Code::Of(other)));
  cr::CodeMatcher category3;
  category3.AddRange("0001T", "0999T");
  CHECK(category3.Contains(Code::Of("0503T")));
  CHECK_FALSE(category3.Contains(Code::Of("0503U")));
  CHECK_FALSE(category3.Contains(Code::Of("05030")));
  // Level II and ICD-10 ranges are unchanged.
  cr::CodeMatcher drugs;
  drugs.AddRange("J0120", "J9999");
  CHECK(drugs.Contains(Code::Of("J1885")));
}

TEST_CASE("A one-character range reaches short codes and every category in it", "[rules][codes]") {
  cr::CodeMatcher matcher;
  matcher.AddRange("V", "Y");  // external causes
  CHECK(matcher.Contains(Code::Of("V00.01X")));
  CHECK(matcher.Contains(Code::Of("W19")));
  CHECK(matcher.Contains(Code::Of("Y99.8")));
  CHECK_FALSE(matcher.Contains(Code::Of("U07.1")));
  CHECK_FALSE(matcher.Contains(Code::Of("Z00.00")));
  const auto categories = matcher.Categories();
  CHECK(categories.size() == 4 * (1 + 36 + 36 * 36));
  CHECK(Has(categories, "V"));
  CHECK(Has(categories, "W19"));
  CHECK_FALSE(Has(categories, "Z00"));
}

TEST_CASE("Integer membership agrees with the text definition on random codes", "[rules][matcher]") {
  // Text definition: exact code, starts_with(prefix), or the first len(from) characters
  // between from and to in character order.
  std::mt19937_64 rng(11);
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  auto random_text = [&](size_t min_len, size_t max_len) {
    std::string s(min_len + rng() % (max_len - min_len + 1), '0');
    for (auto& c : s) c = alphabet[rng() % 8 == 0 ? rng() % alphabet.size() : rng() % 4 + 10];
    return s;
  };
  for (int round = 0; round < 50; ++round) {
    cr::CodeMatcher m;
    std::vector<std::string> codes, prefixes;
    std::vector<std::pair<std::string, std::string>> ranges;
    for (int i = 0; i < 5; ++i) {
      codes.push_back(random_text(1, 7));
      m.AddCode(Code::Of(codes.back()));
      prefixes.push_back(random_text(1, 4));
      m.AddPrefix(prefixes.back());
      std::string from = random_text(1, 4), to = random_text(from.size(), from.size());
      if (to < from) std::swap(from, to);
      ranges.emplace_back(from, to);
      m.AddRange(from, to);
    }
    for (int probe = 0; probe < 2000; ++probe) {
      const std::string text = random_text(1, 7);
      bool expected = std::find(codes.begin(), codes.end(), text) != codes.end();
      for (const auto& p : prefixes) expected = expected || text.starts_with(p);
      for (const auto& [from, to] : ranges)
        expected = expected || (text.size() >= from.size() && text.substr(0, from.size()) >= from &&
                                text.substr(0, from.size()) <= to);
      INFO(text);
      REQUIRE(m.Contains(Code::Of(text)) == expected);
    }
  }
}
