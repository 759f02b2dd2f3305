#include "reports/xlsx/workbook_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "audit/model/date.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::reports {

time_t ParseUtc(std::string_view s) {
  const bool shape = s.size() >= 19 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
                     s[16] == ':';
  if (!shape) return 0;
  const auto date = ParseIsoDate(s.substr(0, 10));
  int hms[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    const char a = s[static_cast<size_t>(11 + 3 * k)], b = s[static_cast<size_t>(12 + 3 * k)];
    if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
    hms[k] = (a - '0') * 10 + (b - '0');
  }
  std::string_view rest = s.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
    if (k == 1) return 0;
    rest.remove_prefix(k);
  }
  if (!date || hms[0] > 23 || hms[1] > 59 || hms[2] > 59 ||
      !(rest.empty() || rest == "Z" || rest == "+00:00" || rest == "+0000"))
    return 0;
  return static_cast<time_t>(int64_t{date->days} * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]);
}

TempFile::TempFile(const std::string& target, std::string what) : what_(std::move(what)) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device entropy;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = target + ".tmp-";
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
  Fail("cannot create a unique temp file next to " + target);
}

TempFile::~TempFile() {
  if (!committed_ && !path_.empty()) ::unlink(path_.c_str());
}

void TempFile::Fail(const std::string& why) const {
  throw SystemError("cannot write " + what_ + ": " + why);
}

void TempFile::CommitTo(const std::string& target) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    Fail("cannot flush " + path_ + ": " + std::strerror(err));
  }
  ::close(fd);
  if (::rename(path_.c_str(), target.c_str()) != 0)
    Fail("cannot rename " + path_ + " to " + target + ": " + std::strerror(errno));
  committed_ = true;
}

}  // namespace coderaudit::reports
