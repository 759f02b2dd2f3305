#pragma once
// Everything the extrapolation workbook shows: a stored statistical sample, the reviewed
// amounts of its items, the RAT-STATS appraisal, and whether the sample replays.
#include <optional>
#include <string>
#include <vector>

#include "audit/sampling/variable_appraisal.hpp"
#include "audit/runs/stored_sample.hpp"

namespace coderaudit::runs {

struct ReviewedItem {
  std::string stratum, role, encounter_id;  // role: sample, or "spare for X"
  uint64_t selection_order = 0, position = 0;
  double examined = 0, audited = 0, difference = 0;
};

struct ExtrapolationReport {
  StoredSample sample;
  std::string reviewed_path, reviewed_sha256;
  std::vector<ReviewedItem> items;  // by stratum, then position
  std::optional<sampling::UnrestrictedVariableAppraisal> unrestricted;
  std::optional<sampling::StratifiedVariableAppraisal> stratified;
  double demand_amount = 0;
  bool replay_identical = false;
  std::string replayed_frame_sha256;
  // The frame re-derived from the check run when the report was made (it is the stored
  // frame when replay_identical): every unit with its stratum, position and amount.
  std::vector<sampling::FrameUnit> frame;
};

}  // namespace coderaudit::runs
