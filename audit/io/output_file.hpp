#pragma once
// Every file the tool writes (workbooks, findings exports, generated claims) is written to a
// temp file beside its target and becomes the target only when complete: created
// exclusively, flushed to disk, renamed over the target, the directory synced. A failure or
// a kill never leaves a half-written file where the old one was.
#include <string>
#include <string_view>

namespace coderaudit::io {

class OutputFile {
 public:
  // Refuses a target that exists and is not a regular file (a device such as /dev/full, a
  // FIFO, a directory: renaming over it would replace it) with InputError. Removes temp
  // files a killed run of the tool left beside the target (their writer is gone), then
  // creates `target.tmp-PID-XXXXXXXX` exclusively; SystemError naming `what` on failure.
  OutputFile(std::string target, std::string what);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // removes the temp file unless committed

  const std::string& Path() const { return path_; }  // where to write
  // Flushes the finished temp file to disk, renames it over the target, syncs the directory.
  void Commit();

 private:
  [[noreturn]] void Fail(const std::string& why) const;
  std::string target_, path_, what_;
  bool committed_ = false;
};

// `bytes` written to `target` through an OutputFile: the whole file or, on any failure,
// the target as it was. SystemError "cannot write TARGET" when the write fails.
void WriteFileAtomically(const std::string& target, const std::string& what, std::string_view bytes);

}  // namespace coderaudit::io
