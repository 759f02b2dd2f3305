#include "rules/check.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace coderaudit::rules {

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
      ++i;
    size_t j = i;
    while (j < text.size() &&
           !(text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
      ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

std::optional<std::string> NormalisedLiteral(const std::string& text) {
  const auto code = Code::Parse(text);
  if (!code) return std::nullopt;
  return code->Str();
}

}  // namespace

std::optional<std::string> AddCodeMember(const XmlNode& member, CodeMatcher& matcher) {
  if (member.name == "code") {
    const auto code = Code::Parse(member.text);
    if (!code) return "not a valid code: '" + member.text + "' (at most 7 letters or digits)";
    matcher.AddCode(*code);
    return std::nullopt;
  }
  if (member.name == "prefix") {
    const auto prefix = NormalisedLiteral(member.text);
    if (!prefix) return "not a valid code prefix: '" + member.text + "'";
    matcher.AddPrefix(*prefix);
    return std::nullopt;
  }
  if (member.name == "range") {
    const std::string from_text = member.AttrOr("from", "");
    const std::string to_text = member.AttrOr("to", "");
    const auto from = NormalisedLiteral(from_text);
    const auto to = NormalisedLiteral(to_text);
    if (!from) return "not a valid code in range from: '" + from_text + "'";
    if (!to) return "not a valid code in range to: '" + to_text + "'";
    if (from->size() != to->size())
      return "range bounds must have the same length: '" + from_text + "' and '" + to_text + "'";
    if (*from > *to) return "range from '" + from_text + "' is after to '" + to_text + "'";
    matcher.AddRange(*from, *to);
    return std::nullopt;
  }
  return "unexpected element <" + member.name + "> in a code list";
}

CompileContext::CompileContext(const RuleSet& rule_set, std::vector<Issue>& issues)
    : file_(rule_set.file), issues_(issues) {
  for (const auto& codeset : rule_set.codesets) codesets_.emplace(codeset.id, &codeset.members);
}

CompileContext::CompileContext(const RuleSet& rule_set, const RuleDef& rule,
                               std::vector<Issue>& issues)
    : rule_(&rule), file_(rule_set.FileOf(rule.source)), issues_(issues) {
  // A rule sees the codesets of the file that defined it: packs and facility files may
  // use the same codeset ids without clashing.
  const auto& codesets = rule.source < rule_set.sources.size()
                             ? rule_set.sources[rule.source].codesets
                             : rule_set.codesets;
  for (const auto& codeset : codesets) codesets_.emplace(codeset.id, &codeset.members);
}

void CompileContext::Error(const SourcePos& pos, std::string message) {
  ++errors_;
  issues_.push_back(Issue{file_, pos.line, pos.column, std::move(message)});
}

std::optional<CodeSelection> CompileContext::Selection(const XmlNode& element) {
  CodeSelection selection;
  bool ok = true;
  const auto type = ParseCodeType(element.AttrOr("code-type", ""));
  if (!type) {
    Error(element.pos, "<" + element.name + "> needs code-type DX, PCS or HCPCS");
    ok = false;
  } else {
    selection.type = *type;
  }
  if (const std::string* refs = element.Attr("codeset")) {
    for (const auto& id : SplitList(*refs)) {
      const auto it = codesets_.find(id);
      if (it == codesets_.end()) {
        Error(element.pos, "unknown codeset '" + id + "'");
        ok = false;
      } else {
        selection.matcher.AddAll(*it->second);
      }
    }
  }
  for (const auto& member : element.children) {
    if (auto error = AddCodeMember(member, selection.matcher)) {
      Error(member.pos, *error);
      ok = false;
    }
  }
  if (ok && selection.matcher.Empty()) {
    Error(element.pos, "<" + element.name + "> selects no codes: give codeset= or members");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return selection;
}

std::vector<std::string> CompileContext::ModifierList(const XmlNode& element) {
  std::vector<std::string> out = SplitList(element.text);
  for (auto& modifier : out)
    for (char& ch : modifier)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return out;
}

std::optional<double> CompileContext::Number(const XmlNode& element, std::string_view attribute) {
  const std::string* text = element.Attr(attribute);
  if (text == nullptr) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(value)) {
    Error(element.pos, "not a number: " + std::string(attribute) + "='" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<int> CompileContext::Integer(const XmlNode& element, std::string_view attribute) {
  const std::string* text = element.Attr(attribute);
  if (text == nullptr) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    Error(element.pos, "not a whole number: " + std::string(attribute) + "='" + *text + "'");
    return std::nullopt;
  }
  return value;
}

void EvalContext::Emit(const std::vector<uint32_t>& lines, Values values,
                       const Values& extras) const {
  Finding finding;
  finding.rule_id = rule_.id;
  finding.rule_version = rule_.version;
  finding.category = rule_.category;

  finding.severity = rule_.severity;
  finding.disposition = rule_.disposition;
  finding.encounter_id = encounter_.id;
  finding.lines.reserve(lines.size());
  for (const uint32_t index : lines) finding.lines.push_back(index + 1);

  Values message_extras = extras;
  const auto age = encounter_.AgeAtAdmission();
  message_extras.emplace_back("age", age ? std::to_string(*age) : "unknown");
  message_extras.emplace_back("sex", std::string(ToString(encounter_.sex)));
  finding.message = RenderMessage(rule_.message, values, message_extras);
  // Citations may name the table version and rationale that fired ({table}, {rationale}).
  finding.citation = RenderMessage(rule_.citation, values, message_extras);
  finding.values = std::move(values);
  out_.push_back(std::move(finding));
}

std::string DisplayCode(const CodedLine& line) {
  return line.type == CodeType::kDiagnosis ? line.code.DottedIcd10Cm() : line.code.Str();
}

std::string FormatUnits(double units) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, units);
  if (ec != std::errc()) return "?";
  return std::string(buffer, end);
}

std::string JoinModifiers(const std::vector<std::string>& modifiers) {
  std::string out;
  for (const auto& modifier : modifiers) {
    if (!out.empty()) out += ' ';
    out += modifier;
  }
  return out;
}

namespace {

bool IsPlaceholderChar(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

// Calls f(name, begin, end) for each well-formed {name} in the template.
template <typename F>
void ForEachPlaceholder(std::string_view message, F&& f) {
  size_t i = 0;
  while ((i = message.find('{', i)) != std::string_view::npos) {
    size_t j = i + 1;
    while (j < message.size() && IsPlaceholderChar(message[j])) ++j;
    if (j < message.size() && message[j] == '}' && j > i + 1) {
      f(message.substr(i + 1, j - i - 1), i, j + 1);
      i = j + 1;
    } else {
      ++i;
    }
  }
}

}  // namespace

std::string RenderMessage(std::string_view message, const Values& values, const Values& extras) {
  std::string out;
  size_t copied = 0;
  ForEachPlaceholder(message, [&](std::string_view name, size_t begin, size_t end) {
    const std::string* value = nullptr;
    for (const auto& [k, v] : values)
      if (k == name) {
        value = &v;
        break;
      }
    if (value == nullptr)
      for (const auto& [k, v] : extras)
        if (k == name) {
          value = &v;
          break;
        }
    if (value == nullptr) return;  // left as written
    out.append(message.substr(copied, begin - copied));
    out += *value;
    copied = end;
  });
  out.append(message.substr(copied));
  return out;
}

std::vector<std::string> Placeholders(std::string_view message) {
  std::vector<std::string> out;
  ForEachPlaceholder(message,
                     [&](std::string_view name, size_t, size_t) { out.emplace_back(name); });
  return out;
}

}  // namespace coderaudit::rules
