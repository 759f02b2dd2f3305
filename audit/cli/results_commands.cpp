#include "audit/cli/commands.hpp"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "audit/io/output_file.hpp"
#include "audit/service/results.hpp"
#include "audit/service/trail.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::cli {

namespace {

constexpr const char* kFindingsHelp = R"(usage: coderaudit findings --db STORE.db [--run N] [filters] [--format F] [--out FILE]

Lists the findings of check run N (default: the latest check run), in stored order (input
order, then rule order), with the lines and values that fired, the citation, the message,
and the provider, coder and payer of the claim.
  --rule ID            only this rule
  --disposition D      only this disposition (claim-reject, claim-deny, return-to-provider,
                       suspend, line-reject, line-deny, review, info)
  --provider P         only claims of this provider
  --coder C            only claims of this coder
  --encounter E        only this claim
  --format F           table (default when stdout is a terminal), csv (default otherwise),
                       json, xlsx (a findings workbook of the matching findings; needs --out)
  --offset N --limit N page through the matches (limit 0: all); totals count every match
  --out FILE           write to FILE (atomically: temp file, fsync, rename) instead of stdout
exit: 0 listed (also when nothing matches), 2 usage, 3 no such store or check run
)";

constexpr const char* kHoldsHelp = R"(usage: coderaudit holds --db STORE.db [--run N] [--hold LIST] [--release-unchecked] [--format F] [--out FILE]

The hold/release list of check run N (default: the latest check run): every claim is held
(with the findings that hold it and the rules that could not check it) or released.
  --hold LIST          dispositions that hold a claim, comma separated; default:
                       claim-reject,claim-deny,return-to-provider,suspend,line-reject,line-deny
                       (review and info do not hold)
  --release-unchecked  do not hold a claim only because a rule could not check it (no
                       reference table version in force on its date); held by default
  --format F           table (default when stdout is a terminal), csv (default otherwise), json
  --out FILE           write to FILE (atomically) instead of stdout
Runs stored with --store findings keep only claims with findings or not-checked rules: the
list shows those and counts the other claims as released (the output says so).
exit: 0 listed, 2 usage, 3 no such store or check run
)";

std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string s = "\"";
  for (const char c : v) {
    if (c == '"') s += '"';
    s += c;
  }
  return s + "\"";
}

std::string CsvRow(const std::vector<std::string>& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? "," : "") + CsvField(fields[i]);
  return s + "\n";
}

// The format asked for, or table on a terminal and csv otherwise.
std::string FormatOf(const Args& args, const std::ostream& out, bool to_file) {
  if (auto f = args.Get("format")) return *f;
  const bool terminal = !to_file && &out == &std::cout && isatty(STDOUT_FILENO) == 1;
  return terminal ? "table" : "csv";
}

// Text goes to `out`, or atomically to FILE.
void Emit(const std::string& text, const std::optional<std::string>& path, std::ostream& out) {
  if (!path) {
    out << text;
    return;
  }
  io::WriteFileAtomically(*path, "output", text);
}

std::string Json(const Poco::JSON::Object& o) {
  std::ostringstream os;
  o.stringify(os, 2);
  os << "\n";
  return os.str();
}

Poco::JSON::Object::Ptr FindingJson(const Finding& f) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("encounter_id", f.encounter_id);
  o->set("rule_id", f.rule_id);
  o->set("rule_version", f.rule_version);
  o->set("category", f.category);
  o->set("severity", std::string(ToString(f.severity)));
  o->set("disposition", std::string(ToString(f.disposition)));
  Poco::JSON::Array::Ptr lines = new Poco::JSON::Array;
  for (const auto l : f.lines) lines->add(static_cast<int>(l));
  o->set("lines", lines);
  Poco::JSON::Object::Ptr values = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : f.values) values->set(k, v);
  o->set("values", values);
  o->set("citation", f.citation);
  o->set("message", f.message);
  return o;
}

Poco::JSON::Object::Ptr RunJson(const runs::RunInfo& r) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("run_id", r.run_id);
  o->set("rule_set", r.rule_set_name);
  o->set("rule_set_version", r.rule_set_version);
  o->set("rule_set_hash", r.rule_set_hash);
  o->set("encounters_read", r.encounters_read);
  o->set("encounters_rejected", r.encounters_rejected);
  o->set("claims_not_checked", r.claims_not_checked);
  Poco::JSON::Array::Ptr nc = new Poco::JSON::Array;
  for (const auto& c : r.not_checked) {
    Poco::JSON::Object::Ptr x = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("rule_id", c.rule_id);
    x->set("claims", c.claims);
    x->set("table", c.table);
    x->set("date", c.date);
    nc->add(x);
  }
  o->set("not_checked", nc);
  return o;
}

