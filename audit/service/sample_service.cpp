#include "audit/service/sample_service.hpp"

#include <algorithm>
#include <map>

#include "audit/service/service.hpp"
#include "audit/service/trail.hpp"
#include "audit/model/error.hpp"
#include "audit/store/store.hpp"

namespace coderaudit::service {

std::vector<sampling::FrameItem> LoadFrame(const std::string& db_path, int64_t run_id) {
  store::Store db(db_path);
  auto run = db.LoadRun(run_id);
  if (!run || run->kind != "check")
    throw InputError("run " + std::to_string(run_id) + " is not a check run in " + db_path);
  std::map<std::string, std::vector<std::string>> rules_by_encounter;
  for (const auto& f : db.LoadFindings(run_id))
    rules_by_encounter[f.finding.encounter_id].push_back(f.finding.rule_id);
  std::vector<sampling::FrameItem> items;
  db.ForEachEncounter(run_id, [&](Encounter&& e) {
    sampling::FrameItem it;
    it.encounter_id = e.id;
    it.coder_id = e.coder_id;
    it.provider_id = e.provider_id;
    it.claim_type = std::string(ToString(e.claim_type));
    it.payer = e.payer;
    it.drg = e.drg;
    it.sex = std::string(ToString(e.sex));
    it.from_date = ToIso(e.from_date);
    for (const auto& l : e.lines) it.amount_cents += l.charge_cents;
    auto& rules = rules_by_encounter[e.id];
    std::sort(rules.begin(), rules.end());
    rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
    it.finding_rules = rules;
    items.push_back(std::move(it));
  });
  return items;
}

DrawnSample DrawAndStoreSample(const std::string& db_path, int64_t run_id,
                               sampling::SampleSpec spec, const Actor& actor) {
  Authorize(actor, Operation::kDrawSample);
  if (spec.seed.empty()) spec.seed = sampling::FreshSeedText(spec.generator);
  const auto frame = LoadFrame(db_path, run_id);
  DrawnSample out;
  out.sample = sampling::DrawEncounterSample(frame, spec);
  store::SampleStore samples(db_path);
  int64_t picked = 0, spares = 0;
  for (const auto& it : out.sample.items) (it.role == "sample" ? picked : spares) += 1;
  out.sample_id = samples.Save(run_id, out.sample, NowIso(), ToolVersion(), [&](const std::string& id) {
    return MakeEvent(actor, "sample.drawn", "sample:" + id, run_id, "{}",
                     JsonObject().Raw("definition", sampling::SpecToJson(out.sample.spec))
                         .Str("frame_sha256", out.sample.frame_sha256)
                         .Int("frame_size", static_cast<int64_t>(out.sample.frame_size))
                         .Int("sampled", picked).Int("spares", spares).Text());
  });
  return out;
}

ReplayResult ReplaySample(const std::string& db_path, int64_t sample_id, int64_t frame_run_id,
                          const Actor& actor) {
  Authorize(actor, Operation::kReadSamples);
  store::SampleStore samples(db_path);
  auto stored = samples.Load(sample_id);
  if (!stored) throw InputError("sample " + std::to_string(sample_id) + " is not in " + db_path);
  ReplayResult r;
  r.stored = *stored;
  r.stored_frame_sha256 = stored->sample.frame_sha256;
  const auto frame = LoadFrame(db_path, frame_run_id ? frame_run_id : stored->run_id);
  const auto redrawn = sampling::DrawEncounterSample(frame, stored->sample.spec);
  r.frame = sampling::FrameUnits(frame, stored->sample.spec);
  r.replayed_frame_sha256 = redrawn.frame_sha256;
  r.frame_identical = redrawn.frame_sha256 == stored->sample.frame_sha256;
  if (!r.frame_identical)
    r.differences.push_back("frame hash differs: the encounters, strata or amounts changed");
  const auto& a = stored->sample.items;
  const auto& b = redrawn.items;
  r.draw_identical = a.size() == b.size();
  if (!r.draw_identical)
    r.differences.push_back("stored " + std::to_string(a.size()) + " items, replay drew " +
                            std::to_string(b.size()));
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const bool same = a[i].stratum == b[i].stratum && a[i].role == b[i].role &&
                      a[i].selection_order == b[i].selection_order &&
                      a[i].position == b[i].position && a[i].encounter_id == b[i].encounter_id;
    if (same) continue;
    r.draw_identical = false;
    if (r.differences.size() < 10)
      r.differences.push_back("item " + std::to_string(i + 1) + " (" + a[i].stratum + " " +
                              a[i].role + " #" + std::to_string(a[i].selection_order) +
                              ") differs");
  }
  return r;
}

}  // namespace coderaudit::service
