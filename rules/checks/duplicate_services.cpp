#include "rules/checks/duplicate_services.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>

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
// across-claims="earlier": the same comparison between a line of this claim and the lines
// of earlier claims of the same patient and provider (rules/claim_history.hpp), as the
// common working file finds a claim that repeats one already billed. A replacement or
// void claim (frequency code 7 or 8) is not a duplicate of the claim it corrects, and each
// line of a void claim cancels the latest service before it that it repeats exactly (the
// provider voided it and may bill it again).
class DuplicateServicesCheck final : public Check {
 public:
  DuplicateServicesCheck(bool exact, int window_days, std::vector<std::string> repeat,
                         bool across_claims)
      : exact_(exact), window_days_(window_days), repeat_(std::move(repeat)),
        across_claims_(across_claims) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  bool ReadsHistory() const override { return across_claims_; }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    if (across_claims_) return AcrossClaimsEvaluate(context);
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
  void AcrossClaimsEvaluate(const EvalContext& context) const {
    const ClaimHistory* history = context.history();
    if (history == nullptr) return;  // claims judged one at a time: nothing to compare with
    const Encounter& encounter = context.encounter();
    if (encounter.claim_frequency == "7" || encounter.claim_frequency == "8") return;
    thread_local std::vector<HistoryLine> earlier;
    thread_local std::vector<Service> services;
    thread_local std::vector<const Service*> billed;
    for (uint32_t j = 0; j < encounter.lines.size(); ++j) {
      const CodedLine& line = encounter.lines[j];
      if (line.type != CodeType::kHcpcs || IsRepeat(line)) continue;
      const Date dos = encounter.DateOfService(line);
      const std::string_view pos = PlaceOfService(encounter, line);
      // Earlier services of the same code in the window, in the order their claims came:
      // each void line cancels the latest service before it that it repeats exactly
      // (same date, place of service and charge); the rest are still billed.
      services.clear();
      const int window = exact_ ? 0 : window_days_;
      for (int gap = -window; gap <= window; ++gap) {
        earlier.clear();
        history->LinesBefore(encounter, Date{dos.days + gap}, earlier);
        for (HistoryLine& other : earlier)
          if (other.code == line.code && !IsRepeat(other.modifiers))
            services.push_back({std::move(other), gap});
      }
      std::stable_sort(services.begin(), services.end(), [](const Service& a, const Service& b) {
        return std::pair(a.line.claim_order, a.line.position) <
               std::pair(b.line.claim_order, b.line.position);
      });
      billed.clear();
      for (const Service& s : services) {
        if (!s.line.void_claim) {
          billed.push_back(&s);
          continue;
        }
        for (size_t k = billed.size(); k-- > 0;)
          if (billed[k]->gap == s.gap && billed[k]->line.place_of_service == s.line.place_of_service &&
              billed[k]->line.charge_cents == s.line.charge_cents) {
            billed.erase(billed.begin() + static_cast<std::ptrdiff_t>(k));
            break;
          }
      }
      // The latest service still billed that this line repeats exactly, else (suspect)
      // the latest that differs in one element only.
      const Service* exact_of = nullptr;
      const Service* suspect_of = nullptr;
      std::string_view differs;
      for (size_t k = billed.size(); k-- > 0 && exact_of == nullptr;) {
        const Service& s = *billed[k];
        const bool same_pos = s.line.place_of_service == pos;
        const bool same_charge = s.line.charge_cents == line.charge_cents;
        const int different = (s.gap != 0) + !same_pos + !same_charge;
        if (different == 0) {
          exact_of = &s;
        } else if (different == 1 && suspect_of == nullptr) {
          suspect_of = &s;
          differs = s.gap != 0 ? "dos" : !same_pos ? "place-of-service" : "charge";
        }
      }
      if (exact_ && exact_of != nullptr) EmitAcross(context, j, dos, exact_of->line, "");
      if (!exact_ && exact_of == nullptr && suspect_of != nullptr)
        EmitAcross(context, j, dos, suspect_of->line, differs);
    }
  }

  struct Service {
    HistoryLine line;
    int gap;  // its date minus this line's, in days
  };

  void EmitAcross(const EvalContext& context, uint32_t line, Date dos, const HistoryLine& other,
                  std::string_view differs) const {
    Values values{{"code", DisplayCode(context.encounter().lines[line])},
                  {"dos", ToIso(dos)},
                  {"claim2", other.encounter_id},
                  {"line2", std::to_string(other.position)}};
    if (!exact_) values.emplace_back("differs", std::string(differs));
    context.Emit({line}, std::move(values));
  }

  bool IsRepeat(const Modifiers& modifiers) const {
    return !FirstModifierIn(modifiers, repeat_).empty();
  }
  bool IsRepeat(const CodedLine& line) const { return IsRepeat(line.modifiers); }

  static std::string_view PlaceOfService(const Encounter& encounter, const CodedLine& line) {
    return line.place_of_service.Empty() ? std::string_view(encounter.place_of_service)
                                         : line.place_of_service.View();
  }

  bool exact_;
  int window_days_;
  std::vector<std::string> repeat_;
  bool across_claims_;
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
  const std::string across = element.AttrOr("across-claims", "no");
  if (across != "no" && across != "earlier")
    context.Error(element.pos, "across-claims must be no or earlier");
  std::vector<std::string> repeat = ToStrings(DuplicateRepeatModifiers());
  if (const XmlNode* list = element.Child("repeat-modifiers")) repeat = context.ModifierList(*list);
  if (context.Failed()) return nullptr;
  return std::make_unique<DuplicateServicesCheck>(match == "exact", window, std::move(repeat),
                                                  across == "earlier");
}

}  // namespace coderaudit::rules
