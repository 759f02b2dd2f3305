#include "audit/sampling/render.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace coderaudit::sampling {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// JSON has no NaN or infinity: such a figure is undefined and prints as null.
Poco::Dynamic::Var Num(double v) {
  if (!std::isfinite(v)) return Poco::Dynamic::Var();
  return v;
}

std::string Stringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out, 2);
  out << '\n';
  return out.str();
}

Array::Ptr Strings(const std::vector<std::string>& v) {
  Array::Ptr a = new Array;
  for (const auto& s : v) a->add(s);
  return a;
}

// Inserts thousands separators into the integer part of a plain decimal string.
std::string Group(const std::string& plain) {
  size_t start = (!plain.empty() && plain[0] == '-') ? 1 : 0;
  size_t point = plain.find('.');
  if (point == std::string::npos) point = plain.size();
  std::string out = plain.substr(0, start);
  for (size_t i = start; i < point; ++i) {
    out += plain[i];
    const size_t left = point - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  out += plain.substr(point);
  return out;
}

std::string Pct(double v) { return FormatFixed(v, 2, false) + "%"; }

std::string Confidence(double c) { return FormatFixed(c * 100, 0, false) + "%"; }

void Line(std::string& out, const std::string& label, const std::vector<std::string>& cells,
          int width = 18) {
  // Plain string padding: cells (a SHA-256, a long frame definition) can be any length.
  // A label or cell wider than its column still gets one space before the next.
  out += label;
  out.append(label.size() < 28 ? 28 - label.size() : 1, ' ');
  for (const auto& c : cells) {
    const auto w = static_cast<size_t>(width);
    if (w > 0) out.append(c.size() < w ? w - c.size() : 1, ' ');
    out += c;
  }
  out += '\n';
}

void Warnings(std::string& out, const std::vector<std::string>& warnings) {
  if (warnings.empty()) return;
  out += '\n';
  for (const auto& w : warnings) out += "WARNING: " + w + "\n";
}

const char* DesignTitle(DrawDesign d, size_t k) {
  switch (d) {
    case DrawDesign::kSingleStage: return "SINGLE STAGE RANDOM NUMBERS";
    case DrawDesign::kSets:
      return k == 2 ? "SETS OF TWO RANDOM NUMBERS" : k == 3 ? "SETS OF THREE RANDOM NUMBERS"
                                                            : "SETS OF FOUR RANDOM NUMBERS";
    case DrawDesign::kFrames: return "FRAMES - SINGLE STAGE RANDOM NUMBERS";
  }
  return "";
}

const char* DesignKey(DrawDesign d) {
  switch (d) {
    case DrawDesign::kSingleStage: return "single_stage";
    case DrawDesign::kSets: return "sets";
    case DrawDesign::kFrames: return "frames";
  }
  return "";
}

std::string Whole(int64_t v) { return Group(std::to_string(v)); }

void DrawItemsText(std::string& out, const DrawResult& r, const std::vector<DrawnItem>& items) {
  const bool sets = r.request.design == DrawDesign::kSets;
  const bool frames = r.request.design == DrawDesign::kFrames;
  char buf[64];
  out += "  Selection order";
  if (frames) out += "       Frame";
  if (sets) {
    static const char* const kDims[] = {"First", "Second", "Third", "Fourth"};
    for (size_t d = 0; d < r.request.ranges.size(); ++d) {
      std::snprintf(buf, sizeof buf, "%16s", kDims[d]);
      out += buf;
    }
  } else {
    out += "           Value";
  }
  out += '\n';
  for (const DrawnItem& item : items) {
    std::snprintf(buf, sizeof buf, "%17s", Whole(static_cast<int64_t>(item.order)).c_str());
    out += buf;
    if (frames) {
      std::snprintf(buf, sizeof buf, "%12u", item.frame);
      out += buf;
    }
    for (int64_t v : item.values) {
      std::snprintf(buf, sizeof buf, "%16s", Whole(v).c_str());
      out += buf;
    }
    out += '\n';
  }
}

Array::Ptr DrawItemsJson(const DrawResult& r, const std::vector<DrawnItem>& items) {
  Array::Ptr a = new Array;
  for (const DrawnItem& item : items) {
    Object::Ptr o = NewObject();
    if (r.request.design == DrawDesign::kSets) {
      Array::Ptr values = new Array;
      for (int64_t v : item.values) values->add(Poco::Int64{v});
      o->set("value", values);
    } else {
      o->set("value", Poco::Int64{item.values[0]});
    }
    o->set("order", Poco::UInt64{item.order});
    if (r.request.design == DrawDesign::kFrames) o->set("frame", Poco::UInt32{item.frame});
    a->add(o);
  }
  return a;
}

// ---- variable appraisal ----------------------------------------------------------------

void LimitsJson(Object& o, const std::array<ConfidenceLimits, 3>& limits,
                bool defined, const char* critical_name) {
  Array::Ptr a = new Array;
  if (defined) {
    for (const ConfidenceLimits& l : limits) {
      Object::Ptr lo = NewObject();
      lo->set("confidence", l.confidence);
      lo->set(critical_name, Num(l.critical));
      lo->set("lower", Num(l.lower));
      lo->set("upper", Num(l.upper));
      lo->set("precision", Num(l.precision));
      lo->set("precision_percent", Num(l.precision_percent));
      lo->set("lower_printed", Num(l.lower_printed));
      lo->set("upper_printed", Num(l.upper_printed));
      a->add(lo);
    }
  }
  o.set("limits", a);
}

Object::Ptr ValueSetJson(const ValueSetStats& s) {
  Object::Ptr o = NewObject();
  o->set("value_set", std::string(ValueSetName(s.set)));
  o->set("n", Poco::Int64{s.n});
  o->set("universe", Poco::Int64{s.universe});
  o->set("nonzero", Poco::Int64{s.nonzero});
  o->set("sum", Num(s.sum));
  o->set("mean", Num(s.mean));
  o->set("sd", Num(s.sd));
  o->set("skewness", Num(s.skewness));
  o->set("kurtosis", Num(s.kurtosis));
  o->set("se_mean", Num(s.se_mean));
  o->set("se_total", Num(s.se_total));
  o->set("point_estimate", Num(s.point_estimate));
  o->set("point_estimate_printed", Num(s.point_printed));
  LimitsJson(*o, s.limits, s.limits_defined, "t");
  return o;
}

// RAT-STATS prints one column per value set: the heading, the rows `rows` adds, then at
// each confidence level the critical value, the limits and the precision.
// Without `limits` (fewer than 2 items: no t) a note stands in for the limits. `heading`
// replaces the value set's name above a column (an attribute appraisal counts items).
template <typename Set, typename Rows>
void SetColumnsText(std::string& out, const std::vector<Set>& sets, const char* critical_label,
                    Rows rows, bool limits = true, const char* heading = nullptr) {
  std::vector<std::string> head;
  for (const auto& s : sets) {
    std::string name = heading ? heading : ValueSetName(s.set);
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    head.push_back(name);
  }
  Line(out, "", head);
  auto row = [&](const std::string& label, auto fn) {
    std::vector<std::string> cells;
    for (const auto& s : sets) cells.push_back(fn(s));
    Line(out, label, cells);
  };
  rows(row);
  if (!limits) {
    out += "\n(no confidence limits: fewer than 2 sampled items)\n";
    return;
  }
  for (size_t i = 0; i < kConfidenceLevels.size(); ++i) {
    out += "\n" + Confidence(kConfidenceLevels[i]) + " CONFIDENCE LEVEL (two-sided)\n";
    row(critical_label, [&](const Set& s) { return FormatVb(s.limits[i].critical, 12); });
    row("Lower limit", [&](const Set& s) { return FormatWhole(s.limits[i].lower_printed); });
    row("Upper limit", [&](const Set& s) { return FormatWhole(s.limits[i].upper_printed); });
    row("Precision amount", [&](const Set& s) { return FormatWhole(s.limits[i].precision); });
    row("Precision percent", [&](const Set& s) { return Pct(s.limits[i].precision_percent); });
  }
}

void ValueSetsText(std::string& out, const std::vector<ValueSetStats>& sets) {
  SetColumnsText(out, sets, "t-value used", [](auto row) {
    row("Sample size", [](const ValueSetStats& s) { return Whole(s.n); });
    row("Nonzero items", [](const ValueSetStats& s) { return Whole(s.nonzero); });
    row("Sum", [](const ValueSetStats& s) { return FormatFixed(s.sum, 2, true); });
    row("Mean", [](const ValueSetStats& s) { return FormatFixed(s.mean, 2, true); });
    row("Standard deviation", [](const ValueSetStats& s) { return FormatFixed(s.sd, 2, true); });
    // RAT-STATS prints skewness (and kurtosis) to 2 decimals.
    row("Skewness", [](const ValueSetStats& s) { return FormatFixed(s.skewness, 2, false); });
    row("Kurtosis", [](const ValueSetStats& s) { return FormatFixed(s.kurtosis, 2, false); });
    row("Standard error (mean)", [](const ValueSetStats& s) { return FormatFixed(s.se_mean, 2, true); });
    row("Standard error (total)", [](const ValueSetStats& s) { return FormatWhole(s.se_total); });
    row("Point estimate", [](const ValueSetStats& s) { return FormatWhole(s.point_printed); });
  }, !sets.empty() && sets[0].limits_defined);
}

std::string DemandLine(ValueSet primary, double amount) {
  return std::string("\nAmount demanded (lower limit, one-sided 90% = two-sided 80%, ") +
         ValueSetName(primary) + "): " + FormatWhole(amount) + "\n";
}

// ---- attribute --------------------------------------------------------------------------

// RAT-STATS prints attribute rates (point, limits, standard error) to 3 decimals.
std::string Pct3(double percent) { return FormatFixed(percent, 3, false) + "%"; }

std::string Rate(int64_t k, int64_t n) {
  return Pct3(static_cast<double>(k) / static_cast<double>(n) * 100.0);
}

void AttributeJson(Object& o, const UnrestrictedAttributeAppraisal& a) {
  o.set("universe", Poco::Int64{a.universe});
  o.set("sample_size", Poco::Int64{a.sample_size});
  o.set("errors", Poco::Int64{a.errors});
  o.set("rate", Num(a.rate));
  o.set("projected_errors", Num(a.projected_errors));
  o.set("projected_errors_printed", Num(a.projected_printed));
  if (a.se_defined) {
    o.set("se_rate", Num(a.se_rate));
    o.set("se_total", Num(a.se_total));
  }
  Array::Ptr limits = new Array;
  for (const AttributeLimits& l : a.limits) {
    Object::Ptr lo = NewObject();
    lo->set("confidence", l.confidence);
    lo->set("lower", Poco::Int64{l.lower});
    lo->set("upper", Poco::Int64{l.upper});
    const auto n = static_cast<double>(a.universe);
    lo->set("lower_rate", static_cast<double>(l.lower) / n);
    lo->set("upper_rate", static_cast<double>(l.upper) / n);
    lo->set("one_sided_lower", Poco::Int64{l.one_sided_lower});
    lo->set("one_sided_upper", Poco::Int64{l.one_sided_upper});
    lo->set("one_sided_lower_rate", static_cast<double>(l.one_sided_lower) / n);
    lo->set("one_sided_upper_rate", static_cast<double>(l.one_sided_upper) / n);
    limits->add(lo);
  }
  o.set("limits", limits);
}

void AttributeText(std::string& out, const UnrestrictedAttributeAppraisal& a) {
  Line(out, "Universe size", {Whole(a.universe)});
  Line(out, "Sample size", {Whole(a.sample_size)});
  Line(out, "Errors in sample", {Whole(a.errors)});
  Line(out, "Error rate", {Pct3(a.rate * 100)});
  Line(out, "Projected errors", {FormatWhole(a.projected_printed)});
  // Whole items, as RAT-STATS prints its attribute standard error (total) beside the
  // projected total; the rate's to 3 decimals. JSON keeps the double.
  Line(out, "Standard error (items)", {a.se_defined ? FormatWhole(a.se_total) : "n/a"});
  Line(out, "Standard error (rate)", {a.se_defined ? Pct3(a.se_rate * 100) : "n/a"});
  out += "\n";
  Line(out, "", {"80%", "90%", "95%"}, 14);
  auto row = [&](const std::string& label, auto fn) {
    std::vector<std::string> cells;
    for (const AttributeLimits& l : a.limits) cells.push_back(fn(l));
    Line(out, label, cells, 14);
  };
  row("Two-sided lower (items)", [](const AttributeLimits& l) { return Whole(l.lower); });
  row("Two-sided upper (items)", [](const AttributeLimits& l) { return Whole(l.upper); });
  row("Two-sided lower (rate)", [&](const AttributeLimits& l) { return Rate(l.lower, a.universe); });
  row("Two-sided upper (rate)", [&](const AttributeLimits& l) { return Rate(l.upper, a.universe); });
  row("One-sided lower (items)", [](const AttributeLimits& l) { return Whole(l.one_sided_lower); });
  row("One-sided upper (items)", [](const AttributeLimits& l) { return Whole(l.one_sided_upper); });
  row("One-sided lower (rate)", [&](const AttributeLimits& l) { return Rate(l.one_sided_lower, a.universe); });
  row("One-sided upper (rate)", [&](const AttributeLimits& l) { return Rate(l.one_sided_upper, a.universe); });
}

}  // namespace

