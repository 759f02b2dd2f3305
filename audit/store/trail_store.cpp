#include "audit/store/trail_store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/store/rows.hpp"

// Every statement here is Poco::Data with $n placeholders and SQL both SQLite and
// PostgreSQL run unchanged (no INSERT OR ..., no datetime(), ids assigned explicitly).

namespace coderaudit::store {

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

using detail::Int;
using detail::Rethrow;
using detail::Str;

std::string JsonString(std::string_view s) {
  std::string out;
  detail::AppendJsonString(out, s, true);
  return out;
}

std::string CanonicalEvent(const StoredEvent& e) {
  std::string s = "[1,";
  s += std::to_string(e.seq);
  for (const std::string* f : {&e.at, &e.actor, &e.action, &e.subject}) {
    s += ',';
    s += JsonString(*f);
  }
  s += ',';
  s += std::to_string(e.run_id);
  for (const std::string* f : {&e.before, &e.after, &e.prev_hash}) {
    s += ',';
    s += JsonString(*f);
  }
  s += ']';
  return s;
}

std::string EventHash(const StoredEvent& e) { return Sha256Hex(CanonicalEvent(e)); }

int64_t AppendEvent(Store& store, const TrailEvent& e) {
  auto& s = store.Session();
  const bool own = !s.isTransaction();
  try {
    if (own) s.begin();
    // The update comes first: it takes the write lock (SQLite) or the head row's lock
    // (PostgreSQL) before the head is read, so concurrent appends queue here.
    s << "UPDATE audit_trail_head SET seq = seq + 1 WHERE singleton = 1", now;
    StoredEvent ev;
    static_cast<TrailEvent&>(ev) = e;
    Poco::Int64 seq = 0;
    s << "SELECT seq, hash FROM audit_trail_head WHERE singleton = 1", into(seq),
        into(ev.prev_hash), now;
    ev.seq = seq;
    ev.hash = EventHash(ev);
    Poco::Int64 run = ev.run_id;
    s << "INSERT INTO audit_events (seq, at, actor, action, subject, run_id, before_json, "
         "after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        use(seq), use(ev.at), use(ev.actor), use(ev.action), use(ev.subject), use(run),
        use(ev.before), use(ev.after), use(ev.prev_hash), use(ev.hash), now;
    s << "UPDATE audit_trail_head SET hash = $1 WHERE singleton = 1", use(ev.hash), now;
    if (own) s.commit();
    return ev.seq;
  } catch (const Poco::Exception& ex) {
    if (own && s.isTransaction()) s.rollback();
    Rethrow(ex, "cannot append to the audit trail");
  } catch (...) {
    if (own && s.isTransaction()) s.rollback();
    throw;
  }
}

void InTransaction(Store& store, const std::function<void()>& fn) {
  auto& s = store.Session();
  try {
    s.begin();
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot begin a transaction");
  }
  try {
    fn();
    s.commit();
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    Rethrow(e, "transaction failed");
  } catch (...) {
    if (s.isTransaction()) s.rollback();
    throw;
  }
}

std::vector<StoredEvent> LoadEvents(Store& store, int64_t after_seq, int64_t limit) {
  std::vector<StoredEvent> out;
  try {
    Poco::Int64 after = after_seq, lim = limit > 0 ? limit : INT64_MAX;
    Statement st = (store.Session() << "SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq "
                                       "LIMIT $2",
                    use(after), use(lim), now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      StoredEvent e;
      e.seq = Int(rs, "seq");
      e.at = Str(rs, "at");
      e.actor = Str(rs, "actor");
      e.action = Str(rs, "action");
      e.subject = Str(rs, "subject");
      e.run_id = Int(rs, "run_id");
      e.before = Str(rs, "before_json");
      e.after = Str(rs, "after_json");
      e.prev_hash = Str(rs, "prev_hash");
      e.hash = Str(rs, "hash");
      out.push_back(std::move(e));
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read the audit trail");
  }
  return out;
}

std::pair<int64_t, std::string> TrailHead(Store& store) {
  std::pair<int64_t, std::string> head{0, std::string(kGenesisHash)};
  try {
    Statement st = (store.Session() << "SELECT seq, hash FROM audit_trail_head WHERE singleton = 1", now);
    RecordSet rs(st);
    if (rs.moveFirst()) head = {Int(rs, "seq"), Str(rs, "hash")};
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read the audit trail head");
  }
  return head;
}

namespace {
UserRow ReadUser(RecordSet& rs) {
  UserRow u;
  u.user_id = Int(rs, "user_id");
  u.name = Str(rs, "name");
  u.role = Str(rs, "role");
  u.coder_id = Str(rs, "coder_id");
  u.salt_hex = Str(rs, "salt_hex");
  u.hash_hex = Str(rs, "hash_hex");
  u.iterations = static_cast<int>(Int(rs, "iterations"));
  u.created_at = Str(rs, "created_at");
  u.disabled_at = Str(rs, "disabled_at");
  return u;
}

// `where` has at most one parameter, $1, bound to `value` (typed: text or integer).
template <typename T>
std::vector<UserRow> SelectUsers(Store& store, const std::string& where, T value) {
  std::vector<UserRow> out;
  try {
    Statement st(store.Session());
    st << "SELECT * FROM users" + where + " ORDER BY user_id";
    if (!where.empty()) st.addBind(Poco::Data::Keywords::bind(value));
    st.execute();
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(ReadUser(rs));
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read users");
  }
  return out;
}
}  // namespace

int64_t AddUser(Store& store, const UserRow& row) {
  if (LoadUser(store, row.name)) throw InputError("there is already a user named '" + row.name + "'");
  auto& s = store.Session();
  try {
    Poco::Int64 id = 0;
    // Inside the caller's transaction (the user and its event): max + 1 cannot race.
    s << "SELECT COALESCE(MAX(user_id), 0) + 1 FROM users", into(id), now;
    UserRow r = row;
    s << "INSERT INTO users (user_id, name, role, coder_id, salt_hex, hash_hex, iterations, "
         "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        use(id), use(r.name), use(r.role), use(r.coder_id), use(r.salt_hex), use(r.hash_hex),
        use(r.iterations), use(r.created_at), now;
    return id;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot store the user");
  }
}

std::optional<UserRow> LoadUser(Store& store, const std::string& name) {
  auto v = SelectUsers(store, " WHERE name = $1", name);
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::optional<UserRow> LoadUserById(Store& store, int64_t user_id) {
  auto v = SelectUsers(store, " WHERE user_id = $1", static_cast<Poco::Int64>(user_id));
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::vector<UserRow> ListUsers(Store& store) { return SelectUsers(store, "", std::string()); }

namespace {
bool UpdateUser(Store& store, const char* what, const std::string& sql,
                std::vector<std::string> values) {
  try {
    Statement st(store.Session());
    st << sql;
    for (auto& v : values) st.addBind(Poco::Data::Keywords::bind(v));
    return st.execute() > 0;
  } catch (const Poco::Exception& e) {
    Rethrow(e, what);
  }
}
}  // namespace

bool SetUserRole(Store& store, const std::string& name, const std::string& role,
                 const std::string& coder_id) {
  return UpdateUser(store, "cannot change the role",
                    "UPDATE users SET role = $1, coder_id = $2 WHERE name = $3 AND disabled_at IS NULL",
                    {role, coder_id, name});
}

bool SetUserPassword(Store& store, const std::string& name, const std::string& salt_hex,
                     const std::string& hash_hex, int iterations) {
  try {
    std::string salt = salt_hex, hash = hash_hex, who = name;
    Statement st(store.Session());
    st << "UPDATE users SET salt_hex = $1, hash_hex = $2, iterations = $3 "
          "WHERE name = $4 AND disabled_at IS NULL",
        use(salt), use(hash), use(iterations), use(who);
    return st.execute() > 0;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot change the password");
  }
}

bool DisableUser(Store& store, const std::string& name, const std::string& at) {
  return UpdateUser(store, "cannot disable the user",
                    "UPDATE users SET disabled_at = $1 WHERE name = $2 AND disabled_at IS NULL",
                    {at, name});
}

void SetTokenUser(Store& store, int64_t token_id, int64_t user_id) {
  try {
    Poco::Int64 t = token_id, u = user_id;
    store.Session() << "UPDATE api_tokens SET user_id = $1 WHERE token_id = $2", use(u), use(t), now;
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot set the token's user");
  }
}

}  // namespace coderaudit::store
