#pragma once
// What the CLI tests share: running the CLI in process and a temporary directory.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/cli/commands.hpp"

namespace cli_test {

struct Run {
  int code;
  std::string out, err;
};

inline Run Cli(std::vector<std::string> words) {
  std::ostringstream out, err;
  const int code = coderaudit::cli::Main(words, out, err);
  return {code, out.str(), err.str()};
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/coderaudit-cli-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
  std::string Path(const std::string& name) const { return (path / name).string(); }
};

}  // namespace cli_test
