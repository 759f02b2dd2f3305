#include "reports/xlsx/accuracy_workbook.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/error.hpp"
#include "reports/xlsx/cell_text.hpp"
#include "reports/xlsx/page_layout.hpp"
#include "audit/io/output_file.hpp"
#include "reports/xlsx/workbook_file.hpp"

#if LXW_VERSION_ID < 114
#error "libxlsxwriter >= 1.1.4 is required (conditional formats, data bars, constant_memory)"
#endif

namespace coderaudit::reports {
namespace {

constexpr lxw_col_t kMaxColumns = 16384;  // Excel's limits
constexpr uint32_t kExcelMaxRows = 1048576;
constexpr size_t kMaxColumnWidth = 60;     // characters; wider text is still all there
constexpr int kMaxLinksPerSheet = 65530;   // Excel's hyperlink limit per worksheet

[[noreturn]] void Fail(const std::string& what) {
  throw SystemError("cannot write accuracy workbook: " + what);
}

void Check(lxw_error err, std::string_view what) {
  if (err != LXW_NO_ERROR)
    Fail(std::string(what) + ": " + lxw_strerror(err) + " (libxlsxwriter error " +
         std::to_string(static_cast<int>(err)) + ")");
}

// Time and the temp file beside the target: reports/xlsx/workbook_file.hpp.

// Owns the workbook until workbook_close takes it (close frees it, success or not).
struct WorkbookDeleter {
  void operator()(lxw_workbook* wb) const { lxw_workbook_free(wb); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookDeleter>;

// ---------------------------------------------------------------------------------------

struct Formats {
  lxw_format* header = nullptr;
  lxw_format* percent = nullptr;
  lxw_format* total = nullptr;
  lxw_format* total_percent = nullptr;
  lxw_format* error_row = nullptr;
  lxw_format* pass = nullptr;  // conditional-format styles
  lxw_format* fail = nullptr;
  lxw_format* section = nullptr;
  lxw_format* money = nullptr;
  lxw_format* total_money = nullptr;
  lxw_format* decimal = nullptr;
  lxw_format* total_decimal = nullptr;
  lxw_format* uncounted_row = nullptr;  // a difference the policy does not count
  lxw_format* wrap = nullptr;
  // Line numbers centred, so "2" never reads as part of the code beside it.
  lxw_format* line = nullptr;
  lxw_format* error_line = nullptr;
  lxw_format* uncounted_line = nullptr;
  // Cells a coder or reviewer fills in: pale yellow, the header of those columns darker.
  lxw_format* fill_in = nullptr;
  lxw_format* fill_in_header = nullptr;
  lxw_format* title = nullptr;  // the feedback block's first line
  lxw_format* pass_block = nullptr;  // the feedback block's result, as plain formats
  lxw_format* fail_block = nullptr;
  lxw_format* result = nullptr;  // Result cells centred (their colour is conditional)
  // Amounts on a highlighted row keep its colour, and a little space before the text
  // after them.
  lxw_format* error_money = nullptr;
  lxw_format* uncounted_money = nullptr;
  // Printed on every page (not a format, but fixed per workbook like the formats).
  PageTitles page;
};

// Number formats shared by body cells and their Total-row twins.
constexpr const char* kPercentFormat = "0.0%";
constexpr const char* kDecimalFormat = "0.##";

Formats MakeFormats(lxw_workbook* wb) {
  // The order of the adds fixes each format's index in styles.xml: keep it, or the bytes
  // of every workbook change.
  const auto add = [wb] {
    lxw_format* f = workbook_add_format(wb);
    if (!f) Fail("out of memory adding a format");
    return f;
  };
  const auto numeric = [&](const char* num_format) {
    lxw_format* f = add();
    format_set_num_format(f, num_format);
    return f;
  };
  // A Total-row cell: bold under a thin rule, in the number format of the column if any.
  const auto total = [&](const char* num_format) {
    lxw_format* f = add();
    format_set_bold(f);
    format_set_top(f, LXW_BORDER_THIN);
    if (num_format) format_set_num_format(f, num_format);
    return f;
  };
  // Excel's "bad" / "good" / "neutral" cell styles: a light fill under a dark font.
  const auto highlight = [&](lxw_color_t fill, lxw_color_t font) {
    lxw_format* f = add();
    format_set_bg_color(f, fill);
    format_set_font_color(f, font);
    return f;
  };
  Formats f;
  f.header = add();
  format_set_bold(f.header);
  format_set_bg_color(f.header, 0xD9E1F2);
  format_set_bottom(f.header, LXW_BORDER_THIN);
  // Headers wrap (on a two-line header row), so a column is as wide as its figures, not
  // its title: the printed page keeps a readable type size.
  format_set_text_wrap(f.header);
  format_set_align(f.header, LXW_ALIGN_VERTICAL_TOP);
  f.percent = numeric(kPercentFormat);
  f.total = total(nullptr);
  f.total_percent = total(kPercentFormat);
  f.error_row = highlight(0xFFC7CE, 0x9C0006);
  f.pass = highlight(0xC6EFCE, 0x006100);
  f.fail = highlight(0xFFC7CE, 0x9C0006);
  f.section = add();
  format_set_bold(f.section);
  f.money = numeric(kMoneyFormat);
  f.total_money = total(kMoneyFormat);
  f.decimal = numeric(kDecimalFormat);
  f.total_decimal = total(kDecimalFormat);
  f.uncounted_row = highlight(0xFFEB9C, 0x9C5700);
  f.wrap = add();
  format_set_text_wrap(f.wrap);
  const auto centred = [&](lxw_format* like) {
    lxw_format* c = like ? highlight(like == f.error_row ? 0xFFC7CE : 0xFFEB9C,
                                     like == f.error_row ? 0x9C0006 : 0x9C5700)
                         : add();
    format_set_align(c, LXW_ALIGN_CENTER);
    return c;
  };
  f.line = centred(nullptr);
  f.error_line = centred(f.error_row);
  f.uncounted_line = centred(f.uncounted_row);
  f.fill_in = add();
  format_set_bg_color(f.fill_in, 0xFFF9DB);
  format_set_border(f.fill_in, LXW_BORDER_HAIR);
  format_set_border_color(f.fill_in, 0xBFBFBF);
  f.fill_in_header = add();
  format_set_bold(f.fill_in_header);
  format_set_text_wrap(f.fill_in_header);
  format_set_align(f.fill_in_header, LXW_ALIGN_VERTICAL_TOP);
  format_set_bg_color(f.fill_in_header, 0xFFE699);
  format_set_bottom(f.fill_in_header, LXW_BORDER_THIN);
  f.title = add();
  format_set_bold(f.title);
  format_set_font_size(f.title, 14);
  f.pass_block = highlight(0xC6EFCE, 0x006100);
  format_set_bold(f.pass_block);
  format_set_align(f.pass_block, LXW_ALIGN_CENTER);
  f.fail_block = highlight(0xFFC7CE, 0x9C0006);
  format_set_bold(f.fail_block);
  format_set_align(f.fail_block, LXW_ALIGN_CENTER);
  f.result = add();
  format_set_align(f.result, LXW_ALIGN_CENTER);
  f.error_money = highlight(0xFFC7CE, 0x9C0006);
  format_set_num_format(f.error_money, kMoneyFormat);
  f.uncounted_money = highlight(0xFFEB9C, 0x9C5700);
  format_set_num_format(f.uncounted_money, kMoneyFormat);
  for (lxw_format* money : {f.money, f.error_money, f.uncounted_money}) {
    format_set_align(money, LXW_ALIGN_RIGHT);  // indented from the right edge
    format_set_indent(money, 1);
  }
  return f;
}

// A cell range, 0-based and inclusive, checked against Excel's grid before use because
// libxlsxwriter does not check overlaps or inverted ranges everywhere.
struct Range {
  lxw_row_t first_row = 0;
  lxw_col_t first_col = 0;
  lxw_row_t last_row = 0;
  lxw_col_t last_col = 0;
};

Range Checked(Range r) {
  if (r.first_row > r.last_row || r.first_col > r.last_col || r.last_row >= kExcelMaxRows ||
      r.last_col >= kMaxColumns)
    Fail("internal error: invalid cell range");
  return r;
}

// How a table sits on its sheet(s), beyond its headers and rows.
struct SheetLayout {
  // Called for each sheet (continuations too) after its header and before its first data
  // row, with the rows its data will occupy: where per-sheet ranges (conditional formats,
  // validations) are set, as constant_memory needs.
  using OnOpen = std::function<void(lxw_worksheet*, lxw_row_t first, lxw_row_t last)>;
  // The last `unfiltered_tail` rows (a Total row) are left out of the autofilter.
  size_t unfiltered_tail = 0;
  OnOpen on_open;
  // Columns kept in view when scrolling right (the Coder column), besides the header.
  lxw_col_t frozen_cols = 0;
  // Rows above the header on the first sheet (a coder's feedback block): writes them from
  // row 0 and returns how many it wrote.
  std::function<lxw_row_t(lxw_worksheet*)> block;
  // Columns somebody fills in (the rebuttal columns): their header is marked.
  std::vector<lxw_col_t> fill_in;
  // Widths (characters) columns get at least, for what the block writes in them.
  std::vector<size_t> min_widths;
  // Printed this many pages wide (a very wide table), the frozen columns on each page.
  uint16_t pages_wide = 1;
};

// One logical table (header + `total_rows` rows) on one or more sheets: when a sheet is
// full the rows continue on "<name> (2)", ... with the header repeated. Every sheet gets a
// frozen header, an autofilter over exactly its rows (this workbook has no tables, so
// nothing can overlap it), column widths fitted to the text written and the print layout
// (the header row repeated on every page).
// The row count is known up front because constant_memory flushes each row as the next
// one starts: anything that touches the header row (the autofilter) must be set before
// the first data row.
class SheetWriter {
 public:
  SheetWriter(lxw_workbook* wb, const Formats& formats, std::string name,
              std::set<std::string>& used_names, std::span<const std::string_view> headers,
              size_t total_rows, uint32_t max_rows, SheetLayout layout = {})
      : wb_(wb), formats_(formats), used_names_(used_names),
        headers_(headers.begin(), headers.end()),
        remaining_(total_rows), max_rows_(max_rows), layout_(std::move(layout)),
        base_name_(name) {
    if (headers_.empty() || headers_.size() > kMaxColumns || max_rows_ < 2 ||
        layout_.unfiltered_tail > total_rows)
      Fail("internal error: bad sheet layout");
    OpenSheet(std::move(name));
  }
  SheetWriter(const SheetWriter&) = delete;
  SheetWriter& operator=(const SheetWriter&) = delete;

  // Starts the next data row and returns its index on the current sheet.
  lxw_row_t NextRow() {
    if (remaining_ == 0) Fail("internal error: more rows than announced");
    if (row_ + 1 >= max_rows_) {
      Finish();
      // Continuations are named after the base name, unique like every sheet name.
      OpenSheet(UniqueSheetName("", base_name_, used_names_));
    }
    --remaining_;
    return ++row_;
  }
  lxw_worksheet* Sheet() const { return sheet_; }
  // The header's row on the current sheet (0 unless a block sits above it).
  lxw_row_t HeaderRow() const { return header_row_; }

  void String(lxw_col_t col, std::string_view text, lxw_format* format = nullptr) {
    // Most cells of a coder sheet are empty (no reason, no rebuttal yet): an empty string
    // is no cell at all, or a formatted blank so a highlighted row stays whole.
    if (text.empty()) {
      Blank(col, format);
      return;
    }
    const std::string cell = CellText(text);
    Note(col, DisplayWidth(cell));
    // write_string never interprets "=..." as a formula: user text stays text.
    Check(worksheet_write_string(sheet_, row_, col, cell.c_str(), format), "write text");
  }
  void Number(lxw_col_t col, double value, lxw_format* format = nullptr, size_t width = 8) {
    Note(col, width);
    Check(worksheet_write_number(sheet_, row_, col, value, format), "write number");
  }
  void Blank(lxw_col_t col, lxw_format* format) {
    if (format) Check(worksheet_write_blank(sheet_, row_, col, format), "write blank");
  }
  // A header row from column 0: every sheet's first row, and a sub-table's further down.
  // Headers wrap: a column is noted as wide as the header's longest word only.
  void Headers(std::span<const std::string_view> names) {
    Check(worksheet_set_row(sheet_, row_, 30, nullptr), "header row height");
    for (size_t c = 0; c < names.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const bool fill_in = std::find(layout_.fill_in.begin(), layout_.fill_in.end(), col) !=
                           layout_.fill_in.end();
      const std::string cell = CellText(names[c]);
      size_t longest = 0;
      for (size_t start = 0; start <= cell.size();) {
        size_t end = cell.find(' ', start);
        if (end == std::string::npos) end = cell.size();
        longest = std::max(longest, DisplayWidth(cell.substr(start, end - start)));
        start = end + 1;
      }
      Note(col, longest + 1);  // + 1: bold type is wider
      Check(worksheet_write_string(sheet_, row_, col, cell.c_str(),
                                   fill_in ? formats_.fill_in_header : formats_.header),
            "write header");
    }
  }
  // An internal hyperlink showing `text`; plain text once Excel's per-sheet limit is hit.
  void Link(lxw_col_t col, std::string_view text, const std::string& target_sheet) {
    const std::string cell = CellText(text);
    if (cell.empty() || links_ >= kMaxLinksPerSheet) {
      String(col, text);
      return;
    }
    ++links_;
    Note(col, DisplayWidth(cell));
    // Sheet names are sanitised to exclude apostrophes, so quoting is plain.
    const std::string url = "internal:'" + target_sheet + "'!A1";
    Check(worksheet_write_url_opt(sheet_, row_, col, url.c_str(), nullptr, cell.c_str(),
                                  nullptr),
          "write link");
  }

  // Sets the column widths of the current sheet (set_column touches no rows, so it may
  // come last even under constant_memory).
  void Finish() {
    if (finished_) return;
    finished_ = true;
    if (remaining_ != 0 && row_ + 1 < max_rows_)
      Fail("internal error: fewer rows than announced");
    for (size_t c = 0; c < widths_.size(); ++c) {
      const double width = static_cast<double>(std::min(widths_[c], kMaxColumnWidth) + 2);
      const auto col = static_cast<lxw_col_t>(c);
      Check(worksheet_set_column(sheet_, col, col, width, nullptr), "column width");
    }
  }

 private:
  void OpenSheet(std::string name) {
    Check(workbook_validate_sheet_name(wb_, name.c_str()), "sheet name");
    sheet_ = workbook_add_worksheet(wb_, name.c_str());
    // Under constant_memory each sheet opens a temp file: running out of descriptors
    // or temp space shows up here.
    if (!sheet_)
      Fail("cannot add worksheet " + name + " (out of memory, temp space or open files)");
    const bool first = opened_++ == 0;
    finished_ = false;
    links_ = 0;
    header_row_ = first && layout_.block ? layout_.block(sheet_) : 0;
    if (header_row_ + 2 > max_rows_) Fail("internal error: the block leaves no room for rows");
    row_ = header_row_;
    widths_.assign(headers_.size(), 0);
    for (size_t c = 0; c < layout_.min_widths.size() && c < widths_.size(); ++c)
      widths_[c] = layout_.min_widths[c];
    const size_t rows_here = std::min<size_t>(remaining_, max_rows_ - 1 - header_row_);
    const size_t tail = rows_here == remaining_ ? layout_.unfiltered_tail : 0;
    const Range filter =
        Checked({header_row_, 0, static_cast<lxw_row_t>(header_row_ + rows_here - tail),
                 static_cast<lxw_col_t>(headers_.size() - 1)});
    Check(worksheet_autofilter(sheet_, filter.first_row, filter.first_col, filter.last_row,
                               filter.last_col),
          "autofilter");
    worksheet_freeze_panes(sheet_, header_row_ + 1, layout_.frozen_cols);
    SetPageLayout(sheet_, formats_.page, header_row_, header_row_);
    if (layout_.pages_wide > 1) {
      worksheet_fit_to_pages(sheet_, layout_.pages_wide, 0);
      if (layout_.frozen_cols > 0) worksheet_repeat_columns(sheet_, 0, layout_.frozen_cols - 1);
    }
    Headers(headers_);
    if (layout_.on_open && rows_here > 0)
      layout_.on_open(sheet_, header_row_ + 1, static_cast<lxw_row_t>(header_row_ + rows_here));
  }
  void Note(lxw_col_t col, size_t width) {
    if (col < widths_.size()) widths_[col] = std::max(widths_[col], width);
  }

  lxw_workbook* wb_;
  const Formats& formats_;
  std::set<std::string>& used_names_;
  std::vector<std::string_view> headers_;
  size_t remaining_;  // rows not yet started, over all sheets
  uint32_t max_rows_;
  SheetLayout layout_;
  std::string base_name_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_row_t row_ = 0;
  lxw_row_t header_row_ = 0;
  size_t opened_ = 0;
  int links_ = 0;
  bool finished_ = false;
  std::vector<size_t> widths_;
};

// ---------------------------------------------------------------------------------------
// Summary

// The Summary is what a manager reads first and prints: per coder the result, code
// accuracy with its interval, claim and DRG accuracy and the net payment impact, with a
// chart beside it. Everything else per coder is on "Summary detail" (same rows, same
// Total), so the printed Summary is one landscape page per ~30 coders.
constexpr std::array<std::string_view, 12> kSummaryHeaders = {
    "Coder",          "Result",       "Code accuracy",      "Code CI low",
    "Code CI high",   "Claim accuracy", "DRG accuracy",     "Net payment impact",
    "Benchmark",      "Encounters",   "Codes reviewed",     "Errors"};
enum SummaryCol : lxw_col_t {
  kCoder, kResult, kCodeAccuracy, kCodeLow, kCodeHigh, kClaimAccuracy, kDrgAccuracy,
  kNetPayment, kBenchmark, kEncounters, kCodesReviewed, kErrors
};
static_assert(kErrors + 1 == kSummaryHeaders.size());
static_assert(kCodeHigh == kCodeAccuracy + 2);  // WriteRate fills the interval after it

constexpr std::string_view kDetailSheet = "Summary detail";
constexpr std::array<std::string_view, 29> kDetailHeaders = {
    "Coder", "Encounters", "Codes reviewed", "Matches", "Errors", "Added", "Omitted",
    "Revised", "Resequenced", "Modifier", "Units", "POA", "DRG", "Weighted errors",
    "Error-free encounters", "Claim accuracy", "Claim CI low", "Claim CI high",
    "DRG encounters", "DRG changes", "DRG accuracy", "DRG CI low", "DRG CI high",
    "Over-coded", "Under-coded", "Overpayment", "Underpayment", "Rebutted", "Overturned"};
enum DetailCol : lxw_col_t {
  kDetCoder, kDetEncounters, kDetCodes, kDetMatches, kDetErrors, kDetAdded, kDetOmitted,
  kDetRevised, kDetResequenced, kDetModifier, kDetUnits, kDetPoa, kDetDrg, kDetWeighted,
  kDetErrorFree, kDetClaim, kDetClaimLow, kDetClaimHigh, kDetDrgEncounters, kDetDrgChanges,
  kDetDrgAccuracy, kDetDrgLow, kDetDrgHigh, kDetOverCoded, kDetUnderCoded, kDetOverpayment,
  kDetUnderpayment, kDetRebutted, kDetOverturned
};
static_assert(kDetOverturned + 1 == kDetailHeaders.size());
static_assert(kDetClaimHigh == kDetClaim + 2 && kDetDrgHigh == kDetDrgAccuracy + 2);
// The outcome columns, in the Outcome enum's order after kMatch.
constexpr std::array<qa::Outcome, 8> kErrorOutcomes = {
    qa::Outcome::kAdded,    qa::Outcome::kOmitted, qa::Outcome::kRevised, qa::Outcome::kResequenced,
    qa::Outcome::kModifier, qa::Outcome::kUnits,   qa::Outcome::kPoa,     qa::Outcome::kDrg};
static_assert(kErrorOutcomes.size() + 1 == qa::kOutcomeCount);

double Ratio(double num, double den) {
  // Same convention as qa::ScoreBook: nothing scored reads as 0.
  return den > 0 ? num / den : 0.0;
}

double Dollars(int64_t cents) { return static_cast<double>(cents) / 100.0; }

// Code-level accuracy pooled from counts, as qa::ScoreBook computes it per coder:
// matches / (matches + weighted errors). Used where the workbook adds coders up.
double CodeAccuracy(double matches, double weighted_errors) {
  return Ratio(matches, matches + weighted_errors);
}

// Net payment impact of a coder's errors: overpayment minus underpayment, in dollars.
double NetDollars(const qa::CoderScore& s) {
  return Dollars(s.overpayment_cents - s.underpayment_cents);
}

// A rate and its exact interval, written to three adjacent columns (rate, CI low, CI
// high): code accuracy on Summary and Trend, claim and DRG accuracy on Summary detail,
// the overturn rate on Auditors.
void WriteRate(SheetWriter& w, lxw_col_t col, double rate, const qa::Interval& ci,
               lxw_format* format) {
  w.Number(col, rate, format);
  w.Number(static_cast<lxw_col_t>(col + 1), ci.low, format);
  w.Number(static_cast<lxw_col_t>(col + 2), ci.high, format);
}

// The Result column's text, and what its conditional formats match.
constexpr std::string_view kPassText = "PASS";
constexpr std::string_view kFailText = "FAIL";
std::string_view ResultText(bool pass) { return pass ? kPassText : kFailText; }

// Applies one conditional format to rows first_row..last_row of a single column (the
// only shape this workbook uses); libxlsxwriter copies `rule`, so it may be a local.
void AddColumnFormat(lxw_worksheet* sheet, lxw_row_t first_row, lxw_row_t last_row,
                     lxw_col_t col, lxw_conditional_format& rule, std::string_view what) {
  const Range r = Checked({first_row, col, last_row, col});
  Check(worksheet_conditional_format_range(sheet, r.first_row, r.first_col, r.last_row,
                                           r.last_col, &rule),
        what);
}

// Result cells green when they read PASS, red when FAIL.
void AddResultFormats(lxw_worksheet* sheet, const Formats& formats, lxw_row_t first_row,
                      lxw_row_t last_row, lxw_col_t col) {
  const auto equal_to = [&](std::string_view text, lxw_format* format, std::string_view what) {
    std::string quoted = "\"" + std::string(text) + "\"";
    lxw_conditional_format rule{};
    rule.type = LXW_CONDITIONAL_TYPE_CELL;
    rule.criteria = LXW_CONDITIONAL_CRITERIA_EQUAL_TO;
    rule.value_string = quoted.data();
    rule.format = format;
    AddColumnFormat(sheet, first_row, last_row, col, rule, what);
  };
  equal_to(kPassText, formats.pass, "conditional format PASS");
  equal_to(kFailText, formats.fail, "conditional format FAIL");
}

// The accuracy scale both the charts and the data bars use: from a round 5% step below
// the lowest value shown (accuracies and the benchmark) to 100%, at least 10 points
// tall. On a 0-100% scale 84% and 95% look alike; on 80-100% they do not.
struct AccuracyScale {
  double min = 0, max = 1;
};
AccuracyScale ScaleFor(double lowest) {
  AccuracyScale s;
  lowest = std::clamp(lowest, 0.0, 1.0);
  s.min = std::clamp(std::floor((lowest - 0.01) * 20.0) / 20.0, 0.0, 0.9);
  return s;
}

// A data bar on the accuracy scale, drawn as a pale gradient that fades out where the
// (right-aligned) number sits, so the bar never hides the figure.
void AddAccuracyBar(lxw_worksheet* sheet, lxw_row_t first_row, lxw_row_t last_row,
                    lxw_col_t col, const AccuracyScale& scale) {
  lxw_conditional_format bar{};
  bar.type = LXW_CONDITIONAL_DATA_BAR;
  bar.min_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
  bar.min_value = scale.min;
  bar.max_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
  bar.max_value = scale.max;
  bar.bar_color = 0x9DC3E6;
  bar.bar_solid = LXW_FALSE;
  AddColumnFormat(sheet, first_row, last_row, col, bar, "data bar");
}

// The two accuracy charts (Summary: a point per coder; Trend: a line per coder over the
// periods) draw code accuracy against the benchmark the same way: two series over the
// same categories, the benchmark a red dashed line, the y axis on the accuracy scale, the
// legend below. Each caller adds what differs, then inserts the chart with InsertChart.
struct AccuracyChart {
  lxw_chart* chart;
  lxw_chart_series* accuracy;
  lxw_chart_series* benchmark;
};

AccuracyChart AddAccuracyChart(lxw_workbook* wb, const char* sheet_name, const Range& cats,
                               const Range& values, const Range& bench,
                               const std::string& title, const AccuracyScale& scale) {
  lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_LINE);
  if (!chart) Fail("cannot add chart");
  lxw_chart_series* accuracy = chart_add_series(chart, nullptr, nullptr);
  lxw_chart_series* benchmark = chart_add_series(chart, nullptr, nullptr);
  if (!accuracy || !benchmark) Fail("cannot add chart series");
  const auto set = [&](lxw_chart_series* series, const Range& v, const char* name) {
    chart_series_set_categories(series, sheet_name, cats.first_row, cats.first_col,
                                cats.last_row, cats.last_col);
    chart_series_set_values(series, sheet_name, v.first_row, v.first_col, v.last_row,
                            v.last_col);
    chart_series_set_name(series, name);
  };
  set(accuracy, values, "Code accuracy");
  set(benchmark, bench, "Benchmark");
  chart_series_set_marker_type(accuracy, LXW_CHART_MARKER_CIRCLE);
  chart_series_set_marker_size(accuracy, 6);
  lxw_chart_fill blue{};
  blue.color = 0x2F5597;
  chart_series_set_marker_fill(accuracy, &blue);
  lxw_chart_line blue_line{};
  blue_line.color = 0x2F5597;
  chart_series_set_marker_line(accuracy, &blue_line);
  chart_series_set_line(accuracy, &blue_line);
  lxw_chart_line dashed{};
  dashed.color = 0xC00000;
  dashed.width = 1.5f;
  dashed.dash_type = LXW_CHART_LINE_DASH_DASH;
  chart_series_set_line(benchmark, &dashed);
  chart_series_set_marker_type(benchmark, LXW_CHART_MARKER_NONE);
  lxw_chart_font title_font{};
  title_font.size = 11;
  title_font.bold = LXW_TRUE;
  chart_title_set_name(chart, title.c_str());
  chart_title_set_name_font(chart, &title_font);
  chart_axis_set_min(chart->y_axis, scale.min);
  chart_axis_set_max(chart->y_axis, scale.max);
  chart_axis_set_major_unit(chart->y_axis, scale.max - scale.min > 0.3 ? 0.1 : 0.05);
  chart_axis_set_num_format(chart->y_axis, "0%");
  // Coder ids under the points, turned so that up to ~60 of them stay legible.
  lxw_chart_font ids{};
  ids.size = 8;
  ids.rotation = -45;
  chart_axis_set_num_font(chart->x_axis, &ids);
  chart_axis_set_label_position(chart->x_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
  chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
  return {chart, accuracy, benchmark};
}

// Anchored at (row, col), nudged off the cell border, scaled from Excel's default size.
void InsertChart(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, lxw_chart* chart,
                 double x_scale, double y_scale) {
  lxw_chart_options placement{};
  placement.x_offset = 10;
  placement.y_offset = 5;
  placement.x_scale = x_scale;
  placement.y_scale = y_scale;
  Check(worksheet_insert_chart_opt(sheet, row, col, chart, &placement), "insert chart");
}

// Lowest accuracy shown on the Summary (and its benchmarks): where its scale starts.
double LowestShown(const std::vector<qa::CoderScore>& coders, double benchmark) {
  double lowest = benchmark;
  for (const qa::CoderScore& s : coders) lowest = std::min({lowest, s.code_accuracy, s.benchmark});
  return lowest;
}

// Code accuracy by coder against the benchmark: a point per coder, the benchmark a dashed
// line, and a bar from each point to the benchmark, red below it and green above, so the
// gap is what the eye sees. (libxlsxwriter 1.1.4 cannot combine chart types; the
// up-down bars of a line chart draw the gap instead.)
void AddSummaryChart(lxw_workbook* wb, lxw_worksheet* sheet, size_t coder_count,
                     double benchmark, const AccuracyScale& scale) {
  const auto last = static_cast<lxw_row_t>(coder_count);
  char benchmark_text[32];
  std::snprintf(benchmark_text, sizeof benchmark_text, "%.1f%%", benchmark * 100.0);
  const std::string title = std::string("Code accuracy by coder against the benchmark (") +
                            benchmark_text + ")";
  const AccuracyChart c = AddAccuracyChart(
      wb, "Summary", Checked({1, kCoder, last, kCoder}),
      Checked({1, kCodeAccuracy, last, kCodeAccuracy}),
      Checked({1, kBenchmark, last, kBenchmark}), title, scale);
  lxw_chart_line none{};
  none.none = LXW_TRUE;
  chart_series_set_line(c.accuracy, &none);  // points, not a line: coders are no sequence
  lxw_chart_fill below{}, above{};
  below.color = 0xE06666;  // benchmark above the point: the coder is below it
  above.color = 0x93C47D;
  lxw_chart_line edge{};
  edge.none = LXW_TRUE;
  chart_set_up_down_bars_format(c.chart, &edge, &below, &edge, &above);
  // Each point labelled with its accuracy while the labels still fit.
  if (coder_count <= 15) {
    chart_series_set_labels(c.accuracy);
    chart_series_set_labels_position(c.accuracy, LXW_CHART_LABEL_POSITION_ABOVE);
    chart_series_set_labels_num_format(c.accuracy, "0.0%");
    lxw_chart_font small{};
    small.size = 7;
    chart_series_set_labels_font(c.accuracy, &small);
  }
  // Beside the table and about as tall as its rows (20 px each, the chart's default
  // height is 288 px) up to ~32 coders: the printed page holds both side by side.
  const double rows_tall = static_cast<double>(coder_count + 2) * 20.0 / 288.0;
  InsertChart(sheet, 0, kErrors + 2, c.chart, 1.35, std::clamp(rows_tall, 1.45, 2.3));
}

// Counts added up over the coders, for the Total rows of Summary and Summary detail.
struct Totals {
  uint64_t encounters = 0, codes = 0, matches = 0, errors = 0, error_free = 0;
  uint64_t drg_encounters = 0, drg_changes = 0, over = 0, under = 0, rebutted = 0,
           overturned = 0;
  int64_t overpayment = 0, underpayment = 0;
  double weighted = 0;
  std::array<uint64_t, qa::kOutcomeCount> by_outcome{};

  explicit Totals(const std::vector<qa::CoderScore>& coders) {
    for (const qa::CoderScore& s : coders) {
      for (qa::Outcome o : kErrorOutcomes)
        by_outcome[static_cast<size_t>(o)] += s.by_outcome[static_cast<size_t>(o)];
      encounters += s.encounters;
      codes += s.codes_reviewed;
      matches += s.matches;
      errors += s.errors;
      weighted += s.weighted_errors;
      error_free += s.error_free_encounters;
      drg_encounters += s.drg_encounters;
      drg_changes += s.drg_changes;
      over += s.over_coded;
      under += s.under_coded;
      overpayment += s.overpayment_cents;
      underpayment += s.underpayment_cents;
      rebutted += s.rebutted;
      overturned += s.overturned;
    }
  }
  // Pooled over all coders (not a mean of coder rates).
  double CodeRate() const { return CodeAccuracy(static_cast<double>(matches), weighted); }
  double ClaimRate() const {
    return Ratio(static_cast<double>(error_free), static_cast<double>(encounters));
  }
  double DrgRate() const {
    return Ratio(static_cast<double>(drg_encounters - drg_changes),
                 static_cast<double>(drg_encounters));
  }
};

void WriteSummary(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
                  const std::map<std::string, std::string>& coder_sheets,
                  std::set<std::string>& used_names) {
  if (report.coders.size() + 2 > kExcelMaxRows) Fail("too many coders for one Summary sheet");
  // The filter covers the coder rows only, so the Total row stays put when filtering.
  SheetLayout layout;
  layout.unfiltered_tail = 1;
  layout.frozen_cols = 1;
  SheetWriter w(wb, formats, "Summary", used_names, kSummaryHeaders, report.coders.size() + 1,
                kExcelMaxRows, std::move(layout));
  const auto last_coder_row = static_cast<lxw_row_t>(report.coders.size());
  if (!report.coders.empty()) {
    const AccuracyScale scale = ScaleFor(LowestShown(report.coders, report.benchmark));
    AddResultFormats(w.Sheet(), formats, 1, last_coder_row, kResult);
    AddAccuracyBar(w.Sheet(), 1, last_coder_row, kCodeAccuracy, scale);
    AddSummaryChart(wb, w.Sheet(), report.coders.size(), report.benchmark, scale);
  }
  for (const qa::CoderScore& s : report.coders) {
    w.NextRow();
    const auto sheet = coder_sheets.find(s.coder_id);
    if (sheet != coder_sheets.end())
      w.Link(kCoder, s.coder_id, sheet->second);
    else
      w.String(kCoder, s.coder_id);
    w.String(kResult, ResultText(s.pass), formats.result);
    WriteRate(w, kCodeAccuracy, s.code_accuracy, s.code_interval, formats.percent);
    w.Number(kClaimAccuracy, s.claim_accuracy, formats.percent);
    if (s.drg_encounters > 0) w.Number(kDrgAccuracy, s.drg_accuracy, formats.percent);
    w.Number(kNetPayment, NetDollars(s), formats.money, 12);
    w.Number(kBenchmark, s.benchmark, formats.percent);
    w.Number(kEncounters, s.encounters);
    w.Number(kCodesReviewed, s.codes_reviewed);
    w.Number(kErrors, s.errors);
  }
  const Totals total(report.coders);
  w.NextRow();
  w.String(kCoder, "Total", formats.total);
  w.Blank(kResult, formats.total);
  w.Number(kCodeAccuracy, total.CodeRate(), formats.total_percent);
  w.Blank(kCodeLow, formats.total);
  w.Blank(kCodeHigh, formats.total);
  w.Number(kClaimAccuracy, total.ClaimRate(), formats.total_percent);
  if (total.drg_encounters > 0)
    w.Number(kDrgAccuracy, total.DrgRate(), formats.total_percent);
  else
    w.Blank(kDrgAccuracy, formats.total);
  w.Number(kNetPayment, Dollars(total.overpayment - total.underpayment), formats.total_money, 12);
  w.Number(kBenchmark, report.benchmark, formats.total_percent);
  w.Number(kEncounters, static_cast<double>(total.encounters), formats.total);
  w.Number(kCodesReviewed, static_cast<double>(total.codes), formats.total);
  w.Number(kErrors, static_cast<double>(total.errors), formats.total);
  w.Finish();
  worksheet_activate(w.Sheet());
}

// Every count behind the Summary, per coder, with the same Total row.
void WriteSummaryDetail(lxw_workbook* wb, const Formats& formats,
                        const runs::AccuracyReport& report, std::set<std::string>& used_names) {
  SheetLayout layout;
  layout.unfiltered_tail = 1;
  layout.frozen_cols = 1;
  layout.pages_wide = 2;
  SheetWriter w(wb, formats, std::string(kDetailSheet), used_names, kDetailHeaders,
                report.coders.size() + 1, kExcelMaxRows, std::move(layout));
  for (const qa::CoderScore& s : report.coders) {
    w.NextRow();
    w.String(kDetCoder, s.coder_id);
    w.Number(kDetEncounters, s.encounters);
    w.Number(kDetCodes, s.codes_reviewed);
    w.Number(kDetMatches, s.matches);
    w.Number(kDetErrors, s.errors);
    for (size_t k = 0; k < kErrorOutcomes.size(); ++k)
      w.Number(static_cast<lxw_col_t>(kDetAdded + k),
               s.by_outcome[static_cast<size_t>(kErrorOutcomes[k])]);
    w.Number(kDetWeighted, s.weighted_errors, formats.decimal);
    w.Number(kDetErrorFree, s.error_free_encounters);
    WriteRate(w, kDetClaim, s.claim_accuracy, s.claim_interval, formats.percent);
    w.Number(kDetDrgEncounters, s.drg_encounters);
    w.Number(kDetDrgChanges, s.drg_changes);
    if (s.drg_encounters > 0)
      WriteRate(w, kDetDrgAccuracy, s.drg_accuracy, s.drg_interval, formats.percent);
    w.Number(kDetOverCoded, s.over_coded);
    w.Number(kDetUnderCoded, s.under_coded);
    w.Number(kDetOverpayment, Dollars(s.overpayment_cents), formats.money, 12);
    w.Number(kDetUnderpayment, Dollars(s.underpayment_cents), formats.money, 12);
    w.Number(kDetRebutted, s.rebutted);
    w.Number(kDetOverturned, s.overturned);
  }
  const Totals total(report.coders);
  w.NextRow();
  w.String(kDetCoder, "Total", formats.total);
  const auto count = [&](lxw_col_t c, uint64_t v) {
    w.Number(c, static_cast<double>(v), formats.total);
  };
  count(kDetEncounters, total.encounters);
  count(kDetCodes, total.codes);
  count(kDetMatches, total.matches);
  count(kDetErrors, total.errors);
  for (size_t k = 0; k < kErrorOutcomes.size(); ++k)
    count(static_cast<lxw_col_t>(kDetAdded + k),
          total.by_outcome[static_cast<size_t>(kErrorOutcomes[k])]);
  w.Number(kDetWeighted, total.weighted, formats.total_decimal);
  count(kDetErrorFree, total.error_free);
  w.Number(kDetClaim, total.ClaimRate(), formats.total_percent);
  count(kDetDrgEncounters, total.drg_encounters);
  count(kDetDrgChanges, total.drg_changes);
  if (total.drg_encounters > 0)
    w.Number(kDetDrgAccuracy, total.DrgRate(), formats.total_percent);
  else
    w.Blank(kDetDrgAccuracy, formats.total);
  count(kDetOverCoded, total.over);
  count(kDetUnderCoded, total.under);
  w.Number(kDetOverpayment, Dollars(total.overpayment), formats.total_money, 12);
  w.Number(kDetUnderpayment, Dollars(total.underpayment), formats.total_money, 12);
  count(kDetRebutted, total.rebutted);
  count(kDetOverturned, total.overturned);
  for (lxw_col_t c : {kDetClaimLow, kDetClaimHigh, kDetDrgLow, kDetDrgHigh})
    w.Blank(c, formats.total);
  w.Finish();
}

// ---------------------------------------------------------------------------------------
// Per-coder differences, with the rebuttal columns ready to fill and re-import.

constexpr std::array<std::string_view, 19> kDiffHeaders = {
    "Ref",    "Encounter", "Claim type", "Code type", "Line",   "Coder code", "Auditor code",
    "Outcome", "Direction", "Weight",    "Amount",    "Reason", "Comment",    "Detail",
    "Auditor", "Rebuttal",  "Coder comment", "Final decision", "Decision note"};
enum DiffCol : lxw_col_t {
  kRef, kEncounter, kClaimType, kCodeType, kLine, kCoderCode, kAuditorCode, kOutcome,
  kDirection, kWeight, kAmount, kReason, kComment, kDetail, kAuditor, kRebuttal,
  kCoderComment, kDecision, kDecisionNote
};
static_assert(kDecisionNote + 1 == kDiffHeaders.size());

void AddListValidation(lxw_worksheet* sheet, lxw_row_t first, lxw_row_t last, lxw_col_t col,
                       std::vector<std::string> values, std::string title, std::string message) {
  std::vector<char*> list;
  for (auto& v : values) list.push_back(v.data());
  list.push_back(nullptr);
  std::string error_title = "Not on the list";
  std::string error_message = "Choose from the list, or leave the cell empty.";
  lxw_data_validation dv{};
  dv.validate = LXW_VALIDATION_TYPE_LIST;
  dv.value_list = list.data();
  dv.ignore_blank = LXW_VALIDATION_ON;
  dv.dropdown = LXW_VALIDATION_ON;
  dv.show_input = LXW_VALIDATION_ON;
  dv.input_title = title.data();
  dv.input_message = message.data();
  dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
  dv.error_title = error_title.data();
  dv.error_message = error_message.data();
  const Range r = Checked({first, col, last, col});
  Check(worksheet_data_validation_range(sheet, r.first_row, r.first_col, r.last_row,
                                        r.last_col, &dv),
        "data validation");
}

// A code as coders write it: ICD-10-CM diagnoses with the dot after the category
// (E11.22; the store keeps E1122). ICD-10-PCS, CPT/HCPCS and DRGs have no dots, and a
// diagnosis that is not ICD-10-CM shaped (no leading letter) is left as written.
std::string DisplayCode(qa::ItemType type, const std::string& code) {
  if (type != qa::ItemType::kDx || code.size() <= 3 || code.find('.') != std::string::npos ||
      !(code[0] >= 'A' && code[0] <= 'Z'))
    return code;
  const auto parsed = Code::Parse(code);
  return parsed ? parsed->DottedIcd10Cm() : code;
}

// How a coder sheet shows a row: a counted error, a difference the policy does not count
// (or that was overturned), or a match.
enum class RowKind : uint8_t { kError, kUncounted, kMatch };
RowKind KindOf(const qa::CodeDiff& d, const qa::ScoringPolicy& policy) {
  if (!qa::IsError(d.outcome)) return RowKind::kMatch;
  const bool scoped = (!d.claim_type || policy.Scores(*d.claim_type)) &&
                      policy.Scores(d.code_type);
  return policy.WeightOf(d) > 0 && scoped ? RowKind::kError : RowKind::kUncounted;
}

// A coder's rows as a coder reads them: counted errors first, then differences that do
// not count, then (when wanted) matches; stored order (encounter, code type, line) within
// each group.
std::vector<const qa::CodeDiff*> ErrorsFirst(const std::vector<const qa::CodeDiff*>& diffs,
                                             const qa::ScoringPolicy& policy,
                                             bool with_matches) {
  std::vector<const qa::CodeDiff*> out;
  for (RowKind kind : {RowKind::kError, RowKind::kUncounted, RowKind::kMatch}) {
    if (kind == RowKind::kMatch && !with_matches) break;
    for (const qa::CodeDiff* d : diffs)
      if (KindOf(*d, policy) == kind) out.push_back(d);
  }
  return out;
}

void WriteCoderSheet(lxw_workbook* wb, const Formats& formats, const std::string& name,
                     const std::vector<const qa::CodeDiff*>& diffs,
                     const qa::ScoringPolicy& policy, std::set<std::string>& used_names,
                     uint32_t max_rows,
                     std::function<lxw_row_t(lxw_worksheet*)> block = nullptr,
                     std::vector<size_t> min_widths = {}) {
  SheetLayout layout;
  layout.on_open = [&formats](lxw_worksheet* sheet, lxw_row_t first, lxw_row_t last) {
    // The cells to fill in are pale yellow on every row, filled or not: one conditional
    // format over the range (always true), so no blank cell is written per row.
    lxw_conditional_format marked{};
    marked.type = LXW_CONDITIONAL_TYPE_FORMULA;
    std::string always = "TRUE";
    marked.value_string = always.data();
    marked.format = formats.fill_in;
    const Range r = Checked({first, kRebuttal, last, kDecisionNote});
    Check(worksheet_conditional_format_range(sheet, r.first_row, r.first_col, r.last_row,
                                             r.last_col, &marked),
          "fill-in marking");
    AddListValidation(sheet, first, last, kRebuttal, {"agree", "disagree"}, "Rebuttal",
                      "Coder: agree or disagree with the auditor on this difference.");
    AddListValidation(sheet, first, last, kDecision, {"upheld", "overturned"}, "Final decision",
                      "Reviewer: upheld (the auditor stands) or overturned (the coder "
                      "stands). Re-import with: coderaudit rebuttal");
  };
  layout.block = std::move(block);
  layout.min_widths = std::move(min_widths);
  layout.fill_in = {kRebuttal, kCoderComment, kDecision, kDecisionNote};
  SheetWriter w(wb, formats, name, used_names, kDiffHeaders, diffs.size(), max_rows,
                std::move(layout));
  for (const qa::CodeDiff* d : diffs) {
    w.NextRow();
    // Counted errors red, differences the policy does not count (or that were
    // overturned) amber.
    const RowKind kind = KindOf(*d, policy);
    lxw_format* f = kind == RowKind::kMatch   ? nullptr
                    : kind == RowKind::kError ? formats.error_row
                                              : formats.uncounted_row;
    // Ref and Line centred, so neither number reads as part of the text beside it.
    lxw_format* line = kind == RowKind::kMatch   ? formats.line
                       : kind == RowKind::kError ? formats.error_line
                                                 : formats.uncounted_line;
    w.Number(kRef, d->ref, line, 6);
    w.String(kEncounter, d->encounter_id, f);
    w.String(kClaimType, d->claim_type ? ToString(*d->claim_type) : "", f);
    w.String(kCodeType, qa::ToString(d->code_type), f);
    if (d->line > 0)
      w.Number(kLine, d->line, line, 4);
    else
      w.Blank(kLine, f);  // omitted codes and the DRG have no line in the coder's encounter
    w.String(kCoderCode, DisplayCode(d->code_type, d->coder_code), f);
    w.String(kAuditorCode, DisplayCode(d->code_type, d->auditor_code), f);
    w.String(kOutcome, qa::ToString(d->outcome), f);
    w.String(kDirection, qa::IsError(d->outcome) ? qa::ToString(d->direction) : "", f);
    if (qa::IsError(d->outcome))
      w.Number(kWeight, kind == RowKind::kError ? policy.WeightOf(*d) : 0,
               f ? f : formats.decimal, 6);
    else
      w.Blank(kWeight, f);
    if (d->amount_cents != 0)
      w.Number(kAmount, Dollars(d->amount_cents),
               kind == RowKind::kMatch   ? formats.money
               : kind == RowKind::kError ? formats.error_money
                                         : formats.uncounted_money,
               13);
    else
      w.Blank(kAmount, f);
    w.String(kReason, d->reason, f);
    w.String(kComment, d->comment, f);
    w.String(kDetail, d->detail, f);
    w.String(kAuditor, d->auditor_id, f);
    // Empty unless the run is a rebuttal (the range is marked by on_open).
    w.String(kRebuttal, qa::ToString(d->rebuttal));
    w.String(kCoderComment, d->rebuttal_comment);
    w.String(kDecision, qa::ToString(d->decision));
    w.String(kDecisionNote, d->decision_note);
  }
  w.Finish();
}

// ---------------------------------------------------------------------------------------
// Error categories: per coder x code type, positions, matches and accuracy (code-level
// accuracy per code type, EDITS.md) and counted errors by outcome; then the top codes.

constexpr std::array<std::string_view, 17> kCategoryHeaders = {
    "Coder",     "Code type", "Positions", "Matches",     "Accuracy",        "Added",
    "Omitted",   "Revised",   "Resequenced", "Modifier",  "Units",           "POA",
    "DRG",       "Errors",    "Weighted errors", "Over-coded", "Under-coded"};
constexpr size_t kTopCodes = 50;
constexpr std::array<std::string_view, 9> kTopHeaders = {
    "Rank", "Code type", "Code", "Outcome", "Errors", "Coders", "Over-coded", "Under-coded",
    "Net amount"};

// `pooled`: the "All coders" rows per code type (not on a coder's own workbook, where
// they would only repeat the coder's rows).
void WriteErrorCategories(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
                          std::set<std::string>& used_names, bool pooled) {
  // Counted errors and their direction, tallied alike per category and per top code.
  struct Tally {
    uint32_t errors = 0, over = 0, under = 0;
    void Add(const qa::CodeDiff& d) {
      errors++;
      over += d.direction == qa::Direction::kOver;
      under += d.direction == qa::Direction::kUnder;
    }
  };
  struct Cell : Tally {
    std::array<uint32_t, qa::kOutcomeCount> by_outcome{};
    double weighted = 0;
    uint64_t positions = 0, matches = 0;
    double scored_weight = 0;  // weighted errors as scored (from the stored scores)
  };
  struct Top : Tally {
    int64_t amount = 0;
    std::set<std::string> coders;
  };
  std::map<std::pair<std::string, qa::ItemType>, Cell> cells;
  std::map<qa::ItemType, Cell> all;
  std::map<std::tuple<qa::ItemType, std::string, qa::Outcome>, Top> tops;
  const qa::ScoringPolicy& policy = report.policy;
  for (const qa::CodeDiff& d : report.diffs) {
    if (!policy.CountsAsError(d) || !policy.Scores(d.code_type) ||
        (d.claim_type && !policy.Scores(*d.claim_type)))
      continue;
    for (Cell* c : {&cells[{d.coder_id, d.code_type}], &all[d.code_type]}) {
      c->Add(d);
      c->by_outcome[static_cast<size_t>(d.outcome)]++;
      c->weighted += policy.WeightOf(d);
    }
    Top& t = tops[{d.code_type, d.coder_code.empty() ? d.auditor_code : d.coder_code, d.outcome}];
    t.Add(d);
    t.amount += d.amount_cents;
    t.coders.insert(d.coder_id);
  }
  // Positions, matches and accuracy per code type come from the stored scores, so a
  // code type the coder got entirely right has its row too.
  for (const qa::CoderScore& sc : report.coders)
    for (size_t t = 0; t < qa::kItemTypeCount; ++t) {
      const qa::TypeScore& ts = sc.by_type[t];
      if (ts.positions == 0) continue;
      const auto type = static_cast<qa::ItemType>(t);
      for (Cell* c : {&cells[{sc.coder_id, type}], &all[type]}) {
        c->positions += ts.positions;
        c->matches += ts.matches;
        c->scored_weight += ts.weighted_errors;
      }
    }
  using TopRow = std::pair<std::tuple<qa::ItemType, std::string, qa::Outcome>, const Top*>;
  std::vector<TopRow> ranked;
  for (const auto& [k, t] : tops) ranked.push_back({k, &t});
  // Most errors first; ties in code type, code, outcome order so the list is stable.
  std::stable_sort(ranked.begin(), ranked.end(), [](const TopRow& a, const TopRow& b) {
    return a.second->errors > b.second->errors;
  });
  if (ranked.size() > kTopCodes) ranked.resize(kTopCodes);

  if (!pooled) all.clear();
  const size_t table_rows = cells.size() + all.size();
  const size_t tail = ranked.empty() ? 0 : 3 + ranked.size();  // blank, title, header, rows
  if (table_rows + tail + 1 > kExcelMaxRows) Fail("too many error categories for one sheet");
  SheetLayout layout;
  layout.unfiltered_tail = tail;
  layout.frozen_cols = 1;
  SheetWriter w(wb, formats, "Error categories", used_names, kCategoryHeaders,
                table_rows + tail, kExcelMaxRows, std::move(layout));
  auto write_cell = [&](const std::string& coder, qa::ItemType type, const Cell& c,
                        lxw_format* text, lxw_format* number) {
    const bool total = number == formats.total;
    w.NextRow();
    w.String(0, coder, text);
    w.String(1, qa::ToString(type), text);
    w.Number(2, static_cast<double>(c.positions), number);
    w.Number(3, static_cast<double>(c.matches), number);
    if (c.positions > 0)
      w.Number(4, CodeAccuracy(static_cast<double>(c.matches), c.scored_weight),
               total ? formats.total_percent : formats.percent);
    else
      w.Blank(4, number);
    for (size_t k = 0; k < kErrorOutcomes.size(); ++k)
      w.Number(static_cast<lxw_col_t>(5 + k), c.by_outcome[static_cast<size_t>(kErrorOutcomes[k])],
               number);
    w.Number(13, c.errors, number);
    w.Number(14, c.weighted, total ? formats.total_decimal : formats.decimal);
    w.Number(15, c.over, number);
    w.Number(16, c.under, number);
  };
  for (const auto& [key, c] : cells) write_cell(key.first, key.second, c, nullptr, nullptr);
  for (const auto& [type, c] : all) write_cell("All coders", type, c, formats.total, formats.total);
  if (!ranked.empty()) {
    w.NextRow();
    w.NextRow();
    w.String(0, "Top error codes (counted errors; the coder's code, or the auditor's when "
                "the coder had none)", formats.section);
    w.NextRow();
    w.Headers(kTopHeaders);
    uint32_t rank = 0;
    for (const auto& [key, t] : ranked) {
      w.NextRow();
      w.Number(0, ++rank);
      w.String(1, qa::ToString(std::get<0>(key)));
      w.String(2, DisplayCode(std::get<0>(key), std::get<1>(key)));
      w.String(3, qa::ToString(std::get<2>(key)));
      w.Number(4, t->errors);
      w.Number(5, static_cast<double>(t->coders.size()));
      w.Number(6, t->over);
      w.Number(7, t->under);
      w.Number(8, Dollars(t->amount), formats.money, 12);
    }
  }
  w.Finish();
}

// ---------------------------------------------------------------------------------------
// Trend: code accuracy by coder and period, with a line chart per coder.

constexpr std::array<std::string_view, 13> kTrendHeaders = {
    "Coder",          "Period",         "Encounters",   "Codes reviewed", "Errors",
    "Weighted errors", "Code accuracy", "Code CI low",  "Code CI high",   "Claim accuracy",
    "Net payment impact", "Benchmark",  "Result"};
enum TrendCol : lxw_col_t {
  kTrendCoder, kTrendPeriod, kTrendEncounters, kTrendCodes, kTrendErrors, kTrendWeighted,
  kTrendAccuracy, kTrendLow, kTrendHigh, kTrendClaim, kTrendNet, kTrendBenchmark, kTrendResult
};
static_assert(kTrendResult + 1 == kTrendHeaders.size() && kTrendHigh == kTrendAccuracy + 2);
// A chart per coder is drawn for at most this many coders; past that the table and its
// filter are the tool (a thousand charts help nobody and weigh megabytes).
constexpr size_t kMaxTrendCharts = 100;

void AddTrendChart(lxw_workbook* wb, lxw_worksheet* sheet, const std::string& coder,
                   lxw_row_t first, lxw_row_t last, size_t index, const AccuracyScale& scale) {
  const AccuracyChart chart = AddAccuracyChart(wb, "Trend", Checked({first, kTrendPeriod, last, kTrendPeriod}),
                   Checked({first, kTrendAccuracy, last, kTrendAccuracy}),
                   Checked({first, kTrendBenchmark, last, kTrendBenchmark}),
                   "Coder " + CellText(coder, 200), scale);
  // Two charts side by side, 14 rows apart, to the right of the table.
  const auto row = static_cast<lxw_row_t>((index / 2) * 14);
  const auto col = static_cast<lxw_col_t>(kTrendResult + 2 + (index % 2) * 8);
  InsertChart(sheet, row, col, chart.chart, 0.9, 0.9);
}

void WriteTrend(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
                std::set<std::string>& used_names) {
  if (report.trend.size() + 1 > kExcelMaxRows) Fail("too many trend rows for one sheet");
  std::set<std::string> periods;
  for (const auto& s : report.trend) periods.insert(s.period);
  const uint32_t min_encounters = report.policy.trend_min_encounters;
  SheetLayout layout;
  layout.frozen_cols = 1;
  SheetWriter w(wb, formats, "Trend", used_names, kTrendHeaders, report.trend.size(),
                kExcelMaxRows, std::move(layout));
  const AccuracyScale scale = ScaleFor(LowestShown(report.trend, report.benchmark));
  if (!report.trend.empty()) {
    const auto last = static_cast<lxw_row_t>(report.trend.size());
    AddResultFormats(w.Sheet(), formats, 1, last, kTrendResult);
    AddAccuracyBar(w.Sheet(), 1, last, kTrendAccuracy, scale);
  }
  // Charts go in before the rows (constant_memory), one per coder with 2+ periods.
  if (periods.size() >= 2) {
    size_t charts = 0;
    for (size_t i = 0; i < report.trend.size() && charts < kMaxTrendCharts;) {
      size_t j = i;
      while (j < report.trend.size() && report.trend[j].coder_id == report.trend[i].coder_id) ++j;
      if (j - i >= 2)
        AddTrendChart(wb, w.Sheet(), report.trend[i].coder_id, static_cast<lxw_row_t>(i + 1),
                      static_cast<lxw_row_t>(j), charts++, scale);
      i = j;
    }
  }
  for (const qa::CoderScore& s : report.trend) {
    w.NextRow();
    w.String(kTrendCoder, s.coder_id);
    w.String(kTrendPeriod, s.period);
    w.Number(kTrendEncounters, s.encounters);
    w.Number(kTrendCodes, s.codes_reviewed);
    w.Number(kTrendErrors, s.errors);
    w.Number(kTrendWeighted, s.weighted_errors, formats.decimal);
    WriteRate(w, kTrendAccuracy, s.code_accuracy, s.code_interval, formats.percent);
    w.Number(kTrendClaim, s.claim_accuracy, formats.percent);
    w.Number(kTrendNet, NetDollars(s), formats.money, 12);
    w.Number(kTrendBenchmark, s.benchmark, formats.percent);
    // A period with fewer encounters than the policy's minimum gets no verdict: its
    // interval (beside it) is the honest answer.
    if (s.encounters < min_encounters)
      w.String(kTrendResult, "too few (" + std::to_string(s.encounters) + " < " +
                                 std::to_string(min_encounters) + ")", formats.result);
    else
      w.String(kTrendResult, ResultText(s.pass), formats.result);
  }
  w.Finish();
}

// ---------------------------------------------------------------------------------------
// Auditors: rebuttals and overturns per auditor.

constexpr std::array<std::string_view, 9> kAuditorHeaders = {
    "Auditor", "Encounters", "Differences", "Rebutted", "Decided", "Overturned",
    "Overturn rate", "Overturn CI low", "Overturn CI high"};

void WriteAuditors(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
                   std::set<std::string>& used_names) {
  SheetWriter w(wb, formats, "Auditors", used_names, kAuditorHeaders, report.auditors.size(),
                kExcelMaxRows);
  for (const qa::AuditorReview& a : report.auditors) {
    w.NextRow();
    w.String(0, a.auditor_id);
    w.Number(1, a.encounters);
    w.Number(2, a.differences);
    w.Number(3, a.rebutted);
    w.Number(4, a.decided);
    w.Number(5, a.overturned);
    if (a.decided > 0) WriteRate(w, 6, a.overturn_rate, a.overturn_interval, formats.percent);
  }
  w.Finish();
}

constexpr std::array<std::string_view, 12> kFindingHeaders = {
    "Encounter", "Coder", "Provider", "Rule", "Version", "Category", "Severity",
    "Disposition", "Lines", "Values", "Message", "Citation"};

void WriteFindings(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
                   std::set<std::string>& used_names, uint32_t max_rows) {
  SheetWriter w(wb, formats, "Findings", used_names, kFindingHeaders, report.findings.size(),
                max_rows);
  for (const runs::FindingRow& row : report.findings) {
    const Finding& f = row.finding;
    std::string lines, values;
    for (size_t i = 0; i < f.lines.size(); ++i)
      lines += (i ? "," : "") + std::to_string(f.lines[i]);
    for (size_t i = 0; i < f.values.size(); ++i)
      values += (i ? "; " : "") + f.values[i].first + "=" + f.values[i].second;
    w.NextRow();
    w.String(0, f.encounter_id);
    w.String(1, row.coder_id);
    w.String(2, row.provider_id);
    w.String(3, f.rule_id);
    w.String(4, f.rule_version);
    w.String(5, f.category);
    w.String(6, ToString(f.severity));
    w.String(7, ToString(f.disposition));
    w.String(8, lines);
    w.String(9, values);
    w.String(10, f.message);
    w.String(11, f.citation);
  }
  w.Finish();
}

// Key/value rows (Run and Policy sheets), gathered first because a SheetWriter needs its
// row count.
class KeyRows {
 public:
  enum class Kind : uint8_t { kSection, kText, kNumber, kPercent, kMoney, kBlank };
  struct Row {
    Kind kind = Kind::kBlank;
    std::string key;
    std::string text;
    double number = 0;
  };

  void Section(std::string title) { rows_.push_back({Kind::kSection, std::move(title), "", 0}); }
  void Blank() { rows_.push_back({}); }
  void Text(std::string key, std::string value) {
    rows_.push_back({Kind::kText, std::move(key), std::move(value), 0});
  }
  void Number(std::string key, double value) { Add(Kind::kNumber, std::move(key), value); }
  void Percent(std::string key, double value) { Add(Kind::kPercent, std::move(key), value); }
  void Money(std::string key, double value) { Add(Kind::kMoney, std::move(key), value); }
  const std::vector<Row>& Rows() const { return rows_; }

 private:
  void Add(Kind kind, std::string key, double value) {
    rows_.push_back({kind, std::move(key), "", value});
  }
  std::vector<Row> rows_;
};

void WriteKeyValues(lxw_workbook* wb, const Formats& formats, const std::string& name,
                    const KeyRows& key_rows, std::set<std::string>& used_names) {
  using Kind = KeyRows::Kind;
  const std::vector<KeyRows::Row>& rows = key_rows.Rows();
  static constexpr std::array<std::string_view, 2> kHeaders = {"Field", "Value"};
  SheetWriter w(wb, formats, name, used_names, kHeaders, rows.size(), kExcelMaxRows);
  for (const KeyRows::Row& row : rows) {
    w.NextRow();
    switch (row.kind) {
      case Kind::kSection: w.String(0, row.key, formats.section); break;
      case Kind::kText:
        w.String(0, row.key);
        w.String(1, row.text);
        break;
      case Kind::kNumber:
        w.String(0, row.key);
        w.Number(1, row.number, nullptr, 12);
        break;
      case Kind::kPercent:
        w.String(0, row.key);
        w.Number(1, row.number, formats.percent);
        break;
      case Kind::kMoney:
        w.String(0, row.key);
        w.Number(1, row.number, formats.money, 12);
        break;
      case Kind::kBlank: break;
    }
  }
  w.Finish();
}

void AddRunInfo(KeyRows& rows, const runs::RunInfo& run, std::string_view title,
                std::string_view prefix) {
  rows.Section(std::string(title));
  const auto text = [&](std::string_view key, std::string_view value) {
    rows.Text(std::string(prefix) + std::string(key), std::string(value));
  };
  const auto number = [&](std::string_view key, int64_t value) {
    rows.Number(std::string(prefix) + std::string(key), static_cast<double>(value));
  };
  // "run id" for the score run, "check run id" (not "check run run id") for the other.
  number(prefix.empty() ? "run id" : "id", run.run_id);
  text("kind", run.kind);
  number("parent run", run.parent_run_id);
  text("started at", run.started_at);
  text("finished at", run.finished_at);
  text("tool version", run.tool_version);
  text("rule set name", run.rule_set_name);
  text("rule set version", run.rule_set_version);
  text("rule set hash", run.rule_set_hash);
  number("records read", run.records_read);
  number("records processed", run.records_processed);
  number("records rejected", run.records_rejected);
  number("encounters read", run.encounters_read);
  number("encounters processed", run.encounters_processed);
  number("encounters rejected", run.encounters_rejected);
  number("findings", run.findings);
  // Check runs that could not judge every claim say so (absent otherwise: older runs and
  // fully covered ones render as before).
  if (run.claims_not_checked > 0) number("claims not checked", run.claims_not_checked);
  for (size_t i = 0; i < run.inputs.size(); ++i) {
    const runs::RunInput& in = run.inputs[i];
    const std::string key = "input " + std::to_string(i + 1) + " ";
    text(key + "role", in.role);
    text(key + "path", in.path);
    text(key + "sha256", in.sha256);
    number(key + "bytes", in.bytes);
  }
}

void WriteRun(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
              std::set<std::string>& used_names) {
  KeyRows rows;
  AddRunInfo(rows, report.run, "Score run", "");
  rows.Percent("benchmark", report.benchmark);
  if (report.check_run.run_id != 0 || !report.check_run.kind.empty()) {
    rows.Blank();
    AddRunInfo(rows, report.check_run, "Check run", "check run ");
  }
  WriteKeyValues(wb, formats, "Run", rows, used_names);
}

std::string Weight(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", w);
  return buf;
}

void WritePolicy(lxw_workbook* wb, const Formats& formats, const runs::AccuracyReport& report,
                 std::set<std::string>& used_names) {
  const qa::ScoringPolicy& p = report.policy;
  const runs::ScoringInfo& s = report.scoring;
  KeyRows rows;
  const auto text = [&](std::string key, std::string value) {
    rows.Text(std::move(key), std::move(value));
  };
  rows.Section("Scoring policy (frozen into the run)");
  text("policy id", p.id);
  text("policy version", p.version);
  text("policy title", p.title);
  text("policy sha256", p.sha256);
  text("source", s.policy_text.empty() ? "built-in default (run stored before policies)"
                                       : "stored with the run");
  text("scored", qa::DescribeScope(p));
  auto describe = [](const qa::OutcomeRule& r) {
    std::string v = r.error ? "error, weight " + Weight(r.weight) : "not an error";
    if (r.error && r.principal_weight != r.weight)
      v += ", principal diagnosis weight " + Weight(r.principal_weight);
    return v;
  };
  for (size_t i = 1; i < qa::kOutcomeCount; ++i) {
    const auto o = static_cast<qa::Outcome>(i);
    text("outcome " + std::string(qa::ToString(o)), describe(p.Rule(o)));
    for (size_t t = 0; t < qa::kItemTypeCount; ++t)
      if (const auto& typed = p.typed[i][t])
        text("outcome " + std::string(qa::ToString(o)) + " on " +
                 std::string(qa::ToString(static_cast<qa::ItemType>(t))),
             describe(*typed));
  }
  rows.Percent("benchmark", report.benchmark);
  if (s.benchmark_override > 0)
    text("benchmark source", "score --benchmark (the policy says " + Weight(p.benchmark) + ")");
  text("pass when", std::string(qa::ToString(p.pass_metric)) + " accuracy (" +
                        std::string(qa::ToString(p.pass_compare)) + ") >= benchmark");
  rows.Number("trend: PASS/FAIL from encounters", p.trend_min_encounters);
  text("interval", std::string(qa::ToString(p.interval)));
  rows.Percent("confidence", p.confidence);
  rows.Blank();
  rows.Section("Scoring run");
  text("origin", s.origin);
  rows.Number("source run", static_cast<double>(s.source_run_id));
  if (s.base_rate > 0) rows.Money("base rate", s.base_rate);
  text("DRG weights sha256", s.drg_weights_sha256);
  text("CC/MCC sha256", s.cc_mcc_sha256);
  if (!report.trend_period.empty()) {
    text("trend period", report.trend_period);
    std::string runs;
    for (int64_t r : report.trend_runs) runs += (runs.empty() ? "" : ", ") + std::to_string(r);
    text("trend runs", runs);
  }
  if (!s.policy_text.empty()) {
    rows.Blank();
    rows.Section("Policy text");
    size_t start = 0, n = 0;
    while (start <= s.policy_text.size()) {
      size_t end = s.policy_text.find('\n', start);
      if (end == std::string::npos) end = s.policy_text.size();
      const std::string line = s.policy_text.substr(start, end - start);
      if (!(end == s.policy_text.size() && line.empty()))
        text("line " + std::to_string(++n), line);
      start = end + 1;
    }
  }
  WriteKeyValues(wb, formats, "Policy", rows, used_names);
}

// constant_memory keeps one temp file open per worksheet until close. Reports with many
// coders need more descriptors than a common soft limit of 1024, so raise the soft limit
// (up to the hard one) rather than fail; the output does not depend on it.
void EnsureFileDescriptors(size_t sheet_count) {
  const auto needed = static_cast<rlim_t>(sheet_count + 64);  // + stdio, zip, callers
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
      limit.rlim_cur >= needed)
    return;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed)
    Fail("the workbook has " + std::to_string(sheet_count) +
         " sheets and needs about that many open files; the limit is " +
         std::to_string(limit.rlim_max) + " (ulimit -n)");
  limit.rlim_cur = needed;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
    Fail(std::string("cannot raise the open-file limit: ") + std::strerror(errno));
}

size_t SheetsFor(size_t rows, uint32_t max_rows) {
  const size_t per_sheet = max_rows - 1;  // minus the header
  return rows == 0 ? 1 : (rows + per_sheet - 1) / per_sheet;
}

std::string PercentText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100.0);
  return buf;
}

