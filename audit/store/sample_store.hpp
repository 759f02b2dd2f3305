#pragma once
// Stored encounter samples (schemas/migrations/0003_samples.sql). A sample is written in
// one transaction; substitutions of spares are appended with their reason.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/runs/stored_sample.hpp"

namespace coderaudit::store {


class SampleStore {
 public:
  // Opens the store at `path` (applying migrations like Store does).
  explicit SampleStore(const std::string& path);
  ~SampleStore();

  int64_t Save(int64_t run_id, const sampling::EncounterSample& sample,
               const std::string& created_at, const std::string& tool_version);
  std::optional<runs::StoredSample> Load(int64_t sample_id);
  std::vector<runs::StoredSample> List();  // without items
  // Replaces a sampled encounter with the next unused spare of its stratum, recording
  // why. Returns the spare's encounter id; InputError if none is left or the id is not
  // in the sample.
  std::string Substitute(int64_t sample_id, const std::string& encounter_id,
                         const std::string& reason, const std::string& recorded_at);
  // Records an appraisal of sample `a.sample_id`; returns its appraisal id.
  int64_t RecordAppraisal(const runs::SampleAppraisal& a);
  std::vector<runs::SampleAppraisal> Appraisals(int64_t sample_id);  // in recording order

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::store
