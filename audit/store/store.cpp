#include "audit/store/store.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
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
#include <filesystem>
#include <charconv>
#include <map>
#include <mutex>
#include <sstream>
#include <string_view>
#include <type_traits>

#include "audit/model/error.hpp"
#include "audit/store/connection.hpp"
#include "audit/store/dialect.hpp"
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
std::string_view migration_0009();
std::string_view migration_0010();
std::string_view migration_0011();
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
                                 {8, &embedded::migration_0008},   // users, audit trail
                                 {9, &embedded::migration_0009},   // input order, partitions
                                 {10, &embedded::migration_0010},  // audits in the browser
                                 {11, &embedded::migration_0011}};  // sample appraisals

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
  // Poco's PostgreSQL errors end with the statement, which for a batch is kilobytes of
  // placeholders: the server's message comes first and is what a reader needs.
  std::string text = e.displayText();
  if (text.size() > 400) text = text.substr(0, 400) + " ...";
  throw SystemError("store: " + what + ": " + text);
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
  Location where;
  std::unique_ptr<Poco::Data::Session> session;
  bool Pg() const { return where.backend == Backend::kPostgres; }
};

namespace detail {

std::unique_ptr<Poco::Data::Session> OpenSession(const Location& where, bool create_schema) {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
  if (where.backend == Backend::kPostgres) {
    auto session = std::make_unique<Poco::Data::Session>("PostgreSQL", where.connect);
    auto& s = *session;
    // A URL whose search_path (options=-csearch_path=NAME) names a schema that does not
    // exist yet gets it: one database can hold several stores.
    std::string current;
    s << "SELECT COALESCE(current_schema(), '')", into(current), now;
    if (current.empty() && create_schema) {
      std::string path;
      s << "SELECT current_setting('search_path')", into(path), now;
      std::string first = path.substr(0, path.find(','));
      first.erase(0, first.find_first_not_of(' '));
      first.erase(first.find_last_not_of(' ') + 1);
      if (first.size() >= 2 && first.front() == '"') first = first.substr(1, first.size() - 2);
      if (first.empty() || first == "$user")
        throw SystemError("store " + where.display + ": no schema to create the store in");
      std::string quoted = "\"";
      for (const char c : first) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      s << "CREATE SCHEMA IF NOT EXISTS " + quoted + "\"", now;
    }
    // The server's messages are errors or nothing: no NOTICE chatter on stderr.
    s << "SET client_min_messages = warning", now;
    return session;
  }
  auto session = std::make_unique<Poco::Data::Session>("SQLite", where.path);
  *session << "PRAGMA foreign_keys = ON", now;
  *session << "PRAGMA busy_timeout = 5000", now;
  return session;
}

int64_t LastInsertId(Poco::Data::Session& session, Backend backend) {
  Poco::Int64 id = 0;
  session << Translate("SELECT last_insert_rowid()", backend), into(id), now;
  return id;
}

std::vector<int> AppliedMigrations(Poco::Data::Session& s, Backend backend) {
  int has_table = 0;
  if (backend == Backend::kPostgres)
    s << "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
         "AND table_name = 'schema_migrations'",
        into(has_table), now;
  else
    s << "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'",
        into(has_table), now;
  std::vector<int> applied;
  if (has_table) s << "SELECT version FROM schema_migrations ORDER BY version", into(applied), now;
  return applied;
}

}  // namespace detail

bool StoreExists(const std::string& db) { return ReadStatus(db).exists; }

StoreStatus ReadStatus(const std::string& db) {
  const Location where = ParseLocation(db);
  StoreStatus st;
  st.location = where.display;
  st.backend = where.backend == Backend::kPostgres ? "postgresql" : "sqlite";
  // A missing file is no store (opening it would create one).
  if (where.backend == Backend::kSqlite && !std::filesystem::exists(where.path)) return st;
  try {
    auto session = detail::OpenSession(where, false);
    st.applied = detail::AppliedMigrations(*session, where.backend);
    st.exists = !st.applied.empty();
    if (st.exists) *session << "SELECT count(*) FROM runs", into(st.runs), now;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot open " + where.display);
  }
  for (const auto& m : kMigrations)
    if (std::find(st.applied.begin(), st.applied.end(), m.version) == st.applied.end())
      st.pending.push_back(m.version);
  return st;
}

