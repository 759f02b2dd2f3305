#include "rules/checks/mce_edit.hpp"

#include "rules/mce.hpp"
#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

using mce::MceEdit;
using mce::MceHit;

// Which of the edit's hits the rule reports, by whether they sit on the admitting diagnosis.
enum class Admitting : uint8_t { kInclude, kExclude, kOnly };

class MceEditCheck final : public Check {
 public:
  MceEditCheck(MceEdit edit, Admitting admitting) : edit_(edit), admitting_(admitting) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  std::vector<refdata::TableKind> Tables() const override {
    return {refdata::TableKind::kMceRelease};
  }
  // The whole claim is edited against the release in force on its discharge date: with
  // none, the claim is not checked (never clean).
  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    out.push_back({refdata::TableKind::kMceRelease, CodeSetDate(encounter)});
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const refdata::RefData* tables = context.tables();
    if (tables == nullptr) return;
    const Encounter& encounter = context.encounter();
    // A whole MCE pass per rule: it is a few memoised lookups per code, and one pass
    // keeps CMS's order and cross-code conditions (requires-secondary, non-covered
    // combinations) in one place.
    thread_local std::vector<MceHit> hits;
    mce::RunMce(encounter, *tables, hits);
    const refdata::TableVersion* table =
        tables->TableFor(refdata::TableKind::kMceRelease, CodeSetDate(encounter));
    if (table == nullptr) return;
    const std::string label = TableLabel(*table);
    for (const MceHit& h : hits) {
      if (h.edit != edit_) continue;
      const bool on_admitting = h.on == MceHit::On::kAdmittingDx;
      if ((admitting_ == Admitting::kExclude && on_admitting) ||
          (admitting_ == Admitting::kOnly && !on_admitting))
        continue;
      Values values;
      Values extras{{"cms_edit", std::string(mce::CmsName(h.edit))}};
      std::vector<uint32_t> lines;
      switch (h.on) {
        case MceHit::On::kLine: {
          const CodedLine& line = encounter.lines[h.line];
          lines.push_back(h.line);
          values.emplace_back("code", DisplayCode(line));
          values.emplace_back("position", line.type == CodeType::kPcs ? "procedure"
                                          : line.seq == 1            ? "principal"
                                                                     : "secondary");
          break;
        }
        case MceHit::On::kAdmittingDx:
          values.emplace_back("code", encounter.admitting_dx.DottedIcd10Cm());
          values.emplace_back("position", "admitting");
          break;
        case MceHit::On::kClaim: break;
      }
      switch (h.edit) {
        case MceEdit::kAgeConflict:
          values.emplace_back("group", std::string(refdata::ToString(*h.group)));
          extras.emplace_back("min", std::to_string(h.ages.start_age));
          extras.emplace_back("max", std::to_string(h.ages.end_age));
          break;
        case MceEdit::kInconsistentWithLengthOfStay:
          values.emplace_back("los", std::to_string(mce::ClaimOf(encounter).length_of_stay));
          break;
        case MceEdit::kInvalidDischargeStatus:
          values.emplace_back("status", encounter.discharge_status.empty()
                                            ? std::string("missing")
                                            : encounter.discharge_status);
          break;
        default: break;
      }
      values.emplace_back("table", label);
      context.Emit(lines, std::move(values), extras);
    }
  }

 private:
  MceEdit edit_;
  Admitting admitting_;
};

}  // namespace

std::unique_ptr<Check> CompileMceEdit(const XmlNode& element, CompileContext& context) {
  const std::string name = element.AttrOr("edit", "");
  const auto edit = mce::ParseRuleName(name);
  if (!edit) {
    context.Error(element.pos, "unknown mce-edit edit '" + name + "'");
    return nullptr;
  }
  const std::string admitting = element.AttrOr("admitting", "include");
  const Admitting which = admitting == "only"      ? Admitting::kOnly
                          : admitting == "exclude" ? Admitting::kExclude
                                                   : Admitting::kInclude;
  return std::make_unique<MceEditCheck>(*edit, which);
}

}  // namespace coderaudit::rules
