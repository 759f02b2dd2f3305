#pragma once
// Shared by the fuzz targets: a sink that checks what it receives, and the invariant
// every reader keeps (read = processed + rejected). A broken invariant aborts, so
// libFuzzer keeps the input as a crash.
#include <cstdio>
#include <cstdlib>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::fuzz {

inline ingest::IngestSink CheckingSink(int64_t& encounters, int64_t& rejects) {
  ingest::IngestSink sink;
  sink.on_encounter = [&encounters](Encounter&& e) {
    ++encounters;
    // What a reader emits passed its checks: keep them honest.
    if (e.lines.empty() || e.through_date < e.from_date || e.id.empty() || e.id.size() > 64) {
      std::fprintf(stderr, "invalid encounter emitted\n");
      std::abort();
    }
  };
  sink.on_reject = [&rejects](Reject&& r) {
    ++rejects;
    if (r.raw.size() > 1024 || r.reason.empty()) {
      std::fprintf(stderr, "reject without reason or with oversized raw text\n");
      std::abort();
    }
  };
  sink.on_warning = [](const std::string&) {};
  return sink;
}

inline void CheckCounts(const ingest::IngestCounts& c, int64_t encounters) {
  if (c.records_read != c.records_processed + c.records_rejected ||
      c.encounters_read != c.encounters_processed + c.encounters_rejected ||
      c.encounters_processed != encounters) {
    std::fprintf(stderr, "counts do not add up\n");
    std::abort();
  }
}

}  // namespace coderaudit::fuzz
