#include "audit/model/id_set.hpp"

#include <cstring>

#include "audit/model/error.hpp"

namespace coderaudit {

namespace {
uint64_t HashOf(std::string_view id) { return std::hash<std::string_view>{}(id); }
constexpr uint64_t kTagMask = 0xFFFF;
}  // namespace

std::string_view IdSet::At(uint64_t slot) const {
  const size_t off = (slot >> 16) - 1;
  uint16_t len;
  std::memcpy(&len, arena_.data() + off, 2);
  return {arena_.data() + off + 2, len};
}

size_t IdSet::Probe(std::string_view id, uint64_t hash, bool& found) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint64_t s = slots_[i];
    if (s == 0) {
      found = false;
      return i;
    }
    if ((s & kTagMask) == (hash >> 48) && At(s) == id) {
      found = true;
      return i;
    }
  }
}

bool IdSet::Contains(std::string_view id) const {
  if (slots_.empty()) return false;
  bool found = false;
  Probe(id, HashOf(id), found);
  return found;
}

void IdSet::Grow() {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  for (uint64_t s : old) {
    if (s == 0) continue;
    bool found = false;
    slots_[Probe(At(s), HashOf(At(s)), found)] = s;
  }
}

bool IdSet::Insert(std::string_view id) {
  if (id.size() > 0xFFFF) throw InputError("identifier longer than 65535 bytes");
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow();  // load factor at most 0.7
  const uint64_t hash = HashOf(id);
  bool found = false;
  const size_t i = Probe(id, hash, found);
  if (found) return false;
  const uint64_t off = arena_.size();
  const auto len = static_cast<uint16_t>(id.size());
  arena_.append(reinterpret_cast<const char*>(&len), 2);
  arena_.append(id);
  slots_[i] = ((off + 1) << 16) | (hash >> 48);
  ++size_;
  return true;
}

SeenIds::SeenIds(Replay replay) : replay_(std::move(replay)), sorted_(static_cast<bool>(replay_)) {}

bool SeenIds::Insert(std::string_view id) {
  if (sorted_) {
    if (count_ == 0 || id > last_) {
      last_.assign(id);
      ++count_;
      return true;
    }
    sorted_ = false;
    replay_([this](std::string_view seen) { set_.Insert(seen); });
    if (set_.Size() != count_)
      throw InputError("the input changed while it was being read (" + std::to_string(count_) +
                       " ids read, " + std::to_string(set_.Size()) + " on re-reading)");
    last_.clear();
  }
  return set_.Insert(id);
}

}  // namespace coderaudit
