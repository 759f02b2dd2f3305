#pragma once
// Periods of reference tables: fiscal years (Oct 1 - Sep 30) for ICD-10 and MCE,
// calendar quarters for NCCI, and the defaults `refdata import` infers from the names
// CMS and CDC give their files ("..._2024q3...", "..._fy2026...", "mce_v41_1_...").
#include <optional>
#include <string>
#include <string_view>

#include "audit/model/date.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::refdata {

struct Period {
  Date from;
  std::optional<Date> to;
};

// Federal fiscal year `fy` runs from Oct 1 of fy-1 to Sep 30 of fy.
Period FiscalYear(int fy);
// The fiscal year a date falls in (2025-10-01 -> 2026).
int FiscalYearOf(Date d);
Period CalendarQuarter(int year, int quarter);
Period CalendarYear(int year);

struct PeriodGuess {
  std::string version;  // "2024Q3", "FY2026", "v41.1", "2024"
  Period period;
};

// What the file name says, for the kind being imported; nullopt when it says nothing.
// Only the base name is looked at. A bare year means a fiscal year for ICD-10/MCE/POA
// kinds and a calendar year otherwise. MCE versions ("v37", "v41_1") name the version;
// the period still comes from the fiscal year in the name.
std::optional<PeriodGuess> InferPeriod(TableKind kind, std::string_view file_name);

// What a CMS MCE release (kind mce-release: the MCE jar, or the mce.bin inside it) says
// about itself: version "v43.1" from its version number 431, the period from the first
// date of its ICD-10 code rows to its termination date. Throws InputError when the file
// is not one. The release's own dates decide, not its file name.
PeriodGuess MceReleasePeriod(const std::string& source_path);

// Dates in table files: YYYYMMDD (NCCI) or YYYY-MM-DD (HCPCS CSV).
std::optional<Date> ParseTableDate(std::string_view text);

}  // namespace coderaudit::refdata
