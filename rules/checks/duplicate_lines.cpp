#include "rules/checks/duplicate_lines.hpp"

#include <algorithm>
#include <array>
#include <vector>

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
    // Lines of this code type as (identity, index), sorted by identity then index: each
    // run of equal identities is one line and its repeats. Per-thread scratch: no
    // allocation per encounter.
    thread_local std::vector<std::pair<Identity, uint32_t>> lines;
    thread_local std::vector<std::pair<uint32_t, uint32_t>> repeats;  // (line, first)
    lines.clear();
    repeats.clear();
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type == type_) lines.emplace_back(IdentityOf(encounter, line), i);
    }
    if (lines.size() < 2) return;
    std::sort(lines.begin(), lines.end());
    for (size_t k = 1; k < lines.size(); ++k) {
      size_t first = k - 1;
      while (first > 0 && lines[first - 1].first == lines[k].first) --first;
      if (lines[first].first != lines[k].first) continue;
      if (!IsLegitimateRepeat(encounter.lines[lines[k].second]))
        repeats.emplace_back(lines[k].second, lines[first].second);
    }
    std::sort(repeats.begin(), repeats.end());  // findings in line order
    for (const auto& [i, first] : repeats) {
      const CodedLine& line = encounter.lines[i];
      context.Emit({i},
                   {{"code", DisplayCode(line)},
                    {"dos", ToIso(encounter.DateOfService(line))},
                    {"first_line", std::to_string(first + 1)}},
                   {{"units", FormatUnits(line.units)}, {"modifiers", line.modifiers.Str()}});
    }
  }

 private:
  // What makes two lines the same service: code, date of service, modifiers in any order,
  // units and (unless compare-charge="false") charge.
  struct Identity {
    uint64_t code;
    int32_t dos;
    uint64_t modifiers;  // the sorted modifiers' characters, packed
    double units;
    int64_t charge;
    auto operator<=>(const Identity&) const = default;
  };

  Identity IdentityOf(const Encounter& encounter, const CodedLine& line) const {
    std::array<uint16_t, Modifiers::kMax> mods{};
    for (size_t m = 0; m < line.modifiers.Size(); ++m) {
      const auto text = line.modifiers.At(m);
      mods[m] = static_cast<uint16_t>(static_cast<unsigned char>(text[0]) << 8 |
                                      static_cast<unsigned char>(text[1]));
    }
    std::sort(mods.begin(), mods.begin() + static_cast<std::ptrdiff_t>(line.modifiers.Size()));
    uint64_t packed = 0;
    for (const uint16_t m : mods) packed = packed << 16 | m;
    return {line.code.Key(), encounter.DateOfService(line).days, packed, line.units,
            compare_charge_ ? line.charge_cents : 0};
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
