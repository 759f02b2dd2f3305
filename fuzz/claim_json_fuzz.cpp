// libFuzzer target: the JSON claim model reader (syntax scan, Poco::JSON, claim checks).
#include <string_view>

#include "audit/ingest/json/claim_json.hpp"
#include "audit/model/error.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  coderaudit::ingest::ClaimJsonOptions options;
  options.max_document_bytes = 1 << 20;
  int64_t encounters = 0, rejects = 0;
  const auto sink = coderaudit::fuzz::CheckingSink(encounters, rejects);
  try {
    const auto counts = coderaudit::ingest::ReadClaimJson(text, "fuzz.json", sink, options);
    coderaudit::fuzz::CheckCounts(counts, encounters);
    if (rejects != counts.records_rejected) __builtin_trap();  // one reject per rejected claim
  } catch (const coderaudit::InputError&) {
  }
  return 0;
}
