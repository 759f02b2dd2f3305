#include "audit/cli/commands.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <filesystem>
#include <iomanip>

#include "audit/cli/args.hpp"
#include "audit/service/service.hpp"
#include "audit/service/extrapolation.hpp"
#include "audit/service/sample_service.hpp"
#include "audit/model/error.hpp"
#include "audit/model/money.hpp"
#include "audit/sampling/render.hpp"
#include "audit/service/store_admin.hpp"
#include "audit/service/stored_runs.hpp"

namespace coderaudit::cli {

namespace {

constexpr const char* kDrawHelp = R"(usage: coderaudit sample draw --db STORE.db --design DESIGN --n N [options]

Draws a sample of the encounters of a stored check run (default: the latest) and stores
it with generator, seed, design, frame SHA-256, selection order and spares.
  --design simple|stratified|quota|targeted
  --n N                 sample size (stratified: per stratum, or total with proportional)
  --spares S            spares per stratum (default 0)
  --generator G         xoshiro256ss (default) or ratstats
  --seed S              seed text; a fresh seed is drawn and recorded when omitted
  --run N               check run whose encounters form the frame
  stratified: --stratify-by coder_id|provider_id|claim_type|payer|drg|sex|amount
              --bands 0,100,500 (amount band floors in dollars)  --allocation equal|proportional
  quota:      --per-coder K | --percent P   --period quarter|month
  targeted:   --rule RULE_ID (default: any finding); labelled non-statistical
  --format text|json
)";
constexpr const char* kShowHelp = "usage: coderaudit sample show --db STORE.db --sample-id ID [--format text|json]\n";
constexpr const char* kListHelp = "usage: coderaudit sample list --db STORE.db\n";
constexpr const char* kReplayHelp = R"(usage: coderaudit sample replay --db STORE.db --sample-id ID [--frame-run N]

Re-derives the frame (from the sample's run, or run N) and redraws with the stored
generator and seed. exit 0: frame hash and every selected item identical; 1: not identical
(the differences are listed).
)";
constexpr const char* kSubstituteHelp = R"(usage: coderaudit sample substitute --db STORE.db --sample-id ID --encounter ENC --reason TEXT

Replaces a sampled encounter that cannot be reviewed with the next unused spare of its
stratum and records why.
)";

constexpr const char* kExtrapolateHelp = R"(usage: coderaudit extrapolate --db STORE.db --sample-id ID --input REVIEWED.csv --out FILE.xlsx

Appraises the reviewed amounts of a stored statistical sample with RAT-STATS formulas
(unrestricted for one stratum, stratified otherwise), prints the demand amount (lower
limit of the one-sided 90% interval) and writes the extrapolation workbook: design, frame,
sample with random numbers and selection order, items, appraisal, replay instructions.
REVIEWED.csv: header with encounter_id, examined, audited, one row per sampled encounter.
Targeted (non-statistical) samples are refused (exit 3).
)";

// The stored sample a command works on: --sample-id, as extrapolate and appraise spell it
// (--sample, the older spelling, is still read).
int64_t SampleId(const Args& args) {
  if (args.Has("sample-id") && args.Has("sample"))
    throw UsageError("give --sample-id once (--sample is its older spelling)");
  const int64_t id = args.Has("sample") ? args.Int("sample", 0) : args.Int("sample-id", 0);
  if (id <= 0) throw UsageError("--sample-id ID is required (sample list shows the ids)");
  return id;
}

std::string RequireDb(const Args& args) {
  std::string db = args.Require("db");
  service::RequireStore(db);
  return db;
}

