#pragma once
// Stored encounter samples (schemas/migrations/0003_samples.sql). A sample is written in
// one transaction; substitutions of spares are appended with their reason.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/runs/stored_sample.hpp"
#include "audit/store/trail_store.hpp"

namespace coderaudit::store {


class SampleStore {
 public:
  // Opens the store at `path` (applying migrations like Store does).
  explicit SampleStore(const std::string& path);
  ~SampleStore();

  // `event`, when given, makes the trail event of the change from its result (the new
  // sample's id; the spare brought in), appended in the change's transaction.
  using EventOf = std::function<TrailEvent(const std::string& result)>;
  int64_t Save(int64_t run_id, const sampling::EncounterSample& sample,
               const std::string& created_at, const std::string& tool_version,
               const EventOf& event = nullptr);
  std::optional<runs::StoredSample> Load(int64_t sample_id);
  std::vector<runs::StoredSample> List();  // without items
  // Replaces a sampled encounter with the next unused spare of its stratum, recording
  // why. Returns the spare's encounter id; InputError if none is left or the id is not
  // in the sample.
  std::string Substitute(int64_t sample_id, const std::string& encounter_id,
                         const std::string& reason, const std::string& recorded_at,
                         const EventOf& event = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::store
