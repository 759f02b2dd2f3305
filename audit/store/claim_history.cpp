#include "audit/store/claim_history.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "audit/model/error.hpp"
#include "audit/store/dialect.hpp"

namespace coderaudit::store {

// One HCPCS line on disk.
struct ClaimHistoryFile::Record {
  uint64_t key;
  uint64_t prev;      // offset + 1 of the previous record in the same slot; 0 = none
  uint64_t claim;     // the claim's place in the history's order (1 = the first added)
  double units;
  int64_t charge_cents;
  char code[8];
  char modifiers[12]; // "25;59;RT;LT" at most, NUL padded
  char place_of_service[3];  // two digits, NUL padded
  char void_claim;    // 1: the claim's frequency code is 8
  uint32_t position;
  uint32_t id_length;
  char id[64];        // encounter ids are 1-64 characters (schemas/encounters-csv.md)
};

namespace {

constexpr size_t kSlots = size_t{1} << 20;
constexpr size_t kBufferBytes = size_t{1} << 20;

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

uint64_t HashText(const std::string& s, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return Mix(h);
}

}  // namespace

uint64_t HistoryKey(const std::string& patient, const std::string& provider, Date dos) {
  return Mix(HashText(patient, 1) ^ (HashText(provider, 2) * 31) ^
             static_cast<uint64_t>(static_cast<uint32_t>(dos.days)) * 0x9E3779B97F4A7C15ull);
}

namespace {
std::atomic<uint64_t> next_serial{1};
}  // namespace

ClaimHistoryFile::ClaimHistoryFile() : serial_(next_serial++), heads_(kSlots, 0) {
  std::string dir = std::filesystem::temp_directory_path().string();
  std::string path = dir + "/coderaudit-history-XXXXXX";
  fd_ = mkstemp(path.data());
  if (fd_ < 0)
    throw SystemError("cannot create the claim history file in " + dir + ": " +
                      std::strerror(errno));
  unlink(path.c_str());  // gone with the process, whatever happens
  buffer_.reserve(kBufferBytes);
}

ClaimHistoryFile::~ClaimHistoryFile() {
  if (fd_ >= 0) close(fd_);
}

void ClaimHistoryFile::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                             static_cast<off_t>(flushed_ + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError(std::string("claim history: write failed: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  flushed_ += buffer_.size();
  buffer_.clear();
}

void ClaimHistoryFile::Append(uint64_t key, const std::string& encounter_id, uint32_t position,
                              const Code& code, const std::string& modifiers, double units,
                              int64_t charge_cents, std::string_view place_of_service,
                              bool void_claim) {
  Record r{};
  r.key = key;
  r.claim = claims_;
  r.units = units;
  r.charge_cents = charge_cents;
  std::memcpy(r.place_of_service, place_of_service.data(),
              std::min(place_of_service.size(), sizeof r.place_of_service - 1));
  r.void_claim = void_claim ? 1 : 0;
  uint64_t& head = heads_[key & (kSlots - 1)];
  r.prev = head;
  std::memcpy(r.code, code.View().data(), code.Size());
  std::memcpy(r.modifiers, modifiers.data(), std::min(modifiers.size(), sizeof r.modifiers - 1));
  r.position = position;
  r.id_length = static_cast<uint32_t>(std::min(encounter_id.size(), sizeof r.id));
  std::memcpy(r.id, encounter_id.data(), r.id_length);
  if (buffer_.size() + sizeof r > kBufferBytes) Flush();
  const uint64_t offset = flushed_ + buffer_.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(&r);
  buffer_.insert(buffer_.end(), bytes, bytes + sizeof r);
  head = offset + 1;
}

ClaimHistoryFile::Record ClaimHistoryFile::ReadAt(uint64_t offset) const {
  Record r;
  if (offset >= flushed_) {
    std::memcpy(&r, buffer_.data() + (offset - flushed_), sizeof r);
    return r;
  }
  size_t done = 0;
  auto* bytes = reinterpret_cast<char*>(&r);
  while (done < sizeof r) {
    const ssize_t n = pread(fd_, bytes + done, sizeof r - done, static_cast<off_t>(offset + done));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      throw SystemError("claim history: read failed");
    }
    done += static_cast<size_t>(n);
  }
  return r;
}

void ClaimHistoryFile::Add(const Encounter& e) {
  if (e.claim_type != ClaimType::kProfessional) return;
  const bool void_claim = e.claim_frequency == "8";
  std::lock_guard lock(mu_);
  ++claims_;
  for (uint32_t i = 0; i < e.lines.size(); ++i) {
    const CodedLine& l = e.lines[i];
    if (l.type != CodeType::kHcpcs) continue;
    Append(HistoryKey(e.patient_id, e.provider_id, e.DateOfService(l)), e.id, i + 1, l.code,
           l.modifiers.Str(), l.units, l.charge_cents,
           l.place_of_service.Empty() ? std::string_view(e.place_of_service)
                                      : l.place_of_service.View(),
           void_claim);
  }
}

int64_t ClaimHistoryFile::AddStoredRun(const std::string& db_path, int64_t run_id) {
  if (IsPostgresUrl(db_path))
    throw InputError("history: --history-run reads earlier runs from a SQLite store; a "
                     "PostgreSQL store's runs cannot be used as history yet");
  if (!std::filesystem::is_regular_file(db_path))
    throw InputError("history: no store at " + db_path);
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  auto fail = [&](const std::string& why) {
    const std::string message =
        "history: run " + std::to_string(run_id) + " of " + db_path + ": " + why;
    sqlite3_finalize(st);
    sqlite3_close(db);
    throw InputError(message);
  };
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    fail("cannot open the store");
  if (sqlite3_prepare_v2(db,
                         "SELECT kind, (SELECT count(*) FROM encounters e WHERE e.run_id = r.run_id)"
                         " < encounters_processed FROM runs r WHERE run_id = ?",
                         -1, &st, nullptr) != SQLITE_OK)
    fail(std::string("not a coderaudit store (") + sqlite3_errmsg(db) + ")");
  sqlite3_bind_int64(st, 1, run_id);
  if (sqlite3_step(st) != SQLITE_ROW) fail("no such run");
  if (std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) != "check")
    fail("not a check run");
  // Fewer stored claims than processed: only the claims with findings were kept, and the
  // others' services would silently count as never billed.
  if (sqlite3_column_int(st, 1) != 0)
    fail("stored with --store findings, so it does not hold every claim; check its input "
         "again with --store all to use it as history");
  sqlite3_finalize(st);
  st = nullptr;
  const char* sql =
      "SELECT e.patient_id, e.provider_id, e.from_date, l.service_date, e.encounter_id,"
      " l.position, l.code, l.modifiers, l.units, l.charge_cents,"
      " coalesce(nullif(l.place_of_service, ''), e.place_of_service), e.claim_frequency"
      " FROM encounters e JOIN encounter_lines l"
      " ON l.run_id = e.run_id AND l.encounter_id = e.encounter_id"
      " WHERE e.run_id = ? AND e.claim_type = 'professional' AND l.code_type = 'HCPCS'"
      " ORDER BY e.source_line, l.position";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
    fail(std::string("cannot read its claims (") + sqlite3_errmsg(db) + ")");
  sqlite3_bind_int64(st, 1, run_id);
  auto text = [&](int column) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
    return std::string(t ? t : "");
  };
  int64_t added = 0;
  std::lock_guard lock(mu_);
  std::string claim;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (text(4) != claim) {
      claim = text(4);
      ++claims_;
    }
    const std::string service_date = text(3);
    const auto dos = ParseIsoDate(service_date.empty() ? text(2) : service_date);
    const auto code = Code::Parse(text(6));
    if (!dos || !code) continue;
    Append(HistoryKey(text(0), text(1), *dos), text(4),
           static_cast<uint32_t>(sqlite3_column_int(st, 5)), *code, text(7),
           sqlite3_column_double(st, 8), sqlite3_column_int64(st, 9), text(10), text(11) == "8");
    ++added;
  }
  if (rc != SQLITE_DONE) fail(sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return added;
}

