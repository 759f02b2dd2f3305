#pragma once
// The catalogue of a reference directory: one line per imported table version
// (kind, version, period, index file, counts, source SHA-256 and path), tab-separated
// text so people can read it. Rewritten atomically under an exclusive lock, so two
// imports into the same directory at once both land.
#include <string>
#include <vector>

#include "audit/refdata/refdata.hpp"

namespace coderaudit::refdata::detail {

struct CatalogueEntry {
  TableVersion table;
  std::string index_file;  // file name inside the directory
};

constexpr const char* kCatalogueName = "catalogue.tsv";

// Throws InputError when the directory has no catalogue or a line is malformed.
std::vector<CatalogueEntry> ReadCatalogue(const std::string& dir);

// Exclusive lock on `dir/catalogue.lock` (flock), held while an import swaps its index
// file in and rewrites the catalogue, so the two always agree.
class CatalogueLock {
 public:
  explicit CatalogueLock(const std::string& dir);  // blocks; throws SystemError
  ~CatalogueLock();
  CatalogueLock(const CatalogueLock&) = delete;
  CatalogueLock& operator=(const CatalogueLock&) = delete;

 private:
  int fd_ = -1;
};

// Replaces the entry of the same kind and version (or adds one) and rewrites the
// catalogue atomically (temp + rename). Call with a CatalogueLock held.
void UpsertCatalogue(const std::string& dir, const CatalogueEntry& entry);

// "ptp-practitioner__2024Q3.idx": kind plus the version with unsafe characters replaced.
std::string IndexFileName(TableKind kind, const std::string& version);

}  // namespace coderaudit::refdata::detail
