// `coderaudit serve` in-process on an ephemeral loopback port, spoken to over HTTP(S).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "audit/service/access.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/model/hash.hpp"
#include "audit/service/stored_runs.hpp"
#include "audit/service/users.hpp"
#include "audit/service/service.hpp"
#include "audit/server/server.hpp"
#include "audit/store/store.hpp"

namespace fs = std::filesystem;
using namespace coderaudit;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// The secret of "ca_<id>_<secret>": base64url, so it may itself hold '_'.
std::string Secret(const std::string& token) { return token.substr(token.find('_', 3) + 1); }

const std::string kSrc = CODERAUDIT_SOURCE_DIR;
const std::string kRules = kSrc + "/samples/rules/facility.xml";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path FreshDir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("coderaudit-server-tests-" + std::to_string(getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

struct Answer {
  int status = 0;
  std::string body;
  std::string ruleset_header;
  Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
  }
};

// Every answer seen, by "METHOD template status", for the OpenAPI check at the end.
struct Seen {
  std::string method, templ;
  int status;
  std::string body;
};
std::vector<Seen>& AllSeen() {
  static std::vector<Seen> v;
  return v;
}
std::mutex seen_mutex;

std::string TemplateOf(const std::string& path) {
  std::string p = path.substr(0, path.find('?'));
  if (p.starts_with("/v1/runs/job-")) return "/v1/runs/job-{id}";
  if (p.starts_with("/v1/runs/")) {
    const auto rest = p.substr(9);
    const auto slash = rest.find('/');
    return "/v1/runs/{id}" + (slash == std::string::npos ? "" : rest.substr(slash));
  }
  return p;
}

Answer Send(Poco::Net::HTTPClientSession& s, const std::string& method, const std::string& path,
            const std::string& token = "", const std::string& body = "",
            const std::string& type = "", const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  for (const auto& [k, v] : extra) req.add(k, v);
  if (!type.empty()) req.setContentType(type);
  if (method == "POST") req.setContentLength(static_cast<std::streamsize>(body.size()));
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  auto& in = s.receiveResponse(resp);
  Answer a;
  a.status = resp.getStatus();
  Poco::StreamCopier::copyToString(in, a.body);
  a.ruleset_header = resp.get("X-Ruleset-Sha256", "");
  std::lock_guard lock(seen_mutex);
  AllSeen().push_back({method, TemplateOf(path), a.status, a.body});
  return a;
}

struct Fixture {
  fs::path dir;
  std::string db;
  std::unique_ptr<server::Server> srv;
  std::string admin, checker, reader;
  std::ostringstream log;

  explicit Fixture(const std::string& name, server::ServerOptions o = {}) {
    dir = FreshDir(name);
    db = (dir / "api.db").string();
    admin = service::CreateToken(db, service::TokenScope::kAll, "admin").token;
    checker = service::CreateToken(db, service::TokenScope::kCheck, "billing").token;
    reader = service::CreateToken(db, service::TokenScope::kRead, "viewer").token;
    o.rules_path = kRules;
    o.db_path = db;
    o.listen = "127.0.0.1:0";
    o.access_log = &log;
    srv = std::make_unique<server::Server>(o);
    srv->Start();
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> Session() const {
    auto s = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", srv->Port());
    s->setTimeout(Poco::Timespan(30, 0));
    return s;
  }
};

// "encounter rule@version lines message" for every finding of a check answer.
std::multiset<std::string> FindingsOfAnswer(const Object::Ptr& answer) {
  std::multiset<std::string> out;
  auto claims = answer->getArray("claims");
  for (size_t i = 0; i < claims->size(); ++i) {
    auto c = claims->getObject(static_cast<unsigned>(i));
    auto fs = c->getArray("findings");
    for (size_t k = 0; k < fs->size(); ++k) {
      auto f = fs->getObject(static_cast<unsigned>(k));
      std::string lines;
      auto ls = f->getArray("lines");
      for (size_t j = 0; j < ls->size(); ++j) lines += ls->get(static_cast<unsigned>(j)).toString() + ",";
      out.insert(c->getValue<std::string>("id") + " " + f->getValue<std::string>("rule_id") + "@" +
                 f->getValue<std::string>("rule_version") + " " + lines + " " +
                 f->getValue<std::string>("message"));
    }
  }
  return out;
}

std::multiset<std::string> StoredFindings(const std::string& db_path, int64_t run) {
  std::multiset<std::string> out;
  store::Store db(db_path);
  for (const auto& r : db.LoadFindings(run)) {
    std::string lines;
    for (auto l : r.finding.lines) lines += std::to_string(l) + ",";
    out.insert(r.finding.encounter_id + " " + r.finding.rule_id + "@" + r.finding.rule_version + " " +
               lines + " " + r.finding.message);
  }
  return out;
}

int64_t CliRun(const std::string& db_path, const std::string& file) {
  service::CheckOptions o;
  o.rules_path = kRules;
  o.encounter_paths = {file};
  o.db_path = db_path;
  return service::RunCheck(o).run.run_id;
}

}  // namespace

TEST_CASE("Requests without a token, with a bad, revoked or under-privileged token are refused",
          "[server]") {
  Fixture f("auth");
  auto s = f.Session();
  CHECK(Send(*s, "GET", "/v1/health").status == 200);
  const auto none = Send(*s, "GET", "/v1/runs");
  CHECK(none.status == 401);
  CHECK(none.json()->getObject("error")->getValue<std::string>("code") == "unauthenticated");
  CHECK(!none.ruleset_header.empty());
  CHECK(Send(*s, "GET", "/v1/runs", "ca_1_wrongsecret").status == 401);
  CHECK(Send(*s, "GET", "/v1/runs", "garbage").status == 401);
  CHECK(Send(*s, "GET", "/v1/runs", f.reader).status == 200);
  // read may not check; check may not read runs; neither may reload.
  CHECK(Send(*s, "POST", "/v1/check", f.reader, "x", "text/csv").status == 403);
  auto s2 = f.Session();
  CHECK(Send(*s2, "GET", "/v1/runs", f.checker).status == 403);
  CHECK(Send(*s2, "POST", "/v1/admin/reload", f.checker).status == 403);
  auto s3 = f.Session();
  CHECK(Send(*s3, "POST", "/v1/admin/reload", f.admin).status == 200);
  // Revoked by another process (the CLI), without a reload: refused within about a second.
  const int64_t reader_id = std::stoll(f.reader.substr(3, f.reader.find('_', 3) - 3));
  REQUIRE(service::RevokeToken(f.db, reader_id));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(Send(*s3, "GET", "/v1/runs", f.reader).status == 401);
  // The access log names the token id, never the secret.
  CHECK(f.log.str().find("\"token\":") != std::string::npos);
  CHECK(f.log.str().find(Secret(f.admin)) == std::string::npos);
}

TEST_CASE("Guessing token secrets never holds up a verified token", "[server]") {
  const auto dir = FreshDir("guessing");
  const std::string db = (dir / "t.db").string();
  const auto good = service::CreateToken(db, service::TokenScope::kRead, "good");
  const auto other = service::CreateToken(db, service::TokenScope::kRead, "other");
  service::TokenVerifier verifier(db);
  REQUIRE(verifier.Verify(good.token));  // verified once: cached
  const std::string prefix = other.token.substr(0, other.token.size() - Secret(other.token).size());
  std::atomic<bool> stop{false};
  std::atomic<int> guesses{0};
  std::vector<std::thread> guessers;
  for (int g = 0; g < 4; ++g)
    guessers.emplace_back([&, g] {
      for (int i = 0; !stop; ++i) {   // a new secret each time: no cache helps the server
        CHECK(!verifier.Verify(prefix + "guess" + std::to_string(g) + "x" + std::to_string(i)));
        guesses++;
      }
    });
  // While four threads guess, the verified token keeps passing at once.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) CHECK(verifier.Verify(good.token));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(200));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  for (auto& t : guessers) t.join();
  CHECK(guesses > 0);
  // A wrong token repeated is refused from memory, without another PBKDF2.
  const auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) CHECK(!verifier.Verify(prefix + "guess0x0"));
  CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::milliseconds(100));
}

