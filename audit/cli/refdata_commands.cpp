#include "audit/cli/commands.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "audit/model/error.hpp"
#include "audit/refdata/period.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::cli {

namespace {

namespace rd = coderaudit::refdata;

constexpr const char* kImportHelp =
    R"(usage: coderaudit refdata import KIND FILE --dir DIR [options]
       coderaudit refdata import --manifest TABLES.tsv --dir DIR

Reads FILE (plain, .gz or .zip exactly as shipped), writes an indexed copy into DIR and
records it in DIR/catalogue.tsv. Malformed rows are rejected with file:line: field:
reason on stderr; the rest is imported. Importing the same KIND and version again
replaces it.

KIND is one of:
  icd10cm-order    CMS ICD-10-CM code descriptions zip (icd10cm_order_YYYY.txt inside)
  icd10pcs-order   CMS ICD-10-PCS order zip (icd10pcs_order_YYYY.txt inside)
  hcpcs            HCPCS Level II attributes CSV (hcpcs_code, date_added, date_term)
  ptp-practitioner, ptp-outpatient
                   NCCI procedure-to-procedure TSV(.gz): column1, column2,
                   deletion_date, modifier, rationale
  mue-practitioner, mue-outpatient, mue-dme
                   NCCI MUE CSV: hcpcs_code, mue_units, mue_mai, mue_rationale
  add-on           NCCI add-on code CSV: primary_code, add_on_code, aoc_edit_type
  mce              MCE v37 TSV or v41.1 CSV code lists
  mce-release      the CMS MCE release (the MCE jar as CMS ships it, or the mce.bin in
                   it): every ICD-10 code with its dated MCE attributes, age ranges and
                   discharge statuses, FY2016 on incl. April updates; version and period
                   come from the release itself (e.g. v43.1, 2015-10-01..2026-09-30)
  poa-exempt       POA-exempt zip (POAexemptCodesFYyy.txt inside)
  icd10cm-tabular  CDC ICD-10-CM tabular XML(.gz): Excludes1/2, code first, use additional
  inpatient-only   CSV with a code column (user supplied)
  cpt              CSV of CPT code values valid in the period (a cpt_code or code
                   column), e.g. cpt_codes_only_2024.csv: 2024-01-01..2024-12-31

Options:
  --dir DIR          reference directory (created if missing)
  --version V        table version; default from the file name (2024q3 -> 2024Q3,
                     fy2026 -> FY2026, mce_v41_1 -> v41.1)
  --from YYYY-MM-DD  first date the table applies to; default from the file name
                     (2024q3 -> 2024-07-01, fy2026 -> 2025-10-01)
  --to YYYY-MM-DD    last date; default from the file name (2024-09-30, 2026-09-30)
  --manifest FILE    import every table a manifest lists: tab-separated kind, version,
                     from, to, path (relative to the manifest) per line, '#' comments;
                     samples/packs/tables.tsv loads all the sample tables
Replacing a version with one of fewer rows prints a warning with both counts.
)";

constexpr const char* kListHelp = R"(usage: coderaudit refdata list --dir DIR

One line per imported table version: kind, version, period, rows, rejected rows and the
first 12 hex digits of the source file's SHA-256.
)";

constexpr const char* kLookupHelp =
    R"(usage: coderaudit refdata lookup KIND CODE [CODE2] --dir DIR [--date YYYY-MM-DD]

What the reference tables say about CODE on a date (default: the first day of the
newest version of KIND):
  ptp-*            CODE CODE2: the active pair; CODE alone: its active column-2 codes
  mue-*            units limit and MAI
  add-on           primary codes of add-on CODE
  icd10cm-order    known / billable;  icd10pcs-order, hcpcs: valid; and the code's
                   description when the table was imported with descriptions
  mce              the MCE lists holding CODE
  poa-exempt, inpatient-only, cpt
                   member (valid) or not
  icd10cm-tabular  Excludes1/2, code-first and use-additional ranges (inherited merged)
)";

std::string RequireDir(const Args& p) {
  const auto dir = p.Get("dir");
  if (!dir || dir->empty()) throw UsageError("--dir DIR (the reference directory) is required");
  return *dir;
}

std::optional<Date> DateOption(const Args& p, const std::string& name) {
  const auto text = p.Get(name);
  if (!text) return std::nullopt;
  const auto d = ParseIsoDate(*text);
  if (!d) throw UsageError("--" + name + " must be a date YYYY-MM-DD, got '" + *text + "'");
  return d;
}

