#include "audit/server/server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "audit/service/access.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/service/claim_check.hpp"
#include "audit/service/service.hpp"
#include "audit/model/error.hpp"
#include "audit/server/api_json.hpp"
#include "audit/server/claim_body.hpp"
#include "audit/server/http_front.hpp"
#include "audit/server/results_routes.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/trail.hpp"
#include "rules/rule_program.hpp"

namespace coderaudit::embedded {
std::string_view server_openapi_json();
}

namespace coderaudit::server {

namespace {

using Clock = std::chrono::steady_clock;
using Poco::Net::HTTPResponse;

// What a request sees for its whole life: the rules it started with.
struct Snapshot {
  std::shared_ptr<const service::CompiledRules> rules;
  std::shared_ptr<const service::ClaimChecker> checker;
};

struct Reply {
  Reply() = default;
  Reply(int s, std::string b) : status(s), body(std::move(b)) {}
  int status = 200;
  std::string body;
  bool close = false;   // the request body was not read: the connection cannot be reused
  std::string allow;    // for 405
  int retry_after = 0;  // seconds, for 503
};

// Poll state of one POST /v1/runs batch.
struct Job {
  std::string state = "queued";   // queued | running | done | failed
  int64_t run_id = 0;
  std::string error;
  int64_t claims = 0;
};

// A bounded queue of batches checked and stored by its own workers (RunCheck), so large
// batches never hold request threads.
class JobQueue {
 public:
  JobQueue(size_t workers, size_t capacity) : capacity_(capacity) {
    for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i)
      threads_.emplace_back([this] { Work(); });
  }
  ~JobQueue() { Drain(); }
  // nullopt: the queue is full.
  std::optional<int64_t> Submit(std::function<int64_t()> fn, int64_t claims) {
    std::lock_guard lock(mutex_);
    if (stopping_ || pending_.size() >= capacity_) return std::nullopt;
    const int64_t id = ++next_id_;
    jobs_[id].claims = claims;
    pending_.push_back({id, std::move(fn)});
    if (jobs_.size() > 10000) jobs_.erase(jobs_.begin());
    cv_.notify_one();
    return id;
  }
  std::optional<Job> Get(int64_t id) {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return it->second;
  }
  // Finishes every queued batch, then stops the workers.
  void Drain() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      cv_.notify_all();
    }
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

 private:
  void Work() {
    for (;;) {
      std::pair<int64_t, std::function<int64_t()>> item;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;
        item = std::move(pending_.front());
        pending_.pop_front();
        jobs_[item.first].state = "running";
      }
      Job result;
      try {
        result.run_id = item.second();
        result.state = "done";
      } catch (const std::exception& e) {
        result.state = "failed";
        result.error = e.what();
      }
      std::lock_guard lock(mutex_);
      auto& j = jobs_[item.first];
      j.state = result.state;
      j.run_id = result.run_id;
      j.error = result.error;
    }
  }
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<int64_t, std::function<int64_t()>>> pending_;
  std::map<int64_t, Job> jobs_;
  int64_t next_id_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// "/v1/runs/7/findings" -> {"v1","runs","7","findings"}
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const size_t j = path.find('/', i);
    if (i < path.size()) out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

std::optional<int64_t> ParseId(std::string_view s) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

struct Server::Impl {
  ServerOptions opt;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot;
  std::mutex reload_mutex;
  std::unique_ptr<service::TokenVerifier> tokens;
  std::unique_ptr<JobQueue> jobs;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> http;    // TLS
  std::unique_ptr<Poco::Net::ServerSocket> plain;  // plain HTTP, served by `front`
  std::unique_ptr<HttpFront> front;
  std::mutex log_mutex;
  bool stopped = false;

  std::shared_ptr<const Snapshot> Compile() const {
    auto s = std::make_shared<Snapshot>();
    s->rules = service::CompileRules(opt.rules_path, opt.refdata_dir);
    s->checker = std::make_shared<service::ClaimChecker>(s->rules, opt.hold);
    return s;
  }