Store::Store(const std::string& db) : impl_(std::make_unique<Impl>()) {
  impl_->where = ParseLocation(db);
  const Location& where = impl_->where;
  try {
    impl_->session = detail::OpenSession(where);
    auto& s = *impl_->session;
    // Applied versions as a set, not a maximum: a migration numbered below one already
    // applied (developed in parallel) is still applied once.
    std::vector<int> applied = detail::AppliedMigrations(s, where.backend);
    if (!applied.empty() && applied.back() > CurrentSchemaVersion())
      throw SystemError("store " + where.display + " has schema version " +
                        std::to_string(applied.back()) + ", newer than this build understands (" +
                        std::to_string(CurrentSchemaVersion()) + ")");
    // Every pending migration in one transaction: a store is upgraded (or created) all
    // at once or not at all, with one sync to disk instead of one per migration.
    auto pending = [&] {
      for (const auto& m : kMigrations)
        if (std::find(applied.begin(), applied.end(), m.version) == applied.end()) return true;
      return false;
    };
    if (pending()) {
      s.begin();
      try {
        if (impl_->Pg()) {
          // Two processes opening a new PostgreSQL store at once: the second waits here
          // for the first's commit and then finds nothing left to do.
          s << "SELECT pg_advisory_xact_lock(7274016)", now;
          applied = detail::AppliedMigrations(s, where.backend);
        }
        for (const auto& m : kMigrations) {
          if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) continue;
          for (const auto& stmt : SplitSql(m.sql())) s << Translate(stmt, where.backend), now;
          int v = m.version;
          s << Translate("INSERT INTO schema_migrations(version, applied_at) "
                         "VALUES ($1, datetime('now'))", where.backend),
              use(v), now;
        }
        s.commit();
      } catch (...) {
        s.rollback();
        throw;
      }
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot open " + where.display);
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
    const int64_t id = detail::LastInsertId(s, impl_->where.backend);
    return std::unique_ptr<RunWriter>(new RunWriter(*this, id));
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    Rethrow(e, "cannot start run");
  }
}

// The bulk rows of a run (encounters, lines, findings, rejects, not-checked claims, diffs).
// SQLite: sqlite3 prepared statements on the session's own connection, so they stay inside
// the run's transaction; building a Poco statement per row cost more than SQLite's insert.
// PostgreSQL: each table's rows are collected and sent as multi-row INSERTs through Poco
// (one round trip per batch instead of one per row). The Add* functions fill a row through
// one template, so both backends store exactly the same values.
struct RunWriter::Impl {
  Backend backend = Backend::kSqlite;
  Poco::Data::Session* session = nullptr;
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

  // One SQLite row: parameter i (1-based) of a prepared insert. OptText / OptInt are the
  // NULL-when-not-reported columns.
  struct SqliteRow {
    Impl& x;
    sqlite3_stmt* st;
    NullableParams* optional;
    void Int(int i, int64_t v) { Impl::Int(st, i, v); }
    void Text(int i, std::string_view v) { Impl::Text(st, i, v); }
    void Real(int i, double v) { sqlite3_bind_double(st, i, v); }
    void OptText(int i, std::string_view v) { optional->Text(st, i, v); }
    void OptInt(int i, int64_t v) { optional->Int(st, i, v); }
    void Done(const char* what) { x.Run(st, what); }
  };

  // A PostgreSQL table's pending rows. Values travel as text and are cast in the SQL, per
  // column type: i bigint, d float8, t text, T text NULL when empty, I bigint NULL when 0
  // (the SQLite writer's NULLs). A full batch's statement is prepared once per run and run
  // again with new values, which it binds by reference.
  struct PgBatch {
    const char* table;
    std::string columns, types;
    size_t rows = 0, capacity = 0;
    std::vector<std::string> values;
    std::unique_ptr<Statement> full;
    PgBatch(const char* t, std::string cols, std::string ty)
        : table(t), columns(std::move(cols)), types(std::move(ty)) {
      // libpq refuses a parameter description over 30,000 bytes (4 bytes a parameter) as
      // "lost synchronization with server": at most 7,000 parameters a statement.
      capacity = std::min<size_t>(1000, 7000 / types.size());
      values.resize(capacity * types.size());
    }
    std::string Sql(size_t nrows) const {
      std::string sql = std::string("INSERT INTO ") + table + " (" + columns + ") VALUES ";
      size_t n = 0;
      for (size_t r = 0; r < nrows; ++r) {
        sql += r ? ",(" : "(";
        for (size_t c = 0; c < types.size(); ++c) {
          const std::string p = "$" + std::to_string(++n);
          if (c) sql += ',';
          switch (types[c]) {
            case 'i': sql += p + "::bigint"; break;
            case 'd': sql += p + "::float8"; break;
            case 'T': sql += "NULLIF(" + p + "::text,'')"; break;
            case 'I': sql += "NULLIF(" + p + "::bigint,0)"; break;
            default: sql += p + "::text";
          }
        }
        sql += ')';
      }
      return sql;
    }
    void Flush(Poco::Data::Session& s, const char* what) {
      if (rows == 0) return;
      try {
        if (rows == capacity) {
          if (!full) {
            full = std::make_unique<Statement>(s);
            *full << Sql(capacity);
            for (auto& v : values) full->addBind(use(v));
          }
          full->execute();
        } else {
          Statement st(s);
          st << Sql(rows);
          for (size_t k = 0; k < rows * types.size(); ++k) st.addBind(use(values[k]));
          st.execute();
        }
      } catch (const Poco::Exception& e) {
        Rethrow(e, what);
      }
      rows = 0;
    }
  };
  std::vector<PgBatch> pg;
  PgBatch& Batch(size_t k) { return pg[k]; }
  void FlushAll() {
    for (auto& b : pg) b.Flush(*session, "cannot store rows");
  }

