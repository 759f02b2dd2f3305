#include "reports/xlsx/findings_workbook.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "audit/model/error.hpp"
#include "reports/xlsx/cell_text.hpp"
#include "reports/xlsx/page_layout.hpp"
#include "audit/io/output_file.hpp"
#include "reports/xlsx/workbook_file.hpp"

namespace coderaudit::reports {

namespace {

[[noreturn]] void Fail(const std::string& why) {
  throw SystemError("cannot write findings workbook: " + why);
}

struct Formats {
  lxw_format* bold = nullptr;
  lxw_format* header = nullptr;
  lxw_format* title = nullptr;
  lxw_format* wrap = nullptr;  // long text: wrapped and top-aligned
  lxw_format* left = nullptr;  // numbers in a key/value column, aligned with the text
  lxw_format* top = nullptr;
  lxw_format* indent = nullptr;
  lxw_format* count = nullptr;  // top-aligned, centred
  PageTitles page;              // printed on every page (fixed per workbook)
};

// Writes rows top to bottom; every string goes through CellText (never a formula).
class Sheet {
 public:
  Sheet(lxw_workbook* wb, const char* name, const Formats& f) : f_(f) {
    ws_ = workbook_add_worksheet(wb, name);
    if (!ws_) Fail(std::string("cannot add sheet ") + name);
    // Printed as people read it: the layout every workbook shares (page_layout.hpp).
    SetPageLayout(ws_, f_.page, 1, 0);
  }
  lxw_worksheet* Ws() const { return ws_; }
  Sheet& Text(const std::string& s, lxw_format* f = nullptr) {
    worksheet_write_string(ws_, row_, col_++, CellText(s).c_str(), f);
    return *this;
  }
  Sheet& Number(double v, lxw_format* f = nullptr) {
    worksheet_write_number(ws_, row_, col_++, v, f);
    return *this;
  }
  void Next() {
    ++row_;
    col_ = 0;
  }
  // A header row with a frozen pane below it, an autofilter over `rows` data rows and the
  // header repeated on every printed page.
  void Header(const std::vector<std::string>& names, size_t rows) {
    for (const auto& n : names) Text(n, f_.header);
    const lxw_row_t at = row_;
    worksheet_freeze_panes(ws_, at + 1, 0);
    worksheet_autofilter(ws_, at, 0, static_cast<lxw_row_t>(at + rows),
                         static_cast<lxw_col_t>(names.size() - 1));
    SetPageLayout(ws_, f_.page, at, at);
    Next();
  }
  void Widths(std::initializer_list<double> widths) {
    lxw_col_t c = 0;
    for (double w : widths) worksheet_set_column(ws_, c, c, w, nullptr), ++c;
  }
  lxw_row_t Row() const { return row_; }

