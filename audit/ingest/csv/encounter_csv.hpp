#pragma once
// Reads the encounter CSV layout of schemas/encounters-csv.md as a stream of encounters.
// Only the current encounter is held in memory.
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "audit/io/hashed_file.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/reject.hpp"

namespace coderaudit::ingest {

// Why an encounter whose diagnoses have no seq 1 is rejected, in every input format.
inline constexpr std::string_view kNoPrincipalDiagnosis =
    "no diagnosis has seq 1: the principal (first-listed) diagnosis is missing";

struct IngestCounts {
  int64_t records_read = 0, records_processed = 0, records_rejected = 0;
  int64_t encounters_read = 0, encounters_processed = 0, encounters_rejected = 0;
};

struct IngestSink {
  // May take the encounter's contents (move, or swap storage in): a reader resets the
  // object before it uses it again.
  std::function<void(Encounter&&)> on_encounter;
  std::function<void(Reject&&)> on_reject;
  // The id of an encounter the reader rejected (its rejects went to on_reject), including
  // an id whose rows reappear after it ended. A run rejects every other copy of that id
  // too: a bad row rejects its whole encounter wherever its rows are (service::RunCheck).
  std::function<void(std::string_view encounter_id)> on_encounter_rejected;
  // Non-fatal notes about the file as a whole (unknown columns).
  std::function<void(const std::string&)> on_warning;
};

// Streams `in` (named `file_name` in rejects) into the sink. Throws InputError when the
// header row is missing or lacks a required column: nothing can be read then.
IngestCounts ReadEncounterCsv(std::istream& in, const std::string& file_name,
                              const IngestSink& sink);
// Opens the file; InputError when it cannot be opened.
IngestCounts ReadEncounterCsvFile(const std::string& path, const IngestSink& sink);
// Reads `file`, open on `path` (ReadEncountersFile's). Ids out of order make it read `path`
// again up to where it is; each such reading's digest goes to file.ExpectSame, so
// file.Finish() fails when the file changed in between.
IngestCounts ReadEncounterCsvFile(io::HashedFile& file, const std::string& path, const IngestSink& sink);

// Line-field parsers shared with the auditor layout (audit/qa/auditor_csv.cpp).
// Each returns "" on success or the reason text.
std::string ParseCodeForType(CodeType type, std::string_view text, Code& out);
std::string ParseUnits(std::string_view text, double& out);
std::string ParseCharge(std::string_view text, int64_t& cents);
std::string ParseSeq(std::string_view text, uint16_t& out);

}  // namespace coderaudit::ingest
