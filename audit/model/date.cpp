#include "audit/model/date.hpp"

#include <cstdio>

namespace coderaudit {

Date DateFromCivil(int year, unsigned month, unsigned day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{era * 146097 + static_cast<int32_t>(doe) - 719468};
}

void CivilFromDate(Date d, int& year, unsigned& month, unsigned& day) {
  const int z = d.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

static bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<Date> ParseIsoDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto digits = [&](size_t pos, size_t n, int& out) {
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  if (y < 1800 || y > 2299 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int max_day = kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
  if (d > max_day) return std::nullopt;
  return DateFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string ToIso(Date d) {
  int y;
  unsigned m, day;
  CivilFromDate(d, y, m, day);
  if (y < 0 || y > 9999) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, day);
    return buf;
  }
  // Written digit by digit: the store formats a date per stored line.
  const auto yy = static_cast<unsigned>(y);
  const char text[10] = {static_cast<char>('0' + yy / 1000), static_cast<char>('0' + yy / 100 % 10),
                         static_cast<char>('0' + yy / 10 % 10), static_cast<char>('0' + yy % 10),
                         '-', static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10),
                         '-', static_cast<char>('0' + day / 10), static_cast<char>('0' + day % 10)};
  return std::string(text, sizeof text);
}

int AgeInYears(Date birth, Date on) {
  int by, oy;
  unsigned bm, bd, om, od;
  CivilFromDate(birth, by, bm, bd);
  CivilFromDate(on, oy, om, od);
  int age = oy - by;
  if (om < bm || (om == bm && od < bd)) --age;
  return age;
}

}  // namespace coderaudit
