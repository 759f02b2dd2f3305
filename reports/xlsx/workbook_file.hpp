#pragma once
// What every workbook writer needs around libxlsxwriter: a temp file beside the target
// that becomes the target only when complete, and a fixed creation time taken from the
// stored run so identical input gives identical bytes.
#include <ctime>
#include <string>
#include <string_view>

namespace coderaudit::reports {

// "YYYY-MM-DDTHH:MM:SS[.fff][Z|+00:00]" (or with a space) as UTC seconds; 0 if malformed.
time_t ParseUtc(std::string_view text);

class TempFile {
 public:
  // Creates `target + ".tmp-XXXXXXXX"` exclusively; throws SystemError naming `what`.
  TempFile(const std::string& target, std::string what);
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();  // removes the temp file unless committed
  const std::string& Path() const { return path_; }
  // Flushes the finished file to disk, then renames it over the target.
  void CommitTo(const std::string& target);

 private:
  [[noreturn]] void Fail(const std::string& why) const;
  std::string path_, what_;
  bool committed_ = false;
};

}  // namespace coderaudit::reports
