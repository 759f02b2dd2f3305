#pragma once
// Samples of stored encounters: simple random, stratified (by a field or by amount
// bands), per-coder quota (per period), and targeted (non-statistical). The frame is
// fixed before the draw and fingerprinted, so a stored sample can be replayed and proven
// identical — or shown to come from a different frame.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/sampling/draw.hpp"

namespace coderaudit::sampling {

// What the frame needs to know about one encounter (built from a stored check run).
struct FrameItem {
  std::string encounter_id;
  std::string coder_id, provider_id, claim_type, payer, drg, sex;
  std::string from_date;                   // YYYY-MM-DD
  int64_t amount_cents = 0;                // sum of line charges
  std::vector<std::string> finding_rules;  // rule ids that fired on the encounter, sorted
};

enum class SampleDesign { kSimple, kStratified, kQuota, kTargeted };
std::string_view ToString(SampleDesign d);  // "simple" | "stratified" | "quota" | "targeted"
std::optional<SampleDesign> ParseSampleDesign(std::string_view s);

struct SampleSpec {
  SampleDesign design = SampleDesign::kSimple;
  std::string generator = "xoshiro256ss";
  std::string seed;                  // canonical seed text of the generator
  uint64_t n = 0;                    // simple/targeted: sample size; stratified: see allocation
  uint64_t spares = 0;               // per stratum (simple/targeted: in total)
  // stratified
  std::string stratify_by;           // coder_id|provider_id|claim_type|payer|drg|sex|amount
  std::vector<int64_t> band_floors;  // amount bands: lower bounds in cents, ascending
  std::string allocation = "equal";  // equal: n per stratum; proportional: n in total
  // quota
  std::string period = "quarter";    // month | quarter
  uint64_t per_coder = 0;            // n per coder per period, or
  double percent = 0;                // this percentage of each coder-period (rounded up)
  // targeted
  std::string target_rule;           // only encounters with a finding of this rule ("" = any)
};

// Canonical JSON of the spec (sorted keys), stored with the sample and hashed into the frame.
std::string SpecToJson(const SampleSpec& spec);
SampleSpec SpecFromJson(const std::string& json);  // throws InputError

struct SampledEncounter {
  std::string stratum;
  std::string role;            // "sample" | "spare"
  uint64_t selection_order = 0;  // within the stratum, over sample then spares
  uint64_t position = 0;         // 1-based position in the stratum's canonical frame
  std::string encounter_id;
};

struct StratumSummary {
  std::string name;
  uint64_t frame_size = 0, n = 0, spares = 0;
};

struct EncounterSample {
  SampleSpec spec;
  std::string generator_version;
  bool statistical = true;        // false for targeted samples: never extrapolated
  std::string frame_sha256;       // SHA-256 of the canonical frame text
  uint64_t frame_size = 0;
  std::vector<StratumSummary> strata;     // sorted by name
  std::vector<SampledEncounter> items;    // by stratum, sample (ascending position) then spares
  std::vector<std::string> warnings;
};

// The canonical frame text: the spec, then each stratum with its items in encounter-id
// order. Identical stored data and spec give identical text, hence identical hash.
std::string CanonicalFrame(const std::vector<FrameItem>& items, const SampleSpec& spec);

// One unit of the canonical frame, as CanonicalFrame writes it: its stratum, its 1-based
// position there (the random number that selects it), its encounter and amount.
struct FrameUnit {
  std::string stratum;
  uint64_t position = 0;
  std::string encounter_id;
  int64_t amount_cents = 0;
};
// The canonical frame's units: strata in name order, each in encounter-id order (so a
// listing of them, with the spec, reproduces the frame's SHA-256).
std::vector<FrameUnit> FrameUnits(const std::vector<FrameItem>& items, const SampleSpec& spec);

// Builds the frame and draws. Strata are drawn in name order from ONE generator stream,
// each as a RAT-STATS single-stage draw of 1..N_h. Throws InputError for bad specs.
EncounterSample DrawEncounterSample(const std::vector<FrameItem>& items, const SampleSpec& spec);

}  // namespace coderaudit::sampling
