// libFuzzer target: the X12 837 reader (tokenizer, envelopes, claim mapping).
// The first byte picks verify_counts so both envelope policies are explored.
#include <sstream>
#include <string>

#include "audit/ingest/x12/x12_837.hpp"
#include "audit/model/error.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  coderaudit::ingest::X12Options options;
  options.verify_counts = (data[0] & 1) == 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  int64_t encounters = 0, rejects = 0;
  const auto sink = coderaudit::fuzz::CheckingSink(encounters, rejects);
  try {
    const auto counts = coderaudit::ingest::ReadX12(in, "fuzz.x12", sink, options);
    coderaudit::fuzz::CheckCounts(counts, encounters);
    // Every rejected claim produced a reject of its own.
    if (rejects < counts.records_rejected) __builtin_trap();
  } catch (const coderaudit::InputError&) {
    // Not X12 at all (no ISA, unusable delimiters): an answer, not a crash.
  }
  return 0;
}