  // One request, start to end. Everything below this function is pure service calls.
  // What the access log says of one request.
  struct Meta {
    std::string path_template = "(unmatched)";
    int64_t bytes_in = 0, claims = 0, findings = 0, token_id = 0;
  };
  // TLS (Poco's HTTPServer, a thread per connection): reads the body, then Answer.
  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);
  // Plain HTTP (HttpFront): the request arrives whole; returns the serialized response.
  std::string Respond(const Poco::Net::HTTPRequest& req, const std::string& body, bool& close);
  std::string FrontError(int status, const std::string& message);
  // One whole request: Route, with every error turned into an answer.
  Reply Answer(const Poco::Net::HTTPRequest& req, const std::string& body, const Snapshot& snap,
               Meta& meta);
  void Decorate(HTTPResponse& resp, const Reply& reply, const Snapshot& snap) const;
  Reply Route(const Poco::Net::HTTPRequest& req, const std::string& body, const Snapshot& snap,
              Meta& meta);
  Reply Check(const Poco::Net::HTTPRequest& req, const std::string& body, const Snapshot& snap,
              const Poco::URI& uri, Meta& meta, const service::Actor& actor);
  Reply SubmitRun(const Poco::Net::HTTPRequest& req, const std::string& body, const Snapshot& snap,
                  Meta& meta, const service::Actor& actor);
  // "ruleset.loaded" in the store's trail (start and reload), when there is a store.
  void RecordRulesLoaded(const Snapshot& snap, const service::Actor& actor) const {
    if (opt.db_path.empty()) return;
    service::Record(opt.db_path,
                    service::MakeEvent(actor, "ruleset.loaded", "ruleset:" + snap.rules->program->Name(), 0,
                                       "{}",
                                       service::JsonObject().Str("name", snap.rules->program->Name())
                                           .Str("version", snap.rules->program->Version())
                                           .Str("sha256", snap.rules->program->Hash()).Text()));
  }
  Reply Poll(int64_t job_id, const Snapshot& snap);
  // Reads the body within max_body and request_timeout; a Reply when it cannot.
  std::optional<Reply> ReadBody(Poco::Net::HTTPServerRequest& req, const Snapshot& snap,
                                std::string& body);
  void Log(const Poco::Net::HTTPRequest& req, const Meta& meta, int status, int64_t bytes_out,
           double ms);
};

namespace {

Reply Error(int status, std::string_view code, std::string_view message, const Snapshot& snap) {
  return {status, ErrorBody(code, message, snap.rules.get())};
}

Reply UnsupportedMediaType(const Snapshot& snap) {
  return Error(415, "unsupported_media_type",
               "Content-Type must be application/json (the JSON claim model), "
               "application/fhir+json, application/edi-x12 (or text/plain starting with ISA) "
               "or text/csv",
               snap);
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Server::Impl& impl) : impl_(impl) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    impl_.Handle(req, resp);
  }

 private:
  Server::Impl& impl_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Server::Impl& impl) : impl_(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(impl_);
  }

 private:
  Server::Impl& impl_;
};

std::string QueryValue(const Poco::URI& uri, const std::string& name) {
  for (const auto& [k, v] : uri.getQueryParameters())
    if (k == name) return v;
  return "";
}

std::optional<Page> PageOf(const Poco::URI& uri) {
  Page page;
  for (const auto& [k, v] : uri.getQueryParameters()) {
    int64_t n = -1;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    const bool ok = ec == std::errc() && p == v.data() + v.size() && n >= 0;
    if (k == "offset") {
      if (!ok) return std::nullopt;
      page.offset = n;
    } else if (k == "limit") {
      if (!ok || n < 1 || n > 1000) return std::nullopt;
      page.limit = n;
    }
  }
  return page;
}

}  // namespace

void Server::Impl::Log(const Poco::Net::HTTPRequest& req, const Meta& meta, int status,
                       int64_t bytes_out, double ms) {
  if (!opt.access_log) return;
  JsonWriter w;
  w.BeginObject()
      .Field("time", service::NowIso())
      .Field("method", req.getMethod().substr(0, 16))
      .Field("path", meta.path_template)
      .Field("status", status)
      .Field("bytes_in", meta.bytes_in)
      .Field("bytes_out", bytes_out)
      .Field("claims", meta.claims)
      .Field("findings", meta.findings)
      .Field("duration_ms", static_cast<int64_t>(ms * 1000) / 1000)
      .Key("duration_us").Int(static_cast<int64_t>(ms * 1000))
      .Key("token");
  if (meta.token_id > 0) w.Int(meta.token_id); else w.Null();
  w.EndObject();
  std::lock_guard lock(log_mutex);
  *opt.access_log << w.Str() << '\n' << std::flush;
}

