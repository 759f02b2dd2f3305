// LoadRuleFile / LoadRuleText: XSD-validated element tree (xml_document.cpp) -> RuleSet,
// with the semantic checks the schema cannot express, the layering of included files
// (<include>, <override>, <disable>), then a trial compile so every problem of the file
// and its includes is reported at load time with its position.
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <system_error>

#include "audit/model/hash.hpp"
#include "rules/built_in_packs.hpp"
#include "rules/compiled_program.hpp"
#include "rules/rule_program.hpp"
#include "rules/rule_set.hpp"
#include "audit/io/xml_document.hpp"

namespace coderaudit::embedded {
std::string_view rules_v1_xsd();
}

namespace coderaudit::rules {

namespace fs = std::filesystem;

namespace {

// Rule files are validated against rules-v1.xsd only, whatever their schemaLocation says.
const io::XmlSchema& RulesSchema() {
  static const io::XmlSchema kRules{embedded::rules_v1_xsd(),
                                    "urn:coderaudit:rules:1/rules-v1.xsd", "rule files",
                                    "urn:coderaudit:rules:1"};
  return kRules;
}

// Hand-written rule sets are small; large code lists belong in reference tables.
constexpr std::streamoff kMaxRuleFileBytes = 16 * 1024 * 1024;
// A layered rule set is a handful of files; these bounds stop a runaway include graph.
constexpr size_t kMaxRuleFiles = 64;
constexpr size_t kMaxIncludeDepth = 16;

std::optional<Issue> ReadRuleBytes(const std::string& path, std::string& bytes) {
  // A rule set is read whole after its size is known, and recorded by its SHA-256: a pipe
  // or process substitution has no size (and opening a FIFO would wait for a writer).
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    return Issue{path, 0, 0,
                 "rule file is not a regular file (a pipe, device or process substitution): "
                 "save it to a file first"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Issue{path, 0, 0, "cannot open rule file"};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0 || size > kMaxRuleFileBytes) return Issue{path, 0, 0, "rule file is larger than 16 MiB"};
  in.seekg(0, std::ios::beg);
  bytes.assign(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (in.gcount() != size) return Issue{path, 0, 0, "cannot read rule file"};
  return std::nullopt;
}

// Builds one file's codesets and own rules (the layering is the Loader's job).
class Builder {
 public:
  Builder(RuleSource& source, uint32_t source_index, std::vector<RuleDef>& rules,
          std::vector<Issue>& issues)
      : source_(source), source_index_(source_index), rules_(rules), issues_(issues) {}

  void Build(const XmlNode& root) {
    if (root.name != "ruleset") {
      Error(root.pos, "the root element must be <ruleset>");
      return;
    }
    source_.id = root.AttrOr("id", "");
    source_.version = root.AttrOr("version", "");
    source_.title = root.AttrOr("title", "");
    for (const XmlNode& child : root.children) {
      if (child.name == "codeset") {
        BuildCodeSet(child);
      } else if (child.name == "rule") {
        BuildRule(child);
      }
    }
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

  void Error(const SourcePos& pos, std::string message) {
    issues_.push_back(Issue{source_.file, pos.line, pos.column, std::move(message)});
  }

 private:
  void BuildCodeSet(const XmlNode& element) {
    CodeSetDef codeset;
    codeset.id = element.AttrOr("id", "");
    codeset.title = element.AttrOr("title", "");
    codeset.pos = element.pos;
    if (!codeset_ids_.insert(codeset.id).second)
      Error(element.pos, "duplicate codeset id '" + codeset.id + "'");
    for (const XmlNode& member : element.children)
      if (auto error = AddCodeMember(member, codeset.members)) Error(member.pos, *error);
    source_.codesets.push_back(std::move(codeset));
  }

  void BuildRule(const XmlNode& element) {
    RuleDef rule;
    rule.source = source_index_;
    rule.message_source = source_index_;
    rule.citation_source = source_index_;
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
    bool have_check = false;
    for (const XmlNode& child : element.children) {
      if (child.name == "citation") {
        rule.citation = child.text;
        rule.citation_pos = child.pos;
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
    rules_.push_back(std::move(rule));
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
    encounter.discharge_status = encounter_element->AttrOr("discharge-status", "");
    encounter.place_of_service = encounter_element->AttrOr("place-of-service", "");
    if (const std::string admitting = encounter_element->AttrOr("admitting-dx", "");
        !admitting.empty()) {
      if (auto code = Code::Parse(admitting))
        encounter.admitting_dx = *code;
      else
        Error(encounter_element->pos, "admitting-dx is not a code");
    }
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
    if (const std::string* poa = element.Attr("poa")) {
      if (line.type != CodeType::kDiagnosis) Error(element.pos, "only DX lines carry poa");
      line.poa = poa->empty() ? ' ' : (*poa)[0];
    }
    if (const std::string* pos = element.Attr("place-of-service")) {
      if (auto code = Code::Parse(*pos)) {
        line.place_of_service = *code;
      } else {
        Error(element.pos, "place-of-service must be a 2-digit code");
      }
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

  RuleSource& source_;
  uint32_t source_index_;
  std::vector<RuleDef>& rules_;
  std::vector<Issue>& issues_;
  std::set<std::string> codeset_ids_;
};


std::string Where(const std::string& file, const SourcePos& pos) {
  return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// A file's identity for cycle detection: its canonical path, or pack:<name> for a pack
// built into the binary.
std::string PathIdentity(const fs::path& path) {
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(path, error), error);
  return error ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

// Reads a rule file and, depth first, every file it includes; applies each file's
// <override>s and <disable>s to the rules of the files it includes (directly or not).
class Loader {
 public:
  Loader(RuleSet& set, std::vector<Issue>& issues, const LoadOptions& options)
      : set_(set), issues_(issues), pack_dirs_(options.pack_dirs) {
    if (pack_dirs_.empty())
      if (const char* env = std::getenv("CODERAUDIT_PACKS_DIR"); env != nullptr && *env) {
        std::string_view list(env);
        while (!list.empty()) {
          const size_t colon = list.find(':');
          if (colon != 0) pack_dirs_.emplace_back(list.substr(0, colon));
          if (colon == std::string_view::npos) break;
          list.remove_prefix(colon + 1);
        }
      }
  }

  void LoadRoot(std::string_view xml, const std::string& display_name, const std::string& base_dir) {
    std::vector<RuleDef> rules;
    LoadSource(xml, display_name, PathIdentity(display_name), base_dir, std::nullopt, {}, rules);
    if (set_.sources.empty()) return;
    const RuleSource& root = set_.sources.front();
    set_.id = root.id;
    set_.version = root.version;
    set_.title = root.title;
    set_.codesets = root.codesets;
    set_.rules = std::move(rules);
    CheckVersions();
    if (set_.sources.size() == 1) {
      set_.sha256 = root.sha256;
    } else {
      // Any change to any layer changes the rule set hash the store records.
      std::string hashes;
      for (const auto& source : set_.sources) hashes += source.sha256 + "\n";
      set_.sha256 = Sha256Hex(hashes);
    }
  }

 private:
  void Error(uint32_t source, const SourcePos& pos, std::string message) {
    issues_.push_back(Issue{set_.sources[source].file, pos.line, pos.column, std::move(message)});
  }

  // Appends the file's effective rules (included ones first) to `out`.
  void LoadSource(std::string_view bytes, const std::string& display_name,
                  const std::string& identity, const std::string& base_dir,
                  std::optional<uint32_t> included_by, SourcePos included_at,
                  std::vector<RuleDef>& out) {
    io::XmlParseResult parsed = io::ParseValidatedXml(bytes, display_name, RulesSchema());
    issues_.insert(issues_.end(), std::make_move_iterator(parsed.issues.begin()),
                   std::make_move_iterator(parsed.issues.end()));
    if (!parsed.root) return;
    const XmlNode& root = *parsed.root;

    const auto index = static_cast<uint32_t>(set_.sources.size());
    RuleSource source;
    source.file = display_name;
    source.sha256 = Sha256Hex(bytes);
    source.bytes = static_cast<int64_t>(bytes.size());
    source.included_by = included_by;
    source.included_at = included_at;
    set_.sources.push_back(std::move(source));
    std::vector<RuleDef> own;
    // Built before the includes are read: the Builder holds a reference into sources.
    Builder(set_.sources[index], index, own, issues_).Build(root);

    stack_.push_back(identity);
    loaded_.insert(identity);
    std::vector<RuleDef> included;
    for (const XmlNode& child : root.children)
      if (child.name == "include") Include(child, index, base_dir, included);
    stack_.pop_back();

    for (const XmlNode& child : root.children) {
      if (child.name == "override") Override(child, index, included, own);
      if (child.name == "disable") Disable(child, index, included, own);
    }
    out.insert(out.end(), std::make_move_iterator(included.begin()),
               std::make_move_iterator(included.end()));
    out.insert(out.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
  }

  void Include(const XmlNode& element, uint32_t index, const std::string& base_dir,
               std::vector<RuleDef>& included) {
    const std::string* pack = element.Attr("pack");
    const std::string* href = element.Attr("href");
    if ((pack == nullptr) == (href == nullptr)) {
      Error(index, element.pos, "<include> needs exactly one of pack=\"name\" or href=\"path\"");
      return;
    }
    std::string display, identity, bytes, directory;
    if (href != nullptr) {
      fs::path path(*href);
      if (path.is_relative()) path = fs::path(base_dir) / path;
      path = path.lexically_normal();
      display = path.string();
      identity = PathIdentity(path);
      directory = path.parent_path().string();
    } else {
      bool found = false;
      for (const auto& dir : pack_dirs_) {
        const fs::path path = (fs::path(dir) / (*pack + ".xml")).lexically_normal();
        std::error_code error;
        if (!fs::is_regular_file(path, error)) continue;
        display = path.string();
        identity = PathIdentity(path);
        directory = path.parent_path().string();
        found = true;
        break;
      }
      if (!found) {
        for (const auto& built_in : embedded::BuiltInPackTable())
          if (built_in.name == *pack) {
            display = identity = "pack:" + *pack;
            bytes = std::string(built_in.bytes());
            directory = base_dir;  // built-in packs include other packs by name only
            found = true;
          }
      }
      if (!found) {
        std::string known;
        for (const auto& name : BuiltInPacks()) known += " " + name;
        Error(index, element.pos, "unknown rule pack '" + *pack + "' (built in:" + known + ")");
        return;
      }
    }
    if (std::find(stack_.begin(), stack_.end(), identity) != stack_.end()) {
      std::string chain;
      for (size_t i = 0; i < stack_.size(); ++i)
        if (!chain.empty() || stack_[i] == identity) chain += stack_[i] + " -> ";
      Error(index, element.pos, "include cycle: " + chain + identity);
      return;
    }
    if (loaded_.count(identity) != 0) return;  // already read through another include
    if (stack_.size() >= kMaxIncludeDepth) {
      Error(index, element.pos, "includes nested deeper than " + std::to_string(kMaxIncludeDepth));
      return;
    }
    if (set_.sources.size() >= kMaxRuleFiles) {
      Error(index, element.pos, "more than " + std::to_string(kMaxRuleFiles) + " rule files");
      return;
    }
    if (bytes.empty() && identity.rfind("pack:", 0) != 0) {
      if (auto issue = ReadRuleBytes(display, bytes)) {
        Error(index, element.pos, "cannot include " + display + ": " + issue->message);
        return;
      }
    }
    LoadSource(bytes, display, identity, directory, index, element.pos, included);
  }

  // The included rules an <override>/<disable> names; an issue when there are none.
  std::vector<size_t> Targets(const XmlNode& element, uint32_t index,
                              const std::vector<RuleDef>& included,
                              const std::vector<RuleDef>& own) {
    const std::string id = element.AttrOr("rule", "");
    const std::string* version = element.Attr("version");
    std::vector<size_t> targets;
    for (size_t i = 0; i < included.size(); ++i)
      if (included[i].id == id && (version == nullptr || included[i].version == *version))
        targets.push_back(i);
    if (!targets.empty()) return targets;
    const std::string what = "<" + element.name + "> rule '" + id + "'" +
                             (version ? " version " + *version : std::string());
    for (const RuleDef& rule : own)
      if (rule.id == id) {
        Error(index, element.pos, what + " is defined in this file: edit the rule itself; <" +
                                      element.name + "> applies to rules of included files");
        return targets;
      }
    for (const DisabledRule& disabled : set_.disabled)
      if (disabled.id == id) {
        Error(index, element.pos, what + " was disabled at " +
                                      Where(set_.sources[disabled.source].file, disabled.pos));
        return targets;
      }
    Error(index, element.pos, what + " is not a rule of any included file");
    return targets;
  }

  void Override(const XmlNode& element, uint32_t index, std::vector<RuleDef>& included,
                const std::vector<RuleDef>& own) {
    const std::vector<size_t> targets = Targets(element, index, included, own);
    if (targets.empty()) return;
    Builder dates(set_.sources[index], index, included, issues_);
    const std::string where = Where(set_.sources[index].file, element.pos);
    // Attribute values are schema-valid enumerations: parsing cannot fail here.
    std::optional<Severity> severity;
    std::optional<Disposition> disposition;
    if (const std::string* text = element.Attr("severity")) severity = ParseSeverity(*text);
    if (const std::string* text = element.Attr("disposition"))
      disposition = ParseDisposition(*text);
    const auto from = dates.DateAttr(element, "effective-from");
    const auto to = dates.DateAttr(element, "effective-to");
    std::optional<std::vector<ClaimType>> claim_types;
    if (const std::string* list = element.Attr("claim-types")) {
      claim_types.emplace();
      for (const auto& text : SplitList(*list))
        if (auto type = ParseClaimType(text)) claim_types->push_back(*type);
    }
    const XmlNode* citation = element.Child("citation");
    const XmlNode* message = element.Child("message");
    for (const size_t t : targets) {
      RuleDef& rule = included[t];
      auto note = [&](const std::string& what) { rule.overrides.push_back(what + " (" + where + ")"); };
      if (const std::string* title = element.Attr("title")) {
        rule.title = *title;
        note("title");
      }
      if (severity) {
        rule.severity = *severity;
        note("severity " + std::string(ToString(*severity)));
      }
      if (disposition) {
        rule.disposition = *disposition;
        note("disposition " + std::string(ToString(*disposition)));
      }
      if (from) {
        rule.effective_from = from;
        rule.applicability_overridden = true;
        note("effective-from " + ToIso(*from));
      }
      if (to) {
        rule.effective_to = to;
        rule.applicability_overridden = true;
        note("effective-to " + ToIso(*to));
      }
      if (claim_types) {
        rule.claim_types = *claim_types;
        rule.applicability_overridden = true;
        note("claim-types " + element.AttrOr("claim-types", ""));
      }
      if (citation) {
        rule.citation = citation->text;
        rule.citation_pos = citation->pos;
        rule.citation_source = index;
        note("citation");
      }
      if (message) {
        rule.message = message->text;
        rule.message_pos = message->pos;
        rule.message_source = index;
        note("message");
      }
      if (rule.effective_from && rule.effective_to && *rule.effective_from > *rule.effective_to)
        Error(index, element.pos, "override makes rule " + rule.id + " version " + rule.version +
                                      " start after it ends");
    }
  }

  void Disable(const XmlNode& element, uint32_t index, std::vector<RuleDef>& included,
               const std::vector<RuleDef>& own) {
    const std::vector<size_t> targets = Targets(element, index, included, own);
    if (targets.empty()) return;
    DisabledRule disabled;
    disabled.id = element.AttrOr("rule", "");
    disabled.version = element.AttrOr("version", "");
    disabled.reason = element.AttrOr("reason", "");
    disabled.rule_source = included[targets.front()].source;
    disabled.source = index;
    disabled.pos = element.pos;
    set_.disabled.push_back(std::move(disabled));
    for (auto t = targets.rbegin(); t != targets.rend(); ++t)
      included.erase(included.begin() + static_cast<std::ptrdiff_t>(*t));
  }

  // One id may appear in several versions (an edit that changed over time) as long as
  // their effective periods do not overlap; otherwise an encounter could meet both.
  // Checked across every layer, after overrides.
  void CheckVersions() {
    std::map<std::string, std::vector<size_t>> by_id;
    for (size_t r = 0; r < set_.rules.size(); ++r) {
      const RuleDef& rule = set_.rules[r];
      auto& earlier = by_id[rule.id];
      for (const size_t o : earlier) {
        const RuleDef& other = set_.rules[o];
        const std::string there = Where(set_.FileOf(other.source), other.pos);
        if (other.version == rule.version) {
          Error(rule.source, rule.pos, "duplicate rule id '" + rule.id + "' (version " +
                                           rule.version + "), also at " + there);
          break;
        }
        const bool overlap = (!rule.effective_from || !other.effective_to ||
                              *rule.effective_from <= *other.effective_to) &&
                             (!other.effective_from || !rule.effective_to ||
                              *other.effective_from <= *rule.effective_to);
        if (overlap) {
          Error(rule.source, rule.pos, "rule " + rule.id + " versions " + other.version + " and " +
                                           rule.version + " have overlapping effective periods (" +
                                           there + ")");
          break;
        }
      }
      earlier.push_back(r);
    }
  }

  RuleSet& set_;
  std::vector<Issue>& issues_;
  std::vector<std::string> pack_dirs_;
  std::vector<std::string> stack_;  // identities of the files being read, outermost first
  std::set<std::string> loaded_;    // identities read so far
};

}  // namespace

LoadResult LoadRuleText(std::string_view xml, const std::string& display_name) {
  return LoadRuleText(xml, display_name, LoadOptions{});
}

LoadResult LoadRuleText(std::string_view xml, const std::string& display_name,
                        const LoadOptions& options) {
  LoadResult result;
  auto rule_set = std::make_shared<RuleSet>();
  rule_set->file = display_name;
  std::string base_dir = options.base_dir;
  if (base_dir.empty()) base_dir = fs::path(display_name).parent_path().string();
  Loader loader(*rule_set, result.issues, options);
  loader.LoadRoot(xml, display_name, base_dir);
  if (!result.issues.empty()) return result;
  // Check-level problems (unknown codeset, bad inline code, message placeholders) are
  // found by compiling; doing it here reports them with the schema and semantic issues.
  // No tables yet: whether the tables a rule reads are loaded is Compile's (and Lint's)
  // business.
  CompileProgram(*rule_set, result.issues, CompileOptions{nullptr, false});
  if (result.issues.empty()) result.rule_set = std::move(rule_set);
  return result;
}

LoadResult LoadRuleFile(const std::string& path) { return LoadRuleFile(path, LoadOptions{}); }

LoadResult LoadRuleFile(const std::string& path, const LoadOptions& options) {
  std::string bytes;
  if (auto issue = ReadRuleBytes(path, bytes)) return LoadResult{nullptr, {std::move(*issue)}};
  LoadOptions file_options = options;
  file_options.base_dir = fs::path(path).parent_path().string();
  return LoadRuleText(bytes, path, file_options);
}

std::vector<std::string> BuiltInPacks() {
  std::vector<std::string> out;
  for (const auto& pack : embedded::BuiltInPackTable()) out.emplace_back(pack.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace coderaudit::rules