std::string FormatFixed(double value, int decimals, bool thousands) {
  // Rounded as RAT-STATS (VB) rounds what it prints: a mean of 10.70 / 4 = 2.675, held as
  // 2.67499999..., prints 2.68, as RAT-STATS prints it (printf would print 2.67).
  const std::string s = FormatVb(value, decimals);
  return thousands && s != "n/a" ? Group(s) : s;
}

std::string FormatVb(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  // VB's Format$ rounds the value's 15-significant-digit decimal form, half away from
  // zero: 1.6991270265335 (stored just below) prints 1.699127026534 to 12 decimals.
  std::string digits;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", std::fabs(value));
  const std::string sci = buf;                         // d.dddddddddddddde[+-]XX
  const int exponent = std::stoi(sci.substr(sci.find('e') + 1));
  digits = sci.substr(0, 1) + sci.substr(2, 14);       // 15 significant digits
  // Position of the decimal point within `digits` is exponent + 1.
  int point = exponent + 1;
  if (point < 1) {
    digits.insert(0, static_cast<size_t>(1 - point), '0');
    point = 1;
  }
  const size_t keep = static_cast<size_t>(point + decimals);
  if (digits.size() < keep + 1) digits.append(keep + 1 - digits.size(), '0');
  const bool up = digits[keep] >= '5';
  digits.resize(keep);
  if (up) {
    size_t i = digits.size();
    while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
    if (i == 0) {
      digits.insert(0, "1");
      ++point;
    } else {
      ++digits[i - 1];
    }
  }
  std::string out = digits.substr(0, static_cast<size_t>(point));
  if (decimals > 0) out += "." + digits.substr(static_cast<size_t>(point));
  const bool zero = out.find_first_not_of("0.") == std::string::npos;
  return (value < 0 && !zero ? "-" : "") + out;
}

