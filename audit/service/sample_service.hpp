#pragma once
// Samples of stored check runs: draw, replay (prove identical), substitute spares.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/sampling/encounter_sample.hpp"
#include "audit/service/access.hpp"
#include "audit/store/sample_store.hpp"

namespace coderaudit::service {

// The frame of a stored check run: its processed encounters with charges and findings.
std::vector<sampling::FrameItem> LoadFrame(const std::string& db_path, int64_t run_id);

struct DrawnSample {
  int64_t sample_id = 0;
  sampling::EncounterSample sample;
};
// Draws and stores. An empty seed gets a fresh one, which is recorded.
// Authorised for draw-sample; the sample and its trail event ("sample.drawn": design,
// seed, frame hash, sizes) are stored in one transaction.
DrawnSample DrawAndStoreSample(const std::string& db_path, int64_t run_id,
                               sampling::SampleSpec spec, const Actor& actor = Actor::Local());

struct ReplayResult {
  bool frame_identical = false;   // the frame re-derived now hashes as stored
  bool draw_identical = false;    // the redraw selects the same items in the same order
  bool Identical() const { return frame_identical && draw_identical; }
  std::string stored_frame_sha256, replayed_frame_sha256;
  std::vector<std::string> differences;  // human-readable, first few
  runs::StoredSample stored;
  std::vector<sampling::FrameUnit> frame;  // the frame as re-derived now (replayed_frame_sha256)
};
// Re-derives the frame from `frame_run_id` (default: the sample's own run) and redraws
// with the stored generator and seed. Identity is claimed only if both frame and draw match.
ReplayResult ReplaySample(const std::string& db_path, int64_t sample_id, int64_t frame_run_id = 0,
                          const Actor& actor = Actor::Local());

}  // namespace coderaudit::service
