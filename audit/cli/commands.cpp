#include "audit/cli/commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "audit/cli/args.hpp"
#include "audit/model/error.hpp"
#include "audit/model/money.hpp"
#include "audit/qa/payment.hpp"
#include "audit/service/results.hpp"
#include "audit/service/rule_files.hpp"
#include "audit/service/service.hpp"
#include "audit/service/store_admin.hpp"
#include "audit/service/workers.hpp"
#include "audit/service/stored_runs.hpp"

namespace coderaudit::cli {

namespace {

constexpr const char* kMainHelp = R"(coderaudit - medical coding compliance audits and coder QA

usage: coderaudit <command> [options]      coderaudit <command> --help

commands:
  check        ingest encounters, run a rule set, store the run (findings, rejects)
  score        diff an auditor's re-coding against a stored check run, score each coder
               under a scoring policy (or re-score a stored score run: --rescore)
  report       write the per-coder accuracy workbook (.xlsx) of a stored score run, or
               the findings workbook of a check run
  findings     list a check run's findings (filters; table, csv, json or xlsx)
  holds        the hold/release list of a check run: every claim held (and why) or released
  rebuttal     import coders' rebuttals and final decisions (filled-in workbook or CSV)
               and store the re-scored result as a new score run
  agreement    compare two auditors on the same encounters (percent agreement, kappa)
  runs         list the runs in a store
  rejects      list the rejected input records of a run (file:line field reason)
  refdata import|list|lookup
               load official CMS/CDC tables (ICD-10-CM/PCS, HCPCS, CPT codes, NCCI
               PTP/MUE/add-on, MCE, POA-exempt, tabular notes) into a versioned,
               indexed directory
  rules check  validate a rule file against the XSD and list its effective rules
  rules test   run the test cases embedded in a rule file
  generate     write synthetic claims (real codes, made-up ids) for benchmarks
  sample draw|show|list|replay|substitute
               samples of a stored check run: simple, stratified, per-coder quota,
               targeted; replay proves a stored sample identical
  extrapolate  appraise a stored sample's reviewed amounts, write the extrapolation workbook
  sample numbers | sample-size variable|attribute | appraise variable|attribute
               RAT-STATS-compatible random numbers, sample sizes and appraisals
  serve        HTTP API: check claims (hold/release), submit batches, read stored runs
  token create|list|revoke
               API tokens of serve, each owned by a user (shown once; salted hashes)
  user add|list|role|passwd|disable|login
               users of a store and their roles (auditor, coder, manager, compliance,
               investigator, admin); passwords from standard input, never argv
  trail show|verify|export
               the store's tamper-evident audit trail: every change, hash-chained
  db migrate|status|copy
               the store itself: create/upgrade its schema, show it, copy a SQLite
               store into PostgreSQL (--db takes a SQLite file or a postgresql:// URL)
  worker       process partitions of runs made by check --partitions (PostgreSQL)

exit codes: 0 ok, 1 findings or failed checks (trail verify: a bad event), 2 usage,
  3 input error, 4 system failure,
  5 (check) rejected records/encounters or claims not checked, no findings,
  6 (check) findings, and rejected records/encounters or claims not checked,
  7 forbidden (the acting user's role may not; a failed user login)
)";

constexpr const char* kCheckHelp = R"(usage: coderaudit check --rules RULES.xml --db STORE.db ENCOUNTERS.csv...
       coderaudit check --rules RULES.xml --db STORE.db --input ENCOUNTERS.csv [--input ...]

Reads encounters (schemas/encounters-csv.md), evaluates the rule set and stores one run
(encounters, findings, rejects, input hashes) in a single transaction.
  --rules FILE   rule set (schemas/rules-v1.xsd)
  --input FILE   an encounter file (repeatable; read in the order given), instead of
                 naming the files as arguments
  --input-format F
                 auto (default: by content), csv, x12 (837P/837I 5010), fhir (R4 Claim/EOB),
                 json (the JSON claim model, schemas/claim-json.md); --format is read too
  --mapping FILE column mapping for other CSV exports (schemas/csv-mapping.md)
  --refdata DIR  reference tables (coderaudit refdata import) for rules that read them
  --db STORE     SQLite file or postgresql:// URL (coderaudit db migrate --help); created
                 if missing
  --store WHAT   all (default): every encounter and line; findings: only the encounters
                 with findings (run, inputs, findings and rejects are always stored)
  --threads N    2 (default): evaluate and store on a second thread too; 1: one thread
                 (same stored results either way)
  --history-run N[,N...]
                 stored check runs of --db (stored with --store all) whose practitioner
                 claims count as earlier claims for the edits across claims (NCCI PTP
                 pairs, MUE day totals and add-on primaries split between claims of one
                 patient, provider and date; services billed again on a later claim);
                 the run's own claims always do, in input order
  --require-coverage
                 a claim that a rule could not judge (its table has no version in force
                 on the claim's date) is an error: nothing is stored, exit 3. Without it
                 such claims are stored and reported "not checked", never clean
  --timing       also print wall times on stderr (setup, first finding, total, lines/s)
  --quiet        print only the run id
  --partitions N a run in N partitions for `coderaudit worker` processes (PostgreSQL
                 store, encounter CSV files): splits the files at claim boundaries, stores
                 the partitions and prints the run id; the run is listed once its last
                 partition is stored (README "Scale-out")
exit: 0 every encounter checked, no findings; 1 findings (claims to hold), everything
checked; 5 no findings, but some records/encounters rejected or claims not checked;
6 findings, and some rejected or not checked; 3 bad input; 4 store failure
)";

constexpr const char* kScoreHelp = R"(usage: coderaudit score --db STORE.db --input AUDITOR.csv [--run N] [options]
       coderaudit score --db STORE.db --rescore RUN [--policy FILE] [--benchmark F]

Diffs the auditor's re-coding (schemas/auditor-csv.md) against the coder's coding stored
in check run N (default: the latest check run) and stores per-coder scores as a new run,
with the scoring policy's text and SHA-256 frozen into it.
  --input FILE         the auditor's re-coding (--auditor FILE is read too)
  --policy FILE        scoring policy (schemas/policies/scoring-policy-v1.xsd; examples in
                       samples/policies/); default: the built-in policy (every difference
                       counts once, Clopper-Pearson 95%, benchmark 0.95)
  --benchmark F        override the policy's benchmark, e.g. 0.95 (recorded in the run)
  --drg-weights FILE   drg,weight CSV (schemas/payment-csv.md): DRG payment differences
  --base-rate DOLLARS  payment per 1.0 of DRG weight (with --drg-weights)
  --cc-mcc FILE        code,level CSV: direction of revised diagnoses by CC/MCC level
  --rescore RUN        score the rows of stored score run RUN again as a new run, with
                       its frozen policy, or with --policy FILE when given
)";

constexpr const char* kReportHelp = R"(usage: coderaudit report --db STORE.db --out FILE.xlsx [--run N] [--period quarter|month] [--no-trend]
       coderaudit report --db STORE.db --coder ID --out FILE.xlsx [--run N] [--matches]
       coderaudit report --db STORE.db --per-coder DIR [--run N] [--matches]
       coderaudit report --db STORE.db --out FILE.xlsx --run CHECK [--hold LIST] [--release-unchecked]

For a check run (--run CHECK, or the default when the store has no score run): the
findings workbook (Summary by rule, disposition, provider and payer with a chart; Held
claims under the hold policy, see coderaudit holds --help; every Finding with its
citation and the values that fired; Run), byte-identical on re-render.
Otherwise writes the per-coder accuracy workbook of score run N (default: the latest score run),
from the store only: Summary, Error categories, Trend (by period, over run N and the
latest run of every other audit up to N), Auditors, a sheet per coder (with rebuttal columns to fill in
and re-import with `coderaudit rebuttal`), Findings, Policy, Run. Re-rendering a run with
the same options gives a byte-identical workbook.
  --coder ID       a coder's own feedback workbook instead: only their results, their
                   score and result on top, counted errors first, the columns to fill in
                   marked (re-import it with coderaudit rebuttal like the team workbook)
  --per-coder DIR  one feedback workbook per coder of the run: DIR/coder-<id>.xlsx
  --matches        with --coder/--per-coder: list the matching codes too, after the errors
  --period P       the Trend sheet's periods: quarter (default) or month
  --no-trend       leave the Trend sheet out
)";

constexpr const char* kRebuttalHelp = R"(usage: coderaudit rebuttal --db STORE.db --input FILE.xlsx|FILE.csv [--run N] [--policy FILE]

Reads the coders' Rebuttal (agree/disagree) and the Final decision (upheld/overturned)
per difference from a filled-in accuracy workbook (the team's or a coder's own, of the
score run written on its Run sheet) or a CSV (schemas/rebuttal-csv.md; of score run N,
default: the latest score run), and stores the re-scored result as a new
score run: overturned differences no longer count. Prints scores and overturn rates per
auditor. Rows that match no difference are rejects (coderaudit rejects --run NEW).
  --input FILE    the filled-in workbook or CSV (--in, the older spelling, is read too)
  --policy FILE   score with this policy instead of the run's frozen one
)";