std::string FormatWhole(double value) { return FormatFixed(std::round(value), 0, true); }

// ---- draws -------------------------------------------------------------------------------

// ---- RHC selection -------------------------------------------------------------------

std::string RenderText(const RhcSelection& s) {
  std::string out = "RHC SAMPLE SELECTION (Rao, Hartley, Cochran: probability proportional to size)\n\n";
  Line(out, "Generator", {s.generator + " version " + s.generator_version}, 0);
  Line(out, "Seed", {s.seed}, 0);
  Line(out, "Frame SHA-256", {s.frame_sha256}, 0);
  Line(out, "Primary units in frame", {Whole(static_cast<int64_t>(s.frame.size()))}, 0);
  Line(out, "Measure of size in frame", {Whole(s.measure)}, 0);
  Line(out, "Groups", {Whole(static_cast<int64_t>(s.groups.size()))}, 0);
  out += "\n   Group   Primaries       Measure          Draw  Drawn primary         Its measure  P(in group)\n";
  char buf[160];
  for (const RhcSelectedGroup& g : s.groups) {
    const RhcFramePrimary& p = s.frame[g.drawn];
    std::snprintf(buf, sizeof buf, "%8s%12s%14s%14s  ", Whole(g.number).c_str(),
                  Whole(static_cast<int64_t>(g.members.size())).c_str(), Whole(g.measure).c_str(),
                  Whole(g.draw).c_str());
    out += buf;
    out += p.id;
    out.append(p.id.size() < 20 ? 20 - p.id.size() : 1, ' ');
    std::snprintf(buf, sizeof buf, "%14s%13s\n", Whole(p.measure).c_str(),
                  FormatFixed(static_cast<double>(p.measure) / static_cast<double>(g.measure), 6, false).c_str());
    out += buf;
  }
  Warnings(out, s.warnings);
  return out;
}