Reply Server::Impl::Answer(const Poco::Net::HTTPRequest& req, const std::string& body,
                           const Snapshot& snap, Meta& meta) {
  try {
    return Route(req, body, snap, meta);
  } catch (const service::ForbiddenError& e) {
    return Error(403, "forbidden", e.what(), snap);
  } catch (const service::RuleSetError& e) {
    std::string msg = e.what();
    for (const auto& i : e.Issues()) msg += "\n" + Describe(i);
    return Error(422, "invalid_rules", msg, snap);
  } catch (const InputError& e) {
    return Error(400, "bad_request", e.what(), snap);
  } catch (const Poco::Net::NetException& e) {
    Reply reply = Error(400, "bad_request", e.displayText(), snap);
    reply.close = true;
    return reply;
  } catch (const std::bad_alloc&) {
    return Error(503, "overloaded", "out of memory for this request", snap);
  } catch (const std::exception&) {
    // A system failure: logged by status only (the message may name files).
    return Error(500, "internal", "internal error; the request was not completed", snap);
  }
}

void Server::Impl::Decorate(HTTPResponse& resp, const Reply& reply, const Snapshot& snap) const {
  resp.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(reply.status));
  resp.setContentType("application/json");
  resp.set("X-Ruleset-Sha256", snap.rules->program->Hash());
  resp.set("Cache-Control", "no-store");
  resp.set("X-Content-Type-Options", "nosniff");
  if (!reply.allow.empty()) resp.set("Allow", reply.allow);
  if (reply.status == 401) resp.set("WWW-Authenticate", "Bearer realm=\"coderaudit\"");
  if (reply.retry_after > 0) resp.set("Retry-After", std::to_string(reply.retry_after));
  if (reply.close) resp.setKeepAlive(false);
  resp.setContentLength(static_cast<std::streamsize>(reply.body.size()));
}

void Server::Impl::Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
  const auto started = Clock::now();
  // The snapshot this request keeps to its end, whatever reload does meanwhile.
  const std::shared_ptr<const Snapshot> snap = snapshot.load();
  Meta meta;
  std::string body;
  Reply reply;
  try {
    if (auto early = ReadBody(req, *snap, body)) reply = *early;
    else reply = Answer(req, body, *snap, meta);
  } catch (const std::exception&) {
    reply = Error(400, "bad_request", "the request could not be read", *snap);
    reply.close = true;
  }
  Decorate(resp, reply, *snap);
  try {
    resp.send() << reply.body;
  } catch (const std::exception&) {
    // The client went away: nothing to answer.
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  Log(req, meta, reply.status, static_cast<int64_t>(reply.body.size()), ms);
}

std::string Server::Impl::Respond(const Poco::Net::HTTPRequest& req, const std::string& body,
                                  bool& close) {
  const auto started = Clock::now();
  const std::shared_ptr<const Snapshot> snap = snapshot.load();
  Meta meta;
  const Reply reply = Answer(req, body, *snap, meta);
  HTTPResponse resp;
  resp.setVersion(HTTPResponse::HTTP_1_1);
  Decorate(resp, reply, *snap);
  resp.setKeepAlive(!reply.close && req.getKeepAlive());
  close = !resp.getKeepAlive();
  std::ostringstream out;
  resp.write(out);
  out << reply.body;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  Log(req, meta, reply.status, static_cast<int64_t>(reply.body.size()), ms);
  return out.str();
}

std::string Server::Impl::FrontError(int status, const std::string& message) {
  const std::shared_ptr<const Snapshot> snap = snapshot.load();
  static const std::map<int, std::string_view> kCodes = {
      {400, "bad_request"}, {408, "request_timeout"}, {411, "length_required"},
      {413, "body_too_large"}, {431, "headers_too_large"}, {500, "internal"},
      {503, "overloaded"}};
  const auto code = kCodes.find(status);
  Reply reply = Error(status, code == kCodes.end() ? "error" : code->second, message, *snap);
  reply.close = true;
  HTTPResponse resp;
  resp.setVersion(HTTPResponse::HTTP_1_1);
  Decorate(resp, reply, *snap);
  std::ostringstream out;
  resp.write(out);
  out << reply.body;
  Poco::Net::HTTPRequest what("-", "(front)");
  Meta meta;
  meta.path_template = "(connection)";
  Log(what, meta, status, static_cast<int64_t>(reply.body.size()), 0);
  return out.str();
}

