#include "audit/cli/commands.hpp"

#include <charconv>
#include <string>
#include <vector>

#include "audit/model/error.hpp"
#include "audit/service/statistics.hpp"

namespace coderaudit::cli {

namespace {

constexpr const char* kSampleNumbersHelp = R"(usage: coderaudit sample numbers [options]

Draws random numbers the way RAT-STATS does, or with the modern default generator.

  --generator NAME   ratstats (RAT-STATS compatible) or xoshiro256ss (default)
  --seed S           ratstats: a number > 0 and < 10^15, rounded to 2 decimals;
                     xoshiro256ss: a whole number 0..18446744073709551615.
                     Without --seed a fresh seed is chosen and printed.
one of:
  --low L --high H   single stage: numbers L..H
  --dims "L1-H1,L2-H2[,L3-H3[,L4-H4]]"
                     sets of 2, 3 or 4 numbers, one per range
  --frames "L1-H1;L2-H2;..."
                     frames: the ranges concatenated, each number reported with its frame
  --count n          sample size (required)
  --spares s         spares, drawn after the sample (default 0)
  --format F         text (default) or json

The sample prints in ascending order, the spares in selection order; the sum covers both.
)";

constexpr const char* kSampleRhcHelp = R"(usage: coderaudit sample rhc --frame FILE --groups n [options]

RHC (Rao, Hartley, Cochran) selection of n primary units with probability proportional
to size: the frame's primaries are split at random into n groups (sizes differing by at
most one) and one primary is drawn from each group with probability (its measure) /
(the group's measure). The procedure is in audit/sampling/rhc_selection.hpp.

  --frame FILE       CSV with a header naming primary and measure (its measure of size:
                     a whole number >= 1, e.g. its claim lines or whole dollars paid)
  --groups n         primaries to draw (2 to the frame's primaries)
  --generator NAME   ratstats or xoshiro256ss (default), as for sample numbers
  --seed S           as for sample numbers; without it a fresh seed is chosen and printed
  --out FILE         write the groups (group,primaries,measure,primary,primary_measure):
                     the --groups input of appraise multistage
  --format F         text (default) or json (also lists each group's members)
)";

constexpr const char* kAppraiseVariableHelp = R"(usage: coderaudit appraise variable --input FILE (--universe N | --strata FILE | --post-strata FILE) [options]

Variable appraisal (overpayment estimate) with RAT-STATS formulas.

  --input FILE       CSV with a header naming any of: examined, audited, difference
                     (one column alone, any two - the third is derived as
                     difference = examined - audited - or all three), and for a
                     stratified sample a stratum column. Like RAT-STATS, a text file
                     whose columns are separated by spaces or tabs is read too (every
                     input file of appraise and sample-size)
  --universe N       unrestricted: universe size
  --strata FILE      stratified: CSV of stratum,N_h (header optional)
  --post-strata FILE post-stratified: a simple random sample whose items were classified
                     after the draw (the stratum column) into strata of known sizes
                     (stratum,N_h, as --strata); appraised with the stratified formulas,
                     conditional on each post-stratum's sample size. With --db the stored
                     sample has one stratum and the sizes add up to its frame
  --non-statistical  the sample was not drawn at random: refuse to extrapolate
  --db STORE --sample-id ID
                     the items come from this stored sample: refused if it is targeted,
                     if --input has no encounter_id column, if an item is not in the
                     sample (or one is missing), or if a universe size is not the stored
                     frame's; otherwise the appraisal is recorded in the store with the
                     SHA-256 of its inputs and of its figures
  --format F         text (default) or json

Limits are two-sided at 80/90/95%. The amount demanded is the lower limit of the
one-sided 90% interval (the two-sided 80% lower limit).
)";

constexpr const char* kAppraiseMultistageHelp = R"(usage: coderaudit appraise multistage --input FILE (--universe M | --strata FILE | --groups FILE) [--attribute] [options]

Two- or three-stage appraisal: M primary units, a sample of them (simple random, or RHC
with --groups), a simple random sample of units within each sampled primary, and (three
stages) of items within each sampled secondary unit.

  --input FILE       variable: CSV, one row per sampled last-stage item, with a header
                     naming primary, primary_size (units in that primary), for three
                     stages secondary and secondary_size (items in that secondary), and
                     any of examined, audited, difference (as for appraise variable)
  --attribute        attribute: one row per sampled primary (two stages) or sampled
                     secondary (three stages), with the unit columns above, sample (its
                     units sampled) and errors (of which have the characteristic)
  --universe M       primary units in the universe
  --strata FILE      stratified (each stratum a multistage design; a stratified cluster
                     sample reviews every unit of each sampled primary): CSV
                     stratum,primaries; the input then has a stratum column
  --groups FILE      RHC (Rao-Hartley-Cochran) first stage, as `sample rhc --out` writes
                     it: CSV group,primaries,measure,primary,primary_measure, one row
                     per group; M is the groups' primaries added up
  --non-statistical  the sample was not drawn at random: refuse to extrapolate
  --format F         text (default) or json

Estimated total: M/m x sum of the primaries' estimated totals (each N_i/n_i x the sum
below it); for an attribute, the projected number of items with the characteristic
(items valued 1 or 0). Variance: the unbiased multistage form, level by level. Limits
two-sided at 80/90/95% with t on m - 1 degrees of freedom, not clamped. Stratified:
each stratum so; overall the totals and variances add and the limits use z. RHC:
sum over groups of (group measure / primary's measure) x the primary's estimated total,
with the Rao-Hartley-Cochran variance (audit/sampling/DETAILS.md).
)";

