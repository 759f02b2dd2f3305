#pragma once
// A stored encounter sample as written (schemas/migrations/0003_samples.sql): the draw, its
// seed and frame, and the spares substituted since, each with its reason.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/sampling/encounter_sample.hpp"

namespace coderaudit::runs {

struct Substitution {
  std::string replaced, spare, reason, recorded_at;
};

struct StoredSample {
  int64_t sample_id = 0;
  int64_t run_id = 0;
  std::string created_at;
  std::string tool_version;
  sampling::EncounterSample sample;
  std::vector<Substitution> substitutions;
};

}  // namespace coderaudit::runs
