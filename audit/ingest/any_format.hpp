#pragma once
// One entry point for every encounter input the tool reads: the encounter CSV layout
// (schemas/encounters-csv.md), any delimited export through a column mapping
// (schemas/csv-mapping.md), X12 005010 837P/837I (schemas/x12-837-mapping.md) and FHIR R4
// Claim / ExplanationOfBenefit JSON, Bundle or NDJSON (schemas/fhir-mapping.md).
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::ingest {

enum class InputFormat { kAuto, kCsv, kX12, kFhir };

std::string_view ToString(InputFormat f);                     // "auto" | "csv" | "x12" | "fhir"
std::optional<InputFormat> ParseInputFormat(std::string_view s);

// Decides by content, never by file name: after an optional byte order mark and
// whitespace, "ISA" (or a stray "GS"/"ST" envelope) is X12, '{' or '[' is FHIR (a JSON
// document or NDJSON), anything else is CSV. Reads at most 4 KiB and restores the stream
// position (the stream must be seekable).
InputFormat DetectFormat(std::istream& in);

// Reads `path` in `format` (kAuto: DetectFormat). `mapping_path` names a CSV column
// mapping and applies to CSV input only (InputError otherwise). Throws InputError when the
// file cannot be opened or its format cannot be read at all; bad records are Rejects.
IngestCounts ReadEncountersFile(const std::string& path, InputFormat format, const IngestSink& sink,
                                const std::string& mapping_path = "");

}  // namespace coderaudit::ingest