constexpr const char* kAppraiseAttributeHelp = R"(usage: coderaudit appraise attribute (--universe N --sample n --errors x | --input FILE) [options]

Attribute appraisal (error rate): exact hypergeometric limits, two-sided and one-sided,
at 80/90/95%.

  --universe N --sample n --errors x
                     unrestricted sample
  --input FILE       stratified: CSV with header stratum,universe,sample,errors
                     (overall limits and every precision by normal approximation, z x SE)
  --non-statistical  the sample was not drawn at random: refuse to extrapolate
  --db STORE --sample-id ID
                     the counts come from this stored sample: refused if it is targeted or
                     if a universe or sample size is not the stored sample's; otherwise
                     the appraisal is recorded in the store (inputs and figures SHA-256)
  --format F         text (default) or json

Two- and three-stage attribute samples: coderaudit appraise multistage --attribute.
)";

constexpr const char* kSampleSizeVariableHelp = R"(usage: coderaudit sample-size variable (--universe N (--mean M --sd S | --probe FILE | --error-rate R --amount-total T --amount-sd S) | --strata FILE) --precision P [options]

Variable sample size, n = (SD*N)^2 / ((E/z)^2 + N*SD^2), E = P% of the total, with the
mean and SD of a probe sample (or of the errors an estimated error rate implies),
rounded to the nearest item as RAT-STATS prints it ("---" for 0).

  --universe N --mean M --sd S
                     unrestricted: universe size and the probe sample's mean and SD
  --probe FILE       unrestricted, instead of --mean/--sd: the probe sample's values, a
                     CSV like appraise variable's --input (examined, audited and/or
                     difference; the difference values are used when known)
  --error-rate R --amount-total T --amount-sd S
                     unrestricted, no probe sample (RAT-STATS "using estimated error
                     rate"): the expected error rate in percent and the universe's total
                     amount and standard deviation; an item in error is taken to be in
                     error by its whole amount (audit/sampling/DETAILS.md)
  --strata FILE      stratified (Neyman allocation): CSV with header
                     stratum,universe,mean,sd
  --precision P      desired precision, percent of the estimate (e.g. 10)
  --confidence C     percent, two-sided; unrestricted accepts a list (default 80,90,95),
                     stratified one value (default 90)
  --total n          stratified: allocate this total instead of computing it
  --format F         text (default) or json
)";

constexpr const char* kSampleSizeAttributeHelp = R"(usage: coderaudit sample-size attribute --universe N --rate R (--precision P | --range W) [options]

Smallest sample whose exact two-sided interval at the anticipated error rate stays
within +/- P percentage points, or (--range, as RAT-STATS asks for the precision range)
is at most W percentage points wide in all.

  --universe N       universe size
  --rate R           anticipated error rate, percent (e.g. 5)
  --precision P      desired precision, percentage points either side (e.g. 3)
  --range W          desired precision range: the interval's whole width, percentage
                     points (e.g. 6)
  --confidence C     percent list, two-sided (default 80,90,95)
  --format F         text (default) or json
)";



using Flags = Args;

int64_t IntFlag(const Flags& f, const std::string& name) {
  const std::string v = f.Require(name);
  int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size())
    throw UsageError("--" + name + " needs a whole number, got '" + v + "'");
  return out;
}

uint64_t CountFlag(const Flags& f, const std::string& name, uint64_t fallback) {
  if (!f.Get(name)) return fallback;
  const int64_t v = IntFlag(f, name);
  if (v < 0) throw InputError("--" + name + " must not be negative");
  return static_cast<uint64_t>(v);
}

double NumberFlag(const std::string& name, const std::string& v) {
  double out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size())
    throw UsageError("--" + name + " needs a number, got '" + v + "'");
  return out;
}

double NumberFlag(const Flags& f, const std::string& name) { return NumberFlag(name, f.Require(name)); }

