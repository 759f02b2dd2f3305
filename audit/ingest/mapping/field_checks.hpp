#pragma once
// Value parsers and whole-encounter checks shared by the readers that map a foreign
// layout onto the model (X12 837, FHIR R4, mapped CSV). They apply the same rules the
// encounter CSV layout applies (schemas/encounters-csv.md), so one encounter is accepted
// or rejected the same way whatever format it arrived in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/model/encounter.hpp"

namespace coderaudit::ingest {

// 1-64 characters, none of them control characters (the CSV layout's identifier rule).
bool IsIdentifier(std::string_view s);
bool AllDigits(std::string_view s);

// Each parser returns "" on success or the reason (never echoing the value).
// ICD-9-CM diagnosis: 3-5 digits, V + 2-4 digits, or E + 3-4 digits; dots ignored.
std::string ParseIcd9Diagnosis(std::string_view text, Code& out);
// ICD-9-CM procedure: 2-4 digits; dots ignored.
std::string ParseIcd9Procedure(std::string_view text, Code& out);
// A code from a system we do not validate: 1-7 letters or digits, dots ignored.
std::string ParseOtherCode(std::string_view text, Code& out);
// Decimal amount (X12 "R" and FHIR decimal): optional digits, optional '.', at most two
// non-zero decimals ("12", "12.5", ".50", "12.500"). Negative amounts are refused.
std::string ParseAmount(std::string_view text, int64_t& cents);
// Quantity > 0 and <= 99999 written as a decimal ("1", "1.00", ".5").
std::string ParseQuantity(std::string_view text, double& out);

// X12 D8 dates: CCYYMMDD, year 1800..2299, a real calendar day.
std::optional<Date> ParseCcyymmdd(std::string_view text);

// A problem found in an assembled encounter: `line` is the source_line of the encounter
// or of the offending coded line; `field` a canonical name the reader translates into
// its own vocabulary ("through_date", "service_date", "seq", "lines", ...).
struct EncounterProblem {
  uint32_t line = 0;
  int line_index = -1;  // index into Encounter::lines, or -1 for an encounter field
  std::string field;
  std::string reason;
};

// The checks the CSV layout makes across fields: identifiers present, through >= from,
// birth <= from, at least one line, DX/PCS seq 1-999 and unique per type, line dates
// inside from..through, DRG 3 digits, discharge status 2 digits.
std::optional<EncounterProblem> CheckAssembledEncounter(const Encounter& e);

}  // namespace coderaudit::ingest
