#include "audit/refdata/index_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>

#include "audit/model/error.hpp"

namespace coderaudit::refdata::detail {

namespace {

constexpr char kMagic[8] = {'C', 'A', 'R', 'E', 'F', 'I', 'D', 'X'};
// 2: deferred sections (IsDeferred) are stored last and left out of the payload checksum,
// which they have their own of (kDeferredChecksum). Version 1 files (no deferred
// sections; the payload checksum covers everything) still load.
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kOldestReadable = 1;
constexpr uint32_t kByteOrderMark = 0x01020304;
constexpr uint32_t kMaxSections = 16;

// The fixed 128-byte header at offset 0.
struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t byte_order;
  uint8_t kind;
  uint8_t pad[3];
  uint32_t section_count;
  uint64_t file_size;
  int64_t rows;
  int64_t rejected;
  char source_sha256[64];
  uint64_t payload_checksum;  // over everything after the header
  uint64_t header_checksum;   // over the header with this field zero
};
static_assert(sizeof(Header) == 128);

struct SectionEntry {
  uint32_t id;
  uint32_t record_size;
  uint64_t offset;
  uint64_t count;
};
static_assert(sizeof(SectionEntry) == 24);

uint64_t HeaderChecksum(Header h) {
  h.header_checksum = 0;
  return Checksum64(reinterpret_cast<const unsigned char*>(&h), sizeof h);
}

uint64_t AlignUp(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

[[noreturn]] void Bad(const std::string& path, const std::string& what) {
  throw InputError("refdata index " + path + ": " + what +
                   " (re-import the table with `coderaudit refdata import`)");
}

std::string Errno() { return std::strerror(errno); }

}  // namespace

uint64_t Checksum64(const unsigned char* data, uint64_t size) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0xCBF29CE484222325ull ^ (size * kMul);
  uint64_t i = 0;
  // Four independent lanes keep the multiplier busy; combined at the end.
  uint64_t lane[4] = {h, h ^ 1, h ^ 2, h ^ 3};
  for (; i + 32 <= size; i += 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, data + i + 8 * k, 8);
      lane[k] = (lane[k] ^ w) * kMul;
      lane[k] ^= lane[k] >> 29;
    }
  }
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    lane[0] = (lane[0] ^ w) * kMul;
    lane[0] ^= lane[0] >> 29;
  }
  if (i < size) {
    uint64_t w = 0;
    std::memcpy(&w, data + i, size - i);
    lane[1] = (lane[1] ^ w) * kMul;
    lane[1] ^= lane[1] >> 29;
  }
  for (int k = 0; k < 4; ++k) {
    h = (h ^ lane[k]) * kMul;
    h ^= h >> 32;
  }
  return h;
}

void IndexWriter::Add(SectionId id, uint32_t record_size, std::vector<unsigned char> bytes) {
  sections_.push_back({id, record_size, std::move(bytes)});
}

uint64_t IndexWriter::Write(const std::string& path, const IndexMeta& meta) const {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.byte_order = kByteOrderMark;
  h.kind = static_cast<uint8_t>(kind_);
  h.rows = meta.rows;
  h.rejected = meta.rejected;
  std::memcpy(h.source_sha256, meta.source_sha256.data(),
              std::min<size_t>(meta.source_sha256.size(), sizeof h.source_sha256));

  // Eager sections first, then the deferred ones (with a checksum section for them).
  std::vector<const Pending*> order;
  for (const auto& s : sections_)
    if (!IsDeferred(s.id)) order.push_back(&s);
  const size_t eager = order.size();
  for (const auto& s : sections_)
    if (IsDeferred(s.id)) order.push_back(&s);
  const Pending deferred_sum{SectionId::kDeferredChecksum, sizeof(uint64_t),
                             std::vector<unsigned char>(sizeof(uint64_t), 0)};
  if (order.size() > eager)
    order.insert(order.begin() + static_cast<std::ptrdiff_t>(eager), &deferred_sum);
  if (order.size() > kMaxSections) throw SystemError("refdata index: too many sections");
  h.section_count = static_cast<uint32_t>(order.size());

  std::vector<SectionEntry> table(order.size());
  uint64_t offset = AlignUp(sizeof(Header) + sizeof(SectionEntry) * order.size());
  uint64_t deferred_start = 0, sum_at = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& s = *order[i];
    if (IsDeferred(s.id) && deferred_start == 0) deferred_start = offset;
    if (s.id == SectionId::kDeferredChecksum) sum_at = offset;
    table[i] = {static_cast<uint32_t>(s.id), s.record_size, offset,
                s.record_size ? s.bytes.size() / s.record_size : 0};
    offset = AlignUp(offset + s.bytes.size());
  }
  h.file_size = offset;
  if (deferred_start == 0) deferred_start = offset;

  std::vector<unsigned char> image(offset, 0);
  std::memcpy(image.data() + sizeof(Header), table.data(), sizeof(SectionEntry) * table.size());
  for (size_t i = 0; i < order.size(); ++i)
    if (!order[i]->bytes.empty())
      std::memcpy(image.data() + table[i].offset, order[i]->bytes.data(), order[i]->bytes.size());
  if (sum_at != 0) {
    const uint64_t sum = Checksum64(image.data() + deferred_start, offset - deferred_start);
    std::memcpy(image.data() + sum_at, &sum, sizeof sum);
  }
  h.payload_checksum = Checksum64(image.data() + sizeof(Header), deferred_start - sizeof(Header));
  h.header_checksum = HeaderChecksum(h);
  std::memcpy(image.data(), &h, sizeof h);

  // Unique temp name in the same directory, so rename() is atomic and concurrent
  // importers never share a temp file.
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw SystemError("cannot create " + tmp + ": " + Errno());
  uint64_t done = 0;
  while (done < image.size()) {
    const ssize_t n = ::write(fd, image.data() + done, image.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = Errno();
      ::close(fd);
      ::unlink(tmp.c_str());
      throw SystemError("cannot write " + tmp + ": " + why);
    }
    done += static_cast<uint64_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = Errno();
    ::unlink(tmp.c_str());
    throw SystemError("cannot write " + tmp + ": " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = Errno();
    ::unlink(tmp.c_str());
    throw SystemError("cannot rename " + tmp + " to " + path + ": " + why);
  }
  return image.size();
}

