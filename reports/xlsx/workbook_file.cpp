#include "reports/xlsx/workbook_file.hpp"

#include "audit/model/date.hpp"

namespace coderaudit::reports {

time_t ParseUtc(std::string_view s) {
  const bool shape = s.size() >= 19 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
                     s[16] == ':';
  if (!shape) return 0;
  const auto date = ParseIsoDate(s.substr(0, 10));
  int hms[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    const char a = s[static_cast<size_t>(11 + 3 * k)], b = s[static_cast<size_t>(12 + 3 * k)];
    if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
    hms[k] = (a - '0') * 10 + (b - '0');
  }
  std::string_view rest = s.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
    if (k == 1) return 0;
    rest.remove_prefix(k);
  }
  if (!date || hms[0] > 23 || hms[1] > 59 || hms[2] > 59 ||
      !(rest.empty() || rest == "Z" || rest == "+00:00" || rest == "+0000"))
    return 0;
  return static_cast<time_t>(int64_t{date->days} * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]);
}

}  // namespace coderaudit::reports