void PrintNotChecked(std::ostream& os, const runs::RunInfo& r) {
  if (r.claims_not_checked == 0) return;
  os << "# not checked " << r.claims_not_checked << " claims:";
  for (size_t i = 0; i < r.not_checked.size(); ++i) os << (i ? ", " : " ") << Describe(r.not_checked[i]);
  os << "\n";
}

int Findings(const Args& args, std::ostream& out, std::ostream&) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  const std::string db_path = args.Require("db");
  const auto path = args.Get("out");
  const std::string format = FormatOf(args, out, path.has_value());
  if (format != "table" && format != "csv" && format != "json" && format != "xlsx")
    throw UsageError("--format must be table, csv, json or xlsx");
  if (format == "xlsx" && !path) throw UsageError("--format xlsx needs --out FILE.xlsx");
  service::FindingFilter filter;
  filter.rule_id = args.Get("rule").value_or("");
  filter.disposition = args.Get("disposition").value_or("");
  filter.provider = args.Get("provider").value_or("");
  filter.coder = args.Get("coder").value_or("");
  filter.encounter = args.Get("encounter").value_or("");
  filter.offset = args.Int("offset", 0);
  filter.limit = args.Int("limit", 0);
  if (filter.offset < 0 || filter.limit < 0) throw UsageError("--offset and --limit must be >= 0");
  const auto page = service::ListFindings(db_path, args.Int("run", 0), filter);

  if (format == "xlsx") {
    service::WriteFindingsReport(db_path, page.run.run_id, HoldPolicy::Default(), *path,
                                 &page.rows);
    out << "findings workbook (check run " << page.run.run_id << ", " << page.total
        << " findings): " << *path << "\n";
    return kOk;
  }
  std::ostringstream os;
  if (format == "csv") {
    os << CsvRow({"run_id", "encounter_id", "rule_id", "rule_version", "disposition", "severity",
                  "category", "lines", "values", "citation", "message", "provider_id",
                  "coder_id", "payer"});
    for (const auto& row : page.rows) {
      const Finding& f = row.finding;
      os << CsvRow({std::to_string(page.run.run_id), f.encounter_id, f.rule_id, f.rule_version,
                    std::string(ToString(f.disposition)), std::string(ToString(f.severity)),
                    f.category, LinesText(f), ValuesText(f), f.citation, f.message,
                    row.provider_id, row.coder_id, row.payer});
    }
  } else if (format == "json") {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("run", RunJson(page.run));
    o.set("total", page.total);
    o.set("offset", filter.offset);
    o.set("limit", filter.limit);
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (const auto& row : page.rows) {
      auto f = FindingJson(row.finding);
      f->set("provider_id", row.provider_id);
      f->set("coder_id", row.coder_id);
      f->set("payer", row.payer);
      rows->add(f);
    }
    o.set("findings", rows);
    os << Json(o);
  } else {
    os << "check run " << page.run.run_id << ": " << page.total << " findings";
    if (static_cast<int64_t>(page.rows.size()) != page.total) os << " (" << page.rows.size() << " shown)";
    os << "\n";
    PrintNotChecked(os, page.run);
    os << std::left << std::setw(14) << "encounter" << std::setw(16) << "rule" << std::setw(20)
       << "disposition" << std::setw(10) << "lines" << std::setw(12) << "provider" << std::setw(8)
       << "coder" << "message\n";
    for (const auto& row : page.rows) {
      const Finding& f = row.finding;
      os << std::left << std::setw(14) << f.encounter_id << std::setw(16) << f.rule_id
         << std::setw(20) << ToString(f.disposition) << std::setw(10) << LinesText(f)
         << std::setw(12) << row.provider_id << std::setw(8) << row.coder_id << f.message << "\n";
    }
  }
  Emit(os.str(), path, out);
  if (path) service::RecordExport(db_path, service::Actor::Local(), "findings-" + format, page.run.run_id,
                                  "run:" + std::to_string(page.run.run_id), *path);
  return kOk;
}

