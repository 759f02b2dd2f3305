#pragma once
// The one place request bodies become encounters: the JSON claim model, FHIR R4, X12 837
// or the encounter CSV, read from memory (ingest::ReadEncountersText).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/ingest/any_format.hpp"
#include "audit/model/encounter.hpp"
#include "audit/model/reject.hpp"

namespace coderaudit::server {

// The input format a Content-Type names; nullopt: not one the API accepts (415).
// text/plain is X12 when the body starts with an ISA envelope.
std::optional<ingest::InputFormat> FormatOfContentType(std::string_view content_type,
                                                       std::string_view body);

struct ClaimBody {
  std::vector<Encounter> encounters;
  std::vector<Reject> rejects;          // file "request"
  ingest::IngestCounts counts;          // read = processed + rejected, as in a check run
};

// Throws InputError when the body cannot be read at all (not X12, JSON that does not
// parse, a CSV without its header). A repeated encounter id is rejected as RunCheck does.
ClaimBody ReadClaims(std::string_view body, ingest::InputFormat format,
                     const std::string& name = "request");

}  // namespace coderaudit::server
