// libFuzzer target: the rebuttal CSV (qa::ReadRebuttalCsv, schemas/rebuttal-csv.md).
// A missing header or required column is an InputError: an answer, not a crash.
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "audit/model/error.hpp"
#include "audit/qa/rebuttal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<coderaudit::Reject> rejects;
  try {
    const auto entries = coderaudit::qa::ReadRebuttalCsv(in, "fuzz-rebuttal.csv", rejects);
    for (const auto& e : entries)
      if (e.line == 0) {
        std::fprintf(stderr, "entry without a line\n");
        std::abort();
      }
  } catch (const coderaudit::InputError&) {
  }
  for (const auto& r : rejects)
    if (r.reason.empty()) {
      std::fprintf(stderr, "reject without a reason\n");
      std::abort();
    }
  return 0;
}
