#include "rules/checks/required_modifier.hpp"

namespace coderaudit::rules {

namespace {

// Fires on each line with a code of the set that carries none of the modifiers.
class RequiredModifierCheck final : public Check {
 public:
  RequiredModifierCheck(CodeSelection codes, std::vector<std::string> modifiers)
      : codes_(std::move(codes)),
        modifiers_(std::move(modifiers)),
        required_(JoinModifiers(modifiers_)) {}

  std::vector<const CodeSelection*> Triggers() const override { return {&codes_}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit> hits) const override {
    for (const LineHit& hit : hits) {
      const CodedLine& line = context.Line(hit.line_index);
      bool present = false;
      for (const auto& modifier : modifiers_) present = present || line.modifiers.Has(modifier);
      if (present) continue;
      context.Emit({hit.line_index},
                   {{"code", DisplayCode(line)},
                    {"modifiers", line.modifiers.Str()},
                    {"dos", ToIso(context.encounter().DateOfService(line))}},
                   {{"required", required_}});
    }
  }

 private:
  CodeSelection codes_;
  std::vector<std::string> modifiers_;
  std::string required_;
};

}  // namespace

std::unique_ptr<Check> CompileRequiredModifier(const XmlNode& element, CompileContext& context) {
  const XmlNode* codes_element = element.Child("codes");
  const XmlNode* modifiers_element = element.Child("modifiers");
  if (codes_element == nullptr || modifiers_element == nullptr) {
    context.Error(element.pos, "<required-modifier> needs <codes> and <modifiers>");
    return nullptr;
  }
  auto codes = context.Selection(*codes_element);
  auto modifiers = context.ModifierList(*modifiers_element);
  if (modifiers.empty()) context.Error(modifiers_element->pos, "<modifiers> lists no modifier");
  if (!codes || context.Failed()) return nullptr;
  return std::make_unique<RequiredModifierCheck>(std::move(*codes), std::move(modifiers));
}

}  // namespace coderaudit::rules
