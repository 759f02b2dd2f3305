#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "audit/cli/commands.hpp"
#include "test_support.hpp"

namespace cli = coderaudit::cli;
using refdata_test::Sample;
using refdata_test::TempDir;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run Call(std::vector<std::string> words) {
  std::ostringstream out, err;
  const int code = cli::Main(words, out, err);
  return {code, out.str(), err.str()};
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("refdata commands are found in the CLI's command table by their words", "[refdata]") {
  CHECK(Contains(Call({"refdata", "list", "--help"}).out, "usage: coderaudit refdata list"));
  const Run unknown = Call({"refdata", "frobnicate"});
  CHECK(unknown.code == 2);
  CHECK(Contains(unknown.err, "coderaudit refdata import"));  // the family's commands are listed
}

TEST_CASE("refdata help is printed with exit 0 for every command", "[refdata]") {
  for (const auto& words : std::vector<std::vector<std::string>>{{"refdata", "--help"},
                                                                 {"refdata", "import", "--help"},
                                                                 {"refdata", "list", "--help"},
                                                                 {"refdata", "lookup", "--help"}}) {
    const Run r = Call(words);
    CHECK(r.code == 0);
    CHECK(Contains(r.out, "usage: coderaudit refdata"));
  }
  CHECK(Contains(Call({"refdata", "import", "--help"}).out, "ptp-practitioner"));
}

TEST_CASE("refdata usage errors exit 2 with a message", "[refdata]") {
  TempDir dir;
  const std::string ptp = Sample("ncci_ptp_practitioner_2024_sample.tsv");
  CHECK(Call({"refdata"}).code == 2);
  CHECK(Call({"refdata", "frobnicate"}).code == 2);
  const Run kind = Call({"refdata", "import", "ptp", ptp, "--dir", dir.Str()});
  CHECK(kind.code == 2);
  CHECK(Contains(kind.err, "unknown table kind 'ptp'"));
  CHECK(Call({"refdata", "import", "ptp-practitioner", ptp}).code == 2);  // no --dir
  CHECK(Call({"refdata", "import", "ptp-practitioner", "--dir", dir.Str()}).code == 2);
  CHECK(Call({"refdata", "import", "ptp-practitioner", ptp, "--dir", dir.Str(), "--from",
              "2024-13-01"})
            .code == 2);
  CHECK(Call({"refdata", "import", "ptp-practitioner", ptp, "--dir", dir.Str(), "--bogus", "1"})
            .code == 2);
  const std::string unnamed = dir.Write("list.csv", "code\n33533\n");
  const Run period = Call({"refdata", "import", "inpatient-only", unnamed, "--dir", dir.Str()});
  CHECK(period.code == 2);
  CHECK(Contains(period.err, "give --version and --from"));
  CHECK(Call({"refdata", "import", "ptp-practitioner", ptp, "--dir", dir.Str(), "--from",
              "2024-06-01", "--to", "2024-01-01"})
            .code == 2);
}

TEST_CASE("refdata input errors exit 3", "[refdata]") {
  TempDir dir;
  const Run missing = Call({"refdata", "import", "ptp-practitioner",
                            (dir.Path() / "ptp_2024q3.tsv").string(), "--dir", dir.Str()});
  CHECK(missing.code == 3);
  CHECK(Contains(missing.err, "cannot read"));
  const Run wrong = Call({"refdata", "import", "ptp-practitioner",
                          Sample("ncci_mue_practitioner_2024_sample.csv"), "--dir", dir.Str()});
  CHECK(wrong.code == 3);
  CHECK(Contains(wrong.err, "header does not match"));
  CHECK(Call({"refdata", "list", "--dir", (dir.Path() / "none").string()}).code == 3);
}

TEST_CASE("refdata import infers the period, reports counts and lists rejects", "[refdata]") {
  TempDir dir;
  const std::string ref = (dir.Path() / "ref").string();
  const Run ok = Call({"refdata", "import", "ptp-practitioner",
                       Sample("ncci_ptp_practitioner_2024_sample.tsv"), "--dir", ref});
  CHECK(ok.code == 0);
  CHECK(Contains(ok.out, "imported ptp-practitioner 2024 (2024-01-01..2024-12-31)"));
  CHECK(Contains(ok.out, "30 imported, 0 rejected"));

  const std::string bad = dir.Write("ncci_mue_practitioner_2024q3.csv",
                                    "\"hcpcs_code\",\"mue_units\",\"mue_mai\"\n"
                                    "\"20610\",2,3\n\"96372\",4,7\n");
  const Run partial = Call({"refdata", "import", "mue-practitioner", bad, "--dir", ref});
  CHECK(partial.code == 0);
  CHECK(Contains(partial.out, "imported mue-practitioner 2024Q3 (2024-07-01..2024-09-30)"));
  CHECK(Contains(partial.out, "1 imported, 1 rejected"));
  CHECK(Contains(partial.err, "ncci_mue_practitioner_2024q3.csv:3: mue_mai:"));

  const Run explicit_period =
      Call({"refdata", "import", "inpatient-only", Sample("inpatient_only_2024_sample.csv"),
            "--dir", ref, "--version", "local-1", "--from", "2024-03-01"});
  CHECK(explicit_period.code == 0);
  CHECK(Contains(explicit_period.out, "inpatient-only local-1 (2024-03-01..open)"));

  const Run list = Call({"refdata", "list", "--dir", ref});
  CHECK(list.code == 0);
  CHECK(Contains(list.out, "kind"));
  CHECK(Contains(list.out, "ptp-practitioner  2024"));
  CHECK(Contains(list.out, "mue-practitioner  2024Q3"));
  CHECK(Contains(list.out, "2024-07-01..2024-09-30"));
  CHECK(Contains(list.out, "local-1"));
}

TEST_CASE("refdata lookup shows what the tables say about a code", "[refdata]") {
  TempDir dir;
  refdata_test::ImportAllSamples(dir.Str());
  const Run pair = Call({"refdata", "lookup", "ptp-practitioner", "29881", "29877", "--dir",
                         dir.Str(), "--date", "2024-08-01"});
  CHECK(pair.code == 0);
  CHECK(Contains(pair.out, "29881 / 29877  modifier 0"));
  const Run mue = Call({"refdata", "lookup", "mue-practitioner", "96372", "--dir", dir.Str()});
  CHECK(Contains(mue.out, "units 4  MAI 3"));
  const Run notes = Call({"refdata", "lookup", "icd10cm-tabular", "E08.42", "--dir", dir.Str()});
  CHECK(Contains(notes.out, "E10-"));
  CHECK(Contains(notes.out, "K85-K86"));
  const Run mce =
      Call({"refdata", "lookup", "mce", "O80", "--dir", dir.Str(), "--date", "2024-05-01"});
  CHECK(Contains(mce.out, "maternity"));
  CHECK(Contains(mce.out, "female-dx"));
  const Run none =
      Call({"refdata", "lookup", "hcpcs", "J3301", "--dir", dir.Str(), "--date", "2030-01-01"});
  CHECK(Contains(none.out, "no table in force"));
  CHECK_FALSE(Contains(none.out, "valid"));  // no answer that reads like "invalid"
  CHECK(Call({"refdata", "lookup", "hcpcs", "not a code!", "--dir", dir.Str()}).code == 2);
}

TEST_CASE("refdata import --manifest imports every listed table, and replacing a bigger version warns",
          "[refdata][issue17]") {
  TempDir dir;
  const std::string ref = (dir.Path() / "ref").string();
  // A manifest of two tables, paths relative to the manifest, with a comment and an open end.
  const std::string ptp = Sample("ncci_ptp_practitioner_2024_sample.tsv");
  const std::string list = dir.Write("list_2024.csv", "code\n33533\n0051T\n");
  const std::string manifest = dir.Write(
      "tables.tsv", "# kind\tversion\tfrom\tto\tpath\nptp-practitioner\t2024\t2024-01-01\t2024-12-31\t" +
                        std::filesystem::relative(ptp, dir.Path()).string() +
                        "\ninpatient-only\tlocal\t2024-03-01\t\tlist_2024.csv\n");
  const Run ok = Call({"refdata", "import", "--manifest", manifest, "--dir", ref});
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK(Contains(ok.out, "imported ptp-practitioner 2024 (2024-01-01..2024-12-31)"));
  CHECK(Contains(ok.out, "imported inpatient-only local (2024-03-01..open)"));
  CHECK(ok.err.empty());

  // The same version again from a file with fewer rows: imported, with a warning.
  const std::string small = dir.Write("ncci_ptp_practitioner_2024.tsv",
                                      "column1\tcolumn2\tdeletion_date\tmodifier\trationale\n"
                                      "29881\t29877\t*\t0\tmutually exclusive\n");
  const Run smaller = Call({"refdata", "import", "ptp-practitioner", small, "--dir", ref,
                            "--version", "2024", "--from", "2024-01-01", "--to", "2024-12-31"});
  CHECK(smaller.code == 0);
  CHECK(Contains(smaller.err, "warning: ptp-practitioner 2024 had 30 rows; it now has 1"));

  const std::string bad = dir.Write("bad.tsv", "ptp-practitioner\t2024\tnot-a-date\t\tx.tsv\n");
  const Run malformed = Call({"refdata", "import", "--manifest", bad, "--dir", ref});
  CHECK(malformed.code == 3);
  CHECK(Contains(malformed.err, "bad.tsv:1: from: not a date"));
  CHECK(Call({"refdata", "import", "--manifest", manifest, "ptp-practitioner", "--dir", ref}).code == 2);
}
