#include "audit/model/money.hpp"

#include <cmath>

namespace coderaudit {

std::string FormatDollars(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t v = negative ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  std::string whole = std::to_string(v / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3)
    whole.insert(static_cast<size_t>(i), ",");
  const uint64_t frac = v % 100;
  return std::string(negative ? "-$" : "$") + whole + "." + (frac < 10 ? "0" : "") +
         std::to_string(frac);
}

std::string FormatDollars(double dollars) {
  return FormatDollars(static_cast<int64_t>(std::llround(dollars * 100.0)));
}

}  // namespace coderaudit