Reply Server::Impl::Route(const Poco::Net::HTTPRequest& req, const std::string& body,
                          const Snapshot& snap, Meta& meta) {
  if (req.size() > opt.max_headers) {
    meta.path_template = "(headers)";
    Reply r = Error(431, "too_many_headers",
                    "at most " + std::to_string(opt.max_headers) + " header fields", snap);
    r.close = true;
    return r;
  }
  Poco::URI uri;
  try {
    uri = Poco::URI(req.getURI());
  } catch (const Poco::Exception&) {
    Reply r = Error(400, "bad_request", "malformed request target", snap);
    r.close = true;
    return r;
  }
  const auto seg = Segments(uri.getPath());
  const std::string& method = req.getMethod();
  // The route table: method, template, action (nullopt: no authentication).
  struct Match {
    std::string method, templ;
    std::optional<service::Operation> action;
  };
  std::optional<Match> m;
  int64_t run_id = 0, job_id = 0;
  const size_t n = seg.size();
  if (n >= 2 && seg[0] == "v1") {
    const std::string& a = seg[1];
    if (n == 2 && a == "health") m = Match{"GET", "/v1/health", std::nullopt};
    else if (n == 2 && a == "version") m = Match{"GET", "/v1/version", service::Operation::kInfo};
    else if (n == 2 && a == "openapi.json") m = Match{"GET", "/v1/openapi.json", service::Operation::kInfo};
    else if (n == 2 && a == "me") m = Match{"GET", "/v1/me", service::Operation::kInfo};
    else if (n == 2 && a == "trail") m = Match{"GET", "/v1/trail", service::Operation::kReadTrail};
    else if (n == 2 && a == "check") m = Match{"POST", "/v1/check", service::Operation::kCheckClaims};
    else if (n == 3 && a == "admin" && seg[2] == "reload")
      m = Match{"POST", "/v1/admin/reload", service::Operation::kReloadRules};
    else if (n == 2 && a == "runs")
      m = method == "POST" ? Match{"POST", "/v1/runs", service::Operation::kCheckClaims}
                           : Match{"GET", "/v1/runs", service::Operation::kReadRuns};
    else if (n == 3 && a == "runs" && seg[2].starts_with("job-")) {
      m = Match{"GET", "/v1/runs/job-{id}", service::Operation::kPollJob};
      job_id = ParseId(std::string_view(seg[2]).substr(4)).value_or(0);
    } else if (n >= 3 && n <= 4 && a == "runs") {
      const std::string tail = n == 4 ? seg[3] : "";
      if (tail.empty() || tail == "findings" || tail == "holds") {
        m = Match{"GET", "/v1/runs/{id}" + (tail.empty() ? "" : "/" + tail),
                  tail.empty() ? service::Operation::kReadRuns : service::Operation::kReadFindings};
        run_id = ParseId(seg[2]).value_or(0);
      }
    }
  }
  if (!m) return Error(404, "not_found", "no such endpoint (see /v1/openapi.json)", snap);
  meta.path_template = m->templ;
  if (method != m->method) {
    Reply r = Error(405, "method_not_allowed", m->templ + " takes " + m->method, snap);
    r.allow = m->method;
    r.close = method == "POST" || method == "PUT";
    return r;
  }
  // Authentication (401) before authorization (403), both before any body is read. Without
  // --no-auth every request acts as its token's user (narrowed by the token's scope);
  // with it, as the local operator. The service layer authorises again.
  service::Actor actor = service::Actor::Local();
  actor.name = "server:" + actor.name.substr(4) + " (no auth)";
  if (m->action && opt.auth) {
    const std::string header = req.get("Authorization", "");
    if (header.size() < 8 || Lower(header.substr(0, 7)) != "bearer ") {
      Reply r = Error(401, "unauthenticated", "send Authorization: Bearer <token> (coderaudit token create)", snap);
      r.close = method == "POST";
      return r;
    }
    bool busy = false;
    const auto who = tokens->Verify(std::string_view(header).substr(7), &busy);
    if (busy) {
      Reply r = Error(503, "auth_busy", "another token is being verified; retry in a second", snap);
      r.retry_after = 1;
      return r;
    }
    if (!who) {
      Reply r = Error(401, "unauthenticated", "the token is unknown, revoked or malformed", snap);
      r.close = method == "POST";
      return r;
    }
    meta.token_id = who->token_id;
    actor = who->actor;
    if (!actor.Can(*m->action)) {
      Reply r;
      try {
        service::Authorize(actor, *m->action);
      } catch (const service::ForbiddenError& e) {
        r = Error(403, "forbidden", e.what(), snap);
      }
      r.close = method == "POST";
      return r;
    }
  }
  if (m->templ == "/v1/me") {
    JsonWriter w;
    w.BeginObject().Field("name", actor.name).Field("role", std::string(service::ToString(actor.role)))
        .Field("coder_id", actor.coder_id).Field("scope", std::string(service::ToString(actor.scope)))
        .Field("patient_identifiers", actor.MasksPatients() ? "masked" : "shown");
    w.Key("may").BeginArray();
    for (const auto op : service::kOperations)
      if (actor.Can(op)) w.String(std::string(service::ToString(op)));
    w.EndArray().EndObject();
    return {200, w.Take()};
  }
  const std::string& t = m->templ;
  if (t == "/v1/health") {
    JsonWriter w;
    w.BeginObject().Field("status", "ok").Key("ruleset");
    WriteRuleset(w, *snap.rules);
    w.EndObject();
    return {200, w.Take()};
  }
  if (t == "/v1/version") {
    JsonWriter w;
    w.BeginObject().Field("version", service::ToolVersion()).Key("ruleset");
    WriteRuleset(w, *snap.rules);
    w.Key("tables");
    WriteTables(w, *snap.rules);
    w.EndObject();
    return {200, w.Take()};
  }
  if (t == "/v1/openapi.json") return {200, std::string(embedded::server_openapi_json())};
  if (t == "/v1/check") return Check(req, body, snap, uri, meta, actor);
  if (t == "/v1/admin/reload") {
    std::lock_guard lock(reload_mutex);
    auto next = Compile();
    snapshot.store(next);
    tokens->Invalidate();
    RecordRulesLoaded(*next, actor);
    JsonWriter w;
    w.BeginObject().Field("reloaded", true).Field("previous_sha256", snap.rules->program->Hash()).Key("ruleset");
    WriteRuleset(w, *next->rules);
    w.Key("tables");
    WriteTables(w, *next->rules);
    w.EndObject();
    return {200, w.Take()};
  }
  if (t == "/v1/runs" && method == "POST") return SubmitRun(req, body, snap, meta, actor);
  if (t == "/v1/runs/job-{id}") {
    if (!job_id) return Error(404, "not_found", "no such job", snap);
    return Poll(job_id, snap);
  }
  // Reads of stored runs.
  if (opt.db_path.empty()) return Error(404, "no_store", "the server runs without --db: no stored runs", snap);
  const auto page = PageOf(uri);
  if (!page) return Error(400, "bad_request", "offset must be >= 0, limit 1..1000", snap);
  RouteAnswer a;
  if (t == "/v1/trail") {
    // The chain's state and its newest events (at most `limit`, newest last).
    const auto check = service::VerifyTrail(opt.db_path, std::nullopt, actor);
    const auto head = check.head_seq;
    const auto events = service::ShowTrail(opt.db_path, 0, std::max<int64_t>(0, head - page->limit), 0, actor);
    JsonWriter w;
    w.BeginObject().Field("verified", check.ok).Field("events", check.events)
        .Field("head_seq", check.head_seq).Field("head_hash", check.head_hash);
    if (!check.ok) w.Field("first_bad", check.first_bad).Field("problem", check.problem);
    w.Key("latest").BeginArray();
    for (const auto& e : events)
      w.BeginObject().Field("seq", e.seq).Field("at", e.at).Field("actor", e.actor)
          .Field("action", e.action).Field("subject", e.subject).Field("run_id", e.run_id)
          .Field("hash", e.hash).EndObject();
    w.EndArray().EndObject();
    return {200, w.Take()};
  }
  if (t == "/v1/runs") {
    a = ListRunsJson(opt.db_path, *page, *snap.rules, actor);
  } else {
    if (!run_id) return Error(404, "not_found", "run ids are positive integers", snap);
    if (t == "/v1/runs/{id}") {
      a = RunJson(opt.db_path, run_id, *snap.rules, actor);
    } else if (t == "/v1/runs/{id}/findings") {
      FindingQuery q{QueryValue(uri, "rule"), QueryValue(uri, "disposition"),
                     QueryValue(uri, "encounter"), QueryValue(uri, "provider"),
                     QueryValue(uri, "coder")};
      a = FindingsJson(opt.db_path, run_id, q, *page, *snap.rules, actor);
    } else {
      HoldPolicy policy = opt.hold;
      if (const auto h = QueryValue(uri, "hold"); !h.empty()) {
        std::string why;
        const auto p = HoldPolicy::Parse(h, &why);
        if (!p) return Error(400, "bad_request", "hold: " + why, snap);
        policy = *p;
      }
      a = HoldsJson(opt.db_path, run_id, policy, *page, *snap.rules, actor);
    }
  }
  return {a.status, std::move(a.body)};
}

