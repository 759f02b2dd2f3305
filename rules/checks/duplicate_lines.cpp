#include "rules/checks/duplicate_lines.hpp"

#include <algorithm>
#include <unordered_map>

namespace coderaudit::rules {

namespace {

// Exact duplicate lines on one encounter: same code, date of service, modifiers (in any
// order), units and, unless compare-charge="false", charge. Fires on each repeat, naming
// the first occurrence; a repeat carrying a repeat modifier (76, 59, RT, ...) is legitimate.
class DuplicateLinesCheck final : public Check {
 public:
  DuplicateLinesCheck(CodeType type, bool compare_charge, std::vector<std::string> repeat)
      : type_(type), compare_charge_(compare_charge), repeat_(std::move(repeat)) {}

  // No code trigger: any code can repeat, so this runs on every encounter.
  std::vector<const CodeSelection*> Triggers() const override { return {}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    std::unordered_map<std::string, uint32_t> first_seen;
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type != type_) continue;
      const std::string key = Key(encounter, line);
      const auto [it, inserted] = first_seen.emplace(key, i);
      if (inserted || IsLegitimateRepeat(line)) continue;
      context.Emit({i},
                   {{"code", DisplayCode(line)},
                    {"dos", ToIso(encounter.DateOfService(line))},
                    {"first_line", std::to_string(it->second + 1)}},
                   {{"units", FormatUnits(line.units)}, {"modifiers", line.modifiers.Str()}});
    }
  }

 private:
  std::string Key(const Encounter& encounter, const CodedLine& line) const {
    std::vector<std::string_view> modifiers;
    for (size_t m = 0; m < line.modifiers.Size(); ++m) modifiers.push_back(line.modifiers.At(m));
    std::sort(modifiers.begin(), modifiers.end());
    std::string key(line.code.View());
    key += '|';
    key += std::to_string(encounter.DateOfService(line).days);
    key += '|';
    for (const auto modifier : modifiers) key += modifier;
    key += '|';
    key += FormatUnits(line.units);
    if (compare_charge_) {
      key += '|';
      key += std::to_string(line.charge_cents);
    }
    return key;
  }

  bool IsLegitimateRepeat(const CodedLine& line) const {
    for (const auto& modifier : repeat_)
      if (line.modifiers.Has(modifier)) return true;
    return false;
  }

  CodeType type_;
  bool compare_charge_;
  std::vector<std::string> repeat_;
};

}  // namespace

std::unique_ptr<Check> CompileDuplicateLines(const XmlNode& element, CompileContext& context) {
  const auto type = ParseCodeType(element.AttrOr("code-type", "HCPCS"));
  if (!type) context.Error(element.pos, "code-type must be DX, PCS or HCPCS");
  const std::string compare = element.AttrOr("compare-charge", "true");
  const bool compare_charge = compare == "true" || compare == "1";
  std::vector<std::string> repeat;
  if (const XmlNode* repeat_element = element.Child("repeat-modifiers"))
    repeat = context.ModifierList(*repeat_element);
  if (context.Failed()) return nullptr;
  return std::make_unique<DuplicateLinesCheck>(*type, compare_charge, std::move(repeat));
}

}  // namespace coderaudit::rules
