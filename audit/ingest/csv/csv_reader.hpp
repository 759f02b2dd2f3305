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

  // `delimiter` and `quote` for exports that are not plain CSV (mapping files); quote 0
  // means fields are never quoted.
  explicit CsvReader(std::istream& in, char delimiter = ',', char quote = '"')
      : sb_(*in.rdbuf()), delimiter_(delimiter), quote_(quote) {}
  // Reads the next record. Returns false at end of input. A malformed record comes back
  // with `error` set; reading resumes at the next line so one bad row never eats the file.
  // Blank lines are skipped. At most 100,000 fields per record.
  bool Next(CsvRecord& record);

 private:
  int Get();        // next byte or -1
  int Peek();
  void SkipToEndOfLine();

  std::streambuf& sb_;  // read directly: the stream's own buffer, no second copy
  char delimiter_, quote_;
  uint32_t line_ = 1;
  bool started_ = false;
};

}  // namespace coderaudit::ingest
