#pragma once
// One entry point for every encounter input the tool reads: the encounter CSV layout
// (schemas/encounters-csv.md), any delimited export through a column mapping
// (schemas/csv-mapping.md), X12 005010 837P/837I (schemas/x12-837-mapping.md) and FHIR R4
// Claim / ExplanationOfBenefit JSON, Bundle or NDJSON (schemas/fhir-mapping.md), and the
// project's own JSON claim model (schemas/claim-json.md).
#include <atomic>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/ingest/mapping/csv_mapping.hpp"
#include "audit/model/hash.hpp"

namespace coderaudit::ingest {

enum class InputFormat { kAuto, kCsv, kX12, kFhir, kJson };

std::string_view ToString(InputFormat f);                     // "auto" | "csv" | "x12" | "fhir" | "json"
std::optional<InputFormat> ParseInputFormat(std::string_view s);

// Decides by content, never by file name: after an optional byte order mark and
// whitespace, "ISA" (or a stray "GS"/"ST" envelope) is X12; '{' or '[' is JSON: the JSON
// claim model when the head names "encounter_id" or "claims" and no "resourceType",
// otherwise FHIR (a JSON document or NDJSON); anything else is CSV. Reads at most 4 KiB and restores the stream
// position (the stream must be seekable).
InputFormat DetectFormat(std::istream& in);

// Reads `path` in `format` (kAuto: DetectFormat). `mapping_path` names a CSV column
// mapping and applies to CSV input only (InputError otherwise). Throws InputError when the
// file cannot be opened or its format cannot be read at all; bad records are Rejects.
// `digest` (optional) receives the SHA-256 and size of exactly the bytes read, hashed as
// the reader consumed them (io::HashedFile), also when the sink ends the read early by
// throwing (the rest of the file is then hashed too). A reader that reads the file again
// (out-of-order ids, X12's second pass) must find the same bytes: InputError "PATH changed
// while it was being checked; nothing stored" otherwise. `bytes_read` (optional) grows by
// each byte as it is first read (io::HashedFile::CountBytesInto): progress.
IngestCounts ReadEncountersFile(const std::string& path, InputFormat format, const IngestSink& sink,
                                const std::string& mapping_path = "", FileDigest* digest = nullptr,
                                std::atomic<int64_t>* bytes_read = nullptr);
// The same with a mapping already loaded (null: none): a job reading several files loads
// its mapping once, so the mapping it records is the one every file was read with.
IngestCounts ReadEncountersFile(const std::string& path, InputFormat format, const IngestSink& sink,
                                const CsvMapping* mapping, FileDigest* digest,
                                std::atomic<int64_t>* bytes_read = nullptr);

// The same for a body already in memory (an HTTP request): read in place, no copy.
// `name` stands for the file name in rejects. Throws InputError as ReadEncountersFile.
IngestCounts ReadEncountersText(std::string_view body, InputFormat format, const IngestSink& sink,
                                const std::string& name);

}  // namespace coderaudit::ingest
