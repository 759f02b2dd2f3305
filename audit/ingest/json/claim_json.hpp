#pragma once
// The project's own JSON claim model (schemas/claim-json.md, JSON Schema
// schemas/claim-v1.schema.json) -> Encounter stream + Rejects. What billing systems send
// to the HTTP API, and what `coderaudit check --format json` reads.
//
// A record is a claim: claim k (1-based) is Reject::line k, and Reject::field is the JSON
// path of the offending value with 0-based indexes ("claims[3].lines[1].units"). A bad
// value, a wrong JSON type, null or an unknown member rejects the whole claim. Field rules
// are the encounter CSV layout's (same parsers).
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::ingest {

struct ClaimJsonOptions {
  size_t max_document_bytes = 256u << 20;
  size_t max_depth = 16;               // the model itself needs 5 levels
  size_t max_string_bytes = 64u << 10;
};

// Throws InputError naming the byte offset when `text` is not one JSON value within the
// limits, and when its shape is none of: a claim object, an array of claims,
// {"claims": [...]}.
IngestCounts ReadClaimJson(std::string_view text, const std::string& name, const IngestSink& sink,
                           const ClaimJsonOptions& options = {});
// Reads the whole file first (a JSON document is parsed whole); InputError when it cannot
// be opened or is larger than options.max_document_bytes.
IngestCounts ReadClaimJsonFile(const std::string& path, const IngestSink& sink,
                               const ClaimJsonOptions& options = {});
// The same from an open stream (ReadEncountersFile's hashed file) named `name`.
IngestCounts ReadClaimJsonStream(std::istream& in, const std::string& name, const IngestSink& sink,
                                 const ClaimJsonOptions& options = {});

}  // namespace coderaudit::ingest
