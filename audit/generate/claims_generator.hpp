#pragma once
// Deterministic synthetic claims for benchmarks and load tests, in the encounter CSV
// layout (schemas/encounters-csv.md) or as an X12 837 interchange (x12_writer.hpp) that
// reads back into exactly the same encounters. No patient data: every id is made up;
// codes are real.
//
// About 95% of claims are professional: an E/M visit and services with CPT/HCPCS codes
// chosen so the NCCI packs fire at realistic rates (PTP pairs on one date of service,
// units above the MUE, add-on codes without their primary), dated in 2024Q3. About 5%
// are inpatient stays discharged in 2024Q4 (ICD-10-CM FY2025): a principal diagnosis
// with its MS-DRG (sepsis, heart failure, joint replacement, delivery, newborn, ...),
// secondary diagnoses with present-on-admission indicators, ICD-10-PCS procedures and
// a discharge status; a few carry an error the MCE or ICD-10-CM conventions packs catch
// (a header code, a sex or age conflict, a repeated principal, a manifestation without
// its etiology, a missing POA). Diagnosis and procedure frequencies: code_pools.hpp.
// Patients (200,000) keep their sex and birth date across claims.
// Streams: memory does not grow with the number of lines.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "audit/refdata/refdata.hpp"

namespace coderaudit::generate {

enum class OutputFormat : uint8_t { kCsv, kX12 };

struct GenerateOptions {
  int64_t lines = 1000;   // exactly this many coded lines (CSV data rows; the last claim may be cut short)
  uint64_t seed = 1;      // same seed, same bytes (in each format)
  OutputFormat format = OutputFormat::kCsv;
  // When set, PTP pairs and MUE limits are drawn from these tables (practitioner
  // setting, 2024Q3 dates); otherwise from a built-in list of real 2024Q3 edits. The
  // MCE lists, POA-exempt list and tabular notes, when loaded, keep codes that would
  // trip those edits out of the ordinary draws (code_pools.hpp).
  std::shared_ptr<const refdata::RefData> tables;
  // The directory `tables` was loaded from: diagnoses and procedures are drawn from its
  // ICD-10-CM / ICD-10-PCS order files when it has them ("" = built-in lists).
  std::string refdata_dir;
  unsigned inpatient_percent = 5;  // share of claims that are inpatient stays (0-100)
};

struct GenerateStats {
  int64_t lines = 0, encounters = 0;
  int64_t inpatient = 0;  // inpatient claims among `encounters`
  // Claims built to trip each kind of edit (what the rules should find, roughly).
  int64_t ptp_claims = 0, mue_claims = 0, addon_claims = 0;
  int64_t mce_claims = 0;         // header code, sex or age conflict, principal repeated
  int64_t convention_claims = 0;  // manifestation without etiology, POA missing
  std::string dx_source, pcs_source;  // where diagnoses and procedures were drawn from
};

GenerateStats GenerateClaims(const GenerateOptions& options, std::ostream& out);

}  // namespace coderaudit::generate
