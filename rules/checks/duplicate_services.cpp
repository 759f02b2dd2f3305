#include "rules/checks/duplicate_services.hpp"

#include <cstdlib>

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

// Duplicate services within one claim (EDITS.md § Duplicates). One encounter is one
// patient and one provider; the elements compared are the date of service, the place of
// service (the line's, else the claim's) and the billed amount, for the same procedure
// code. A pair where either line carries a repeat modifier (76 77 91 59 XE XS XP XU RT LT
// by default) is a legitimate repeat.
//   match="exact":   every element equal -> fires on the later line;
//   match="suspect": exactly one element differs (a date of service counts as "one
//                    element differing" only within window-days) -> fires on the later
//                    line, naming what differs. An exact duplicate is never also suspect.
class DuplicateServicesCheck final : public Check {
 public:
  DuplicateServicesCheck(bool exact, int window_days, std::vector<std::string> repeat)
      : exact_(exact), window_days_(window_days), repeat_(std::move(repeat)) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    for (uint32_t j = 0; j < encounter.lines.size(); ++j) {
      const CodedLine& later = encounter.lines[j];
      if (later.type != CodeType::kHcpcs || IsRepeat(later)) continue;
      std::optional<uint32_t> exact_of, suspect_of;
      std::string_view differs;
      for (uint32_t i = 0; i < j && !exact_of; ++i) {
        const CodedLine& earlier = encounter.lines[i];
        if (earlier.type != CodeType::kHcpcs || earlier.code != later.code || IsRepeat(earlier))
          continue;
        const int32_t day_gap =
            encounter.DateOfService(later).days - encounter.DateOfService(earlier).days;
        const bool same_dos = day_gap == 0;
        const bool same_pos = PlaceOfService(encounter, earlier) == PlaceOfService(encounter, later);
        const bool same_charge = earlier.charge_cents == later.charge_cents;
        if (same_dos && same_pos && same_charge) {
          exact_of = i;
        } else if (!suspect_of) {
          const int different = !same_dos + !same_pos + !same_charge;
          if (different != 1 || std::abs(day_gap) > window_days_) continue;
          suspect_of = i;
          differs = !same_dos ? "dos" : !same_pos ? "place-of-service" : "charge";
        }
      }
      const std::optional<uint32_t> first = exact_ ? exact_of : (exact_of ? std::nullopt : suspect_of);
      if (!first) continue;
      Values values{{"code", DisplayCode(later)},
                    {"dos", ToIso(encounter.DateOfService(later))},
                    {"first_line", std::to_string(*first + 1)}};
      if (!exact_) values.emplace_back("differs", std::string(differs));
      context.Emit({j}, std::move(values));
    }
  }

 private:
  bool IsRepeat(const CodedLine& line) const { return !FirstModifierIn(line, repeat_).empty(); }

  static std::string_view PlaceOfService(const Encounter& encounter, const CodedLine& line) {
    return line.place_of_service.Empty() ? std::string_view(encounter.place_of_service)
                                         : line.place_of_service.View();
  }

  bool exact_;
  int window_days_;
  std::vector<std::string> repeat_;
};

}  // namespace

std::unique_ptr<Check> CompileDuplicateServices(const XmlNode& element, CompileContext& context) {
  const std::string match = element.AttrOr("match", "exact");
  if (match != "exact" && match != "suspect")
    context.Error(element.pos, "match must be exact or suspect");
  const int window = context.Integer(element, "window-days").value_or(0);
  if (window < 0 || window > 366) context.Error(element.pos, "window-days must be 0-366");
  if (match == "exact" && element.Attr("window-days"))
    context.Error(element.pos, "window-days applies to match=\"suspect\" only");
  std::vector<std::string> repeat = ToStrings(DuplicateRepeatModifiers());
  if (const XmlNode* list = element.Child("repeat-modifiers")) repeat = context.ModifierList(*list);
  if (context.Failed()) return nullptr;
  return std::make_unique<DuplicateServicesCheck>(match == "exact", window, std::move(repeat));
}

}  // namespace coderaudit::rules
