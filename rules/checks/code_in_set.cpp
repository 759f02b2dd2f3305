#include "rules/checks/code_in_set.hpp"

#include <algorithm>

namespace coderaudit::rules {

namespace {

enum class Position : uint8_t { kAny, kPrincipal, kSecondary };

// Fires once per line whose code is in the set, at the required position, when the
// patient condition (if any) holds: sex in the list AND (age below OR age above a bound).
class CodeInSetCheck final : public Check {
 public:
  CodeInSetCheck(CodeSelection codes, Position position, std::vector<Sex> sexes,
                 std::optional<int> age_below, std::optional<int> age_above)
      : codes_(std::move(codes)),
        position_(position),
        sexes_(std::move(sexes)),
        age_below_(age_below),
        age_above_(age_above) {}

  std::vector<const CodeSelection*> Triggers() const override { return {&codes_}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit> hits) const override {
    const Encounter& encounter = context.encounter();
    Values patient_values;
    if (!sexes_.empty()) {
      if (std::find(sexes_.begin(), sexes_.end(), encounter.sex) == sexes_.end()) return;
      patient_values.emplace_back("sex", std::string(ToString(encounter.sex)));
    }
    if (age_below_ || age_above_) {
      // An unknown age cannot conflict; the patient check reports a missing birth date.
      const auto age = encounter.AgeAtAdmission();
      if (!age) return;
      const bool outside = (age_below_ && *age < *age_below_) || (age_above_ && *age > *age_above_);
      if (!outside) return;
      patient_values.emplace_back("age", std::to_string(*age));
    }
    for (const LineHit& hit : hits) {
      const CodedLine& line = context.Line(hit.line_index);
      // Sequence positions exist for DX and PCS lines; HCPCS lines (seq 0) are neither.
      if (position_ == Position::kPrincipal && line.seq != 1) continue;
      if (position_ == Position::kSecondary && line.seq <= 1) continue;
      Values values{{"code", DisplayCode(line)}};
      values.insert(values.end(), patient_values.begin(), patient_values.end());
      context.Emit({hit.line_index}, std::move(values),
                   {{"dos", ToIso(encounter.DateOfService(line))}});
    }
  }

 private:
  CodeSelection codes_;
  Position position_;
  std::vector<Sex> sexes_;
  std::optional<int> age_below_;
  std::optional<int> age_above_;
};

}  // namespace

std::unique_ptr<Check> CompileCodeInSet(const XmlNode& element, CompileContext& context) {
  const XmlNode* codes_element = element.Child("codes");
  if (codes_element == nullptr) {
    context.Error(element.pos, "<code-in-set> needs <codes>");
    return nullptr;
  }
  auto codes = context.Selection(*codes_element);

  const std::string position_text = element.AttrOr("position", "any");
  Position position = Position::kAny;
  if (position_text == "principal") {
    position = Position::kPrincipal;
  } else if (position_text == "secondary") {
    position = Position::kSecondary;
  } else if (position_text != "any") {
    context.Error(element.pos, "position must be any, principal or secondary");
  }

  std::vector<Sex> sexes;
  std::optional<int> age_below, age_above;
  if (const XmlNode* patient = element.Child("patient")) {
    if (const std::string* sex_list = patient->Attr("sex")) {
      for (const auto& s : SplitList(*sex_list)) {
        const auto sex = ParseSex(s);
        if (!sex) {
          context.Error(patient->pos, "sex must be F, M or U, not '" + s + "'");
        } else {
          sexes.push_back(*sex);
        }
      }
    }
    age_below = context.Integer(*patient, "age-below");
    age_above = context.Integer(*patient, "age-above");
    if (patient->attributes.empty())
      context.Error(patient->pos, "<patient> needs sex, age-below or age-above");
  }
  if (!codes || context.Failed()) return nullptr;
  return std::make_unique<CodeInSetCheck>(std::move(*codes), position, std::move(sexes), age_below,
                                          age_above);
}

}  // namespace coderaudit::rules