TEST_CASE("Tokens are stored only as salted PBKDF2 hashes", "[server]") {
  const auto dir = FreshDir("tokens");
  const std::string db = (dir / "t.db").string();
  const auto t = service::CreateToken(db, service::TokenScope::kRead, "x");
  store::Store s(db);
  const auto row = s.LoadApiToken(t.token_id);
  REQUIRE(row);
  CHECK(row->iterations >= 100000);
  CHECK(Slurp(db).find(Secret(t.token)) == std::string::npos);
  CHECK(service::VerifyStoredToken(s, t.token));
  CHECK(!service::VerifyStoredToken(s, t.token + "x"));
  CHECK(service::Allowed(service::Role::kAdmin, service::Operation::kReloadRules));
  CHECK(!service::ScopeAllows(service::TokenScope::kRead, service::Operation::kCheckClaims));
  CHECK(!service::ScopeAllows(service::TokenScope::kCheck, service::Operation::kReadRuns));
}

TEST_CASE("POST /v1/check gives the findings a stored CLI run gives, in every accepted format",
          "[server]") {
  Fixture f("formats");
  struct Input {
    std::string file, type;
  };
  const std::vector<Input> inputs = {
      {kSrc + "/samples/encounters.csv", "text/csv"},
      {kSrc + "/samples/x12/same_encounters_837p.x12", "application/edi-x12"},
      {kSrc + "/samples/x12/same_encounters_837i.x12", "text/plain"},
      {kSrc + "/samples/fhir/same_encounters.bundle.json", "application/fhir+json"},
      {kSrc + "/samples/json/same_encounters.json", "application/json"},
  };
  auto s = f.Session();
  for (const auto& in : inputs) {
    CAPTURE(in.file);
    const auto a = Send(*s, "POST", "/v1/check", f.checker, Slurp(in.file), in.type);
    REQUIRE(a.status == 200);
    const auto json = a.json();
    const int64_t cli_run = CliRun((f.dir / "cli.db").string(), in.file);
    CHECK(FindingsOfAnswer(json) == StoredFindings((f.dir / "cli.db").string(), cli_run));
    auto counts = json->getObject("counts");
    CHECK(counts->getValue<int64_t>("read") ==
          counts->getValue<int64_t>("processed") + counts->getValue<int64_t>("rejected"));
    CHECK(json->getObject("ruleset")->getValue<std::string>("sha256") == a.ruleset_header);
    CHECK(counts->getValue<int64_t>("held") + counts->getValue<int64_t>("released") ==
          counts->getValue<int64_t>("processed"));
  }
  // One claim alone.
  const std::string csv = Slurp(kSrc + "/samples/encounters.csv");
  std::istringstream lines(csv);
  std::string header, row, one;
  std::getline(lines, header);
  std::getline(lines, row);
  one = header + "\n" + row + "\n";
  const auto a = Send(*s, "POST", "/v1/check", f.checker, one, "text/csv");
  REQUIRE(a.status == 200);
  CHECK(a.json()->getArray("claims")->size() == 1);
  // The same claim again after another (issue 12): checked in no copy, both copies rejected.
  std::vector<std::string> first, second;
  const std::string first_id = row.substr(0, row.find(','));
  for (std::string line = row; !line.empty() || std::getline(lines, line); line.clear()) {
    const std::string id = line.substr(0, line.find(','));
    if (id == first_id) first.push_back(line);
    else if (second.empty() || second[0].substr(0, second[0].find(',')) == id) second.push_back(line);
    else break;
  }
  REQUIRE(!second.empty());
  std::string twice = header + "\n";
  for (const auto* block : {&first, &second, &first})
    for (const auto& line : *block) twice += line + "\n";
  const auto t = Send(*s, "POST", "/v1/check", f.checker, twice, "text/csv");
  REQUIRE(t.status == 200);
  const auto answer = t.json();
  const auto claims = answer->getArray("claims");
  INFO(t.body);
  REQUIRE(claims->size() == 1);
  CHECK(claims->getObject(0)->getValue<std::string>("id") != first_id);
  auto counts = answer->getObject("counts");
  CHECK(counts->getValue<int64_t>("records_rejected") == static_cast<int64_t>(2 * first.size()));
  CHECK(counts->getValue<int64_t>("records_processed") == static_cast<int64_t>(second.size()));
  CHECK(counts->getValue<int64_t>("rejected") == 1);  // the encounter, both its copies
  CHECK(counts->getValue<int64_t>("processed") == 1);
}