std::string RenderJson(const RhcSelection& s) {
  Object::Ptr o = NewObject();
  o->set("selection", std::string("rhc"));
  o->set("generator", s.generator);
  o->set("generator_version", s.generator_version);
  o->set("seed", s.seed);
  o->set("frame_sha256", s.frame_sha256);
  o->set("primaries", Poco::Int64{static_cast<int64_t>(s.frame.size())});
  o->set("measure", Poco::Int64{s.measure});
  Array::Ptr groups = new Array;
  for (const RhcSelectedGroup& g : s.groups) {
    Object::Ptr go = NewObject();
    go->set("group", Poco::Int64{g.number});
    go->set("primaries", Poco::Int64{static_cast<int64_t>(g.members.size())});
    go->set("measure", Poco::Int64{g.measure});
    go->set("draw", Poco::Int64{g.draw});
    go->set("primary", s.frame[g.drawn].id);
    go->set("primary_measure", Poco::Int64{s.frame[g.drawn].measure});
    Array::Ptr members = new Array;
    for (size_t i : g.members) members->add(s.frame[i].id);
    go->set("members", members);
    groups->add(go);
  }
  o->set("groups", groups);
  o->set("warnings", Strings(s.warnings));
  return Stringify(o);
}

std::string RenderText(const DrawResult& r) {
  std::string out;
  out += std::string(DesignTitle(r.request.design, r.request.ranges.size())) + "\n\n";
  Line(out, "Generator", {r.generator + " version " + r.generator_version}, 0);
  Line(out, "Seed", {r.seed}, 0);
  Line(out, "Frame", {r.frame_definition}, 0);
  Line(out, "Frame size", {Whole(static_cast<int64_t>(r.frame_size))}, 0);
  Line(out, "Frame SHA-256", {r.frame_sha256}, 0);
  Line(out, "Quantity in sample", {Whole(static_cast<int64_t>(r.request.count))}, 0);
  Line(out, "Quantity of spares", {Whole(static_cast<int64_t>(r.request.spares))}, 0);
  out += "\nSAMPLE (ascending)\n";
  DrawItemsText(out, r, r.sample);
  if (!r.spares.empty()) {
    out += "\nSPARES (selection order)\n";
    DrawItemsText(out, r, r.spares);
  }
  out += "\n";
  std::vector<std::string> sums;
  for (int64_t s : r.sum) sums.push_back(Whole(s));
  Line(out, "Sum of sample and spares", sums, 0);
  Warnings(out, r.warnings);
  return out;
}

std::string RenderJson(const DrawResult& r) {
  Object::Ptr o = NewObject();
  o->set("generator", r.generator);
  o->set("generator_version", r.generator_version);
  o->set("seed", r.seed);
  o->set("design", std::string(DesignKey(r.request.design)));
  o->set("frame", r.frame_definition);
  o->set("frame_sha256", r.frame_sha256);
  o->set("frame_size", Poco::UInt64{r.frame_size});
  o->set("count", Poco::UInt64{r.request.count});
  o->set("spares_count", Poco::UInt64{r.request.spares});
  o->set("sample", DrawItemsJson(r, r.sample));
  o->set("spares", DrawItemsJson(r, r.spares));
  if (r.request.design == DrawDesign::kSets) {
    Array::Ptr sums = new Array;
    for (int64_t s : r.sum) sums->add(Poco::Int64{s});
    o->set("sum", sums);
  } else {
    o->set("sum", Poco::Int64{r.sum.at(0)});
  }
  o->set("warnings", Strings(r.warnings));
  return Stringify(o);
}

// ---- variable appraisal ----------------------------------------------------------------

std::string RenderText(const UnrestrictedVariableAppraisal& a) {
  std::string out = "UNRESTRICTED VARIABLE APPRAISAL\n\n";
  Line(out, "Universe size", {Whole(a.universe)});
  Line(out, "Sample size", {Whole(a.sample_size)});
  out += "\n";
  ValueSetsText(out, a.sets);
  out += DemandLine(a.primary, a.demand_printed);
  Warnings(out, a.warnings);
  return out;
}

std::string RenderJson(const UnrestrictedVariableAppraisal& a) {
  Object::Ptr o = NewObject();
  o->set("appraisal", std::string("variable_unrestricted"));
  o->set("universe", Poco::Int64{a.universe});
  o->set("sample_size", Poco::Int64{a.sample_size});
  o->set("primary", std::string(ValueSetName(a.primary)));
  o->set("demand_amount", Num(a.demand_amount));
  o->set("demand_amount_printed", Num(a.demand_printed));
  Array::Ptr sets = new Array;
  for (const auto& s : a.sets) sets->add(ValueSetJson(s));
  o->set("value_sets", sets);
  o->set("warnings", Strings(a.warnings));
  return Stringify(o);
}

