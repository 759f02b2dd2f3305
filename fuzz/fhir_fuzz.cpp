// libFuzzer target: the FHIR reader (document, Bundle and NDJSON paths, Poco::JSON).
#include <sstream>
#include <string>

#include "audit/ingest/fhir/fhir_reader.hpp"
#include "audit/model/error.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  coderaudit::ingest::FhirOptions options;
  options.max_document_bytes = 1 << 20;
  options.max_line_bytes = 64 << 10;
  int64_t encounters = 0, rejects = 0;
  const auto sink = coderaudit::fuzz::CheckingSink(encounters, rejects);
  try {
    const auto counts = coderaudit::ingest::ReadFhir(in, "fuzz.json", sink, options);
    coderaudit::fuzz::CheckCounts(counts, encounters);
    if (rejects != counts.records_rejected) __builtin_trap();  // one reject per rejected record
  } catch (const coderaudit::InputError&) {
  }
  return 0;
}