constexpr const char* kAgreementHelp = R"(usage: coderaudit agreement --db STORE.db --input A.csv --input B.csv [--run CHECK] [--format text|csv]
       coderaudit agreement --db STORE.db --runs A,B [--format text|csv]

Audit the auditor: compares two auditors' re-codings of the same encounters item by item
(each coder code, each code an auditor added, the DRG) and prints percent agreement and
Cohen's kappa on the outcome categories and on error / no error, with the confusion
table. Files are diffed against check run CHECK (default: the latest) and not stored;
--runs compares two stored score runs of the same check run. --format csv prints
measure,value rows (the layout of samples/expected_agreement.csv). --auditor FILE is
read as --input FILE.
)";

constexpr const char* kRunsHelp = "usage: coderaudit runs --db STORE.db\n";
constexpr const char* kRejectsHelp = "usage: coderaudit rejects --db STORE.db [--run N]\n";
constexpr const char* kRulesCheckHelp = R"(usage: coderaudit rules check RULES.xml [--refdata DIR] [--date YYYY-MM-DD]

Validates the file and every file it includes against schemas/rules-v1.xsd (DTDs and
external entities refused) and prints the effective rule list: included packs first,
overrides and disabled rules shown. Then lints: unknown or expired tables (for --date,
default today), duplicate ids, rules without citation or tests. With --refdata the rules
are compiled against the loaded tables. Problems print as file:line:column.
exit: 0 valid, 1 invalid or a lint error
)";
constexpr const char* kRulesTestHelp = R"(usage: coderaudit rules test RULES.xml [--refdata DIR]

