#pragma once
// Remembering which encounter ids a run has already read, in bounded memory when it can.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace coderaudit {

// An exact set of ids: the bytes of each id once in an arena plus an 8-byte slot, about
// (length + 2) + 11 bytes per id; no node or string object per id.
class IdSet {
 public:
  bool Insert(std::string_view id);  // false when it was already there
  bool Contains(std::string_view id) const;
  size_t Size() const { return size_; }

 private:
  size_t Probe(std::string_view id, uint64_t hash, bool& found) const;
  std::string_view At(uint64_t slot) const;
  void Grow();

  std::vector<uint64_t> slots_;  // 0: empty; else (arena offset + 1) << 16 | 16 hash bits
  std::string arena_;            // each id: 2-byte length, then its bytes
  size_t size_ = 0;
};

// The ids of a stream, in arrival order. While they arrive in strictly increasing byte
// order (exports sorted by claim id, which is usual) only the last one is kept: a greater
// id cannot have been seen, so memory stays flat however long the input. The first id out
// of order calls `replay`, which must hand every id inserted so far back to `add` (by
// re-reading the input); from then on an IdSet holds them all. Without a replay the set is
// kept from the start. Exact either way.
class SeenIds {
 public:
  using Add = std::function<void(std::string_view)>;
  using Replay = std::function<void(const Add& add)>;
  explicit SeenIds(Replay replay = {});
  // True when `id` is new (and now remembered).
  bool Insert(std::string_view id);
  bool Sorted() const { return sorted_; }  // still in the flat-memory mode

 private:
  Replay replay_;
  bool sorted_;
  std::string last_;
  size_t count_ = 0;
  IdSet set_;
};

}  // namespace coderaudit
