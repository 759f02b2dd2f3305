// LoadRuleFile / LoadRuleText: XSD-validated element tree (xml_document.cpp) -> RuleSet,
// with the semantic checks the schema cannot express, then a trial compile so every
// problem of the file is reported at load time with its position.
#include <charconv>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include "audit/model/hash.hpp"
#include "rules/compiled_program.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"
#include "rules/xml_document.hpp"

namespace coderaudit::rules {

namespace {

// Hand-written rule sets are small; large code lists belong in reference tables.
constexpr std::streamoff kMaxRuleFileBytes = 16 * 1024 * 1024;

class Builder {
 public:
  Builder(RuleSet& rule_set, std::vector<Issue>& issues) : rule_set_(rule_set), issues_(issues) {}

  void Build(const XmlNode& root) {
    if (root.name != "ruleset") {
      Error(root.pos, "the root element must be <ruleset>");
      return;
    }
    rule_set_.id = root.AttrOr("id", "");
    rule_set_.version = root.AttrOr("version", "");
    rule_set_.title = root.AttrOr("title", "");
    for (const XmlNode& child : root.children) {
      if (child.name == "codeset") {
        BuildCodeSet(child);
      } else if (child.name == "rule") {
        BuildRule(child);
      }
    }
  }

 private:
  void Error(const SourcePos& pos, std::string message) {
    issues_.push_back(Issue{rule_set_.file, pos.line, pos.column, std::move(message)});
  }

  std::optional<Date> DateAttr(const XmlNode& element, std::string_view attribute) {
    const std::string* text = element.Attr(attribute);
    if (text == nullptr) return std::nullopt;
    auto date = ParseIsoDate(*text);
    if (!date)
      Error(element.pos, std::string(attribute) + "='" + *text +
                             "' is not a real calendar date (YYYY-MM-DD, 1800-2299)");
    return date;
  }

  void BuildCodeSet(const XmlNode& element) {
    CodeSetDef codeset;
    codeset.id = element.AttrOr("id", "");
    codeset.title = element.AttrOr("title", "");
    codeset.pos = element.pos;
    if (!codeset_ids_.insert(codeset.id).second)
      Error(element.pos, "duplicate codeset id '" + codeset.id + "'");
    for (const XmlNode& member : element.children)
      if (auto error = AddCodeMember(member, codeset.members)) Error(member.pos, *error);
    rule_set_.codesets.push_back(std::move(codeset));
  }

  void BuildRule(const XmlNode& element) {
    RuleDef rule;
    rule.pos = element.pos;
    rule.id = element.AttrOr("id", "");
    rule.version = element.AttrOr("version", "");
    rule.title = element.AttrOr("title", "");
    rule.category = element.AttrOr("category", "");
    if (auto severity = ParseSeverity(element.AttrOr("severity", ""))) {
      rule.severity = *severity;
    } else {
      Error(element.pos, "severity must be error, warning or info");
    }
    if (auto disposition = ParseDisposition(element.AttrOr("disposition", ""))) {
      rule.disposition = *disposition;
    } else {
      Error(element.pos, "unknown disposition '" + element.AttrOr("disposition", "") + "'");
    }
    rule.effective_from = DateAttr(element, "effective-from");
    rule.effective_to = DateAttr(element, "effective-to");
    if (rule.effective_from && rule.effective_to && *rule.effective_from > *rule.effective_to)
      Error(element.pos, "effective-from is after effective-to");
    if (const std::string* claim_types = element.Attr("claim-types")) {
      for (const auto& text : SplitList(*claim_types)) {
        if (auto type = ParseClaimType(text)) {
          rule.claim_types.push_back(*type);
        } else {
          Error(element.pos, "unknown claim type '" + text + "'");
        }
      }
    }
    CheckVersions(rule);
    bool have_check = false;
    for (const XmlNode& child : element.children) {
      if (child.name == "citation") {
        rule.citation = child.text;
      } else if (child.name == "message") {
        rule.message = child.text;
        rule.message_pos = child.pos;
      } else if (child.name == "test") {
        BuildTest(child, rule);
      } else if (!have_check) {
        rule.check = child;
        have_check = true;
      }
    }
    if (!have_check) Error(element.pos, "rule " + rule.id + " has no check");
    rule_set_.rules.push_back(std::move(rule));
  }