Runs every <test> embedded in the rule file. exit: 0 all pass, 1 a test failed or the
file is invalid
)";

std::string Percent(double v) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << v * 100 << "%";
  return os.str();
}

// One progress line, redrawn in place; only when stderr is a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(std::ostream& err) : err_(err), tty_(isatty(STDERR_FILENO) == 1) {}
  void Update(const service::Progress& p) {
    if (!tty_) return;
    err_ << "\r" << Line(p, std::chrono::duration<double>(Clock::now() - started_).count())
         << "\033[K" << std::flush;  // clear what a longer line left
    drawn_ = true;
  }
  // "42% 1200 encounters, 35 findings, 0 rejects, about 12 s left": the share of the input
  // bytes read, and the time left at the pace so far (after a second, once it means
  // something).
  static std::string Line(const service::Progress& p, double seconds) {
    std::ostringstream line;
    double share = 0;
    if (p.bytes_total > 0) {
      share = std::clamp(static_cast<double>(p.bytes_read) / static_cast<double>(p.bytes_total),
                         0.0, 1.0);
      line << static_cast<int>(share * 100) << "% ";
    }
    line << p.encounters << " encounters, " << p.findings << " findings, " << p.rejects
         << " rejects";
    if (share > 0 && share < 1 && seconds >= 1)
      line << ", about " << static_cast<int64_t>(std::ceil(seconds * (1 - share) / share))
           << " s left";
    return line.str();
  }
  ~ProgressLine() {
    if (drawn_) err_ << "\n";
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  bool tty_;
  bool drawn_ = false;
  Clock::time_point started_ = Clock::now();
};

void PrintIssues(const std::vector<Issue>& issues, std::ostream& err) {
  for (const auto& i : issues) err << Describe(i) << "\n";
}

int Check(const Args& args, std::ostream& out, std::ostream& err) {
  service::CheckOptions opt;
  if (const auto mode = args.Get("store").value_or("all"); mode == "findings")
    opt.store = service::CheckOptions::StoreMode::kFindings;
  else if (mode != "all") throw UsageError("--store must be all or findings");
  opt.threads = static_cast<int>(args.Int("threads", 2));
  if (opt.threads != 1 && opt.threads != 2) throw UsageError("--threads must be 1 or 2");
  opt.rules_path = args.Require("rules");
  opt.refdata_dir = args.Get("refdata").value_or("");
  // --input-format: what the files are (--format, its older spelling, is still read;
  // everywhere else --format is what a command writes).
  if (args.Has("input-format") && args.Has("format"))
    throw UsageError("give --input-format once (--format is its older spelling)");
  opt.format = args.Get("input-format").value_or(args.Get("format").value_or("auto"));
  opt.mapping_path = args.Get("mapping").value_or("");
  opt.db_path = args.Require("db");
  // The encounter files: arguments, or --input FILE (repeatable) as other commands take
  // their input; not both, so the input order (encounters are numbered in it) is plain.
  opt.encounter_paths = args.All("input");
  if (!opt.encounter_paths.empty() && !args.Positionals().empty())
    throw UsageError("give the encounter files as arguments or with --input, not both");
  if (opt.encounter_paths.empty()) opt.encounter_paths = args.Positionals();
  opt.require_coverage = args.Has("require-coverage");
  if (const auto runs = args.Get("history-run")) {
    std::stringstream list(*runs);
    for (std::string item; std::getline(list, item, ',');) {
      char* end = nullptr;
      const long long id = std::strtoll(item.c_str(), &end, 10);
      if (item.empty() || *end != '\0' || id <= 0)
        throw UsageError("--history-run takes run ids separated by commas (e.g. 3,4)");
      opt.history_runs.push_back(id);
    }
  }
  if (opt.encounter_paths.empty()) throw UsageError("name at least one encounter file");
  if (args.Has("partitions")) {
    for (const char* o : {"format", "mapping", "require-coverage", "threads"})
      if (args.Has(o)) throw UsageError(std::string("--") + o + " does not go with --partitions");
    service::PartitionOptions p;
    p.rules_path = opt.rules_path;
    p.refdata_dir = opt.refdata_dir;
    p.db_path = opt.db_path;
    p.encounter_paths = opt.encounter_paths;
    p.store = opt.store;
    p.partitions = static_cast<int>(args.Int("partitions", 0));
    const auto run = service::CreatePartitionedRun(p);
    if (args.Has("quiet")) {
      out << run.run_id << "\n";
    } else {
      out << "run " << run.run_id << " (check) created in " << run.partitions
          << " partitions; it is listed once workers have stored them all:\n"
          << "  coderaudit worker --db " << service::ShownStore(p.db_path) << "\n";
    }
    return kOk;
  }
  ProgressLine progress(err);
  opt.on_progress = [&](const service::Progress& p) { progress.Update(p); };
  opt.on_warning = [&](const std::string& w) { err << "warning: " << w << "\n"; };
  const auto s = service::RunCheck(opt);
  const auto& r = s.run;
  if (args.Has("quiet")) {
    out << r.run_id << "\n";
  } else {
    out << "run " << r.run_id << " (check) stored in " << service::ShownStore(opt.db_path) << "\n"
        << "  rule set   " << r.rule_set_name << " " << r.rule_set_version << " ("
        << s.rule_count << " rules, sha256 " << r.rule_set_hash.substr(0, 12) << ")\n"
        << "  records    read " << r.records_read << " = processed " << r.records_processed
        << " + rejected " << r.records_rejected << "\n"
        << "  encounters read " << r.encounters_read << " = processed "
        << r.encounters_processed << " + rejected " << r.encounters_rejected << "\n"
        << "  findings   " << r.findings << " on " << s.encounters_with_findings
        << " encounters\n";
    if (r.claims_not_checked > 0) {
      out << "  not checked " << r.claims_not_checked << " claims:";
      for (size_t i = 0; i < r.not_checked.size(); ++i)
        out << (i ? ", " : " ") << Describe(r.not_checked[i]);
      out << "\n";
    }
    if (r.records_rejected > 0)
      out << "  rejects:   coderaudit rejects --db " << service::ShownStore(opt.db_path) << " --run " << r.run_id
          << "\n";
  }
  if (args.Has("timing")) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "timing: setup %.3f s, first finding after %.3f s, total %.3f s, %.0f lines/s\n",
                  s.setup_seconds, s.first_finding_seconds, s.total_seconds,
                  s.total_seconds > 0 ? static_cast<double>(r.records_read) / s.total_seconds : 0.0);
    err << line;
  }
  return CheckExitCode(r.findings, r.records_rejected, r.encounters_rejected,
                       r.claims_not_checked);
}