TEST_CASE("store=true records a run with the same findings, stored runs read back", "[server]") {
  Fixture f("store");
  auto s = f.Session();
  const std::string file = kSrc + "/samples/encounters.csv";
  const auto a = Send(*s, "POST", "/v1/check?store=true", f.checker, Slurp(file), "text/csv");
  REQUIRE(a.status == 200);
  const int64_t run = a.json()->getValue<int64_t>("run_id");
  CHECK(StoredFindings(f.db, run) == FindingsOfAnswer(a.json()));
  const auto runs = Send(*s, "GET", "/v1/runs?limit=10", f.reader);
  REQUIRE(runs.status == 200);
  CHECK(runs.json()->getValue<int64_t>("total") == 1);
  const auto one = Send(*s, "GET", "/v1/runs/" + std::to_string(run), f.reader);
  REQUIRE(one.status == 200);
  CHECK(one.json()->getObject("run")->getObject("ruleset")->getValue<std::string>("sha256") ==
        one.ruleset_header);
  // The body is recorded as the input "request" with the SHA-256 and size of its bytes.
  const auto stored_run = service::LoadRun(f.db, run);
  const auto body_input = std::find_if(stored_run.inputs.begin(), stored_run.inputs.end(),
                                       [](const auto& in) { return in.role == "encounters"; });
  REQUIRE(body_input != stored_run.inputs.end());
  CHECK(body_input->path == "request");
  CHECK(body_input->sha256 == coderaudit::Sha256Hex(Slurp(file)));
  CHECK(body_input->bytes == static_cast<int64_t>(Slurp(file).size()));
  const auto findings = Send(*s, "GET", "/v1/runs/" + std::to_string(run) + "/findings?limit=5", f.reader);
  REQUIRE(findings.status == 200);
  CHECK(findings.json()->getValue<int64_t>("total") == a.json()->getObject("counts")->getValue<int64_t>("findings"));
  CHECK(findings.json()->getArray("findings")->size() == 5);
  const auto holds = Send(*s, "GET", "/v1/runs/" + std::to_string(run) + "/holds", f.reader);
  REQUIRE(holds.status == 200);
  CHECK(holds.json()->getValue<int64_t>("held") == a.json()->getObject("counts")->getValue<int64_t>("held"));
  CHECK(Send(*s, "GET", "/v1/runs/999", f.reader).status == 404);
  CHECK(Send(*s, "GET", "/v1/runs?limit=0", f.reader).status == 400);
}

