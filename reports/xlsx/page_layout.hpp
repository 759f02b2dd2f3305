#pragma once
// What every workbook this project writes shares on paper and on screen: one money
// format, and a print layout (landscape US Letter, every column on the page width, the
// header row repeated on each page, a page header naming the report and sheet and a
// footer naming the run and its date with "page N of M"). Only reports/xlsx/ includes it.
#include <xlsxwriter.h>

#include <string>
#include <string_view>

namespace coderaudit::reports {

// Dollars with cents, thousands separated, negatives red with a minus: the one money
// format of every workbook (the CLI prints the same shape: audit/model/money.hpp).
inline constexpr const char* kMoneyFormat = "$#,##0.00;[Red]-$#,##0.00";

// The words printed at the top and bottom of every page of one workbook.
struct PageTitles {
  std::string report;  // "Coder accuracy", "Overpayment extrapolation"
  std::string run;     // "score run 2", "sample 1 of check run 1"
  std::string date;    // the run's date (ISO 8601), so a printout says when it was made
};

// Landscape Letter, fit to one page wide (as many pages tall as it takes), narrow
// margins, header and footer from `titles`; rows first_repeat..last_repeat (the header
// row of a table) are printed again at the top of every page. last_repeat < first_repeat:
// nothing repeats (key/value sheets).
void SetPageLayout(lxw_worksheet* sheet, const PageTitles& titles, lxw_row_t first_repeat,
                   lxw_row_t last_repeat);

// `text` with every '&' doubled: header/footer text is a little language where '&' starts
// a code.
std::string HeaderFooterText(std::string_view text);

}  // namespace coderaudit::reports
