#include "rules/checks/units_limit.hpp"

namespace coderaudit::rules {

namespace {

// NCCI MUE style. per="line": each line's units against max (MAI 1). per="date-of-service":
// units of the same code summed per date of service (MAI 2/3); the finding names every
// line of the group, since all of them are affected.
class UnitsLimitCheck final : public Check {
 public:
  UnitsLimitCheck(CodeSelection codes, double max, bool per_date_of_service)
      : codes_(std::move(codes)), max_(max), per_date_of_service_(per_date_of_service) {}

  std::vector<const CodeSelection*> Triggers() const override { return {&codes_}; }

  void Evaluate(const EvalContext& context, std::span<const LineHit> hits) const override {
    const Encounter& encounter = context.encounter();
    if (!per_date_of_service_) {
      for (const LineHit& hit : hits) {
        const CodedLine& line = context.Line(hit.line_index);
        if (line.units > max_) Emit(context, {hit.line_index}, line, line.units);
      }
      return;
    }
    struct Group {
      Code code;
      Date dos;
      double units = 0;
      std::vector<uint32_t> lines;
    };
    std::vector<Group> groups;  // in order of first line: findings stay in line order
    for (const LineHit& hit : hits) {
      const CodedLine& line = context.Line(hit.line_index);
      const Date dos = encounter.DateOfService(line);
      Group* group = nullptr;
      for (auto& g : groups)
        if (g.code == line.code && g.dos == dos) {
          group = &g;
          break;
        }
      if (group == nullptr) group = &groups.emplace_back(Group{line.code, dos, 0, {}});
      group->units += line.units;
      group->lines.push_back(hit.line_index);
    }
    for (const auto& group : groups)
      if (group.units > max_)
        Emit(context, group.lines, context.Line(group.lines.front()), group.units);
  }

 private:
  void Emit(const EvalContext& context, const std::vector<uint32_t>& lines, const CodedLine& line,
            double units) const {
    context.Emit(lines, {{"code", DisplayCode(line)},
                         {"units", FormatUnits(units)},
                         {"max", FormatUnits(max_)},
                         {"dos", ToIso(context.encounter().DateOfService(line))}});
  }

  CodeSelection codes_;
  double max_;
  bool per_date_of_service_;
};

}  // namespace

std::unique_ptr<Check> CompileUnitsLimit(const XmlNode& element, CompileContext& context) {
  const XmlNode* codes_element = element.Child("codes");
  if (codes_element == nullptr) {
    context.Error(element.pos, "<units-limit> needs <codes>");
    return nullptr;
  }
  auto codes = context.Selection(*codes_element);
  const auto max = context.Number(element, "max");
  if (!max) context.Error(element.pos, "<units-limit> needs max");
  const std::string per = element.AttrOr("per", "line");
  if (per != "line" && per != "date-of-service")
    context.Error(element.pos, "per must be line or date-of-service");
  if (!codes || context.Failed()) return nullptr;
  return std::make_unique<UnitsLimitCheck>(std::move(*codes), *max, per == "date-of-service");
}

}  // namespace coderaudit::rules