int Holds(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.Positionals().empty()) throw UsageError("unexpected argument " + args.Positionals()[0]);
  const std::string db_path = args.Require("db");
  const auto path = args.Get("out");
  const std::string format = FormatOf(args, out, path.has_value());
  if (format != "table" && format != "csv" && format != "json")
    throw UsageError("--format must be table, csv or json");
  const HoldPolicy policy = HoldOptions(args, true);
  const auto list = service::ListHolds(db_path, args.Int("run", 0), policy);
  const std::string partial =
      list.all_claims_listed
          ? ""
          : "run stored with --store findings: claims without findings are not stored; only "
            "stored claims are listed, the released count covers every claim";

  std::ostringstream os;
  const auto reasons = service::HoldReasons;
  if (format == "csv") {
    os << CsvRow({"run_id", "encounter_id", "decision", "holding_findings", "findings",
                  "not_checked", "reasons", "provider_id", "coder_id", "payer"});
    for (const auto& e : list.entries)
      os << CsvRow({std::to_string(list.run.run_id), e.encounter_id, e.held ? "hold" : "release",
                    std::to_string(e.holding.size()), std::to_string(e.findings),
                    std::to_string(e.not_checked.size()), reasons(e), e.provider_id, e.coder_id,
                    e.payer});
    if (!partial.empty()) err << "note: " << partial << "\n";  // a CSV has no place for it
  } else if (format == "json") {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("run", RunJson(list.run));
    Poco::JSON::Array::Ptr holding = new Poco::JSON::Array;
    for (unsigned d = 0; d <= static_cast<unsigned>(Disposition::kInfo); ++d)
      if (policy.Holds(static_cast<Disposition>(d)))
        holding->add(std::string(ToString(static_cast<Disposition>(d))));
    o.set("hold", holding);
    o.set("hold_unchecked", policy.hold_unchecked);
    o.set("claims", list.claims);
    o.set("held", list.held);
    o.set("released", list.released);
    o.set("not_checked", list.not_checked);
    o.set("all_claims_listed", list.all_claims_listed);
    if (!partial.empty()) o.set("note", partial);
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (const auto& e : list.entries) {
      Poco::JSON::Object::Ptr x = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      x->set("encounter_id", e.encounter_id);
      x->set("decision", std::string(e.held ? "hold" : "release"));
      x->set("provider_id", e.provider_id);
      x->set("coder_id", e.coder_id);
      x->set("payer", e.payer);
      x->set("findings", static_cast<int64_t>(e.findings));
      Poco::JSON::Array::Ptr h = new Poco::JSON::Array;
      for (const auto& f : e.holding) h->add(FindingJson(f));
      x->set("holding_findings", h);
      Poco::JSON::Array::Ptr n = new Poco::JSON::Array;
      for (const auto& c : e.not_checked) {
        Poco::JSON::Object::Ptr y = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        y->set("rule_id", c.rule_id);
        y->set("rule_version", c.rule_version);
        y->set("table", c.table);
        y->set("date", c.date);
        n->add(y);
      }
      x->set("not_checked", n);
      rows->add(x);
    }
    o.set("claims_list", rows);
    os << Json(o);
  } else {
    os << "check run " << list.run.run_id << ": " << list.claims << " claims, held "
       << list.held << ", released " << list.released << ", not checked " << list.not_checked
       << "\n  holding: " << policy.Str()
       << (policy.hold_unchecked ? " + not checked" : " (not checked released)") << "\n";
    if (!partial.empty()) os << "  note: " << partial << "\n";
    os << std::left << std::setw(14) << "encounter" << std::setw(9) << "decision" << std::setw(12)
       << "provider" << std::setw(8) << "coder" << "reasons\n";
    for (const auto& e : list.entries)
      os << std::left << std::setw(14) << e.encounter_id << std::setw(9)
         << (e.held ? "HOLD" : "release") << std::setw(12) << e.provider_id << std::setw(8)
         << e.coder_id << reasons(e) << "\n";
  }
  Emit(os.str(), path, out);
  if (path) service::RecordExport(db_path, service::Actor::Local(), "holds-" + format, list.run.run_id,
                                  "run:" + std::to_string(list.run.run_id), *path);
  return kOk;
}

}  // namespace

std::vector<Command> ResultCommands() {
  return {
      {{"findings"}, kFindingsHelp,
       {"db", "run", "rule", "disposition", "provider", "coder", "encounter", "format", "out",
        "offset", "limit"},
       {}, Findings},
      {{"holds"}, kHoldsHelp, {"db", "run", "hold", "format", "out"}, {"release-unchecked"}, Holds},
  };
}

}  // namespace coderaudit::cli
