#pragma once
// Stored encounter samples (schemas/migrations/0003_samples.sql). A sample is written in
// one transaction; substitutions of spares are appended with their reason.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/sampling/encounter_sample.hpp"

namespace coderaudit::store {

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

class SampleStore {
 public:
  // Opens the store at `path` (applying migrations like Store does).
  explicit SampleStore(const std::string& path);
  ~SampleStore();

  int64_t Save(int64_t run_id, const sampling::EncounterSample& sample,
               const std::string& created_at, const std::string& tool_version);
  std::optional<StoredSample> Load(int64_t sample_id);
  std::vector<StoredSample> List();  // without items
  // Replaces a sampled encounter with the next unused spare of its stratum, recording
  // why. Returns the spare's encounter id; InputError if none is left or the id is not
  // in the sample.
  std::string Substitute(int64_t sample_id, const std::string& encounter_id,
                         const std::string& reason, const std::string& recorded_at);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::store
