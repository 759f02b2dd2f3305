#include "audit/refdata/source.hpp"

#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <array>
#include <fstream>
#include <vector>

#include "audit/model/error.hpp"

namespace coderaudit::refdata::detail {

namespace {

class PlainSource : public Source {
 public:
  PlainSource(const std::string& path, std::unique_ptr<std::ifstream> file)
      : file_(std::move(file)) {
    name_ = path;
  }
  std::istream& Stream() override { return *file_; }
  void CheckEnd() override {
    if (file_->bad()) throw InputError(name_ + ": read error");
  }

 private:
  std::unique_ptr<std::ifstream> file_;
};

class GzipSource : public Source {
 public:
  GzipSource(const std::string& path, std::unique_ptr<std::ifstream> file)
      : file_(std::move(file)),
        inflate_(std::make_unique<Poco::InflatingInputStream>(
            *file_, Poco::InflatingStreamBuf::STREAM_GZIP)) {
    name_ = path;
  }
  std::istream& Stream() override { return *inflate_; }
  void CheckEnd() override {
    if (inflate_->bad() || file_->bad())
      throw InputError(name_ + ": corrupt or truncated gzip data");
  }

 private:
  std::unique_ptr<std::ifstream> file_;
  std::unique_ptr<Poco::InflatingInputStream> inflate_;
};

class ZipSource : public Source {
 public:
  ZipSource(const std::string& path, std::unique_ptr<std::ifstream> file,
            const MemberFilter& member)
      : file_(std::move(file)) {
    archive_ = std::make_unique<Poco::Zip::ZipArchive>(*file_);
    const Poco::Zip::ZipLocalFileHeader* chosen = nullptr;
    std::string names;
    for (auto it = archive_->headerBegin(); it != archive_->headerEnd(); ++it) {
      if (!it->second.isFile()) continue;
      std::string_view base = it->first;
      if (const size_t slash = base.find_last_of('/'); slash != std::string_view::npos)
        base.remove_prefix(slash + 1);
      names += (names.empty() ? "" : ", ") + std::string(base);
      if (!member(base)) continue;
      if (chosen)
        throw InputError(path + ": more than one matching member in the ZIP (" +
                         chosen->getFileName() + ", " + it->first + ")");
      chosen = &it->second;
    }
    if (!chosen)
      throw InputError(path + ": no member of the expected name in the ZIP (it holds: " +
                       (names.empty() ? std::string("nothing") : names) + ")");
    name_ = path + ":" + chosen->getFileName();
    file_->clear();
    member_ = std::make_unique<Poco::Zip::ZipInputStream>(*file_, *chosen, true);
  }
  std::istream& Stream() override { return *member_; }
  void CheckEnd() override {
    if (member_->bad() || file_->bad())
      throw InputError(name_ + ": corrupt or truncated ZIP member");
  }

 private:
  std::unique_ptr<std::ifstream> file_;
  std::unique_ptr<Poco::Zip::ZipArchive> archive_;
  std::unique_ptr<Poco::Zip::ZipInputStream> member_;
};

}  // namespace

std::unique_ptr<Source> Source::Open(const std::string& path, const MemberFilter& member) {
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) throw InputError("cannot read " + path);
  std::array<unsigned char, 4> magic{};
  file->read(reinterpret_cast<char*>(magic.data()), magic.size());
  const auto got = file->gcount();
  file->clear();
  file->seekg(0);
  try {
    if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
      return std::make_unique<GzipSource>(path, std::move(file));
    if (got == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4)
      return std::make_unique<ZipSource>(path, std::move(file), member);
  } catch (const Poco::Exception& e) {
    throw InputError(path + ": not a readable archive (" + e.displayText() + ")");
  }
  return std::make_unique<PlainSource>(path, std::move(file));
}

bool LineReader::Next(std::string& line, uint32_t& line_no, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* sb = source_.Stream().rdbuf();
  bool any = false;
  try {
    for (;;) {
      const int c = sb->sbumpc();
      if (c == std::char_traits<char>::eof()) break;
      any = true;
      if (c == '\n') break;
      if (line.size() < kMaxLine) {
        line.push_back(static_cast<char>(c));
      } else {
        too_long = true;
      }
    }
  } catch (const Poco::Exception& e) {
    throw InputError(source_.Name() + ": read failed after line " + std::to_string(line_no_) +
                     " (" + e.displayText() + ")");
  } catch (const std::ios_base::failure&) {
    throw InputError(source_.Name() + ": read failed after line " + std::to_string(line_no_));
  }
  if (!any) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line_no_ == 0 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 BOM
  line_no = ++line_no_;
  return true;
}

}  // namespace coderaudit::refdata::detail