std::string Money(int64_t cents) { return FormatDollars(cents); }

void PrintScores(const service::ScoreSummary& s, const std::string& db_path, std::ostream& out) {
  const auto& r = s.run;
  const auto& p = s.policy;
  out << "  policy     " << p.id << " " << p.version << " (sha256 " << p.sha256.substr(0, 12)
      << "): " << qa::DescribeScope(p) << "; " << qa::ToString(p.interval) << " "
      << Percent(p.confidence) << "; pass: " << qa::ToString(p.pass_metric) << " accuracy ("
      << qa::ToString(p.pass_compare) << ") >= "
      << Percent(s.scoring.benchmark_override > 0 ? s.scoring.benchmark_override : p.benchmark)
      << "\n\n";
  bool drg = false, money = false;
  for (const auto& c : s.scores) {
    drg |= c.drg_encounters > 0;
    money |= c.overpayment_cents != 0 || c.underpayment_cents != 0;
  }
  const std::string ci = Percent(p.confidence).substr(0, Percent(p.confidence).size() - 3) + "% CI";
  out << std::left << std::setw(10) << "coder" << std::right << std::setw(6) << "enc"
      << std::setw(7) << "codes" << std::setw(7) << "errors" << std::setw(10) << "code acc"
      << std::setw(18) << ci << std::setw(11) << "claim acc";
  if (drg) out << std::setw(9) << "DRG acc";
  if (money) out << std::setw(14) << "net impact";
  out << "  result\n";
  for (const auto& c : s.scores) {
    out << std::left << std::setw(10) << c.coder_id << std::right << std::setw(6)
        << c.encounters << std::setw(7) << c.codes_reviewed << std::setw(7) << c.errors
        << std::setw(10) << Percent(c.code_accuracy) << std::setw(18)
        << (Percent(c.code_interval.low) + "-" + Percent(c.code_interval.high))
        << std::setw(11) << Percent(c.claim_accuracy);
    if (drg) out << std::setw(9) << (c.drg_encounters ? Percent(c.drg_accuracy) : "-");
    if (money) out << std::setw(14) << Money(c.overpayment_cents - c.underpayment_cents);
    out << "  " << (c.pass ? "PASS" : "FAIL") << "\n";
  }
  out << "\nworkbook: coderaudit report --db " << service::ShownStore(db_path) << " --run " << r.run_id
      << " --out accuracy.xlsx\n";
}