  // One id may appear in several versions (an edit that changed over time) as long as
  // their effective periods do not overlap; otherwise an encounter could meet both.
  void CheckVersions(const RuleDef& rule) {
    for (const RuleDef& other : rule_set_.rules) {
      if (other.id != rule.id) continue;
      if (other.version == rule.version) {
        Error(rule.pos, "duplicate rule id '" + rule.id + "' (version " + rule.version + ")");
        return;
      }
      const bool overlap = (!rule.effective_from || !other.effective_to ||
                            *rule.effective_from <= *other.effective_to) &&
                           (!other.effective_from || !rule.effective_to ||
                            *other.effective_from <= *rule.effective_to);
      if (overlap) {
        Error(rule.pos, "rule " + rule.id + " versions " + other.version + " and " + rule.version +
                            " have overlapping effective periods");
        return;
      }
    }
  }

  void BuildTest(const XmlNode& element, RuleDef& rule) {
    TestCase test;
    test.name = element.AttrOr("name", "");
    test.pos = element.pos;
    const XmlNode* encounter_element = element.Child("encounter");
    const XmlNode* expect = element.Child("expect");
    if (encounter_element == nullptr || expect == nullptr) {
      Error(element.pos, "<test> needs <encounter> and <expect>");
      return;
    }
    Encounter& encounter = test.encounter;
    encounter.id = "test-" + std::to_string(rule.tests.size() + 1);
    encounter.patient_id = "TEST";
    encounter.coder_id = "TEST";
    encounter.provider_id = "TEST";
    if (auto type = ParseClaimType(encounter_element->AttrOr("claim-type", "professional"))) {
      encounter.claim_type = *type;
    } else {
      Error(encounter_element->pos, "unknown claim-type");
    }
    if (auto sex = ParseSex(encounter_element->AttrOr("sex", ""))) {
      encounter.sex = *sex;
    } else {
      Error(encounter_element->pos, "sex must be F, M or U");
    }
    encounter.birth_date = DateAttr(*encounter_element, "birth-date");
    const auto from = DateAttr(*encounter_element, "from");
    if (!from) {
      if (!encounter_element->Attr("from")) Error(encounter_element->pos, "from is required");
      return;
    }
    encounter.from_date = *from;
    encounter.through_date = DateAttr(*encounter_element, "through").value_or(*from);
    if (encounter.through_date < encounter.from_date)
      Error(encounter_element->pos, "through is before from");
    for (const XmlNode& line_element : encounter_element->children)
      BuildLine(line_element, encounter);

    const std::string findings_text = expect->AttrOr("findings", "");
    size_t findings = 0;
    const auto [end, ec] = std::from_chars(findings_text.data(),
                                           findings_text.data() + findings_text.size(), findings);
    if (ec != std::errc() || end != findings_text.data() + findings_text.size())
      Error(expect->pos, "findings must be a whole number");
    test.expected_findings = findings;
    if (const std::string* lines = expect->Attr("lines")) {
      std::vector<uint32_t> positions;
      for (const auto& text : SplitList(*lines)) {
        uint32_t position = 0;
        const auto [e, c] = std::from_chars(text.data(), text.data() + text.size(), position);
        if (c != std::errc() || e != text.data() + text.size() || position == 0) {
          Error(expect->pos, "lines must be positive line positions");
        } else {
          positions.push_back(position);
        }
      }
      test.expected_lines = std::move(positions);
    }
    rule.tests.push_back(std::move(test));
  }