  // One PostgreSQL row of a batch.
  struct PgRow {
    Impl& x;
    PgBatch& b;
    std::string* v;
    PgRow(Impl& impl, PgBatch& batch)
        : x(impl), b(batch), v(batch.values.data() + batch.rows * batch.types.size()) {}
    void Int(int i, int64_t n) { v[i - 1] = std::to_string(n); }
    void Text(int i, std::string_view s) { v[i - 1].assign(s.data(), s.size()); }
    void Real(int i, double d) {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest exact form
      v[i - 1].assign(buf, r.ptr);
    }
    void OptText(int i, std::string_view s) { Text(i, s); }
    void OptInt(int i, int64_t n) { Int(i, n); }
    // A full batch goes alone: foreign keys are checked at commit on PostgreSQL
    // (audit/store/dialect.hpp), so a line may arrive before its encounter, and the other
    // tables keep filling their own prepared full-batch statements.
    void Done(const char* what) {
      if (++b.rows == b.capacity) b.Flush(*x.session, what);
    }
  };
  enum PgTable : size_t { kEncounters, kLines, kFindings, kRejects, kNotChecked, kDiffs };
};

namespace {
// Column lists of the bulk inserts, shared by both backends (the PostgreSQL type letters
// are PgBatch's, one per column).
constexpr const char* kEncounterColumns =
    "run_id, encounter_id, patient_id, sex, birth_date, from_date, through_date, claim_type, "
    "provider_id, coder_id, payer, drg, discharge_status, source_line, place_of_service, "
    "type_of_bill, claim_frequency, total_charge_cents, rendering_provider_id, "
    "attending_provider_id, admitting_dx, visit_reason_dx, input_seq";
constexpr const char* kEncounterTypes = "itttttttttttti" "TTTITTTT" "i";
constexpr const char* kLineColumns =
    "run_id, encounter_id, position, code_type, seq, code, poa, modifiers, units, "
    "service_date, charge_cents, source_line, code_system, revenue_code, place_of_service, "
    "dx_pointers";
constexpr const char* kLineTypes = "itititttdtii" "TTTT";
constexpr const char* kFindingColumns =
    "run_id, seq, rule_id, rule_version, category, citation, severity, disposition, "
    "encounter_id, lines, fired, message";
constexpr const char* kFindingTypes = "iitttttttttt";
constexpr const char* kRejectColumns = "run_id, seq, file, line, field, reason, raw";
constexpr const char* kRejectTypes = "iititt" "t";
constexpr const char* kNotCheckedColumns =
    "run_id, seq, encounter_id, rule_id, rule_version, table_name, on_date";
constexpr const char* kNotCheckedTypes = "iittttt";
constexpr const char* kDiffColumns =
    "run_id, seq, encounter_id, coder_id, auditor_id, code_type, line, coder_code, "
    "auditor_code, outcome, detail, principal, direction, amount_cents, reason, comment, "
    "rebuttal, rebuttal_comment, decision, decision_note";
constexpr const char* kDiffTypes = "iitttt" "i" "tttt" "i" "t" "i" "tttttt";

// "INSERT INTO t (cols) VALUES (?1,…,?n)" for SQLite's prepared statements.
std::string SqliteInsert(const char* table, const char* columns, size_t n) {
  std::string sql = std::string("INSERT INTO ") + table + " (" + columns + ") VALUES (";
  for (size_t i = 1; i <= n; ++i) sql += (i > 1 ? ",?" : "?") + std::to_string(i);
  return sql + ")";
}
}  // namespace

RunWriter::RunWriter(Store& store, int64_t run_id)
    : impl_(std::make_unique<Impl>()), store_(store), run_id_(run_id) {
  impl_->backend = store_.impl_->where.backend;
  impl_->session = store_.impl_->session.get();
  if (impl_->backend == Backend::kPostgres) {
    auto& pg = impl_->pg;  // in Impl::PgTable order
    pg.emplace_back("encounters", kEncounterColumns, kEncounterTypes);
    pg.emplace_back("encounter_lines", kLineColumns, kLineTypes);
    pg.emplace_back("findings", kFindingColumns, kFindingTypes);
    pg.emplace_back("rejects", kRejectColumns, kRejectTypes);
    pg.emplace_back("not_checked", kNotCheckedColumns, kNotCheckedTypes);
    pg.emplace_back("qa_diffs", kDiffColumns, kDiffTypes);
    return;
  }
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
    // Destructors must not throw; both databases roll back an unfinished transaction
    // when the connection closes.
  }
}