// The top of a coder's own workbook: who, which run, their result and scores, and what to
// fill in. Written above the table of their rows; returns the rows it used.
lxw_row_t WriteFeedbackBlock(lxw_worksheet* sheet, const Formats& formats,
                             const runs::AccuracyReport& report, const qa::CoderScore& s,
                             bool with_matches) {
  const auto text = [&](lxw_row_t row, lxw_col_t col, const std::string& value,
                        lxw_format* format = nullptr) {
    Check(worksheet_write_string(sheet, row, col, CellText(value).c_str(), format), "write text");
  };
  const auto number = [&](lxw_row_t row, lxw_col_t col, double value, lxw_format* format) {
    Check(worksheet_write_number(sheet, row, col, value, format), "write number");
  };
  text(0, 0, "Coding feedback for coder " + s.coder_id, formats.title);
  text(1, 0, "Score run " + std::to_string(report.run.run_id) + " of check run " +
                 std::to_string(report.check_run.run_id) + ", scored " +
                 report.run.started_at + "; policy " + report.policy.id + " " +
                 report.policy.version + " (pass: " +
                 std::string(qa::ToString(report.policy.pass_metric)) + " accuracy" +
                 (report.policy.pass_compare == qa::PassCompare::kLowerBound
                      ? "'s interval lower bound" : "") +
                 " >= benchmark)");
  // Two columns of key/value pairs: B/C and F/G (wide enough: see kFeedbackWidths).
  const std::string ci = PercentText(report.policy.confidence) + " interval";
  const lxw_row_t top = 3;
  // Row by row (constant_memory writes each row once, in order).
  text(top, 1, "Result", formats.header);
  text(top, 2, std::string(ResultText(s.pass)), s.pass ? formats.pass_block : formats.fail_block);
  text(top, 5, "Claim accuracy", formats.header);
  number(top, 6, s.claim_accuracy, formats.percent);
  text(top + 1, 1, "Code accuracy", formats.header);
  number(top + 1, 2, s.code_accuracy, formats.percent);
  text(top + 1, 5, "DRG accuracy", formats.header);
  if (s.drg_encounters > 0)
    number(top + 1, 6, s.drg_accuracy, formats.percent);
  else
    text(top + 1, 6, "no DRG audited");
  text(top + 2, 1, ci, formats.header);
  text(top + 2, 2, PercentText(s.code_interval.low) + " to " + PercentText(s.code_interval.high));
  text(top + 2, 5, "Net payment impact", formats.header);
  number(top + 2, 6, NetDollars(s), formats.money);
  text(top + 3, 1, "Benchmark", formats.header);
  number(top + 3, 2, s.benchmark, formats.percent);
  text(top + 3, 5, "Encounters audited", formats.header);
  number(top + 3, 6, s.encounters, nullptr);
  text(top + 4, 1, "Counted errors", formats.header);
  number(top + 4, 2, s.errors, nullptr);
  text(top + 4, 5, "Codes reviewed", formats.header);
  number(top + 4, 6, s.codes_reviewed, nullptr);
  text(top + 6, 0, "To respond: fill in the yellow columns. Rebuttal: agree or disagree with "
                   "the auditor; Coder comment: why. A reviewer then fills in Final decision "
                   "(upheld or overturned) and Decision note.", formats.section);
  text(top + 7, 0, std::string("Rows: counted errors first (red), then differences that do "
                               "not count (amber)") +
                       (with_matches ? ", then the codes that matched." : "; matching codes "
                                       "are not listed (report --coder ID --matches lists them)."));
  return top + 9;  // a blank row, then the table's header
}
// Key columns B and F, value columns C and G of the block.
const std::vector<size_t> kFeedbackWidths = {0, 18, 14, 0, 0, 18, 14};

