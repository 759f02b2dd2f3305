#include "audit/store/store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <sstream>
#include <string_view>
#include <type_traits>

#include "audit/model/error.hpp"
#include "audit/store/rows.hpp"

namespace coderaudit::embedded {
std::string_view migration_0001();
std::string_view migration_0002();
std::string_view migration_0003();
std::string_view migration_0004();
std::string_view migration_0005();
std::string_view migration_0006();
std::string_view migration_0007();
std::string_view migration_0008();
}

namespace coderaudit::store {

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace {

struct Migration {
  int version;
  std::string_view (*sql)();
};
const Migration kMigrations[] = {{1, &embedded::migration_0001},
                                 {2, &embedded::migration_0002},  // coder QA v2
                                 {3, &embedded::migration_0003},
                                 {4, &embedded::migration_0004},   // X12 / FHIR claim fields
                                 {5, &embedded::migration_0005},   // clustered line/finding rows
                                 {6, &embedded::migration_0006},   // not-checked claims
                                 {7, &embedded::migration_0007},   // API tokens (serve)
                                 {8, &embedded::migration_0008}};  // users, audit trail

// Statements in a migration file are separated by ';' at the end of a line.
std::vector<std::string> SplitSql(std::string_view sql) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in{std::string(sql)};
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    cur += line;
    cur += '\n';
    const auto last = line.find_last_not_of(" \t\r");
    if (last != std::string::npos && line[last] == ';') {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(cur);
  return out;
}

std::string LinesText(const std::vector<uint32_t>& lines) {
  std::string s;
  for (auto l : lines) s += (s.empty() ? "" : ",") + std::to_string(l);
  return s;
}

std::vector<uint32_t> ParseLines(const std::string& s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    out.push_back(static_cast<uint32_t>(std::stoul(s.substr(i, j - i))));
    i = j + 1;
  }
  return out;
}

// Columns of migration 0004 (the X12 / FHIR claim fields). Codes of a list are joined by
// ';' as modifiers are; a line's diagnosis pointers are its four slots in order without the
// trailing unused (0) ones, joined by ','. Both empty (stored as NULL) when there is none.
std::string CodesText(const std::vector<Code>& codes) {
  std::string s;
  for (const auto& c : codes) {
    if (!s.empty()) s += ';';
    s += c.View();
  }
  return s;
}

std::vector<Code> ParseCodes(std::string_view s) {
  std::vector<Code> out;
  while (!s.empty()) {
    const size_t end = std::min(s.find(';'), s.size());
    out.push_back(Code::Of(s.substr(0, end)));
    s.remove_prefix(std::min(end + 1, s.size()));
  }
  return out;
}

// Writes into `buf` (no allocation per line); at most "255,255,255,255".
std::string_view PointersText(const std::array<uint8_t, 4>& pointers, std::array<char, 16>& buf) {
  size_t used = pointers.size();
  while (used > 0 && pointers[used - 1] == 0) --used;
  size_t n = 0;
  for (size_t i = 0; i < used; ++i) {
    if (i) buf[n++] = ',';
    const unsigned v = pointers[i];
    if (v >= 100) buf[n++] = static_cast<char>('0' + v / 100);
    if (v >= 10) buf[n++] = static_cast<char>('0' + v / 10 % 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  }
  return {buf.data(), n};
}

std::array<uint8_t, 4> ParsePointers(std::string_view s) {
  std::array<uint8_t, 4> out{};
  size_t slot = 0;
  unsigned v = 0;
  for (const char c : s) {
    if (c == ',') {
      if (slot < out.size()) out[slot++] = static_cast<uint8_t>(v);
      v = 0;
    } else if (c >= '0' && c <= '9') {
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
  }
  if (!s.empty() && slot < out.size()) out[slot] = static_cast<uint8_t>(v);
  return out;
}

// The stored name back to the enum; NULL / '' is the code type's own system.
CodeSystem ParseStoredCodeSystem(std::string_view s) {
  for (const auto system : {CodeSystem::kIcd9, CodeSystem::kOther})
    if (s == ToString(system)) return system;
  return CodeSystem::kDefault;
}

// Fired values as Poco::JSON writes them, written directly: one finding is stored per call
// and a stream plus a JSON object per finding cost more than the insert.
using detail::AppendJsonString;

std::string FiredJson(const std::vector<std::pair<std::string, std::string>>& values) {
  std::string json = "{";
  for (const auto& [k, v] : values) {
    if (json.size() > 1) json += ',';
    AppendJsonString(json, k);
    json += ':';
    AppendJsonString(json, v);
  }
  json += '}';
  return json;
}

std::vector<std::pair<std::string, std::string>> ParseFired(const std::string& json) {
  std::vector<std::pair<std::string, std::string>> out;
  // A handler that keeps the keys in stored order (the order a check fired them in).
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  parser.setAllowComments(false);
  auto obj = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  for (const auto& k : obj->getNames()) out.push_back({k, obj->getValue<std::string>(k)});
  return out;
}

std::string Str(RecordSet& rs, const char* col) { return rs[col].convert<std::string>(); }
// A column that may be NULL (migration 0004's "not reported"): "" for NULL.
std::string OptStr(RecordSet& rs, const char* col) {
  const auto& v = rs[col];
  return v.isEmpty() ? std::string() : v.convert<std::string>();
}
int64_t Int(RecordSet& rs, const char* col) { return rs[col].convert<Poco::Int64>(); }
double Real(RecordSet& rs, const char* col) { return rs[col].convert<double>(); }

[[noreturn]] void Rethrow(const Poco::Exception& e, const std::string& what) {
  throw SystemError("store: " + what + ": " + e.displayText());
}

// A value as the Poco SQLite binder takes it: whole numbers as Int64, text as std::string.
template <typename T>
  requires std::is_integral_v<T>
Poco::Int64 Param(T v) {
  return static_cast<Poco::Int64>(v);
}
double Param(double v) { return v; }
std::string Param(std::string_view v) { return std::string(v); }

// Runs one INSERT or UPDATE of a low-volume row (a run's inputs and counts, scores, the
// scoring policy) through Poco::Data. Values are bound by copy (Keywords::bind, not use()),
// so callers pass fields and expressions directly. Poco errors become a SystemError
// saying `what`.
template <typename... Values>
void Exec(Poco::Data::Session& session, const char* what, const std::string& sql,
          const Values&... values) {
  try {
    Statement st(session);
    st << sql;
    (st.addBind(Poco::Data::Keywords::bind(Param(values))), ...);
    st.execute();
  } catch (const Poco::Exception& e) {
    Rethrow(e, what);
  }
}

}  // namespace

int CurrentSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

struct Store::Impl {
  std::string path;
  std::unique_ptr<Poco::Data::Session> session;
};

Store::Store(const std::string& path) : impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  impl_->path = path;
  try {
    impl_->session = std::make_unique<Poco::Data::Session>("SQLite", path);
    auto& s = *impl_->session;
    s << "PRAGMA foreign_keys = ON", now;
    s << "PRAGMA busy_timeout = 5000", now;
    int has_table = 0;
    s << "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'",
        into(has_table), now;
    // Applied versions as a set, not a maximum: a migration numbered below one already
    // applied (developed in parallel) is still applied once.
    std::vector<int> applied;
    if (has_table) s << "SELECT version FROM schema_migrations ORDER BY version", into(applied), now;
    if (!applied.empty() && applied.back() > CurrentSchemaVersion())
      throw SystemError("store " + path + " has schema version " + std::to_string(applied.back()) +
                        ", newer than this build understands (" +
                        std::to_string(CurrentSchemaVersion()) + ")");
    // Every pending migration in one transaction: a store is upgraded (or created) all
    // at once or not at all, with one sync to disk instead of one per migration.
    bool pending = false;
    for (const auto& m : kMigrations)
      pending = pending || std::find(applied.begin(), applied.end(), m.version) == applied.end();
    if (pending) {
      s.begin();
      try {
        for (const auto& m : kMigrations) {
          if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) continue;
          for (const auto& stmt : SplitSql(m.sql())) s << stmt, now;
          int v = m.version;
          s << "INSERT INTO schema_migrations(version, applied_at) VALUES ($1, datetime('now'))",
              use(v), now;
        }
        s.commit();
      } catch (...) {
        s.rollback();
        throw;
      }
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot open " + path);
  }
}

Store::~Store() = default;

Poco::Data::Session& Store::Session() { return *impl_->session; }

std::unique_ptr<RunWriter> Store::BeginRun(const runs::RunInfo& info) {
  auto& s = *impl_->session;
  try {
    s.begin();
    std::string kind = info.kind, started = info.started_at, tool = info.tool_version,
                rs_name = info.rule_set_name, rs_version = info.rule_set_version,
                rs_hash = info.rule_set_hash;
    Poco::Int64 parent = info.parent_run_id;
    s << "INSERT INTO runs(kind, parent_run_id, started_at, finished_at, tool_version, "
         "rule_set_name, rule_set_version, rule_set_hash, records_read, records_processed, "
         "records_rejected, encounters_read, encounters_processed, encounters_rejected, "
         "findings) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, 0, 0, 0, 0, 0, 0, 0)",
        use(kind), use(parent), use(started), use(tool), use(rs_name), use(rs_version),
        use(rs_hash), now;
    Poco::Int64 id = 0;
    s << "SELECT last_insert_rowid()", into(id), now;
    return std::unique_ptr<RunWriter>(new RunWriter(*this, id));
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    Rethrow(e, "cannot start run");
  }
}

// The bulk rows of a check run (encounters, lines, findings, rejects) go through
// sqlite3 prepared statements on the session's own connection, so they stay inside the
// run's transaction; building a Poco statement per row cost more than SQLite's insert.
struct RunWriter::Impl {
  sqlite3* db = nullptr;
  sqlite3_stmt *encounter = nullptr, *line = nullptr, *finding = nullptr, *reject = nullptr;
  sqlite3_stmt* diff = nullptr;  // qa_diffs rows of a score run
  sqlite3_stmt* not_checked = nullptr;
  ~Impl() { Finalize(); }
  void Finalize() {
    for (auto** st : {&encounter, &line, &finding, &reject, &diff, &not_checked}) {
      sqlite3_finalize(*st);
      *st = nullptr;
    }
    encounter_optional = line_optional = {};
  }
  sqlite3_stmt* Prepare(sqlite3_stmt*& st, const char* sql) {
    if (!st && sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
      Fail("cannot prepare insert");
    return st;
  }
  [[noreturn]] void Fail(const std::string& what) const {
    throw SystemError("store: " + what + ": " + sqlite3_errmsg(db));
  }
  // Binds text without a copy (SQLITE_STATIC): `v` must stay valid until Run() has
  // stepped the statement, so callers bind named values, never temporaries. Every
  // parameter is bound again before the next step, so no binding outlives its text's use.
  static void Text(sqlite3_stmt* st, int i, std::string_view v) {
    // Never a null pointer: that would bind NULL, and the columns hold '' for "none".
    sqlite3_bind_text(st, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  static void Int(sqlite3_stmt* st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
  // Migration 0004's columns hold NULL for "not reported" (an empty value or 0). A fresh
  // statement's parameters are NULL and a binding outlives sqlite3_reset, so a parameter
  // that is NULL already is not bound again: a CSV run, which reports none of these
  // fields, binds nothing for them.
  struct NullableParams {
    uint32_t is_null = ~0u;  // bit i: parameter i (< 32) is NULL now
    void Text(sqlite3_stmt* st, int i, std::string_view v) {
      if (!v.empty()) {
        sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        is_null &= ~(1u << i);
      } else {
        Null(st, i);
      }
    }
    void Int(sqlite3_stmt* st, int i, int64_t v) {
      if (v != 0) {
        sqlite3_bind_int64(st, i, v);
        is_null &= ~(1u << i);
      } else {
        Null(st, i);
      }
    }
    void Null(sqlite3_stmt* st, int i) {
      if (is_null & (1u << i)) return;
      sqlite3_bind_null(st, i);
      is_null |= 1u << i;
    }
  };
  NullableParams encounter_optional, line_optional;  // of `encounter` and `line`
  void Run(sqlite3_stmt* st, const char* what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) Fail(what);
  }
};

RunWriter::RunWriter(Store& store, int64_t run_id)
    : impl_(std::make_unique<Impl>()), store_(store), run_id_(run_id) {
  impl_->db = Poco::Data::SQLite::Utility::dbHandle(*store_.impl_->session);
  // A check run is one large transaction: with SQLite's default 2 MB page cache it
  // spills pages to the file mid-transaction again and again. 64 MB keeps a 1M-line run
  // mostly in memory; it is a per-connection limit, not an allocation up front.
  sqlite3_exec(impl_->db, "PRAGMA cache_size = -65536", nullptr, nullptr, nullptr);
}

RunWriter::~RunWriter() {
  impl_->Finalize();
  if (done_) return;
  try {
    store_.impl_->session->rollback();
  } catch (...) {
    // Destructors must not throw; SQLite rolls back an unfinished transaction on close.
  }
}

void RunWriter::AddInput(const runs::RunInput& in) {
  Exec(*store_.impl_->session, "cannot record input",
       "INSERT INTO run_inputs VALUES ($1, $2, $3, $4, $5)", run_id_, in.role, in.path, in.sha256,
       in.bytes);
}

void RunWriter::AddEncounter(const Encounter& e) {
  auto& x = *impl_;
  auto* st = x.Prepare(
      x.encounter,
      "INSERT INTO encounters (run_id, encounter_id, patient_id, sex, birth_date, from_date, "
      "through_date, claim_type, provider_id, coder_id, payer, drg, discharge_status, "
      "source_line, place_of_service, type_of_bill, claim_frequency, total_charge_cents, "
      "rendering_provider_id, attending_provider_id, admitting_dx, visit_reason_dx) VALUES "
      "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)");
  const std::string birth = e.birth_date ? ToIso(*e.birth_date) : "";
  const std::string from = ToIso(e.from_date), through = ToIso(e.through_date);
  Impl::Int(st, 1, run_id_);
  Impl::Text(st, 2, e.id);
  Impl::Text(st, 3, e.patient_id);
  Impl::Text(st, 4, ToString(e.sex));
  Impl::Text(st, 5, birth);
  Impl::Text(st, 6, from);
  Impl::Text(st, 7, through);
  Impl::Text(st, 8, ToString(e.claim_type));
  Impl::Text(st, 9, e.provider_id);
  Impl::Text(st, 10, e.coder_id);
  Impl::Text(st, 11, e.payer);
  Impl::Text(st, 12, e.drg);
  Impl::Text(st, 13, e.discharge_status);
  Impl::Int(st, 14, e.source_line);
  x.encounter_optional.Text(st, 15, e.place_of_service);
  x.encounter_optional.Text(st, 16, e.type_of_bill);
  x.encounter_optional.Text(st, 17, e.claim_frequency);
  x.encounter_optional.Int(st, 18, e.total_charge_cents);
  x.encounter_optional.Text(st, 19, e.rendering_provider_id);
  x.encounter_optional.Text(st, 20, e.attending_provider_id);
  x.encounter_optional.Text(st, 21, e.admitting_dx.View());
  x.encounter_optional.Text(st, 22, CodesText(e.visit_reason_dx));
  x.Run(st, "cannot store encounter");
  auto* ins = x.Prepare(
      x.line,
      "INSERT INTO encounter_lines (run_id, encounter_id, position, code_type, seq, code, poa, "
      "modifiers, units, service_date, charge_cents, source_line, code_system, revenue_code, "
      "place_of_service, dx_pointers) VALUES "
      "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
  std::array<char, 16> pointers;
  int64_t position = 0;
  for (const auto& l : e.lines) {
    Impl::Int(ins, 1, run_id_);
    Impl::Text(ins, 2, e.id);
    Impl::Int(ins, 3, ++position);
    Impl::Text(ins, 4, ToString(l.type));
    Impl::Int(ins, 5, l.seq);
    Impl::Text(ins, 6, l.code.View());
    const char poa = l.poa;
    Impl::Text(ins, 7, poa == ' ' ? std::string_view() : std::string_view(&poa, 1));
    const std::string modifiers = l.modifiers.Str();
    Impl::Text(ins, 8, modifiers);
    sqlite3_bind_double(ins, 9, l.units);
    const std::string service_date = l.service_date ? ToIso(*l.service_date) : "";
    Impl::Text(ins, 10, service_date);
    Impl::Int(ins, 11, l.charge_cents);
    Impl::Int(ins, 12, l.source_line);
    x.line_optional.Text(ins, 13, ToString(l.code_system));
    x.line_optional.Text(ins, 14, l.revenue_code.View());
    x.line_optional.Text(ins, 15, l.place_of_service.View());
    x.line_optional.Text(ins, 16, PointersText(l.dx_pointers, pointers));
    x.Run(ins, "cannot store encounter");
  }
}

void RunWriter::AddFinding(const Finding& f) {
  auto& x = *impl_;
  auto* st = x.Prepare(x.finding,
                       "INSERT INTO findings VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  Impl::Int(st, 1, run_id_);
  Impl::Int(st, 2, ++finding_seq_);
  Impl::Text(st, 3, f.rule_id);
  Impl::Text(st, 4, f.rule_version);
  Impl::Text(st, 5, f.category);
  Impl::Text(st, 6, f.citation);
  Impl::Text(st, 7, ToString(f.severity));
  Impl::Text(st, 8, ToString(f.disposition));
  Impl::Text(st, 9, f.encounter_id);
  const std::string lines = LinesText(f.lines), fired = FiredJson(f.values);
  Impl::Text(st, 10, lines);
  Impl::Text(st, 11, fired);
  Impl::Text(st, 12, f.message);
  x.Run(st, "cannot store finding");
}

void RunWriter::AddReject(const Reject& r) {
  auto& x = *impl_;
  auto* st = x.Prepare(x.reject, "INSERT INTO rejects VALUES (?1,?2,?3,?4,?5,?6,?7)");
  Impl::Int(st, 1, run_id_);
  Impl::Int(st, 2, ++reject_seq_);
  Impl::Text(st, 3, r.file);
  Impl::Int(st, 4, r.line);
  Impl::Text(st, 5, r.field);
  Impl::Text(st, 6, r.reason);
  Impl::Text(st, 7, r.raw);
  x.Run(st, "cannot store reject");
}

void RunWriter::AddNotChecked(const NotChecked& n) {
  auto& x = *impl_;
  auto* st = x.Prepare(x.not_checked, "INSERT INTO not_checked VALUES (?1,?2,?3,?4,?5,?6,?7)");
  Impl::Int(st, 1, run_id_);
  Impl::Int(st, 2, ++not_checked_seq_);
  Impl::Text(st, 3, n.encounter_id);
  Impl::Text(st, 4, n.rule_id);
  Impl::Text(st, 5, n.rule_version);
  Impl::Text(st, 6, n.table);
  Impl::Text(st, 7, n.date);
  x.Run(st, "cannot store not-checked claim");
}

RunWriter::Retracted RunWriter::RetractEncounters(const std::vector<std::string>& ids) {
  auto& x = *impl_;
  Retracted out;
  auto exec = [&](const char* sql) {
    if (sqlite3_exec(x.db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) x.Fail("cannot take back encounters");
  };
  exec("CREATE TEMP TABLE IF NOT EXISTS retract_ids (id TEXT PRIMARY KEY) WITHOUT ROWID");
  exec("DELETE FROM retract_ids");
  sqlite3_stmt* ins = nullptr;
  if (sqlite3_prepare_v2(x.db, "INSERT OR IGNORE INTO retract_ids VALUES (?1)", -1, &ins, nullptr) != SQLITE_OK)
    x.Fail("cannot take back encounters");
  for (const auto& id : ids) {
    Impl::Text(ins, 1, id);
    const int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) {
      sqlite3_finalize(ins);
      x.Fail("cannot take back encounters");
    }
  }
  sqlite3_finalize(ins);
  auto count = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(x.db, sql, -1, &st, nullptr) != SQLITE_OK) x.Fail("cannot take back encounters");
    Impl::Int(st, 1, run_id_);
    int64_t n = 0;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
  };
  auto run = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(x.db, sql, -1, &st, nullptr) != SQLITE_OK) x.Fail("cannot take back encounters");
    Impl::Int(st, 1, run_id_);
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) x.Fail("cannot take back encounters");
  };
  out.findings = count("SELECT COUNT(*) FROM findings WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  out.encounters_with_findings = count(
      "SELECT COUNT(DISTINCT encounter_id) FROM findings WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  out.encounters = count("SELECT COUNT(*) FROM encounters WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  out.claims_not_checked = count(
      "SELECT COUNT(DISTINCT encounter_id) FROM not_checked WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(x.db,
                           "SELECT rule_id, COUNT(DISTINCT encounter_id) FROM not_checked WHERE run_id=?1 "
                           "AND encounter_id IN (SELECT id FROM retract_ids) GROUP BY rule_id",
                           -1, &st, nullptr) != SQLITE_OK)
      x.Fail("cannot take back encounters");
    Impl::Int(st, 1, run_id_);
    while (sqlite3_step(st) == SQLITE_ROW)
      out.not_checked_by_rule[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
          sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
  }
  run("DELETE FROM findings WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  run("DELETE FROM not_checked WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  run("DELETE FROM encounter_lines WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  run("DELETE FROM encounters WHERE run_id=?1 AND encounter_id IN (SELECT id FROM retract_ids)");
  exec("DELETE FROM retract_ids");
  return out;
}

uint32_t RunWriter::AddDiff(const qa::CodeDiff& d) {
  sqlite3_stmt* st = impl_->Prepare(
      impl_->diff,
      "INSERT INTO qa_diffs (run_id, seq, encounter_id, coder_id, auditor_id, code_type, line, "
      "coder_code, auditor_code, outcome, detail, principal, direction, amount_cents, reason, "
      "comment, rebuttal, rebuttal_comment, decision, decision_note) VALUES (?,?,?,?,?,?,?,?,?,"
      "?,?,?,?,?,?,?,?,?,?,?)");
  const int64_t seq = ++diff_seq_;
  Impl::Int(st, 1, run_id_);
  Impl::Int(st, 2, seq);
  Impl::Text(st, 3, d.encounter_id);
  Impl::Text(st, 4, d.coder_id);
  Impl::Text(st, 5, d.auditor_id);
  Impl::Text(st, 6, qa::ToString(d.code_type));
  Impl::Int(st, 7, d.line);
  Impl::Text(st, 8, d.coder_code);
  Impl::Text(st, 9, d.auditor_code);
  Impl::Text(st, 10, qa::ToString(d.outcome));
  Impl::Text(st, 11, d.detail);
  Impl::Int(st, 12, d.principal ? 1 : 0);
  Impl::Text(st, 13, qa::ToString(d.direction));
  Impl::Int(st, 14, d.amount_cents);
  Impl::Text(st, 15, d.reason);
  Impl::Text(st, 16, d.comment);
  Impl::Text(st, 17, qa::ToString(d.rebuttal));
  Impl::Text(st, 18, d.rebuttal_comment);
  Impl::Text(st, 19, qa::ToString(d.decision));
  Impl::Text(st, 20, d.decision_note);
  impl_->Run(st, "cannot store diff");
  return static_cast<uint32_t>(seq);
}

void RunWriter::AddScore(const qa::CoderScore& sc) {
  auto& s = *store_.impl_->session;
  auto n = [&](qa::Outcome o) { return sc.by_outcome[static_cast<size_t>(o)]; };
  Exec(s, "cannot store score",
       "INSERT INTO qa_scores (run_id, coder_id, encounters, error_free_encounters, "
       "codes_reviewed, matches, errors, added, omitted, revised, resequenced, modifier, "
       "units, code_accuracy, code_ci_low, code_ci_high, claim_accuracy, claim_ci_low, "
       "claim_ci_high, benchmark, pass, poa, drg, weighted_errors, drg_encounters, "
       "drg_changes, drg_accuracy, drg_ci_low, drg_ci_high, over_coded, under_coded, "
       "overpayment_cents, underpayment_cents, rebutted, overturned) VALUES ($1,$2,$3,$4,"
       "$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,"
       "$27,$28,$29,$30,$31,$32,$33,$34,$35)",
       run_id_, sc.coder_id, sc.encounters, sc.error_free_encounters, sc.codes_reviewed,
       sc.matches, sc.errors, n(qa::Outcome::kAdded), n(qa::Outcome::kOmitted),
       n(qa::Outcome::kRevised), n(qa::Outcome::kResequenced), n(qa::Outcome::kModifier),
       n(qa::Outcome::kUnits), sc.code_accuracy, sc.code_interval.low, sc.code_interval.high,
       sc.claim_accuracy, sc.claim_interval.low, sc.claim_interval.high, sc.benchmark, sc.pass,
       n(qa::Outcome::kPoa), n(qa::Outcome::kDrg), sc.weighted_errors, sc.drg_encounters,
       sc.drg_changes, sc.drg_accuracy, sc.drg_interval.low, sc.drg_interval.high,
       sc.over_coded, sc.under_coded, sc.overpayment_cents, sc.underpayment_cents, sc.rebutted,
       sc.overturned);
  for (size_t t = 0; t < qa::kItemTypeCount; ++t) {
    const qa::TypeScore& ts = sc.by_type[t];
    if (ts.positions == 0) continue;
    Exec(s, "cannot store score", "INSERT INTO qa_score_types VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
         run_id_, sc.coder_id, qa::ToString(static_cast<qa::ItemType>(t)), ts.positions,
         ts.matches, ts.errors, ts.weighted_errors, ts.accuracy);
  }
}

void RunWriter::SetScoring(const runs::ScoringInfo& i) {
  Exec(*store_.impl_->session, "cannot store the scoring policy",
       "INSERT INTO qa_score_runs VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", run_id_,
       i.origin, i.source_run_id, i.policy_id, i.policy_version, i.policy_sha256, i.policy_text,
       i.benchmark_override, i.base_rate, i.drg_weights_sha256, i.cc_mcc_sha256);
}

void RunWriter::AddEncounterAudit(const qa::EncounterAudit& a) {
  Exec(*store_.impl_->session, "cannot store audited encounter",
       "INSERT INTO qa_encounters VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", run_id_,
       a.encounter_id, a.coder_id, a.auditor_id, a.coder_drg, a.auditor_drg, a.coder_weight,
       a.auditor_weight, qa::ToString(a.method), a.payment_diff_cents);
}

void RunWriter::Commit(const runs::RunInfo& i, double benchmark) {
  auto& s = *store_.impl_->session;
  Exec(s, "cannot commit run",
       "UPDATE runs SET finished_at=$1, records_read=$2, records_processed=$3, "
       "records_rejected=$4, encounters_read=$5, encounters_processed=$6, "
       "encounters_rejected=$7, findings=$8, benchmark=$9 WHERE run_id=$10",
       i.finished_at, i.records_read, i.records_processed, i.records_rejected,
       i.encounters_read, i.encounters_processed, i.encounters_rejected, i.findings, benchmark,
       run_id_);
  if (i.claims_not_checked != 0)
    Exec(s, "cannot commit run", "UPDATE runs SET claims_not_checked=$1 WHERE run_id=$2",
         i.claims_not_checked, run_id_);
  for (const auto& c : i.not_checked)
    Exec(s, "cannot commit run",
         "INSERT INTO run_not_checked_rules VALUES ($1, $2, $3, $4, $5, $6)", run_id_, c.rule_id,
         c.rule_version, c.table, c.date, c.claims);
  try {
    impl_->Finalize();
    s.commit();
    done_ = true;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot commit run");
  }
}

namespace {
runs::RunInfo ReadRunRow(RecordSet& rs) {
  runs::RunInfo r;
  r.run_id = Int(rs, "run_id");
  r.kind = Str(rs, "kind");
  r.parent_run_id = Int(rs, "parent_run_id");
  r.started_at = Str(rs, "started_at");
  r.finished_at = Str(rs, "finished_at");
  r.tool_version = Str(rs, "tool_version");
  r.rule_set_name = Str(rs, "rule_set_name");
  r.rule_set_version = Str(rs, "rule_set_version");
  r.rule_set_hash = Str(rs, "rule_set_hash");
  r.records_read = Int(rs, "records_read");
  r.records_processed = Int(rs, "records_processed");
  r.records_rejected = Int(rs, "records_rejected");
  r.encounters_read = Int(rs, "encounters_read");
  r.encounters_processed = Int(rs, "encounters_processed");
  r.encounters_rejected = Int(rs, "encounters_rejected");
  r.findings = Int(rs, "findings");
  r.claims_not_checked = Int(rs, "claims_not_checked");
  return r;
}
}  // namespace

std::optional<runs::RunInfo> Store::LoadRun(int64_t run_id) {
  auto& s = *impl_->session;
  try {
    Poco::Int64 id = run_id;
    Statement st = (s << "SELECT * FROM runs WHERE run_id = $1", use(id), now);
    RecordSet rs(st);
    if (!rs.moveFirst()) return std::nullopt;
    auto info = ReadRunRow(rs);
    Statement in = (s << "SELECT role, path, sha256, bytes FROM run_inputs WHERE run_id = $1 "
                         "ORDER BY role, path", use(id), now);
    RecordSet ri(in);
    for (bool more = ri.moveFirst(); more; more = ri.moveNext())
      info.inputs.push_back({Str(ri, "role"), Str(ri, "path"), Str(ri, "sha256"), Int(ri, "bytes")});
    Statement nc = (s << "SELECT rule_id, rule_version, table_name, on_date, claims FROM "
                         "run_not_checked_rules WHERE run_id = $1 ORDER BY rule_id",
                    use(id), now);
    RecordSet rn(nc);
    for (bool more = rn.moveFirst(); more; more = rn.moveNext())
      info.not_checked.push_back({Str(rn, "rule_id"), Str(rn, "rule_version"),
                                  Str(rn, "table_name"), Str(rn, "on_date"), Int(rn, "claims")});
    return info;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read run");
  }
}

std::vector<runs::RunInfo> Store::ListRuns() {
  std::vector<runs::RunInfo> out;
  try {
    Statement st = (*impl_->session << "SELECT * FROM runs ORDER BY run_id", now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(ReadRunRow(rs));
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot list runs");
  }
  return out;
}

namespace {
Code OptCode(RecordSet& rs, const char* col) {
  const std::string text = OptStr(rs, col);
  return text.empty() ? Code() : Code::Of(text);
}

Encounter ReadEncounterRow(RecordSet& rs) {
  Encounter e;
  e.id = Str(rs, "encounter_id");
  e.patient_id = Str(rs, "patient_id");
  e.sex = ParseSex(Str(rs, "sex")).value_or(Sex::kUnknown);
  e.birth_date = ParseIsoDate(Str(rs, "birth_date"));
  e.from_date = ParseIsoDate(Str(rs, "from_date")).value_or(Date{});
  e.through_date = ParseIsoDate(Str(rs, "through_date")).value_or(Date{});
  e.claim_type = ParseClaimType(Str(rs, "claim_type")).value_or(ClaimType::kProfessional);
  e.provider_id = Str(rs, "provider_id");
  e.coder_id = Str(rs, "coder_id");
  e.payer = Str(rs, "payer");
  e.drg = Str(rs, "drg");
  e.discharge_status = Str(rs, "discharge_status");
  e.source_line = static_cast<uint32_t>(Int(rs, "source_line"));
  e.place_of_service = OptStr(rs, "place_of_service");
  e.type_of_bill = OptStr(rs, "type_of_bill");
  e.claim_frequency = OptStr(rs, "claim_frequency");
  e.total_charge_cents = rs["total_charge_cents"].isEmpty() ? 0 : Int(rs, "total_charge_cents");
  e.rendering_provider_id = OptStr(rs, "rendering_provider_id");
  e.attending_provider_id = OptStr(rs, "attending_provider_id");
  e.admitting_dx = OptCode(rs, "admitting_dx");
  e.visit_reason_dx = ParseCodes(OptStr(rs, "visit_reason_dx"));
  return e;
}

CodedLine ReadLineRow(RecordSet& rs) {
  CodedLine l;
  l.type = ParseCodeType(Str(rs, "code_type")).value_or(CodeType::kDiagnosis);
  l.seq = static_cast<uint16_t>(Int(rs, "seq"));
  l.code = Code::Of(Str(rs, "code"));
  const auto poa = Str(rs, "poa");
  l.poa = poa.empty() ? ' ' : poa[0];
  l.modifiers = Modifiers::Parse(Str(rs, "modifiers")).value_or(Modifiers{});
  l.units = Real(rs, "units");
  l.service_date = ParseIsoDate(Str(rs, "service_date"));
  l.charge_cents = Int(rs, "charge_cents");
  l.source_line = static_cast<uint32_t>(Int(rs, "source_line"));
  l.code_system = ParseStoredCodeSystem(OptStr(rs, "code_system"));
  l.revenue_code = OptCode(rs, "revenue_code");
  l.place_of_service = OptCode(rs, "place_of_service");
  l.dx_pointers = ParsePointers(OptStr(rs, "dx_pointers"));
  return l;
}
}  // namespace

std::optional<Encounter> Store::LoadEncounter(int64_t run_id, const std::string& encounter_id) {
  auto& s = *impl_->session;
  try {
    Poco::Int64 id = run_id;
    std::string enc = encounter_id;
    Statement st = (s << "SELECT * FROM encounters WHERE run_id=$1 AND encounter_id=$2",
                    use(id), use(enc), now);
    RecordSet rs(st);
    if (!rs.moveFirst()) return std::nullopt;
    Encounter e = ReadEncounterRow(rs);
    Statement ls = (s << "SELECT * FROM encounter_lines WHERE run_id=$1 AND encounter_id=$2 "
                         "ORDER BY position", use(id), use(enc), now);
    RecordSet lr(ls);
    for (bool more = lr.moveFirst(); more; more = lr.moveNext()) e.lines.push_back(ReadLineRow(lr));
    return e;
  } catch (const Poco::Exception& ex) {
    Rethrow(ex, "cannot read encounter");
  }
}

void Store::ForEachEncounter(int64_t run_id, const std::function<void(Encounter&&)>& fn) {
  auto& s = *impl_->session;
  try {
    Poco::Int64 id = run_id;
    Statement st = (s << "SELECT * FROM encounters WHERE run_id=$1 ORDER BY source_line", use(id), now);
    RecordSet rs(st);
    Statement ls = (s << "SELECT * FROM encounter_lines WHERE run_id=$1 "
                         "ORDER BY encounter_id, position", use(id), now);
    RecordSet lr(ls);
    // Lines grouped by encounter id; encounters are few enough per run for this map.
    std::map<std::string, std::vector<CodedLine>> lines;
    for (bool more = lr.moveFirst(); more; more = lr.moveNext())
      lines[Str(lr, "encounter_id")].push_back(ReadLineRow(lr));
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      Encounter e = ReadEncounterRow(rs);
      e.lines = std::move(lines[e.id]);
      fn(std::move(e));
    }
  } catch (const Poco::Exception& ex) {
    Rethrow(ex, "cannot read encounters");
  }
}

std::vector<ClaimRef> Store::LoadClaimRefs(int64_t run_id) {
  std::vector<ClaimRef> out;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session << "SELECT encounter_id, provider_id, coder_id, payer FROM "
                                       "encounters WHERE run_id = $1 ORDER BY rowid",
                    use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext())
      out.push_back({Str(rs, "encounter_id"), Str(rs, "provider_id"), Str(rs, "coder_id"),
                     Str(rs, "payer")});
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read claims");
  }
  return out;
}

std::vector<NotChecked> Store::LoadNotChecked(int64_t run_id) {
  std::vector<NotChecked> out;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session << "SELECT encounter_id, rule_id, rule_version, table_name, "
                                       "on_date FROM not_checked WHERE run_id = $1 ORDER BY seq",
                    use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext())
      out.push_back({Str(rs, "rule_id"), Str(rs, "rule_version"), Str(rs, "encounter_id"),
                     Str(rs, "table_name"), Str(rs, "on_date")});
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read not-checked claims");
  }
  return out;
}