void RunWriter::AddInput(const runs::RunInput& in) {
  if (partition_) return;  // the run's inputs were recorded with its partitions
  Exec(*store_.impl_->session, "cannot record input",
       "INSERT INTO run_inputs VALUES ($1, $2, $3, $4, $5)", run_id_, in.role, in.path, in.sha256,
       in.bytes);
}

// Calls fn with a row of `table` (Impl::PgTable) for this backend: a prepared SQLite
// statement (made on first use) or the next slot of the PostgreSQL batch.
template <typename Fn>
void RunWriter::WithRow(size_t table, Fn&& fn) {
  auto& x = *impl_;
  if (x.backend == Backend::kPostgres) {
    Impl::PgRow row(x, x.Batch(table));
    fn(row);
    return;
  }
  static const std::string kSql[] = {
      SqliteInsert("encounters", kEncounterColumns, std::char_traits<char>::length(kEncounterTypes)),
      SqliteInsert("encounter_lines", kLineColumns, std::char_traits<char>::length(kLineTypes)),
      SqliteInsert("findings", kFindingColumns, std::char_traits<char>::length(kFindingTypes)),
      SqliteInsert("rejects", kRejectColumns, std::char_traits<char>::length(kRejectTypes)),
      SqliteInsert("not_checked", kNotCheckedColumns, std::char_traits<char>::length(kNotCheckedTypes)),
      SqliteInsert("qa_diffs", kDiffColumns, std::char_traits<char>::length(kDiffTypes))};
  sqlite3_stmt** slots[] = {&x.encounter, &x.line, &x.finding, &x.reject, &x.not_checked, &x.diff};
  Impl::NullableParams* optional = table == Impl::kEncounters ? &x.encounter_optional
                                   : table == Impl::kLines    ? &x.line_optional
                                                              : nullptr;
  Impl::SqliteRow row{x, x.Prepare(*slots[table], kSql[table].c_str()), optional};
  fn(row);
}

void RunWriter::AddEncounter(const Encounter& e) {
  const std::string birth = e.birth_date ? ToIso(*e.birth_date) : "";
  const std::string from = ToIso(e.from_date), through = ToIso(e.through_date);
  const std::string visit_reasons = CodesText(e.visit_reason_dx);
  const int64_t input_seq = ++encounter_seq_;
  const int64_t line_offset = partition_ ? partition_->line_offset : 0;
  WithRow(Impl::kEncounters, [&](auto& r) {
    r.Int(1, run_id_);
    r.Text(2, e.id);
    r.Text(3, e.patient_id);
    r.Text(4, ToString(e.sex));
    r.Text(5, birth);
    r.Text(6, from);
    r.Text(7, through);
    r.Text(8, ToString(e.claim_type));
    r.Text(9, e.provider_id);
    r.Text(10, e.coder_id);
    r.Text(11, e.payer);
    r.Text(12, e.drg);
    r.Text(13, e.discharge_status);
    r.Int(14, e.source_line + line_offset);
    r.OptText(15, e.place_of_service);
    r.OptText(16, e.type_of_bill);
    r.OptText(17, e.claim_frequency);
    r.OptInt(18, e.total_charge_cents);
    r.OptText(19, e.rendering_provider_id);
    r.OptText(20, e.attending_provider_id);
    r.OptText(21, e.admitting_dx.View());
    r.OptText(22, visit_reasons);
    r.Int(23, input_seq);
    r.Done("cannot store encounter");
  });
  std::array<char, 16> pointers;
  int64_t position = 0;
  for (const auto& l : e.lines) {
    WithRow(Impl::kLines, [&](auto& r) {
      r.Int(1, run_id_);
      r.Text(2, e.id);
      r.Int(3, ++position);
      r.Text(4, ToString(l.type));
      r.Int(5, l.seq);
      r.Text(6, l.code.View());
      const char poa = l.poa;
      r.Text(7, poa == ' ' ? std::string_view() : std::string_view(&poa, 1));
      const std::string modifiers = l.modifiers.Str();
      r.Text(8, modifiers);
      r.Real(9, l.units);
      const std::string service_date = l.service_date ? ToIso(*l.service_date) : "";
      r.Text(10, service_date);
      r.Int(11, l.charge_cents);
      r.Int(12, l.source_line + line_offset);
      r.OptText(13, ToString(l.code_system));
      r.OptText(14, l.revenue_code.View());
      r.OptText(15, l.place_of_service.View());
      r.OptText(16, PointersText(l.dx_pointers, pointers));
      r.Done("cannot store encounter");
    });
  }
}