std::string RenderText(const StratifiedVariableAppraisal& a) {
  std::string out = a.post_stratified ? "POST-STRATIFIED VARIABLE APPRAISAL\n" : "STRATIFIED VARIABLE APPRAISAL\n";
  for (const StratumResult& s : a.strata) {
    out += "\nSTRATUM " + s.id + "\n";
    Line(out, "Universe size", {Whole(s.sets.at(0).universe)});
    ValueSetsText(out, s.sets);
  }
  out += "\nOVERALL (normal approximation, z)\n";
  SetColumnsText(out, a.overall, "z-value used", [](auto row) {
    row("Universe size", [](const StratifiedSetTotals& t) { return Whole(t.universe); });
    row("Sample size", [](const StratifiedSetTotals& t) { return Whole(t.n); });
    row("Nonzero items", [](const StratifiedSetTotals& t) { return Whole(t.nonzero); });
    row("Standard error (mean)", [](const StratifiedSetTotals& t) { return FormatFixed(t.se_mean, 2, true); });
    row("Standard error (total)", [](const StratifiedSetTotals& t) { return FormatWhole(t.se_total); });
    row("Point estimate", [](const StratifiedSetTotals& t) { return FormatWhole(t.point_printed); });
  });
  out += DemandLine(a.primary, a.demand_printed);
  Warnings(out, a.warnings);
  return out;
}

std::string RenderJson(const StratifiedVariableAppraisal& a) {
  Object::Ptr o = NewObject();
  o->set("appraisal", std::string(a.post_stratified ? "variable_post_stratified" : "variable_stratified"));
  o->set("primary", std::string(ValueSetName(a.primary)));
  o->set("demand_amount", Num(a.demand_amount));
  o->set("demand_amount_printed", Num(a.demand_printed));
  Array::Ptr strata = new Array;
  for (const StratumResult& s : a.strata) {
    Object::Ptr so = NewObject();
    so->set("stratum", s.id);
    so->set("universe", Poco::Int64{s.sets.at(0).universe});
    Array::Ptr sets = new Array;
    for (const auto& v : s.sets) sets->add(ValueSetJson(v));
    so->set("value_sets", sets);
    strata->add(so);
  }
  o->set("strata", strata);
  Array::Ptr overall = new Array;
  for (const StratifiedSetTotals& t : a.overall) {
    Object::Ptr to = NewObject();
    to->set("value_set", std::string(ValueSetName(t.set)));
    to->set("n", Poco::Int64{t.n});
    to->set("universe", Poco::Int64{t.universe});
    to->set("nonzero", Poco::Int64{t.nonzero});
    to->set("point_estimate", Num(t.point_estimate));
    to->set("point_estimate_printed", Num(t.point_printed));
    to->set("se_total", Num(t.se_total));
    to->set("se_mean", Num(t.se_mean));
    LimitsJson(*to, t.limits, true, "z");
    overall->add(to);
  }
  o->set("overall", overall);
  o->set("warnings", Strings(a.warnings));
  return Stringify(o);
}

// ---- multistage variable appraisal --------------------------------------------------------

namespace {

std::string MultistageTitle(int stages, bool attribute, bool rhc) {
  return std::string(stages == 2 ? "TWO" : "THREE") + "-STAGE " + (rhc ? "RHC " : "UNRESTRICTED ") +
         (attribute ? "ATTRIBUTE" : "VARIABLE") + " APPRAISAL";
}

// The unit counts, then one column per value set (attribute: the projected items) with
// the limits at `critical_label` (t for a design, z for a stratified overall).
template <typename Counts>
void MultistageBody(std::string& out, const Counts& a, const std::vector<MultistageSetResult>& sets,
                    const char* critical_label) {
  const bool attribute = a.attribute;
  Line(out, "Primary units in universe", {Whole(a.universe)});
  if constexpr (requires { a.rhc; }) {
    if (a.rhc) Line(out, "Measure of size in universe", {Whole(a.measure)});
  }
  Line(out, "Primary units sampled", {Whole(a.primaries)});
  Line(out, a.stages == 2 ? "Second-stage units sampled" : "Secondary units sampled", {Whole(a.secondaries)});
  if (a.stages == 3) Line(out, "Third-stage units sampled", {Whole(a.items)});
  if (attribute) Line(out, "With the characteristic", {Whole(a.characteristic)});
  out += "\n";
  if (attribute) {
    SetColumnsText(
        out, sets, critical_label,
        [](auto row) {
          row("Projected items", [](const MultistageSetResult& s) { return FormatWhole(s.point_estimate); });
          row("Standard error (items)", [](const MultistageSetResult& s) { return FormatWhole(s.se_total); });
        },
        true, "ITEMS");
    return;
  }
  SetColumnsText(out, sets, critical_label, [](auto row) {
    row("Mean per primary unit", [](const MultistageSetResult& s) { return FormatFixed(s.mean, 2, true); });
    row("Standard error (total)", [](const MultistageSetResult& s) { return FormatWhole(s.se_total); });
    row("Point estimate", [](const MultistageSetResult& s) { return FormatWhole(s.point_estimate); });
  });
}

template <typename Counts>
void MultistageJson(Object& o, const Counts& a) {
  o.set("universe", Poco::Int64{a.universe});
  o.set("primaries", Poco::Int64{a.primaries});
  o.set("secondaries", Poco::Int64{a.secondaries});
  o.set("items", Poco::Int64{a.items});
}

void MultistageSetsJson(Object& o, bool attribute, int64_t characteristic,
                        const std::vector<MultistageSetResult>& sets, const char* critical_name) {
  if (attribute) {
    const MultistageSetResult& s = sets[0];
    o.set("characteristic", Poco::Int64{characteristic});
    o.set("projected", Num(s.point_estimate));
    o.set("se_total", Num(s.se_total));
    LimitsJson(o, s.limits, true, critical_name);
    return;
  }
  Array::Ptr array = new Array;
  for (const auto& s : sets) {
    Object::Ptr so = NewObject();
    so->set("value_set", std::string(ValueSetName(s.set)));
    so->set("mean", Num(s.mean));
    so->set("se_total", Num(s.se_total));
    so->set("point_estimate", Num(s.point_estimate));
    LimitsJson(*so, s.limits, true, critical_name);
    array->add(so);
  }
  o.set("sets", array);
}

std::string MultistageKey(int stages, bool attribute, bool rhc) {
  return std::string(attribute ? "attribute" : "variable") + (stages == 2 ? "_two_stage" : "_three_stage") +
         (rhc ? "_rhc" : "");
}

}  // namespace