std::optional<Reply> Server::Impl::ReadBody(Poco::Net::HTTPServerRequest& req, const Snapshot& snap,
                                            std::string& body) {
  const auto too_large = [&] {
    Reply r = Error(413, "body_too_large",
                    "the body is larger than " + std::to_string(opt.max_body) + " bytes", snap);
    r.close = true;
    return r;
  };
  if (req.hasContentLength() && req.getContentLength64() > static_cast<int64_t>(opt.max_body))
    return too_large();
  const auto deadline = Clock::now() + std::chrono::seconds(opt.request_timeout_s);
  auto& in = req.stream();
  char buf[16384];
  for (;;) {
    in.read(buf, sizeof buf);
    const auto got = static_cast<size_t>(in.gcount());
    body.append(buf, got);
    if (body.size() > opt.max_body) return too_large();
    if (got < sizeof buf) break;
    if (Clock::now() > deadline) {
      Reply r = Error(408, "request_timeout", "the body did not arrive in time", snap);
      r.close = true;
      return r;
    }
  }
  if (req.hasContentLength() && static_cast<int64_t>(body.size()) != req.getContentLength64()) {
    Reply r = Error(400, "bad_request", "the body is shorter than its Content-Length", snap);
    r.close = true;
    return r;
  }
  return std::nullopt;
}

