#pragma once
// RFC 4180 CSV, streaming, hostile-input safe. Written here rather than pulled in because
// reject discipline needs exact physical line numbers and per-record recovery, which the
// Debian-packaged CSV libraries do not give.
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace coderaudit::io {

struct CsvRecord {
  uint32_t line = 0;                 // physical line where the record starts (1-based)
  std::vector<std::string> fields;
  std::string error;                 // non-empty: the record is malformed (fields unusable)
  std::string raw;                   // record text, truncated to kMaxRawKept
  // With `error`: the 1-based field the error is in (0: not known) and the complete
  // fields before it, so a reader can name the column and the record's key.
  uint32_t error_field = 0;
  std::vector<std::string> complete_fields;
};

// The same record without copies: every view points into the reader's buffers and is
// valid until the next call to NextView.
struct CsvView {
  uint32_t line = 0;
  std::vector<std::string_view> fields;
  std::string error;
  std::string_view raw;
  uint32_t error_field = 0;                        // as in CsvRecord
  std::vector<std::string_view> complete_fields;  // valid until the next NextView
};

class CsvReader {
 public:
  static constexpr size_t kMaxRecordBytes = 1 << 20;  // longer records are rejected
  static constexpr size_t kMaxRawKept = 512;
  static constexpr size_t kMaxFields = 100000;

  // `delimiter` and `quote` for exports that are not plain CSV (mapping files); quote 0
  // means fields are never quoted.
  static constexpr size_t kDefaultBufferBytes = 4 * kMaxRecordBytes;
  // `buffer_bytes` (at least kMaxRecordBytes + 4) only for tests that move record
  // boundaries across buffer refills.
  explicit CsvReader(std::istream& in, char delimiter = ',', char quote = '"',
                     size_t buffer_bytes = kDefaultBufferBytes);
  // Reads the next record. Returns false at end of input. A malformed record comes back
  // with `error` set; reading resumes at the next line so one bad row never eats the file.
  // Blank lines are skipped. At most kMaxFields fields per record.
  bool Next(CsvRecord& record);
  bool NextView(CsvView& view);

 private:
  enum class Scan { kDone, kNeedMore };
  Scan ParseRecord(CsvView& view);
  // Drops bytes before pos_ and reads more; false when the input has nothing more.
  bool Fill();
  // Reports the record starting at record_start_ as malformed, then resumes after the
  // end of the physical line containing buffer offset `from`.
  void Fail(CsvView& view, std::string why, size_t from);
  void KeepCompleteFields(CsvView& view);
  void SkipLineFrom(size_t from);

  std::streambuf& sb_;  // read directly: the stream's own buffer, no second copy
  char delimiter_, quote_;
  bool special_[256] = {};  // bytes that end an unquoted run of field text
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, pos_ = 0, end_ = 0, record_start_ = 0;
  bool eof_ = false, started_ = false;
  uint32_t line_ = 1;
  std::string unescaped_;   // quoted fields with doubled quotes, reserved once (no moves)
  std::string raw_kept_;    // raw text of a malformed record (the buffer moves on)
  std::vector<std::string> error_fields_;  // complete fields of a malformed record
};

}  // namespace coderaudit::io
