#include "audit/store/dialect.hpp"

#include <cctype>
#include <utility>
#include <vector>

#include "audit/model/error.hpp"

namespace coderaudit::store {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool SameWord(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view s, const std::string& url_for_errors) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) throw UsageError("bad percent-escape in " + url_for_errors);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Poco's connector splits its connection string at spaces and has no quoting.
void AddParam(std::string& connect, const std::string& key, const std::string& value,
              const std::string& display) {
  if (value.empty()) return;
  if (value.find_first_of(" \t\n\r") != std::string::npos)
    throw UsageError("the " + key + " in " + display +
                     " holds a space, which the PostgreSQL connector cannot pass on" +
                     (key == "password" ? "; give it through PGPASSWORD or ~/.pgpass" : ""));
  connect += (connect.empty() ? "" : " ") + key + "=" + value;
}

}  // namespace

bool IsPostgresUrl(std::string_view db) {
  return StartsWith(db, "postgresql://") || StartsWith(db, "postgres://");
}

Location ParseLocation(const std::string& db) {
  Location loc;
  if (!IsPostgresUrl(db)) {
    loc.backend = Backend::kSqlite;
    loc.path = loc.display = db;
    return loc;
  }
  loc.backend = Backend::kPostgres;
  std::string_view rest(db);
  rest.remove_prefix(rest.find("://") + 3);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, dbname;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    dbname = rest.substr(slash + 1);
  }
  std::string_view userinfo, hostport = authority;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
  }
  std::string_view user = userinfo, password;
  bool has_password = false;
  if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
    user = userinfo.substr(0, colon);
    password = userinfo.substr(colon + 1);
    has_password = true;
  }
  std::string_view host = hostport, port;
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) throw UsageError("bad host in " + db);
    host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') throw UsageError("bad host in " + db);
      port = hostport.substr(close + 2);
    }
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  for (const char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) throw UsageError("bad port in " + db);

  // The URL as shown in messages: never the password.
  loc.display = db.substr(0, db.find("://") + 3);
  if (!userinfo.empty()) loc.display += std::string(user) + (has_password ? ":***" : "") + "@";
  loc.display += std::string(hostport) + (dbname.empty() ? "" : "/" + std::string(dbname)) +
                 (query.empty() ? "" : "?" + std::string(query));

  AddParam(loc.connect, "host", Decode(host, loc.display), loc.display);
  AddParam(loc.connect, "port", std::string(port), loc.display);
  AddParam(loc.connect, "user", Decode(user, loc.display), loc.display);
  AddParam(loc.connect, "password", Decode(password, loc.display), loc.display);
  AddParam(loc.connect, "dbname", Decode(dbname, loc.display), loc.display);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw UsageError("bad parameter '" + std::string(pair) + "' in " + loc.display);
    AddParam(loc.connect, Decode(pair.substr(0, eq), loc.display),
             Decode(pair.substr(eq + 1), loc.display), loc.display);
  }
  // Named in the server's pg_stat_activity unless the URL names it (?application_name=).
  if (loc.connect.find("application_name=") == std::string::npos)
    AddParam(loc.connect, "application_name", "coderaudit", loc.display);
  return loc;
}

