#include "audit/io/output_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string_view>

#include "audit/model/error.hpp"

namespace coderaudit::io {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMark = ".tmp-";

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

// `name` is some target's name + ".tmp-PID-XXXXXXXX" (X from kAlphabet), the form every
// OutputFile gives its temp file, and process PID no longer runs: a writer that was killed
// before it could rename or remove it.
bool IsStaleTemp(std::string_view name) {
  const size_t mark = name.rfind(kTempMark);
  if (mark == std::string_view::npos || mark == 0) return false;
  std::string_view rest = name.substr(mark + kTempMark.size());
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos || rest.size() - dash - 1 != 8) return false;
  for (char c : rest.substr(dash + 1))
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  long pid = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + dash, pid);
  if (ec != std::errc() || end != rest.data() + dash || pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Removes the stale temp files of every target in the directory `target` is written to.
void RemoveStaleTemps(const fs::path& target) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    if (IsStaleTemp(it->path().filename().string())) fs::remove(it->path(), type_ec);
  }
}

}  // namespace

OutputFile::OutputFile(std::string target, std::string what)
    : target_(std::move(target)), what_(std::move(what)) {
  struct stat st {};
  if (::stat(target_.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw InputError("cannot write " + what_ + " to " + target_ +
                     ": not a regular file (a device, pipe or directory would be replaced); "
                     "name a file");
  RemoveStaleTemps(target_);
  std::random_device entropy;
  const std::string prefix = target_ + std::string(kTempMark) + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = prefix;
    for (int i = 0; i < 8; ++i) candidate += kAlphabet[entropy() % kAlphabet.size()];
    // 0666 so the final file gets the same permissions as any file the user creates.
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      path_ = std::move(candidate);
      return;
    }
    if (errno != EEXIST) Fail("cannot create " + candidate + ": " + std::strerror(errno));
  }
  Fail("cannot create a unique temp file next to " + target_);
}

OutputFile::~OutputFile() {
  if (!committed_ && !path_.empty()) ::unlink(path_.c_str());
}

void OutputFile::Fail(const std::string& why) const {
  throw SystemError("cannot write " + what_ + ": " + why);
}

void OutputFile::Commit() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    Fail("cannot flush " + path_ + ": " + std::strerror(err));
  }
  ::close(fd);
  if (::rename(path_.c_str(), target_.c_str()) != 0)
    Fail("cannot rename " + path_ + " to " + target_ + ": " + std::strerror(errno));
  committed_ = true;
  // The rename is durable only once the directory entry is on disk.
  const fs::path dir = fs::path(target_).has_parent_path() ? fs::path(target_).parent_path()
                                                             : fs::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void WriteFileAtomically(const std::string& target, const std::string& what, std::string_view bytes) {
  OutputFile file(target, what);
  {
    std::ofstream f(file.Path(), std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) throw SystemError("cannot write " + target);
  }
  file.Commit();
}

}  // namespace coderaudit::io