std::vector<Reject> Store::LoadRejects(int64_t run_id) {
  std::vector<Reject> out;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session << "SELECT * FROM rejects WHERE run_id=$1 ORDER BY file, line, seq", use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext())
      out.push_back(Reject{Str(rs, "file"), static_cast<uint32_t>(Int(rs, "line")),
                           Str(rs, "field"), Str(rs, "reason"), Str(rs, "raw")});
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read rejects");
  }
  return out;
}

std::vector<runs::FindingRow> Store::LoadFindings(int64_t run_id) {
  std::vector<runs::FindingRow> out;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session
                        << "SELECT f.*, e.coder_id, e.provider_id, e.payer FROM findings f "
                           "LEFT JOIN encounters e ON e.run_id = f.run_id AND "
                           "e.encounter_id = f.encounter_id WHERE f.run_id=$1 ORDER BY f.seq",
                    use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      runs::FindingRow row;
      Finding& f = row.finding;
      f.rule_id = Str(rs, "rule_id");
      f.rule_version = Str(rs, "rule_version");
      f.category = Str(rs, "category");
      f.citation = Str(rs, "citation");
      f.severity = ParseSeverity(Str(rs, "severity")).value_or(Severity::kError);
      f.disposition = ParseDisposition(Str(rs, "disposition")).value_or(Disposition::kReview);
      f.encounter_id = Str(rs, "encounter_id");
      f.lines = ParseLines(Str(rs, "lines"));
      f.values = ParseFired(Str(rs, "fired"));
      f.message = Str(rs, "message");
      row.coder_id = rs["coder_id"].isEmpty() ? "" : Str(rs, "coder_id");
      row.provider_id = rs["provider_id"].isEmpty() ? "" : Str(rs, "provider_id");
      row.payer = rs["payer"].isEmpty() ? "" : Str(rs, "payer");
      out.push_back(std::move(row));
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read findings");
  }
  return out;
}

