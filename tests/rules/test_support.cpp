#include "tests/rules/test_support.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "audit/model/date.hpp"

namespace coderaudit::rules::testing {

std::string RuleSetXml(std::string_view body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" version=\"1\" title=\"test\">\n" +
         std::string(body) + "\n</ruleset>\n";
}

std::string RuleXml(std::string_view id, std::string_view check, std::string_view message,
                    std::string_view extra_attributes) {
  return "<rule id=\"" + std::string(id) +
         "\" version=\"1\" title=\"t\" category=\"c\" severity=\"error\" "
         "disposition=\"line-deny\" " +
         std::string(extra_attributes) + ">\n<citation>test citation</citation>\n<message>" +
         std::string(message) + "</message>\n" + std::string(check) + "\n</rule>\n";
}

Loaded MustLoad(std::string_view xml) {
  LoadResult result = LoadRuleText(xml, "test.xml");
  std::string issues;
  for (const auto& issue : result.issues) issues += coderaudit::Describe(issue) + "\n";
  INFO(issues);
  REQUIRE(result.issues.empty());
  REQUIRE(result.rule_set);
  auto program = std::dynamic_pointer_cast<const CompiledProgram>(Compile(*result.rule_set));
  REQUIRE(program);
  return {result.rule_set, program};
}

Loaded MustLoad(std::string_view xml, std::shared_ptr<const refdata::RefData> tables) {
  LoadResult result = LoadRuleText(xml, "test.xml");
  std::string issues;
  for (const auto& issue : result.issues) issues += coderaudit::Describe(issue) + "\n";
  INFO(issues);
  REQUIRE(result.issues.empty());
  REQUIRE(result.rule_set);
  auto program =
      std::dynamic_pointer_cast<const CompiledProgram>(Compile(*result.rule_set, std::move(tables)));
  REQUIRE(program);
  return {result.rule_set, program};
}

std::vector<std::string> IssueTexts(std::string_view xml) {
  LoadResult result = LoadRuleText(xml, "test.xml");
  CHECK_FALSE(result.rule_set);
  std::vector<std::string> out;
  for (const auto& issue : result.issues) {
    CHECK(issue.file == "test.xml");
    out.push_back(std::to_string(issue.line) + ":" + std::to_string(issue.column) + ": " +
                  issue.message);
  }
  return out;
}

Encounter MakeEncounter(std::string_view from) {
  Encounter e;
  e.id = "E1";
  e.patient_id = "P-SYNTHETIC";
  e.sex = Sex::kFemale;
  e.birth_date = ParseIsoDate("1980-01-01");
  e.from_date = *ParseIsoDate(from);
  e.through_date = e.from_date;
  e.claim_type = ClaimType::kProfessional;
  return e;
}

CodedLine Dx(std::string_view code, uint16_t seq, char poa) {
  CodedLine line;
  line.type = CodeType::kDiagnosis;
  line.seq = seq;
  line.code = Code::Of(code);
  line.poa = poa;
  return line;
}

CodedLine Pcs(std::string_view code, uint16_t seq) {
  CodedLine line;
  line.type = CodeType::kPcs;
  line.seq = seq;
  line.code = Code::Of(code);
  return line;
}

CodedLine Hcpcs(std::string_view code, std::string_view modifiers, double units,
                std::string_view dos) {
  CodedLine line;
  line.type = CodeType::kHcpcs;
  line.code = Code::Of(code);
  line.modifiers = *Modifiers::Parse(modifiers);
  line.units = units;
  if (!dos.empty()) line.service_date = ParseIsoDate(dos);
  return line;
}

std::vector<std::string> Describe(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& finding : findings) out.push_back(coderaudit::Describe(finding));
  return out;
}

std::vector<std::string> Run(const RuleProgram& program, const Encounter& encounter) {
  std::vector<Finding> findings;
  program.Evaluate(encounter, findings);
  return Describe(findings);
}

std::string SourcePath(std::string_view relative) {
  return std::string(CODERAUDIT_SOURCE_DIR) + "/" + std::string(relative);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace coderaudit::rules::testing
