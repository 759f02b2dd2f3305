// libFuzzer target: the encounter CSV layout reader (audit/ingest/csv), the format
// ReadEncountersFile falls back to.
#include <sstream>
#include <string>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/model/error.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  int64_t encounters = 0, rejects = 0;
  const auto sink = coderaudit::fuzz::CheckingSink(encounters, rejects);
  try {
    const auto counts = coderaudit::ingest::ReadEncounterCsv(in, "fuzz.csv", sink);
    coderaudit::fuzz::CheckCounts(counts, encounters);
    if (rejects != counts.records_rejected) __builtin_trap();  // one reject per rejected row
  } catch (const coderaudit::InputError&) {
  }
  return 0;
}