TEST_CASE("Batches above --max-batch get 413, POST /v1/runs checks them asynchronously",
          "[server]") {
  server::ServerOptions o;
  o.max_batch = 10;
  Fixture f("async", o);
  auto s = f.Session();
  const std::string file = kSrc + "/samples/encounters.csv";
  const auto big = Send(*s, "POST", "/v1/check", f.checker, Slurp(file), "text/csv");
  CHECK(big.status == 413);
  CHECK(big.body.find("/v1/runs") != std::string::npos);
  const auto job = Send(*s, "POST", "/v1/runs", f.checker, Slurp(file), "text/csv");
  REQUIRE(job.status == 202);
  const std::string poll = job.json()->getValue<std::string>("poll");
  Object::Ptr state;
  for (int i = 0; i < 200; ++i) {
    const auto p = Send(*s, "GET", poll, f.checker);
    REQUIRE(p.status == 200);
    state = p.json();
    if (state->getValue<std::string>("status") == "done" || state->getValue<std::string>("status") == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(state->getValue<std::string>("status") == "done");
  const int64_t run = state->getValue<int64_t>("run_id");
  const int64_t cli = CliRun((f.dir / "cli.db").string(), file);
  CHECK(StoredFindings(f.db, run) == StoredFindings((f.dir / "cli.db").string(), cli));
}

TEST_CASE("Oversized, malformed and header-stuffed requests get clear 4xx answers", "[server]") {
  server::ServerOptions o;
  o.max_body = 4096;
  o.max_headers = 20;
  Fixture f("limits", o);
  {
    // Refused from the head: only the head is sent. (Sending the body too races the
    // server's close: a close with the body's bytes unread resets the connection, and on
    // a loaded machine the reset can arrive before the client has read the 413.)
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", f.srv->Port()));
    const std::string req = "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + f.checker +
                            "\r\nContent-Type: text/csv\r\nContent-Length: 10000\r\n\r\n";
    sock.sendBytes(req.data(), static_cast<int>(req.size()));
    char buf[64] = {};
    sock.setReceiveTimeout(Poco::Timespan(10, 0));
    const int n = sock.receiveBytes(buf, sizeof buf - 1);
    CHECK(n > 0);
    CHECK(std::string(buf).starts_with("HTTP/1.1 413"));
  }
  {
    auto s = f.Session();
    CHECK(Send(*s, "POST", "/v1/check", f.checker, "{\"resourceType\": \"Bundle\", \"entry\": [",
               "application/fhir+json").status == 400);
  }
  {
    auto s = f.Session();
    CHECK(Send(*s, "POST", "/v1/check", f.checker, "ISA*garbage~", "application/edi-x12").status == 400);
  }
  {
    auto s = f.Session();
    CHECK(Send(*s, "POST", "/v1/check", f.checker, "a,b\n1,2\n", "text/csv").status == 400);
  }
  {
    auto s = f.Session();
    CHECK(Send(*s, "POST", "/v1/check", f.checker, "hello", "application/pdf").status == 415);
  }
  {
    auto s = f.Session();
    std::vector<std::pair<std::string, std::string>> headers;
    for (int i = 0; i < 40; ++i) headers.emplace_back("X-Filler-" + std::to_string(i), "1");
    CHECK(Send(*s, "GET", "/v1/runs", f.reader, "", "", headers).status == 431);
  }
  {
    // Past Poco's own limit (100 fields) the connection gets a 400 from the HTTP layer.
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", f.srv->Port()));
    std::string req = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 200; ++i) req += "X-F" + std::to_string(i) + ": 1\r\n";
    req += "\r\n";
    sock.sendBytes(req.data(), static_cast<int>(req.size()));
    char buf[64] = {};
    sock.setReceiveTimeout(Poco::Timespan(5, 0));
    const int n = sock.receiveBytes(buf, sizeof buf - 1);
    CHECK((n == 0 || std::string(buf).find(" 400") != std::string::npos));
  }
  // The server still serves everyone else.
  auto s = f.Session();
  CHECK(Send(*s, "GET", "/v1/health").status == 200);
}

TEST_CASE("Reload under load answers every request, each with the rule set it started with",
          "[server]") {
  server::ServerOptions o;
  o.threads = 4;
  Fixture f("reload", o);
  const std::string body = Slurp(kSrc + "/samples/x12/same_encounters_837p.x12");
  std::atomic<int> ok{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c)
    clients.emplace_back([&] {
      auto s = f.Session();
      while (!stop) {
        try {
          const auto a = Send(*s, "POST", "/v1/check", f.checker, body, "application/edi-x12");
          (a.status == 200 ? ok : failed)++;
        } catch (const std::exception&) {
          failed++;
        }
      }
    });
  auto s = f.Session();
  for (int i = 0; i < 5; ++i) {
    CHECK(Send(*s, "POST", "/v1/admin/reload", f.admin).status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
  }
  stop = true;
  for (auto& t : clients) t.join();
  CHECK(failed == 0);
  CHECK(ok > 5);
}

TEST_CASE("With --cert and --key the API is served over TLS", "[server]") {
  const auto dir = FreshDir("tls");
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
                          key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    WARN("openssl not available: TLS not tested");
    return;
  }
  server::ServerOptions o;
  o.cert_path = cert;
  o.key_path = key;
  Fixture f("tls-server", o);
  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                       Poco::Net::Context::VERIFY_NONE);
  Poco::Net::HTTPSClientSession tls("127.0.0.1", f.srv->Port(), ctx);
  const auto a = Send(tls, "POST", "/v1/check", f.checker,
                      Slurp(kSrc + "/samples/encounters.csv"), "text/csv");
  CHECK(a.status == 200);
  // Plain HTTP to the TLS port gets no HTTP answer.
  auto plain = f.Session();
  plain->setTimeout(Poco::Timespan(3, 0));
  bool plain_failed = false;
  try {
    plain_failed = Send(*plain, "GET", "/v1/health").status != 200;
  } catch (const std::exception&) {
    plain_failed = true;
  }
  CHECK(plain_failed);
}

