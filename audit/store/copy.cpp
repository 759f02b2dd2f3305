// `coderaudit db copy`: a SQLite store into PostgreSQL, every table, ids preserved, in one
// transaction on the target, verified before it commits.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/SHA2Engine.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "audit/model/error.hpp"
#include "audit/store/connection.hpp"
#include "audit/store/store.hpp"

namespace coderaudit::store {

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

namespace {

struct Sqlite {
  sqlite3* db = nullptr;
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw SystemError("store: cannot open " + path + ": " + sqlite3_errmsg(db));
  }
  ~Sqlite() { sqlite3_close(db); }
  // Calls fn(stmt) for each row of `sql`.
  template <typename Fn>
  void Each(const std::string& sql, Fn&& fn) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw SystemError(std::string("store: cannot read the source store: ") + sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) fn(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
      throw SystemError(std::string("store: cannot read the source store: ") + sqlite3_errmsg(db));
  }
  int64_t Count(const std::string& sql) {
    int64_t n = 0;
    Each(sql, [&](sqlite3_stmt* st) { n = sqlite3_column_int64(st, 0); });
    return n;
  }
};

std::string Text(sqlite3_stmt* st, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, i))) : std::string();
}

// A source value as PostgreSQL reads it back exactly: REAL in its shortest round-trip form
// (sqlite3_column_text would give 15 digits), BLOB as bytea hex.
Poco::Nullable<std::string> Value(sqlite3_stmt* st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return {};
    case SQLITE_FLOAT: {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, sqlite3_column_double(st, i));
      return std::string(buf, r.ptr);
    }
    case SQLITE_BLOB: {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(st, i));
      std::string hex = "\\x";
      for (int k = 0; k < sqlite3_column_bytes(st, i); ++k) {
        hex += kHex[p[k] >> 4];
        hex += kHex[p[k] & 15];
      }
      return hex;
    }
    default: return Text(st, i);
  }
}

// A table's columns in the source, and each one's type in the target.
struct Table {
  std::string name;
  std::vector<std::string> columns, target_types;
  std::set<std::string> parents;  // tables its foreign keys refer to
};

std::string HexDigest(Poco::SHA2Engine& engine) {
  return Poco::DigestEngine::digestToHex(engine.digest());
}

// The findings of each run as text in stored order, hashed: the same on both sides or the
// copy is rolled back. Doubles are not involved (findings hold text and integers).
constexpr const char* kFindingsText =
    "SELECT seq, rule_id, rule_version, category, citation, severity, disposition, "
    "encounter_id, lines, fired, message FROM findings WHERE run_id = $1 ORDER BY seq";

// The audit trail's head row (schema 8): one row in every store, created by the migration.
constexpr const char* kTrailHead = "audit_trail_head";

}  // namespace

