#include "audit/io/hashed_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "audit/model/error.hpp"

namespace coderaudit::io {

namespace {
// Reads of at least this size (the CSV tokenizer asks for megabytes) go straight into the
// caller's memory; smaller ones (FHIR lines, format detection) through this buffer.
constexpr size_t kBufferBytes = 256 * 1024;
}  // namespace

std::string ChangedWhileChecked(const std::string& path) {
  return path + " changed while it was being checked; nothing stored";
}

HashedFile::HashedFile(const std::string& path, const std::string& what)
    : path_(path), buf_(new char[kBufferBytes]), stream_(this) {
  do {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) throw InputError("cannot open " + what + " " + path);
  setg(buf_.get(), buf_.get(), buf_.get());
}

HashedFile::~HashedFile() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t HashedFile::ReadAt(char* p, size_t n, int64_t at) {
  for (;;) {
    const ssize_t got = ::pread(fd_, p, n, static_cast<off_t>(at));
    if (got >= 0) {
      at_end_ = got == 0;
      return got;
    }
    if (errno == EINTR) continue;
    error_ = errno;
    return -1;
  }
}

void HashedFile::Account(const char* p, size_t n, int64_t at) {
  const int64_t end = at + static_cast<int64_t>(n);
  if (at < hashed_) {
    // Read again after a rewind: hashed on its own, compared once it reaches verify_to_.
    const int64_t upto = std::min(end, hashed_);
    if (verify_ && verified_ == at) {
      verify_->Update({p, static_cast<size_t>(upto - at)});
      verified_ = upto;
      if (verified_ == verify_to_) EndVerify();
    } else {
      changed_ = true;  // not reached: seeks keep the verifier in step
    }
    p += upto - at;
    at = upto;
  }
  if (end > at) {
    main_.Update({p, static_cast<size_t>(end - at)});
    if (counter_) counter_->fetch_add(end - at, std::memory_order_relaxed);
    hashed_ = end;
  }
}

void HashedFile::EndVerify() {
  if (verify_->HexDigest() != expect_) changed_ = true;
  verify_.reset();
}

void HashedFile::VerifyRange(int64_t from, int64_t to) {
  while (verify_ && from < to) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(to - from, kBufferBytes));
    const int64_t got = ReadAt(buf_.get(), want, from);
    if (got <= 0) {
      if (got == 0) changed_ = true;  // shorter now than when it was first read
      verify_.reset();
      return;
    }
    verify_->Update({buf_.get(), static_cast<size_t>(got)});
    from += got;
    verified_ = from;
    if (verified_ == verify_to_) EndVerify();
  }
}

HashedFile::int_type HashedFile::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  buf_at_ = next_;
  setg(buf_.get(), buf_.get(), buf_.get());
  const int64_t got = ReadAt(buf_.get(), kBufferBytes, next_);
  if (got <= 0) return traits_type::eof();
  Account(buf_.get(), static_cast<size_t>(got), next_);
  next_ += got;
  setg(buf_.get(), buf_.get(), buf_.get() + got);
  return traits_type::to_int_type(*gptr());
}

std::streamsize HashedFile::xsgetn(char* s, std::streamsize n) {
  std::streamsize done = 0;
  while (done < n) {
    if (gptr() < egptr()) {
      const auto take = std::min<std::streamsize>(egptr() - gptr(), n - done);
      std::memcpy(s + done, gptr(), static_cast<size_t>(take));
      gbump(static_cast<int>(take));
      done += take;
      continue;
    }
    if (static_cast<size_t>(n - done) >= kBufferBytes) {
      buf_at_ = next_;
      setg(buf_.get(), buf_.get(), buf_.get());
      const int64_t got = ReadAt(s + done, static_cast<size_t>(n - done), next_);
      if (got <= 0) break;
      Account(s + done, static_cast<size_t>(got), next_);
      next_ += got;
      done += got;
      continue;
    }
    if (traits_type::eq_int_type(underflow(), traits_type::eof())) break;
  }
  return done;
}