std::unique_ptr<IndexFile> IndexFile::Open(const std::string& path, TableKind expected) {
  std::unique_ptr<IndexFile> f(new IndexFile());
  f->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Bad(path, "cannot open: " + Errno());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    Bad(path, "cannot stat: " + Errno());
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < sizeof(Header)) {
    ::close(fd);
    Bad(path, "truncated: " + std::to_string(size) + " bytes, shorter than the header");
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) Bad(path, "cannot map: " + Errno());
  f->base_ = static_cast<const unsigned char*>(p);
  f->size_ = size;

  Header h;
  std::memcpy(&h, f->base_, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) Bad(path, "not a coderaudit refdata index");
  if (h.byte_order != kByteOrderMark) Bad(path, "written on a machine of other byte order");
  if (h.format_version < kOldestReadable || h.format_version > kFormatVersion)
    Bad(path, "index format version " + std::to_string(h.format_version) + ", expected " +
                  std::to_string(kOldestReadable) + " to " + std::to_string(kFormatVersion));
  if (HeaderChecksum(h) != h.header_checksum) Bad(path, "header checksum mismatch (corrupted)");
  if (h.file_size != size)
    Bad(path, "truncated or extended: header says " + std::to_string(h.file_size) +
                  " bytes, the file has " + std::to_string(size));
  if (h.kind != static_cast<uint8_t>(expected))
    Bad(path, "holds another kind of table than the catalogue says (" +
                  std::string(ToString(static_cast<TableKind>(h.kind))) + ", expected " +
                  std::string(ToString(expected)) + ")");
  if (h.section_count > kMaxSections ||
      sizeof(Header) + sizeof(SectionEntry) * h.section_count > size)
    Bad(path, "section table out of bounds");
  // The section table is inside the checksummed part whatever it says, so it is read
  // first only to find where deferred sections start (version 2); nothing is trusted
  // until the checksum below has passed.
  std::vector<SectionEntry> table(h.section_count);
  if (h.section_count > 0)
    std::memcpy(table.data(), f->base_ + sizeof(Header), sizeof(SectionEntry) * h.section_count);
  uint64_t deferred_start = size;
  if (h.format_version >= 2)
    for (const auto& e : table)
      if (IsDeferred(static_cast<SectionId>(e.id))) {
        if (e.offset < sizeof(Header) + sizeof(SectionEntry) * table.size() || e.offset > size)
          Bad(path, "section " + std::to_string(e.id) + " out of bounds");
        deferred_start = std::min(deferred_start, e.offset);
      }
  const uint64_t eager_bytes = deferred_start - sizeof(Header);
  if (Checksum64(f->base_ + sizeof(Header), eager_bytes) != h.payload_checksum)
    Bad(path, "checksum mismatch (corrupted)");
  f->deferred_start_ = deferred_start;

  bool deferred = false;
  for (const auto& e : table) {
    const uint64_t end_limit = IsDeferred(static_cast<SectionId>(e.id)) ? size : deferred_start;
    if (e.record_size == 0 || e.offset > end_limit ||
        e.count > (end_limit - e.offset) / e.record_size)
      Bad(path, "section " + std::to_string(e.id) + " out of bounds");
    deferred = deferred || IsDeferred(static_cast<SectionId>(e.id));
    f->entries_.push_back({e.id, e.record_size, e.offset, e.count});
  }
  if (deferred && !f->Has(SectionId::kDeferredChecksum))
    Bad(path, "deferred sections without their checksum");
  f->meta_.rows = h.rows;
  f->meta_.rejected = h.rejected;
  f->meta_.source_sha256.assign(h.source_sha256, strnlen(h.source_sha256, sizeof h.source_sha256));
  return f;
}

IndexFile::~IndexFile() {
  if (base_) ::munmap(const_cast<unsigned char*>(base_), size_);
}

bool IndexFile::Has(SectionId id) const {
  for (const auto& e : entries_)
    if (e.id == static_cast<uint32_t>(id)) return true;
  return false;
}

void IndexFile::VerifyDeferred() const {
  // A throw leaves the flag unset: the next Get checks again (and fails again).
  std::call_once(deferred_verified_, [this] {
    const Section sum = Get(SectionId::kDeferredChecksum, sizeof(uint64_t));
    if (sum.count != 1 ||
        Checksum64(base_ + deferred_start_, size_ - deferred_start_) != Read<uint64_t>(sum, 0))
      Bad(path_, "checksum mismatch in the code descriptions (corrupted)");
  });
}

Section IndexFile::Get(SectionId id, uint32_t record_size) const {
  for (const auto& e : entries_) {
    if (e.id != static_cast<uint32_t>(id)) continue;
    if (e.record_size != record_size)
      Bad(path_, "section " + std::to_string(e.id) + " has " + std::to_string(e.record_size) +
                     "-byte records, expected " + std::to_string(record_size));
    if (IsDeferred(id)) VerifyDeferred();
    return Section{base_ + e.offset, e.count, e.record_size};
  }
  Bad(path_, "section " + std::to_string(static_cast<uint32_t>(id)) + " missing");
}

}  // namespace coderaudit::refdata::detail