std::string RenderText(const MultistageAppraisal& a) {
  std::string out = MultistageTitle(a.stages, a.attribute, a.rhc) + "\n\n";
  MultistageBody(out, a, a.sets, "t-value used");
  if (!a.attribute) out += DemandLine(a.primary_set, std::round(a.demand_amount));
  Warnings(out, a.warnings);
  return out;
}

std::string RenderJson(const MultistageAppraisal& a) {
  Object::Ptr o = NewObject();
  o->set("appraisal", MultistageKey(a.stages, a.attribute, a.rhc));
  MultistageJson(*o, a);
  if (a.rhc) o->set("measure", Poco::Int64{a.measure});
  MultistageSetsJson(*o, a.attribute, a.characteristic, a.sets, "t");
  if (!a.attribute) o->set("demand_amount", Num(a.demand_amount));
  o->set("warnings", Strings(a.warnings));
  return Stringify(o);
}

std::string RenderText(const StratifiedMultistageAppraisal& a) {
  std::string out = "STRATIFIED " + MultistageTitle(a.stages, a.attribute, false) + "\n";
  for (size_t h = 0; h < a.strata.size(); ++h) {
    out += "\nSTRATUM " + a.ids[h] + "\n";
    MultistageBody(out, a.strata[h], a.strata[h].sets, "t-value used");
  }
  out += "\nOVERALL (normal approximation, z)\n";
  MultistageBody(out, a, a.overall, "z-value used");
  if (!a.attribute) out += DemandLine(a.primary_set, std::round(a.demand_amount));
  Warnings(out, a.warnings);
  return out;
}

std::string RenderJson(const StratifiedMultistageAppraisal& a) {
  Object::Ptr o = NewObject();
  o->set("appraisal", MultistageKey(a.stages, a.attribute, false) + "_stratified");
  Array::Ptr strata = new Array;
  for (size_t h = 0; h < a.strata.size(); ++h) {
    Object::Ptr so = NewObject();
    so->set("stratum", a.ids[h]);
    MultistageJson(*so, a.strata[h]);
    MultistageSetsJson(*so, a.attribute, a.strata[h].characteristic, a.strata[h].sets, "t");
    strata->add(so);
  }
  o->set("strata", strata);
  Object::Ptr overall = NewObject();
  MultistageJson(*overall, a);
  MultistageSetsJson(*overall, a.attribute, a.characteristic, a.overall, "z");
  o->set("overall", overall);
  if (!a.attribute) o->set("demand_amount", Num(a.demand_amount));
  o->set("warnings", Strings(a.warnings));
  return Stringify(o);
}

// ---- attribute appraisal -----------------------------------------------------------------

std::string RenderText(const UnrestrictedAttributeAppraisal& a) {
  std::string out = "UNRESTRICTED ATTRIBUTE APPRAISAL (exact hypergeometric)\n\n";
  AttributeText(out, a);
  if (a.errors == 0 || a.errors == a.sample_size)
    out += "\nWith " + std::string(a.errors == 0 ? "no errors" : "every item in error") +
           " only one limit is informative: use the one-sided " +
           (a.errors == 0 ? "upper" : "lower") + " limit.\n";
  return out;
}

std::string RenderJson(const UnrestrictedAttributeAppraisal& a) {
  Object::Ptr o = NewObject();
  o->set("appraisal", std::string("attribute_unrestricted"));
  AttributeJson(*o, a);
  return Stringify(o);
}

std::string RenderText(const StratifiedAttributeAppraisal& a) {
  std::string out = "STRATIFIED ATTRIBUTE APPRAISAL\n";
  for (size_t i = 0; i < a.strata.size(); ++i) {
    out += "\nSTRATUM " + a.ids[i] + " (exact hypergeometric)\n";
    AttributeText(out, a.strata[i]);
    std::vector<std::string> items, rate;
    for (const double p : a.stratum_precision[i]) {
      items.push_back(FormatWhole(p));
      rate.push_back(Pct3(p / static_cast<double>(a.strata[i].universe) * 100));
    }
    Line(out, "Precision, z x SE (items)", items, 14);
    Line(out, "Precision, z x SE (rate)", rate, 14);
  }
  out += "\nOVERALL (normal approximation, z)\n";
  Line(out, "Universe size", {Whole(a.universe)});
  Line(out, "Sample size", {Whole(a.sample_size)});
  Line(out, "Errors in sample", {Whole(a.errors)});
  Line(out, "Projected errors", {FormatWhole(a.projected_printed)});
  Line(out, "Projected rate", {Pct3(a.rate * 100)});
  Line(out, "Standard error (items)", {FormatWhole(a.se_total)});
  Line(out, "Standard error (rate)", {Pct3(a.se_rate * 100)});
  out += "\n";
  Line(out, "", {"80%", "90%", "95%"}, 16);
  std::vector<std::string> z, lo, hi, lor, hir, prec, precp;
  const auto n = static_cast<double>(a.universe);
  for (const NormalLimits& l : a.limits) {
    z.push_back(FormatFixed(l.z, 12, false));
    lo.push_back(FormatWhole(l.lower));
    hi.push_back(FormatWhole(l.upper));
    lor.push_back(Pct3(l.lower / n * 100));
    hir.push_back(Pct3(l.upper / n * 100));
    prec.push_back(FormatWhole(l.precision));
    precp.push_back(Pct3(l.precision_percent));
  }
  Line(out, "z-value used", z, 16);
  Line(out, "Lower limit (items)", lo, 16);
  Line(out, "Upper limit (items)", hi, 16);
  Line(out, "Lower limit (rate)", lor, 16);
  Line(out, "Upper limit (rate)", hir, 16);
  Line(out, "Precision (items)", prec, 16);
  Line(out, "Precision (rate)", precp, 16);
  Warnings(out, a.warnings);
  return out;
}

