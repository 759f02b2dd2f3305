#pragma once
// A fixed workbook creation time taken from the stored run, so identical input gives
// identical bytes. (Workbooks are written through io::OutputFile: complete or not at all.)
#include <ctime>
#include <string>
#include <string_view>

namespace coderaudit::reports {

// "YYYY-MM-DDTHH:MM:SS[.fff][Z|+00:00]" (or with a space) as UTC seconds; 0 if malformed.
time_t ParseUtc(std::string_view text);

}  // namespace coderaudit::reports
