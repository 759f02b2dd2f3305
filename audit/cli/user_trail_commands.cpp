// `coderaudit user ...` and `coderaudit trail ...`: users with roles, and the audit trail.
#include <charconv>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "audit/cli/commands.hpp"
#include "audit/model/error.hpp"
#include "audit/service/trail.hpp"
#include "audit/service/users.hpp"

namespace coderaudit::cli {

namespace {

constexpr const char* kUserHelp = R"(usage: coderaudit user add NAME --db STORE --role ROLE [--coder-id ID] [--password-file FILE]
       coderaudit user list --db STORE
       coderaudit user role NAME --db STORE --role ROLE [--coder-id ID]
       coderaudit user passwd NAME --db STORE [--password-file FILE]
       coderaudit user disable NAME --db STORE
       coderaudit user login NAME --db STORE [--password-file FILE]

Users of a store and their roles (README "Users, roles and the audit trail"):
  auditor       checks claims, draws samples, saves re-coding (score), reads, exports
  coder         reads their own findings and scores only (--coder-id: the coder id
                their claims carry); patient identifiers masked
  manager       reads everything, imports rebuttals and decisions, samples, exports;
                patient identifiers masked
  compliance    reads and exports everything and the audit trail
  investigator  as compliance
  admin         everything; the only role that manages users, tokens and rule sets
The password is read from the first line of --password-file, or of standard input
(`printf '%s\n' "$PW" | coderaudit user add ...`), never from the command line; at
least 12 characters; stored as PBKDF2-HMAC-SHA256 (600,000 rounds, random salt).
A disabled user keeps its row; its tokens stop working within about a second. login
checks a password and records "login" (or "login.failed") in the trail. Every change
is a trail event. API tokens belong to a user: coderaudit token create --user NAME.
)";

constexpr const char* kTrailHelp = R"(usage: coderaudit trail show --db STORE [--run N] [--after SEQ] [--limit N]
       coderaudit trail verify (--db STORE | --file EXPORT.jsonl) [--expect-head HASH]
       coderaudit trail export --db STORE --out FILE.jsonl [--run N]

The store's audit trail: every change (runs, scores, rebuttals, samples, reports, users,
tokens, logins, rule sets) is an event in one SHA-256 hash chain (audit/store/TRAIL.md).
show      events in order (--run: one engagement, the check run N and its score runs)
verify    checks every event's hash and link; names the first bad event and exits 1 when
          one was edited, deleted, inserted or reordered. --expect-head HASH: a head
          recorded earlier (from verify or export) must still be in the chain, which
          catches a trail cut short at its end.
export    writes the chain as JSON lines (with --run N, other engagements' events as
          hashes only) and FILE.jsonl.README.txt: how to verify it, with a Python check.
)";

std::string ReadPassword(const Args& args) {
  std::string line;
  if (const auto f = args.Get("password-file")) {
    std::ifstream in(*f, std::ios::binary);
    if (!in) throw InputError("cannot read " + *f);
    std::getline(in, line);
  } else {
    std::getline(std::cin, line);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.empty()) throw UsageError("no password: give it on standard input or in --password-file");
  return line;
}

const std::string& OneName(const Args& args, const char* what) {
  if (args.Positionals().size() != 1) throw UsageError(std::string(what) + " takes one user NAME");
  return args.Positionals()[0];
}

service::Role RoleOf(const Args& args) {
  const auto role = service::ParseRole(args.Require("role"));
  if (!role) throw UsageError("--role must be auditor, coder, manager, compliance, investigator or admin");
  return *role;
}

int UserAdd(const Args& args, std::ostream& out, std::ostream&) {
  const std::string& name = OneName(args, "user add");
  const auto role = RoleOf(args);
  const auto id = service::AddUser(args.Require("db"), name, role, args.Get("coder-id").value_or(""),
                                   ReadPassword(args));
  out << "user " << id << " " << name << " (" << service::ToString(role) << ")\n";
  return 0;
}

int UserList(const Args& args, std::ostream& out, std::ostream&) {
  args.RequireNoPositionals();
  out << "id    name                 role          coder id     created               disabled\n";
  for (const auto& u : service::ListUsers(args.Require("db")))
    out << std::left << std::setw(6) << u.user_id << std::setw(21) << u.name << std::setw(14) << u.role
        << std::setw(13) << (u.coder_id.empty() ? "-" : u.coder_id) << std::setw(22) << u.created_at
        << (u.disabled_at.empty() ? "-" : u.disabled_at) << "\n";
  return 0;
}

