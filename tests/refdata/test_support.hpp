#pragma once
// Helpers for the refdata tests: temporary directories, the sample and shared-data
// locations, and small compressed fixtures built at run time (gzip, ZIP).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/refdata/refdata.hpp"

namespace refdata_test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& Path() const { return path_; }
  std::string Str() const { return path_.string(); }
  // Writes `content` to Path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  fs::path path_;
};

// samples/refdata/<name>
std::string Sample(const std::string& name);
// ../shared/data/<relative> when present; nullopt (the test then WARNs and skips).
std::optional<std::string> Shared(const std::string& relative);

// gzip of a file's bytes / a ZIP with the given members (name, content), via Poco.
void GzipFile(const std::string& from, const std::string& to);
void MakeZip(const std::string& to,
             const std::vector<std::pair<std::string, std::string>>& members);
std::string ReadFile(const std::string& path);

// Imports a sample with the period its file name implies.
coderaudit::refdata::ImportResult ImportSample(const std::string& dir,
                                               coderaudit::refdata::TableKind kind,
                                               const std::string& path);

// Imports every table of samples/refdata into `dir`.
void ImportAllSamples(const std::string& dir);

coderaudit::Date D(const char* iso);
coderaudit::Code C(const char* code);

}  // namespace refdata_test
