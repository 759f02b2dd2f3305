#include <catch2/catch.hpp>
#include <limits>

#include "audit/model/money.hpp"
#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/hash.hpp"

using namespace coderaudit;

TEST_CASE("Codes are normalised to upper case without dots", "[model]") {
  auto c = Code::Parse("e11.65");
  REQUIRE(c);
  CHECK(c->View() == "E1165");
  CHECK(c->Category() == "E11");
  CHECK(c->DottedIcd10Cm() == "E11.65");
  CHECK_FALSE(Code::Parse(""));
  CHECK_FALSE(Code::Parse("E11-9"));
  CHECK_FALSE(Code::Parse("ABCDEFGH"));  // 8 characters
  CHECK(Code::Parse("0SRD0J9")->Size() == 7);
}

TEST_CASE("Dates parse only as real ISO calendar days", "[model]") {
  CHECK(ParseIsoDate("2024-02-29"));
  CHECK_FALSE(ParseIsoDate("2023-02-29"));
  CHECK_FALSE(ParseIsoDate("2024-13-01"));
  CHECK_FALSE(ParseIsoDate("2024-1-01"));
  CHECK_FALSE(ParseIsoDate("20240101"));
  CHECK(ToIso(*ParseIsoDate("1999-12-31")) == "1999-12-31");
  CHECK(ParseIsoDate("1970-01-01")->days == 0);
  CHECK(ParseIsoDate("2000-03-01")->days - ParseIsoDate("2000-02-28")->days == 2);
}

TEST_CASE("Age is completed years on the admission date", "[model]") {
  const Date birth = *ParseIsoDate("1960-06-15");
  CHECK(AgeInYears(birth, *ParseIsoDate("2024-06-14")) == 63);
  CHECK(AgeInYears(birth, *ParseIsoDate("2024-06-15")) == 64);
  CHECK(AgeInYears(*ParseIsoDate("2024-03-01"), *ParseIsoDate("2024-03-01")) == 0);
}

TEST_CASE("Modifiers parse up to four and compare as sets", "[model]") {
  auto m = Modifiers::Parse("25;59");
  REQUIRE(m);
  CHECK(m->Has("59"));
  CHECK(m->Str() == "25;59");
  CHECK(m->SameSet(*Modifiers::Parse("59,25")));
  CHECK_FALSE(m->SameSet(*Modifiers::Parse("25")));
  CHECK_FALSE(Modifiers::Parse("25;59;RT;LT;XS"));
  CHECK_FALSE(Modifiers::Parse("5"));
  CHECK(Modifiers::Parse("")->Size() == 0);
}

TEST_CASE("SHA-256 matches the FIPS 180-2 test vector", "[model]") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Money prints one way: dollar sign, thousands separated, cents, minus first",
          "[model][money]") {
  CHECK(coderaudit::FormatDollars(int64_t{599520}) == "$5,995.20");
  CHECK(coderaudit::FormatDollars(int64_t{-900}) == "-$9.00");
  CHECK(coderaudit::FormatDollars(int64_t{5}) == "$0.05");
  CHECK(coderaudit::FormatDollars(int64_t{123456789012}) == "$1,234,567,890.12");
  CHECK(coderaudit::FormatDollars(int64_t{100000}) == "$1,000.00");
  CHECK(coderaudit::FormatDollars(27889.4861) == "$27,889.49");  // nearest cent
  CHECK(coderaudit::FormatDollars(-0.004) == "$0.00");
  CHECK(coderaudit::FormatDollars(std::numeric_limits<int64_t>::min()) ==
        "-$92,233,720,368,547,758.08");
}
