#pragma once
// Which codes the generator draws, and how often. With reference tables loaded
// (`coderaudit generate --refdata DIR`) diagnoses come from the ICD-10-CM order file's
// billable codes and procedures from the ICD-10-PCS order file, each with a Zipf-like
// frequency (weight 1/rank: a head of common codes, in a fixed order, then every other
// code of the table, shorter codes first, in a fixed pseudo-random order). Codes that would make the MCE or
// ICD-10-CM conventions packs fire on their own (age- and sex-specific codes of the MCE
// lists, manifestations, sex-specific or non-covered procedures) are kept out of the
// general pools and used only where the generator
// builds such an error on purpose, so those edits fire at a rate the generator chooses.
// Without tables: small built-in lists of real codes. Memory: the pools (~1.5 MB for
// the full tables), whatever the number of lines generated.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::generate {

// Ranks 0..n-1 drawn with weight 1/(rank+1), in integer arithmetic (same on every platform).
class ZipfPicker {
 public:
  ZipfPicker() = default;
  explicit ZipfPicker(size_t n);
  size_t Pick(uint64_t random) const;
  size_t Size() const { return cumulative_.size(); }

 private:
  std::vector<uint64_t> cumulative_;
};

struct RankedCodes {
  std::vector<Code> codes;  // most frequent first
  ZipfPicker zipf;
  bool Empty() const { return codes.empty(); }
  const Code& Pick(uint64_t random) const { return codes[zipf.Pick(random)]; }
  void Rank() { zipf = ZipfPicker(codes.size()); }
};

struct CodePools {
  RankedCodes dx;    // diagnoses fit for any patient in any position but an inpatient principal
  RankedCodes pcs;   // procedures on no MCE list
  // For errors built on purpose (never empty: built-in codes when the tables lack them).
  std::vector<Code> dx_headers;   // category / subcategory headers (not billable)
  std::vector<Code> female_only, male_only;  // MCE sex lists
  std::vector<Code> newborn_only;            // MCE newborn / pediatric lists
  std::vector<Code> code_first;              // manifestations (MCE list) with a "code first" note
  std::string dx_source, pcs_source;         // e.g. "icd10cm-order FY2025, 71,032 codes"
  std::shared_ptr<const refdata::RefData> tables;
  Date on;  // the date the table versions were chosen for
  bool PoaExempt(const Code& code) const { return tables && tables->PoaExempt(code, on); }
};

// `refdata_dir` is the directory `tables` was loaded from ("" or null tables: built-in
// lists). `on`: table versions in force on this date are used (the newest loaded
// version of a kind when none is).
CodePools LoadCodePools(const std::shared_ptr<const refdata::RefData>& tables,
                        const std::string& refdata_dir, Date on);

}  // namespace coderaudit::generate
