#include "audit/server/claim_body.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "audit/ingest/fhir/fhir_reader.hpp"
#include "audit/ingest/x12/x12_837.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::server {

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}
}  // namespace

std::optional<ingest::InputFormat> FormatOfContentType(std::string_view content_type,
                                                       std::string_view body) {
  std::string type = Lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  // application/json is the project's JSON claim model (schemas/claim-json.md); FHIR has
  // its own media type.
  if (type == "application/json") return ingest::InputFormat::kJson;
  if (type == "application/fhir+json" || type == "application/x-ndjson")
    return ingest::InputFormat::kFhir;
  if (type == "application/edi-x12" || type == "application/x12") return ingest::InputFormat::kX12;
  if (type == "text/csv") return ingest::InputFormat::kCsv;
  if (type == "text/plain") {
    std::string_view head = body.substr(0, 64);
    while (!head.empty() && (head[0] == ' ' || head[0] == '\r' || head[0] == '\n')) head.remove_prefix(1);
    if (head.starts_with("ISA")) return ingest::InputFormat::kX12;
  }
  return std::nullopt;
}

ClaimBody ReadClaims(std::string_view body, ingest::InputFormat format, const std::string& name) {
  // As RunCheck: an encounter id that occurs more than once in the request (rows that
  // reappear after the encounter ended, the same claim twice, a copy the reader rejected)
  // is checked in no copy. The request is in memory, so every copy is known once it is read.
  ClaimBody out;
  std::vector<Encounter> read;
  std::unordered_map<std::string, int> occurrences;
  ingest::IngestSink sink;
  sink.on_encounter = [&](Encounter&& e) {
    occurrences[e.id]++;
    read.push_back(std::move(e));
  };
  sink.on_encounter_rejected = [&](std::string_view id) { occurrences[std::string(id)]++; };
  sink.on_reject = [&](Reject&& r) {
    r.file = name;
    r.raw.clear();   // never echoed back: it may hold claim contents
    out.rejects.push_back(std::move(r));
  };
  out.counts = ingest::ReadEncountersText(body, format, sink, name);
  std::unordered_set<std::string> first_seen;
  for (auto& e : read) {
    e.source_file = name;
    if (occurrences[e.id] < 2) {
      out.encounters.push_back(std::move(e));
      continue;
    }
    const bool first = first_seen.insert(e.id).second;
    const std::string reason =
        first ? "encounter id occurs again later in this request (see the rejects there); no copy of it is checked"
              : "encounter id already read earlier in this request; no copy of it is checked";
    std::set<uint32_t> lines{e.source_line};
    if (e.source_records > 1)
      for (const auto& l : e.lines) lines.insert(l.source_line);
    for (uint32_t line : lines)
      out.rejects.push_back(Reject{name, line, "encounter_id",
                                   line == e.source_line ? reason
                                                         : "encounter rejected: see line " + std::to_string(e.source_line),
                                   ""});
    out.counts.records_processed -= e.source_records;
    out.counts.records_rejected += e.source_records;
    out.counts.encounters_processed -= 1;
    out.counts.encounters_rejected += 1;
  }
  std::stable_sort(out.rejects.begin(), out.rejects.end(),
                   [](const Reject& a, const Reject& b) { return a.line < b.line; });
  return out;
}

}  // namespace coderaudit::server