void PrintSample(const runs::StoredSample& s, bool json, std::ostream& out) {
  const auto& smp = s.sample;
  if (json) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("sample_id", s.sample_id);
    o.set("run_id", s.run_id);
    o.set("design", std::string(sampling::ToString(smp.spec.design)));
    o.set("statistical", smp.statistical);
    o.set("generator", smp.spec.generator);
    o.set("generator_version", smp.generator_version);
    o.set("seed", smp.spec.seed);
    o.set("frame_size", smp.frame_size);
    o.set("frame_sha256", smp.frame_sha256);
    o.set("definition", sampling::SpecToJson(smp.spec));
    Poco::JSON::Array strata, items, subs;
    for (const auto& st : smp.strata) {
      Poco::JSON::Object so(Poco::JSON_PRESERVE_KEY_ORDER);
      so.set("stratum", st.name);
      so.set("frame_size", st.frame_size);
      so.set("n", st.n);
      so.set("spares", st.spares);
      strata.add(so);
    }
    for (const auto& it : smp.items) {
      Poco::JSON::Object io(Poco::JSON_PRESERVE_KEY_ORDER);
      io.set("stratum", it.stratum);
      io.set("role", it.role);
      io.set("order", it.selection_order);
      io.set("position", it.position);
      io.set("encounter_id", it.encounter_id);
      items.add(io);
    }
    for (const auto& sub : s.substitutions) {
      Poco::JSON::Object so(Poco::JSON_PRESERVE_KEY_ORDER);
      so.set("replaced", sub.replaced);
      so.set("spare", sub.spare);
      so.set("reason", sub.reason);
      subs.add(so);
    }
    Poco::JSON::Array appraisals;
    for (const auto& a : s.appraisals) {
      Poco::JSON::Object ao(Poco::JSON_PRESERVE_KEY_ORDER);
      ao.set("appraisal_id", a.appraisal_id);
      ao.set("kind", a.kind);
      ao.set("recorded_at", a.recorded_at);
      ao.set("tool_version", a.tool_version);
      ao.set("inputs", a.inputs);
      ao.set("inputs_sha256", a.inputs_sha256);
      if (a.demand_amount) ao.set("demand_amount", *a.demand_amount);
      ao.set("report_sha256", a.report_sha256);
      appraisals.add(ao);
    }
    o.set("strata", strata);
    o.set("items", items);
    o.set("substitutions", subs);
    o.set("appraisals", appraisals);
    o.stringify(out, 2);
    out << "\n";
    return;
  }
  out << "sample " << s.sample_id << " of check run " << s.run_id << " ("
      << sampling::ToString(smp.spec.design)
      << (smp.statistical ? ", statistical" : ", NON-STATISTICAL: never extrapolate") << ")\n"
      << "  generator     " << smp.spec.generator << " v" << smp.generator_version << ", seed "
      << smp.spec.seed << "\n"
      << "  frame         " << smp.frame_size << " encounters, sha256 " << smp.frame_sha256 << "\n"
      << "  definition    " << sampling::SpecToJson(smp.spec) << "\n";
  out << "  " << std::left << std::setw(34) << "stratum" << std::right << std::setw(8) << "N_h"
      << std::setw(6) << "n" << std::setw(8) << "spares" << "\n";
  for (const auto& st : smp.strata)
    out << "  " << std::left << std::setw(34) << st.name << std::right << std::setw(8)
        << st.frame_size << std::setw(6) << st.n << std::setw(8) << st.spares << "\n";
  out << "  " << std::left << std::setw(34) << "stratum" << std::setw(7) << "role" << std::right
      << std::setw(7) << "order" << std::setw(10) << "position" << "  encounter\n";
  for (const auto& it : smp.items)
    out << "  " << std::left << std::setw(34) << it.stratum << std::setw(7) << it.role
        << std::right << std::setw(7) << it.selection_order << std::setw(10) << it.position
        << "  " << it.encounter_id << "\n";
  for (const auto& sub : s.substitutions)
    out << "  substituted " << sub.replaced << " -> " << sub.spare << ": " << sub.reason << "\n";
  // Each recorded appraisal: how a demand amount traces to the exact inputs.
  for (const auto& a : s.appraisals) {
    out << "  appraisal " << a.appraisal_id << " (" << a.kind << ", " << a.recorded_at << ")";
    if (a.demand_amount) out << " demand " << sampling::FormatFixed(*a.demand_amount, 2, true);
    out << "\n    inputs  " << a.inputs << "\n    inputs sha256 " << a.inputs_sha256
        << ", figures sha256 " << a.report_sha256 << "\n";
  }
}

std::vector<int64_t> ParseBands(const std::string& text) {
  std::vector<int64_t> floors;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    const std::string part = text.substr(i, j - i);
    try {
      size_t used = 0;
      const double dollars = std::stod(part, &used);
      if (used != part.size() || dollars < 0) throw std::invalid_argument("bad");
      floors.push_back(static_cast<int64_t>(dollars * 100 + 0.5));
    } catch (const std::exception&) {
      throw UsageError("--bands takes dollar amounts separated by commas, e.g. 0,100,500");
    }
    i = j + 1;
  }
  return floors;
}

