#include "audit/ingest/any_format.hpp"

#include <fstream>
#include <streambuf>

#include "audit/ingest/fhir/fhir_reader.hpp"
#include "audit/ingest/json/claim_json.hpp"
#include "audit/ingest/mapping/csv_mapping.hpp"
#include "audit/ingest/x12/x12_837.hpp"
#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::ingest {

std::string_view ToString(InputFormat f) {
  switch (f) {
    case InputFormat::kAuto: return "auto";
    case InputFormat::kCsv: return "csv";
    case InputFormat::kX12: return "x12";
    case InputFormat::kFhir: return "fhir";
    case InputFormat::kJson: return "json";
  }
  return "?";
}

std::optional<InputFormat> ParseInputFormat(std::string_view s) {
  if (s == "auto") return InputFormat::kAuto;
  if (s == "csv") return InputFormat::kCsv;
  if (s == "x12") return InputFormat::kX12;
  if (s == "fhir") return InputFormat::kFhir;
  if (s == "json") return InputFormat::kJson;
  return std::nullopt;
}

InputFormat DetectFormat(std::istream& in) {
  const auto start = in.tellg();
  char buf[4096];
  in.read(buf, sizeof buf);
  const auto n = static_cast<size_t>(in.gcount());
  in.clear();
  in.seekg(start);
  std::string_view head(buf, n);
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  while (!head.empty() && (head[0] == ' ' || head[0] == '\t' || head[0] == '\r' || head[0] == '\n'))
    head.remove_prefix(1);
  auto envelope = [&](std::string_view id) {
    return head.size() > id.size() && head.starts_with(id) &&
           !((head[id.size()] >= 'A' && head[id.size()] <= 'Z') ||
             (head[id.size()] >= 'a' && head[id.size()] <= 'z') ||
             (head[id.size()] >= '0' && head[id.size()] <= '9') || head[id.size()] == '_' ||
             head[id.size()] == ',' || head[id.size()] == ' ');
  };
  if (envelope("ISA") || envelope("GS") || envelope("ST")) return InputFormat::kX12;
  if (!head.empty() && (head[0] == '{' || head[0] == '[')) {
    // Every FHIR resource names its resourceType; the claim model never does, and its
    // claims start with (or its batch is wrapped in) members FHIR does not have.
    const bool claim_model = head.find("\"encounter_id\"") != std::string_view::npos ||
                             head.find("\"claims\"") != std::string_view::npos;
    if (claim_model && head.find("\"resourceType\"") == std::string_view::npos) return InputFormat::kJson;
    return InputFormat::kFhir;
  }
  return InputFormat::kCsv;
}

namespace {

IngestCounts ReadOpened(io::HashedFile& file, const std::string& path, InputFormat format,
                        const IngestSink& sink, const CsvMapping* mapping) {
  std::istream& in = file.Stream();
  if (format == InputFormat::kAuto) format = DetectFormat(in);
  if (mapping && format != InputFormat::kCsv)
    throw InputError(path + ": a column mapping applies to CSV input, but this file is " +
                     std::string(ToString(format)));
  switch (format) {
    case InputFormat::kX12: return ReadX12(in, path, sink);
    case InputFormat::kFhir: return ReadFhir(in, path, sink);
    case InputFormat::kJson: return ReadClaimJsonStream(in, path, sink);
    case InputFormat::kCsv:
    case InputFormat::kAuto:
      break;
  }
  if (mapping) return ReadMappedCsv(in, path, *mapping, sink);
  return ReadEncounterCsvFile(file, path, sink);  // it may read the file again
}

}  // namespace

IngestCounts ReadEncountersFile(const std::string& path, InputFormat format, const IngestSink& sink,
                                const std::string& mapping_path, FileDigest* digest,
                                std::atomic<int64_t>* bytes_read) {
  if (mapping_path.empty()) return ReadEncountersFile(path, format, sink, nullptr, digest, bytes_read);
  const CsvMapping mapping = LoadCsvMapping(mapping_path);
  return ReadEncountersFile(path, format, sink, &mapping, digest, bytes_read);
}

IngestCounts ReadEncountersFile(const std::string& path, InputFormat format, const IngestSink& sink,
                                const CsvMapping* mapping, FileDigest* digest,
                                std::atomic<int64_t>* bytes_read) {
  // The one place encounter files are opened: every byte the readers consume is hashed
  // as they consume it.
  io::HashedFile file(path, "encounter file");
  if (bytes_read) file.CountBytesInto(bytes_read);
  IngestCounts counts;
  try {
    counts = ReadOpened(file, path, format, sink, mapping);
  } catch (...) {
    // A sink that ended the read early (a replay that has what it needs) still gets the
    // digest of the whole file, to compare with the other reads.
    if (digest) *digest = file.Finish();
    throw;
  }
  const FileDigest d = file.Finish();
  if (digest) *digest = d;
  return counts;
}

namespace {

// An istream over memory the caller owns: the readers take streams, a body is already
// in memory. Seekable, because DetectFormat peeks and rewinds. Never written through.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());
    setg(p, p, p + s.size());
  }

 protected:
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
    const off_type size = egptr() - eback();
    const off_type base = dir == std::ios_base::beg ? 0 : dir == std::ios_base::cur ? gptr() - eback() : size;
    const off_type to = base + off;
    if (!(which & std::ios_base::in) || to < 0 || to > size) return pos_type(off_type(-1));
    setg(eback(), eback() + to, egptr());
    return pos_type(to);
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
    return seekoff(off_type(pos), std::ios_base::beg, which);
  }
};

}  // namespace

IngestCounts ReadEncountersText(std::string_view body, InputFormat format, const IngestSink& sink,
                                const std::string& name) {
  ViewBuf buf(body);
  std::istream in(&buf);
  if (format == InputFormat::kAuto) format = DetectFormat(in);
  switch (format) {
    case InputFormat::kX12: return ReadX12(in, name, sink);
    case InputFormat::kFhir: return ReadFhir(in, name, sink);
    case InputFormat::kJson: return ReadClaimJson(body, name, sink);
    case InputFormat::kCsv:
    case InputFormat::kAuto:
      break;
  }
  return ReadEncounterCsv(in, name, sink);
}

}  // namespace coderaudit::ingest
