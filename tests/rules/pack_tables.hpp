#pragma once
// Reference tables for the pack tests: a manifest (kind, version, from, to, path per
// line; samples/packs/tables.tsv) is imported with refdata::ImportTable into a temporary
// reference store, once per process, and loaded with refdata::LoadRefData.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/refdata/refdata.hpp"

namespace coderaudit::rules::testing {

struct TableSpec {
  refdata::TableKind kind;
  std::string version;
  Date from;
  std::optional<Date> to;
  std::string path;  // resolved
};

// Paths are relative to `root` (the manifest's own directory when empty); a path starting
// with "samples:" is relative to the manifest's directory whatever the root.
std::vector<TableSpec> ReadTableManifest(const std::string& manifest, const std::string& root);

// Imports and loads the manifest's tables (cached by manifest path for the process; the
// temporary store is removed at exit). Import rejects fail the current test.
std::shared_ptr<const refdata::RefData> ManifestTables(const std::string& manifest,
                                                       const std::string& root);

// samples/packs/tables.tsv, loaded.
std::shared_ptr<const refdata::RefData> PackSampleTables();
// ../shared/data via samples/packs/shared-tables.tsv; null when ../shared/data is absent.
std::shared_ptr<const refdata::RefData> SharedTables();
std::string SharedDataDir();

}  // namespace coderaudit::rules::testing
