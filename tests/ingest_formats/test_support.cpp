#include "tests/ingest_formats/test_support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace coderaudit::test {

const Encounter* Collected::Find(const std::string& id) const {
  for (const auto& e : encounters)
    if (e.id == id) return &e;
  return nullptr;
}

std::string Collected::Describe() const {
  std::string s;
  for (const auto& r : rejects) s += "[" + std::to_string(r.line) + "] " + r.field + ": " + r.reason + "\n";
  for (const auto& w : warnings) s += "warning: " + w + "\n";
  return s;
}

ingest::IngestSink SinkInto(Collected& c) {
  ingest::IngestSink sink;
  sink.on_encounter = [&c](Encounter&& e) { c.encounters.push_back(std::move(e)); };
  sink.on_reject = [&c](Reject&& r) { c.rejects.push_back(std::move(r)); };
  sink.on_warning = [&c](const std::string& w) { c.warnings.push_back(w); };
  return sink;
}

Collected ReadX12Text(const std::string& text, const ingest::X12Options& options) {
  Collected c;
  std::istringstream in(text);
  c.counts = ingest::ReadX12(in, "test.x12", SinkInto(c), options);
  return c;
}

Collected ReadFhirText(const std::string& text, const ingest::FhirOptions& options) {
  Collected c;
  std::istringstream in(text);
  c.counts = ingest::ReadFhir(in, "test.json", SinkInto(c), options);
  return c;
}

Collected ReadMappedText(const std::string& text, const std::string& mapping_json) {
  Collected c;
  const auto mapping = ingest::ParseCsvMapping(mapping_json, "test.mapping.json");
  std::istringstream in(text);
  c.counts = ingest::ReadMappedCsv(in, "test.csv", mapping, SinkInto(c));
  return c;
}

Collected ReadPath(const std::string& path, ingest::InputFormat format, const std::string& mapping) {
  Collected c;
  c.counts = ingest::ReadEncountersFile(path, format, SinkInto(c), mapping);
  return c;
}

Collected ReadX12Path(const std::string& path, const ingest::X12Options& options) {
  Collected c;
  c.counts = ingest::ReadX12File(path, SinkInto(c), options);
  return c;
}

bool CountsAddUp(const ingest::IngestCounts& c) {
  return c.records_read == c.records_processed + c.records_rejected &&
         c.encounters_read == c.encounters_processed + c.encounters_rejected;
}

std::string SharedData() {
  const std::string dir = CODERAUDIT_SHARED_DATA;
  return std::filesystem::is_directory(dir + "/encounters/x12") ? dir : "";
}

std::string SourceDir() { return CODERAUDIT_SOURCE_DIR; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Wrap(const std::vector<std::string>& body, const std::string& version, int control) {
  char isa[160];
  std::snprintf(isa, sizeof isa,
                "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240101*1200*^*00501*%09d*0*T*:",
                control);
  std::vector<std::string> segs = {isa, "GS*HC*SENDER*RECEIVER*20240101*1200*" + std::to_string(control) + "*X*" + version,
                                   "ST*837*0001*" + version, "BHT*0019*00*REF1*20240101*1200*CH",
                                   "NM1*41*2*SUBMITTER*****46*SUB01", "NM1*40*2*RECEIVER*****46*RCV01"};
  segs.insert(segs.end(), body.begin(), body.end());
  const size_t st_count = segs.size() - 2 + 1;  // ST..SE inclusive
  segs.push_back("SE*" + std::to_string(st_count) + "*0001");
  segs.push_back("GE*1*" + std::to_string(control));
  char iea[40];
  std::snprintf(iea, sizeof iea, "IEA*1*%09d", control);
  segs.push_back(iea);
  std::string out;
  for (const auto& s : segs) out += s + "~\n";
  return out;
}

std::vector<std::string> ProfessionalClaim(const std::string& claim_id, int hl, const std::string& member_id) {
  return {"HL*" + std::to_string(hl) + "**20*1",
          "NM1*85*2*CLINIC*****XX*9999999991",
          "HL*" + std::to_string(hl + 1) + "*" + std::to_string(hl) + "*22*0",
          "SBR*P*18*******CI",
          "NM1*IL*1*DOE*JANE****MI*" + member_id,
          "DMG*D8*19800115*F",
          "NM1*PR*2*ACME HEALTH*****PI*ACME01",
          "CLM*" + claim_id + "*150.00***11:B:1*Y*A*Y*Y",
          "HI*ABK:M1711*ABF:E119",
          "LX*1",
          "SV1*HC:99213:25*100.00*UN*1***1:2",
          "DTP*472*D8*20240304",
          "LX*2",
          "SV1*HC:20610:RT*50.00*UN*1***1",
          "DTP*472*D8*20240304"};
}

}  // namespace coderaudit::test
