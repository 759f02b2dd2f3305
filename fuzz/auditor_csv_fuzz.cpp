// libFuzzer target: the auditor re-coding CSV (qa::ReadAuditorCsv, schemas/auditor-csv.md).
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "audit/model/error.hpp"
#include "audit/qa/auditor_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  int64_t encounters = 0, rejects = 0;
  coderaudit::qa::AuditorSink sink;
  sink.on_encounter = [&encounters](coderaudit::qa::AuditedEncounter&& e) {
    ++encounters;
    if (e.encounter_id.empty() || e.notes.size() > e.lines.size()) {
      std::fprintf(stderr, "invalid audited encounter emitted\n");
      std::abort();
    }
  };
  sink.on_reject = [&rejects](coderaudit::Reject&& r) {
    ++rejects;
    if (r.reason.empty() || r.raw.size() > 1024) {
      std::fprintf(stderr, "reject without reason or with oversized raw text\n");
      std::abort();
    }
  };
  sink.on_warning = [](const std::string&) {};
  try {
    const auto c = coderaudit::qa::ReadAuditorCsv(in, "fuzz-auditor.csv", sink);
    if (c.records_read != c.records_processed + c.records_rejected ||
        c.encounters_read != c.encounters_processed + c.encounters_rejected ||
        c.encounters_processed != encounters) {
      std::fprintf(stderr, "counts do not add up\n");
      std::abort();
    }
  } catch (const coderaudit::InputError&) {
  }
  return 0;
}
