#pragma once
// Reads the auditor re-coding layout of schemas/auditor-csv.md.
#include <functional>
#include <string>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/qa/diff.hpp"

namespace coderaudit::qa {

struct AuditorSink {
  std::function<void(AuditedEncounter&&)> on_encounter;
  std::function<void(Reject&&)> on_reject;
  std::function<void(const std::string&)> on_warning;
};

// Same reject discipline as the encounter reader: a bad row rejects its encounter.
// Whether the encounter exists in the audited run is checked by the caller (it owns the
// run); it reports those as rejects through the same sink.
// `digest`, when given, is of exactly the bytes read (io::HashedFile).
ingest::IngestCounts ReadAuditorCsvFile(const std::string& path, const AuditorSink& sink,
                                        FileDigest* digest = nullptr);
ingest::IngestCounts ReadAuditorCsv(std::istream& in, const std::string& file_name,
                                    const AuditorSink& sink);

}  // namespace coderaudit::qa