int UserRole(const Args& args, std::ostream& out, std::ostream&) {
  const std::string& name = OneName(args, "user role");
  const auto role = RoleOf(args);
  service::SetUserRole(args.Require("db"), name, role, args.Get("coder-id").value_or(""));
  out << "user " << name << " is now " << service::ToString(role) << "\n";
  return 0;
}

int UserPasswd(const Args& args, std::ostream& out, std::ostream&) {
  const std::string& name = OneName(args, "user passwd");
  service::SetUserPassword(args.Require("db"), name, ReadPassword(args));
  out << "password of " << name << " changed\n";
  return 0;
}

int UserDisable(const Args& args, std::ostream& out, std::ostream&) {
  const std::string& name = OneName(args, "user disable");
  service::DisableUser(args.Require("db"), name);
  out << "user " << name << " disabled\n";
  return 0;
}

int UserLogin(const Args& args, std::ostream& out, std::ostream&) {
  const std::string& name = OneName(args, "user login");
  const auto who = service::Login(args.Require("db"), name, ReadPassword(args));
  out << "ok: " << who.name << " (" << service::ToString(who.role) << ")\n";
  return 0;
}

std::optional<std::string> ExpectHead(const Args& args) {
  auto h = args.Get("expect-head");
  if (h && (h->size() != 64 || h->find_first_not_of("0123456789abcdef") != std::string::npos))
    throw UsageError("--expect-head takes a 64-digit lower-case hex SHA-256");
  return h;
}

int TrailShow(const Args& args, std::ostream& out, std::ostream&) {
  args.RequireNoPositionals();
  const auto events = service::ShowTrail(args.Require("db"), args.Int("run", 0), args.Int("after", 0),
                                         args.Int("limit", 0));
  for (const auto& e : events)
    out << e.seq << "  " << e.at << "  " << e.actor << "  " << e.action << "  " << e.subject
        << (e.run_id ? "  run " + std::to_string(e.run_id) : "") << "\n"
        << "    before " << e.before << "\n    after  " << e.after << "\n    hash   " << e.hash << "\n";
  if (events.empty()) out << "(no events)\n";
  return 0;
}

int TrailVerify(const Args& args, std::ostream& out, std::ostream& err) {
  args.RequireNoPositionals();
  const auto db = args.Get("db");
  const auto file = args.Get("file");
  if (db.has_value() == file.has_value()) throw UsageError("trail verify takes --db STORE or --file EXPORT");
  const auto expect = ExpectHead(args);
  const auto check = db ? service::VerifyTrail(*db, expect) : service::VerifyTrailFile(*file, expect);
  if (!check.ok) {
    err << "trail verify: FAILED at event " << check.first_bad << ": " << check.problem << "\n";
    out << "bad " << check.first_bad << "\n";
    return kFindings;
  }
  out << "ok: " << check.events << " events, head " << check.head_seq << " " << check.head_hash
      << (expect ? " (extends the expected head)" : "") << "\n";
  return kOk;
}

int TrailExport(const Args& args, std::ostream& out, std::ostream&) {
  args.RequireNoPositionals();
  const auto r = service::ExportTrail(args.Require("db"), args.Int("run", 0), args.Require("out"));
  out << "wrote " << args.Require("out") << ": " << r.events << " events"
      << (r.withheld ? " (" + std::to_string(r.withheld) + " of other engagements as hashes)" : "")
      << ", head " << r.head_seq << " " << r.head_hash << "\n"
      << "how to verify: " << r.readme_path << "\n";
  return 0;
}

}  // namespace

std::vector<Command> UserTrailCommands() {
  return {
      {{"user", "add"}, kUserHelp, {"db", "role", "coder-id", "password-file"}, {}, UserAdd},
      {{"user", "list"}, kUserHelp, {"db"}, {}, UserList},
      {{"user", "role"}, kUserHelp, {"db", "role", "coder-id"}, {}, UserRole},
      {{"user", "passwd"}, kUserHelp, {"db", "password-file"}, {}, UserPasswd},
      {{"user", "disable"}, kUserHelp, {"db"}, {}, UserDisable},
      {{"user", "login"}, kUserHelp, {"db", "password-file"}, {}, UserLogin},
      {{"trail", "show"}, kTrailHelp, {"db", "run", "after", "limit"}, {}, TrailShow},
      {{"trail", "verify"}, kTrailHelp, {"db", "file", "expect-head"}, {}, TrailVerify},
      {{"trail", "export"}, kTrailHelp, {"db", "out", "run"}, {}, TrailExport},
  };
}

}  // namespace coderaudit::cli