HashedFile::pos_type HashedFile::seekoff(off_type off, std::ios_base::seekdir dir,
                                         std::ios_base::openmode which) {
  const int64_t here = buf_at_ + (gptr() - eback());
  if (dir == std::ios_base::cur) return seekpos(pos_type(here + off), which);
  if (dir == std::ios_base::beg) return seekpos(pos_type(off), which);
  return pos_type(off_type(-1));  // from the end: no reader needs it
}

HashedFile::pos_type HashedFile::seekpos(pos_type pos, std::ios_base::openmode which) {
  const int64_t to = static_cast<int64_t>(off_type(pos));
  if (!(which & std::ios_base::in) || to < 0) return pos_type(off_type(-1));
  if (to > std::max(hashed_, next_)) {
    // Forward past everything read (a zip reader skipping an entry it does not need): the
    // skipped bytes are read and hashed all the same, so the digest never skips a byte.
    while (next_ < to) {
      const size_t want = static_cast<size_t>(std::min<int64_t>(to - next_, kBufferBytes));
      const int64_t got = ReadAt(buf_.get(), want, next_);
      if (got <= 0) return pos_type(off_type(-1));  // past the end, or a read error
      Account(buf_.get(), static_cast<size_t>(got), next_);
      next_ += got;
    }
    buf_at_ = next_;
    at_end_ = false;
    setg(buf_.get(), buf_.get(), buf_.get());
    return pos;
  }
  if (to >= buf_at_ && to <= next_) {  // within the buffer: the same bytes, not read again
    setg(eback(), eback() + (to - buf_at_), egptr());
    return pos;
  }
  // Read again from the file: hashed apart from 0, compared with the first reading when
  // they reach the point the first reading had reached.
  if (to < hashed_) {
    if (!verify_) {
      verify_to_ = hashed_;
      expect_ = main_.HexDigestSoFar();
      verify_ = std::make_unique<Sha256>();
      verified_ = 0;
    } else if (to < verified_) {
      verify_ = std::make_unique<Sha256>();
      verified_ = 0;
    }
    VerifyRange(verified_, to);
  }
  buf_at_ = next_ = to;
  at_end_ = false;
  setg(buf_.get(), buf_.get(), buf_.get());
  return pos;
}

FileDigest HashedFile::Finish() {
  // What the reader left: the rest of the file (a reader that stopped early), or the
  // rest of a second reading that has not yet reached the first one's end.
  if (!at_end_ || next_ < hashed_) {
    if (verify_ && next_ > verified_) VerifyRange(verified_, next_);
    setg(buf_.get(), buf_.get(), buf_.get());
    for (;;) {
      buf_at_ = next_;
      const int64_t got = ReadAt(buf_.get(), kBufferBytes, next_);
      if (got <= 0) break;
      Account(buf_.get(), static_cast<size_t>(got), next_);
      next_ += got;
    }
  }
  if (verify_) changed_ = true;  // the file ended before the bytes read earlier came again
  if (error_ != 0) throw InputError("error reading " + path_ + ": " + std::strerror(error_));
  FileDigest d{main_.HexDigest(), hashed_};
  if (changed_) throw InputError(ChangedWhileChecked(path_));
  for (const auto& other : expected_)
    if (!(other == d)) throw InputError(ChangedWhileChecked(path_));
  return d;
}

std::string ReadHashedText(const std::string& path, const std::string& what, size_t max_bytes,
                           FileDigest& digest) {
  HashedFile file(path, what);
  std::string text;
  char chunk[64 * 1024];
  while (file.Stream().read(chunk, sizeof chunk) || file.Stream().gcount() > 0) {
    text.append(chunk, static_cast<size_t>(file.Stream().gcount()));
    if (text.size() > max_bytes)
      throw InputError(path + ": " + what + " larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  digest = file.Finish();
  return text;
}

}  // namespace coderaudit::io
