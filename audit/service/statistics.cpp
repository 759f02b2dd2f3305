#include "audit/service/statistics.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "audit/io/output_file.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/sampling/attribute_appraisal.hpp"
#include "audit/sampling/count_sum.hpp"
#include "audit/sampling/draw.hpp"
#include "audit/sampling/random.hpp"
#include "audit/sampling/rhc_selection.hpp"
#include "audit/sampling/render.hpp"
#include "audit/sampling/sample_size.hpp"
#include "audit/sampling/table_input.hpp"
#include "audit/sampling/variable_appraisal.hpp"
#include "audit/service/service.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/trail.hpp"
#include "audit/store/sample_store.hpp"

namespace coderaudit::service {

namespace sm = coderaudit::sampling;

namespace {

template <typename Report>
std::string Render(const Report& r, ReportFormat format) {
  return format == ReportFormat::kJson ? sm::RenderJson(r) : sm::RenderText(r);
}

// The whole input file: it is hashed and parsed from these same bytes, so the recorded
// SHA-256 is of exactly what was appraised.
std::string ReadInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open '" + path + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw InputError("cannot read '" + path + "'");
  return bytes.str();
}

// A stored sample the appraisal is tied to (--db --sample-id), loaded and checked to be
// statistical; nullopt without --db. A non-statistical sample, stored or marked, is refused.
std::optional<runs::StoredSample> GuardedSample(const ExtrapolationGuard& guard) {
  std::optional<runs::StoredSample> stored;
  if (!guard.db_path.empty()) {
    // The appraised items come from a stored sample: its own label decides.
    stored = LoadSample(guard.db_path, guard.sample_id);
    const std::string id = std::to_string(guard.sample_id);
    if (!stored) throw InputError("sample " + id + " is not in " + guard.db_path);
    if (!stored->sample.statistical)
      throw InputError("refusing to extrapolate: stored sample " + id + " is " +
                       std::string(sm::ToString(stored->sample.spec.design)) +
                       ", a non-statistical sample; its results describe only the items reviewed");
  }
  if (guard.non_statistical)
    throw InputError(
        "refusing to extrapolate: the sample is marked non-statistical (targeted or "
        "judgmental), so its results describe only the items reviewed");
  return stored;
}

std::string SampleName(const runs::StoredSample& stored) {
  return "stored sample " + std::to_string(stored.sample_id);
}

const sm::StratumSummary* FindStratum(const runs::StoredSample& stored, const std::string& name) {
  for (const auto& st : stored.sample.strata)
    if (st.name == name) return &st;
  return nullptr;
}

// A universe size must be the stored frame's: the demand amount scales with it.
void CheckUniverse(const runs::StoredSample& stored, const std::string& stratum, int64_t universe,
                   const std::string& where) {
  const sm::StratumSummary* st = FindStratum(stored, stratum);
  if (!st)
    throw InputError(where + "stratum '" + stratum + "' is not a stratum of " + SampleName(stored));
  if (static_cast<uint64_t>(universe) != st->frame_size)
    throw InputError(where + "universe size " + std::to_string(universe) + " contradicts " +
                     SampleName(stored) + ", whose frame" +
                     (stored.sample.strata.size() > 1 ? " stratum '" + stratum + "'" : std::string()) +
                     " has " + std::to_string(st->frame_size) + " encounters");
}

// An unrestricted appraisal of a stored sample: the sample must have one stratum.
const std::string& OnlyStratum(const runs::StoredSample& stored) {
  if (stored.sample.strata.size() != 1)
    throw InputError(SampleName(stored) + " has " + std::to_string(stored.sample.strata.size()) +
                     " strata: appraise it stratified (--strata), one row per stored stratum");
  return stored.sample.strata[0].name;
}

// Every item is a current member of the stored sample (drawn, or a spare substituted in),
// listed once, in its stored stratum (unless the items' strata are post-strata, formed after
// the draw); every member has an item. As `extrapolate` checks.
enum class ItemStrata { kStored, kPostStrata };
void CheckItemsAgainstSample(const sm::VariableItems& items, const std::string& path,
                             const runs::StoredSample& stored, ItemStrata strata) {
  if (!items.has_encounter_id)
    throw InputError(path + ":1: with --db and --sample-id the items need an encounter_id "
                     "column, so each item can be matched to " + SampleName(stored));
  const auto members = runs::CurrentMembers(stored);
  std::set<std::string> seen;
  for (size_t i = 0; i < items.encounter_id.size(); ++i) {
    const std::string where = path + ":" + std::to_string(items.line[i]) + ": ";
    const auto it = members.find(items.encounter_id[i]);
    // The encounter id is not echoed: messages never carry patient-level values.
    if (it == members.end()) throw InputError(where + "encounter is not in " + SampleName(stored));
    if (!seen.insert(it->first).second) throw InputError(where + "encounter listed twice");
    if (strata == ItemStrata::kStored && items.has_stratum && items.stratum[i] != it->second.item->stratum)
      throw InputError(where + "stratum '" + items.stratum[i] + "' contradicts " + SampleName(stored) +
                       ", which holds this encounter in stratum '" + it->second.item->stratum + "'");
  }
  if (seen.size() != members.size())
    throw InputError(path + ": " + std::to_string(members.size() - seen.size()) + " of the " +
                     std::to_string(members.size()) + " encounters in " + SampleName(stored) +
                     " have no item");
}

// Records the appraisal with its inputs' SHA-256 and its JSON figures; the text report
// gets a closing line naming the record, the JSON report a "recorded" object.
std::string Record(const ExtrapolationGuard& guard, const char* kind, const std::string& inputs,
                   const std::string& inputs_sha256, std::optional<double> demand,
                   const std::string& report_json, const std::string& report, ReportFormat format) {
  runs::SampleAppraisal a;
  a.sample_id = guard.sample_id;
  a.kind = kind;
  a.recorded_at = NowIso();
  a.tool_version = ToolVersion();
  a.inputs = inputs;
  a.inputs_sha256 = inputs_sha256;
  a.demand_amount = demand;
  a.report_json = report_json;
  a.report_sha256 = Sha256Hex(report_json);
  store::SampleStore samples(guard.db_path);
  const auto stored = samples.Load(guard.sample_id);
  const int64_t run_id = stored ? stored->run_id : 0;
  // The chain of custody: who appraised which sample from which bytes, in the trail.
  const int64_t id = samples.RecordAppraisal(a, [&](const std::string& appraisal_id) {
    return MakeEvent(Actor::Local(), "appraisal.recorded", "appraisal:" + appraisal_id, run_id,
                     "{}",
                     JsonObject().Int("sample_id", guard.sample_id).Str("kind", kind)
                         .Str("inputs_sha256", inputs_sha256).Str("report_sha256", a.report_sha256)
                         .Text());
  });
  if (format == ReportFormat::kJson) {
    Poco::JSON::Parser parser;
    auto o = parser.parse(report).extract<Poco::JSON::Object::Ptr>();
    Poco::JSON::Object::Ptr rec = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    rec->set("appraisal_id", Poco::Int64{id});
    rec->set("sample_id", Poco::Int64{guard.sample_id});
    rec->set("inputs_sha256", inputs_sha256);
    rec->set("report_sha256", a.report_sha256);
    o->set("recorded", rec);
    std::ostringstream out;
    o->stringify(out, 2);
    return out.str() + "\n";
  }
  return report + "\nRecorded as appraisal " + std::to_string(id) + " of stored sample " +
         std::to_string(guard.sample_id) + " in " + guard.db_path + " (inputs SHA-256 " +
         inputs_sha256 + ", figures SHA-256 " + a.report_sha256 + ")\n";
}

// The generator for `seed`, or for a fresh seed, which the warning then reports (the draw
// can only be replayed with it).
std::unique_ptr<sm::RandomGenerator> Generator(const std::string& name, const std::string& seed,
                                               const std::string& what, std::vector<std::string>& warning) {
  if (!seed.empty()) return sm::MakeGenerator(name, seed);
  const std::string fresh = sm::FreshSeedText(name);
  warning.push_back("no --seed given: drew with the fresh seed " + fresh + "; keep it to replay this " + what);
  return sm::MakeGenerator(name, fresh);
}

}  // namespace

