#include "rules/checks/ncci_ptp.hpp"

#include <algorithm>

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

// NCCI procedure-to-procedure edits from the official tables (EDITS.md § NCCI PTP). One
// encounter is one patient and one billing provider, so pairs are looked for among its
// HCPCS lines on the same date of service. The column-2 line of an active pair is denied;
// modifier indicator 0 is never bypassed, 1 is bypassed by an NCCI-associated modifier on
// either line, 9 means the edit does not apply. One finding per denied line, naming the
// first column-1 partner (in line order) that is not bypassed.
class NcciPtpCheck final : public Check {
 public:
  NcciPtpCheck(NcciSetting setting, std::vector<std::string> associated,
               std::vector<ClaimType> claim_types)
      : setting_(setting), associated_(std::move(associated)), claim_types_(std::move(claim_types)) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }

  std::vector<refdata::TableKind> Tables() const override {
    std::vector<refdata::TableKind> out;
    for (const ClaimType type : claim_types_)
      if (const auto setting = PtpSettingFor(setting_, type)) {
        const auto kind = PtpTable(*setting);
        if (std::find(out.begin(), out.end(), kind) == out.end()) out.push_back(kind);
      }
    return out;
  }

  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    const auto setting = PtpSettingFor(setting_, encounter.claim_type);
    if (!setting) return;
    size_t hcpcs = 0;
    for (const CodedLine& line : encounter.lines) hcpcs += line.type == CodeType::kHcpcs;
    if (hcpcs < 2) return;  // no pair to judge
    for (const CodedLine& line : encounter.lines)
      if (line.type == CodeType::kHcpcs)
        out.push_back({PtpTable(*setting), encounter.DateOfService(line)});
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const refdata::RefData* tables = context.tables();
    const auto setting = PtpSettingFor(setting_, encounter.claim_type);
    if (tables == nullptr || !setting) return;
    // Each HCPCS line's pairs as column 1 are looked up once (not once per partner): a
    // claim with n lines costs n table lookups and n^2 searches of short sorted spans.
    struct Billed {
      uint32_t index;
      Date dos;
      std::span<const refdata::PtpEdit> as_column1;  // active on dos, sorted by column 2
    };
    thread_local std::vector<Billed> billed;  // reused: no allocation per encounter
    billed.clear();
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type != CodeType::kHcpcs) continue;
      const Date dos = encounter.DateOfService(line);
      billed.push_back({i, dos, tables->PtpByColumn1(*setting, line.code, dos)});
    }
    if (billed.size() < 2) return;

    for (const Billed& column2 : billed) {
      const CodedLine& denied = context.Line(column2.index);
      const Date dos = column2.dos;
      // No table version in force on this date: the edit cannot be judged (lint warns).
      if (tables->TableFor(PtpTable(*setting), dos) == nullptr) continue;
      for (const Billed& column1 : billed) {
        if (column1.index == column2.index || column1.as_column1.empty()) continue;
        const CodedLine& partner = context.Line(column1.index);
        if (partner.code == denied.code || column1.dos != dos) continue;
        const refdata::PtpEdit* edit = Strictest(column1.as_column1, denied.code, dos);
        if (edit == nullptr) continue;
        if (edit->modifier_indicator == 1 &&
            (!FirstModifierIn(partner, associated_).empty() ||
             !FirstModifierIn(denied, associated_).empty()))
          continue;
        const std::string table = edit->table != nullptr ? TableLabel(*edit->table) : "";
        context.Emit({column2.index},
                     {{"code", DisplayCode(denied)},
                      {"code2", DisplayCode(partner)},
                      {"dos", ToIso(dos)},
                      {"line2", std::to_string(column1.index + 1)},
                      {"indicator", std::to_string(edit->modifier_indicator)},
                      {"table", table}},
                     {{"rationale", std::string(edit->rationale)},
                      {"deleted", edit->deleted ? ToIso(*edit->deleted) : "*"}});
        break;
      }
    }
  }

 private:
  // A pair can have several rows (an indicator changed: the old row deleted, a new one
  // added). Without effective dates more than one may be active on a date; the strictest
  // governs: indicator 0 over 1, and 9 (not applicable) only when nothing else is active.
  static const refdata::PtpEdit* Strictest(std::span<const refdata::PtpEdit> as_column1,
                                           const Code& column2, Date dos) {
    const auto [lo, hi] = std::equal_range(
        as_column1.begin(), as_column1.end(), column2,
        [](const auto& a, const auto& b) { return Column2Of(a) < Column2Of(b); });
    const refdata::PtpEdit* best = nullptr;
    for (auto it = lo; it != hi; ++it) {
      const refdata::PtpEdit& edit = *it;
      if (!PtpActiveOn(edit, dos) || edit.modifier_indicator == 9) continue;
      if (best == nullptr || edit.modifier_indicator < best->modifier_indicator) best = &edit;
    }
    return best;
  }
  static const Code& Column2Of(const refdata::PtpEdit& e) { return e.column2; }
  static const Code& Column2Of(const Code& c) { return c; }

  NcciSetting setting_;
  std::vector<std::string> associated_;
  std::vector<ClaimType> claim_types_;
};

}  // namespace

std::unique_ptr<Check> CompileNcciPtp(const XmlNode& element, CompileContext& context) {
  const auto setting = ParseNcciSetting(element.AttrOr("setting", "by-claim-type"));
  if (!setting || *setting == NcciSetting::kDme)
    context.Error(element.pos,
                  "setting must be by-claim-type, practitioner or outpatient-hospital");
  std::vector<std::string> associated = ToStrings(NcciAssociatedModifiers());
  if (const XmlNode* list = element.Child("associated-modifiers"))
    associated = context.ModifierList(*list);
  if (context.Failed()) return nullptr;
  const auto claim_types =
      RuleClaimTypes(context.rule() ? context.rule()->claim_types : std::vector<ClaimType>{});
  return std::make_unique<NcciPtpCheck>(*setting, std::move(associated), claim_types);
}

}  // namespace coderaudit::rules