// ---- OpenAPI: every answer seen above matches the documented schema ----
namespace {

Object::Ptr Resolve(const Object::Ptr& doc, Object::Ptr schema) {
  while (schema && schema->has("$ref")) {
    std::string ref = schema->getValue<std::string>("$ref").substr(2);   // "#/"
    Object::Ptr at = doc;
    std::stringstream parts(ref);
    std::string part;
    while (std::getline(parts, part, '/')) at = at->getObject(part);
    schema = at;
  }
  return schema;
}

void Validate(const Object::Ptr& doc, Object::Ptr schema, const Poco::Dynamic::Var& v,
              const std::string& where, std::vector<std::string>& problems) {
  schema = Resolve(doc, schema);
  if (!schema) return;
  if (v.isEmpty()) {
    if (!(schema->has("nullable") && schema->getValue<bool>("nullable")))
      problems.push_back(where + ": null");
    return;
  }
  const std::string type = schema->has("type") ? schema->getValue<std::string>("type") : "";
  if (type == "object") {
    if (v.type() != typeid(Object::Ptr)) return problems.push_back(where + ": not an object");
    auto o = v.extract<Object::Ptr>();
    if (auto req = schema->getArray("required"))
      for (size_t i = 0; i < req->size(); ++i) {
        const auto name = req->getElement<std::string>(static_cast<unsigned>(i));
        if (!o->has(name)) problems.push_back(where + ": missing " + name);
      }
    if (auto props = schema->getObject("properties"))
      for (const auto& [name, sub] : *props)
        if (o->has(name)) Validate(doc, sub.extract<Object::Ptr>(), o->get(name), where + "." + name, problems);
    if (auto extra = schema->getObject("additionalProperties"))
      for (const auto& [name, val] : *o) Validate(doc, extra, val, where + "." + name, problems);
  } else if (type == "array") {
    if (v.type() != typeid(Array::Ptr)) return problems.push_back(where + ": not an array");
    auto a = v.extract<Array::Ptr>();
    for (size_t i = 0; i < a->size(); ++i)
      Validate(doc, schema->getObject("items"), a->get(static_cast<unsigned>(i)),
               where + "[" + std::to_string(i) + "]", problems);
  } else if (type == "string") {
    if (!v.isString()) return problems.push_back(where + ": not a string");
    if (auto e = schema->getArray("enum")) {
      bool found = false;
      for (size_t i = 0; i < e->size(); ++i) found |= e->getElement<std::string>(static_cast<unsigned>(i)) == v.toString();
      if (!found) problems.push_back(where + ": " + v.toString() + " not in enum");
    }
  } else if (type == "integer") {
    if (!v.isInteger()) problems.push_back(where + ": not an integer");
  } else if (type == "boolean") {
    if (!v.isBoolean()) problems.push_back(where + ": not a boolean");
  }
}

}  // namespace