std::string RenderJson(const StratifiedAttributeAppraisal& a) {
  Object::Ptr o = NewObject();
  o->set("appraisal", std::string("attribute_stratified"));
  Array::Ptr strata = new Array;
  for (size_t i = 0; i < a.strata.size(); ++i) {
    Object::Ptr so = NewObject();
    so->set("stratum", a.ids[i]);
    AttributeJson(*so, a.strata[i]);
    Array::Ptr precision = new Array;
    for (const double p : a.stratum_precision[i]) precision->add(Num(p));
    so->set("precision_z", precision);  // items at 80/90/95%
    strata->add(so);
  }
  o->set("strata", strata);
  o->set("universe", Poco::Int64{a.universe});
  o->set("sample_size", Poco::Int64{a.sample_size});
  o->set("errors", Poco::Int64{a.errors});
  o->set("projected_errors", Num(a.projected_errors));
  o->set("projected_errors_printed", Num(a.projected_printed));
  o->set("rate", Num(a.rate));
  o->set("se_total", Num(a.se_total));
  o->set("se_rate", Num(a.se_rate));
  Array::Ptr limits = new Array;
  for (const NormalLimits& l : a.limits) {
    Object::Ptr lo = NewObject();
    lo->set("confidence", l.confidence);
    lo->set("z", Num(l.z));
    lo->set("lower", Num(l.lower));
    lo->set("upper", Num(l.upper));
    lo->set("precision", Num(l.precision));
    lo->set("precision_percent", Num(l.precision_percent));
    limits->add(lo);
  }
  o->set("limits", limits);
  o->set("warnings", Strings(a.warnings));
  return Stringify(o);
}

// ---- sample size ---------------------------------------------------------------------------

namespace {
Object::Ptr VariableSizeJson(const VariableSampleSize& v) {
  Object::Ptr o = NewObject();
  o->set("confidence", v.confidence);
  o->set("z", Num(v.z));
  o->set("precision_percent", Num(v.precision_percent));
  o->set("precision_amount", Num(v.precision_amount));
  o->set("exact", Num(v.exact));
  o->set("sample_size", Poco::Int64{v.sample_size});
  o->set("below_30", v.small);
  return o;
}

// The z / precision / sample size table, one row per confidence level.
std::string SizeTable(const std::vector<VariableSampleSize>& results) {
  std::string out;
  out += "\n";
  Line(out, "Confidence", {"z", "Precision", "Sample size"});
  for (const auto& v : results)
    Line(out, Confidence(v.confidence),
         {FormatFixed(v.z, 12, false), Pct(v.precision_percent),
          v.sample_size == 0 ? "---" : Whole(v.sample_size) + (v.small ? " *" : "")});
  for (const auto& v : results)
    if (v.small) {
      out += "\n* below 30 items: the normal approximation is weak at this size\n";
      break;
    }
  return out;
}

}  // namespace

std::string RenderText(const VariableSampleSizeReport& r) {
  if (r.error_rate > 0) {
    std::string out = "VARIABLE SAMPLE SIZE (unrestricted, using an estimated error rate)\n\n";
    Line(out, "Universe size", {Whole(r.universe)});
    Line(out, "Estimated error rate", {Pct(r.error_rate * 100.0)});
    Line(out, "Universe total amount", {FormatFixed(r.universe_total, 2, true)});
    Line(out, "Universe standard deviation", {FormatFixed(r.universe_sd, 2, true)});
    Line(out, "Expected error per item", {FormatFixed(r.mean, 2, true)});
    Line(out, "Its standard deviation", {FormatFixed(r.sd, 2, true)});
    return out + SizeTable(r.results);
  }
  std::string out = "VARIABLE SAMPLE SIZE (unrestricted, from a probe sample)\n\n";
  Line(out, "Universe size", {Whole(r.universe)});
  if (r.probe_size > 0) Line(out, "Probe sample size", {Whole(r.probe_size) + " (" + r.probe_set + ")"});
  Line(out, "Probe mean", {FormatFixed(r.mean, 2, true)});
  Line(out, "Probe standard deviation", {FormatFixed(r.sd, 2, true)});
  return out + SizeTable(r.results);
}

