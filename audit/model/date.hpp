#pragma once
// Calendar dates as days since 1970-01-01 (proleptic Gregorian): trivially comparable,
// 4 bytes, no time zones. Only ISO 8601 YYYY-MM-DD is accepted on input.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coderaudit {

struct Date {
  int32_t days = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// Days since epoch for a valid civil date (Howard Hinnant's algorithm).
Date DateFromCivil(int year, unsigned month, unsigned day);
void CivilFromDate(Date d, int& year, unsigned& month, unsigned& day);
// Strict YYYY-MM-DD, year 1800..2299, real calendar day; nullopt otherwise.
std::optional<Date> ParseIsoDate(std::string_view text);
std::string ToIso(Date d);
// Completed years of age on `on` (birthdays on Feb 29 roll to Mar 1 in common years).
int AgeInYears(Date birth, Date on);

}  // namespace coderaudit
