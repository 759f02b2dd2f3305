#pragma once
// Deterministic synthetic professional claims in the encounter CSV layout
// (schemas/encounters-csv.md), for benchmarks and load tests. No patient data: every id
// is made up. Codes are real CPT/HCPCS values chosen so the NCCI packs fire at realistic
// rates: PTP pairs on one date of service, units above the MUE, add-on codes without
// their primary. Streams: memory does not grow with the number of lines.
#include <cstdint>
#include <memory>
#include <ostream>

#include "audit/refdata/refdata.hpp"

namespace coderaudit::generate {

struct GenerateOptions {
  int64_t lines = 1000;   // exactly this many data rows (the last claim may be cut short)
  uint64_t seed = 1;      // same seed, same bytes
  // When set, PTP pairs and MUE limits are drawn from these tables (practitioner
  // setting, 2024Q3 dates); otherwise from a built-in list of real 2024Q3 edits.
  std::shared_ptr<const refdata::RefData> tables;
};

struct GenerateStats {
  int64_t lines = 0, encounters = 0;
  // Claims built to trip each kind of edit (what the rules should find, roughly).
  int64_t ptp_claims = 0, mue_claims = 0, addon_claims = 0;
};

GenerateStats GenerateClaims(const GenerateOptions& options, std::ostream& out);

}  // namespace coderaudit::generate