int Draw(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string db = RequireDb(args);
  sampling::SampleSpec spec;
  auto design = sampling::ParseSampleDesign(args.Require("design"));
  if (!design) throw UsageError("--design must be simple, stratified, quota or targeted");
  spec.design = *design;
  const int64_t n = args.Int("n", 0), spares = args.Int("spares", 0),
                per_coder = args.Int("per-coder", 0);
  if (n < 0 || spares < 0 || per_coder < 0) throw UsageError("counts must not be negative");
  spec.n = static_cast<uint64_t>(n);
  spec.spares = static_cast<uint64_t>(spares);
  spec.per_coder = static_cast<uint64_t>(per_coder);
  spec.percent = args.Real("percent", 0);
  spec.generator = args.Get("generator").value_or("xoshiro256ss");
  spec.seed = args.Get("seed").value_or("");
  spec.stratify_by = args.Get("stratify-by").value_or("");
  if (auto b = args.Get("bands")) spec.band_floors = ParseBands(*b);
  spec.allocation = args.Get("allocation").value_or("equal");
  spec.period = args.Get("period").value_or("quarter");
  spec.target_rule = args.Get("rule").value_or("");
  const int64_t run = args.Has("run") ? args.Int("run", 0) : service::LatestRun(db, "check");
  const auto drawn = service::DrawAndStoreSample(db, run, spec);
  for (const auto& warning : drawn.sample.warnings) err << "warning: " << warning << "\n";
  runs::StoredSample shown;
  shown.sample_id = drawn.sample_id;
  shown.run_id = run;
  shown.sample = drawn.sample;
  PrintSample(shown, args.Get("format").value_or("text") == "json", out);
  return 0;
}

int Show(const Args& args, std::ostream& out, std::ostream&) {
  const int64_t id = SampleId(args);
  auto s = service::LoadSample(RequireDb(args), id);
  if (!s) throw InputError("sample " + std::to_string(id) + " is not in the store");
  PrintSample(*s, args.Get("format").value_or("text") == "json", out);
  return 0;
}

int List(const Args& args, std::ostream& out, std::ostream&) {
  for (const auto& s : service::ListSamples(RequireDb(args)))
    out << s.sample_id << "\trun " << s.run_id << "\t" << sampling::ToString(s.sample.spec.design)
        << (s.sample.statistical ? "" : " (non-statistical)") << "\t" << s.sample.spec.generator
        << " seed " << s.sample.spec.seed << "\tframe " << s.sample.frame_size << " sha256 "
        << s.sample.frame_sha256.substr(0, 16) << "\t" << s.created_at << "\n";
  return 0;
}

int Replay(const Args& args, std::ostream& out, std::ostream&) {
  const auto r = service::ReplaySample(RequireDb(args), SampleId(args),
                                      args.Int("frame-run", 0));
  out << "stored frame   sha256 " << r.stored_frame_sha256 << "\n"
      << "replayed frame sha256 " << r.replayed_frame_sha256 << "\n";
  for (const auto& d : r.differences) out << "  " << d << "\n";
  if (r.Identical()) {
    out << "IDENTICAL: same frame, generator " << r.stored.sample.spec.generator << " seed "
        << r.stored.sample.spec.seed << ", same " << r.stored.sample.items.size()
        << " items in the same selection order\n";
    return 0;
  }
  out << "NOT IDENTICAL: this sample cannot be claimed to replay from this frame\n";
  return 1;
}

int Substitute(const Args& args, std::ostream& out, std::ostream&) {
  const auto spare = service::SubstituteSpare(RequireDb(args), SampleId(args),
                                             args.Require("encounter"), args.Require("reason"));
  out << "replaced " << args.Require("encounter") << " with spare " << spare << "\n";
  return 0;
}

int Extrapolate(const Args& args, std::ostream& out, std::ostream&) {
  const std::string db = RequireDb(args), path = args.Require("out");
  const auto report =
      service::WriteExtrapolationReport(db, args.Int("sample-id", 0), args.Require("input"), path);
  out << "sample " << report.sample.sample_id << ": " << report.items.size()
      << " reviewed items, demand amount (one-sided 90% lower limit) "
      << FormatDollars(report.demand_amount) << "\n"
      << "replay: " << (report.replay_identical ? "identical" : "NOT IDENTICAL") << "\n"
      << "extrapolation workbook: " << std::filesystem::absolute(path).string() << "\n";
  return 0;
}

}  // namespace

std::vector<Command> StoredSampleCommands() {
  return {
      {{"sample", "draw"}, kDrawHelp,
       {"db", "run", "design", "n", "spares", "generator", "seed", "stratify-by", "bands",
        "allocation", "period", "per-coder", "percent", "rule", "format"},
       {}, Draw},
      {{"sample", "show"}, kShowHelp, {"db", "sample-id", "sample", "format"}, {}, Show},
      {{"sample", "list"}, kListHelp, {"db"}, {}, List},
      {{"sample", "replay"}, kReplayHelp, {"db", "sample-id", "sample", "frame-run"}, {}, Replay},
      {{"sample", "substitute"}, kSubstituteHelp, {"db", "sample-id", "sample", "encounter", "reason"}, {},
       Substitute},
      {{"extrapolate"}, kExtrapolateHelp, {"db", "sample-id", "input", "out"}, {}, Extrapolate},
  };
}

}  // namespace coderaudit::cli