Reply Server::Impl::Check(const Poco::Net::HTTPRequest& req, const std::string& body,
                          const Snapshot& snap, const Poco::URI& uri, Meta& meta,
                          const service::Actor& actor) {
  service::Authorize(actor, service::Operation::kCheckClaims);
  const std::string store_flag = QueryValue(uri, "store");
  const bool store = store_flag == "true" || store_flag == "1";
  if (store && opt.db_path.empty()) {
    Reply r = Error(400, "no_store", "store=true needs the server started with --db", snap);
    r.close = true;
    return r;
  }
  meta.bytes_in = static_cast<int64_t>(body.size());
  const auto format = FormatOfContentType(req.getContentType(), body);
  if (!format) return UnsupportedMediaType(snap);
  const ClaimBody parsed = ReadClaims(body, *format);
  meta.claims = parsed.counts.encounters_read;
  if (parsed.encounters.size() > opt.max_batch)
    return Error(413, "batch_too_large",
                 std::to_string(parsed.encounters.size()) + " claims; at most " +
                     std::to_string(opt.max_batch) +
                     " per POST /v1/check: send larger batches to POST /v1/runs (asynchronous)",
                 snap);
  const auto results = snap.checker->Check(parsed.encounters);
  int64_t run_id = 0;
  if (store) {
    // The CLI's RunCheck with the snapshot's compiled rules; the body is an input named
    // "request", recorded with the SHA-256 of its bytes.
    service::CheckOptions co;
    co.compiled = snap.rules;
    co.bodies = {{"request", body}};
    co.format = std::string(ingest::ToString(*format));
    co.db_path = opt.db_path;
    co.threads = 1;
    co.actor = actor;
    run_id = service::RunCheck(co).run.run_id;
  }
  JsonWriter w;
  w.BeginObject().Key("claims").BeginArray();
  int64_t findings = 0, held = 0;
  for (const auto& r : results) {
    findings += static_cast<int64_t>(r.findings.size());
    held += r.decision.held;
    w.BeginObject().Field("id", r.encounter_id).Field("decision", r.decision.held ? "hold" : "release");
    w.Key("findings").BeginArray();
    for (const auto& f : r.findings) WriteFinding(w, f);
    w.EndArray().Key("not_checked").BeginArray();
    for (const auto& nc : r.not_checked) WriteNotChecked(w, nc);
    w.EndArray().EndObject();
  }
  w.EndArray().Key("rejects").BeginArray();
  for (const auto& rj : parsed.rejects) WriteReject(w, rj);
  w.EndArray();
  const auto& c = parsed.counts;
  w.Key("counts")
      .BeginObject()
      .Field("records_read", c.records_read)
      .Field("records_processed", c.records_processed)
      .Field("records_rejected", c.records_rejected)
      .Field("read", c.encounters_read)
      .Field("processed", c.encounters_processed)
      .Field("rejected", c.encounters_rejected)
      .Field("held", held)
      .Field("released", static_cast<int64_t>(results.size()) - held)
      .Field("findings", findings)
      .EndObject();
  w.Field("hold_policy", snap.checker->Policy().Str());
  w.Key("ruleset");
  WriteRuleset(w, *snap.rules);
  w.Key("tables");
  WriteTables(w, *snap.rules);
  w.Key("run_id");
  if (run_id) w.Int(run_id); else w.Null();
  w.EndObject();
  meta.findings = findings;
  return {200, w.Take()};
}

