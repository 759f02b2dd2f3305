#include "rules/checks/inpatient_only.hpp"

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

// A procedure on the inpatient-only list (a user-supplied table: the CMS OPPS Addendum E
// or a payer's list) billed on a claim the rule applies to (packs: outpatient claims).
// Fires once per HCPCS line whose code is on the list version in force on its date.
class InpatientOnlyCheck final : public Check {
 public:
  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  std::vector<refdata::TableKind> Tables() const override {
    return {refdata::TableKind::kInpatientOnly};
  }

  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    for (const CodedLine& line : encounter.lines)
      if (line.type == CodeType::kHcpcs)
        out.push_back({refdata::TableKind::kInpatientOnly, encounter.DateOfService(line)});
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const refdata::RefData* tables = context.tables();
    if (tables == nullptr) return;
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type != CodeType::kHcpcs) continue;
      const Date dos = encounter.DateOfService(line);
      const refdata::TableVersion* table =
          tables->TableFor(refdata::TableKind::kInpatientOnly, dos);
      if (table == nullptr || !tables->InpatientOnly(line.code, dos)) continue;
      context.Emit({i}, {{"code", DisplayCode(line)},
                         {"dos", ToIso(dos)},
                         {"table", TableLabel(*table)}});
    }
  }
};

}  // namespace

std::unique_ptr<Check> CompileInpatientOnly(const XmlNode&, CompileContext&) {
  return std::make_unique<InpatientOnlyCheck>();
}

}  // namespace coderaudit::rules