void Build(lxw_workbook* wb, const runs::AccuracyReport& report,
           const AccuracyWorkbookOptions& options) {
  if (options.feedback && report.coders.size() != 1)
    throw InputError("a coder's feedback workbook needs exactly one coder in the report, not " +
                     std::to_string(report.coders.size()));
  std::string title = (options.feedback ? "Coding feedback for coder " + report.coders[0].coder_id +
                                              ", score run "
                                        : std::string("Coder accuracy, score run ")) +
                      std::to_string(report.run.run_id);
  std::string subject = "Coder QA accuracy";
  std::string author = "coderaudit";
  lxw_doc_properties props{};
  props.title = title.data();
  props.subject = subject.data();
  props.author = author.data();
  props.created = ParseUtc(report.run.started_at);
  if (props.created <= 0)
    throw InputError("accuracy workbook: the score run's start time is not an ISO 8601 UTC "
                     "time after 1970: '" + report.run.started_at + "'");
  Check(workbook_set_properties(wb, &props), "workbook properties");

  Formats formats = MakeFormats(wb);
  formats.page.report = options.feedback ? "Coding feedback: coder " + CellText(report.coders[0].coder_id, 60)
                                         : "Coder accuracy";
  formats.page.run = "Score run " + std::to_string(report.run.run_id) + " (check run " +
                     std::to_string(report.check_run.run_id) + ")";
  formats.page.date = report.run.started_at;
  std::set<std::string> used_names;
  constexpr std::array<std::string_view, 8> kFixedSheets = {
      "Summary", kDetailSheet, "Error categories", "Trend", "Auditors", "Findings", "Policy", "Run"};
  for (std::string_view fixed : kFixedSheets)
    UniqueSheetName("", fixed, used_names);

  // Group diffs by coder, keeping report order within a coder. Coders come in report
  // order; a coder present only in the diffs gets a sheet too, after them, sorted by id.
  std::map<std::string, std::vector<const qa::CodeDiff*>> diffs_by_coder;
  for (const qa::CodeDiff& d : report.diffs) diffs_by_coder[d.coder_id].push_back(&d);
  std::vector<std::string> coder_order;
  std::set<std::string> seen;
  for (const qa::CoderScore& s : report.coders)
    if (seen.insert(s.coder_id).second) coder_order.push_back(s.coder_id);
  for (const auto& [coder, unused] : diffs_by_coder)
    if (seen.insert(coder).second) coder_order.push_back(coder);

  std::map<std::string, std::string> coder_sheets;
  std::vector<std::string> sheet_names;
  for (const std::string& coder : coder_order) {
    sheet_names.push_back(UniqueSheetName("Coder ", coder, used_names));
    coder_sheets[coder] = sheet_names.back();
  }
  if (options.constant_memory) {
    size_t sheets = 7 + SheetsFor(report.findings.size(), options.max_rows_per_sheet);
    for (const std::string& coder : coder_order) {
      const auto it = diffs_by_coder.find(coder);
      sheets += SheetsFor(it == diffs_by_coder.end() ? 0 : it->second.size(),
                          options.max_rows_per_sheet);
    }
    EnsureFileDescriptors(sheets);
  }

  static const std::vector<const qa::CodeDiff*> kNone;
  const auto rows_of = [&](size_t i) {
    const auto it = diffs_by_coder.find(coder_order[i]);
    return ErrorsFirst(it == diffs_by_coder.end() ? kNone : it->second, report.policy,
                       !options.feedback || options.feedback_matches);
  };
  // Sheets are written one after another, each top to bottom, as constant_memory needs.
  if (options.feedback) {
    // A coder's own workbook: their sheet first, under a block with their scores; then
    // their categories, trend and findings; no other coder appears anywhere.
    const qa::CoderScore& coder = report.coders[0];
    WriteCoderSheet(wb, formats, sheet_names[0], rows_of(0), report.policy, used_names,
                    options.max_rows_per_sheet,
                    [&](lxw_worksheet* sheet) {
                      worksheet_activate(sheet);
                      return WriteFeedbackBlock(sheet, formats, report, coder,
                                                options.feedback_matches);
                    },
                    kFeedbackWidths);
    WriteErrorCategories(wb, formats, report, used_names, false);
    if (!report.trend.empty()) WriteTrend(wb, formats, report, used_names);
  } else {
    // The team's workbook: the overview sheets, then one sheet per coder.
    WriteSummary(wb, formats, report, coder_sheets, used_names);
    WriteSummaryDetail(wb, formats, report, used_names);
    WriteErrorCategories(wb, formats, report, used_names, true);
    WriteTrend(wb, formats, report, used_names);
    WriteAuditors(wb, formats, report, used_names);
    for (size_t i = 0; i < coder_order.size(); ++i)
      WriteCoderSheet(wb, formats, sheet_names[i], rows_of(i), report.policy, used_names,
                      options.max_rows_per_sheet);
  }
  WriteFindings(wb, formats, report, used_names, options.max_rows_per_sheet);
  WritePolicy(wb, formats, report, used_names);
  WriteRun(wb, formats, report, used_names);
}

}  // namespace

