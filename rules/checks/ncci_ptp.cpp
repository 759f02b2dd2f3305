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
//
// across-claims: the pair is split between this claim and an earlier claim of the same
// patient and provider on the same date (rules/claim_history.hpp), as NCCI applies
// practitioner edits. column2-here: this claim's line is the column-2 code (denied);
// column2-earlier: the column-2 code was on the earlier claim and this claim brings its
// column-1 code. One finding per line of this claim, naming the first unbypassed partner.
enum class AcrossClaims : uint8_t { kNo, kColumn2Here, kColumn2Earlier };

class NcciPtpCheck final : public Check {
 public:
  NcciPtpCheck(NcciSetting setting, std::vector<std::string> associated,
               std::vector<ClaimType> claim_types, AcrossClaims across)
      : setting_(setting),
        associated_(std::move(associated)),
        claim_types_(std::move(claim_types)),
        across_(across) {}

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

  bool ReadsHistory() const override { return across_ != AcrossClaims::kNo; }

  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    const auto setting = PtpSettingFor(setting_, encounter.claim_type);
    // Across claims, the claim's own date coverage is what the within-claim rule reports;
    // whether an earlier claim exists is not known here.
    if (!setting || across_ != AcrossClaims::kNo) return;
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
    if (across_ != AcrossClaims::kNo) return AcrossClaimsEvaluate(context, *tables, *setting);
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
  bool Bypassed(const refdata::PtpEdit& edit, const CodedLine& line,
                const Modifiers& other) const {
    if (edit.modifier_indicator != 1) return false;
    if (!FirstModifierIn(line, associated_).empty()) return true;
    for (size_t i = 0; i < other.Size(); ++i)
      if (std::find(associated_.begin(), associated_.end(), other.At(i)) != associated_.end())
        return true;
    return false;
  }

  void AcrossClaimsEvaluate(const EvalContext& context, const refdata::RefData& tables,
                            refdata::PtpSetting setting) const {
    const ClaimHistory* history = context.history();
    if (history == nullptr) return;  // claims judged one at a time: nothing to pair with
    const Encounter& encounter = context.encounter();
    thread_local std::vector<HistoryLine> earlier;
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type != CodeType::kHcpcs) continue;
      const Date dos = encounter.DateOfService(line);
      if (tables.TableFor(PtpTable(setting), dos) == nullptr) continue;
      earlier.clear();
      history->LinesBefore(encounter, dos, earlier);
      const auto mine = tables.PtpByColumn1(setting, line.code, dos);
      for (const HistoryLine& other : earlier) {
        if (other.code == line.code) continue;
        const refdata::PtpEdit* edit =
            across_ == AcrossClaims::kColumn2Here
                ? Strictest(tables.PtpByColumn1(setting, other.code, dos), line.code, dos)
                : Strictest(mine, other.code, dos);
        if (edit == nullptr || Bypassed(*edit, line, other.modifiers)) continue;
        context.Emit({i},
                     {{"code", DisplayCode(line)},
                      {"code2", other.code.Str()},
                      {"dos", ToIso(dos)},
                      {"claim2", other.encounter_id},
                      {"line2", std::to_string(other.position)},
                      {"indicator", std::to_string(edit->modifier_indicator)},
                      {"table", edit->table != nullptr ? TableLabel(*edit->table) : ""}},
                     {{"rationale", std::string(edit->rationale)},
                      {"deleted", edit->deleted ? ToIso(*edit->deleted) : "*"}});
        break;
      }
    }
  }

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
  AcrossClaims across_;
};

}  // namespace

std::unique_ptr<Check> CompileNcciPtp(const XmlNode& element, CompileContext& context) {
  const auto setting = ParseNcciSetting(element.AttrOr("setting", "by-claim-type"));
  if (!setting || *setting == NcciSetting::kDme)
    context.Error(element.pos,
                  "setting must be by-claim-type, practitioner or outpatient-hospital");
  const std::string across_text = element.AttrOr("across-claims", "no");
  const AcrossClaims across = across_text == "column2-here"      ? AcrossClaims::kColumn2Here
                              : across_text == "column2-earlier" ? AcrossClaims::kColumn2Earlier
                                                                 : AcrossClaims::kNo;
  if (across == AcrossClaims::kNo && across_text != "no")
    context.Error(element.pos, "across-claims must be no, column2-here or column2-earlier");
  std::vector<std::string> associated = ToStrings(NcciAssociatedModifiers());
  if (const XmlNode* list = element.Child("associated-modifiers"))
    associated = context.ModifierList(*list);
  if (context.Failed()) return nullptr;
  const auto claim_types =
      RuleClaimTypes(context.rule() ? context.rule()->claim_types : std::vector<ClaimType>{});
  return std::make_unique<NcciPtpCheck>(*setting, std::move(associated), claim_types, across);
}

}  // namespace coderaudit::rules
