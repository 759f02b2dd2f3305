#include "reports/xlsx/extrapolation_workbook.hpp"

#include <xlsxwriter.h>

#include <map>
#include <memory>

#include "audit/model/error.hpp"
#include "audit/model/money.hpp"
#include "reports/xlsx/cell_text.hpp"
#include "reports/xlsx/page_layout.hpp"
#include "audit/io/output_file.hpp"
#include "reports/xlsx/workbook_file.hpp"

namespace coderaudit::reports {

namespace {

[[noreturn]] void Fail(const std::string& why) {
  throw SystemError("cannot write extrapolation workbook: " + why);
}

// Writes rows top to bottom; every string goes through CellText (never a formula).
class Sheet {
 public:
  Sheet(lxw_workbook* wb, const char* name, lxw_format* bold, const PageTitles& titles)
      : bold_(bold), titles_(titles) {
    ws_ = workbook_add_worksheet(wb, name);
    if (!ws_) Fail(std::string("cannot add sheet ") + name);
    SetPageLayout(ws_, titles_, 1, 0);  // key/value sheets: nothing repeats
  }
  Sheet& Text(const std::string& s, lxw_format* f = nullptr) {
    worksheet_write_string(ws_, row_, col_++, CellText(s).c_str(), f);
    return *this;
  }
  Sheet& Bold(const std::string& s) { return Text(s, bold_); }
  Sheet& Number(double v, lxw_format* f = nullptr) {
    worksheet_write_number(ws_, row_, col_++, v, f);
    return *this;
  }
  Sheet& Skip() {
    ++col_;
    return *this;
  }
  void Next() {
    ++row_;
    col_ = 0;
  }
  // A two-column row: the key in bold, then its value (the Design and Replay sheets).
  void KeyValue(const std::string& key, const std::string& value) {
    Bold(key).Text(value);
    Next();
  }
  // A table's header: frozen, and printed again at the top of every page.
  void Header(std::initializer_list<const char*> names) {
    const lxw_row_t at = row_;
    for (const char* n : names) Bold(n);
    Next();
    worksheet_freeze_panes(ws_, at + 1, 0);
    SetPageLayout(ws_, titles_, at, at);
  }
  void Widths(std::initializer_list<double> widths) {
    lxw_col_t c = 0;
    for (double w : widths) worksheet_set_column(ws_, c, c, w, nullptr), ++c;
  }
  lxw_row_t Row() const { return row_; }