std::string RandomNumbers(const RandomNumbersRequest& r, ReportFormat format) {
  sm::DrawRequest request;
  if (r.single_stage) {
    request.design = sm::DrawDesign::kSingleStage;
    request.ranges.push_back({r.low, r.high});
  } else if (!r.sets.empty()) {
    request.design = sm::DrawDesign::kSets;
    request.ranges = sm::ParseRanges(r.sets, ',');
  } else {
    request.design = sm::DrawDesign::kFrames;
    request.ranges = sm::ParseRanges(r.frames, ';');
  }
  request.count = r.count;
  request.spares = r.spares;
  std::vector<std::string> seed_warning;
  auto rng = Generator(r.generator, r.seed, "sample", seed_warning);
  sm::DrawResult result = sm::Draw(*rng, request);
  result.warnings.insert(result.warnings.begin(), seed_warning.begin(), seed_warning.end());
  return Render(result, format);
}

std::string SelectRhc(const RhcSelectionRequest& r, ReportFormat format) {
  std::istringstream in(ReadInput(r.frame_path));
  auto frame = sm::ReadRhcFrame(in, r.frame_path);
  std::vector<std::string> seed_warning;
  auto rng = Generator(r.generator, r.seed, "selection", seed_warning);
  sm::RhcSelection selection = sm::SelectRhc(*rng, std::move(frame), r.groups, r.frame_path);
  selection.warnings.insert(selection.warnings.begin(), seed_warning.begin(), seed_warning.end());
  if (!r.groups_out.empty()) {
    std::error_code ec;
    if (std::filesystem::equivalent(r.groups_out, r.frame_path, ec))
      throw InputError("--out " + r.groups_out + " is the frame file: the groups would replace the frame");
    io::WriteFileAtomically(r.groups_out, "RHC groups file", sm::RhcGroupsCsv(selection));
  }
  return Render(selection, format);
}

