#pragma once
// What the findings workbook of a check run shows (service::LoadFindingsReport fills it
// from the store). Plain data: the writer is a pure function of it.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/runs/run.hpp"

namespace coderaudit::runs {

struct HeldClaim {
  std::string encounter_id, provider_id, coder_id, payer;
  std::string reasons;        // holding rule ids and not-checked rules, "; " separated
  int64_t holding_findings = 0, findings = 0, not_checked = 0;
};

struct FindingsReport {
  RunInfo run;                        // the check run (created time = run.started_at)
  std::string hold_policy;            // dispositions that hold, comma separated
  bool hold_unchecked = true;
  int64_t claims = 0, held = 0, released = 0;
  bool all_claims_listed = true;      // false: stored with --store findings
  std::vector<HeldClaim> held_claims; // input order
  std::vector<FindingRow> findings;   // stored order
};

}  // namespace coderaudit::runs
