// coderaudit db migrate|status|copy: the store itself (audit/service/store_admin.hpp);
// coderaudit worker: the processes of a run in partitions (audit/service/workers.hpp).
#include "audit/cli/commands.hpp"

#include "audit/model/error.hpp"
#include "audit/service/store_admin.hpp"
#include "audit/service/workers.hpp"

#include <unistd.h>

namespace coderaudit::cli {

namespace {

constexpr const char* kStoreForms = R"(STORE is a SQLite file (created when missing) or a PostgreSQL URL:
  postgresql://USER@HOST:PORT/DATABASE   (also postgres://; ?sslmode=require and other libpq
                                          parameters after '?'; options=-csearch_path%3DNAME
                                          keeps the store in schema NAME, created if missing)
The password is read as libpq reads it: PGPASSWORD or ~/.pgpass (or USER:PASSWORD@ in the
URL, which other users may see in the process list). Every command that takes --db takes
either form.
)";

const std::string kMigrateHelp = std::string(R"(usage: coderaudit db migrate --db STORE

Creates the store if there is none and applies the pending schema migrations, all in one
transaction, then prints its status. Other commands migrate a store when they open it;
this does it on its own, e.g. before workers or a server start against a new database.
)") + kStoreForms;
const std::string kStatusHelp = std::string(R"(usage: coderaudit db status --db STORE

Prints where the store is, its backend, the schema migrations applied and pending, and how
many runs it holds. Creates and changes nothing. exit: 0, or 3 when there is no store.
)") + kStoreForms;
const std::string kCopyHelp = std::string(R"(usage: coderaudit db copy FROM.db TO-URL [--into-nonempty]

Copies every table of the SQLite store FROM into the PostgreSQL store TO (created or
migrated first): runs, samples, tokens and every row under them, with their ids. One
transaction: it commits only after each table's row count and each run's findings (count
and SHA-256 of their text in stored order) are checked against the source, so a failed
copy leaves TO as it was. A TO that already holds rows is refused unless --into-nonempty
(then no copied id may already be in use). FROM is brought to this build's schema first.
)") + kStoreForms;

constexpr const char* kWorkerHelp = R"(usage: coderaudit worker --db postgresql://... [--name NAME] [--until-done] [--poll SECONDS]

Processes the partitions of runs made by `coderaudit check --partitions N`: claims one no
other worker holds (SELECT ... FOR UPDATE SKIP LOCKED), checks it with the run's rules
(the rules file and --refdata the run names must be readable here and hash the same),
and stores its rows with its done mark in one transaction; the last partition completes
the run. A worker killed mid-partition leaves nothing of it: its claim ends with its
connection and another worker takes the partition. Runs anywhere that reaches the store;
start as many as you like (deploy/ has a systemd unit and a Kubernetes manifest).
  --name NAME       recorded with each partition it stores (default HOST:PID)
  --until-done      exit once no partition is left (default: keep waiting for new runs)
  --poll SECONDS    wait between looks when there is nothing to claim (default 1)
Prints a line per partition stored and per run completed.
)";

int Worker(const Args& args, std::ostream& out, std::ostream&) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  service::WorkerOptions opt;
  opt.db_path = args.Require("db");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  opt.name = args.Get("name").value_or(std::string(host) + ":" + std::to_string(getpid()));
  opt.until_done = args.Has("until-done");
  opt.poll_seconds = args.Real("poll", 1.0);
  if (opt.poll_seconds <= 0) throw UsageError("--poll must be positive");
  opt.on_event = [&](const std::string& line) { out << line << std::endl; };
  // A test hook: CODERAUDIT_TEST_WORKER_STALL_MS makes each encounter take that long, so a
  // test can kill a worker in the middle of a partition.
  if (const char* stall = getenv("CODERAUDIT_TEST_WORKER_STALL_MS")) {
    const int ms = atoi(stall);
    opt.on_encounter_read = [ms](const Encounter&) { usleep(static_cast<useconds_t>(ms) * 1000); };
  }
  service::RunWorker(opt);
  return kOk;
}

void PrintStatus(const store::StoreStatus& s, std::ostream& out) {
  auto list = [](const std::vector<int>& v) {
    std::string t;
    for (int x : v) t += (t.empty() ? "" : ",") + std::to_string(x);
    return t.empty() ? std::string("none") : t;
  };
  out << "store:      " << s.location << "\n"
      << "backend:    " << s.backend << "\n";
  if (!s.exists) {
    out << "state:      no store here yet (coderaudit db migrate --db ... creates it)\n";
    return;
  }
  out << "schema:     " << (s.applied.empty() ? 0 : s.applied.back()) << " (applied " << list(s.applied)
      << "; pending " << list(s.pending) << ")\n"
      << "runs:       " << s.runs << "\n";
}

int Migrate(const Args& args, std::ostream& out, std::ostream&) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  const auto r = service::MigrateStore(args.Require("db"));
  const size_t applied = r.after.applied.size() - r.before.applied.size();
  out << (r.before.exists ? "" : "created; ") << "applied " << applied << " migration"
      << (applied == 1 ? "" : "s") << "\n";
  PrintStatus(r.after, out);
  return kOk;
}

int Status(const Args& args, std::ostream& out, std::ostream&) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  const auto s = service::StoreStatus(args.Require("db"));
  PrintStatus(s, out);
  return s.exists ? kOk : kInputError;
}

int Copy(const Args& args, std::ostream& out, std::ostream&) {
  if (args.Positionals().size() != 2) throw UsageError("give FROM (a SQLite store) and TO (a PostgreSQL URL)");
  const auto r = service::CopyStore(args.Positionals()[0], args.Positionals()[1],
                                    args.Has("into-nonempty"));
  int64_t rows = 0;
  for (const auto& t : r.tables) {
    rows += t.rows;
    out << "  " << t.name << ": " << t.rows << " rows\n";
  }
  for (const auto& run : r.runs)
    out << "  run " << run.run_id << ": " << run.findings << " findings, sha256 "
        << run.findings_sha256 << " (same in both)\n";
  out << "copied " << r.runs.size() << " runs, " << rows << " rows in " << r.tables.size()
      << " tables from " << r.from << " to " << r.to << "\n";
  return kOk;
}

}  // namespace

std::vector<Command> DbCommands() {
  static const std::string migrate = kMigrateHelp, status = kStatusHelp, copy = kCopyHelp;
  return {
      {{"db", "migrate"}, migrate.c_str(), {"db"}, {}, Migrate},
      {{"db", "status"}, status.c_str(), {"db"}, {}, Status},
      {{"db", "copy"}, copy.c_str(), {}, {"into-nonempty"}, Copy},
      {{"worker"}, kWorkerHelp, {"db", "name", "poll"}, {"until-done"}, Worker},
  };
}

}  // namespace coderaudit::cli