int Score(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  service::ScoreOptions opt;
  opt.db_path = args.Require("db");
  opt.rescore_run_id = args.Int("rescore", 0);
  if (opt.rescore_run_id != 0) {
    for (const char* o : {"input", "auditor", "run", "drg-weights", "base-rate", "cc-mcc"})
      if (args.Has(o)) throw UsageError(std::string("--") + o + " does not go with --rescore");
    service::RequireStore(opt.db_path);
  } else {
    if (args.Has("input") && args.Has("auditor"))
      throw UsageError("give the auditor file once: --input (or its other name --auditor)");
    if (!args.Has("input") && !args.Has("auditor"))
      throw UsageError("missing --input AUDITOR.csv (the auditor's re-coding)");
    opt.auditor_path = args.Has("input") ? args.Require("input") : args.Require("auditor");
  }
  opt.check_run_id = args.Int("run", 0);
  opt.benchmark = args.Real("benchmark", 0);
  opt.policy_path = args.Get("policy").value_or("");
  opt.payment.drg_weights_path = args.Get("drg-weights").value_or("");
  opt.payment.base_rate = args.Real("base-rate", 0);
  opt.payment.cc_mcc_path = args.Get("cc-mcc").value_or("");
  opt.on_warning = [&](const std::string& w) { err << "warning: " << w << "\n"; };
  const auto s = service::RunScore(opt);
  const auto& r = s.run;
  if (opt.rescore_run_id != 0) {
    out << "run " << r.run_id << " (re-score of score run " << opt.rescore_run_id
        << ", check run " << r.parent_run_id << ") stored in " << service::ShownStore(opt.db_path) << "\n";
  } else {
    out << "run " << r.run_id << " (score of check run " << r.parent_run_id << ") stored in "
        << service::ShownStore(opt.db_path) << "\n"
        << "  auditor rows read " << r.records_read << " = processed " << r.records_processed
        << " + rejected " << r.records_rejected << "; encounters audited "
        << r.encounters_processed << " (rejected " << r.encounters_rejected << ")\n";
  }
  PrintScores(s, opt.db_path, out);
  return kOk;
}

int Report(const Args& args, std::ostream& out, std::ostream&) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  const std::string db_path = args.Require("db");
  const auto per_coder = args.Get("per-coder");
  if (per_coder && (args.Has("out") || args.Has("coder")))
    throw UsageError("--per-coder DIR writes one workbook per coder: without --out or --coder");
  if (args.Has("matches") && !per_coder && !args.Has("coder"))
    throw UsageError("--matches goes with --coder or --per-coder");
  const std::string path = per_coder ? std::string() : args.Require("out");
  service::ReportOptions options;
  const std::string period = args.Get("period").value_or("quarter");
  if (period == "month") options.period = qa::Period::kMonth;
  else if (period == "quarter") options.period = qa::Period::kQuarter;
  else throw UsageError("--period must be month or quarter");
  options.trend = !args.Has("no-trend");
  const int64_t run = args.Has("run") ? args.Int("run", 0) : service::DefaultReportRun(db_path);
  if (service::LoadRun(db_path, run).kind == "check") {
    if (per_coder || args.Has("coder"))
      throw UsageError("--coder and --per-coder go with a score run; run " + std::to_string(run) +
                       " is a check run");
    const HoldPolicy policy = HoldOptions(args, true);
    const auto report = service::WriteFindingsReport(db_path, run, policy, path);
    out << "findings workbook (check run " << run << ", " << report.findings.size()
        << " findings, " << report.held << " of " << report.claims
        << " claims held): " << std::filesystem::absolute(path).string() << "\n";
    return kOk;
  }
  if (args.Has("hold") || args.Has("release-unchecked"))
    throw UsageError("--hold and --release-unchecked go with a check run");
  if (per_coder) {
    const auto files =
        service::WritePerCoderFeedback(db_path, run, options, args.Has("matches"), *per_coder);
    out << "coder feedback workbooks (score run " << run << ", " << files.size()
        << " coders) in " << std::filesystem::absolute(*per_coder).string() << ":\n";
    for (const auto& f : files) out << "  " << f.coder_id << "  " << f.path << "\n";
    return kOk;
  }
  if (const auto coder = args.Get("coder")) {
    const auto report = service::WriteCoderFeedback(db_path, run, options, *coder,
                                                    args.Has("matches"), path);
    out << "feedback workbook of coder " << *coder << " (score run " << report.run.run_id
        << "): " << std::filesystem::absolute(path).string() << "\n";
    return kOk;
  }
  const auto report = service::WriteAccuracyReport(db_path, run, options, path);
  out << "per-coder accuracy workbook (score run " << report.run.run_id << ", "
      << report.coders.size() << " coders): " << std::filesystem::absolute(path).string() << "\n";
  return kOk;
}

int Rebuttal(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  service::RebuttalOptions opt;
  opt.db_path = args.Require("db");
  if (args.Has("input") && args.Has("in"))
    throw UsageError("give --input once (--in is its older spelling)");
  opt.path = args.Has("in") ? args.Require("in") : args.Require("input");
  opt.score_run_id = args.Int("run", 0);
  opt.policy_path = args.Get("policy").value_or("");
  service::RequireStore(opt.db_path);
  opt.on_warning = [&](const std::string& w) { err << "warning: " << w << "\n"; };
  const auto s = service::RunRebuttal(opt);
  const auto& r = s.score.run;
  out << "run " << r.run_id << " (rebuttal of score run " << s.score.scoring.source_run_id
      << ", check run " << r.parent_run_id << ") stored in " << service::ShownStore(opt.db_path) << "\n"
      << "  rebuttal rows read " << r.records_read << " = applied " << s.applied
      << " + rejected " << s.rejected << "\n";
  for (const auto& rej : s.rejects)
    err << rej.file << ":" << rej.line << ": " << (rej.field.empty() ? "" : rej.field + ": ")
        << rej.reason << "\n";
  if (s.rejected > static_cast<int64_t>(s.rejects.size()))
    err << "... and " << s.rejected - static_cast<int64_t>(s.rejects.size())
        << " more rejects: coderaudit rejects --db " << service::ShownStore(opt.db_path) << " --run " << r.run_id << "\n";
  out << "\n" << std::left << std::setw(10) << "auditor" << std::right << std::setw(12)
      << "differences" << std::setw(10) << "rebutted" << std::setw(9) << "decided"
      << std::setw(12) << "overturned" << std::setw(15) << "overturn rate" << "\n";
  for (const auto& a : s.auditors)
    out << std::left << std::setw(10) << a.auditor_id << std::right << std::setw(12)
        << a.differences << std::setw(10) << a.rebutted << std::setw(9) << a.decided
        << std::setw(12) << a.overturned << std::setw(15)
        << (a.decided ? Percent(a.overturn_rate) : "-") << "\n";
  out << "\n";
  PrintScores(s.score, opt.db_path, out);
  return kOk;
}

