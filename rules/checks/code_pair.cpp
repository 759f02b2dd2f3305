#include "rules/checks/code_pair.hpp"

namespace coderaudit::rules {

namespace {

enum class BypassOn : uint8_t { kEither, kFirst, kSecond };

// NCCI PTP style: a line of the first set and a line of the second set on the same date
// of service. One finding per denied line, naming the first partner (in line order) that
// is not bypassed by a modifier.
class CodePairCheck final : public Check {
 public:
  CodePairCheck(CodeSelection first, CodeSelection second, bool deny_second,
                std::vector<std::string> bypass, BypassOn bypass_on)
      : first_(std::move(first)),
        second_(std::move(second)),
        deny_second_(deny_second),
        bypass_(std::move(bypass)),
        bypass_on_(bypass_on) {}

  std::vector<const CodeSelection*> Triggers() const override { return {&first_, &second_}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit> hits) const override {
    std::vector<uint32_t> firsts, seconds;
    for (const LineHit& hit : hits) (hit.role == 0 ? firsts : seconds).push_back(hit.line_index);
    if (firsts.empty() || seconds.empty()) return;
    const Encounter& encounter = context.encounter();
    const auto& denied = deny_second_ ? seconds : firsts;
    const auto& partners = deny_second_ ? firsts : seconds;
    for (const uint32_t d : denied) {
      const CodedLine& denied_line = context.Line(d);
      const Date dos = encounter.DateOfService(denied_line);
      for (const uint32_t p : partners) {
        if (p == d) continue;
        const CodedLine& partner_line = context.Line(p);
        if (encounter.DateOfService(partner_line) != dos) continue;
        const CodedLine& first_line = deny_second_ ? partner_line : denied_line;
        const CodedLine& second_line = deny_second_ ? denied_line : partner_line;
        if (Bypassed(first_line, second_line)) continue;
        context.Emit({d}, {{"code", DisplayCode(denied_line)},
                           {"code2", DisplayCode(partner_line)},
                           {"dos", ToIso(dos)},
                           {"line2", std::to_string(p + 1)}});
        break;
      }
    }
  }

 private:
  bool HasBypass(const CodedLine& line) const {
    for (const auto& modifier : bypass_)
      if (line.modifiers.Has(modifier)) return true;
    return false;
  }
  bool Bypassed(const CodedLine& first, const CodedLine& second) const {
    switch (bypass_on_) {
      case BypassOn::kEither:
        return HasBypass(first) || HasBypass(second);
      case BypassOn::kFirst:
        return HasBypass(first);
      case BypassOn::kSecond:
        return HasBypass(second);
    }
    return false;
  }

  CodeSelection first_;
  CodeSelection second_;
  bool deny_second_;
  std::vector<std::string> bypass_;  // empty: never bypassable (NCCI modifier indicator 0)
  BypassOn bypass_on_;
};

}  // namespace

std::unique_ptr<Check> CompileCodePair(const XmlNode& element, CompileContext& context) {
  const XmlNode* first_element = element.Child("first");
  const XmlNode* second_element = element.Child("second");
  if (first_element == nullptr || second_element == nullptr) {
    context.Error(element.pos, "<code-pair> needs <first> and <second>");
    return nullptr;
  }
  auto first = context.Selection(*first_element);
  auto second = context.Selection(*second_element);

  const std::string deny = element.AttrOr("deny", "second");
  if (deny != "first" && deny != "second")
    context.Error(element.pos, "deny must be first or second");

  std::vector<std::string> bypass;
  BypassOn bypass_on = BypassOn::kEither;
  if (const XmlNode* bypass_element = element.Child("bypass-modifiers")) {
    bypass = context.ModifierList(*bypass_element);
    const std::string on = bypass_element->AttrOr("on", "either");
    if (on == "first") {
      bypass_on = BypassOn::kFirst;
    } else if (on == "second") {
      bypass_on = BypassOn::kSecond;
    } else if (on != "either") {
      context.Error(bypass_element->pos, "on must be either, first or second");
    }
  }
  if (!first || !second || context.Failed()) return nullptr;
  return std::make_unique<CodePairCheck>(std::move(*first), std::move(*second), deny == "second",
                                         std::move(bypass), bypass_on);
}

}  // namespace coderaudit::rules