std::string RenderJson(const VariableSampleSizeReport& r) {
  Object::Ptr o = NewObject();
  o->set("sample_size", std::string(r.error_rate > 0 ? "variable_unrestricted_error_rate"
                                                      : "variable_unrestricted"));
  o->set("universe", Poco::Int64{r.universe});
  if (r.error_rate > 0) {
    o->set("error_rate_percent", Num(r.error_rate * 100.0));
    o->set("universe_total", Num(r.universe_total));
    o->set("universe_sd", Num(r.universe_sd));
  }
  o->set("mean", Num(r.mean));
  o->set("sd", Num(r.sd));
  if (r.probe_size > 0) {
    o->set("probe_size", Poco::Int64{r.probe_size});
    o->set("probe_values", r.probe_set);
  }
  Array::Ptr results = new Array;
  for (const auto& v : r.results) results->add(VariableSizeJson(v));
  o->set("results", results);
  return Stringify(o);
}

std::string RenderText(const StratifiedSampleSize& r) {
  std::string out = "VARIABLE SAMPLE SIZE (stratified, Neyman allocation)\n\n";
  if (r.total_given) {
    Line(out, "Total sample size (given)", {Whole(r.total.sample_size)});
  } else {
    Line(out, "Confidence", {Confidence(r.total.confidence)});
    Line(out, "z-value used", {FormatFixed(r.total.z, 12, false)});
    Line(out, "Precision", {Pct(r.total.precision_percent)});
    Line(out, "Precision amount", {FormatWhole(r.total.precision_amount)});
    Line(out, "Total sample size", {r.total.sample_size == 0 ? "---" : Whole(r.total.sample_size)});
  }
  out += "\n";
  Line(out, "Stratum", {"Universe", "Share", "Sample size"});
  // A stratum allocated nothing prints "---", as RAT-STATS prints a zero sample size.
  for (const auto& s : r.strata)
    Line(out, s.id, {Whole(s.universe), FormatFixed(s.share, 6, false),
                     s.sample_size == 0 ? "---" : Whole(s.sample_size) + (s.capped ? " (capped)" : "")});
  Line(out, "Allocated", {"", "", Whole(r.allocated)});
  out += "\nACHIEVED WITH THIS ALLOCATION (probe means and SDs, " + Confidence(r.total.confidence) +
         ")\n";
  Line(out, "Point estimate", {FormatWhole(r.point_estimate)});
  Line(out, "Standard error (total)", {FormatWhole(r.achieved_se)});
  Line(out, "Precision amount", {FormatWhole(r.achieved_precision)});
  Line(out, "Precision percent", {Pct(r.achieved_precision_percent)});
  Warnings(out, r.warnings);
  return out;
}

std::string RenderJson(const StratifiedSampleSize& r) {
  Object::Ptr o = NewObject();
  o->set("sample_size", std::string("variable_stratified"));
  o->set("total_given", r.total_given);
  o->set("total", VariableSizeJson(r.total));
  o->set("allocated", Poco::Int64{r.allocated});
  o->set("point_estimate", Num(r.point_estimate));
  o->set("achieved_se", Num(r.achieved_se));
  o->set("achieved_precision", Num(r.achieved_precision));
  o->set("achieved_precision_percent", Num(r.achieved_precision_percent));
  Array::Ptr strata = new Array;
  for (const auto& s : r.strata) {
    Object::Ptr so = NewObject();
    so->set("stratum", s.id);
    so->set("universe", Poco::Int64{s.universe});
    so->set("share", Num(s.share));
    so->set("exact", Num(s.exact));
    so->set("sample_size", Poco::Int64{s.sample_size});
    so->set("capped", s.capped);
    strata->add(so);
  }
  o->set("strata", strata);
  o->set("warnings", Strings(r.warnings));
  return Stringify(o);
}

std::string RenderText(const AttributeSampleSizeReport& r) {
  std::string out = "ATTRIBUTE SAMPLE SIZE (exact hypergeometric)\n\n";
  Line(out, "Universe size", {Whole(r.universe)});
  if (!r.results.empty()) {
    Line(out, "Anticipated rate", {Pct(r.results[0].anticipated_rate * 100)});
    if (r.results[0].kind == AttributePrecision::kRange)
      Line(out, "Precision range (width)", {Pct(r.results[0].precision * 100)});
    else
      Line(out, "Precision (+/-)", {Pct(r.results[0].precision * 100)});
  }
  out += "\n";
  Line(out, "Confidence", {"Sample size", "Errors", "Lower", "Upper"}, 14);
  for (const auto& a : r.results)
    Line(out, Confidence(a.confidence),
         {Whole(a.sample_size), Whole(a.expected_errors), Rate(a.lower, r.universe),
          Rate(a.upper, r.universe)},
         14);
  return out;
}

std::string RenderJson(const AttributeSampleSizeReport& r) {
  Object::Ptr o = NewObject();
  o->set("sample_size", std::string("attribute"));
  o->set("universe", Poco::Int64{r.universe});
  Array::Ptr results = new Array;
  for (const auto& a : r.results) {
    Object::Ptr ao = NewObject();
    ao->set("confidence", a.confidence);
    ao->set("anticipated_rate", Num(a.anticipated_rate));
    ao->set("precision", Num(a.precision));
    ao->set("precision_is_range", a.kind == AttributePrecision::kRange);
    ao->set("sample_size", Poco::Int64{a.sample_size});
    ao->set("expected_errors", Poco::Int64{a.expected_errors});
    ao->set("lower", Poco::Int64{a.lower});
    ao->set("upper", Poco::Int64{a.upper});
    ao->set("met", a.reachable);
    results->add(ao);
  }
  o->set("results", results);
  return Stringify(o);
}

}  // namespace coderaudit::sampling