// "80,90,95" -> {0.80, 0.90, 0.95}
std::vector<double> ConfidenceList(const Flags& f, const std::string& fallback) {
  const std::string text = f.Get("confidence").value_or(fallback);
  std::vector<double> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const double pct = NumberFlag("confidence", text.substr(start, end - start));
    if (!(pct > 0 && pct < 100)) throw InputError("confidence must be between 0 and 100 percent");
    out.push_back(pct / 100.0);
    start = end + 1;
  }
  return out;
}

bool Json(const Flags& f) {
  const std::string format = f.Get("format").value_or("text");
  if (format == "json") return true;
  if (format != "text") throw UsageError("--format must be text or json");
  return false;
}

// --db STORE --sample-id ID names a stored sample (its design decides whether it may be
// extrapolated); --non-statistical marks a sample drawn by judgment.
service::ExtrapolationGuard Guard(const Flags& f) {
  service::ExtrapolationGuard g;
  g.non_statistical = f.Has("non-statistical");
  if (f.Has("sample-id") || f.Has("db")) {
    g.db_path = f.Require("db");
    const std::string id_text = f.Require("sample-id");
    const auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), g.sample_id);
    if (ec != std::errc() || ptr != id_text.data() + id_text.size())
      throw UsageError("--sample-id needs a stored sample id");
  }
  return g;
}

service::ReportFormat Format(const Flags& f) {
  return Json(f) ? service::ReportFormat::kJson : service::ReportFormat::kText;
}

std::string GeneratorFlag(const Flags& f) {
  std::string g = f.Get("generator").value_or("xoshiro256ss");
  if (g != "ratstats" && g != "xoshiro256ss") throw UsageError("--generator must be ratstats or xoshiro256ss");
  return g;
}

// ---- commands ------------------------------------------------------------------------

int SampleNumbers(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  service::RandomNumbersRequest r;
  r.generator = GeneratorFlag(f);
  const int layouts = (f.Has("low") || f.Has("high") ? 1 : 0) + (f.Has("dims") ? 1 : 0) +
                      (f.Has("frames") ? 1 : 0);
  if (layouts != 1) throw UsageError("give exactly one of --low/--high, --dims, --frames");
  if (f.Has("low") || f.Has("high")) {
    r.single_stage = true;
    r.low = IntFlag(f, "low");
    r.high = IntFlag(f, "high");
  } else if (f.Has("dims")) {
    r.sets = f.Require("dims");
  } else {
    r.frames = f.Require("frames");
  }
  if (!f.Has("count")) throw UsageError("missing --count");
  r.count = CountFlag(f, "count", 0);
  r.spares = CountFlag(f, "spares", 0);
  r.seed = f.Get("seed").value_or("");
  out << service::RandomNumbers(r, format);
  return 0;
}

int SampleRhc(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  service::RhcSelectionRequest r;
  r.generator = GeneratorFlag(f);
  r.frame_path = f.Require("frame");
  r.groups = IntFlag(f, "groups");
  r.seed = f.Get("seed").value_or("");
  r.groups_out = f.Get("out").value_or("");
  out << service::SelectRhc(r, format);
  return 0;
}

int AppraiseMultistage(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  service::MultistageAppraisalRequest r;
  r.items_path = f.Require("input");
  if (static_cast<int>(f.Has("universe")) + static_cast<int>(f.Has("strata")) + static_cast<int>(f.Has("groups")) > 1)
    throw UsageError("give one of --universe, --strata (each stratum's primaries), --groups (RHC)");
  if (f.Has("groups")) {
    r.groups_path = f.Require("groups");
  } else if (f.Has("strata")) {
    r.strata_path = f.Require("strata");
  } else {
    r.universe = IntFlag(f, "universe");
  }
  r.attribute = f.Has("attribute");
  r.guard.non_statistical = f.Has("non-statistical");
  out << service::AppraiseMultistage(r, format);
  return 0;
}

int AppraiseVariable(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  service::VariableAppraisalRequest r;
  r.items_path = f.Require("input");
  if (static_cast<int>(f.Has("universe")) + static_cast<int>(f.Has("strata")) + static_cast<int>(f.Has("post-strata")) != 1)
    throw UsageError("give exactly one of --universe, --strata, --post-strata");
  if (f.Has("universe")) {
    r.universe = IntFlag(f, "universe");
  } else {
    r.post_stratified = f.Has("post-strata");
    r.strata_path = f.Require(r.post_stratified ? "post-strata" : "strata");
  }
  r.guard = Guard(f);
  out << service::AppraiseVariable(r, format);
  return 0;
}

