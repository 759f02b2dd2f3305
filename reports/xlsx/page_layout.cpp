#include "reports/xlsx/page_layout.hpp"

#include "audit/model/error.hpp"

namespace coderaudit::reports {

std::string HeaderFooterText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += '&';
    out += c;
  }
  return out;
}

void SetPageLayout(lxw_worksheet* sheet, const PageTitles& titles, lxw_row_t first_repeat,
                   lxw_row_t last_repeat) {
  worksheet_set_landscape(sheet);
  worksheet_set_paper(sheet, 1);  // US Letter: the paper of the CMS audits these serve
  worksheet_fit_to_pages(sheet, 1, 0);
  worksheet_set_margins(sheet, 0.4, 0.4, 0.6, 0.6);
  if (last_repeat >= first_repeat) worksheet_repeat_rows(sheet, first_repeat, last_repeat);
  // &A is the sheet's name, &P / &N the page and the page count. Excel caps each at 255
  // characters; the parts here are short and fixed by the writers.
  const std::string header =
      "&L&\"-,Bold\"" + HeaderFooterText(titles.report) + "&R&A";
  const std::string footer = "&L" + HeaderFooterText(titles.run) + "&C" +
                             HeaderFooterText(titles.date) + "&RPage &P of &N";
  if (header.size() > 255 || footer.size() > 255)
    throw SystemError("internal error: page header or footer longer than 255 characters");
  worksheet_set_header(sheet, header.c_str());
  worksheet_set_footer(sheet, footer.c_str());
}

}  // namespace coderaudit::reports