std::string AppraiseVariable(const VariableAppraisalRequest& r, ReportFormat format) {
  const auto stored = GuardedSample(r.guard);
  const std::string items_bytes = ReadInput(r.items_path);
  std::istringstream items_in(items_bytes);
  const sm::VariableItems items = sm::ReadVariableItems(items_in, r.items_path);
  std::string strata_bytes;
  std::vector<sm::StratumSize> sizes;
  if (!r.strata_path.empty()) {
    strata_bytes = ReadInput(r.strata_path);
    std::istringstream strata_in(strata_bytes);
    sizes = sm::ReadStrataSizes(strata_in, r.strata_path);
  }
  if (stored) {
    // Nothing is appraised or recorded unless the inputs agree with the stored sample.
    CheckItemsAgainstSample(items, r.items_path, *stored,
                            r.post_stratified ? ItemStrata::kPostStrata : ItemStrata::kStored);
    if (r.post_stratified) {
      int64_t total = 0;
      for (const auto& size : sizes) sm::AddCount(total, size.universe, "the post-strata's sizes");
      CheckUniverse(*stored, OnlyStratum(*stored), total, r.strata_path + ": the post-strata's sizes add up to " +
                                                              std::to_string(total) + ": ");
    } else if (r.strata_path.empty()) {
      CheckUniverse(*stored, OnlyStratum(*stored), r.universe, "");
    } else {
      for (const auto& size : sizes) CheckUniverse(*stored, size.id, size.universe, r.strata_path + ": ");
      if (sizes.size() != stored->sample.strata.size())
        throw InputError(r.strata_path + ": lists " + std::to_string(sizes.size()) + " strata; " +
                         SampleName(*stored) + " has " + std::to_string(stored->sample.strata.size()));
    }
  }
  std::string report, json;
  std::optional<double> demand;
  if (r.strata_path.empty()) {
    const auto a = sm::AppraiseUnrestricted(items.sample, r.universe);
    report = Render(a, format);
    json = sm::RenderJson(a);
    demand = a.demand_amount;
  } else {
    auto a = sm::AppraiseStratified(sm::GroupByStratum(items, sizes));
    a.post_stratified = r.post_stratified;
    report = Render(a, format);
    json = sm::RenderJson(a);
    demand = a.demand_amount;
  }
  if (!stored) return report;
  std::string inputs = "items " + r.items_path + " sha256 " + Sha256Hex(items_bytes);
  if (r.strata_path.empty())
    inputs += "; universe " + std::to_string(r.universe);
  else
    inputs += std::string(r.post_stratified ? "; post-strata " : "; strata ") + r.strata_path + " sha256 " +
              Sha256Hex(strata_bytes);
  return Record(r.guard, r.post_stratified ? "variable post-stratified" : "variable", inputs, Sha256Hex(items_bytes + strata_bytes), demand, json,
                report, format);
}

