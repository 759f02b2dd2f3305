#include "rules/checks/forbidden_modifier.hpp"

namespace coderaudit::rules {

namespace {

// Fires on each line with a code of the set that carries one of the modifiers; the
// finding names the first such modifier in billed order.
class ForbiddenModifierCheck final : public Check {
 public:
  ForbiddenModifierCheck(CodeSelection codes, std::vector<std::string> modifiers)
      : codes_(std::move(codes)), modifiers_(std::move(modifiers)) {}

  std::vector<const CodeSelection*> Triggers() const override { return {&codes_}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit> hits) const override {
    for (const LineHit& hit : hits) {
      const CodedLine& line = context.Line(hit.line_index);
      for (size_t i = 0; i < line.modifiers.Size(); ++i) {
        const std::string_view billed = line.modifiers.At(i);
        bool forbidden = false;
        for (const auto& modifier : modifiers_) forbidden = forbidden || modifier == billed;
        if (!forbidden) continue;
        context.Emit({hit.line_index}, {{"code", DisplayCode(line)},
                                        {"modifier", std::string(billed)},
                                        {"dos", ToIso(context.encounter().DateOfService(line))}});
        break;
      }
    }
  }

 private:
  CodeSelection codes_;
  std::vector<std::string> modifiers_;
};

}  // namespace

std::unique_ptr<Check> CompileForbiddenModifier(const XmlNode& element, CompileContext& context) {
  const XmlNode* codes_element = element.Child("codes");
  const XmlNode* modifiers_element = element.Child("modifiers");
  if (codes_element == nullptr || modifiers_element == nullptr) {
    context.Error(element.pos, "<forbidden-modifier> needs <codes> and <modifiers>");
    return nullptr;
  }
  auto codes = context.Selection(*codes_element);
  auto modifiers = context.ModifierList(*modifiers_element);
  if (modifiers.empty()) context.Error(modifiers_element->pos, "<modifiers> lists no modifier");
  if (!codes || context.Failed()) return nullptr;
  return std::make_unique<ForbiddenModifierCheck>(std::move(*codes), std::move(modifiers));
}

}  // namespace coderaudit::rules