void ClaimHistoryFile::LinesBefore(const Encounter& e, Date dos,
                                   std::vector<rules::HistoryLine>& out) const {
  const uint64_t key = HistoryKey(e.patient_id, e.provider_id, dos);
  // Every rule that pairs across claims asks for every line of a claim, so one claim asks
  // the same question many times: the answer never changes (claims read later are not
  // part of it), so each evaluating thread keeps its last few answers instead of taking
  // the lock and reading the records again.
  struct Answer {
    uint64_t serial = 0;
    uint64_t key = 0;
    std::string id;
    std::vector<rules::HistoryLine> lines;
  };
  thread_local std::array<Answer, 4> answers;
  thread_local size_t next_answer = 0;
  for (const Answer& a : answers)
    if (a.serial == serial_ && a.key == key && a.id == e.id) {
      out.insert(out.end(), a.lines.begin(), a.lines.end());
      return;
    }
  Answer& answer = answers[next_answer++ % answers.size()];
  answer.serial = 0;
  answer.lines.clear();
  const size_t first = out.size();
  LinesBeforeUncached(e, dos, key, out);
  answer.lines.assign(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  answer.key = key;
  answer.id = e.id;
  answer.serial = serial_;
}

uint64_t ClaimHistoryFile::OwnClaim(const Encounter& e) const {
  const std::string_view own = std::string_view(e.id).substr(0, sizeof(Record::id));
  for (const CodedLine& l : e.lines) {
    if (l.type != CodeType::kHcpcs) continue;
    const uint64_t key = HistoryKey(e.patient_id, e.provider_id, e.DateOfService(l));
    // Newest first, so the claim itself, not an earlier stored run's claim of the same id.
    for (uint64_t at = heads_[key & (kSlots - 1)]; at != 0;) {
      const Record r = ReadAt(at - 1);
      at = r.prev;
      if (r.key == key && std::string_view(r.id, r.id_length) == own) return r.claim;
    }
  }
  return 0;
}

void ClaimHistoryFile::LinesBeforeUncached(const Encounter& e, Date dos, uint64_t key,
                                           std::vector<rules::HistoryLine>& out) const {
  std::lock_guard lock(mu_);
  // Records keep the first 64 characters of an id (the CSV layout's limit; 837 and FHIR
  // ids may be longer).
  const std::string_view own = std::string_view(e.id).substr(0, sizeof(Record::id));
  // The reader runs ahead of evaluation, so the slot also holds claims read after this
  // one: only records of claims added before it count. On a date the claim has a line on,
  // its own record there tells its place (the newest of its id); on another date (a
  // suspect duplicate a day away) a record of its id can only be an earlier stored run's
  // claim of that id, so its own dates are asked instead.
  const bool has_line_on_date = std::any_of(e.lines.begin(), e.lines.end(), [&](const CodedLine& l) {
    return l.type == CodeType::kHcpcs && e.DateOfService(l) == dos;
  });
  uint64_t own_claim = 0;
  std::vector<Record>& candidates = candidates_;
  candidates.clear();
  for (uint64_t at = heads_[key & (kSlots - 1)]; at != 0;) {
    const Record r = ReadAt(at - 1);
    at = r.prev;
    if (r.key != key) continue;
    if (std::string_view(r.id, r.id_length) == own) {
      if (own_claim == 0 && has_line_on_date) own_claim = r.claim;
      continue;  // the claim itself, or the same claim in an earlier stored run
    }
    if (own_claim == 0 || r.claim < own_claim) candidates.push_back(r);
  }
  if (own_claim == 0) own_claim = OwnClaim(e);
  for (const Record& r : candidates) {
    if (r.claim >= own_claim) continue;
    rules::HistoryLine h;
    h.encounter_id.assign(r.id, r.id_length);
    h.position = r.position;
    h.units = r.units;
    h.charge_cents = r.charge_cents;
    h.place_of_service.assign(r.place_of_service, strnlen(r.place_of_service, sizeof r.place_of_service));
    h.void_claim = r.void_claim != 0;
    h.claim_order = r.claim;
    size_t n = 0;
    while (n < sizeof r.code && r.code[n] != '\0') ++n;
    const auto code = Code::Parse(std::string_view(r.code, n));
    if (!code) continue;
    h.code = *code;
    n = 0;
    while (n < sizeof r.modifiers && r.modifiers[n] != '\0') ++n;
    if (auto m = Modifiers::Parse(std::string_view(r.modifiers, n))) h.modifiers = *m;
    out.push_back(std::move(h));
  }
}

}  // namespace coderaudit::store