std::string Translate(std::string_view sql, Backend backend) {
  if (backend == Backend::kSqlite) return std::string(sql);
  // Function calls first: their replacements' literals are then left alone below.
  static constexpr std::pair<std::string_view, std::string_view> kCalls[] = {
      {"datetime('now')", "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"},
      {"last_insert_rowid()", "lastval()"}};
  std::string text;
  for (size_t i = 0; i < sql.size();) {
    bool replaced = false;
    for (const auto& [from, to] : kCalls) {
      if (sql.size() - i < from.size()) continue;
      bool same = true;
      for (size_t k = 0; k < from.size() && same; ++k)
        same = std::tolower(static_cast<unsigned char>(sql[i + k])) == from[k];
      if (same) {
        text += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) text += sql[i++];
  }

  // Tokens: a word, a quoted literal or identifier, a comment, or any other character.
  struct Token {
    std::string text;
    bool word = false;
  };
  std::vector<Token> tokens;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    size_t j = i + 1;
    bool word = false;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      word = true;
    } else if (c == '\'' || c == '"') {
      while (j < text.size() && !(text[j] == c && (j + 1 >= text.size() || text[j + 1] != c))) {
        j += text[j] == c ? 2 : 1;  // a doubled quote is part of the literal
      }
      j = std::min(j + 1, text.size());
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (j < text.size() && text[j] != '\n') ++j;
    }
    tokens.push_back({text.substr(i, j - i), word});
    i = j;
  }
  // The next word at or after `k`, skipping whitespace only; tokens.size() if none.
  auto next_word = [&](size_t k) {
    while (k < tokens.size() && !tokens[k].word &&
           tokens[k].text.find_first_not_of(" \t\r\n") == std::string::npos)
      ++k;
    return k < tokens.size() && tokens[k].word ? k : tokens.size();
  };
  auto is = [&](size_t k, std::string_view w) { return k < tokens.size() && SameWord(tokens[k].text, w); };

  std::string out;
  bool on_conflict = false;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (!t.word) {
      out += t.text;
      continue;
    }
    if (SameWord(t.text, "INTEGER")) {
      const size_t p = next_word(k + 1);
      const size_t q = p < tokens.size() ? next_word(p + 1) : tokens.size();
      if (is(p, "PRIMARY") && is(q, "KEY")) {
        out += "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
        k = q;
        if (const size_t a = next_word(k + 1); is(a, "AUTOINCREMENT")) k = a;
      } else {
        out += "BIGINT";
      }
    } else if (SameWord(t.text, "REAL")) {
      out += "DOUBLE PRECISION";
    } else if (SameWord(t.text, "BLOB")) {
      out += "BYTEA";
    } else if (SameWord(t.text, "REFERENCES")) {
      // REFERENCES table (columns): copied through the column list's ')', then deferred.
      size_t depth = 0, j = k;
      bool opened = false;
      for (; j < tokens.size(); ++j) {
        out += tokens[j].text;
        if (tokens[j].text == "(") ++depth, opened = true;
        if (tokens[j].text == ")" && --depth == 0 && opened) break;
      }
      k = j;
      // After any MATCH … / ON DELETE|UPDATE … action, where PostgreSQL's grammar wants it.
      auto take_through = [&](size_t last) {
        for (size_t m = k + 1; m <= last; ++m) out += tokens[m].text;
        k = last;
      };
      for (size_t p = next_word(k + 1); p < tokens.size(); p = next_word(k + 1)) {
        if (is(p, "MATCH")) {
          take_through(next_word(p + 1));
        } else if (is(p, "ON")) {
          const size_t event = next_word(p + 1), action = next_word(event + 1);
          const bool two_words = is(action, "SET") || is(action, "NO");
          take_through(two_words ? next_word(action + 1) : action);
        } else {
          break;
        }
      }
      out += " DEFERRABLE INITIALLY DEFERRED";
    } else if (SameWord(t.text, "AUTOINCREMENT")) {
      // Identity columns never reuse a value; nothing to say.
    } else if (SameWord(t.text, "WITHOUT") && is(next_word(k + 1), "ROWID")) {
      k = next_word(k + 1);
      while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    } else if (SameWord(t.text, "INSERT") && is(next_word(k + 1), "OR") &&
               is(next_word(next_word(k + 1) + 1), "IGNORE")) {
      out += t.text;
      k = next_word(next_word(k + 1) + 1);
      on_conflict = true;
    } else {
      out += t.text;
    }
  }
  if (on_conflict) {
    size_t end = out.size();
    while (end > 0 && (out[end - 1] == ';' || std::isspace(static_cast<unsigned char>(out[end - 1])))) --end;
    out.insert(end, " ON CONFLICT DO NOTHING");
  }
  return out;
}

std::string RoundToInteger(std::string_view expr, Backend backend) {
  // SQLite's round(x) for 0 <= x < 2^63 is (double)(int64)(x + 0.5): FLOOR(x + 0.5) in
  // PostgreSQL (whose round(double precision) rounds half to even).
  if (backend == Backend::kSqlite) return "CAST(ROUND(" + std::string(expr) + ") AS INTEGER)";
  return "CAST(FLOOR(" + std::string(expr) + " + 0.5) AS BIGINT)";
}

std::string InsertionOrder(Backend backend) {
  return backend == Backend::kSqlite ? "rowid" : "input_seq";
}

}  // namespace coderaudit::store