int Agreement(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.Get("format").value_or("text");
  if (format != "text" && format != "csv") throw UsageError("--format must be text or csv");
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  service::AgreementOptions opt;
  opt.db_path = args.Require("db");
  if (args.Has("input") && args.Has("auditor"))
    throw UsageError("give the two auditor files with --input (or its other name --auditor), not both");
  opt.auditor_paths = args.Has("input") ? args.All("input") : args.All("auditor");
  opt.check_run_id = args.Int("run", 0);
  if (const auto runs = args.Get("runs")) {
    const auto comma = runs->find(',');
    if (comma == std::string::npos) throw UsageError("--runs takes two run ids: A,B");
    for (const std::string& part : {runs->substr(0, comma), runs->substr(comma + 1)}) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
      if (ec != std::errc() || p != part.data() + part.size() || v <= 0)
        throw UsageError("--runs takes two run ids: A,B");
      opt.score_runs.push_back(v);
    }
  }
  if (opt.score_runs.empty() == opt.auditor_paths.empty() ||
      (!opt.auditor_paths.empty() && opt.auditor_paths.size() != 2))
    throw UsageError("give two --input files (auditor re-codings) or --runs A,B");
  service::RequireStore(opt.db_path);
  opt.on_warning = [&](const std::string& w) { err << "warning: " << w << "\n"; };
  const auto s = service::RunAgreement(opt);
  const auto& a = s.agreement;
  if (format == "csv") {
    auto fixed = [](double v) {
      std::ostringstream os;
      os << std::fixed << std::setprecision(6) << v;
      return os.str();
    };
    out << "measure,value\n"
        << "encounters_both," << a.encounters_both << "\n"
        << "items," << a.outcome.items << "\n"
        << "agreed," << a.outcome.agreed << "\n"
        << "observed," << fixed(a.outcome.observed) << "\n"
        << "expected," << fixed(a.outcome.expected) << "\n"
        << "kappa," << (a.outcome.kappa ? fixed(*a.outcome.kappa) : "") << "\n"
        << "error_agreed," << a.error.agreed << "\n"
        << "error_observed," << fixed(a.error.observed) << "\n"
        << "error_kappa," << (a.error.kappa ? fixed(*a.error.kappa) : "") << "\n";
    return kOk;
  }
  auto kappa = [](const qa::KappaStats& k) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(3);
    if (k.kappa)
      os << *k.kappa << " (SE " << k.standard_error << ", 95% CI " << k.kappa_ci.low << " to "
         << k.kappa_ci.high << ")";
    else
      os << "undefined (every item in one category)";
    return os.str();
  };
  out << "agreement of A = " << s.label_a << " and B = " << s.label_b << " on check run "
      << s.check_run_id << "\n"
      << "  encounters   A " << a.encounters_a << ", B " << a.encounters_b << ", both "
      << a.encounters_both << "\n";
  if (s.rejected_a || s.rejected_b)
    out << "  rows not used (rejected or not in the check run): A " << s.rejected_a << ", B "
        << s.rejected_b << "\n";
  out << "  items        " << a.outcome.items << " (coder codes, codes an auditor added, DRGs)\n"
      << "  outcome      agreement " << Percent(a.outcome.observed) << " (" << a.outcome.agreed
      << "/" << a.outcome.items << "), chance " << Percent(a.outcome.expected)
      << ", Cohen's kappa " << kappa(a.outcome) << "\n"
      << "  error/none   agreement " << Percent(a.error.observed) << " (" << a.error.agreed << "/"
      << a.error.items << "), chance " << Percent(a.error.expected) << ", Cohen's kappa "
      << kappa(a.error) << "\n\n";
  size_t width = 8;
  for (const auto& c : a.categories) width = std::max(width, c.size() + 2);
  out << std::left << std::setw(static_cast<int>(width)) << "A \\ B";
  for (const auto& c : a.categories) out << std::right << std::setw(static_cast<int>(width)) << c;
  out << "\n";
  for (size_t i = 0; i < a.categories.size(); ++i) {
    out << std::left << std::setw(static_cast<int>(width)) << a.categories[i];
    for (size_t j = 0; j < a.categories.size(); ++j)
      out << std::right << std::setw(static_cast<int>(width)) << a.matrix[i][j];
    out << "\n";
  }
  return kOk;
}