void WriteAccuracyWorkbook(const runs::AccuracyReport& report, const std::string& path,
                           const AccuracyWorkbookOptions& options) {
  if (options.max_rows_per_sheet < 2 || options.max_rows_per_sheet > kExcelMaxRows)
    throw InputError("accuracy workbook: max_rows_per_sheet must be 2.." +
                     std::to_string(kExcelMaxRows));
  io::OutputFile temp(path, "accuracy workbook");
  lxw_workbook_options lxw_options{};
  lxw_options.constant_memory = options.constant_memory ? LXW_TRUE : LXW_FALSE;
  lxw_options.tmpdir = nullptr;  // the system temp dir, for per-sheet and zip scratch files
  lxw_options.use_zip64 = LXW_FALSE;
  WorkbookPtr wb(workbook_new_opt(temp.Path().c_str(), &lxw_options));
  if (!wb) Fail("cannot create workbook " + temp.Path());
  Build(wb.get(), report, options);
  // workbook_close frees the workbook whatever happens, and it is where a bad path, a
  // full disk or a failed zip shows up: check it, or a broken file would be renamed.
  const lxw_error closed = workbook_close(wb.release());
  Check(closed, "close " + temp.Path());
  temp.Commit();
}

void WriteAccuracyWorkbook(const runs::AccuracyReport& report, const std::string& path) {
  WriteAccuracyWorkbook(report, path, AccuracyWorkbookOptions{});
}

}  // namespace coderaudit::reports
