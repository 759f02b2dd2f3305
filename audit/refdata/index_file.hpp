#pragma once
// The compact indexed file one table version is stored in: a fixed header (magic,
// format version, kind, size, checksums of header and payload, row counts, source SHA-256),
// a section table, then sections of fixed-width records (sorted by the writer, so
// lookups binary-search the mapped bytes directly). Written to a temp file and renamed,
// so readers see the old file or the new one, never half of one. Read memory-mapped.
//
// Records are stored in host byte order; the header's byte-order mark makes a file
// from a machine of the other endianness fail loudly instead of reading garbage. The
// files are a cache of imported official tables, not an interchange format.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::refdata::detail {

enum class SectionId : uint32_t {
  kRows = 1,           // the table's records
  kGroups = 2,         // PTP: one entry per column-1 code -> its run of rows
  kStrings = 3,        // string blob (rationales)
  kStringOffsets = 4,  // uint32 offsets into kStrings, count + 1 entries
  kRanges = 5,         // tabular: code ranges referenced by kRows
  kMceAges = 6,        // MCE release: age group ranges by date
  kMceStatuses = 7,    // MCE release: valid discharge statuses by date
  // Optional (order files, HCPCS): each kRows record's description, as a string blob and
  // uint32 offsets (rows + 1 entries). Absent in indexes written before descriptions were kept
  // and for files without them; readers then have none, nothing else changes.
  // Deferred sections (see IsDeferred): stored last and verified on first Get, not at Open.
  kDescriptions = 8,
  kDescriptionOffsets = 9,
  kDeferredChecksum = 10,  // one uint64: Checksum64 of the bytes from the first deferred
                           // section to the end of the file
  // Optional (tabular): each kRanges record's character conditions ("with fifth character
  // 5"), same order. Absent in indexes written before they were read: no range has any.
  kRangeConditions = 11,
};

// Sections only people's look-ups read (descriptions: megabytes for the ICD-10 order
// files): Open does not checksum them, so loading for a check run costs what it did before
// they were kept; the first Get of one verifies them all.
constexpr bool IsDeferred(SectionId id) {
  return id == SectionId::kDescriptions || id == SectionId::kDescriptionOffsets;
}

// A section as mapped: `count` records of `record_size` bytes each.
struct Section {
  const unsigned char* data = nullptr;
  uint64_t count = 0;
  uint32_t record_size = 0;
  const unsigned char* At(uint64_t i) const { return data + i * record_size; }
};

struct IndexMeta {
  int64_t rows = 0, rejected = 0;
  std::string source_sha256;  // 64 hex characters
};

// Codes are stored as 8 bytes, NUL padded, so memcmp order is string order.
using CodeKey = std::array<char, 8>;
inline CodeKey KeyOf(const Code& c) {
  CodeKey k{};
  const auto v = c.View();
  std::memcpy(k.data(), v.data(), v.size());
  return k;
}
inline Code CodeOfKey(const char* bytes) {
  size_t n = 0;
  while (n < 8 && bytes[n] != '\0') ++n;
  auto c = Code::Parse(std::string_view(bytes, n));
  return c ? *c : Code{};
}

// 64-bit checksum over 8-byte words (multiply-xorshift): catches truncation, bit rot
// and partial writes at memory speed, so every load can afford to verify every byte.
// Not a defence against deliberate tampering (nothing here is).
uint64_t Checksum64(const unsigned char* data, uint64_t size);

class IndexWriter {
 public:
  explicit IndexWriter(TableKind kind) : kind_(kind) {}
  // Adds a section of bytes.size() / record_size records.
  void Add(SectionId id, uint32_t record_size, std::vector<unsigned char> bytes);
  // Writes `path` atomically (temp file in the same directory, fsync, rename).
  // Throws SystemError on I/O failure. Returns the file size.
  uint64_t Write(const std::string& path, const IndexMeta& meta) const;

 private:
  struct Pending {
    SectionId id;
    uint32_t record_size;
    std::vector<unsigned char> bytes;
  };
  TableKind kind_;
  std::vector<Pending> sections_;
};

// Appends a trivially copyable record to a byte vector.
template <typename T>
void Append(std::vector<unsigned char>& out, const T& record) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto* p = reinterpret_cast<const unsigned char*>(&record);
  out.insert(out.end(), p, p + sizeof(T));
}

// Reads a record out of mapped bytes (memcpy: no alignment or aliasing assumptions).
template <typename T>
T Read(const Section& s, uint64_t i) {
  T t;
  std::memcpy(&t, s.At(i), sizeof(T));
  return t;
}

class IndexFile {
 public:
  // Maps and validates the whole file; throws InputError naming the file and what is
  // wrong (missing, truncated, not an index, other format version, checksum mismatch,
  // other kind, section out of bounds). Never crashes on a damaged file.
  static std::unique_ptr<IndexFile> Open(const std::string& path, TableKind expected);
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  const IndexMeta& Meta() const { return meta_; }
  const std::string& Path() const { return path_; }
  uint64_t Size() const { return size_; }
  // The section with `id` whose records are `record_size` bytes; throws InputError
  // when absent or of another width (a file from a different layout), and for a deferred
  // section when the deferred bytes fail their checksum (verified once, on first Get).
  Section Get(SectionId id, uint32_t record_size) const;
  bool Has(SectionId id) const;

 private:
  IndexFile() = default;
  void VerifyDeferred() const;
  std::string path_;
  const unsigned char* base_ = nullptr;
  uint64_t size_ = 0;
  uint64_t deferred_start_ = 0;  // == size_ when the file has no deferred sections
  mutable std::once_flag deferred_verified_;
  IndexMeta meta_;
  struct Entry {
    uint32_t id, record_size;
    uint64_t offset, count;
  };
  std::vector<Entry> entries_;
};

}  // namespace coderaudit::refdata::detail