TEST_CASE("Every role against every HTTP operation: allowed as the service layer's matrix says, else 403",
          "[server][access]") {
  Fixture f("roles");
  const std::string fhir = Slurp(kSrc + "/samples/fhir/same_encounters.bundle.json");
  const std::string csv = Slurp(kSrc + "/samples/encounters.csv");
  std::string run;
  {
    auto s = f.Session();
    run = std::to_string(Send(*s, "POST", "/v1/check?store=true", f.admin, csv, "text/csv")
                             .json()->getValue<int64_t>("run_id"));
  }
  std::map<service::Role, std::string> token;
  for (const auto role : service::kRoles) {
    const std::string name = "u-" + std::string(service::ToString(role));
    service::AddUser(f.db, name, role, role == service::Role::kCoder ? "C03" : "", "a long enough password");
    token[role] = service::CreateToken(f.db, service::TokenScope::kAll, "", name).token;
  }
  // Each route the API has, with the roles allowed, in kRoles order: auditor coder manager
  // compliance investigator admin (the matrix of tests/service/access_tests.cpp).
  struct Probe {
    std::string method, path, body, type, allowed;
  };
  const std::vector<Probe> probes = {
      {"GET", "/v1/version", "", "", "111111"},
      {"GET", "/v1/me", "", "", "111111"},
      {"GET", "/v1/openapi.json", "", "", "111111"},
      {"POST", "/v1/check", fhir, "application/fhir+json", "100001"},
      {"POST", "/v1/runs", csv, "text/csv", "100001"},
      {"GET", "/v1/runs/job-1", "", "", "101111"},
      {"GET", "/v1/runs", "", "", "111111"},
      {"GET", "/v1/runs/" + run, "", "", "111111"},
      {"GET", "/v1/runs/" + run + "/findings", "", "", "111111"},
      {"GET", "/v1/runs/" + run + "/holds", "", "", "111111"},
      {"POST", "/v1/admin/reload", "", "", "000001"},
      {"GET", "/v1/trail", "", "", "000111"},
  };
  for (const auto& p : probes)
    for (size_t r = 0; r < service::kRoles.size(); ++r) {
      auto s = f.Session();   // a refused POST closes its connection
      const auto a = Send(*s, p.method, p.path, token[service::kRoles[r]], p.body, p.type);
      INFO(p.method << " " << p.path << " as " << service::ToString(service::kRoles[r]) << ": " << a.status
                    << " " << a.body.substr(0, 200));
      if (p.allowed[r] == '1') {
        CHECK(a.status != 403);
        CHECK(a.status < 500);
      } else {
        CHECK(a.status == 403);
        CHECK(a.body.find("forbidden") != std::string::npos);
      }
    }
  auto s = f.Session();
  // Who each token is, and what it sees.
  const auto me = Send(*s, "GET", "/v1/me", token[service::Role::kManager]).json();
  CHECK(me->getValue<std::string>("role") == "manager");
  CHECK(me->getValue<std::string>("patient_identifiers") == "masked");
  CHECK(me->getValue<std::string>("name").ends_with(":u-manager"));
  const auto all = Send(*s, "GET", "/v1/runs/" + run + "/findings?limit=1000", f.admin).json();
  const auto mine = Send(*s, "GET", "/v1/runs/" + run + "/findings?limit=1000", token[service::Role::kCoder]).json();
  int64_t c03 = 0;
  const auto rows = all->getArray("findings");
  for (unsigned i = 0; i < rows->size(); ++i) c03 += rows->getObject(i)->getValue<std::string>("coder_id") == "C03";
  REQUIRE(c03 > 0);
  CHECK(c03 < static_cast<int64_t>(rows->size()));
  CHECK(mine->getValue<int64_t>("total") == c03);
  // The runs the auditor checked are theirs in the trail.
  const auto trail = Send(*s, "GET", "/v1/trail?limit=1000", token[service::Role::kInvestigator]).json();
  CHECK(trail->getValue<bool>("verified"));
  const auto latest = trail->getArray("latest");
  bool auditor_check = false;
  for (unsigned i = 0; i < latest->size(); ++i) {
    const auto e = latest->getObject(i);
    auditor_check = auditor_check || (e->getValue<std::string>("action") == "run.stored" &&
                                      e->getValue<std::string>("actor").ends_with(":u-auditor"));
  }
  CHECK(auditor_check);
}

