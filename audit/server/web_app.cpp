#include "audit/server/web_app.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/URI.h>
#include <openssl/crypto.h>
#include <stdlib.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/server/json_writer.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/service/audit_workflow.hpp"
#include "audit/service/results.hpp"
#include "audit/service/service.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/users.hpp"

namespace coderaudit::embedded {
std::string_view web_index_html();
std::string_view web_app_css();
std::string_view web_app_js();
std::string_view web_api_js();
std::string_view web_ui_js();
std::string_view web_manager_js();
std::string_view web_auditor_js();
std::string_view web_coder_js();
}  // namespace coderaudit::embedded

namespace coderaudit::server {

namespace {

using Clock = std::chrono::steady_clock;
using JsonObj = Poco::JSON::Object::Ptr;

struct Asset {
  std::string_view (*bytes)();
  const char* type;
};
const std::map<std::string, Asset, std::less<>>& Assets() {
  static const std::map<std::string, Asset, std::less<>> kAssets = {
      {"index.html", {&embedded::web_index_html, "text/html; charset=utf-8"}},
      {"app.css", {&embedded::web_app_css, "text/css; charset=utf-8"}},
      {"app.js", {&embedded::web_app_js, "text/javascript; charset=utf-8"}},
      {"api.js", {&embedded::web_api_js, "text/javascript; charset=utf-8"}},
      {"ui.js", {&embedded::web_ui_js, "text/javascript; charset=utf-8"}},
      {"manager.js", {&embedded::web_manager_js, "text/javascript; charset=utf-8"}},
      {"auditor.js", {&embedded::web_auditor_js, "text/javascript; charset=utf-8"}},
      {"coder.js", {&embedded::web_coder_js, "text/javascript; charset=utf-8"}},
  };
  return kAssets;
}

// An HTTP status with a message for people: thrown by the handlers below.
struct HttpError {
  int status;
  std::string code, message;
};

WebReply Json(int status, std::string body) {
  WebReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

WebReply ErrorReply(int status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject().Field("code", code).Field("message", message)
      .EndObject().EndObject();
  return Json(status, w.Take());
}

std::string Num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string RandomToken() { return service::RandomBase64Url(32); }

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

int64_t ToInt(const std::string& s, const char* what) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw HttpError{400, "bad_request", std::string(what) + " must be a whole number"};
  return v;
}

JsonObj ParseBody(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(body.empty() ? "{}" : body);
    auto o = v.extract<JsonObj>();
    if (!o) throw HttpError{400, "bad_request", "the body must be a JSON object"};
    return o;
  } catch (const HttpError&) {
    throw;
  } catch (const std::exception&) {
    throw HttpError{400, "bad_request", "the body is not valid JSON"};
  }
}

std::string Str(const JsonObj& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return "";
  return o->getValue<std::string>(key);
}
int64_t IntOf(const JsonObj& o, const std::string& key, int64_t dflt = 0) {
  if (!o->has(key) || o->isNull(key)) return dflt;
  try {
    return o->getValue<Poco::Int64>(key);
  } catch (const std::exception&) {
    throw HttpError{400, "bad_request", key + " must be a whole number"};
  }
}
double DoubleOf(const JsonObj& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return 0;
  try {
    return o->getValue<double>(key);
  } catch (const std::exception&) {
    throw HttpError{400, "bad_request", key + " must be a number"};
  }
}

CodeType TypeOf(const std::string& s) {
  const auto t = ParseCodeType(s);
  if (!t) throw HttpError{400, "bad_request", "code type must be DX, PCS or HCPCS"};
  return *t;
}

service::Recoding RecodingOf(const JsonObj& o) {
  service::Recoding r;
  r.drg = Str(o, "drg");
  if (auto lines = o->getArray("lines")) {
    for (size_t i = 0; i < lines->size(); ++i) {
      const auto l = lines->getObject(static_cast<unsigned>(i));
      if (!l) throw HttpError{400, "bad_request", "lines are objects"};
      service::RecodedLine line;
      line.type = TypeOf(Str(l, "type"));
      line.code = Str(l, "code");
      line.poa = Str(l, "poa");
      line.modifiers = Str(l, "modifiers");
      line.units = DoubleOf(l, "units");
      line.reason = Str(l, "reason");
      line.comment = Str(l, "comment");
      r.lines.push_back(std::move(line));
    }
  }
  if (auto removed = o->getArray("removed")) {
    for (size_t i = 0; i < removed->size(); ++i) {
      const auto l = removed->getObject(static_cast<unsigned>(i));
      if (!l) throw HttpError{400, "bad_request", "removed codes are objects"};
      r.removed.push_back({TypeOf(Str(l, "type")), Str(l, "code"), Str(l, "reason"), Str(l, "comment")});
    }
  }
  return r;
}

void WriteRecoding(JsonWriter& w, const service::Recoding& r) {
  w.BeginObject().Field("drg", r.drg).Key("lines").BeginArray();
  for (const auto& l : r.lines) {
    w.BeginObject().Field("type", ToString(l.type)).Field("code", l.code).Field("poa", l.poa)
        .Field("modifiers", l.modifiers).Key("units").Raw(Num(l.units)).Field("reason", l.reason)
        .Field("comment", l.comment).EndObject();
  }
  w.EndArray().Key("removed").BeginArray();
  for (const auto& s : r.removed)
    w.BeginObject().Field("type", ToString(s.type)).Field("code", s.code).Field("reason", s.reason)
        .Field("comment", s.comment).EndObject();
  w.EndArray().EndObject();
}

void WriteAudit(JsonWriter& w, const service::AuditProgress& p) {
  const auto& a = p.audit;
  w.BeginObject().Field("id", a.audit_id).Field("title", a.title).Field("check_run_id", a.check_run_id)
      .Field("sample_id", a.sample_id).Field("design", a.design).Field("policy", a.policy_name)
      .Field("state", a.state).Field("created_by", a.created_by).Field("created_at", a.created_at)
      .Field("closed_at", a.closed_at).Field("score_run_id", a.score_run_id)
      .Field("final_run_id", a.final_run_id).Field("encounters", p.encounters)
      .Field("unassigned", p.unassigned).Field("drafts", p.drafts).Field("submitted", p.submitted)
      .Field("disputes", p.disputes).Field("decided", p.decided).Key("auditors").BeginArray();
  for (const auto& b : p.auditors)
    w.BeginObject().Field("auditor", b.auditor).Field("assigned", b.assigned).Field("drafts", b.drafts)
        .Field("submitted", b.submitted).EndObject();
  w.EndArray().EndObject();
}

void WriteEncounterRow(JsonWriter& w, const store::QaAuditEncounterRow& e) {
  w.BeginObject().Field("encounter_id", e.encounter_id).Field("position", e.position)
      .Field("coder_id", e.coder_id).Field("auditor", e.auditor).Field("state", e.state)
      .Field("version", e.version).Field("updated_at", e.updated_at).Field("updated_by", e.updated_by)
      .EndObject();
}

void WriteChange(JsonWriter& w, const service::AuditChange& c) {
  const auto& d = c.diff;
  w.BeginObject().Field("index", c.index).Field("code_type", qa::ToString(d.code_type))
      .Field("line", static_cast<int64_t>(d.line)).Field("coder_code", d.coder_code)
      .Field("auditor_code", d.auditor_code).Field("outcome", qa::ToString(d.outcome))
      .Field("detail", d.detail).Field("principal", d.principal)
      .Field("direction", qa::ToString(d.direction)).Field("reason", d.reason)
      .Field("comment", d.comment).Field("rebuttal", c.response.rebuttal)
      .Field("coder_comment", c.response.coder_comment).Field("decision", c.response.decision)
      .Field("decision_note", c.response.decision_note).EndObject();
}

void WriteInterval(JsonWriter& w, std::string_view key, const qa::Interval& i) {
  w.Key(key).BeginArray().Raw(Num(i.low)).Raw(Num(i.high)).EndArray();
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A workbook written by a service into a private folder, returned as the reply's body.
template <typename Fn>
WebReply Download(const std::string& filename, Fn&& write) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "coderaudit-web-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw SystemError("cannot make a temporary folder");
  const std::string path = tmpl + "/" + filename;
  WebReply r;
  try {
    write(path);
    r.body = ReadWhole(path);
  } catch (...) {
    std::filesystem::remove_all(tmpl);
    throw;
  }
  std::filesystem::remove_all(tmpl);
  r.content_type = filename.ends_with(".csv") ? "text/csv; charset=utf-8"
                   : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  r.headers.push_back({"Content-Disposition", "attachment; filename=\"" + filename + "\""});
  return r;
}

}  // namespace

