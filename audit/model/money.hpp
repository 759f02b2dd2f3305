#pragma once
// The one way money is printed by every command: dollars with cents, thousands separated,
// a minus before the dollar sign ("$5,995.20", "-$9.00"). The workbooks show the same
// shape with the number format reports/xlsx/page_layout.hpp kMoneyFormat.
#include <cstdint>
#include <string>

namespace coderaudit {

std::string FormatDollars(int64_t cents);
// Rounded to the nearest cent (half away from zero).
std::string FormatDollars(double dollars);

}  // namespace coderaudit
