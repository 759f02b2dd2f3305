#pragma once
// Helpers for the ingest format tests: collect what a reader emits, locate fixtures,
// build small X12 interchanges with correct envelopes.
#include <string>
#include <vector>

#include "audit/ingest/any_format.hpp"
#include "audit/ingest/fhir/fhir_reader.hpp"
#include "audit/ingest/mapping/csv_mapping.hpp"
#include "audit/ingest/x12/x12_837.hpp"

namespace coderaudit::test {

struct Collected {
  std::vector<Encounter> encounters;
  std::vector<Reject> rejects;
  std::vector<std::string> warnings;
  ingest::IngestCounts counts;

  const Encounter* Find(const std::string& id) const;
  // "field: reason" of every reject, for readable failure messages.
  std::string Describe() const;
};

ingest::IngestSink SinkInto(Collected& c);
Collected ReadX12Text(const std::string& text, const ingest::X12Options& options = {});
Collected ReadFhirText(const std::string& text, const ingest::FhirOptions& options = {});
Collected ReadMappedText(const std::string& text, const std::string& mapping_json);
Collected ReadPath(const std::string& path, ingest::InputFormat format = ingest::InputFormat::kAuto,
                   const std::string& mapping = "");
Collected ReadX12Path(const std::string& path, const ingest::X12Options& options);

// read = processed + rejected, for records and for encounters.
bool CountsAddUp(const ingest::IngestCounts& c);

// ../shared/data, or "" when it is not there (tests then skip).
std::string SharedData();
std::string SourceDir();
std::string Slurp(const std::string& path);

// A 5010 interchange around `body` (the segments between BHT/1000A/1000B and SE, without
// terminators), with correct SE01/GE01/IEA01 and control numbers, '*' ':' '~'.
// `version` goes into GS08 and ST03.
std::string Wrap(const std::vector<std::string>& body, const std::string& version = "005010X222A1",
                 int control = 1);
// The segments of one 837P claim with the patient as subscriber, HL ids starting at `hl`.
std::vector<std::string> ProfessionalClaim(const std::string& claim_id, int hl = 1,
                                           const std::string& member_id = "MBR001");

}  // namespace coderaudit::test
