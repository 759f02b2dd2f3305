// LoadRefData and the RefData implementation over memory-mapped index files.
//
// Loading maps each file and verifies its checksums; nothing is parsed up front except
// the small tables (MUE, add-on, tabular notes) whose contract hands out pointers to
// materialised structs. PTP tables are large (2.5 M pairs), so their PtpEdit structs are
// built on first use, per column-1 code and per date interval in which that code's
// active set is constant, and published with a compare-and-swap: lookups stay
// lock-free and thread-safe, only the first lookup of an interval allocates, and a
// returned span holds exactly the pairs active on the date asked.
#include <algorithm>
#include <array>
#include <cstddef>
#include <atomic>
#include <filesystem>
#include <map>

#include "audit/model/error.hpp"
#include "audit/refdata/catalogue.hpp"
#include "audit/refdata/index_file.hpp"
#include "audit/refdata/layouts.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::refdata {

namespace {

using namespace detail;

constexpr size_t kKindCount = static_cast<size_t>(TableKind::kCpt) + 1;

// Keys are zero-padded [A-Z0-9] bytes: big-endian integer order is their string order.
uint64_t KeyValue(const void* bytes) {
  uint64_t v;
  std::memcpy(&v, bytes, sizeof v);
  return __builtin_bswap64(v);
}
static_assert(sizeof(CodeKey) == sizeof(uint64_t));

int KeyCompare(const unsigned char* record_key, const CodeKey& key) {
  const uint64_t a = KeyValue(record_key), b = KeyValue(key.data());
  return a < b ? -1 : a > b ? 1 : 0;
}

// First record whose code (at byte `offset` of the record) is not less than `key`.
uint64_t LowerBound(const Section& s, const CodeKey& key, size_t offset = 0) {
  uint64_t lo = 0, hi = s.count;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (KeyCompare(s.At(mid) + offset, key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// Index of the record whose code equals `key`, if any.
std::optional<uint64_t> FindCode(const Section& s, const CodeKey& key) {
  const uint64_t i = LowerBound(s, key);
  if (i < s.count && KeyCompare(s.At(i), key) == 0) return i;
  return std::nullopt;
}

// The rationale string table; out-of-range indices read as "" (never past the map).
class StringTable {
 public:
  StringTable() = default;
  StringTable(const IndexFile& f) {
    blob_ = f.Get(SectionId::kStrings, 1);
    offsets_ = f.Get(SectionId::kStringOffsets, sizeof(uint32_t));
    if (offsets_.count == 0) Bad(f, "empty string offsets");
    uint32_t prev = 0;
    for (uint64_t i = 0; i < offsets_.count; ++i) {
      const auto o = Read<uint32_t>(offsets_, i);
      if (o < prev || o > blob_.count) Bad(f, "string offsets out of bounds");
      prev = o;
    }
  }
  std::string_view At(uint32_t i) const {
    if (offsets_.count == 0 || i + 1 >= offsets_.count) return {};
    const auto a = Read<uint32_t>(offsets_, i), b = Read<uint32_t>(offsets_, i + 1);
    return {reinterpret_cast<const char*>(blob_.data) + a, b - a};
  }

 private:
  [[noreturn]] static void Bad(const IndexFile& f, const std::string& what) {
    throw InputError("refdata index " + f.Path() + ": " + what);
  }
  Section blob_, offsets_;
};

std::optional<Date> StartDate(int32_t d) {
  return d == kNoStart ? std::nullopt : std::optional<Date>(Date{d});
}
std::optional<Date> EndDate(int32_t d) {
  return d == kNoEnd ? std::nullopt : std::optional<Date>(Date{d});
}

// PTP pairs of one table version, materialised lazily (see the file comment).
class PtpIndex {
 public:
  PtpIndex(const IndexFile& f, const TableVersion* table)
      : table_(table),
        groups_(f.Get(SectionId::kGroups, sizeof(PtpGroupRecord))),
        rows_(f.Get(SectionId::kRows, sizeof(PtpRowRecord))),
        strings_(f),
        caches_(std::make_unique<std::atomic<GroupCache*>[]>(groups_.count)) {
    uint64_t expect = 0;
    for (uint64_t i = 0; i < groups_.count; ++i) {
      const auto g = Read<PtpGroupRecord>(groups_, i);
      if (g.first != expect || g.count == 0 || uint64_t{g.first} + g.count > rows_.count)
        throw InputError("refdata index " + f.Path() + ": PTP groups out of bounds");
      expect = uint64_t{g.first} + g.count;
    }
    if (expect != rows_.count)
      throw InputError("refdata index " + f.Path() + ": PTP groups do not cover the rows");
    for (uint64_t i = 0; i < groups_.count; ++i) caches_[i].store(nullptr);
  }

  ~PtpIndex() {
    for (uint64_t i = 0; i < groups_.count; ++i) delete caches_[i].load();
  }
  PtpIndex(const PtpIndex&) = delete;
  PtpIndex& operator=(const PtpIndex&) = delete;

  std::span<const PtpEdit> Active(const Code& column1, Date dos) const {
    const std::vector<PtpEdit>* list = ActiveList(column1, dos);
    if (list == nullptr) return {};
    return {list->data(), list->size()};
  }

  // The pairs of `column1` active on `dos`, built on first use; null when the code has
  // none in this table. The vector lives as long as the index.
  const std::vector<PtpEdit>* ActiveList(const Code& column1, Date dos) const {
    const CodeKey key = KeyOf(column1);
    const auto gi = FindCode(groups_, key);
    if (!gi) return nullptr;
    const auto g = Read<PtpGroupRecord>(groups_, *gi);
    const GroupCache& cache = Cache(*gi, g);
    const auto k =
        static_cast<size_t>(std::upper_bound(cache.bounds.begin(), cache.bounds.end(), dos.days) -
                            cache.bounds.begin());
    std::vector<PtpEdit>* slot = cache.slots[k].load(std::memory_order_acquire);
    if (!slot) {
      auto fresh = std::make_unique<std::vector<PtpEdit>>();
      for (uint32_t r = 0; r < g.count; ++r) {
        const auto row = Read<PtpRowRecord>(rows_, g.first + r);
        PtpEdit e;
        e.column1 = column1;
        e.column2 = CodeOfKey(row.column2.data());
        e.effective = StartDate(row.effective);
        e.deleted = EndDate(row.deleted);
        e.modifier_indicator = row.modifier;
        e.rationale = strings_.At(row.rationale);
        e.table = table_;
        if (e.ActiveOn(dos)) fresh->push_back(e);
      }
      std::vector<PtpEdit>* expected = nullptr;
      if (cache.slots[k].compare_exchange_strong(expected, fresh.get(),
                                                 std::memory_order_acq_rel)) {
        slot = fresh.release();
      } else {
        slot = expected;  // another thread built the same slot first
      }
    }
    return slot;
  }

 private:
  // Per column-1 code: the dates where its active set changes, and one lazily built
  // vector of active pairs per interval between them.
  struct GroupCache {
    std::vector<int32_t> bounds;
    std::unique_ptr<std::atomic<std::vector<PtpEdit>*>[]> slots;
    size_t slot_count = 0;
    ~GroupCache() {
      for (size_t i = 0; i < slot_count; ++i) delete slots[i].load();
    }
  };

  const GroupCache& Cache(uint64_t gi, const PtpGroupRecord& g) const {
    GroupCache* cache = caches_[gi].load(std::memory_order_acquire);
    if (cache) return *cache;
    auto fresh = std::make_unique<GroupCache>();
    for (uint32_t r = 0; r < g.count; ++r) {
      const auto row = Read<PtpRowRecord>(rows_, g.first + r);
      if (row.effective != kNoStart) fresh->bounds.push_back(row.effective);
      if (row.deleted != kNoEnd) fresh->bounds.push_back(row.deleted + 1);
    }
    std::sort(fresh->bounds.begin(), fresh->bounds.end());
    fresh->bounds.erase(std::unique(fresh->bounds.begin(), fresh->bounds.end()),
                        fresh->bounds.end());
    fresh->slot_count = fresh->bounds.size() + 1;
    fresh->slots = std::make_unique<std::atomic<std::vector<PtpEdit>*>[]>(fresh->slot_count);
    for (size_t i = 0; i < fresh->slot_count; ++i) fresh->slots[i].store(nullptr);
    GroupCache* expected = nullptr;
    if (caches_[gi].compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel))
      return *fresh.release();
    return *expected;
  }

  const TableVersion* table_;
  Section groups_, rows_;
  StringTable strings_;
  std::unique_ptr<std::atomic<GroupCache*>[]> caches_;
};

// One table version as loaded.
struct Loaded {
  // Process-unique, never reused: names this table in the per-thread lookup memos, where
  // its address could be reused by a table loaded later.
  const uint64_t uid = NextUid();
  static uint64_t NextUid() {
    static std::atomic<uint64_t> next{1};
    return next++;
  }
  TableVersion version;
  std::unique_ptr<IndexFile> file;
  Section rows;                                      // every kind has its kRows
  std::unique_ptr<PtpIndex> ptp;                     // PTP kinds
  std::vector<MueEdit> mue;                          // MUE kinds, sorted by code
  std::vector<AddOnEdit> add_on;                     // sorted by add-on code
  // Code::Key() of each mue / add_on entry: searched instead of the structs, so a lookup
  // walks a dense array that stays in cache.
  std::vector<uint64_t> mue_keys, add_on_keys;
  std::vector<std::pair<Code, TabularNotes>> notes;  // sorted by code
  std::vector<uint64_t> notes_keys;                  // Code::Key() of each notes entry
  std::vector<MceAgeRecord> mce_ages;                // MCE release: small, materialised
  std::vector<MceStatusRecord> mce_statuses;
  // Order files and HCPCS: whether the index keeps the rows' descriptions. They are
  // neither read nor verified at load (deferred sections, index_file.hpp): the first
  // Description() lookup does that, and each lookup bounds-checks the offsets it uses.
  bool has_descriptions = false;
};

void Materialise(Loaded& t) {
  const IndexFile& f = *t.file;
  switch (t.version.kind) {
    case TableKind::kPtpPractitioner:
    case TableKind::kPtpOutpatient:
      t.rows = f.Get(SectionId::kRows, sizeof(PtpRowRecord));
      t.ptp = std::make_unique<PtpIndex>(f, &t.version);
      break;
    case TableKind::kMuePractitioner:
    case TableKind::kMueOutpatient:
    case TableKind::kMueDme: {
      t.rows = f.Get(SectionId::kRows, sizeof(MueRecord));
      const StringTable strings(f);
      t.mue.reserve(t.rows.count);
      for (uint64_t i = 0; i < t.rows.count; ++i) {
        const auto r = Read<MueRecord>(t.rows, i);
        t.mue.push_back(
            MueEdit{CodeOfKey(r.code.data()), r.units, r.mai, strings.At(r.rationale), &t.version});
        t.mue_keys.push_back(t.mue.back().code.Key());
      }
      break;
    }
    case TableKind::kAddOn:
      t.rows = f.Get(SectionId::kRows, sizeof(AddOnRecord));
      t.add_on.reserve(t.rows.count);
      for (uint64_t i = 0; i < t.rows.count; ++i) {
        const auto r = Read<AddOnRecord>(t.rows, i);
        AddOnEdit e;
        e.add_on = CodeOfKey(r.add_on.data());
        if (r.primary[0] != '\0') e.primary = CodeOfKey(r.primary.data());
        e.type = r.type;
        e.table = &t.version;
        t.add_on.push_back(e);
        t.add_on_keys.push_back(e.add_on.Key());
      }
      break;
    case TableKind::kIcd10CmOrder:
    case TableKind::kIcd10PcsOrder: t.rows = f.Get(SectionId::kRows, sizeof(OrderRecord)); break;
    case TableKind::kHcpcs: t.rows = f.Get(SectionId::kRows, sizeof(HcpcsRecord)); break;
    case TableKind::kPoaExempt:
    case TableKind::kInpatientOnly:
    case TableKind::kCpt: t.rows = f.Get(SectionId::kRows, sizeof(CodeRecord)); break;
    case TableKind::kMce: t.rows = f.Get(SectionId::kRows, sizeof(MceRecord)); break;
    case TableKind::kMceRelease: {
      t.rows = f.Get(SectionId::kRows, sizeof(MceCodeRecord));
      const Section ages = f.Get(SectionId::kMceAges, sizeof(MceAgeRecord));
      const Section statuses = f.Get(SectionId::kMceStatuses, sizeof(MceStatusRecord));
      for (uint64_t i = 0; i < ages.count; ++i) t.mce_ages.push_back(Read<MceAgeRecord>(ages, i));
      for (uint64_t i = 0; i < statuses.count; ++i)
        t.mce_statuses.push_back(Read<MceStatusRecord>(statuses, i));
      break;
    }
    case TableKind::kIcd10CmTabular: {
      t.rows = f.Get(SectionId::kRows, sizeof(NotesRecord));
      const Section ranges = f.Get(SectionId::kRanges, sizeof(RangeRecord));
      const bool has_conditions = f.Has(SectionId::kRangeConditions);
      const Section conditions =
          has_conditions ? f.Get(SectionId::kRangeConditions, sizeof(RangeConditionRecord))
                         : Section{};
      if (has_conditions && conditions.count != ranges.count)
        throw InputError("refdata index " + f.Path() + ": range conditions do not match the ranges");
      t.notes.reserve(t.rows.count);
      for (uint64_t i = 0; i < t.rows.count; ++i) {
        const auto r = Read<NotesRecord>(t.rows, i);
        uint64_t at = r.first;
        const uint64_t total = uint64_t{r.counts[0]} + r.counts[1] + r.counts[2] + r.counts[3];
        if (at + total > ranges.count)
          throw InputError("refdata index " + f.Path() + ": note ranges out of bounds");
        TabularNotes n;
        std::vector<CodeRange>* lists[4] = {&n.excludes1, &n.excludes2, &n.code_first,
                                            &n.use_additional};
        for (int k = 0; k < 4; ++k) {
          lists[k]->reserve(r.counts[k]);
          for (uint16_t j = 0; j < r.counts[k]; ++j, ++at) {
            const auto rr = Read<RangeRecord>(ranges, at);
            CodeRange range{CodeOfKey(rr.from.data()), CodeOfKey(rr.to.data())};
            if (has_conditions) {
              const auto rc = Read<RangeConditionRecord>(conditions, at);
              for (size_t c = 0; c < 2; ++c) range.where[c] = {rc.positions[c], rc.chars[c]};
            }
            lists[k]->push_back(range);
          }
        }
        t.notes.emplace_back(CodeOfKey(r.code.data()), std::move(n));
        t.notes_keys.push_back(t.notes.back().first.Key());
      }
      break;
    }
  }
  t.has_descriptions = f.Has(SectionId::kDescriptions);
}

bool CarriesOwnHistory(TableKind k) {
  return k == TableKind::kPtpPractitioner || k == TableKind::kPtpOutpatient ||
         k == TableKind::kHcpcs;
}

TableKind PtpKind(PtpSetting s) {
  return s == PtpSetting::kPractitioner ? TableKind::kPtpPractitioner : TableKind::kPtpOutpatient;
}

TableKind MueKind(MueSetting s) {
  switch (s) {
    case MueSetting::kPractitioner: return TableKind::kMuePractitioner;
    case MueSetting::kOutpatientHospital: return TableKind::kMueOutpatient;
    default: return TableKind::kMueDme;
  }
}

// Claims repeat codes (a few thousand make up most lines, and several rules of one claim
// ask about the same code), so a small direct-mapped cache per thread in front of the
// binary searches answers repeats without touching the index. Thread-local: lookups stay
// lock-free. An entry names its table by uid, so it never answers for another table.
class LookupMemo {
 public:
  // What each lookup remembers is told apart by its tag (a PTP tag also holds the date).
  enum Tag : uint64_t {
    kNotes = 1, kOrder, kMue, kAddOn, kMceList = 16, kMceCode = 48, kPtp = uint64_t{1} << 40
  };

  // The value remembered for (table, key, tag), else compute() remembered now.
  template <typename Compute>
  uint64_t Remember(uint64_t table, uint64_t key, uint64_t tag, Compute compute) {
    Entry& e = entries_[Slot(table, key, tag)];
    if (e.table != table || e.key != key || e.tag != tag) e = {table, key, tag, compute()};
    return e.value;
  }

 private:
  static constexpr size_t kSlots = 2048;
  struct Entry {
    uint64_t table = 0, key = 0, tag = 0, value = 0;  // table 0: empty (uids start at 1)
  };
  static size_t Slot(uint64_t table, uint64_t key, uint64_t tag) {
    const uint64_t h = (key ^ (table << 40) ^ (tag << 52)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 53) & (kSlots - 1);
  }
  std::array<Entry, kSlots> entries_{};
};

LookupMemo& Memo() {
  thread_local LookupMemo memo;
  return memo;
}

class Store final : public RefData {
 public:
  explicit Store(std::vector<std::unique_ptr<Loaded>> tables) : tables_(std::move(tables)) {
    for (const auto& t : tables_) by_kind_[static_cast<size_t>(t->version.kind)].push_back(t.get());
    for (auto& list : by_kind_)
      std::stable_sort(list.begin(), list.end(), [](const Loaded* a, const Loaded* b) {
        return a->version.period_from < b->version.period_from;
      });
  }

  std::vector<TableVersion> Tables() const override {
    std::vector<TableVersion> out;
    for (const auto& t : tables_) out.push_back(t->version);
    return out;
  }

  const TableVersion* TableFor(TableKind kind, Date on) const override {
    const Loaded* t = Pick(kind, on);
    return t ? &t->version : nullptr;
  }

  const PtpEdit* FindPtp(PtpSetting s, const Code& column1, const Code& column2,
                         Date dos) const override {
    const auto active = PtpByColumn1(s, column1, dos);
    const auto it = std::lower_bound(active.begin(), active.end(), column2,
                                     [](const PtpEdit& e, const Code& c) { return e.column2 < c; });
    return it != active.end() && it->column2 == column2 ? &*it : nullptr;
  }

  std::span<const PtpEdit> PtpByColumn1(PtpSetting s, const Code& column1,
                                        Date dos) const override {
    const Loaded* t = Pick(PtpKind(s), dos);
    if (!t) return {};
    // The active pairs' vector, as an address; 0: none.
    const uint64_t list = Memo().Remember(
        t->uid, column1.Key(), LookupMemo::kPtp | static_cast<uint32_t>(dos.days),
        [&] { return reinterpret_cast<uintptr_t>(t->ptp->ActiveList(column1, dos)); });
    if (list == 0) return {};
    const auto* active = reinterpret_cast<const std::vector<PtpEdit>*>(list);
    return {active->data(), active->size()};
  }

  const MueEdit* FindMue(MueSetting s, const Code& code, Date dos) const override {
    const Loaded* t = Pick(MueKind(s), dos);
    if (!t) return nullptr;
    // Index in t->mue + 1; 0: no MUE for the code.
    const uint64_t at = Memo().Remember(t->uid, code.Key(), LookupMemo::kMue, [&]() -> uint64_t {
      const auto& keys = t->mue_keys;
      const auto it = std::lower_bound(keys.begin(), keys.end(), code.Key());
      return it != keys.end() && *it == code.Key() ? static_cast<uint64_t>(it - keys.begin()) + 1 : 0;
    });
    return at == 0 ? nullptr : &t->mue[at - 1];
  }

  std::span<const AddOnEdit> AddOnFor(const Code& add_on, Date dos) const override {
    const Loaded* t = Pick(TableKind::kAddOn, dos);
    if (!t) return {};
    // First index << 32 | count.
    const uint64_t range = Memo().Remember(t->uid, add_on.Key(), LookupMemo::kAddOn, [&] {
      const auto& keys = t->add_on_keys;
      const auto [lo, hi] = std::equal_range(keys.begin(), keys.end(), add_on.Key());
      return static_cast<uint64_t>(lo - keys.begin()) << 32 | static_cast<uint64_t>(hi - lo);
    });
    return {t->add_on.data() + (range >> 32), static_cast<size_t>(range & 0xFFFFFFFFu)};
  }

  bool IcdCmKnown(const Code& code, Date on) const override {
    return Order(TableKind::kIcd10CmOrder, code, on).has_value();
  }
  bool IcdCmBillable(const Code& code, Date on) const override {
    const auto r = Order(TableKind::kIcd10CmOrder, code, on);
    return r && r->billable == 1;
  }
  bool IcdPcsValid(const Code& code, Date on) const override {
    const auto r = Order(TableKind::kIcd10PcsOrder, code, on);
    return r && r->billable == 1;
  }

  bool HcpcsValid(const Code& code, Date on) const override {
    const Loaded* t = Pick(TableKind::kHcpcs, on);
    if (!t) return false;
    const auto i = FindCode(t->rows, KeyOf(code));
    if (!i) return false;
    const auto r = Read<HcpcsRecord>(t->rows, *i);
    return r.added <= on.days && on.days <= r.terminated;
  }

  bool InMceList(MceList list, const Code& code, Date on) const override {
    const Loaded* t = Pick(TableKind::kMce, on);
    if (!t) return false;
    const auto want = static_cast<uint8_t>(list);
    return Memo().Remember(t->uid, code.Key(), LookupMemo::kMceList + want, [&]() -> uint64_t {
             return InMceRows(*t, want, KeyOf(code));
           }) != 0;
  }

  static bool InMceRows(const Loaded& t, uint8_t want, const CodeKey& key) {
    uint64_t lo = 0, hi = t.rows.count;
    while (lo < hi) {  // records sorted by (list, code)
      const uint64_t mid = lo + (hi - lo) / 2;
      const unsigned char* rec = t.rows.At(mid);
      const bool less = rec[0] < want || (rec[0] == want && KeyCompare(rec + 4, key) < 0);
      if (less)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo < t.rows.count && t.rows.At(lo)[0] == want && KeyCompare(t.rows.At(lo) + 4, key) == 0;
  }

  std::optional<uint64_t> MceCodeFlags(bool procedure, const Code& code,
                                       Date on) const override {
    const Loaded* t = Pick(TableKind::kMceRelease, on);
    if (!t) return std::nullopt;
    // First row index + 1 of the code's run (0: none) << 32 | the run's length.
    const uint64_t run = Memo().Remember(
        t->uid, code.Key(), LookupMemo::kMceCode + (procedure ? 1 : 0), [&]() -> uint64_t {
          const CodeKey key = KeyOf(code);
          const uint8_t want = procedure ? 1 : 0;
          auto before = [&](uint64_t i) {  // record i sorts before (want, key)
            const unsigned char* rec = t->rows.At(i);
            const uint8_t p = rec[offsetof(MceCodeRecord, procedure)];
            return p < want || (p == want && KeyCompare(rec, key) < 0);
          };
          uint64_t lo = 0, hi = t->rows.count;
          while (lo < hi) {
            const uint64_t mid = lo + (hi - lo) / 2;
            if (before(mid))
              lo = mid + 1;
            else
              hi = mid;
          }
          uint64_t end = lo;
          while (end < t->rows.count &&
                 t->rows.At(end)[offsetof(MceCodeRecord, procedure)] == want &&
                 KeyCompare(t->rows.At(end), key) == 0)
            ++end;
          return end == lo ? 0 : (lo + 1) << 32 | (end - lo);
        });
    if (run == 0) return std::nullopt;
    const uint64_t first = (run >> 32) - 1, count = run & 0xFFFFFFFFu;
    for (uint64_t i = first; i < first + count; ++i) {
      const auto r = Read<MceCodeRecord>(t->rows, i);
      if (r.start <= on.days && on.days <= r.end) return r.flags;
    }
    return std::nullopt;
  }

  std::optional<MceAgeRange> MceAges(MceAgeGroup group, Date on) const override {
    const Loaded* t = Pick(TableKind::kMceRelease, on);
    if (!t) return std::nullopt;
    for (const auto& a : t->mce_ages)
      if (a.group == static_cast<uint8_t>(group) && a.start <= on.days && on.days <= a.end)
        return MceAgeRange{a.start_age, a.end_age};
    return std::nullopt;
  }

  bool MceDischargeStatusValid(int status, Date on) const override {
    const Loaded* t = Pick(TableKind::kMceRelease, on);
    if (!t) return false;
    for (const auto& st : t->mce_statuses)
      if (st.code == status && st.start <= on.days && on.days <= st.end) return true;
    return false;
  }

  bool PoaExempt(const Code& code, Date on) const override {
    return InList(TableKind::kPoaExempt, code, on);
  }
  bool InpatientOnly(const Code& code, Date on) const override {
    return InList(TableKind::kInpatientOnly, code, on);
  }
  bool CptValid(const Code& code, Date on) const override {
    return InList(TableKind::kCpt, code, on);
  }

  std::string_view Description(TableKind kind, const Code& code, Date on) const override {
    if (kind != TableKind::kIcd10CmOrder && kind != TableKind::kIcd10PcsOrder &&
        kind != TableKind::kHcpcs)
      return {};
    const Loaded* t = Pick(kind, on);
    if (!t || !t->has_descriptions) return {};
    const auto i = FindCode(t->rows, KeyOf(code));
    if (!i) return {};
    // Verified on first use (InputError naming the file when damaged).
    const Section text = t->file->Get(SectionId::kDescriptions, 1);
    const Section offsets = t->file->Get(SectionId::kDescriptionOffsets, sizeof(uint32_t));
    if (offsets.count != t->rows.count + 1)
      throw InputError("refdata index " + t->file->Path() + ": descriptions do not match the rows");
    const auto a = Read<uint32_t>(offsets, *i);
    const auto b = Read<uint32_t>(offsets, *i + 1);
    if (a > b || b > text.count) return {};  // never reads past the map
    return {reinterpret_cast<const char*>(text.data) + a, b - a};
  }

  // The tabular has no date argument here: the newest loaded version answers.
  const TabularNotes* Notes(const Code& code) const override {
    const auto& list = by_kind_[static_cast<size_t>(TableKind::kIcd10CmTabular)];
    if (list.empty()) return nullptr;
    const Loaded& t = *list.back();
    // Index in t.notes + 1; 0: no notes.
    const uint64_t at = Memo().Remember(t.uid, code.Key(), LookupMemo::kNotes,
                                        [&] { return LongestPrefixWithNotes(t, code); });
    return at == 0 ? nullptr : &t.notes[at - 1].second;
  }

  // The longest prefix of `code` (at least its 3-character category) that has notes, as
  // its index in t.notes + 1; 0 when none has.
  static uint64_t LongestPrefixWithNotes(const Loaded& t, const Code& code) {
    const auto& keys = t.notes_keys;
    for (size_t len = code.Size(); len >= 3; --len) {
      const uint64_t prefix = code.Key() & Code::PrefixMask(len);
      const auto it = std::lower_bound(keys.begin(), keys.end(), prefix);
      if (it != keys.end() && *it == prefix) return static_cast<uint64_t>(it - keys.begin()) + 1;
    }
    return 0;
  }

 private:
  // The version in force on `on`: the latest-starting one whose period contains it.
  // Tables whose rows carry their own dates (PTP effective/deletion, HCPCS added/
  // terminated) also answer for dates before them: the earliest later version is used,
  // its dates deciding what applied then (EDITS.md: deleted pairs apply to older DOS).
  const Loaded* Pick(TableKind kind, Date on) const {
    const auto& list = by_kind_[static_cast<size_t>(kind)];
    const Loaded* best = nullptr;
    for (const Loaded* t : list) {
      const TableVersion& v = t->version;
      if (v.period_from <= on && (!v.period_to || on <= *v.period_to)) best = t;
    }
    if (best || !CarriesOwnHistory(kind)) return best;
    for (const Loaded* t : list)
      if (on < t->version.period_from) return t;
    return nullptr;
  }

  std::optional<OrderRecord> Order(TableKind kind, const Code& code, Date on) const {
    const Loaded* t = Pick(kind, on);
    if (!t) return std::nullopt;
    // Row index + 1; 0: not in the table.
    const uint64_t at = Memo().Remember(t->uid, code.Key(), LookupMemo::kOrder, [&]() -> uint64_t {
      const auto i = FindCode(t->rows, KeyOf(code));
      return i ? *i + 1 : 0;
    });
    if (at == 0) return std::nullopt;
    return Read<OrderRecord>(t->rows, at - 1);
  }

  bool InList(TableKind kind, const Code& code, Date on) const {
    const Loaded* t = Pick(kind, on);
    return t && FindCode(t->rows, KeyOf(code)).has_value();
  }

  std::vector<std::unique_ptr<Loaded>> tables_;
  std::array<std::vector<const Loaded*>, kKindCount> by_kind_;
};

}  // namespace

std::shared_ptr<const RefData> LoadRefData(const std::string& refdata_dir) {
  std::vector<std::unique_ptr<Loaded>> tables;
  for (const CatalogueEntry& e : ReadCatalogue(refdata_dir)) {
    auto t = std::make_unique<Loaded>();
    t->version = e.table;
    const std::string path = (std::filesystem::path(refdata_dir) / e.index_file).string();
    t->file = IndexFile::Open(path, e.table.kind);
    const IndexMeta& m = t->file->Meta();
    if (m.rows != e.table.rows || m.source_sha256 != e.table.sha256)
      throw InputError("refdata index " + path + " does not match its catalogue entry (" +
                       std::string(ToString(e.table.kind)) + " " + e.table.version +
                       "); re-import it");
    Materialise(*t);
    tables.push_back(std::move(t));
  }
  return std::make_shared<const Store>(std::move(tables));
}

}  // namespace coderaudit::refdata
