#pragma once
// FHIR R4 Claim and ExplanationOfBenefit resources -> Encounter stream + Rejects.
// Mapping and reject rules: schemas/fhir-mapping.md.
//
// Input: one resource (JSON), a Bundle (collection, batch, searchset, ...) or NDJSON (one
// resource per line, streamed). Records are Claim and ExplanationOfBenefit resources,
// plus NDJSON lines that are not valid JSON (they might have been claims); Patient,
// Practitioner and Organization resources are supporting data, not records. Reject::line
// is the NDJSON line, or the 1-based Bundle entry, or 1 for a single resource; the field
// is a FHIRPath ("Claim.item[1].quantity", 0-based indexes as in FHIRPath).
#include <istream>
#include <string>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::ingest {

struct FhirOptions {
  // A whole JSON document (not NDJSON) is parsed in memory; larger ones are refused with
  // a hint to export NDJSON, which streams.
  size_t max_document_bytes = 256u << 20;
  size_t max_line_bytes = 16u << 20;  // NDJSON: a longer line is a rejected record
};

// Throws InputError when the input is neither JSON nor NDJSON (e.g. the first line is
// not JSON and the whole text does not parse either).
IngestCounts ReadFhir(std::istream& in, const std::string& file_name, const IngestSink& sink,
                      const FhirOptions& options = {});
IngestCounts ReadFhirFile(const std::string& path, const IngestSink& sink,
                          const FhirOptions& options = {});

}  // namespace coderaudit::ingest