void RunWriter::AddFinding(const Finding& f) {
  const std::string lines = LinesText(f.lines), fired = FiredJson(f.values);
  const int64_t seq = ++finding_seq_;
  WithRow(Impl::kFindings, [&](auto& r) {
    r.Int(1, run_id_);
    r.Int(2, seq);
    r.Text(3, f.rule_id);
    r.Text(4, f.rule_version);
    r.Text(5, f.category);
    r.Text(6, f.citation);
    r.Text(7, ToString(f.severity));
    r.Text(8, ToString(f.disposition));
    r.Text(9, f.encounter_id);
    r.Text(10, lines);
    r.Text(11, fired);
    r.Text(12, f.message);
    r.Done("cannot store finding");
  });
}

void RunWriter::AddReject(const Reject& rj) {
  const int64_t seq = ++reject_seq_;
  WithRow(Impl::kRejects, [&](auto& r) {
    r.Int(1, run_id_);
    r.Int(2, seq);
    r.Text(3, rj.file);
    r.Int(4, rj.line + (partition_ ? partition_->line_offset : 0));
    r.Text(5, rj.field);
    r.Text(6, rj.reason);
    r.Text(7, rj.raw);
    r.Done("cannot store reject");
  });
}

void RunWriter::AddNotChecked(const NotChecked& n) {
  const int64_t seq = ++not_checked_seq_;
  WithRow(Impl::kNotChecked, [&](auto& r) {
    r.Int(1, run_id_);
    r.Int(2, seq);
    r.Text(3, n.encounter_id);
    r.Text(4, n.rule_id);
    r.Text(5, n.rule_version);
    r.Text(6, n.table);
    r.Text(7, n.date);
    r.Done("cannot store not-checked claim");
  });
}

namespace {
// The rows RetractEncounters counts and removes: those of the run whose encounter id is in
// the session's temporary retract_ids table.
constexpr const char* kRetractIn = " WHERE run_id=$1 AND encounter_id IN (SELECT id FROM retract_ids)";
}  // namespace

RunWriter::Retracted RunWriter::RetractEncounters(const std::vector<std::string>& ids) {
  auto& x = *impl_;
  Retracted out;
  const auto count_sql = [](const char* what) {
    return std::string("SELECT ") + what + kRetractIn;
  };
  const std::string by_rule = std::string("SELECT rule_id, COUNT(DISTINCT encounter_id) FROM not_checked") +
                              kRetractIn + " GROUP BY rule_id";
  const char* kTables[] = {"findings", "not_checked", "encounter_lines", "encounters"};
  const char* kCreate = "CREATE TEMP TABLE IF NOT EXISTS retract_ids (id TEXT PRIMARY KEY) WITHOUT ROWID";
  const char* kInsert = "INSERT OR IGNORE INTO retract_ids VALUES ($1)";
  if (x.backend == Backend::kPostgres) {
    x.FlushAll();  // the rows to take back may still be in a batch
    auto& s = *x.session;
    try {
      s << Translate(kCreate, x.backend), now;
      s << "DELETE FROM retract_ids", now;
      Statement ins(s);
      std::string id;
      ins << Translate(kInsert, x.backend), use(id);
      for (const auto& each : ids) {
        id = each;
        ins.execute();
      }
      Poco::Int64 run = run_id_, n = 0;
      auto count = [&](const char* what) {
        s << count_sql(what), use(run), into(n), now;
        return static_cast<int64_t>(n);
      };
      out.findings = count("COUNT(*) FROM findings");
      out.encounters_with_findings = count("COUNT(DISTINCT encounter_id) FROM findings");
      out.encounters = count("COUNT(*) FROM encounters");
      out.claims_not_checked = count("COUNT(DISTINCT encounter_id) FROM not_checked");
      std::vector<std::string> rules;
      std::vector<Poco::Int64> claims;
      s << by_rule, use(run), into(rules), into(claims), now;
      for (size_t i = 0; i < rules.size(); ++i) out.not_checked_by_rule[rules[i]] = claims[i];
      for (const char* table : kTables) s << std::string("DELETE FROM ") + table + kRetractIn, use(run), now;
      s << "DELETE FROM retract_ids", now;
    } catch (const Poco::Exception& e) {
      Rethrow(e, "cannot take back encounters");
    }
    return out;
  }
  auto exec = [&](const char* sql) {
    if (sqlite3_exec(x.db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) x.Fail("cannot take back encounters");
  };
  exec(kCreate);
  exec("DELETE FROM retract_ids");
  sqlite3_stmt* ins = nullptr;
  if (sqlite3_prepare_v2(x.db, kInsert, -1, &ins, nullptr) != SQLITE_OK)
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
  auto count = [&](const char* what) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(x.db, count_sql(what).c_str(), -1, &st, nullptr) != SQLITE_OK)
      x.Fail("cannot take back encounters");
    Impl::Int(st, 1, run_id_);
    int64_t n = 0;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
  };
  auto run = [&](const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(x.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) x.Fail("cannot take back encounters");
    Impl::Int(st, 1, run_id_);
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) x.Fail("cannot take back encounters");
  };
  out.findings = count("COUNT(*) FROM findings");
  out.encounters_with_findings = count("COUNT(DISTINCT encounter_id) FROM findings");
  out.encounters = count("COUNT(*) FROM encounters");
  out.claims_not_checked = count("COUNT(DISTINCT encounter_id) FROM not_checked");
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(x.db, by_rule.c_str(), -1, &st, nullptr) != SQLITE_OK)
      x.Fail("cannot take back encounters");
    Impl::Int(st, 1, run_id_);
    while (sqlite3_step(st) == SQLITE_ROW)
      out.not_checked_by_rule[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
          sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
  }
  for (const char* table : kTables) run(std::string("DELETE FROM ") + table + kRetractIn);
  exec("DELETE FROM retract_ids");
  return out;
}