struct WebApp::Impl {
  WebOptions opt;
  struct Session {
    service::Actor actor;
    std::string csrf;
    Clock::time_point created, last;
  };
  std::mutex mutex;
  std::map<std::string, Session> sessions;   // by the SHA-256 of the cookie's id

  std::optional<std::pair<std::string, Session>> Find(const Poco::Net::HTTPRequest& req) {
    std::string id;
    const std::string cookie = req.get("Cookie", "");
    for (size_t i = 0; i < cookie.size();) {
      size_t j = cookie.find(';', i);
      if (j == std::string::npos) j = cookie.size();
      std::string part = cookie.substr(i, j - i);
      while (!part.empty() && part.front() == ' ') part.erase(0, 1);
      if (part.starts_with("ca_session=")) id = part.substr(11);
      i = j + 1;
    }
    if (id.empty()) return std::nullopt;
    const std::string key = Sha256Hex(id);
    std::lock_guard lock(mutex);
    auto it = sessions.find(key);
    if (it == sessions.end()) return std::nullopt;
    const auto now = Clock::now();
    if (now - it->second.last > std::chrono::minutes(opt.idle_minutes) ||
        now - it->second.created > std::chrono::hours(opt.absolute_hours)) {
      sessions.erase(it);
      return std::nullopt;
    }
    it->second.last = now;
    return std::make_pair(key, it->second);
  }

