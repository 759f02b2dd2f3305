#pragma once
// Rebuttal: the coder's agree/disagree on each difference and the final decision, read
// back from the workbook's coder sheets (reports/xlsx/rebuttal_reader) or a CSV
// (schemas/rebuttal-csv.md), applied to a copy of a score run's rows. Overturned rows stop
// counting as errors; the engine stores the result as a new score run.
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/model/hash.hpp"
#include "audit/model/reject.hpp"
#include "audit/qa/diff.hpp"

namespace coderaudit::qa {

struct RebuttalEntry {
  std::string file;            // where it came from, for rejects
  uint32_t line = 0;           // CSV line or worksheet row
  std::string where;           // "" or the sheet name
  uint32_t ref = 0;            // the row's Ref in the workbook (0: match by the other keys)
  std::string encounter_id;
  std::optional<ItemType> code_type;
  std::optional<uint32_t> code_line;
  std::string coder_code, auditor_code;  // normalised: upper case, no dots
  std::optional<Outcome> outcome;
  Rebuttal rebuttal = Rebuttal::kNone;
  std::string coder_comment;
  Decision decision = Decision::kNone;
  std::string decision_note;
};

struct RebuttalResult {
  uint32_t entries = 0;   // read
  uint32_t applied = 0;   // matched a difference and changed it
  std::vector<Reject> rejects;
};

// Where a rebuttal reader puts what it reads, row by row in file order: nothing is held.
struct RebuttalSink {
  std::function<void(RebuttalEntry&&)> on_entry;
  std::function<void(Reject&&)> on_reject;
};

// Matches each entry to one error row of `diffs` (by Ref when given, checked against the
// encounter and outcome; else by encounter, outcome, and the code type, line and codes
// when given) and records its rebuttal and decision. An entry that matches nothing, a
// match row, or a row already given is rejected with file, line and reason. Entries are
// applied one at a time as a reader delivers them; memory is the diffs' index only.
class RebuttalApplier {
 public:
  explicit RebuttalApplier(std::vector<CodeDiff>& diffs);
  void Apply(const RebuttalEntry& entry, const std::function<void(Reject&&)>& on_reject);
  uint32_t Entries() const { return entries_; }  // read
  uint32_t Applied() const { return applied_; }  // matched a difference and changed it

 private:
  std::vector<CodeDiff>& diffs_;
  std::unordered_map<uint32_t, size_t> by_ref_;
  std::unordered_map<std::string, std::vector<size_t>> by_encounter_;
  std::vector<bool> taken_;
  uint32_t entries_ = 0, applied_ = 0;
};

// All entries at once (RebuttalApplier over a vector).
RebuttalResult ApplyRebuttals(std::vector<CodeDiff>& diffs,
                              const std::vector<RebuttalEntry>& entries);

// Reads schemas/rebuttal-csv.md row by row into the sink. Bad rows are rejects (the rest
// still apply); a missing header or required column is an InputError.
void ReadRebuttalCsv(std::istream& in, const std::string& file, const RebuttalSink& sink);
// `digest`, when given, is of exactly the bytes read (io::HashedFile).
void ReadRebuttalCsvFile(const std::string& path, const RebuttalSink& sink,
                         FileDigest* digest = nullptr);
// The same, collected.
std::vector<RebuttalEntry> ReadRebuttalCsv(std::istream& in, const std::string& file,
                                           std::vector<Reject>& rejects);
std::vector<RebuttalEntry> ReadRebuttalCsvFile(const std::string& path,
                                               std::vector<Reject>& rejects);

// Upper case without dots: how codes are stored and compared.
std::string NormalCode(std::string_view code);

}  // namespace coderaudit::qa