std::vector<qa::CodeDiff> Store::LoadDiffs(int64_t run_id) {
  // Streamed with a raw sqlite3 statement on the session's connection: a Poco RecordSet
  // holds every row as Dynamic::Var (several times a CodeDiff), which for an 800,000-row
  // run doubled the report's memory and took most of its time. The encounter's claim
  // type and through date come from the audited check run.
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(*impl_->session);
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT d.seq, d.encounter_id, d.coder_id, d.auditor_id, d.code_type, d.line, "
      "d.coder_code, d.auditor_code, d.outcome, d.detail, d.principal, d.direction, "
      "d.amount_cents, d.reason, d.comment, d.rebuttal, d.rebuttal_comment, d.decision, "
      "d.decision_note, e.claim_type, e.through_date FROM qa_diffs d "
      "JOIN runs r ON r.run_id = d.run_id "
      "LEFT JOIN encounters e ON e.run_id = r.parent_run_id AND e.encounter_id = d.encounter_id "
      "WHERE d.run_id = ? ORDER BY d.seq";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
    throw SystemError(std::string("store: cannot read diffs: ") + sqlite3_errmsg(db));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st, sqlite3_finalize);
  sqlite3_bind_int64(st, 1, run_id);
  auto text = [&](int i) -> std::string {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, i))) : std::string();
  };
  std::vector<qa::CodeDiff> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    qa::CodeDiff d;
    d.ref = static_cast<uint32_t>(sqlite3_column_int64(st, 0));
    d.encounter_id = text(1);
    d.coder_id = text(2);
    d.auditor_id = text(3);
    d.code_type = qa::ParseItemType(text(4)).value_or(qa::ItemType::kDx);
    d.line = static_cast<uint32_t>(sqlite3_column_int64(st, 5));
    d.coder_code = text(6);
    d.auditor_code = text(7);
    d.outcome = qa::ParseOutcome(text(8)).value_or(qa::Outcome::kMatch);
    d.detail = text(9);
    d.principal = sqlite3_column_int64(st, 10) != 0;
    d.direction = qa::ParseDirection(text(11)).value_or(qa::Direction::kNeutral);
    d.amount_cents = sqlite3_column_int64(st, 12);
    d.reason = text(13);
    d.comment = text(14);
    d.rebuttal = qa::ParseRebuttal(text(15)).value_or(qa::Rebuttal::kNone);
    d.rebuttal_comment = text(16);
    d.decision = qa::ParseDecision(text(17)).value_or(qa::Decision::kNone);
    d.decision_note = text(18);
    if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
      d.claim_type = ParseClaimType(text(19));
      d.service_date = ParseIsoDate(text(20));
    }
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE)
    throw SystemError(std::string("store: cannot read diffs: ") + sqlite3_errmsg(db));
  // By coder, then stored order (what the workbook and the scores expect).
  std::stable_sort(out.begin(), out.end(), [](const qa::CodeDiff& a, const qa::CodeDiff& b) {
    return a.coder_id < b.coder_id;
  });
  return out;
}

