#include "tests/rules/pack_tables.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "rules/check.hpp"
#include "rules/tables.hpp"
#include "tests/rules/test_support.hpp"

namespace coderaudit::rules::testing {

namespace fs = std::filesystem;

namespace {

// A reference store in a fresh temporary directory, removed with the object (at exit).
class TempStore {
 public:
  TempStore() {
    std::string pattern = (fs::temp_directory_path() / "coderaudit-packs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempStore() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
  std::string Str() const { return path_.string(); }

 private:
  fs::path path_;
};

struct Cached {
  std::unique_ptr<TempStore> store;
  std::shared_ptr<const refdata::RefData> tables;
};

}  // namespace

std::vector<TableSpec> ReadTableManifest(const std::string& manifest, const std::string& root) {
  std::ifstream in(manifest);
  REQUIRE(in);
  std::vector<TableSpec> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    INFO(manifest << ": " << line);
    REQUIRE(fields.size() == 5);
    const auto kind = ParseTableName(fields[0]);
    REQUIRE(kind);
    TableSpec spec{*kind, fields[1], *ParseIsoDate(fields[2]), ParseIsoDate(fields[3]), ""};
    spec.path = fields[4].starts_with("samples:")
                    ? (fs::path(manifest).parent_path() / fields[4].substr(8)).string()
                    : (fs::path(root.empty() ? fs::path(manifest).parent_path().string() : root) /
                       fields[4])
                          .string();
    out.push_back(std::move(spec));
  }
  return out;
}

std::shared_ptr<const refdata::RefData> ManifestTables(const std::string& manifest,
                                                       const std::string& root) {
  static std::mutex mutex;
  static std::map<std::string, Cached> cache;
  std::lock_guard lock(mutex);
  auto& cached = cache[manifest];
  if (cached.tables) return cached.tables;
  cached.store = std::make_unique<TempStore>();
  for (const TableSpec& spec : ReadTableManifest(manifest, root)) {
    const auto result = refdata::ImportTable(cached.store->Str(), spec.kind, spec.path,
                                             spec.version, spec.from, spec.to);
    std::string rejects;
    for (const auto& reject : result.rejects)
      rejects += reject.file + ":" + std::to_string(reject.line) + ": " + reject.field + ": " +
                 reject.reason + "\n";
    INFO("importing " << spec.path << "\n" << rejects);
    CHECK(result.rejects.empty());
    CHECK(result.table.rows > 0);
  }
  cached.tables = refdata::LoadRefData(cached.store->Str());
  return cached.tables;
}

std::shared_ptr<const refdata::RefData> PackSampleTables() {
  return ManifestTables(SourcePath("samples/packs/tables.tsv"), "");
}

std::string SharedDataDir() { return SourcePath("../shared/data"); }

std::shared_ptr<const refdata::RefData> SharedTables() {
  if (!fs::exists(SharedDataDir() + "/MANIFEST.md")) return nullptr;
  return ManifestTables(SourcePath("samples/packs/shared-tables.tsv"), SharedDataDir());
}

}  // namespace coderaudit::rules::testing