 private:
  lxw_worksheet* ws_ = nullptr;
  const Formats& f_;
  lxw_row_t row_ = 0;
  lxw_col_t col_ = 0;
};

struct Tally {
  int64_t findings = 0;
  std::vector<std::string> claims;  // distinct, collected then counted
};

// Counts per key, sorted by key (deterministic).
std::map<std::string, Tally> CountBy(const runs::FindingsReport& r,
                                     std::string (*key)(const runs::FindingRow&)) {
  std::map<std::string, Tally> out;
  for (const auto& row : r.findings) {
    Tally& t = out[key(row)];
    t.findings++;
    if (t.claims.empty() || t.claims.back() != row.finding.encounter_id)
      t.claims.push_back(row.finding.encounter_id);
  }
  for (auto& [k, t] : out) {
    std::sort(t.claims.begin(), t.claims.end());
    t.claims.erase(std::unique(t.claims.begin(), t.claims.end()), t.claims.end());
  }
  return out;
}

std::string Or(const std::string& s, const char* none) { return s.empty() ? none : s; }

void WriteSummary(lxw_workbook* wb, const Formats& f, const runs::FindingsReport& r) {
  Sheet s(wb, "Summary", f);
  s.Widths({34, 10, 10, 40});
  worksheet_set_column(s.Ws(), 3, 3, 40, f.indent);  // apart from the counts beside it
  s.Text("Findings of check run " + std::to_string(r.run.run_id), f.title);
  s.Next();
  s.Text("Rule set " + r.run.rule_set_name + " " + r.run.rule_set_version);
  s.Next();
  s.Text("Claims " + std::to_string(r.claims) + ": held " + std::to_string(r.held) +
         ", released " + std::to_string(r.released) + "; not checked " +
         std::to_string(r.run.claims_not_checked) + "; encounters rejected " +
         std::to_string(r.run.encounters_rejected));
  s.Next();
  s.Next();

  // The rule table first, with an autofilter and frozen header; the chart plots it.
  const auto by_rule = CountBy(r, [](const runs::FindingRow& x) { return x.finding.rule_id; });
  std::map<std::string, std::string> titles;
  for (const auto& row : r.findings)
    titles.emplace(row.finding.rule_id, row.finding.category + " (" +
                                            std::string(ToString(row.finding.disposition)) + ")");
  s.Header({"Rule", "Findings", "Claims", "Category (disposition)"}, by_rule.size());
  const lxw_row_t first = s.Row();
  for (const auto& [rule, t] : by_rule) {
    s.Text(rule).Number(static_cast<double>(t.findings)).Number(static_cast<double>(t.claims.size()))
        .Text(titles[rule]);
    s.Next();
  }
  const lxw_row_t last = s.Row() == first ? first : s.Row() - 1;
  s.Next();

  auto section = [&](const char* title, std::string (*key)(const runs::FindingRow&)) {
    const auto counts = CountBy(r, key);
    s.Text(title, f.header).Text("Findings", f.header).Text("Claims", f.header);
    s.Next();
    for (const auto& [k, t] : counts) {
      s.Text(k).Number(static_cast<double>(t.findings)).Number(static_cast<double>(t.claims.size()));
      s.Next();
    }
    s.Next();
  };
  section("Disposition", [](const runs::FindingRow& x) { return std::string(ToString(x.finding.disposition)); });
  section("Provider", [](const runs::FindingRow& x) { return Or(x.provider_id, "(none)"); });
  section("Payer", [](const runs::FindingRow& x) { return Or(x.payer, "(none)"); });
  if (!r.run.not_checked.empty()) {
    s.Text("Not checked: rule", f.header).Text("Claims", f.header).Text("", f.header)
        .Text("First table and date without a version", f.header);
    s.Next();
    for (const auto& c : r.run.not_checked) {
      s.Text(c.rule_id).Number(static_cast<double>(c.claims)).Text("").Text(c.table + " " + c.date);
      s.Next();
    }
  }

  if (!by_rule.empty()) {
    lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_BAR);
    lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
    chart_series_set_categories(series, "Summary", first, 0, last, 0);
    chart_series_set_values(series, "Summary", first, 1, last, 1);
    chart_series_set_name(series, "Findings");
    chart_title_set_name(chart, "Findings by rule");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    chart_axis_set_reverse(chart->y_axis);  // first rule on top, as in the table
    // Whole findings on the value axis: a step of 1, or coarser for large counts.
    int64_t most = 1;
    for (const auto& [rule, t] : by_rule) most = std::max(most, t.findings);
    chart_axis_set_major_unit(chart->x_axis, static_cast<double>((most + 7) / 8));
    chart_axis_set_num_format(chart->x_axis, "#,##0");
    lxw_chart_options place{};
    place.x_scale = 1.3;
    place.y_scale = std::max(1.0, static_cast<double>(by_rule.size()) / 12.0);
    worksheet_insert_chart_opt(s.Ws(), 0, 5, chart, &place);
  }
}

void WriteHeld(lxw_workbook* wb, const Formats& f, const runs::FindingsReport& r) {
  Sheet s(wb, "Held claims", f);
  const double widths[] = {16, 12, 8, 12, 9, 9, 12, 70};
  for (lxw_col_t c = 0; c < std::size(widths); ++c)
    worksheet_set_column(s.Ws(), c, c, widths[c],
                         c == 7 ? f.wrap : c >= 4 ? f.count : f.top);  // counts under their headers
  s.Header({"Encounter", "Provider", "Coder", "Payer", "Holding", "Findings", "Not checked",
            "Why held"},
           r.held_claims.size());
  for (const auto& h : r.held_claims) {
    const size_t lines = (DisplayWidth(CellText(h.reasons)) + 67) / 68;
    if (lines > 1)
      worksheet_set_row(s.Ws(), s.Row(), 15.0 * static_cast<double>(std::min<size_t>(lines, 20)),
                        nullptr);
    s.Text(h.encounter_id).Text(h.provider_id).Text(h.coder_id).Text(h.payer)
        .Number(static_cast<double>(h.holding_findings)).Number(static_cast<double>(h.findings))
        .Number(static_cast<double>(h.not_checked)).Text(h.reasons);
    s.Next();
  }
  s.Next();
  s.Text("Held under: " + Or(r.hold_policy, "(no disposition)") +
         (r.hold_unchecked ? "; claims not checked are held" : "; claims not checked are released"));
  s.Next();
  if (!r.all_claims_listed) {
    s.Text("Run stored with --store findings: claims without findings were not stored; " +
           std::to_string(r.released) + " claims released.");
    s.Next();
  }
}

void WriteFindings(lxw_workbook* wb, const Formats& f, const runs::FindingsReport& r) {
  Sheet s(wb, "Findings", f);
  // Values that fired, citation and message wrap; every cell is top-aligned so a row
  // reads across when it is several lines high.
  const double widths[] = {14, 14, 8, 17, 8, 15, 7, 30, 36, 50, 12, 7, 11};
  for (lxw_col_t c = 0; c < std::size(widths); ++c)
    worksheet_set_column(s.Ws(), c, c, widths[c], c >= 7 && c <= 9 ? f.wrap : f.top);
  s.Header({"Encounter", "Rule", "Version", "Disposition", "Severity", "Category", "Lines",
            "Values that fired", "Citation", "Message", "Provider", "Coder", "Payer"},
           r.findings.size());
  for (const auto& row : r.findings) {
    const Finding& x = row.finding;
    // Readers do not grow rows for wrapped text by themselves: the height follows the
    // longest wrapped cell, estimated from its characters and the column width.
    const std::string values = ValuesText(x);
    size_t lines = 1;
    for (const auto& [text, width] : {std::pair<const std::string&, size_t>{values, 30},
                                      {x.citation, 36}, {x.message, 50}})
      lines = std::max(lines, (DisplayWidth(CellText(text)) + width - 3) / (width - 2));
    worksheet_set_row(s.Ws(), s.Row(), 15.0 * static_cast<double>(std::min<size_t>(lines, 20)),
                      nullptr);
    s.Text(x.encounter_id).Text(x.rule_id).Text(x.rule_version)
        .Text(std::string(ToString(x.disposition))).Text(std::string(ToString(x.severity)))
        .Text(x.category).Text(LinesText(x)).Text(values).Text(x.citation).Text(x.message)
        .Text(row.provider_id).Text(row.coder_id).Text(row.payer);
    s.Next();
  }
}

void WriteRun(lxw_workbook* wb, const Formats& f, const runs::FindingsReport& r) {
  Sheet s(wb, "Run", f);
  s.Widths({30, 70, 68, 14});
  const runs::RunInfo& run = r.run;
  auto kv = [&](const std::string& k, const std::string& v) {
    s.Text(k, f.bold).Text(v);
    s.Next();
  };
  auto kn = [&](const std::string& k, int64_t v) {
    s.Text(k, f.bold).Number(static_cast<double>(v), f.left);
    s.Next();
  };
  kn("check run", run.run_id);
  kv("started at", run.started_at);
  kv("finished at", run.finished_at);
  kv("tool version", run.tool_version);
  kv("rule set id", run.rule_set_name);
  kv("rule set version", run.rule_set_version);
  kv("rule set sha256", run.rule_set_hash);
  kn("records read", run.records_read);
  kn("records processed", run.records_processed);
  kn("records rejected", run.records_rejected);
  kn("encounters read", run.encounters_read);
  kn("encounters processed", run.encounters_processed);
  kn("encounters rejected", run.encounters_rejected);
  kn("claims not checked", run.claims_not_checked);
  kn("findings", run.findings);
  kn("claims held", r.held);
  kn("claims released", r.released);
  kv("hold policy", Or(r.hold_policy, "(none)") + (r.hold_unchecked ? " + not checked" : ""));
  s.Next();
  s.Text("Input role", f.header).Text("Path", f.header).Text("SHA-256", f.header)
      .Text("Bytes", f.header);
  s.Next();
  for (const auto& in : run.inputs) {
    s.Text(in.role).Text(in.path).Text(in.sha256).Number(static_cast<double>(in.bytes));
    s.Next();
  }
}

}  // namespace