std::vector<qa::CoderScore> Store::LoadScores(int64_t run_id) {
  std::vector<qa::CoderScore> out;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session << "SELECT * FROM qa_scores WHERE run_id=$1 ORDER BY coder_id",
                    use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      qa::CoderScore sc;
      sc.coder_id = Str(rs, "coder_id");
      sc.encounters = static_cast<uint32_t>(Int(rs, "encounters"));
      sc.error_free_encounters = static_cast<uint32_t>(Int(rs, "error_free_encounters"));
      sc.codes_reviewed = static_cast<uint32_t>(Int(rs, "codes_reviewed"));
      sc.matches = static_cast<uint32_t>(Int(rs, "matches"));
      sc.errors = static_cast<uint32_t>(Int(rs, "errors"));
      auto set = [&](qa::Outcome o, const char* col) {
        sc.by_outcome[static_cast<size_t>(o)] = static_cast<uint32_t>(Int(rs, col));
      };
      sc.by_outcome[static_cast<size_t>(qa::Outcome::kMatch)] = sc.matches;
      set(qa::Outcome::kAdded, "added");
      set(qa::Outcome::kOmitted, "omitted");
      set(qa::Outcome::kRevised, "revised");
      set(qa::Outcome::kResequenced, "resequenced");
      set(qa::Outcome::kModifier, "modifier");
      set(qa::Outcome::kUnits, "units");
      set(qa::Outcome::kPoa, "poa");
      set(qa::Outcome::kDrg, "drg");
      sc.weighted_errors = Real(rs, "weighted_errors");
      sc.code_accuracy = Real(rs, "code_accuracy");
      sc.code_interval = {Real(rs, "code_ci_low"), Real(rs, "code_ci_high")};
      sc.claim_accuracy = Real(rs, "claim_accuracy");
      sc.claim_interval = {Real(rs, "claim_ci_low"), Real(rs, "claim_ci_high")};
      sc.drg_encounters = static_cast<uint32_t>(Int(rs, "drg_encounters"));
      sc.drg_changes = static_cast<uint32_t>(Int(rs, "drg_changes"));
      sc.drg_accuracy = Real(rs, "drg_accuracy");
      sc.drg_interval = {Real(rs, "drg_ci_low"), Real(rs, "drg_ci_high")};
      sc.over_coded = static_cast<uint32_t>(Int(rs, "over_coded"));
      sc.under_coded = static_cast<uint32_t>(Int(rs, "under_coded"));
      sc.overpayment_cents = Int(rs, "overpayment_cents");
      sc.underpayment_cents = Int(rs, "underpayment_cents");
      sc.rebutted = static_cast<uint32_t>(Int(rs, "rebutted"));
      sc.overturned = static_cast<uint32_t>(Int(rs, "overturned"));
      sc.benchmark = Real(rs, "benchmark");
      sc.pass = Int(rs, "pass") != 0;
      out.push_back(std::move(sc));
    }
    Statement ts = (*impl_->session << "SELECT * FROM qa_score_types WHERE run_id=$1", use(id), now);
    RecordSet tr(ts);
    for (bool more = tr.moveFirst(); more; more = tr.moveNext()) {
      const std::string coder = Str(tr, "coder_id");
      const auto type = qa::ParseItemType(Str(tr, "code_type"));
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const qa::CoderScore& c) { return c.coder_id == coder; });
      if (!type || it == out.end()) continue;
      qa::TypeScore& t = it->by_type[static_cast<size_t>(*type)];
      t.positions = static_cast<uint32_t>(Int(tr, "positions"));
      t.matches = static_cast<uint32_t>(Int(tr, "matches"));
      t.errors = static_cast<uint32_t>(Int(tr, "errors"));
      t.weighted_errors = Real(tr, "weighted_errors");
      t.accuracy = Real(tr, "accuracy");
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read scores");
  }
  return out;
}