Reply Server::Impl::SubmitRun(const Poco::Net::HTTPRequest& req, const std::string& body,
                              const Snapshot& snap, Meta& meta, const service::Actor& actor) {
  if (opt.db_path.empty()) {
    Reply r = Error(400, "no_store", "POST /v1/runs needs the server started with --db", snap);
    r.close = true;
    return r;
  }
  meta.bytes_in = static_cast<int64_t>(body.size());
  const auto format = FormatOfContentType(req.getContentType(), body);
  if (!format) return UnsupportedMediaType(snap);
  // A queued batch waits in memory: at most the job queue's length times --max-body.
  auto co = std::make_shared<service::CheckOptions>();
  co->compiled = snap.rules;
  co->bodies = {{"request", body}};
  co->format = std::string(ingest::ToString(*format));
  co->db_path = opt.db_path;
  co->threads = 1;
  co->actor = actor;
  const auto job = jobs->Submit([co]() -> int64_t { return service::RunCheck(*co).run.run_id; }, 0);
  if (!job) return Error(503, "queue_full", "too many batches waiting; try again later", snap);
  meta.claims = 0;
  JsonWriter w;
  w.BeginObject()
      .Field("job_id", "job-" + std::to_string(*job))
      .Field("status", "queued")
      .Field("poll", "/v1/runs/job-" + std::to_string(*job))
      .Key("ruleset");
  WriteRuleset(w, *snap.rules);
  w.EndObject();
  return {202, w.Take()};
}

Reply Server::Impl::Poll(int64_t job_id, const Snapshot& snap) {
  const auto job = jobs->Get(job_id);
  if (!job) return Error(404, "not_found", "no such job", snap);
  JsonWriter w;
  w.BeginObject().Field("job_id", "job-" + std::to_string(job_id)).Field("status", job->state);
  w.Key("run_id");
  if (job->run_id) w.Int(job->run_id); else w.Null();
  if (job->state == "failed") w.Field("error", job->error);
  if (job->state == "done" && !opt.db_path.empty()) {
    w.Key("run");
    WriteRunInfo(w, service::LoadRun(opt.db_path, job->run_id), true);
  }
  w.Key("ruleset");
  WriteRuleset(w, *snap.rules);
  w.EndObject();
  return {200, w.Take()};
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  auto& o = impl_->opt;
  if (o.cert_path.empty() != o.key_path.empty()) throw InputError("TLS needs both --cert and --key");
  if (o.auth && o.db_path.empty())
    throw InputError("serve needs --db STORE: API tokens live there (or --no-auth on loopback)");
  if (o.threads < 1 || o.threads > 256) throw InputError("--threads must be 1..256");
  impl_->snapshot.store(impl_->Compile());
  impl_->tokens = std::make_unique<service::TokenVerifier>(o.db_path);
  if (!o.db_path.empty()) service::PrepareStore(o.db_path);   // created and migrated now
  impl_->RecordRulesLoaded(*impl_->snapshot.load(), service::Actor::Local());
}

