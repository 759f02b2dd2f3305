// The same encounters as CSV, as 837P/837I, as FHIR (Bundle of Claims, NDJSON of EOBs), as
// the JSON claim model and as two mapped exports give identical Encounter objects and
// identical findings under samples/rules/facility.xml. The files come from samples/x12/make_same_encounters.py.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "rules/rule_program.hpp"
#include "tests/ingest_formats/same_fields.hpp"
#include "tests/ingest_formats/test_support.hpp"

using namespace coderaudit;
using coderaudit::test::Collected;

namespace {

struct Source {
  std::string name, path, mapping;
};

std::vector<Source> Sources() {
  const std::string s = test::SourceDir() + "/samples/";
  return {{"csv", s + "x12/same_encounters.csv", ""},
          {"837p+837i", s + "x12/same_encounters_837p.x12", ""},
          {"fhir bundle", s + "fhir/same_encounters.bundle.json", ""},
          {"fhir ndjson", s + "fhir/same_encounters.ndjson", ""},
          {"json claims", s + "json/same_encounters.json", ""},
          {"mapped row per code", s + "mapping/export_row_per_code.csv", s + "mapping/row_per_code.mapping.json"},
          {"mapped row per encounter", s + "mapping/export_row_per_encounter.csv", s + "mapping/row_per_encounter.mapping.json"}};
}

std::map<std::string, Encounter> ReadSource(const Source& src) {
  Collected c = test::ReadPath(src.path, ingest::InputFormat::kAuto, src.mapping);
  if (src.name == "837p+837i") {  // professional and institutional claims are two files
    Collected i = test::ReadPath(test::SourceDir() + "/samples/x12/same_encounters_837i.x12");
    for (auto& e : i.encounters) c.encounters.push_back(std::move(e));
    c.rejects.insert(c.rejects.end(), i.rejects.begin(), i.rejects.end());
  }
  INFO(src.name << "\n" << c.Describe());
  CHECK(c.rejects.empty());
  std::map<std::string, Encounter> by_id;
  for (auto& e : c.encounters) by_id.emplace(e.id, std::move(e));
  return by_id;
}

std::vector<std::string> Findings(const rules::RuleProgram& program, const std::map<std::string, Encounter>& encounters) {
  std::vector<std::string> out;
  std::vector<Finding> findings;
  for (const auto& [id, e] : encounters) {
    findings.clear();
    program.Evaluate(e, findings);
    for (const auto& f : findings) out.push_back(Describe(f));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("The same encounters read from CSV, X12, FHIR and mapped exports are identical", "[x12][fhir][mapping]") {
  const auto sources = Sources();
  const auto reference = ReadSource(sources[0]);
  REQUIRE(reference.size() == 18);
  for (size_t s = 1; s < sources.size(); ++s) {
    INFO(sources[s].name);
    const auto got = ReadSource(sources[s]);
    REQUIRE(got.size() == reference.size());
    const bool has_coder = sources[s].mapping.size() > 0 || sources[s].name == "json claims";
    for (const auto& [id, want] : reference) {
      auto it = got.find(id);
      REQUIRE(it != got.end());
      test::CheckSameCsvFields(want, it->second, has_coder);
      if (!has_coder) {
        const std::string& coder = it->second.coder_id;
        CHECK((coder == "x12:SUBMIT01" || coder == "fhir:" + want.coder_id));
      }
    }
  }
}

TEST_CASE("The same encounters give the same findings under the sample facility rules", "[x12][fhir][mapping]") {
  auto loaded = rules::LoadRuleFile(test::SourceDir() + "/samples/rules/facility.xml");
  REQUIRE(loaded.rule_set);
  const auto program = rules::Compile(*loaded.rule_set);
  const auto sources = Sources();
  const auto expected = Findings(*program, ReadSource(sources[0]));
  // Every facility rule fires on at least one of these encounters.
  for (const char* rule : {"FAC-SEX-001", "FAC-AGE-001", "FAC-PAT-001", "FAC-PTP-001", "FAC-EM-001",
                           "FAC-MUE-001", "FAC-MUE-002", "FAC-MOD-001", "FAC-MOD-002", "FAC-DUP-001"}) {
    INFO(rule);
    CHECK(std::any_of(expected.begin(), expected.end(), [&](const std::string& f) { return f.starts_with(rule); }));
  }
  for (size_t s = 1; s < sources.size(); ++s) {
    INFO(sources[s].name);
    CHECK(Findings(*program, ReadSource(sources[s])) == expected);
  }
}
