#include "audit/ingest/csv/encounter_rows.hpp"

namespace coderaudit::ingest {

void EncounterRows::AddRow(uint32_t line, std::string_view raw) {
  rows_.push_back({line, static_cast<uint32_t>(raw_.size()), static_cast<uint32_t>(raw.size())});
  raw_.append(raw);
}

void EncounterRows::Fail(uint32_t line, std::string field, std::string reason) {
  if (!error_) error_ = Error{line, std::move(field), std::move(reason)};
}

void EncounterRows::Close(Encounter& e, const std::string& file, const IngestSink& sink,
                          IngestCounts& counts) {
  counts.encounters_read++;
  if (!error_ && e.lines.empty()) Fail(e.source_line, "", "encounter has no lines");
  if (const auto dx = e.DiagnosesWithoutPrincipal(); !error_ && dx)
    Fail(e.lines[*dx].source_line, "seq", std::string(kNoPrincipalDiagnosis));
  if (error_) {
    counts.encounters_rejected++;
    if (sink.on_encounter_rejected && !e.id.empty()) sink.on_encounter_rejected(e.id);
    for (const auto& row : rows_) {
      counts.records_rejected++;
      if (!sink.on_reject) continue;
      std::string raw = raw_.substr(row.raw_offset, row.raw_size);
      if (row.line == error_->line)
        sink.on_reject(Reject{file, row.line, error_->field, error_->reason, std::move(raw)});
      else
        sink.on_reject(Reject{file, row.line, "",
                              "encounter rejected: see line " + std::to_string(error_->line),
                              std::move(raw)});
    }
  } else {
    counts.encounters_processed++;
    counts.records_processed += static_cast<int64_t>(rows_.size());
    e.source_records = static_cast<uint32_t>(rows_.size());
    e.source_file = file;
    if (sink.on_encounter) sink.on_encounter(std::move(e));
  }
  rows_.clear();
  raw_.clear();
  error_.reset();
}

}  // namespace coderaudit::ingest
