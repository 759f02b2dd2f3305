#include "audit/refdata/period.hpp"

#include <cctype>
#include <vector>

namespace coderaudit::refdata {

Period FiscalYear(int fy) { return {DateFromCivil(fy - 1, 10, 1), DateFromCivil(fy, 9, 30)}; }

int FiscalYearOf(Date d) {
  int y;
  unsigned m, day;
  CivilFromDate(d, y, m, day);
  return m >= 10 ? y + 1 : y;
}

Period CalendarQuarter(int year, int quarter) {
  const unsigned first = static_cast<unsigned>((quarter - 1) * 3 + 1);
  const Date from = DateFromCivil(year, first, 1);
  const Date next =
      quarter == 4 ? DateFromCivil(year + 1, 1, 1) : DateFromCivil(year, first + 3, 1);
  return {from, Date{next.days - 1}};
}

Period CalendarYear(int year) { return {DateFromCivil(year, 1, 1), DateFromCivil(year, 12, 31)}; }

namespace {

bool FiscalKind(TableKind k) {
  switch (k) {
    case TableKind::kIcd10CmOrder:
    case TableKind::kIcd10PcsOrder:
    case TableKind::kMce:
    case TableKind::kPoaExempt:
    case TableKind::kIcd10CmTabular: return true;
    default: return false;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Splits "ncci_ptp_practitioner_2024q3.tsv.gz" into alphanumeric words, lower case:
// {"ncci","ptp","practitioner","2024q3","tsv","gz"}.
std::vector<std::string> Words(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!cur.empty()) {
      words.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

std::optional<int> Year(std::string_view digits) {
  if (digits.size() != 4) return std::nullopt;
  int y = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return std::nullopt;
    y = y * 10 + (c - '0');
  }
  if (y < 1990 || y > 2199) return std::nullopt;
  return y;
}

}  // namespace

std::optional<PeriodGuess> InferPeriod(TableKind kind, std::string_view file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const std::vector<std::string> words = Words(file_name);

  std::optional<PeriodGuess> guess;
  std::string mce_version;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.size() == 6 && w[4] == 'q' && w[5] >= '1' && w[5] <= '4') {  // 2024q3
      if (auto y = Year(std::string_view(w).substr(0, 4)); y && !guess) {
        const int q = w[5] - '0';
        guess = PeriodGuess{std::to_string(*y) + "Q" + std::to_string(q), CalendarQuarter(*y, q)};
      }
    } else if (w.size() == 6 && w.starts_with("fy")) {  // fy2026
      if (auto y = Year(std::string_view(w).substr(2)); y && !guess)
        guess = PeriodGuess{"FY" + std::to_string(*y), FiscalYear(*y)};
    } else if (w.size() >= 2 && w[0] == 'v' && IsDigit(w[1]) && mce_version.empty()) {
      // "v37" or "v41" followed by "1" (from "v41_1") -> "v41.1"
      bool digits = true;
      for (size_t k = 1; k < w.size(); ++k) digits = digits && IsDigit(w[k]);
      if (digits) {
        mce_version = w;
        if (i + 1 < words.size() && words[i + 1].size() <= 2 && IsDigit(words[i + 1][0]) &&
            (words[i + 1].size() == 1 || IsDigit(words[i + 1][1])))
          mce_version += "." + words[i + 1];
      }
    }
  }
  if (!guess) {
    for (const std::string& w : words) {
      if (auto y = Year(w)) {
        guess = FiscalKind(kind) ? PeriodGuess{"FY" + std::to_string(*y), FiscalYear(*y)}
                                 : PeriodGuess{std::to_string(*y), CalendarYear(*y)};
        break;
      }
    }
  }
  if (guess && kind == TableKind::kMce && !mce_version.empty()) guess->version = mce_version;
  return guess;
}

std::optional<Date> ParseTableDate(std::string_view t) {
  if (t.size() == 8) {
    for (char c : t)
      if (!IsDigit(c)) return std::nullopt;
    const std::string iso = std::string(t.substr(0, 4)) + "-" + std::string(t.substr(4, 2)) + "-" +
                            std::string(t.substr(6, 2));
    return ParseIsoDate(iso);
  }
  return ParseIsoDate(t);
}

}  // namespace coderaudit::refdata
