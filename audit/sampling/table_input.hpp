#pragma once
// Reading the small CSV inputs of appraisal and sample-size commands. Errors are
// InputError with "file:line: reason"; an appraisal never runs on partly-read input.
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "audit/sampling/attribute_appraisal.hpp"
#include "audit/sampling/multistage_appraisal.hpp"
#include "audit/sampling/rhc_selection.hpp"
#include "audit/sampling/sample_size.hpp"
#include "audit/sampling/variable_appraisal.hpp"

namespace coderaudit::sampling {

struct CsvRow {
  uint32_t line = 0;  // physical line where the record starts
  std::vector<std::string> fields;
};

// RFC 4180 (quotes, doubled quotes, CRLF); a UTF-8 BOM and blank lines are skipped.
std::vector<CsvRow> ReadCsvRows(std::istream& in, const std::string& source);

// "1234.56", "-12", "$1,234.56", "(12.00)" (accounting negative). Throws InputError.
double ParseAmount(std::string_view text, const std::string& where);
// Whole number, optional thousands commas. Throws InputError.
int64_t ParseCount(std::string_view text, const std::string& where);

// Sampled items: a header row naming any of examined / audited / difference (the
// RAT-STATS combinations) and optionally stratum; other columns are ignored.
struct VariableItems {
  bool has_stratum = false;
  std::vector<std::string> stratum;  // per item, when has_stratum
  bool has_encounter_id = false;     // an encounter_id column (matched to a stored sample)
  std::vector<std::string> encounter_id;  // per item, when has_encounter_id
  std::vector<uint32_t> line;        // per item: the line it was read from
  VariableSample sample;
};
VariableItems ReadVariableItems(std::istream& in, const std::string& source);

// Multistage items: the value columns as above, plus primary and primary_size (the
// second-stage units in that primary), for three stages secondary and secondary_size,
// and stratum when the sample is stratified (as in the attribute units below).
MultistageItems ReadMultistageItems(std::istream& in, const std::string& source);
// Attribute multistage units: primary, primary_size [, secondary, secondary_size], and
// per row the last-stage units sampled in it (sample) and how many have the
// characteristic (errors).
MultistageAttributeUnits ReadMultistageAttributeUnits(std::istream& in, const std::string& source);

// The groups of an RHC first stage (what `sample rhc --out` writes): a header naming
// group, primaries, measure, primary and primary_measure.
std::vector<RhcGroup> ReadRhcGroups(std::istream& in, const std::string& source);

// An RHC frame: a header naming primary and measure (its measure of size, a whole number).
std::vector<RhcFramePrimary> ReadRhcFrame(std::istream& in, const std::string& source);

// Stratum sizes: "stratum,N_h" rows, with or without a header row.
struct StratumSize {
  std::string id;
  int64_t universe = 0;
};
std::vector<StratumSize> ReadStrataSizes(std::istream& in, const std::string& source);

// A multistage sample split by stratum (`appraise multistage --strata`): each stratum's
// rows, in the order of the strata file, whose sizes are primaries. Every row's stratum
// must be listed and every listed stratum must have rows.
std::vector<MultistageStratum<MultistageItems>> SplitByStratum(const MultistageItems& items,
                                                               const std::vector<StratumSize>& sizes,
                                                               const std::string& source);
std::vector<MultistageStratum<MultistageAttributeUnits>> SplitByStratum(
    const MultistageAttributeUnits& units, const std::vector<StratumSize>& sizes, const std::string& source);

// Splits items by stratum, in the order of the strata file. Every item's stratum must be
// listed and every listed stratum must have items.
std::vector<StratumInput> GroupByStratum(const VariableItems& items,
                                         const std::vector<StratumSize>& sizes);

// Attribute strata: header with stratum, universe (or N), sample (or n), errors.
std::vector<AttributeStratumInput> ReadAttributeStrata(std::istream& in, const std::string& source);

// Probe strata for sample size: header with stratum, universe (or N), mean, sd.
std::vector<StratumProbe> ReadStratumProbes(std::istream& in, const std::string& source);

}  // namespace coderaudit::sampling