namespace {

// Unrestricted, or each stratum appraised with its own primaries and then combined.
template <typename Rows>
std::string AppraiseMultistageRows(const Rows& rows, const MultistageAppraisalRequest& r, ReportFormat format) {
  if (!r.groups_path.empty()) {
    if (!r.strata_path.empty()) throw InputError("an RHC appraisal (--groups) is not stratified: give no --strata");
    if (!rows.stratum.empty())
      throw InputError(r.items_path + ": the rows name strata, but an RHC appraisal (--groups) is not stratified");
    std::istringstream groups_in(ReadInput(r.groups_path));
    return Render(sm::AppraiseRhc(rows, sm::ReadRhcGroups(groups_in, r.groups_path), r.items_path, r.groups_path),
                  format);
  }
  if (r.strata_path.empty()) {
    if (!rows.stratum.empty())
      throw InputError(r.items_path + ": the rows name strata: give --strata (stratum,primaries)");
    return Render(sm::AppraiseMultistage(rows, r.universe, r.items_path), format);
  }
  std::istringstream sizes_in(ReadInput(r.strata_path));
  const auto strata = sm::SplitByStratum(rows, sm::ReadStrataSizes(sizes_in, r.strata_path), r.items_path);
  return Render(sm::AppraiseMultistage(strata, r.items_path), format);
}

}  // namespace

std::string AppraiseMultistage(const MultistageAppraisalRequest& r, ReportFormat format) {
  if (!r.guard.db_path.empty())
    throw InputError("stored samples are single-stage: a multistage appraisal takes no --db");
  GuardedSample(r.guard);
  std::istringstream in(ReadInput(r.items_path));
  if (r.attribute) return AppraiseMultistageRows(sm::ReadMultistageAttributeUnits(in, r.items_path), r, format);
  return AppraiseMultistageRows(sm::ReadMultistageItems(in, r.items_path), r, format);
}

std::string AppraiseAttribute(const AttributeAppraisalRequest& r, ReportFormat format) {
  const auto stored = GuardedSample(r.guard);
  std::string strata_bytes;
  std::vector<sm::AttributeStratumInput> strata;
  if (!r.strata_path.empty()) {
    strata_bytes = ReadInput(r.strata_path);
    std::istringstream in(strata_bytes);
    strata = sm::ReadAttributeStrata(in, r.strata_path);
  }
  if (stored) {
    // The universe and the sample size must be the stored sample's own.
    std::map<std::string, int64_t> members_by_stratum;
    for (const auto& [id, m] : runs::CurrentMembers(*stored)) ++members_by_stratum[m.item->stratum];
    auto check_sample = [&](const std::string& stratum, int64_t n, const std::string& where) {
      if (n != members_by_stratum[stratum])
        throw InputError(where + "sample size " + std::to_string(n) + " contradicts " +
                         SampleName(*stored) + ", which holds " +
                         std::to_string(members_by_stratum[stratum]) + " encounters" +
                         (stored->sample.strata.size() > 1 ? " in stratum '" + stratum + "'" : std::string()));
    };
    if (r.strata_path.empty()) {
      const std::string& only = OnlyStratum(*stored);
      CheckUniverse(*stored, only, r.universe, "");
      check_sample(only, r.sample, "");
    } else {
      for (const auto& s : strata) {
        CheckUniverse(*stored, s.id, s.universe, r.strata_path + ": ");
        check_sample(s.id, s.sample_size, r.strata_path + ": stratum '" + s.id + "': ");
      }
      if (strata.size() != stored->sample.strata.size())
        throw InputError(r.strata_path + ": lists " + std::to_string(strata.size()) + " strata; " +
                         SampleName(*stored) + " has " + std::to_string(stored->sample.strata.size()));
    }
  }
  std::string report, json;
  if (r.strata_path.empty()) {
    const auto a = sm::AppraiseAttribute(r.universe, r.sample, r.errors);
    report = Render(a, format);
    json = sm::RenderJson(a);
  } else {
    const auto a = sm::AppraiseStratifiedAttribute(strata);
    report = Render(a, format);
    json = sm::RenderJson(a);
  }
  if (!stored) return report;
  const std::string inputs =
      r.strata_path.empty()
          ? "universe " + std::to_string(r.universe) + "; sample " + std::to_string(r.sample) +
                "; errors " + std::to_string(r.errors)
          : "strata " + r.strata_path + " sha256 " + Sha256Hex(strata_bytes);
  return Record(r.guard, "attribute", inputs,
                Sha256Hex(r.strata_path.empty() ? inputs : strata_bytes), std::nullopt, json,
                report, format);
}