runs::ScoringInfo Store::LoadScoring(int64_t run_id) {
  runs::ScoringInfo info;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session << "SELECT * FROM qa_score_runs WHERE run_id=$1", use(id), now);
    RecordSet rs(st);
    if (!rs.moveFirst()) return info;  // a version-1 score run
    info.origin = Str(rs, "origin");
    info.source_run_id = Int(rs, "source_run_id");
    info.policy_id = Str(rs, "policy_id");
    info.policy_version = Str(rs, "policy_version");
    info.policy_sha256 = Str(rs, "policy_sha256");
    info.policy_text = Str(rs, "policy_text");
    info.benchmark_override = Real(rs, "benchmark_override");
    info.base_rate = Real(rs, "base_rate");
    info.drg_weights_sha256 = Str(rs, "drg_weights_sha256");
    info.cc_mcc_sha256 = Str(rs, "cc_mcc_sha256");
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read the scoring policy");
  }
  return info;
}

void Store::ForEachUnitCharge(
    int64_t check_run_id,
    const std::function<void(ClaimType, const Code&, int64_t, int64_t)>& fn) {
  try {
    Poco::Int64 id = check_run_id;
    Statement st = (*impl_->session
                        << "SELECT e.claim_type AS claim_type, l.code AS code, "
                           "CAST(ROUND(l.charge_cents / l.units) AS INTEGER) AS per_unit, "
                           "count(*) AS n FROM encounter_lines l JOIN encounters e ON "
                           "e.run_id = l.run_id AND e.encounter_id = l.encounter_id "
                           "WHERE l.run_id = $1 AND l.code_type = 'HCPCS' AND "
                           "l.charge_cents > 0 AND l.units > 0 "
                           "GROUP BY e.claim_type, l.code, per_unit "
                           "ORDER BY e.claim_type, l.code, per_unit",
                    use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      const auto type = ParseClaimType(Str(rs, "claim_type"));
      const auto code = Code::Parse(Str(rs, "code"));
      if (type && code) fn(*type, *code, Int(rs, "per_unit"), Int(rs, "n"));
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read charges");
  }
}

std::vector<qa::EncounterAudit> Store::LoadEncounterAudits(int64_t run_id) {
  std::vector<qa::EncounterAudit> out;
  try {
    Poco::Int64 id = run_id;
    Statement st = (*impl_->session
                        << "SELECT q.*, e.claim_type AS enc_claim_type, "
                           "e.through_date AS enc_through_date FROM qa_encounters q "
                           "JOIN runs r ON r.run_id = q.run_id "
                           "LEFT JOIN encounters e ON e.run_id = r.parent_run_id AND "
                           "e.encounter_id = q.encounter_id "
                           "WHERE q.run_id=$1 ORDER BY q.coder_id, q.encounter_id",
                    use(id), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      qa::EncounterAudit a;
      a.encounter_id = Str(rs, "encounter_id");
      a.coder_id = Str(rs, "coder_id");
      a.auditor_id = Str(rs, "auditor_id");
      a.coder_drg = Str(rs, "coder_drg");
      a.auditor_drg = Str(rs, "auditor_drg");
      a.coder_weight = Real(rs, "coder_weight");
      a.auditor_weight = Real(rs, "auditor_weight");
      a.method = qa::ParsePaymentMethod(Str(rs, "payment_method")).value_or(qa::PaymentMethod::kNone);
      a.payment_diff_cents = Int(rs, "payment_diff_cents");
      if (!rs["enc_claim_type"].isEmpty()) {
        a.claim_type = ParseClaimType(Str(rs, "enc_claim_type")).value_or(ClaimType::kProfessional);
        a.service_date = ParseIsoDate(Str(rs, "enc_through_date")).value_or(Date{});
      }
      out.push_back(std::move(a));
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read audited encounters");
  }
  return out;
}

runs::AccuracyReport Store::LoadAccuracyReport(int64_t score_run_id) {
  auto run = LoadRun(score_run_id);
  if (!run) throw InputError("run " + std::to_string(score_run_id) + " is not in the store");
  if (run->kind != "score")
    throw InputError("run " + std::to_string(score_run_id) + " is a " + run->kind +
                     " run; the accuracy workbook is rendered from a score run");
  runs::AccuracyReport report;
  report.run = *run;
  if (auto check = LoadRun(run->parent_run_id)) report.check_run = *check;
  report.coders = LoadScores(score_run_id);
  report.benchmark = report.coders.empty() ? 0.95 : report.coders.front().benchmark;
  try {
    Poco::Int64 id = score_run_id;
    double bench = 0;
    *impl_->session << "SELECT benchmark FROM runs WHERE run_id=$1", use(id), into(bench), now;
    if (bench > 0) report.benchmark = bench;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read run");
  }
  report.diffs = LoadDiffs(score_run_id);
  report.findings = LoadFindings(run->parent_run_id);
  report.scoring = LoadScoring(score_run_id);
  report.encounters = LoadEncounterAudits(score_run_id);
  return report;
}

// API tokens (migration 0007): rows only; hashing lives in audit/service/api_tokens.cpp.
namespace {
ApiTokenRow ReadTokenRow(RecordSet& rs) {
  ApiTokenRow t;
  t.token_id = Int(rs, "token_id");
  t.name = Str(rs, "name");
  t.role = Str(rs, "role");
  t.salt_hex = Str(rs, "salt_hex");
  t.hash_hex = Str(rs, "hash_hex");
  t.iterations = static_cast<int>(Int(rs, "iterations"));
  t.created_at = Str(rs, "created_at");
  t.revoked_at = OptStr(rs, "revoked_at");
  t.user_id = rs["user_id"].isEmpty() ? 0 : Int(rs, "user_id");
  return t;
}
}  // namespace

int64_t Store::AddApiToken(const ApiTokenRow& row) {
  auto& s = *impl_->session;
  try {
    std::string name = row.name, role = row.role, salt = row.salt_hex, hash = row.hash_hex,
                created = row.created_at;
    int iterations = row.iterations;
    s << "INSERT INTO api_tokens(name, role, salt_hex, hash_hex, iterations, created_at) "
         "VALUES ($1, $2, $3, $4, $5, $6)",
        use(name), use(role), use(salt), use(hash), use(iterations), use(created), now;
    Poco::Int64 id = 0;
    s << "SELECT last_insert_rowid()", into(id), now;
    return id;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot store the API token");
  }
}

std::optional<ApiTokenRow> Store::LoadApiToken(int64_t token_id) {
  try {
    Poco::Int64 id = token_id;
    Statement st = (*impl_->session << "SELECT * FROM api_tokens WHERE token_id=$1", use(id), now);
    RecordSet rs(st);
    if (!rs.moveFirst()) return std::nullopt;
    return ReadTokenRow(rs);
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read API tokens");
  }
}

std::vector<ApiTokenRow> Store::ListApiTokens() {
  std::vector<ApiTokenRow> out;
  try {
    Statement st = (*impl_->session << "SELECT * FROM api_tokens ORDER BY token_id", now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(ReadTokenRow(rs));
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot list API tokens");
  }
  return out;
}

bool Store::RevokeApiToken(int64_t token_id, const std::string& at) {
  try {
    Poco::Int64 id = token_id;
    std::string when = at;
    Statement st = (*impl_->session << "UPDATE api_tokens SET revoked_at=$1 "
                                       "WHERE token_id=$2 AND revoked_at IS NULL",
                    use(when), use(id));
    return st.execute() > 0;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot revoke the API token");
  }
}

}  // namespace coderaudit::store
