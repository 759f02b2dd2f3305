#include "rules/checks/patient_check.hpp"

namespace coderaudit::rules {

namespace {

// Fires once per encounter (no line) when any listed condition holds; the finding lists
// every condition that held. An unknown age is not "outside": <birth-date-missing> says so.
class PatientCheck final : public Check {
 public:
  PatientCheck(std::optional<std::pair<int, int>> age_range, bool birth_date_missing,
               bool sex_unknown)
      : age_range_(age_range), birth_date_missing_(birth_date_missing), sex_unknown_(sex_unknown) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const auto age = encounter.AgeAtAdmission();
    Values values;
    if (age_range_ && age && (*age < age_range_->first || *age > age_range_->second))
      values.emplace_back("age", std::to_string(*age));
    if (birth_date_missing_ && !encounter.birth_date) values.emplace_back("age", "unknown");
    if (sex_unknown_ && encounter.sex == Sex::kUnknown) values.emplace_back("sex", "U");
    if (values.empty()) return;
    Values extras;
    if (age_range_) {
      extras.emplace_back("min", std::to_string(age_range_->first));
      extras.emplace_back("max", std::to_string(age_range_->second));
    }
    context.Emit({}, std::move(values), extras);
  }

 private:
  std::optional<std::pair<int, int>> age_range_;
  bool birth_date_missing_;
  bool sex_unknown_;
};

}  // namespace

std::unique_ptr<Check> CompilePatientCheck(const XmlNode& element, CompileContext& context) {
  std::optional<std::pair<int, int>> age_range;
  if (const XmlNode* outside = element.Child("age-outside")) {
    const auto min = context.Integer(*outside, "min");
    const auto max = context.Integer(*outside, "max");
    if (!min || !max) {
      context.Error(outside->pos, "<age-outside> needs min and max");
    } else if (*min > *max) {
      context.Error(outside->pos, "age-outside min " + std::to_string(*min) + " is above max " +
                                      std::to_string(*max));
    } else {
      age_range = std::make_pair(*min, *max);
    }
  }
  const bool birth_date_missing = element.Child("birth-date-missing") != nullptr;
  const bool sex_unknown = element.Child("sex-unknown") != nullptr;
  if (element.children.empty())
    context.Error(element.pos,
                  "<patient-check> needs <age-outside>, <birth-date-missing> or <sex-unknown>");
  if (context.Failed()) return nullptr;
  return std::make_unique<PatientCheck>(age_range, birth_date_missing, sex_unknown);
}

}  // namespace coderaudit::rules