void WriteFindingsWorkbook(const runs::FindingsReport& r, const std::string& path) {
  io::OutputFile temp(path, "findings workbook");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;  // the chart and autofilters need random access
  lxw_workbook* wb = workbook_new_opt(temp.Path().c_str(), &options);
  if (!wb) Fail("cannot create " + temp.Path());
  struct Closer {
    lxw_workbook* wb;
    bool closed = false;
    ~Closer() {
      if (!closed) lxw_workbook_free(wb);
    }
  } closer{wb};

  lxw_doc_properties props{};
  props.title = const_cast<char*>("Findings");
  props.author = const_cast<char*>("coderaudit");
  props.created = ParseUtc(r.run.started_at);  // byte-identical on re-render
  workbook_set_properties(wb, &props);
  Formats f;
  f.page = {"Findings", "Check run " + std::to_string(r.run.run_id), r.run.started_at};
  f.bold = workbook_add_format(wb);
  format_set_bold(f.bold);
  f.header = workbook_add_format(wb);
  format_set_bold(f.header);
  format_set_bg_color(f.header, 0xD9E1F2);
  format_set_bottom(f.header, LXW_BORDER_THIN);
  f.wrap = workbook_add_format(wb);
  format_set_text_wrap(f.wrap);
  format_set_align(f.wrap, LXW_ALIGN_VERTICAL_TOP);
  f.count = workbook_add_format(wb);
  format_set_align(f.count, LXW_ALIGN_CENTER);
  format_set_align(f.count, LXW_ALIGN_VERTICAL_TOP);
  f.indent = workbook_add_format(wb);
  format_set_indent(f.indent, 1);
  f.top = workbook_add_format(wb);
  format_set_align(f.top, LXW_ALIGN_VERTICAL_TOP);
  f.left = workbook_add_format(wb);
  format_set_align(f.left, LXW_ALIGN_LEFT);
  f.title = workbook_add_format(wb);
  format_set_bold(f.title);
  format_set_font_size(f.title, 14);

  WriteSummary(wb, f, r);
  WriteHeld(wb, f, r);
  WriteFindings(wb, f, r);
  WriteRun(wb, f, r);

  closer.closed = true;
  const lxw_error rc = workbook_close(wb);
  if (rc != LXW_NO_ERROR) Fail(lxw_strerror(rc));
  temp.Commit();
}

}  // namespace coderaudit::reports
