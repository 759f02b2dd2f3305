// Golden cases: tests/cases/*.case. Each file holds a rule set (inline or a path), coded
// encounters in the CSV layout of schemas/encounters-csv.md (read by the real ingest),
// and the expected findings as Describe(finding) lines, in order. Format: rules/README.md.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "rules/check.hpp"
#include "tests/rules/test_support.hpp"
#ifdef CODERAUDIT_HAS_REFDATA
#include "tests/rules/pack_tables.hpp"
#endif

namespace cr = coderaudit::rules;
namespace fs = std::filesystem;
using cr::testing::ReadFile;
using cr::testing::SourcePath;

namespace {

struct GoldenCase {
  std::string name;
  std::string rules_xml;        // inline rule set, or
  std::string rules_file;       // a path relative to the repository root
  std::string encounters_csv;   // inline CSV, or
  std::string encounters_file;  // a path relative to the repository root
  std::string tables;           // a table manifest (samples/packs/tables.tsv) relative to the root
  std::vector<std::string> expected;
  // "RULE@version ENCOUNTER table date": claims a rule could not judge (no table version
  // in force); none unless the case lists them.
  std::vector<std::string> expected_not_checked;
};

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

GoldenCase ParseCase(const fs::path& path) {
  GoldenCase c;
  c.name = path.filename().string();
  std::istringstream in(ReadFile(path.string()));
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.starts_with("--- ")) {
      section = Trim(line.substr(4));
      if (section.starts_with("rules-file ")) {
        c.rules_file = Trim(section.substr(11));
        section = "rules-file";
      } else if (section.starts_with("encounters-file ")) {
        c.encounters_file = Trim(section.substr(16));
        section = "encounters-file";
      } else if (section.starts_with("tables ")) {
        c.tables = Trim(section.substr(7));
        section = "tables";
      }
      continue;
    }
    if (section == "rules") {
      c.rules_xml += line + "\n";  // verbatim: XML positions stay meaningful
      continue;
    }
    const std::string text = Trim(line);
    if (text.empty() || text.starts_with("#")) continue;
    if (section == "encounters") {
      c.encounters_csv += text + "\n";
    } else if (section == "expect") {
      c.expected.push_back(text);
    } else if (section == "expect-not-checked") {
      c.expected_not_checked.push_back(text);
    } else {
      FAIL(c.name << ": text outside a section: " << text);
    }
  }
  return c;
}

std::vector<fs::path> CaseFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(SourcePath("tests/cases")))
    if (entry.path().extension() == ".case") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& line : lines) s += line + "\n";
  return s;
}

}  // namespace

TEST_CASE("Every golden case produces exactly its expected findings", "[rules][golden]") {
  const auto files = CaseFiles();
  REQUIRE(files.size() >= 14);
  for (const auto& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      const GoldenCase c = ParseCase(path);
      const cr::LoadResult loaded = c.rules_file.empty()
                                        ? cr::LoadRuleText(c.rules_xml, c.name)
                                        : cr::LoadRuleFile(SourcePath(c.rules_file));
      std::string issues;
      for (const auto& issue : loaded.issues) issues += coderaudit::Describe(issue) + "\n";
      INFO(issues);
      REQUIRE(loaded.rule_set);
      std::shared_ptr<const coderaudit::refdata::RefData> tables;
      if (!c.tables.empty()) {
#ifdef CODERAUDIT_HAS_REFDATA
        tables = cr::testing::ManifestTables(SourcePath(c.tables), "");
#else
        WARN(c.name << " needs reference tables and coderaudit_refdata is not built: skipped");
        continue;
#endif
      }
      const auto program = tables ? cr::Compile(*loaded.rule_set, tables)
                                  : cr::Compile(*loaded.rule_set);
      for (const auto& result : cr::RunEmbeddedTests(*loaded.rule_set, *program)) {
        INFO(result.rule_id << " / " << result.test_name << ": " << result.detail);
        CHECK(result.passed);
      }

      std::vector<coderaudit::Encounter> encounters;
      std::string rejects;
      coderaudit::ingest::IngestSink sink;
      sink.on_encounter = [&](coderaudit::Encounter&& e) { encounters.push_back(std::move(e)); };
      sink.on_reject = [&](coderaudit::Reject&& r) {
        rejects += std::to_string(r.line) + " " + r.field + ": " + r.reason + "\n";
      };
      sink.on_warning = [&](const std::string& w) { rejects += "warning: " + w + "\n"; };
      if (c.encounters_file.empty()) {
        std::istringstream csv(c.encounters_csv);
        coderaudit::ingest::ReadEncounterCsv(csv, c.name, sink);
      } else {
        coderaudit::ingest::ReadEncounterCsvFile(SourcePath(c.encounters_file), sink);
      }
      INFO("rejected rows:\n" << rejects);
      REQUIRE(rejects.empty());
      REQUIRE_FALSE(encounters.empty());

      std::vector<coderaudit::Finding> findings;
      std::vector<coderaudit::NotChecked> not_checked;
      for (const auto& e : encounters) program->Evaluate(e, findings, not_checked);
      CHECK(Join(cr::testing::Describe(findings)) == Join(c.expected));
      std::vector<std::string> unchecked;
      for (const auto& n : not_checked)
        unchecked.push_back(n.rule_id + "@" + n.rule_version + " " + n.encounter_id + " " +
                            n.table + " " + n.date);
      CHECK(Join(unchecked) == Join(c.expected_not_checked));
    }
  }
}

TEST_CASE("Every check kind has a golden case that fires and one that stays quiet",
          "[rules][golden]") {
  const auto files = CaseFiles();
  auto has = [&](const std::string& prefix) {
    return std::any_of(files.begin(), files.end(), [&](const fs::path& p) {
      return p.filename().string().starts_with(prefix);
    });
  };
  for (const auto& kind : cr::CheckKinds()) {
    std::string stem(kind.element);
    std::replace(stem.begin(), stem.end(), '-', '_');
    INFO("check kind " << kind.element);
    CHECK(has(stem + "_fires"));
    CHECK(has(stem + "_quiet"));
  }
}