rd::TableKind KindArg(const std::string& text) {
  const auto k = rd::ParseTableKind(text);
  if (!k)
    throw UsageError("unknown table kind '" + text +
                     "' (see `coderaudit refdata import --help` for the kinds)");
  return *k;
}

std::string Period(const rd::TableVersion& t) {
  return ToIso(t.period_from) + ".." + (t.period_to ? ToIso(*t.period_to) : std::string("open"));
}

std::string WithCommas(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// Imports one table version and prints what it did; warns when it replaced the same kind
// and version holding more rows (a subset or a truncated file over the full table).
void ImportOne(const std::string& dir, rd::TableKind kind, const std::string& file,
               const std::string& version, Date period_from, std::optional<Date> period_to,
               std::ostream& out, std::ostream& err) {
  int64_t replaced_rows = -1;
  if (std::filesystem::exists(std::filesystem::path(dir) / "catalogue.tsv"))
    for (const auto& t : rd::LoadRefData(dir)->Tables())
      if (t.kind == kind && t.version == version) replaced_rows = t.rows;
  const auto started = std::chrono::steady_clock::now();
  const rd::ImportResult r = rd::ImportTable(dir, kind, file, version, period_from, period_to);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  constexpr size_t kShown = 20;
  for (size_t i = 0; i < r.rejects.size() && i < kShown; ++i) {
    const Reject& j = r.rejects[i];
    err << j.file << ":" << j.line << ": " << (j.field.empty() ? "" : j.field + ": ") << j.reason
        << "\n";
  }
  if (r.rejects.size() > kShown)
    err << "... and " << (r.rejects.size() - kShown) << " more rejected rows\n";

  const rd::TableVersion& t = r.table;
  if (replaced_rows > t.rows)
    err << "warning: " << rd::ToString(t.kind) << " " << t.version << " had "
        << WithCommas(replaced_rows) << " rows; it now has " << WithCommas(t.rows)
        << " from " << file << " (import the full file again to undo)\n";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  out << "imported " << rd::ToString(t.kind) << " " << t.version << " (" << Period(t) << ")\n"
      << "  source   " << t.source_path << " (sha256 " << t.sha256.substr(0, 12) << ")\n"
      << "  rows     " << WithCommas(t.rows) << " imported, " << WithCommas(t.rejected)
      << " rejected\n"
      << "  into     " << dir << " in " << secs << " s\n";
}

int Import(const Args& p, std::ostream& out, std::ostream& err) {
  if (const auto manifest = p.Get("manifest")) {
    if (!p.Positionals().empty() || p.Has("version") || p.Has("from") || p.Has("to"))
      throw UsageError("--manifest takes each table's kind, version and period from the manifest");
    const std::string dir = RequireDir(p);
    for (const auto& e : rd::ReadTableManifest(*manifest))
      ImportOne(dir, e.kind, e.path, e.version, e.from, e.to, out, err);
    return 0;
  }
  if (p.Positionals().size() != 2)
    throw UsageError("expected KIND FILE (see `coderaudit refdata import --help`)");
  const rd::TableKind kind = KindArg(p.Positionals()[0]);
  const std::string& file = p.Positionals()[1];
  const std::string dir = RequireDir(p);

  // An MCE release says its own version and period; other files are named for them.
  const auto guess = kind == rd::TableKind::kMceRelease
                         ? std::optional<rd::PeriodGuess>(rd::MceReleasePeriod(file))
                         : rd::InferPeriod(kind, file);
  std::string version =
      p.Get("version").value_or(guess ? guess->version : "");
  const std::optional<Date> from = DateOption(p, "from");
  const std::optional<Date> to_opt = DateOption(p, "to");
  if (version.empty() || (!from && !guess))
    throw UsageError("cannot infer the table's version and period from the name '" +
                     std::filesystem::path(file).filename().string() +
                     "'; give --version and --from (and --to)");
  const Date period_from = from ? *from : guess->period.from;
  // An explicit --from without --to leaves the period open rather than mixing in an
  // end date inferred for a different start.
  const std::optional<Date> period_to = to_opt ? to_opt
                                        : from ? std::optional<Date>()
                                               : guess->period.to;
  if (period_to && *period_to < period_from) throw UsageError("--to is before --from");
  ImportOne(dir, kind, file, version, period_from, period_to, out, err);
  return 0;
}

int List(const Args& p, std::ostream& out, std::ostream&) {
  if (!p.Positionals().empty()) throw UsageError("unexpected argument '" + p.Positionals()[0] + "'");
  const auto data = rd::LoadRefData(RequireDir(p));
  const auto tables = data->Tables();
  char line[256];
  std::snprintf(line, sizeof line, "%-17s %-9s %-22s %11s %9s  %s\n", "kind", "version", "period",
                "rows", "rejected", "sha256");
  out << line;
  for (const auto& t : tables) {
    std::snprintf(line, sizeof line, "%-17s %-9s %-22s %11s %9s  %s\n",
                  std::string(rd::ToString(t.kind)).c_str(), t.version.c_str(), Period(t).c_str(),
                  WithCommas(t.rows).c_str(), WithCommas(t.rejected).c_str(),
                  t.sha256.substr(0, 12).c_str());
    out << line;
  }
  if (tables.empty()) out << "(no tables)\n";
  return 0;
}

// "T36-T50[5|6:5]": the range, then each character condition as positions:characters.
std::string RangeText(const rd::CodeRange& r) {
  std::string text = r.from == r.to ? r.from.DottedIcd10Cm() + "-"
                                    : r.from.DottedIcd10Cm() + "-" + r.to.DottedIcd10Cm();
  for (const rd::CharCondition& w : r.where) {
    if (w.positions == 0) continue;
    text += "[";
    for (int p = 0; p < 8; ++p)
      if (w.positions >> p & 1u) text += (text.back() == '[' ? "" : "|") + std::to_string(p + 1);
    text += ":";
    for (int b = 0; b < 36; ++b)
      if (w.chars >> b & 1u) text += static_cast<char>(b < 10 ? '0' + b : 'A' + b - 10);
    text += "]";
  }
  return text;
}

int Lookup(const Args& p, std::ostream& out, std::ostream&) {
  if (p.Positionals().size() < 2 || p.Positionals().size() > 3)
    throw UsageError("expected KIND CODE [CODE2] (see `coderaudit refdata lookup --help`)");
  const rd::TableKind kind = KindArg(p.Positionals()[0]);
  auto code_arg = [](const std::string& text) {
    const auto c = Code::Parse(text);
    if (!c) throw UsageError("'" + text + "' is not a code");
    return *c;
  };
  const Code code = code_arg(p.Positionals()[1]);
  const std::optional<Code> code2 =
      p.Positionals().size() == 3 ? std::optional<Code>(code_arg(p.Positionals()[2])) : std::nullopt;
  const auto data = rd::LoadRefData(RequireDir(p));

  std::optional<Date> date = DateOption(p, "date");
  if (!date) {
    for (const auto& t : data->Tables())
      if (t.kind == kind && (!date || *date < t.period_from)) date = t.period_from;
    if (!date)
      throw InputError("no " + std::string(rd::ToString(kind)) + " table in " + RequireDir(p));
  }
  const Date on = *date;
  const rd::TableVersion* table = data->TableFor(kind, on);
  out << rd::ToString(kind) << " on " << ToIso(on) << ": "
      << (table ? table->version + " (" + Period(*table) + ")" : std::string("no table in force"))
      << "\n";
  // Nothing is known on that date: "valid no" or "member no" would read as an answer.
  if (table == nullptr) return 0;
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  auto describe = [&] {
    const auto text = data->Description(kind, code, on);
    if (!text.empty()) out << "  " << text << "\n";
  };
  switch (kind) {
    case rd::TableKind::kPtpPractitioner:
    case rd::TableKind::kPtpOutpatient: {
      const auto s = kind == rd::TableKind::kPtpPractitioner ? rd::PtpSetting::kPractitioner
                                                             : rd::PtpSetting::kOutpatientHospital;
      auto print = [&](const rd::PtpEdit& e) {
        out << "  " << e.column1.View() << " / " << e.column2.View() << "  modifier "
            << int{e.modifier_indicator} << "  effective "
            << (e.effective ? ToIso(*e.effective) : std::string("-")) << "  deleted "
            << (e.deleted ? ToIso(*e.deleted) : std::string("*")) << "  " << e.rationale << "\n";
      };
      if (code2) {
        const rd::PtpEdit* e = data->FindPtp(s, code, *code2, on);
        if (e)
          print(*e);
        else
          out << "  no active pair\n";
      } else {
        const auto pairs = data->PtpByColumn1(s, code, on);
        out << "  " << pairs.size() << " active pairs with column 1 " << code.View() << "\n";
        for (size_t i = 0; i < pairs.size() && i < 20; ++i) print(pairs[i]);
        if (pairs.size() > 20) out << "  ...\n";
      }
      break;
    }
    case rd::TableKind::kMuePractitioner:
    case rd::TableKind::kMueOutpatient:
    case rd::TableKind::kMueDme: {
      const auto s = kind == rd::TableKind::kMuePractitioner ? rd::MueSetting::kPractitioner
                     : kind == rd::TableKind::kMueOutpatient ? rd::MueSetting::kOutpatientHospital
                                                             : rd::MueSetting::kDme;
      const rd::MueEdit* e = data->FindMue(s, code, on);
      if (e)
        out << "  " << e->code.View() << "  units " << e->units << "  MAI " << int{e->mai} << "  "
            << e->rationale << "\n";
      else
        out << "  no MUE\n";
      break;
    }
    case rd::TableKind::kAddOn: {
      const auto edits = data->AddOnFor(code, on);
      if (edits.empty()) out << "  not an add-on code\n";
      for (const auto& e : edits)
        out << "  " << e.add_on.View() << "  type " << int{e.type} << "  primary "
            << (e.primary ? e.primary->Str() : std::string("any (CCCCC)")) << "\n";
      break;
    }
    case rd::TableKind::kIcd10CmOrder:
      out << "  known " << yes(data->IcdCmKnown(code, on)) << ", billable "
          << yes(data->IcdCmBillable(code, on)) << "\n";
      describe();
      break;
    case rd::TableKind::kIcd10PcsOrder:
      out << "  valid " << yes(data->IcdPcsValid(code, on)) << "\n";
      describe();
      break;
    case rd::TableKind::kHcpcs:
      out << "  valid " << yes(data->HcpcsValid(code, on)) << "\n";
      describe();
      break;
    case rd::TableKind::kMce: {
      bool any = false;
      for (int l = 0; l <= static_cast<int>(rd::MceList::kNonCoveredLos96Hours); ++l) {
        const auto list = static_cast<rd::MceList>(l);
        if (data->InMceList(list, code, on)) {
          out << "  " << rd::ToString(list) << "\n";
          any = true;
        }
      }
      if (!any) out << "  in no MCE list\n";
      break;
    }
    case rd::TableKind::kMceRelease: {
      const auto dx = data->MceCodeFlags(false, code, on);
      const auto px = data->MceCodeFlags(true, code, on);
      auto print = [&](const char* label, uint64_t flags) {
        out << "  " << label << " valid; flags:";
        if (flags == 0) out << " none";
        for (int f = 0; f < 64; ++f)
          if (flags >> f & 1) out << " " << rd::ToString(static_cast<rd::MceFlag>(f));
        out << "\n";
      };
      if (dx) print("diagnosis", *dx);
      if (px) print("procedure", *px);
      if (!dx && !px) out << "  not a valid code on this date\n";
      break;
    }
    case rd::TableKind::kPoaExempt:
      out << "  exempt " << yes(data->PoaExempt(code, on)) << "\n";
      break;
    case rd::TableKind::kInpatientOnly:
      out << "  inpatient only " << yes(data->InpatientOnly(code, on)) << "\n";
      break;
    case rd::TableKind::kCpt:
      out << "  valid " << yes(data->CptValid(code, on)) << "\n";
      break;
    case rd::TableKind::kIcd10CmTabular: {
      const rd::TabularNotes* n = data->Notes(code);
      if (!n) {
        out << "  no notes\n";
        break;
      }
      auto print = [&](const char* label, const std::vector<rd::CodeRange>& ranges) {
        out << "  " << label;
        for (const auto& r : ranges) out << " " << RangeText(r);
        out << "\n";
      };
      print("excludes1     ", n->excludes1);
      print("excludes2     ", n->excludes2);
      print("code first    ", n->code_first);
      print("use additional", n->use_additional);
      break;
    }
  }
  return 0;
}

}  // namespace

std::vector<Command> RefdataCommands() {
  return {
      {{"refdata", "import"}, kImportHelp, {"dir", "version", "from", "to", "manifest"}, {},
       Import},
      {{"refdata", "list"}, kListHelp, {"dir"}, {}, List},
      {{"refdata", "lookup"}, kLookupHelp, {"dir", "date"}, {}, Lookup},
  };
}

}  // namespace coderaudit::cli