int Runs(const Args& args, std::ostream& out, std::ostream&) {
  const auto runs = service::ListRuns(args.Require("db"));
  out << "run\tkind\tstarted at\trecords (rejected)\tencounters\tfindings\tnotes\n";
  for (const auto& r : runs) {
    out << r.run_id << "\t" << r.kind << "\t" << r.started_at << "\trecords " << r.records_read
        << " (" << r.records_rejected << " rejected)\tencounters " << r.encounters_processed
        << "\tfindings " << r.findings;
    if (r.claims_not_checked > 0) out << "\tnot checked " << r.claims_not_checked;
    if (r.parent_run_id) out << "\tof run " << r.parent_run_id;
    out << "\n";
  }
  return kOk;
}

int Rejects(const Args& args, std::ostream& out, std::ostream&) {
  for (const auto& r : service::ListRejects(args.Require("db"), args.Int("run", 0)))
    out << r.file << ":" << r.line << ": " << (r.field.empty() ? "" : r.field + ": ") << r.reason
        << "\n";
  return kOk;
}

// An invalid rule file: its positioned problems, then one line saying so (exit 1).
int InvalidRuleFile(const std::string& path, const std::vector<Issue>& issues, std::ostream& err) {
  PrintIssues(issues, err);
  err << path << ": invalid (" << issues.size() << " problem" << (issues.size() == 1 ? "" : "s")
      << ")\n";
  return kFindings;
}

int RulesCheck(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.Positionals().size() != 1) throw UsageError("rules check takes one rule file");
  const std::string path = args.Positionals()[0];
  Date run_date = *ParseIsoDate(service::NowIso().substr(0, 10));
  if (auto d = args.Get("date")) {
    auto parsed = ParseIsoDate(*d);
    if (!parsed) throw UsageError("--date must be YYYY-MM-DD");
    run_date = *parsed;
  }
  const auto checked = service::CheckRuleFile(path, args.Get("refdata").value_or(""), run_date);
  if (!checked.rule_set) return InvalidRuleFile(path, checked.issues, err);
  PrintIssues(checked.issues, err);
  const auto& set = *checked.rule_set;
  out << path << ": valid; rule set " << set.id << " " << set.version << ", "
      << checked.rules.size() << " rules from " << std::max<size_t>(set.sources.size(), 1)
      << " file(s), sha256 " << set.sha256 << "\n";
  for (const auto& r : checked.rules) {
    out << "  " << std::left << std::setw(22) << r.id << std::setw(6) << r.version
        << std::setw(20) << r.kind << std::setw(20) << r.disposition << std::setw(3)
        << r.test_count << " tests  " << r.title;
    if (r.source != path) out << "  [" << r.source << "]";
    for (const auto& o : r.overrides) out << "  (override: " << o << ")";
    out << "\n";
  }
  for (const auto& d : checked.disabled)
    out << "  disabled " << d.id << (d.version.empty() ? "" : " " + d.version) << " from "
        << d.source << " at " << d.disabled_at << (d.reason.empty() ? "" : ": " + d.reason)
        << "\n";
  for (const auto& line : checked.lint) err << line << "\n";
  return checked.lint_errors ? kFindings : kOk;
}

int RulesTest(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.Positionals().size() != 1) throw UsageError("rules test takes one rule file");
  const std::string path = args.Positionals()[0];
  const auto tested = service::TestRuleFile(path, args.Get("refdata").value_or(""));
  if (!tested.valid) return InvalidRuleFile(path, tested.issues, err);
  PrintIssues(tested.issues, err);
  size_t failed = 0, skipped = 0;
  for (const auto& t : tested.results) {
    if (t.skipped) {
      ++skipped;
      out << "skip  " << t.rule_id << "  " << t.test_name << "  (" << t.detail << ")\n";
      continue;
    }
    out << (t.passed ? "pass  " : "FAIL  ") << t.rule_id << "  " << t.test_name << "\n";
    if (!t.passed) {
      ++failed;
      out << "      " << t.detail << "\n";
    }
  }
  out << (tested.results.size() - failed - skipped) << " passed, " << failed << " failed, "
      << skipped << " skipped\n";
  return failed ? kFindings : kOk;
}

}  // namespace

std::vector<Command> CoreCommands() {
  return {
      {{"check"}, kCheckHelp,
       {"rules", "db", "input", "input-format", "format", "mapping", "refdata", "store",
        "threads", "partitions", "history-run"},
       {"quiet", "timing", "require-coverage"}, Check},
      {{"score"}, kScoreHelp,
       {"db", "input", "auditor", "run", "benchmark", "policy", "rescore", "drg-weights", "base-rate",
        "cc-mcc"},
       {}, Score},
      {{"report"}, kReportHelp, {"db", "run", "out", "period", "hold", "coder", "per-coder"},
       {"no-trend", "release-unchecked", "matches"}, Report},
      {{"rebuttal"}, kRebuttalHelp, {"db", "run", "input", "in", "policy"}, {}, Rebuttal},
      {{"agreement"}, kAgreementHelp, {"db", "input", "auditor", "run", "runs", "format"}, {}, Agreement},
      {{"runs"}, kRunsHelp, {"db"}, {}, Runs},
      {{"rejects"}, kRejectsHelp, {"db", "run"}, {}, Rejects},
      {{"rules", "check"}, kRulesCheckHelp, {"refdata", "date"}, {}, RulesCheck},
      {{"rules", "test"}, kRulesTestHelp, {"refdata"}, {}, RulesTest},
  };
}

