#pragma once
// The rows of the encounter being assembled and the first reason to reject it, shared by
// the CSV readers (encounter layout and mapped exports): a bad row rejects the whole
// encounter, its other rows pointing at the bad one (schemas/encounters-csv.md § Rejects).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::ingest {

class EncounterRows {
 public:
  void AddRow(uint32_t line, std::string_view raw);
  // The first failure wins; later ones (already explained by it) are dropped.
  void Fail(uint32_t line, std::string field, std::string reason);
  bool Failed() const { return error_.has_value(); }
  // Ends the encounter: emits `e` (with its row count and file) or rejects every row,
  // counting either way; then forgets the rows. `e` may be taken by the sink.
  void Close(Encounter& e, const std::string& file, const IngestSink& sink, IngestCounts& counts);

 private:
  struct Row {
    uint32_t line, raw_offset, raw_size;
  };
  struct Error {
    uint32_t line;
    std::string field, reason;
  };
  std::vector<Row> rows_;
  std::string raw_;  // the rows' text, one buffer reused for every encounter
  std::optional<Error> error_;
};

}  // namespace coderaudit::ingest
