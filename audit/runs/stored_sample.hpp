#pragma once
// A stored encounter sample as written (schemas/migrations/0003_samples.sql): the draw, its
// seed and frame, and the spares substituted since, each with its reason.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/sampling/encounter_sample.hpp"

namespace coderaudit::runs {

struct Substitution {
  std::string replaced, spare, reason, recorded_at;
};

// An appraisal recorded against the sample by `appraise ... --db --sample-id`
// (schemas/migrations/0011_appraisals.sql): how a demand amount traces to its inputs.
struct SampleAppraisal {
  int64_t appraisal_id = 0;
  int64_t sample_id = 0;
  std::string kind;  // variable | attribute
  std::string recorded_at, tool_version;
  std::string inputs, inputs_sha256;  // what was appraised, and the SHA-256 of its bytes
  std::optional<double> demand_amount;
  std::string report_json, report_sha256;  // every figure, and their SHA-256
};

struct StoredSample {
  int64_t sample_id = 0;
  int64_t run_id = 0;
  std::string created_at;
  std::string tool_version;
  sampling::EncounterSample sample;
  std::vector<Substitution> substitutions;
  std::vector<SampleAppraisal> appraisals;  // in recording order
};

// One encounter in a stored sample now: a drawn sample item, or a spare brought in for
// the encounter named by `replaced`.
struct CurrentMember {
  const sampling::SampledEncounter* item = nullptr;  // points into the StoredSample
  std::string replaced;                              // empty for a drawn sample item
};

// The encounters in the sample now, by encounter id: the drawn sample items with the
// substitutions applied in the order recorded. Appraisals and extrapolations read these.
inline std::map<std::string, CurrentMember> CurrentMembers(const StoredSample& stored) {
  std::map<std::string, CurrentMember> members;
  for (const auto& it : stored.sample.items)
    if (it.role == "sample") members[it.encounter_id] = {&it, ""};
  for (const auto& sub : stored.substitutions) {
    members.erase(sub.replaced);
    for (const auto& it : stored.sample.items)
      if (it.encounter_id == sub.spare) members[sub.spare] = {&it, sub.replaced};
  }
  return members;
}

}  // namespace coderaudit::runs