 private:
  lxw_worksheet* ws_ = nullptr;
  lxw_format* bold_;
  const PageTitles& titles_;
  lxw_row_t row_ = 0;
  lxw_col_t col_ = 0;
};

// The columns a stratum row and an OVERALL row of the Appraisal sheet share, from "SE
// total" on: the estimate, the confidence, t or z, and the limits (empty without a t).
// Number formats of the Appraisal sheet. Cells hold the full double (the figures are
// exact to RAT-STATS); the formats show them as an expert report prints them.
struct Formats {
  lxw_format* money;
  lxw_format* t;        // t or z: six decimals
  lxw_format* moment;   // skewness, kurtosis: two decimals, as RAT-STATS prints them
  lxw_format* percent;  // a percentage held as a number 0..100: "50.41%"
  lxw_format* count;    // "#,##0"
};

void WriteEstimate(Sheet& s, double se_total, double point_estimate,
                   const sampling::ConfidenceLimits& l, bool limits_defined, const Formats& f) {
  s.Number(se_total, f.money).Number(point_estimate, f.money).Number(l.confidence * 100, f.percent)
      .Number(l.critical, f.t);
  if (limits_defined)
    s.Number(l.lower, f.money).Number(l.upper, f.money).Number(l.precision, f.money)
        .Number(l.precision_percent, f.percent);
  s.Next();
}

void WriteStats(Sheet& s, const std::string& stratum, const sampling::ValueSetStats& v,
                const Formats& f) {
  for (const auto& l : v.limits) {
    s.Text(stratum).Text(sampling::ValueSetName(v.set)).Number(static_cast<double>(v.n), f.count)
        .Number(static_cast<double>(v.universe), f.count).Number(v.mean, f.money)
        .Number(v.sd, f.money).Number(v.skewness, f.moment).Number(v.kurtosis, f.moment)
        .Number(v.se_mean, f.money);
    WriteEstimate(s, v.se_total, v.point_estimate, l, v.limits_defined, f);
  }
}

// The sample's definition as rows a reader follows (the stored JSON is on Replay).
void WriteDefinition(Sheet& s, const sampling::SampleSpec& spec) {
  using sampling::SampleDesign;
  const bool stratified = spec.design == SampleDesign::kStratified;
  if (stratified && spec.allocation == "proportional")
    s.KeyValue("Sample size", std::to_string(spec.n) + " in total, allocated to the strata "
                              "in proportion to their size");
  else if (stratified)
    s.KeyValue("Sample size", std::to_string(spec.n) + " per stratum (equal allocation)");
  else if (spec.n > 0)
    s.KeyValue("Sample size", std::to_string(spec.n));
  s.KeyValue("Spares", std::to_string(spec.spares) + (stratified ? " per stratum" : " in total"));
  if (!spec.stratify_by.empty()) s.KeyValue("Strata by", spec.stratify_by);
  if (!spec.band_floors.empty()) {
    std::string bands;
    for (size_t i = 0; i < spec.band_floors.size(); ++i)
      bands += (i ? ", " : "") + FormatDollars(spec.band_floors[i]);
    s.KeyValue("Amount bands from", bands);
  }
  if (spec.per_coder > 0 || spec.percent > 0) {
    s.KeyValue("Quota period", spec.period);
    if (spec.per_coder > 0) s.KeyValue("Per coder and period", std::to_string(spec.per_coder));
    if (spec.percent > 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g%%", spec.percent);
      s.KeyValue("Per coder and period", std::string(buf) + " of each coder's period (rounded up)");
    }
  }
  if (spec.design == SampleDesign::kTargeted)
    s.KeyValue("Target", spec.target_rule.empty() ? "encounters with any finding"
                                                  : "encounters with a finding of rule " + spec.target_rule);
}

}  // namespace

void WriteExtrapolationWorkbook(const runs::ExtrapolationReport& r, const std::string& path,
                                const std::string& store_path) {
  io::OutputFile temp(path, "extrapolation workbook");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(temp.Path().c_str(), &options);
  if (!wb) Fail("cannot create " + temp.Path());
  struct Closer {
    lxw_workbook* wb;
    bool closed = false;
    ~Closer() { if (!closed) lxw_workbook_free(wb); }
  } closer{wb};

  lxw_doc_properties props{};
  props.title = const_cast<char*>("Overpayment extrapolation");
  props.author = const_cast<char*>("coderaudit");
  props.created = ParseUtc(r.sample.created_at);
  workbook_set_properties(wb, &props);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  const auto numeric = [&](const char* num_format) {
    lxw_format* f = workbook_add_format(wb);
    format_set_num_format(f, num_format);
    return f;
  };
  const Formats f{numeric(kMoneyFormat), numeric("0.000000"), numeric("0.00"),
                  numeric("0.00\"%\""), numeric("#,##0")};
  lxw_format* money = f.money;
  lxw_format* demand = workbook_add_format(wb);
  format_set_bold(demand);
  format_set_num_format(demand, kMoneyFormat);
  format_set_bg_color(demand, 0xFFF2CC);

  const auto& smp = r.sample.sample;
  const std::string sample_id = std::to_string(r.sample.sample_id);
  const std::string generator = smp.spec.generator + " version " + smp.generator_version;
  const PageTitles titles{"Overpayment extrapolation",
                          "Sample " + sample_id + " of check run " + std::to_string(r.sample.run_id),
                          "drawn " + r.sample.created_at};
  {
    Sheet s(wb, "Design", bold, titles);
    s.Widths({44, 80});
    s.Bold("Demand amount (lower limit, one-sided 90%)").Number(r.demand_amount, demand);
    s.Next();
    s.Next();
    s.KeyValue("Sample", sample_id);
    s.KeyValue("Check run (frame)", std::to_string(r.sample.run_id));
    s.KeyValue("Design", std::string(sampling::ToString(smp.spec.design)));
    s.KeyValue("Statistical", smp.statistical ? "yes" : "NO: never extrapolate");
    WriteDefinition(s, smp.spec);
    s.KeyValue("Generator", generator);
    s.KeyValue("Seed", smp.spec.seed);
    s.KeyValue("Frame", std::to_string(smp.frame_size) + " encounters in " +
                            std::to_string(smp.strata.size()) +
                            (smp.strata.size() == 1 ? " stratum" : " strata") +
                            " (every one listed on the Frame sheet)");
    int64_t frame_cents = 0;
    for (const auto& u : r.frame) frame_cents += u.amount_cents;
    s.Bold("Frame total (billed charges)").Number(static_cast<double>(frame_cents) / 100.0, money);
    s.Next();
    s.KeyValue("Frame SHA-256", smp.frame_sha256);
    s.KeyValue("Drawn at", r.sample.created_at);
    s.KeyValue("Drawn by", r.sample.tool_version);
    s.KeyValue("Reviewed amounts", r.reviewed_path);
    s.KeyValue("Reviewed amounts SHA-256", r.reviewed_sha256);
    s.KeyValue("Method", r.unrestricted ? "unrestricted variable appraisal (t, n-1 df)"
                                : "stratified variable appraisal (strata with t; overall with z)");
  }
  {
    Sheet s(wb, "Frame", bold, titles);
    s.Widths({36, 16, 20, 16, 10});
    s.Header({"Stratum", "Encounters (N_h)", "Billed charges", "Sampled (n)", "Spares"});
    std::map<std::string, int64_t> stratum_cents;
    for (const auto& u : r.frame) stratum_cents[u.stratum] += u.amount_cents;
    uint64_t frame = 0, n = 0, spares = 0;
    int64_t cents = 0;
    for (const auto& st : smp.strata) {
      s.Text(st.name).Number(static_cast<double>(st.frame_size), f.count)
          .Number(static_cast<double>(stratum_cents[st.name]) / 100.0, money)
          .Number(static_cast<double>(st.n), f.count).Number(static_cast<double>(st.spares), f.count);
      s.Next();
      frame += st.frame_size, n += st.n, spares += st.spares, cents += stratum_cents[st.name];
    }
    s.Bold("Total").Number(static_cast<double>(frame), f.count)
        .Number(static_cast<double>(cents) / 100.0, money)
        .Number(static_cast<double>(n), f.count).Number(static_cast<double>(spares), f.count);
    s.Next();
    // Every unit: with the stored definition (Replay sheet), these rows are the canonical
    // frame text whose SHA-256 the sample records, so anyone can recompute it.
    s.Next();
    s.Bold(r.replay_identical ? "The frame, unit by unit (as drawn)"
                              : "The frame as re-derived now (NOT the frame drawn: see Replay)");
    s.Next();
    s.Bold("Stratum").Bold("Encounter").Bold("Position").Bold("Billed charges");
    s.Next();
    for (const auto& u : r.frame) {
      s.Text(u.stratum).Text(u.encounter_id).Number(static_cast<double>(u.position), f.count)
          .Number(static_cast<double>(u.amount_cents) / 100.0, money);
      s.Next();
    }
  }
  {
    Sheet s(wb, "Sample", bold, titles);
    s.Widths({36, 8, 16, 16, 20});
    s.Header({"Stratum", "Role", "Selection order", "Random number", "Encounter"});
    for (const auto& it : smp.items) {
      s.Text(it.stratum).Text(it.role).Number(static_cast<double>(it.selection_order))
          .Number(static_cast<double>(it.position)).Text(it.encounter_id);
      s.Next();
    }
    s.Next();
    if (!r.sample.substitutions.empty()) {
      s.Bold("Substitutions").Next();
      s.Bold("Replaced").Bold("Spare").Bold("Reason").Bold("Recorded").Next();
      for (const auto& sub : r.sample.substitutions) {
        s.Text(sub.replaced).Text(sub.spare).Text(sub.reason).Text(sub.recorded_at);
        s.Next();
      }
    }
  }
  {
    Sheet s(wb, "Items", bold, titles);
    s.Widths({36, 20, 22, 16, 16, 14, 14, 14});
    s.Header({"Stratum", "Encounter", "Role", "Selection order", "Random number", "Examined",
              "Audited", "Difference"});
    double ex = 0, au = 0, di = 0;
    for (const auto& it : r.items) {
      s.Text(it.stratum).Text(it.encounter_id).Text(it.role)
          .Number(static_cast<double>(it.selection_order)).Number(static_cast<double>(it.position))
          .Number(it.examined, money).Number(it.audited, money).Number(it.difference, money);
      s.Next();
      ex += it.examined, au += it.audited, di += it.difference;
    }
    s.Bold("Total").Skip().Skip().Skip().Skip().Number(ex, money).Number(au, money).Number(di, money);
    s.Next();
  }
  {
    Sheet s(wb, "Appraisal", bold, titles);
    s.Widths({16, 12, 6, 8, 12, 12, 10, 10, 12, 15, 16, 12, 10, 16, 16, 15, 12});
    s.Header({"Stratum", "Value set", "n", "N", "Mean", "SD", "Skewness", "Kurtosis",
              "SE mean", "SE total", "Point estimate", "Confidence %", "t or z", "Lower",
              "Upper", "Precision", "Precision %"});
    std::vector<std::string> warnings;
    if (r.unrestricted) {
      for (const auto& v : r.unrestricted->sets) WriteStats(s, "(unrestricted)", v, f);
      warnings = r.unrestricted->warnings;
    } else if (r.stratified) {
      for (const auto& st : r.stratified->strata)
        for (const auto& v : st.sets) WriteStats(s, st.id, v, f);
      for (const auto& o : r.stratified->overall)
        for (const auto& l : o.limits) {
          // z needs no degrees of freedom: the overall limits are always defined.
          s.Bold("OVERALL").Text(sampling::ValueSetName(o.set)).Number(static_cast<double>(o.n), f.count)
              .Number(static_cast<double>(o.universe), f.count).Skip().Skip().Skip().Skip()
              .Number(o.se_mean, f.money);
          WriteEstimate(s, o.se_total, o.point_estimate, l, true, f);
        }
      warnings = r.stratified->warnings;
    }
    s.Next();
    s.Bold("Demand amount").Number(r.demand_amount, demand);
    s.Next();
    s.Text("The lower limit of the one-sided 90% interval (equal to the two-sided 80% lower limit) of the difference (overpayment).");
    s.Next();
    for (const auto& w : warnings) s.Text("Warning: " + w), s.Next();
  }
  {
    Sheet s(wb, "Replay", bold, titles);
    s.Widths({40, 100});
    s.KeyValue("Command", "coderaudit sample replay --db " + store_path + " --sample " + sample_id);
    s.KeyValue("Generator", generator);
    s.KeyValue("Seed", smp.spec.seed);
    s.KeyValue("Definition (stored, JSON)", sampling::SpecToJson(smp.spec));
    s.KeyValue("Frame SHA-256 (stored)", smp.frame_sha256);
    s.KeyValue("Frame SHA-256 (replayed)", r.replayed_frame_sha256);
    s.KeyValue("Replay when this workbook was written",
       r.replay_identical ? "IDENTICAL: same frame, same items in the same selection order"
                          : "NOT IDENTICAL: the stored data changed since the draw");
    s.KeyValue("Frame", "the check run's encounters in encounter-id order within each stratum, "
                "strata in name order; see audit/sampling/README.md");
  }

  closer.closed = true;
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) Fail(std::string(lxw_strerror(err)));
  temp.Commit();
}

}  // namespace coderaudit::reports