int AppraiseAttribute(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  const bool unrestricted = f.Has("universe") || f.Has("sample") || f.Has("errors");
  if (unrestricted == f.Has("input"))
    throw UsageError("give either --universe/--sample/--errors or --input");
  service::AttributeAppraisalRequest r;
  r.guard = Guard(f);
  if (unrestricted) {
    r.universe = IntFlag(f, "universe");
    r.sample = IntFlag(f, "sample");
    r.errors = IntFlag(f, "errors");
  } else {
    r.strata_path = f.Require("input");
  }
  out << service::AppraiseAttribute(r, format);
  return 0;
}

int SampleSizeVariable(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  const bool error_rate = f.Has("error-rate") || f.Has("amount-total") || f.Has("amount-sd");
  const bool unrestricted =
      f.Has("universe") || f.Has("mean") || f.Has("sd") || f.Has("probe") || error_rate;
  if (unrestricted == f.Has("strata"))
    throw UsageError("give either --universe with --mean/--sd, --probe or --error-rate, or --strata");
  service::VariableSampleSizeRequest r;
  if (unrestricted) {
    if (f.Has("total")) throw UsageError("--total applies to --strata only");
    r.universe = IntFlag(f, "universe");
    if (static_cast<int>(f.Has("probe")) + static_cast<int>(f.Has("mean") || f.Has("sd")) +
            static_cast<int>(error_rate) > 1)
      throw UsageError("give one of --mean/--sd, --probe, --error-rate/--amount-total/--amount-sd");
    if (error_rate) {
      r.by_error_rate = true;
      r.error_rate_percent = NumberFlag(f, "error-rate");
      r.universe_total = NumberFlag(f, "amount-total");
      r.universe_sd = NumberFlag(f, "amount-sd");
    } else if (f.Has("probe")) {
      r.probe_path = f.Require("probe");
    } else {
      r.mean = NumberFlag(f, "mean");
      r.sd = NumberFlag(f, "sd");
    }
    r.precision_percent = NumberFlag(f, "precision");
    r.confidences = ConfidenceList(f, "80,90,95");
  } else {
    r.confidences = ConfidenceList(f, "90");
    if (r.confidences.size() != 1) throw UsageError("stratified sample size takes one --confidence");
    r.total = f.Has("total") ? IntFlag(f, "total") : 0;
    if (f.Has("total") && r.total < 1) throw InputError("--total must be at least 1");
    r.precision_percent = f.Has("total") ? 0.0 : NumberFlag(f, "precision");
    r.strata_path = f.Require("strata");
  }
  out << service::VariableSampleSize(r, format);
  return 0;
}

int SampleSizeAttribute(const Args& f, std::ostream& out, std::ostream&) {
  f.RequireNoPositionals();
  const auto format = Format(f);
  service::AttributeSampleSizeRequest r;
  r.universe = IntFlag(f, "universe");
  r.rate_percent = NumberFlag(f, "rate");
  if (f.Has("precision") == f.Has("range")) throw UsageError("give exactly one of --precision, --range");
  r.precision_is_range = f.Has("range");
  r.precision_percent = NumberFlag(f, r.precision_is_range ? "range" : "precision");
  r.confidences = ConfidenceList(f, "80,90,95");
  out << service::AttributeSampleSize(r, format);
  return 0;
}

}  // namespace

std::vector<Command> SamplingCommands() {
  return {
      {{"sample", "numbers"}, kSampleNumbersHelp,
       {"generator", "seed", "low", "high", "dims", "frames", "count", "spares", "format"}, {},
       SampleNumbers},
      {{"sample", "rhc"}, kSampleRhcHelp, {"generator", "seed", "frame", "groups", "out", "format"}, {}, SampleRhc},
      {{"appraise", "variable"}, kAppraiseVariableHelp,
       {"input", "universe", "strata", "post-strata", "format", "db", "sample-id"}, {"non-statistical"},
       AppraiseVariable},
      {{"appraise", "multistage"}, kAppraiseMultistageHelp, {"input", "universe", "strata", "groups", "format"},
       {"non-statistical", "attribute"}, AppraiseMultistage},
      {{"appraise", "attribute"}, kAppraiseAttributeHelp,
       {"input", "universe", "sample", "errors", "format", "db", "sample-id"}, {"non-statistical"},
       AppraiseAttribute},
      {{"sample-size", "variable"}, kSampleSizeVariableHelp,
       {"universe", "mean", "sd", "probe", "error-rate", "amount-total", "amount-sd", "strata",
        "precision", "confidence", "total", "format"},
       {}, SampleSizeVariable},
      {{"sample-size", "attribute"}, kSampleSizeAttributeHelp,
       {"universe", "rate", "precision", "range", "confidence", "format"}, {}, SampleSizeAttribute},
  };
}

}  // namespace coderaudit::cli