uint32_t RunWriter::AddDiff(const qa::CodeDiff& d) {
  const int64_t seq = ++diff_seq_;
  WithRow(Impl::kDiffs, [&](auto& r) {
    r.Int(1, run_id_);
    r.Int(2, seq);
    r.Text(3, d.encounter_id);
    r.Text(4, d.coder_id);
    r.Text(5, d.auditor_id);
    r.Text(6, qa::ToString(d.code_type));
    r.Int(7, d.line);
    r.Text(8, d.coder_code);
    r.Text(9, d.auditor_code);
    r.Text(10, qa::ToString(d.outcome));
    r.Text(11, d.detail);
    r.Int(12, d.principal ? 1 : 0);
    r.Text(13, qa::ToString(d.direction));
    r.Int(14, d.amount_cents);
    r.Text(15, d.reason);
    r.Text(16, d.comment);
    r.Text(17, qa::ToString(d.rebuttal));
    r.Text(18, d.rebuttal_comment);
    r.Text(19, qa::ToString(d.decision));
    r.Text(20, d.decision_note);
    r.Done("cannot store diff");
  });
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
  if (impl_->backend == Backend::kPostgres) impl_->FlushAll();
  if (partition_) return CommitPartition(i);
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

void RunWriter::CommitPartition(const runs::RunInfo& i) {
  auto& s = *store_.impl_->session;
  const Partition& p = *partition_;
  const char* what = "cannot store the partition";
  Exec(s, what,
       "UPDATE check_partitions SET done_at=$1, worker=$2, records_read=$3, records_processed=$4, "
       "records_rejected=$5, encounters_read=$6, encounters_processed=$7, encounters_rejected=$8, "
       "findings=$9, claims_not_checked=$10 WHERE job_id=$11 AND seq=$12",
       i.finished_at, p.worker, i.records_read, i.records_processed, i.records_rejected,
       i.encounters_read, i.encounters_processed, i.encounters_rejected, i.findings,
       i.claims_not_checked, p.job_id, p.seq);
  for (const auto& c : i.not_checked)
    Exec(s, what, "INSERT INTO check_partition_not_checked VALUES ($1,$2,$3,$4,$5,$6,$7)", p.job_id,
         p.seq, c.rule_id, c.rule_version, c.table, c.date, c.claims);
  try {
    // The job's row lock orders the partitions' last transactions: whichever commits last
    // finds every other partition done (each statement sees what committed before it).
    Poco::Int64 job = p.job_id, left = 0;
    s << "SELECT job_id FROM check_jobs WHERE job_id=$1 FOR UPDATE", use(job), now;
    s << "SELECT count(*) FROM check_partitions WHERE job_id=$1 AND done_at IS NULL", use(job),
        into(left), now;
    if (left == 0) {
      std::string sums;
      for (const char* col : {"records_read", "records_processed", "records_rejected",
                              "encounters_read", "encounters_processed", "encounters_rejected",
                              "findings", "claims_not_checked"})
        sums += std::string(", ") + col + "=(SELECT sum(" + col +
                ") FROM check_partitions WHERE job_id=$2)";
      Exec(s, "cannot complete the run",
           "UPDATE runs SET complete=1, finished_at=$1" + sums + " WHERE run_id=$3", i.finished_at,
           p.job_id, run_id_);
      // Per rule: the claims of every partition; the table and date of the first one's.
      Exec(s, "cannot complete the run",
           "INSERT INTO run_not_checked_rules (run_id, rule_id, rule_version, table_name, on_date, "
           "claims) SELECT $1, n.rule_id, n.rule_version, n.table_name, n.on_date, t.claims FROM "
           "check_partition_not_checked n JOIN (SELECT rule_id, min(seq) AS first_seq, "
           "sum(claims) AS claims FROM check_partition_not_checked WHERE job_id=$2 GROUP BY "
           "rule_id) t ON t.rule_id = n.rule_id AND t.first_seq = n.seq WHERE n.job_id=$2",
           run_id_, p.job_id);
      Exec(s, "cannot complete the run", "UPDATE check_jobs SET state='done' WHERE job_id=$1",
           p.job_id);
    }
    impl_->Finalize();
    s.commit();
    done_ = true;
  } catch (const Poco::Exception& e) {
    Rethrow(e, what);
  }
}

int64_t Store::CreatePartitionedRun(const runs::RunInfo& info, const CheckJob& job,
                                    const std::vector<PartitionPlan>& partitions) {
  if (!impl_->Pg())
    throw UsageError("a run in partitions needs a PostgreSQL store (--db postgresql://...): "
                     "its workers share it");
  auto writer = BeginRun(info);
  const int64_t run = writer->RunId();
  for (const auto& in : info.inputs) writer->AddInput(in);
  auto& s = *impl_->session;
  const char* what = "cannot record the partitions";
  Exec(s, what, "UPDATE runs SET complete=0 WHERE run_id=$1", run);
  Exec(s, what,
       "INSERT INTO check_jobs (run_id, created_at, rules_path, refdata_dir, store_mode, "
       "partitions, state) VALUES ($1,$2,$3,$4,$5,$6,'running')",
       run, info.started_at, job.rules_path, job.refdata_dir, job.store_mode, partitions.size());
  try {
    const int64_t job_id = detail::LastInsertId(s, impl_->where.backend);
    int64_t seq = 0;
    for (const auto& part : partitions)
      Exec(s, what,
           "INSERT INTO check_partitions (job_id, seq, input_name, first_line, body) VALUES "
           "($1,$2,$3,$4,$5)",
           job_id, ++seq, part.input_name, part.first_line, part.body);
    writer->impl_->Finalize();
    s.commit();
    writer->done_ = true;
  } catch (const Poco::Exception& e) {
    Rethrow(e, what);
  }
  return run;
}

std::optional<ClaimedPartition> Store::ClaimPartition(const std::string& worker) {
  if (!impl_->Pg()) throw UsageError("workers need a PostgreSQL store (--db postgresql://...)");
  auto& s = *impl_->session;
  try {
    s.begin();
    std::vector<Poco::Int64> jobs, seqs, first_lines;
    std::vector<std::string> names, bodies;
    s << "SELECT job_id, seq, input_name, first_line, body FROM check_partitions WHERE done_at "
         "IS NULL ORDER BY job_id, seq LIMIT 1 FOR UPDATE SKIP LOCKED",
        into(jobs), into(seqs), into(names), into(first_lines), into(bodies), now;
    if (jobs.empty()) {
      s.rollback();
      return std::nullopt;
    }
    ClaimedPartition c;
    c.job_id = jobs[0];
    c.seq = seqs[0];
    c.plan = {names[0], first_lines[0], std::move(bodies[0])};
    Poco::Int64 job = c.job_id, run = 0, count = 0;
    s << "SELECT j.run_id, j.rules_path, j.refdata_dir, j.store_mode, j.partitions, "
         "r.rule_set_hash FROM check_jobs j JOIN runs r ON r.run_id = j.run_id WHERE j.job_id=$1",
        use(job), into(run), into(c.job.rules_path), into(c.job.refdata_dir),
        into(c.job.store_mode), into(count), into(c.rule_set_hash), now;
    c.run_id = run;
    c.partitions = count;
    c.writer.reset(new RunWriter(*this, c.run_id));
    RunWriter& w = *c.writer;
    w.partition_ = RunWriter::Partition{c.job_id, c.seq, c.plan.first_line - 2, worker};
    w.encounter_seq_ = w.finding_seq_ = w.reject_seq_ = w.not_checked_seq_ = c.seq << 32;
    return c;
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    Rethrow(e, "cannot claim a partition");
  }
}

int64_t Store::PendingPartitions() {
  Poco::Int64 n = 0;
  try {
    *impl_->session << "SELECT count(*) FROM check_partitions WHERE done_at IS NULL", into(n), now;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read partitions");
  }
  return n;
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
    Statement st = (s << "SELECT * FROM runs WHERE run_id = $1 AND complete = 1", use(id), now);
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
    // A run in partitions is listed once its last partition is stored.
    Statement st = (*impl_->session << "SELECT * FROM runs WHERE complete = 1 ORDER BY run_id", now);
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
    Statement st = (s << "SELECT * FROM encounters WHERE run_id=$1 ORDER BY source_line, " +
                             InsertionOrder(impl_->where.backend),
                    use(id), now);
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
                                       "encounters WHERE run_id = $1 ORDER BY " +
                                           InsertionOrder(impl_->where.backend),
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

namespace {
// One diff row from a reader giving column i as text, integer or NULL-ness.
template <typename Row>
qa::CodeDiff ReadDiff(Row& r) {
  qa::CodeDiff d;
  d.ref = static_cast<uint32_t>(r.Int(0));
  d.encounter_id = r.Text(1);
  d.coder_id = r.Text(2);
  d.auditor_id = r.Text(3);
  d.code_type = qa::ParseItemType(r.Text(4)).value_or(qa::ItemType::kDx);
  d.line = static_cast<uint32_t>(r.Int(5));
  d.coder_code = r.Text(6);
  d.auditor_code = r.Text(7);
  d.outcome = qa::ParseOutcome(r.Text(8)).value_or(qa::Outcome::kMatch);
  d.detail = r.Text(9);
  d.principal = r.Int(10) != 0;
  d.direction = qa::ParseDirection(r.Text(11)).value_or(qa::Direction::kNeutral);
  d.amount_cents = r.Int(12);
  d.reason = r.Text(13);
  d.comment = r.Text(14);
  d.rebuttal = qa::ParseRebuttal(r.Text(15)).value_or(qa::Rebuttal::kNone);
  d.rebuttal_comment = r.Text(16);
  d.decision = qa::ParseDecision(r.Text(17)).value_or(qa::Decision::kNone);
  d.decision_note = r.Text(18);
  if (!r.Null(19)) {
    d.claim_type = ParseClaimType(r.Text(19));
    d.service_date = ParseIsoDate(r.Text(20));
  }
  return d;
}

struct SqliteColumns {
  sqlite3_stmt* st;
  std::string Text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, i))) : std::string();
  }
  int64_t Int(int i) const { return sqlite3_column_int64(st, i); }
  bool Null(int i) const { return sqlite3_column_type(st, i) == SQLITE_NULL; }
};

