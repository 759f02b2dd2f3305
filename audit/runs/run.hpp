#pragma once
// The run record: what every stored run (check, score) says about itself, its inputs and
// its findings. Written by audit/store, read by the service layer and every report.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"

namespace coderaudit::runs {

struct RunInput {
  std::string role;    // "encounters", "rules", "auditor"
  std::string path;
  std::string sha256;
  int64_t bytes = 0;
};

struct RunInfo {
  int64_t run_id = 0;
  std::string kind;             // "check" | "score"
  int64_t parent_run_id = 0;    // the check run a score run audits; 0 if none
  std::string started_at;       // ISO 8601 UTC, e.g. 2026-11-23T04:33:40Z
  std::string finished_at;
  std::string tool_version;
  std::string rule_set_name;
  std::string rule_set_version;
  std::string rule_set_hash;
  int64_t records_read = 0, records_processed = 0, records_rejected = 0;
  int64_t encounters_read = 0, encounters_processed = 0, encounters_rejected = 0;
  int64_t findings = 0;
  std::vector<RunInput> inputs;
  // Check runs (schema 6): claims some rule could not judge for want of a table version in
  // force on their date, and per rule (sorted by rule id) how many.
  int64_t claims_not_checked = 0;
  std::vector<NotCheckedCount> not_checked;
};

struct FindingRow {
  Finding finding;
  std::string coder_id;
  std::string provider_id;
  std::string payer;  // of the finding's claim
};

// How a score run was scored: its frozen policy and where the run came from.
struct ScoringInfo {
  std::string origin = "auditor";       // "auditor" | "rescore" | "rebuttal"
  int64_t source_run_id = 0;            // the score run re-scored or rebutted; 0 if none
  std::string policy_id, policy_version, policy_sha256;
  std::string policy_text;              // the policy's exact bytes ("" for version-1 runs)
  double benchmark_override = 0;        // score --benchmark; 0 = the policy's benchmark
  double base_rate = 0;                 // dollars per 1.0 of DRG weight; 0 = none given
  std::string drg_weights_sha256, cc_mcc_sha256;
};

}  // namespace coderaudit::runs
