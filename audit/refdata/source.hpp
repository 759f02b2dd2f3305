#pragma once
// Opening reference files exactly as CMS/CDC ship them: plain text, gzip (.tsv.gz,
// .xml.gz) or a ZIP with the wanted member inside (the ICD-10 code files). The format
// is recognised by its magic bytes, not by the file name. This is the Poco adapter for
// compressed input: no other refdata file includes Poco headers except tabular_xml.cpp.
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace coderaudit::refdata::detail {

// Chooses the member of a ZIP to read, by its file name (without directories).
using MemberFilter = std::function<bool(std::string_view name)>;

class Source {
 public:
  // Throws InputError when the file cannot be opened, is a ZIP without a member the
  // filter accepts (or with several), or is not a readable archive.
  static std::unique_ptr<Source> Open(const std::string& path, const MemberFilter& member);
  virtual ~Source() = default;

  // The decompressed bytes.
  virtual std::istream& Stream() = 0;
  // "path" or "path:member" for messages and rejects.
  const std::string& Name() const { return name_; }
  // Throws InputError when the stream stopped on a read or decompression error rather
  // than at the end of the data (istreams swallow those into badbit).
  virtual void CheckEnd() = 0;

 protected:
  std::string name_;
};

// Physical lines with a length cap, CR stripped, so one hostile line can neither eat
// memory nor hide the lines after it.
class LineReader {
 public:
  static constexpr size_t kMaxLine = 1 << 16;
  explicit LineReader(Source& source) : source_(source) {}
  // False at the end. `too_long` is set (and `line` truncated) for over-long lines.
  bool Next(std::string& line, uint32_t& line_no, bool& too_long);

 private:
  Source& source_;
  uint32_t line_no_ = 0;
};

}  // namespace coderaudit::refdata::detail