  std::string Cookie(const std::string& value, bool clear) const {
    std::string c = "ca_session=" + value + "; Path=/app; HttpOnly; SameSite=Strict";
    if (opt.tls) c += "; Secure";
    if (clear) c += "; Max-Age=0";
    return c;
  }

  WebReply Api(const Poco::Net::HTTPRequest& req, const std::string& body,
               const std::vector<std::string>& seg, const Poco::URI& uri,
               const refdata::RefData* tables);
};

WebApp::WebApp(WebOptions options) : impl_(std::make_unique<Impl>()) { impl_->opt = std::move(options); }
WebApp::~WebApp() = default;

bool WebApp::Owns(const std::string& path) {
  return path == "/" || path == "/app" || path.starts_with("/app/");
}

const std::vector<std::pair<std::string, std::string>>& WebApp::SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
  };
  return kHeaders;
}

WebReply WebApp::Handle(const Poco::Net::HTTPRequest& req, const std::string& body,
                        const refdata::RefData* tables) {
  WebReply reply;
  try {
    Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    const auto seg = Segments(path);
    const std::string& method = req.getMethod();
    if (seg.size() >= 2 && seg[1] == "api") {
      reply = impl_->Api(req, body, seg, uri, tables);
    } else if (method != "GET" && method != "HEAD") {
      reply = ErrorReply(405, "method_not_allowed", "pages are read with GET");
    } else if (seg.empty()) {
      reply.status = 303;
      reply.headers.push_back({"Location", "/app/"});
    } else {
      const std::string name = seg.size() == 1 ? "index.html" : seg[1];
      const auto& assets = Assets();
      const auto it = seg.size() <= 2 ? assets.find(name) : assets.end();
      if (it == assets.end()) {
        reply = ErrorReply(404, "not_found", "no such page");
      } else {
        reply.body = std::string(it->second.bytes());
        reply.content_type = it->second.type;
      }
    }
  } catch (const HttpError& e) {
    reply = ErrorReply(e.status, e.code, e.message);
  } catch (const service::ForbiddenError& e) {
    reply = ErrorReply(403, "forbidden", e.what());
  } catch (const service::ConflictError& e) {
    reply = ErrorReply(409, "conflict", e.what());
  } catch (const InputError& e) {
    reply = ErrorReply(400, "bad_request", e.what());
  } catch (const Poco::Exception& e) {
    reply = ErrorReply(400, "bad_request", e.displayText());
  } catch (const std::exception&) {
    reply = ErrorReply(500, "internal", "internal error; nothing was changed");
  }
  for (const auto& h : SecurityHeaders()) reply.headers.push_back(h);
  return reply;
}