struct RecordSetColumns {
  RecordSet& rs;
  std::string Text(size_t i) const {
    const auto& v = rs.value(i);
    return v.isEmpty() ? std::string() : v.convert<std::string>();
  }
  int64_t Int(size_t i) const { return rs.value(i).convert<Poco::Int64>(); }
  bool Null(size_t i) const { return rs.value(i).isEmpty(); }
};

constexpr const char* kDiffsQuery =
    "SELECT d.seq, d.encounter_id, d.coder_id, d.auditor_id, d.code_type, d.line, "
    "d.coder_code, d.auditor_code, d.outcome, d.detail, d.principal, d.direction, "
    "d.amount_cents, d.reason, d.comment, d.rebuttal, d.rebuttal_comment, d.decision, "
    "d.decision_note, e.claim_type, e.through_date FROM qa_diffs d "
    "JOIN runs r ON r.run_id = d.run_id "
    "LEFT JOIN encounters e ON e.run_id = r.parent_run_id AND e.encounter_id = d.encounter_id "
    "WHERE d.run_id = $1 ORDER BY d.seq";
}  // namespace

std::vector<qa::CodeDiff> Store::LoadDiffs(int64_t run_id) {
  // The encounter's claim type and through date come from the audited check run.
  std::vector<qa::CodeDiff> out;
  if (impl_->Pg()) {
    try {
      Poco::Int64 id = run_id;
      Statement st = (*impl_->session << kDiffsQuery, use(id), now);
      RecordSet rs(st);
      RecordSetColumns cols{rs};
      for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(ReadDiff(cols));
    } catch (const Poco::Exception& e) {
      Rethrow(e, "cannot read diffs");
    }
  } else {
    // Streamed with a raw sqlite3 statement on the session's connection: a Poco RecordSet
    // holds every row as Dynamic::Var (several times a CodeDiff), which for an 800,000-row
    // run doubled the report's memory and took most of its time.
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(*impl_->session);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, kDiffsQuery, -1, &st, nullptr) != SQLITE_OK)
      throw SystemError(std::string("store: cannot read diffs: ") + sqlite3_errmsg(db));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st, sqlite3_finalize);
    sqlite3_bind_int64(st, 1, run_id);
    SqliteColumns cols{st};
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) out.push_back(ReadDiff(cols));
    if (rc != SQLITE_DONE)
      throw SystemError(std::string("store: cannot read diffs: ") + sqlite3_errmsg(db));
  }
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
                           + RoundToInteger("l.charge_cents / l.units", impl_->where.backend) +
                           " AS per_unit, "
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
    return detail::LastInsertId(s, impl_->where.backend);
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