TEST_CASE("Every answer the tests saw matches /v1/openapi.json", "[server]") {
  // A tour of every endpoint (ctest runs each test case alone; under one process the
  // answers of the cases above are checked too).
  server::ServerOptions o;
  o.max_batch = 100;
  Fixture f("openapi", o);
  {
    const std::string csv = Slurp(kSrc + "/samples/encounters.csv");
    auto t = f.Session();
    Send(*t, "GET", "/v1/health");
    Send(*t, "GET", "/v1/version");
    const auto checked = Send(*t, "POST", "/v1/check?store=true", f.checker,
                              Slurp(kSrc + "/samples/fhir/same_encounters.bundle.json"),
                              "application/fhir+json");
    const std::string run = std::to_string(checked.json()->getValue<int64_t>("run_id"));
    Send(*t, "GET", "/v1/runs", f.reader);
    Send(*t, "GET", "/v1/runs?limit=0", f.reader);
    Send(*t, "GET", "/v1/runs/" + run, f.reader);
    Send(*t, "GET", "/v1/runs/" + run + "/findings", f.reader);
    Send(*t, "GET", "/v1/runs/" + run + "/holds", f.reader);
    Send(*t, "GET", "/v1/runs/" + run + "/holds?hold=review", f.reader);
    Send(*t, "GET", "/v1/runs/424242", f.reader);
    Send(*t, "GET", "/v1/runs", f.checker);
    const auto job = Send(*t, "POST", "/v1/runs", f.checker, csv, "text/csv");
    Send(*t, "GET", job.json()->getValue<std::string>("poll"), f.checker);
    Send(*t, "POST", "/v1/admin/reload", f.admin);
    Send(*t, "GET", "/v1/me", f.reader);
    Send(*t, "GET", "/v1/trail", f.admin);
    Send(*t, "GET", "/v1/trail", f.checker);
    auto u = f.Session();
    Send(*u, "POST", "/v1/check", f.checker, csv, "text/csv");   // 413: above max_batch
    auto v = f.Session();
    Send(*v, "POST", "/v1/check", f.checker, "{", "application/fhir+json");
    auto w = f.Session();
    Send(*w, "POST", "/v1/check", "", "x", "text/csv");
    auto x = f.Session();
    Send(*x, "POST", "/v1/check", f.checker, "x", "image/png");
  }
  auto s = f.Session();
  const auto doc_answer = Send(*s, "GET", "/v1/openapi.json", f.reader);
  REQUIRE(doc_answer.status == 200);
  const auto doc = doc_answer.json();
  REQUIRE(doc->getValue<std::string>("openapi").starts_with("3."));
  std::vector<std::string> problems;
  std::set<std::string> covered;
  std::lock_guard lock(seen_mutex);
  for (const auto& seen : AllSeen()) {
    const std::string where = seen.method + " " + seen.templ + " " + std::to_string(seen.status);
    auto path = doc->getObject("paths")->getObject(seen.templ);
    if (!path) {
      problems.push_back(where + ": path not documented");
      continue;
    }
    std::string m = seen.method;
    for (auto& c : m) c = static_cast<char>(std::tolower(c));
    auto op = path->getObject(m);
    if (!op) {
      if (seen.status != 405) problems.push_back(where + ": method not documented");
      continue;
    }
    auto response = Resolve(doc, op->getObject("responses")->getObject(std::to_string(seen.status)));
    if (!response) {
      problems.push_back(where + ": status not documented");
      continue;
    }
    covered.insert(where);
    auto schema = response->getObject("content")->getObject("application/json")->getObject("schema");
    Poco::Dynamic::Var body;
    try {
      body = Poco::JSON::Parser().parse(seen.body);
    } catch (const std::exception&) {
      problems.push_back(where + ": body is not JSON");
      continue;
    }
    Validate(doc, schema, body, where, problems);
  }
  for (const auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
  CHECK(covered.size() >= 15);
}
