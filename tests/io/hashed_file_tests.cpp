// io::HashedFile: the digest is of exactly the bytes read; rewinds re-read and compare.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"

namespace fs = std::filesystem;
using coderaudit::InputError;
using coderaudit::Sha256Hex;
using coderaudit::io::HashedFile;

namespace {
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/coderaudit-hashed-XXXXXX";
    const int fd = mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
    Write(text);
  }
  void Write(const std::string& text, std::ios::openmode mode = std::ios::trunc) const {
    std::ofstream(path, std::ios::binary | mode) << text;
  }
  ~TempFile() { fs::remove(path); }
};

std::string Big(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i) + ",x,y,z\n";
  return s;
}

std::string ReadAll(std::istream& in) {
  std::string out;
  char buf[7000];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) out.append(buf, static_cast<size_t>(in.gcount()));
  return out;
}
}  // namespace

TEST_CASE("HashedFile hashes exactly the bytes read, in small and large reads", "[io][integrity]") {
  const std::string text = Big(3 << 20);
  TempFile f(text);
  SECTION("small reads through the buffer") {
    HashedFile h(f.path);
    CHECK(ReadAll(h.Stream()) == text);
    const auto d = h.Finish();
    CHECK(d.sha256 == Sha256Hex(text));
    CHECK(d.bytes == static_cast<int64_t>(text.size()));
  }
  SECTION("large reads straight into the caller's memory") {
    HashedFile h(f.path);
    std::string got(text.size() + 10, '\0');
    const auto n = h.Stream().rdbuf()->sgetn(got.data(), static_cast<std::streamsize>(got.size()));
    CHECK(n == static_cast<std::streamsize>(text.size()));
    CHECK(h.Finish().sha256 == Sha256Hex(text));
  }
  SECTION("a reader that stops early: the rest is hashed by Finish") {
    HashedFile h(f.path);
    char buf[100];
    h.Stream().read(buf, sizeof buf);
    CHECK(h.Finish().sha256 == Sha256Hex(text));
  }
  SECTION("peeking and rewinding within the buffer reads nothing again") {
    HashedFile h(f.path);
    std::istream& in = h.Stream();
    CHECK(in.tellg() == 0);
    char buf[4096];
    in.read(buf, sizeof buf);
    in.seekg(0);
    CHECK(ReadAll(in) == text);
    CHECK(h.Finish().sha256 == Sha256Hex(text));
  }
  SECTION("a rewind past the buffer re-reads and compares: unchanged is fine") {
    HashedFile h(f.path);
    std::istream& in = h.Stream();
    CHECK(ReadAll(in) == text);
    in.clear();
    in.seekg(0);
    CHECK(ReadAll(in) == text);
    const auto d = h.Finish();
    CHECK(d.sha256 == Sha256Hex(text));
    CHECK(d.bytes == static_cast<int64_t>(text.size()));
  }
  SECTION("a rewind into the middle re-reads and compares") {
    HashedFile h(f.path);
    std::istream& in = h.Stream();
    CHECK(ReadAll(in) == text);
    in.clear();
    in.seekg(1 << 20);
    CHECK(ReadAll(in) == text.substr(1 << 20));
    CHECK(h.Finish().sha256 == Sha256Hex(text));
  }
}

TEST_CASE("HashedFile refuses a file that changed between two readings", "[io][integrity]") {
  const std::string text = Big(2 << 20);
  TempFile f(text);
  SECTION("rewritten in place before a second pass") {
    HashedFile h(f.path);
    std::istream& in = h.Stream();
    ReadAll(in);
    std::string changed = text;
    changed[100] = '#';
    f.Write(changed);
    in.clear();
    in.seekg(0);
    ReadAll(in);
    CHECK_THROWS_WITH(h.Finish(), f.path + " changed while it was being checked; nothing stored");
  }
  SECTION("truncated before a second pass") {
    HashedFile h(f.path);
    std::istream& in = h.Stream();
    ReadAll(in);
    f.Write(text.substr(0, 1000));
    in.clear();
    in.seekg(0);
    ReadAll(in);
    CHECK_THROWS_AS(h.Finish(), InputError);
  }
  SECTION("appended to after the end was read: the digest is of what was read") {
    HashedFile h(f.path);
    ReadAll(h.Stream());
    f.Write("more\n", std::ios::app);
    const auto d = h.Finish();
    CHECK(d.sha256 == Sha256Hex(text));
    CHECK(d.bytes == static_cast<int64_t>(text.size()));
  }
  SECTION("another reading of the path found other bytes") {
    HashedFile h(f.path);
    ReadAll(h.Stream());
    h.ExpectSame({Sha256Hex("other"), 5});
    CHECK_THROWS_WITH(h.Finish(), f.path + " changed while it was being checked; nothing stored");
  }
  SECTION("a missing file cannot be opened") {
    CHECK_THROWS_WITH(HashedFile(f.path + ".missing", "encounter file"),
                      "cannot open encounter file " + f.path + ".missing");
  }
}
