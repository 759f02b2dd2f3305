// libFuzzer target: the CSV column mapping (mapping file parser and mapped reader).
// Input = mapping JSON, a NUL byte, then the CSV. Without a NUL the whole input is CSV
// read through the sample row-per-code mapping, so CSV edge cases are reached quickly.
#include <cstring>
#include <sstream>
#include <string>

#include "audit/ingest/mapping/csv_mapping.hpp"
#include "audit/model/error.hpp"
#include "fuzz/fuzz_common.hpp"

namespace {

const char* kDefaultMapping = R"({"coderaudit_csv_mapping": 1, "delimiter": ";", "date_format": "MM/DD/YYYY",
  "fields": {"encounter_id": "id", "patient_id": "pt", "sex": {"column": "sex", "values": {"Female": "F"}},
  "birth_date": {"column": "dob", "date_format": "YYYYMMDD"}, "from_date": "from", "through_date": "to",
  "claim_type": "type", "provider_id": "npi", "coder_id": {"value": "C1"}, "drg": "drg",
  "discharge_status": "disp", "code_type": "ct", "seq": "seq", "code": "code", "poa": "poa",
  "modifiers": ["m1", "m2"], "units": "units", "service_date": "dos", "charge": "charge"}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string mapping_text = nul == std::string::npos ? kDefaultMapping : input.substr(0, nul);
  const std::string csv = nul == std::string::npos ? input : input.substr(nul + 1);
  int64_t encounters = 0, rejects = 0;
  const auto sink = coderaudit::fuzz::CheckingSink(encounters, rejects);
  try {
    const auto mapping = coderaudit::ingest::ParseCsvMapping(mapping_text, "fuzz.mapping.json");
    std::istringstream in(csv);
    const auto counts = coderaudit::ingest::ReadMappedCsv(in, "fuzz.csv", mapping, sink);
    coderaudit::fuzz::CheckCounts(counts, encounters);
    if (rejects != counts.records_rejected) __builtin_trap();
  } catch (const coderaudit::InputError&) {
  }
  return 0;
}