std::string VariableSampleSize(const VariableSampleSizeRequest& r, ReportFormat format) {
  if (r.strata_path.empty()) {
    sm::VariableSampleSizeReport report;
    report.universe = r.universe;
    report.mean = r.mean;
    report.sd = r.sd;
    if (r.by_error_rate) {
      const sm::ErrorRateModel model = sm::ErrorAmountModel(
          r.universe, r.error_rate_percent / 100.0, r.universe_total, r.universe_sd);
      report.error_rate = r.error_rate_percent / 100.0;
      report.universe_total = r.universe_total;
      report.universe_sd = r.universe_sd;
      report.mean = model.mean;
      report.sd = model.sd;
    } else if (!r.probe_path.empty()) {
      // The probe's mean and SD as the variable appraisal computes them (n - 1 SD).
      std::istringstream in(ReadInput(r.probe_path));
      const sm::VariableSample probe =
          sm::CompleteValueSets(sm::ReadVariableItems(in, r.probe_path).sample);
      const sm::ValueSet set = probe.difference ? sm::ValueSet::kDifference
                               : probe.examined ? sm::ValueSet::kExamined
                                                : sm::ValueSet::kAudited;
      const std::vector<double>& values = set == sm::ValueSet::kDifference ? *probe.difference
                                          : set == sm::ValueSet::kExamined ? *probe.examined
                                                                           : *probe.audited;
      if (values.size() < 2) throw InputError(r.probe_path + ": a probe sample needs at least 2 items");
      const sm::ValueSetStats st = sm::AppraiseValues(set, values, std::max<int64_t>(
                                                          r.universe, static_cast<int64_t>(values.size())));
      report.mean = st.mean;
      report.sd = st.sd;
      report.probe_size = st.n;
      report.probe_set = sm::ValueSetName(set);
    }
    for (double c : r.confidences)
      report.results.push_back(
          sm::UnrestrictedVariableSampleSize(r.universe, report.mean, report.sd, r.precision_percent, c));
    return Render(report, format);
  }
  if (r.confidences.size() != 1) throw InputError("stratified sample size takes one confidence level");
  std::istringstream in(ReadInput(r.strata_path));
  return Render(sm::StratifiedVariableSampleSize(sm::ReadStratumProbes(in, r.strata_path),
                                                 r.precision_percent, r.confidences[0], r.total),
                format);
}

std::string AttributeSampleSize(const AttributeSampleSizeRequest& r, ReportFormat format) {
  sm::AttributeSampleSizeReport report;
  report.universe = r.universe;
  for (double c : r.confidences)
    report.results.push_back(sm::AttributeSampleSizeFor(
        r.universe, r.rate_percent / 100.0, r.precision_percent / 100.0, c,
        r.precision_is_range ? sm::AttributePrecision::kRange : sm::AttributePrecision::kHalfWidth));
  return Render(report, format);
}

}  // namespace coderaudit::service