  void BuildLine(const XmlNode& element, Encounter& encounter) {
    CodedLine line;
    if (auto type = ParseCodeType(element.AttrOr("type", ""))) {
      line.type = *type;
    } else {
      Error(element.pos, "type must be DX, PCS or HCPCS");
    }
    const std::string code_text = element.AttrOr("code", "");
    if (auto code = Code::Parse(code_text)) {
      line.code = *code;
    } else {
      Error(element.pos, "not a valid code: '" + code_text + "'");
    }
    if (const std::string* seq = element.Attr("seq")) {
      const auto [end, ec] = std::from_chars(seq->data(), seq->data() + seq->size(), line.seq);
      if (ec != std::errc() || end != seq->data() + seq->size())
        Error(element.pos, "seq must be 1-999");
    }
    if (const std::string* modifiers = element.Attr("modifiers")) {
      if (auto parsed = Modifiers::Parse(*modifiers)) {
        line.modifiers = *parsed;
      } else {
        Error(element.pos, "at most four two-character modifiers");
      }
    }
    line.units = line.type == CodeType::kHcpcs ? 1 : 0;  // as the CSV layout defaults
    if (const std::string* units = element.Attr("units")) {
      const auto [end, ec] =
          std::from_chars(units->data(), units->data() + units->size(), line.units);
      if (ec != std::errc() || end != units->data() + units->size())
        Error(element.pos, "units must be a number");
    }
    line.service_date = DateAttr(element, "dos");
    if (line.service_date &&
        (*line.service_date < encounter.from_date || *line.service_date > encounter.through_date))
      Error(element.pos, "dos lies outside the encounter's from..through");
    if (const std::string* charge = element.Attr("charge")) {
      if (auto cents = ParseCents(*charge)) {
        line.charge_cents = *cents;
      } else {
        Error(element.pos, "charge must be a decimal with at most 2 decimals");
      }
    }
    line.source_line = element.pos.line;
    encounter.lines.push_back(line);
  }

  // "210", "210.5", "210.50" -> cents, exactly (no floating point).
  static std::optional<int64_t> ParseCents(std::string_view text) {
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (whole.empty() || fraction.size() > 2) return std::nullopt;
    int64_t cents = 0;
    for (char ch : whole) {
      if (ch < '0' || ch > '9' || cents > 1'000'000'000'000) return std::nullopt;
      cents = cents * 10 + (ch - '0');
    }
    for (size_t i = 0; i < 2; ++i) {
      const char ch = i < fraction.size() ? fraction[i] : '0';
      if (ch < '0' || ch > '9') return std::nullopt;
      cents = cents * 10 + (ch - '0');
    }
    return cents;
  }

  RuleSet& rule_set_;
  std::vector<Issue>& issues_;
  std::set<std::string> codeset_ids_;
};

}  // namespace

LoadResult LoadRuleText(std::string_view xml, const std::string& display_name) {
  LoadResult result;
  XmlParseResult parsed = ParseValidatedRuleXml(xml, display_name);
  result.issues = std::move(parsed.issues);
  if (!parsed.root) return result;

  auto rule_set = std::make_shared<RuleSet>();
  rule_set->file = display_name;
  rule_set->sha256 = Sha256Hex(xml);
  Builder(*rule_set, result.issues).Build(*parsed.root);
  // Check-level problems (unknown codeset, bad inline code, message placeholders) are
  // found by compiling; doing it here reports them with the schema and semantic issues.
  if (result.issues.empty()) CompileProgram(*rule_set, result.issues);
  if (result.issues.empty()) result.rule_set = std::move(rule_set);
  return result;
}

LoadResult LoadRuleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return LoadResult{nullptr, {Issue{path, 0, 0, "cannot open rule file"}}};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0 || size > kMaxRuleFileBytes)
    return LoadResult{nullptr, {Issue{path, 0, 0, "rule file is larger than 16 MiB"}}};
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (in.gcount() != size) return LoadResult{nullptr, {Issue{path, 0, 0, "cannot read rule file"}}};
  return LoadRuleText(bytes, path);
}

}  // namespace coderaudit::rules
