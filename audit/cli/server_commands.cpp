#include "audit/cli/commands.hpp"

#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <fstream>
#include <iomanip>
#include <memory>

#include "audit/service/access.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/model/error.hpp"
#include "audit/server/server.hpp"

namespace coderaudit::cli {

namespace {

constexpr const char* kServeHelp = R"(usage: coderaudit serve --rules RULES.xml --db STORE.db [options]

Serves the HTTP API (audit/server/README.md, GET /v1/openapi.json): POST /v1/check checks
one claim or a batch and answers hold/release per claim; POST /v1/runs checks large
batches in the background; GET /v1/runs... reads stored runs. Rules are compiled and
tables mapped once; SIGHUP or POST /v1/admin/reload reloads them without dropping
requests; SIGTERM / SIGINT stop after the requests in flight. Every request but
GET /v1/health needs a bearer token (coderaudit token create).
  --rules FILE           rule set (schemas/rules-v1.xsd)
  --refdata DIR          reference tables for rules that read them
  --db FILE              SQLite store: API tokens and stored runs
  --listen HOST:PORT     default 127.0.0.1:8080 (loopback); another address only when named
  --threads N            request threads (default 8)
  --cert FILE --key FILE serve HTTPS (PEM certificate and private key)
  --max-body BYTES       largest request body (default 10485760; 413 above)
  --max-batch CLAIMS     most claims per POST /v1/check (default 1000; 413 above)
  --max-headers N        most header fields per request (default 64; 431 above)
  --request-timeout S    seconds to receive a request (default 30); idle keep-alive 10
  --hold LIST            dispositions that hold a claim (default claim-reject,claim-deny,
                         return-to-provider,suspend,line-reject,line-deny)
  --access-log FILE      JSON lines (default: stderr); never claim contents
  --no-auth              no tokens (loopback only; for local experiments)
)";

constexpr const char* kTokenHelp = R"(usage: coderaudit token create --db STORE.db [--user NAME] [--scope check|read|all] [--name LABEL]
       coderaudit token list --db STORE.db
       coderaudit token revoke --db STORE.db ID

API tokens of `coderaudit serve`. create prints the token once (ca_<id>_<secret>); the store
keeps only a PBKDF2-HMAC-SHA256 hash. A token acts as its user (coderaudit user add), with
that user's role, narrowed by its scope: check (check claims, poll batches), read (reads
only) or all (default). Without --user it belongs to the store's service account (role
admin, no password), which is what every token made before users existed became.
--role check|read|admin is the old spelling of --scope. A revoked token, or one whose user
is disabled or changes role, is re-judged within about a second.
)";

int Serve(const Args& args, std::ostream&, std::ostream& err) {
  if (!args.Positionals().empty()) throw UsageError("serve takes no positional arguments");
  server::ServerOptions o;
  o.rules_path = args.Require("rules");
  o.refdata_dir = args.Get("refdata").value_or("");
  o.db_path = args.Get("db").value_or("");
  o.listen = args.Get("listen").value_or(o.listen);
  o.threads = static_cast<int>(args.Int("threads", o.threads));
  o.cert_path = args.Get("cert").value_or("");
  o.key_path = args.Get("key").value_or("");
  o.max_body = static_cast<size_t>(args.Int("max-body", static_cast<int64_t>(o.max_body)));
  o.max_batch = static_cast<size_t>(args.Int("max-batch", static_cast<int64_t>(o.max_batch)));
  o.max_headers = static_cast<size_t>(args.Int("max-headers", static_cast<int64_t>(o.max_headers)));
  o.request_timeout_s = static_cast<int>(args.Int("request-timeout", o.request_timeout_s));
  o.auth = !args.Has("no-auth");
  if (o.max_body < 1 || o.max_batch < 1 || o.max_headers < 1 || o.request_timeout_s < 1)
    throw UsageError("limits must be positive");
  o.hold = HoldOptions(args, false);
  std::unique_ptr<std::ofstream> log_file;
  if (auto f = args.Get("access-log")) {
    log_file = std::make_unique<std::ofstream>(*f, std::ios::app);
    if (!*log_file) throw InputError("cannot open access log " + *f);
    o.access_log = log_file.get();
  } else {
    o.access_log = &err;
  }
  // Signals are taken by sigwait below, on this thread only: block them before any
  // server thread starts so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  server::Server server(o);
  server.Start();
  err << "coderaudit serve: listening on " << o.listen.substr(0, o.listen.rfind(':')) << ":"
      << server.Port() << (o.cert_path.empty() ? " (http)" : " (https)") << ", rule set sha256 "
      << server.RulesetHash().substr(0, 12) << "\n"
      << std::flush;
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      try {
        err << "coderaudit serve: reloaded, rule set sha256 " << server.Reload().substr(0, 12) << "\n";
      } catch (const std::exception& e) {
        err << "coderaudit serve: reload failed, keeping the previous rules: " << e.what() << "\n";
      }
      continue;
    }
    err << "coderaudit serve: stopping after the requests in flight\n" << std::flush;
    server.Stop();
    return 0;
  }
}

std::string RequireDb(const Args& args) { return args.Require("db"); }

int TokenCreate(const Args& args, std::ostream& out, std::ostream&) {
  const std::string db = RequireDb(args);
  {
    if (args.Has("role") && args.Has("scope")) throw UsageError("--role is the old name of --scope: give one");
    const std::string word = args.Get("scope").value_or(args.Get("role").value_or("all"));
    const auto scope = service::ParseScope(word);
    if (!scope) throw UsageError("--scope must be check, read or all");
    const auto t = service::CreateToken(db, *scope, args.Get("name").value_or(""),
                                        args.Get("user").value_or(""));
    out << t.token << "\n";
    return 0;
  }
}

int TokenList(const Args& args, std::ostream& out, std::ostream&) {
  const std::string db = RequireDb(args);
  {
    // The user id; `user list` names it.
    out << "id    user  scope   created               revoked               name\n";
    for (const auto& r : service::ListTokens(db))
      out << std::left << std::setw(6) << r.token_id << std::setw(6) << r.user_id
          << std::setw(8) << (r.role == "admin" ? "all" : r.role) << std::setw(22)
          << r.created_at << std::setw(22) << (r.revoked_at.empty() ? "-" : r.revoked_at) << r.name
          << "\n";
    return 0;
  }
}

int TokenRevoke(const Args& args, std::ostream& out, std::ostream&) {
  const std::string db = RequireDb(args);
  {
    if (args.Positionals().size() != 1) throw UsageError("token revoke takes one token id");
    int64_t id = 0;
    const std::string& word = args.Positionals()[0];
    const auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), id);
    if (ec != std::errc() || p != word.data() + word.size()) throw UsageError("token revoke: ID is a number");
    if (!service::RevokeToken(db, id))
      throw InputError("no valid token " + args.Positionals()[0] + " in " + db);
    out << "revoked token " << id << "\n";
    return 0;
  }
}

}  // namespace

std::vector<Command> ServerCommands() {
  return {
      {{"serve"}, kServeHelp,
       {"rules", "refdata", "db", "listen", "threads", "cert", "key", "max-body", "max-batch",
        "max-headers", "request-timeout", "hold", "access-log"},
       {"no-auth"}, Serve},
      {{"token", "create"}, kTokenHelp, {"db", "role", "scope", "user", "name"}, {}, TokenCreate},
      {{"token", "list"}, kTokenHelp, {"db"}, {}, TokenList},
      {{"token", "revoke"}, kTokenHelp, {"db"}, {}, TokenRevoke},
  };
}

}  // namespace coderaudit::cli