CopyReport CopyStore(const std::string& from, const std::string& to, bool into_nonempty) {
  if (IsPostgresUrl(from)) throw UsageError("db copy reads a SQLite store: " + from + " is a URL");
  const Location target = ParseLocation(to);
  if (target.backend != Backend::kPostgres)
    throw UsageError("db copy writes into PostgreSQL: give a postgresql:// URL, not " + to);
  if (!StoreExists(from)) throw InputError("no store at " + from);
  // Both at this build's schema (the source's pending migrations applied, the target
  // created) before a row moves.
  { Store source(from); }
  { Store created(to); }

  CopyReport report;
  report.from = from;
  report.to = target.display;
  Sqlite src(from);
  std::map<std::string, Table> tables;
  src.Each("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
           "AND name <> 'schema_migrations' ORDER BY name",
           [&](sqlite3_stmt* st) { tables[Text(st, 0)].name = Text(st, 0); });
  for (auto& [name, t] : tables) {
    src.Each("PRAGMA table_info(\"" + name + "\")",
             [&](sqlite3_stmt* st) { t.columns.push_back(Text(st, 1)); });
    src.Each("PRAGMA foreign_key_list(\"" + name + "\")", [&](sqlite3_stmt* st) {
      if (Text(st, 2) != name) t.parents.insert(Text(st, 2));
    });
  }
  // Parents before children, so every foreign key holds as rows arrive.
  std::vector<std::string> order;
  while (order.size() < tables.size()) {
    const size_t before = order.size();
    for (const auto& [name, t] : tables) {
      if (std::find(order.begin(), order.end(), name) != order.end()) continue;
      if (std::all_of(t.parents.begin(), t.parents.end(), [&](const std::string& p) {
            return !tables.count(p) || std::find(order.begin(), order.end(), p) != order.end();
          }))
        order.push_back(name);
    }
    if (order.size() == before) throw SystemError("store: the source's foreign keys form a cycle");
  }

  std::unique_ptr<Poco::Data::Session> session;
  try {
    session = detail::OpenSession(target);
    auto& s = *session;
    s.begin();
    for (auto& [name, t] : tables) {
      std::vector<std::string> cols, types;
      std::string table_name = name;
      s << "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
           "current_schema() AND table_name = $1",
          use(table_name), into(cols), into(types), now;
      for (const auto& c : t.columns) {
        const auto it = std::find(cols.begin(), cols.end(), c);
        if (it == cols.end())
          throw SystemError("store: " + target.display + " has no column " + name + "." + c +
                            " (is it a coderaudit store of this version?)");
        t.target_types.push_back(types[static_cast<size_t>(it - cols.begin())]);
      }
      if (name == kTrailHead) {  // the chain's one state row: replaced, not added (below)
        report.tables.push_back({name, 0, 0});
        continue;
      }
      Poco::Int64 rows = 0;
      s << "SELECT count(*) FROM " + name, into(rows), now;
      if (rows > 0 && !into_nonempty)
        throw InputError("the target store is not empty (" + std::to_string(rows) + " rows in " +
                         name + "); db copy adds to a non-empty store only with --into-nonempty");
      report.tables.push_back({name, 0, rows});
    }

    for (const auto& name : order) {
      const Table& t = tables[name];
      if (name == kTrailHead) {
        // The target's head (seq 0 when its trail is empty) takes the source's, so the copied
        // events verify and the next append continues the source's chain. Two chains cannot
        // be merged into one.
        Poco::Int64 target_seq = 0, seq = 0;
        s << "SELECT seq FROM " + name, into(target_seq), now;
        if (target_seq != 0)
          throw InputError("the target store has an audit trail of its own (" +
                           std::to_string(target_seq) + " events): two hash chains cannot be "
                           "merged; copy into a store without one");
        std::string hash;
        src.Each("SELECT seq, hash FROM " + name, [&](sqlite3_stmt* st) {
          seq = sqlite3_column_int64(st, 0);
          hash = Text(st, 1);
        });
        s << "UPDATE " + name + " SET seq = $1, hash = $2", use(seq), use(hash), now;
        for (auto& r : report.tables)
          if (r.name == name) r.rows = 1;
        continue;
      }
      std::string select = "SELECT ", insert = "INSERT INTO " + name + " (";
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const std::string& col = t.columns[c];
        select += c ? ", " : "";
        insert += (c ? ", " : "") + col;
        // Rows stored before migration 0009 get their place in the run from SQLite's rowid.
        if (name == "encounters" && col == "input_seq")
          select += "COALESCE(input_seq, ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY rowid))";
        else
          select += "\"" + col + "\"";
      }
      select += " FROM \"" + name + "\"";
      insert += ") VALUES ";
      const size_t width = t.columns.size();
      // libpq refuses a parameter description over 30,000 bytes: 7,000 parameters at most.
      const size_t batch = std::max<size_t>(1, std::min<size_t>(1000, 7000 / width));
      std::vector<Poco::Nullable<std::string>> values;
      values.reserve(batch * width);
      int64_t copied = 0;
      auto flush = [&] {
        if (values.empty()) return;
        std::string sql = insert;
        size_t n = 0;
        for (size_t r = 0; r < values.size() / width; ++r) {
          sql += r ? ",(" : "(";
          for (size_t c = 0; c < width; ++c)
            sql += (c ? ",$" : "$") + std::to_string(++n) + "::" + t.target_types[c];
          sql += ')';
        }
        Statement st(s);
        st << sql;
        for (auto& v : values) st.addBind(use(v));
        st.execute();
        values.clear();
      };
      src.Each(select, [&](sqlite3_stmt* st) {
        for (size_t c = 0; c < width; ++c) values.push_back(Value(st, static_cast<int>(c)));
        ++copied;
        if (values.size() == batch * width) flush();
      });
      flush();
      for (auto& r : report.tables)
        if (r.name == name) r.rows = copied;
    }

    // Identity columns continue after the copied ids.
    std::vector<std::string> id_tables, id_columns;
    s << "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
         "current_schema() AND is_identity = 'YES'",
        into(id_tables), into(id_columns), now;
    for (size_t i = 0; i < id_tables.size(); ++i)
      s << "SELECT setval(pg_get_serial_sequence('" + id_tables[i] + "', '" + id_columns[i] +
               "'), max(" + id_columns[i] + ")) FROM " + id_tables[i] + " HAVING max(" +
               id_columns[i] + ") IS NOT NULL",
          now;

    // Verified before the commit: every table's count, and each run's findings.
    for (const auto& r : report.tables) {
      Poco::Int64 rows = 0;
      s << "SELECT count(*) FROM " + r.name, into(rows), now;
      const int64_t source_rows = src.Count("SELECT count(*) FROM \"" + r.name + "\"");
      if (rows != r.before + source_rows || r.rows != source_rows)
        throw SystemError("store: copy check failed: " + r.name + " has " + std::to_string(rows) +
                          " rows in the target, expected " + std::to_string(r.before + source_rows));
    }
    std::vector<int64_t> runs;
    src.Each("SELECT run_id FROM runs ORDER BY run_id",
             [&](sqlite3_stmt* st) { runs.push_back(sqlite3_column_int64(st, 0)); });
    for (const int64_t run : runs) {
      Poco::SHA2Engine source_hash, target_hash;
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(src.db, kFindingsText, -1, &st, nullptr);
      sqlite3_bind_int64(st, 1, run);
      int64_t source_findings = 0;
      while (sqlite3_step(st) == SQLITE_ROW) {
        ++source_findings;
        for (int c = 0; c < sqlite3_column_count(st); ++c) source_hash.update(Text(st, c) + '\x1f');
        source_hash.update('\x1e');
      }
      sqlite3_finalize(st);
      Poco::Int64 id = run;
      Statement ts = (s << kFindingsText, use(id), now);
      Poco::Data::RecordSet rs(ts);
      int64_t target_findings = 0;
      for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        ++target_findings;
        for (size_t c = 0; c < rs.columnCount(); ++c)
          target_hash.update(rs.value(c).convert<std::string>() + '\x1f');
        target_hash.update('\x1e');
      }
      const std::string a = HexDigest(source_hash), b = HexDigest(target_hash);
      if (a != b || source_findings != target_findings)
        throw SystemError("store: copy check failed: run " + std::to_string(run) +
                          "'s findings differ in the target");
      report.runs.push_back({run, source_findings, a});
    }
    s.commit();
  } catch (const Poco::Exception& e) {
    if (session && session->isTransaction()) session->rollback();
    std::string text = e.displayText();  // may end with a long statement: its start says why
    if (text.size() > 400) text = text.substr(0, 400) + " ...";
    throw SystemError("store: cannot copy into " + target.display + ": " + text);
  } catch (...) {
    if (session && session->isTransaction()) session->rollback();
    throw;
  }
  return report;
}

}  // namespace coderaudit::store
