#pragma once
// Scaled-out check runs on PostgreSQL (issue 13 item 2): `coderaudit check --partitions N`
// splits a batch into partitions recorded in the store; `coderaudit worker` processes claim
// them (SELECT … FOR UPDATE SKIP LOCKED) and write each partition's rows and its done mark
// in one transaction; the last partition completes the run. The finished run holds what a
// single-process `check` of the same files stores (same findings, rejects, counts, line
// numbers, inputs), in input order.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "audit/service/service.hpp"

namespace coderaudit::service {

struct PartitionOptions {
  std::string rules_path, refdata_dir, db_path;
  std::vector<std::string> encounter_paths;  // encounter CSV files (schemas/encounters-csv.md)
  CheckOptions::StoreMode store = CheckOptions::StoreMode::kAll;
  int partitions = 2;
};

struct PartitionedRun {
  int64_t run_id = 0;
  int partitions = 0;
  std::string rule_set_hash;
};

// Splits each file, in proportion to its size, at claim boundaries: never inside a claim's
// rows, and never between two rows with the same encounter id (so an id repeated later in
// a file, which a run audits in no copy, meets its copies in one partition). The files are
// stored in the partitions (workers need only the store and the rules); their SHA-256 and
// size are recorded as the run's inputs, as check does. UsageError for a SQLite store,
// InputError for a file that is not an encounter CSV.
PartitionedRun CreatePartitionedRun(const PartitionOptions& options);

struct WorkerOptions {
  std::string db_path;
  std::string name;            // recorded with each partition it stores
  bool until_done = false;     // exit once no partition is left (else wait for more)
  double poll_seconds = 1.0;   // the wait between looks when nothing is claimable
  std::function<void(const std::string&)> on_event;  // one line per partition / run
  // Each encounter as the partition's read delivers it (tests stall a worker here).
  std::function<void(const Encounter&)> on_encounter_read;
};

// Claims and processes partitions until there are none left (until_done) or forever. Rules
// are compiled once per job from the path the job records (with its --refdata); a rule set
// whose hash differs from the run's is refused (SystemError), so every partition of a run
// is checked by the same rules. Returns the number of partitions this worker stored.
int64_t RunWorker(const WorkerOptions& options);

}  // namespace coderaudit::service
