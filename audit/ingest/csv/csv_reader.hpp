#pragma once
// RFC 4180 CSV, streaming, hostile-input safe. Written here rather than pulled in because
// reject discipline needs exact physical line numbers and per-record recovery, which the
// Debian-packaged CSV libraries do not give.
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace coderaudit::ingest {

struct CsvRecord {
  uint32_t line = 0;                 // physical line where the record starts (1-based)
  std::vector<std::string> fields;
  std::string error;                 // non-empty: the record is malformed (fields unusable)
  std::string raw;                   // record text, truncated to kMaxRawKept
};

class CsvReader {
 public:
  static constexpr size_t kMaxRecordBytes = 1 << 20;  // longer records are rejected
  static constexpr size_t kMaxRawKept = 512;

  explicit CsvReader(std::istream& in) : in_(in) {}
  // Reads the next record. Returns false at end of input. A malformed record comes back
  // with `error` set; reading resumes at the next line so one bad row never eats the file.
  // Blank lines are skipped.
  bool Next(CsvRecord& record);

 private:
  int Get();        // next byte or -1
  int Peek();
  void SkipToEndOfLine();

  std::istream& in_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  size_t pos_ = 0, end_ = 0;
  uint32_t line_ = 1;
  bool started_ = false;
};

}  // namespace coderaudit::ingest
