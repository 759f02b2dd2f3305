// io::OutputFile: an output is complete or absent, never half-written, and never replaces
// something that is not a regular file.
#include <catch2/catch.hpp>

#include <algorithm>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "audit/io/output_file.hpp"
#include "audit/model/error.hpp"

namespace fs = std::filesystem;
using coderaudit::io::OutputFile;

namespace {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("coderaudit-io-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& Path() const { return path_; }
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("An output replaces its target only when committed", "[io]") {
  TempDir dir;
  const fs::path target = dir.Path() / "out.csv";
  std::ofstream(target) << "old";
  {
    OutputFile out(target.string(), "test output");
    std::ofstream(out.Path()) << "new";
    CHECK(Read(target) == "old");  // still the old content while the new one is written
    out.Commit();
  }
  CHECK(Read(target) == "new");
  CHECK(dir.Entries() == std::vector<std::string>{"out.csv"});
  {
    OutputFile abandoned(target.string(), "test output");
    std::ofstream(abandoned.Path()) << "half";
  }  // not committed: an error unwound past it
  CHECK(Read(target) == "new");
  CHECK(dir.Entries() == std::vector<std::string>{"out.csv"});
}

TEST_CASE("Devices, pipes and directories are refused as targets and left as they are", "[io]") {
  TempDir dir;
  const fs::path fifo = dir.Path() / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_AS(OutputFile(fifo.string(), "test output"), coderaudit::InputError);
  CHECK(fs::is_fifo(fifo));
  CHECK_THROWS_AS(OutputFile(dir.Path().string(), "test output"), coderaudit::InputError);
  CHECK_THROWS_AS(OutputFile("/dev/full", "test output"), coderaudit::InputError);
  CHECK(fs::is_character_file("/dev/full"));
  CHECK(dir.Entries() == std::vector<std::string>{"pipe"});
}

TEST_CASE("Temp files of a killed writer are removed, a live writer's are kept", "[io]") {
  TempDir dir;
  const fs::path target = dir.Path() / "report.xlsx";
  // A child that dies leaves its pid free: the temp it "left" is stale.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string stale = "report.xlsx.tmp-" + std::to_string(child) + "-abcdefgh";
  const std::string live = "report.xlsx.tmp-" + std::to_string(::getpid()) + "-zzzzzzzz";
  std::ofstream(dir.Path() / stale) << "left by a killed run";
  std::ofstream(dir.Path() / live) << "being written by this process";
  std::ofstream(dir.Path() / "report.xlsx.tmp-notes") << "not ours";
  // Another target's temp from a killed run goes too; names not of OutputFile's form stay.
  const std::string other = "findings.csv.tmp-" + std::to_string(child) + "-0a1b2c3d";
  const std::string foreign = "notes.tmp-" + std::to_string(child) + "-ABCDEFGH";
  std::ofstream(dir.Path() / other) << "left by another killed run";
  std::ofstream(dir.Path() / foreign) << "not ours: upper case";
  {
    OutputFile out(target.string(), "test output");
    std::ofstream(out.Path()) << "done";
    out.Commit();
  }
  auto entries = dir.Entries();
  std::sort(entries.begin(), entries.end());
  std::vector<std::string> expected{"report.xlsx", live, "report.xlsx.tmp-notes", foreign};
  std::sort(expected.begin(), expected.end());
  CHECK(entries == expected);
}
