#pragma once
// An input file read through a stream buffer that feeds SHA-256 with every byte as the
// readers consume it, so the digest a run records is of exactly the bytes it processed:
// a file that grows or is replaced while it is read is recorded as it was read, never as
// a separate read found it.
#include <atomic>
#include <cstdint>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "audit/model/hash.hpp"

namespace coderaudit::io {

class HashedFile : public std::streambuf {
 public:
  // Opens `path`; InputError "cannot open WHAT PATH" when it cannot be opened.
  explicit HashedFile(const std::string& path, const std::string& what = "file");
  ~HashedFile() override;
  HashedFile(const HashedFile&) = delete;
  HashedFile& operator=(const HashedFile&) = delete;

  // The stream over this buffer. Seekable back to any byte already read (DetectFormat
  // peeks and rewinds, X12 reads twice): bytes read again are hashed again on their own
  // and must equal what was read the first time. Seeking forward reads and hashes the
  // bytes skipped (the xlsx reader's zip archive skips entries); never from the end.
  std::istream& Stream() { return stream_; }

  // Another read of the same path in the same job (a replay) found `other`: Finish fails
  // unless it is this read's digest too.
  void ExpectSame(const FileDigest& other) { expected_.push_back(other); }

  // Adds every byte read for the first time to `*bytes` as it is read (bytes read again
  // after a rewind are not counted twice): a progress meter's numerator, read from
  // another thread.
  void CountBytesInto(std::atomic<int64_t>* bytes) { counter_ = bytes; }

  // The SHA-256 and size of the bytes this open file delivered, from the first byte to
  // where the reader stopped at the end of the file. A reader that stopped early (its sink
  // had what it needed) leaves the rest, which is read and hashed here. InputError
  // "PATH changed while it was being checked; nothing stored" when bytes read again
  // differ from their first reading or ExpectSame's digest differs; InputError on a read
  // error. Call once.
  FileDigest Finish();

 protected:
  int_type underflow() override;
  std::streamsize xsgetn(char* s, std::streamsize n) override;
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override;
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override;

 private:
  // Bytes [at, at + n) were just read from the file.
  void Account(const char* p, size_t n, int64_t at);
  // pread that retries on EINTR; -1 on error (errno kept in error_).
  int64_t ReadAt(char* p, size_t n, int64_t at);
  // Hashes [from, to) of the file into verify_ (catching up after a rewind or a skip).
  void VerifyRange(int64_t from, int64_t to);
  void EndVerify();

  std::string path_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  int64_t buf_at_ = 0;   // file offset of eback()
  int64_t next_ = 0;     // file offset of the next physical read (egptr())
  bool at_end_ = false;  // the last physical read at next_ found the end of the file
  Sha256 main_;
  int64_t hashed_ = 0;   // bytes [0, hashed_) are in main_
  // After a rewind: the bytes read again, from 0, until they reach verify_to_.
  std::unique_ptr<Sha256> verify_;
  int64_t verified_ = 0, verify_to_ = 0;
  std::string expect_;   // main_'s digest at verify_to_
  bool changed_ = false;
  int error_ = 0;
  std::vector<FileDigest> expected_;
  std::atomic<int64_t>* counter_ = nullptr;
  std::istream stream_;
};

// The whole of a small input (a policy, a column mapping) read through a HashedFile:
// `digest` is of exactly the bytes returned. InputError when it cannot be opened
// ("cannot open WHAT PATH"), cannot be read, or is larger than `max_bytes`.
std::string ReadHashedText(const std::string& path, const std::string& what, size_t max_bytes,
                           FileDigest& digest);

// The message of a run refused because an input changed between its reads.
std::string ChangedWhileChecked(const std::string& path);

}  // namespace coderaudit::io