Server::~Server() { Stop(); }

void Server::Start() {
  auto& o = impl_->opt;
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(o.listen);
  } catch (const Poco::Exception& e) {
    throw InputError("--listen " + o.listen + ": " + e.displayText() + " (expected host:port)");
  }
  if (!o.auth && !address.host().isLoopback())
    throw InputError("--no-auth is only allowed on a loopback address");
  impl_->jobs = std::make_unique<JobQueue>(o.job_workers, o.job_queue);
  try {
    if (o.cert_path.empty()) {
      // Plain HTTP: the event-driven front reads every request whole before a worker sees it.
      impl_->plain = std::make_unique<Poco::Net::ServerSocket>(address, 1024);
      FrontOptions fo;
      fo.workers = o.threads;
      fo.queue = static_cast<size_t>(std::max(o.queue, o.threads));
      fo.max_body = o.max_body;
      fo.request_timeout_s = o.request_timeout_s;
      fo.keep_alive_timeout_s = o.keep_alive_timeout_s;
      fo.max_connections = o.max_connections;
      Impl* impl = impl_.get();
      impl_->front = std::make_unique<HttpFront>(
          *impl_->plain, fo,
          [impl](const Poco::Net::HTTPRequest& req, const std::string& body, bool& close) {
            return impl->Respond(req, body, close);
          },
          [impl](int status, const std::string& message) { return impl->FrontError(status, message); });
      impl_->front->Start();
      return;
    }
    // TLS: Poco's HTTPServer, a thread per connection (put a TLS-terminating proxy in front
    // for exposure to untrusted networks: the plain front is the one hardened against idle
    // and slow clients).
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(o.threads);
    params->setMaxQueued(o.queue);
    params->setTimeout(Poco::Timespan(o.request_timeout_s, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(o.keep_alive_timeout_s, 0));
    params->setMaxKeepAliveRequests(1000);
    params->setServerName("coderaudit");
    params->setSoftwareVersion("coderaudit");
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, o.key_path, o.cert_path, "",
        Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!MD5:!RC4:@STRENGTH");
    ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                          Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    Poco::Net::SecureServerSocket socket(address, o.queue, ctx);
    impl_->pool = std::make_unique<Poco::ThreadPool>(std::min(2, o.threads), o.threads);
    impl_->http = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), *impl_->pool, socket, params);
  } catch (const Poco::Exception& e) {
    throw InputError("cannot listen on " + o.listen + ": " + e.displayText());
  }
  impl_->http->start();
}

uint16_t Server::Port() const {
  if (impl_->plain) return impl_->plain->address().port();
  return impl_->http ? impl_->http->port() : 0;
}

void Server::Stop() {
  if (!impl_ || (!impl_->http && !impl_->front) || impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->front) {
    // Stops accepting and reading; requests already whole are answered first.
    impl_->front->Stop();
    impl_->jobs->Drain();
    return;
  }
  // Stop accepting; requests in flight finish (idle keep-alive connections close).
  impl_->http->stopAll(false);
  const auto until = Clock::now() + std::chrono::seconds(impl_->opt.request_timeout_s + 5);
  while (impl_->http->currentConnections() > 0 && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->pool->joinAll();
  impl_->jobs->Drain();
}

std::string Server::Reload() {
  std::lock_guard lock(impl_->reload_mutex);
  auto next = impl_->Compile();
  impl_->snapshot.store(next);
  impl_->tokens->Invalidate();
  impl_->RecordRulesLoaded(*next, service::Actor::Local());
  return next->rules->program->Hash();
}

std::string Server::RulesetHash() const { return impl_->snapshot.load()->rules->program->Hash(); }

}  // namespace coderaudit::server