namespace {

bool IsHelp(const std::string& word) { return word == "--help" || word == "-h"; }

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> all = [] {
    std::vector<Command> v;
    for (auto part : {CoreCommands, ResultCommands, StoredSampleCommands, SamplingCommands,
                      RefdataCommands, GenerateCommands, ServerCommands, UserTrailCommands,
                      DbCommands})
      for (auto& c : part()) v.push_back(std::move(c));
    return v;
  }();
  return all;
}

// The command whose name is the longest prefix of `words`, or null.
const Command* Find(const std::vector<std::string>& words) {
  const Command* best = nullptr;
  for (const auto& c : AllCommands()) {
    if (c.name.size() > words.size() || (best && best->name.size() >= c.name.size())) continue;
    if (std::equal(c.name.begin(), c.name.end(), words.begin())) best = &c;
  }
  return best;
}

// Help for a first word that only names a family ("rules", "sample", "refdata"): the usage
// line of each of its commands.
std::string GroupHelp(const std::string& group) {
  std::string help;
  for (const auto& c : AllCommands()) {
    if (c.name.size() < 2 || c.name[0] != group) continue;
    const std::string_view text = c.help;
    const std::string line = "  " + std::string(text.substr(0, text.find('\n'))) + "\n";
    if (help.find(line) == std::string::npos) help += line;  // commands may share a help
  }
  return help.empty() ? help : "coderaudit " + group + " commands:\n" + help +
                                   "Run any of them with --help for its options.\n";
}

std::string Name(const Command& c) {
  std::string name;
  for (const auto& w : c.name) name += (name.empty() ? "" : " ") + w;
  return name;
}

int Dispatch(const std::vector<std::string>& words, std::ostream& out, std::ostream& err,
             const Command*& command) {
  if (words.empty() || IsHelp(words[0]) || words[0] == "help") {
    out << kMainHelp;
    return words.empty() ? kUsage : kOk;
  }
  if (words[0] == "--version") return out << service::ToolVersion() << "\n", kOk;
  command = Find(words);
  if (!command) {
    const std::string group = GroupHelp(words[0]);
    if (group.empty()) throw UsageError("unknown command '" + words[0] + "'");
    if (words.size() >= 2 && (IsHelp(words[1]) || words[1] == "help")) return out << group, kOk;
    err << group;
    throw UsageError("unknown " + words[0] + " command" +
                     (words.size() >= 2 ? " '" + words[1] + "'" : std::string()));
  }
  const std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(command->name.size()),
                                      words.end());
  if (std::any_of(rest.begin(), rest.end(), IsHelp)) return out << command->help, kOk;
  return command->run(Args(rest, command->valued, command->flags), out, err);
}

}  // namespace

HoldPolicy HoldOptions(const Args& args, bool with_unchecked) {
  HoldPolicy policy = HoldPolicy::Default();
  if (const auto hold = args.Get("hold")) {
    std::string unknown;
    const auto parsed = HoldPolicy::Parse(*hold, &unknown);
    if (!parsed)
      throw UsageError("--hold: unknown disposition '" + unknown +
                       "' (claim-reject, claim-deny, return-to-provider, suspend, line-reject, "
                       "line-deny, review, info)");
    policy = *parsed;
  }
  if (with_unchecked) policy.hold_unchecked = !args.Has("release-unchecked");
  return policy;
}

int CheckExitCode(int64_t findings, int64_t records_rejected, int64_t encounters_rejected,
                  int64_t claims_not_checked) {
  const bool incomplete = records_rejected > 0 || encounters_rejected > 0 || claims_not_checked > 0;
  if (findings > 0) return incomplete ? kFindingsIncomplete : kFindings;
  return incomplete ? kIncomplete : kOk;
}

// The one place errors become exit codes (2 usage, 3 input, 4 system; see commands.hpp).
int Main(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  const Command* command = nullptr;
  const auto prefix = [&] { return command ? "coderaudit " + Name(*command) + ": " : std::string("coderaudit: "); };
  try {
    return Dispatch(words, out, err, command);
  } catch (const UsageError& e) {
    err << prefix() << e.what() << " (see coderaudit " << (command ? Name(*command) + " " : "")
        << "--help)\n";
    return kUsage;
  } catch (const service::RuleSetError& e) {
    PrintIssues(e.Issues(), err);
    err << prefix() << e.what() << "\n";
    return kInputError;
  } catch (const Error& e) {
    err << prefix() << e.what() << "\n";
    return e.ExitCode();
  } catch (const std::bad_alloc&) {
    err << prefix() << "out of memory\n";
    return kSystemError;
  } catch (const std::exception& e) {
    // A library failure (a Boost.Math evaluation error, a Poco exception) is a system failure.
    err << prefix() << "internal error: " << e.what() << "\n";
    return kSystemError;
  }
}

}  // namespace coderaudit::cli