WebReply WebApp::Impl::Api(const Poco::Net::HTTPRequest& req, const std::string& body,
                           const std::vector<std::string>& seg, const Poco::URI& uri,
                           const refdata::RefData* tables) {
  const std::string& method = req.getMethod();
  const bool changes = method != "GET" && method != "HEAD";
  if (opt.db_path.empty()) throw HttpError{404, "no_store", "the server runs without --db: no users"};
  // A browser names the page's origin on every cross-origin request and on same-origin
  // POSTs: it must be this server.
  if (changes) {
    const std::string origin = req.get("Origin", "");
    const std::string host = req.get("Host", "");
    if (!origin.empty() && origin != "http://" + host && origin != "https://" + host)
      throw HttpError{403, "bad_origin", "the request comes from another site"};
  }
  const std::vector<std::string> r(seg.begin() + 2, seg.end());   // after /app/api
  auto query = [&](const std::string& k) {
    for (const auto& [key, v] : uri.getQueryParameters())
      if (key == k) return v;
    return std::string();
  };
  auto session_json = [](const Session& s) {
    JsonWriter w;
    w.BeginObject().Field("name", s.actor.name).Field("role", service::ToString(s.actor.role))
        .Field("coder_id", s.actor.coder_id).Field("csrf", s.csrf).EndObject();
    return w.Take();
  };
  if (r.size() == 1 && r[0] == "session" && method == "POST") {
    if (req.get("X-Requested-With", "") != "coderaudit")
      throw HttpError{403, "csrf", "send X-Requested-With: coderaudit"};
    const auto in = ParseBody(body);
    const auto actor = service::Login(opt.db_path, Str(in, "name"), Str(in, "password"));
    Session s;
    s.actor = actor;
    s.csrf = RandomToken();
    s.created = s.last = Clock::now();
    const std::string id = RandomToken();
    {
      std::lock_guard lock(mutex);
      // Expired sessions go first; beyond 10,000 open ones the oldest.
      const auto now = Clock::now();
      std::erase_if(sessions, [&](const auto& kv) {
        return now - kv.second.last > std::chrono::minutes(opt.idle_minutes) ||
               now - kv.second.created > std::chrono::hours(opt.absolute_hours);
      });
      if (sessions.size() >= 10000) {
        auto oldest = sessions.begin();
        for (auto it = sessions.begin(); it != sessions.end(); ++it)
          if (it->second.created < oldest->second.created) oldest = it;
        sessions.erase(oldest);
      }
      sessions[Sha256Hex(id)] = s;
    }
    WebReply reply = Json(200, session_json(s));
    reply.headers.push_back({"Set-Cookie", Cookie(id, false)});
    return reply;
  }
  const auto found = Find(req);
  if (!found) throw HttpError{401, "unauthenticated", "log in first (your session may have expired)"};
  Session s = found->second;
  if (changes && !SameSecret(req.get("X-CSRF-Token", ""), s.csrf))
    throw HttpError{403, "csrf", "missing or wrong X-CSRF-Token"};
  // The user as the store has them now: disabled (or deleted) ends the session, a new
  // role applies at once.
  const auto now_actor = service::SessionActor(opt.db_path, s.actor);
  if (!now_actor) {
    std::lock_guard lock(mutex);
    sessions.erase(found->first);
    throw HttpError{401, "unauthenticated", "this user can no longer log in"};
  }
  s.actor = *now_actor;
  const service::Actor& actor = s.actor;
  const std::string& db = opt.db_path;
  JsonWriter w;
  if (r.size() == 1 && r[0] == "session") {
    if (method == "GET") return Json(200, session_json(s));
    if (method == "DELETE") {
      {
        std::lock_guard lock(mutex);
        sessions.erase(found->first);
      }
      WebReply reply = Json(200, "{\"logged_out\":true}");
      reply.headers.push_back({"Set-Cookie", Cookie("", true)});
      return reply;
    }
  }
  if (r.size() == 1 && r[0] == "reasons" && method == "GET") {
    w.BeginArray();
    for (const auto& rc : service::AuditReasons())
      w.BeginObject().Field("code", rc.code).Field("label", rc.label).EndObject();
    w.EndArray();
    return Json(200, w.Take());
  }
  if (r.size() == 1 && r[0] == "codes" && method == "GET") {
    // The auditor's look-up: validity on the date of service in the loaded tables, and
    // the code's description from them.
    service::Authorize(actor, service::Operation::kRecodeAudit);
    w.BeginObject().Field("tables", tables != nullptr);
    if (tables && !query("code").empty()) {
      const auto type = ParseCodeType(query("type"));
      const auto on = ParseIsoDate(query("date"));
      if (!type || !on) throw HttpError{400, "bad_request", "type DX|PCS|HCPCS and date YYYY-MM-DD"};
      const auto v = service::CheckCodeOn(*tables, *type, query("code"), *on);
      w.Field("table_in_force", v.table_in_force).Field("table", v.table).Field("valid", v.valid)
          .Field("message", v.message).Field("description", v.description);
    }
    w.EndObject();
    return Json(200, w.Take());
  }
  if (r.size() == 1 && r[0] == "runs" && method == "GET") {
    w.BeginArray();
    for (const auto& run : service::ListRuns(db, actor))
      if (run.kind == "check")
        w.BeginObject().Field("run_id", run.run_id).Field("started_at", run.started_at)
            .Field("encounters", run.encounters_processed).Field("findings", run.findings)
            .Field("rule_set", run.rule_set_name + " " + run.rule_set_version).EndObject();
    w.EndArray();
    return Json(200, w.Take());
  }
  if (r.size() == 1 && r[0] == "auditors" && method == "GET") {
    w.BeginArray();
    for (const auto& n : service::ListAuditors(db, actor)) w.String(n);
    w.EndArray();
    return Json(200, w.Take());
  }
  if (r.size() == 1 && r[0] == "audits") {
    if (method == "GET") {
      w.BeginArray();
      for (const auto& p : service::ListAudits(db, actor)) WriteAudit(w, p);
      w.EndArray();
      return Json(200, w.Take());
    }
    if (method == "POST") {
      const auto in = ParseBody(body);
      service::CreateAuditOptions o;
      o.title = Str(in, "title");
      o.check_run_id = IntOf(in, "check_run_id");
      const auto design = sampling::ParseSampleDesign(Str(in, "design"));
      if (!design) throw HttpError{400, "bad_request", "design is simple, stratified, quota or targeted"};
      o.spec.design = *design;
      o.spec.seed = Str(in, "seed");
      o.spec.n = static_cast<uint64_t>(std::max<int64_t>(0, IntOf(in, "n")));
      o.spec.stratify_by = Str(in, "stratify_by");
      if (!Str(in, "allocation").empty()) o.spec.allocation = Str(in, "allocation");
      if (!Str(in, "period").empty()) o.spec.period = Str(in, "period");
      o.spec.per_coder = static_cast<uint64_t>(std::max<int64_t>(0, IntOf(in, "per_coder")));
      o.spec.target_rule = Str(in, "target_rule");
      o.policy_text = Str(in, "policy_text");
      o.policy_file = Str(in, "policy_file");
      if (auto a = in->getArray("auditors"))
        for (size_t i = 0; i < a->size(); ++i) o.auditors.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
      const int64_t id = service::CreateAudit(db, o, actor);
      w.BeginObject().Field("id", id).EndObject();
      return Json(201, w.Take());
    }
  }
  if (r.size() >= 2 && r[0] == "audits") {
    const int64_t id = ToInt(r[1], "audit id");
    if (r.size() == 2 && method == "GET") {
      WriteAudit(w, service::LoadAuditProgress(db, id, actor));
      return Json(200, w.Take());
    }
    const std::string what = r[2];
    if (r.size() == 3 && what == "encounters" && method == "GET") {
      store::QaEncounterFilter f;
      f.offset = query("offset").empty() ? 0 : ToInt(query("offset"), "offset");
      f.limit = query("limit").empty() ? 50 : ToInt(query("limit"), "limit");
      f.state = query("state");
      f.coder_id = query("coder");
      f.auditor = query("auditor");
      f.text = query("q");
      const auto page = service::ListAuditEncounters(db, id, f, actor);
      w.BeginObject().Field("total", page.total).Field("offset", f.offset).Field("limit", f.limit)
          .Key("rows").BeginArray();
      for (const auto& e : page.rows) WriteEncounterRow(w, e);
      w.EndArray().EndObject();
      return Json(200, w.Take());
    }
    if (r.size() == 3 && what == "assign" && method == "POST") {
      const auto in = ParseBody(body);
      std::vector<std::string> ids;
      if (auto a = in->getArray("encounters"))
        for (size_t i = 0; i < a->size(); ++i) ids.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
      const int64_t n = service::AssignEncounters(db, id, ids, Str(in, "auditor"), actor);
      w.BeginObject().Field("assigned", n).EndObject();
      return Json(200, w.Take());
    }
    if (r.size() == 3 && what == "disputes" && method == "GET") {
      w.BeginArray();
      for (const auto& d : service::ListDisputes(db, id, actor)) {
        w.BeginObject().Field("encounter_id", d.row.encounter_id).Field("coder_id", d.row.coder_id)
            .Field("auditor", d.row.auditor).Key("change");
        WriteChange(w, d.change);
        w.EndObject();
      }
      w.EndArray();
      return Json(200, w.Take());
    }
    if (r.size() == 3 && what == "close" && method == "POST") {
      const auto c = service::CloseAudit(db, id, actor);
      w.BeginObject().Field("score_run_id", c.score_run_id).Field("final_run_id", c.final_run_id)
          .Field("scored_encounters", c.scored_encounters).Field("left_out", c.left_out).EndObject();
      return Json(200, w.Take());
    }
    if (r.size() == 3 && (what == "scores" || what == "workbook" || what == "findings" ||
                          what == "auditor.csv") && method == "GET") {
      const auto p = service::LoadAuditProgress(db, id, actor);
      if (what == "findings")
        return Download("audit-" + std::to_string(id) + "-findings.xlsx", [&](const std::string& path) {
          service::WriteFindingsReport(db, p.audit.check_run_id, HoldPolicy::Default(), path, nullptr, actor);
        });
      if (what == "auditor.csv") {
        WebReply reply;
        reply.body = service::AuditorCsv(db, id, actor);
        reply.content_type = "text/csv; charset=utf-8";
        reply.headers.push_back({"Content-Disposition", "attachment; filename=\"audit-" + std::to_string(id) + "-auditor.csv\""});
        return reply;
      }
      if (p.audit.final_run_id == 0) throw HttpError{409, "not_closed", "the audit is scored when it is closed"};
      if (what == "workbook")
        return Download("audit-" + std::to_string(id) + "-accuracy.xlsx", [&](const std::string& path) {
          service::WriteAccuracyReport(db, p.audit.final_run_id, service::ReportOptions{}, path, actor);
        });
      const auto report = service::LoadReport(db, p.audit.final_run_id, service::ReportOptions{}, actor);
      const auto& pol = report.policy;
      w.BeginObject().Field("score_run_id", p.audit.score_run_id).Field("final_run_id", p.audit.final_run_id)
          .Key("policy").BeginObject().Field("id", pol.id).Field("version", pol.version)
          .Field("title", pol.title).Field("interval", qa::ToString(pol.interval))
          .Key("confidence").Raw(Num(pol.confidence)).Field("metric", qa::ToString(pol.pass_metric))
          .Field("compare", qa::ToString(pol.pass_compare)).EndObject();
      w.Key("coders").BeginArray();
      for (const auto& c : report.coders) {
        w.BeginObject().Field("coder_id", c.coder_id).Field("encounters", static_cast<int64_t>(c.encounters))
            .Field("codes", static_cast<int64_t>(c.codes_reviewed)).Field("errors", static_cast<int64_t>(c.errors))
            .Key("weighted_errors").Raw(Num(c.weighted_errors)).Key("code_accuracy").Raw(Num(c.code_accuracy));
        WriteInterval(w, "code_interval", c.code_interval);
        w.Key("claim_accuracy").Raw(Num(c.claim_accuracy));
        WriteInterval(w, "claim_interval", c.claim_interval);
        w.Field("drg_encounters", static_cast<int64_t>(c.drg_encounters)).Key("drg_accuracy").Raw(Num(c.drg_accuracy))
            .Field("over_coded", static_cast<int64_t>(c.over_coded)).Field("under_coded", static_cast<int64_t>(c.under_coded))
            .Field("overpayment_cents", c.overpayment_cents).Field("underpayment_cents", c.underpayment_cents)
            .Field("rebutted", static_cast<int64_t>(c.rebutted)).Field("overturned", static_cast<int64_t>(c.overturned))
            .Key("benchmark").Raw(Num(c.benchmark)).Field("pass", c.pass).Key("by_outcome").BeginObject();
        for (size_t o = 1; o < qa::kOutcomeCount; ++o)
          w.Field(qa::ToString(static_cast<qa::Outcome>(o)), static_cast<int64_t>(c.by_outcome[o]));
        w.EndObject().EndObject();
      }
      w.EndArray().Key("trend").BeginArray();
      for (const auto& t : report.trend)
        w.BeginObject().Field("coder_id", t.coder_id).Field("period", t.period)
            .Field("codes", static_cast<int64_t>(t.codes_reviewed)).Key("code_accuracy").Raw(Num(t.code_accuracy))
            .EndObject();
      w.EndArray().Field("trend_period", report.trend_period).EndObject();
      return Json(200, w.Take());
    }
    if (r.size() >= 4 && what == "encounters") {
      const std::string& enc = r[3];
      if (r.size() == 4 && method == "GET") {
        const auto v = service::LoadAuditEncounter(db, id, enc, actor);
        w.BeginObject().Field("audit_id", id).Field("audit_state", v.audit.state).Key("row");
        WriteEncounterRow(w, v.row);
        const auto& e = v.coder;
        w.Key("encounter").BeginObject().Field("id", e.id).Field("claim_type", ToString(e.claim_type))
            .Field("from_date", ToIso(e.from_date)).Field("through_date", ToIso(e.through_date))
            .Field("provider_id", e.provider_id).Field("coder_id", e.coder_id).Field("payer", e.payer)
            .Field("drg", e.drg).EndObject();
        // The coder's codes as the auditor's version shows them (the same shape).
        w.Key("coder");
        WriteRecoding(w, service::CopyOf(e));
        w.Key("auditor");
        WriteRecoding(w, v.recoding);
        w.Key("changes").BeginArray();
        for (const auto& c : v.changes) WriteChange(w, c);
        w.EndArray().Key("findings").BeginArray();
        for (const auto& f : v.findings)
          w.BeginObject().Field("rule_id", f.finding.rule_id).Field("message", f.finding.message)
              .Field("lines", f.finding.lines.empty() ? std::string() : [&] {
                std::string t;
                for (auto l : f.finding.lines) t += (t.empty() ? "" : " ") + std::to_string(l);
                return t;
              }()).EndObject();
        w.EndArray().EndObject();
        return Json(200, w.Take());
      }
      if (r.size() == 4 && method == "PUT") {
        const auto in = ParseBody(body);
        const auto rec = in->getObject("recoding");
        if (!rec) throw HttpError{400, "bad_request", "send the recoding"};
        const int64_t v = service::SaveRecoding(db, id, enc, IntOf(in, "version", -1), RecodingOf(rec),
                                                in->has("submit") && in->getValue<bool>("submit"), actor);
        w.BeginObject().Field("version", v).EndObject();
        return Json(200, w.Take());
      }
      if (r.size() == 7 && r[4] == "changes" && method == "POST") {
        const int64_t change = ToInt(r[5], "change");
        const auto in = ParseBody(body);
        if (r[6] == "answer")
          service::AnswerChange(db, id, enc, change, Str(in, "rebuttal"), Str(in, "comment"), actor);
        else if (r[6] == "decision")
          service::DecideChange(db, id, enc, change, Str(in, "decision"), Str(in, "note"), actor);
        else
          throw HttpError{404, "not_found", "no such endpoint"};
        return Json(200, "{\"saved\":true}");
      }
    }
  }
  throw HttpError{404, "not_found", "no such endpoint"};
}

}  // namespace coderaudit::server
