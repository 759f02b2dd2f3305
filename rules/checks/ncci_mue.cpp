#include "rules/checks/ncci_mue.hpp"

#include <algorithm>
#include <array>

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

// NCCI medically unlikely edits from the official tables (EDITS.md § MUE), for the MUE
// adjudication indicators the rule lists (a pack gives each MAI its own rule, so each
// carries its own disposition: MAI 3 is payable on appeal, hence review).
// MAI 1 (line edit): lines of one code on one date are compared one by one when they
// carry a separate-line modifier (59 XE XS XP XU 76 77 91 and the anatomic modifiers RT LT
// F1-F9 ...: rules/tables.cpp); lines without one are one
// line split up, so their units count together. MAI 2 and 3 (date-of-service edits): all
// units of the code on that date are summed. A finding names every line it counts.
// On a practitioner claim the MAI 2 and 3 totals also count the units of the same code on
// the patient's earlier claims with the same provider that day (EvalContext::history()):
// the edit is per patient, provider and date of service, not per claim.
class NcciMueCheck final : public Check {
 public:
  NcciMueCheck(NcciSetting setting, std::array<bool, 4> mai, std::vector<std::string> separate,
               std::vector<ClaimType> claim_types)
      : setting_(setting),
        mai_(mai),
        separate_(std::move(separate)),
        claim_types_(std::move(claim_types)) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  bool ReadsHistory() const override { return mai_[2] || mai_[3]; }

  std::vector<refdata::TableKind> Tables() const override {
    std::vector<refdata::TableKind> out;
    for (const ClaimType type : claim_types_)
      if (const auto setting = MueSettingFor(setting_, type)) {
        const auto kind = MueTable(*setting);
        if (std::find(out.begin(), out.end(), kind) == out.end()) out.push_back(kind);
      }
    return out;
  }

  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    const auto setting = MueSettingFor(setting_, encounter.claim_type);
    if (!setting) return;
    for (const CodedLine& line : encounter.lines)
      if (line.type == CodeType::kHcpcs)
        out.push_back({MueTable(*setting), encounter.DateOfService(line)});
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const refdata::RefData* tables = context.tables();
    const auto setting = MueSettingFor(setting_, encounter.claim_type);
    if (tables == nullptr || !setting) return;

    // Groups in order of their first line, so findings come in line order. Scratch space
    // is per thread and reused: no allocation per encounter.
    struct Group {
      const refdata::MueEdit* edit = nullptr;
      Code code;
      Date dos;
      bool separate = false;  // MAI 1: a line with a separate-line modifier stands alone
      double units = 0;
    };
    thread_local std::vector<Group> groups;
    thread_local std::vector<std::pair<uint32_t, uint32_t>> members;  // (line, group)
    groups.clear();
    members.clear();
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type != CodeType::kHcpcs) continue;
      const Date dos = encounter.DateOfService(line);
      if (tables->TableFor(MueTable(*setting), dos) == nullptr) continue;
      const refdata::MueEdit* edit = tables->FindMue(*setting, line.code, dos);
      if (edit == nullptr || edit->mai < 1 || edit->mai > 3 || !mai_[edit->mai]) continue;
      const bool separate = edit->mai == 1 && !FirstModifierIn(line, separate_).empty();
      size_t g = groups.size();
      if (!separate)
        for (size_t k = 0; k < groups.size(); ++k)
          if (!groups[k].separate && groups[k].code == line.code && groups[k].dos == dos) {
            g = k;
            break;
          }
      if (g == groups.size()) groups.push_back(Group{edit, line.code, dos, separate, 0});
      groups[g].units += line.units;
      members.emplace_back(i, static_cast<uint32_t>(g));
    }
    if (const ClaimHistory* history = context.history();
        history != nullptr && *setting == refdata::MueSetting::kPractitioner) {
      thread_local std::vector<HistoryLine> earlier;
      for (Group& group : groups) {
        if (group.edit->mai == 1) continue;
        earlier.clear();
        history->LinesBefore(encounter, group.dos, earlier);
        for (const HistoryLine& h : earlier)
          if (h.code == group.code) group.units += h.units;
      }
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      const Group& group = groups[g];
      if (group.units <= group.edit->units) continue;
      std::vector<uint32_t> lines;
      for (const auto& [line, of] : members)
        if (of == g) lines.push_back(line);
      const CodedLine& first = context.Line(lines.front());
      context.Emit(lines,
                   {{"code", DisplayCode(first)},
                    {"units", FormatUnits(group.units)},
                    {"max", std::to_string(group.edit->units)},
                    {"mai", std::to_string(group.edit->mai)},
                    {"dos", ToIso(group.dos)},
                    {"table", group.edit->table ? TableLabel(*group.edit->table) : ""}},
                   {{"rationale", std::string(group.edit->rationale)}});
    }
  }

 private:
  NcciSetting setting_;
  std::array<bool, 4> mai_;  // [1..3]: this rule edits MUEs with that adjudication indicator
  std::vector<std::string> separate_;
  std::vector<ClaimType> claim_types_;
};

}  // namespace

std::unique_ptr<Check> CompileNcciMue(const XmlNode& element, CompileContext& context) {
  const auto setting = ParseNcciSetting(element.AttrOr("setting", "by-claim-type"));
  if (!setting)
    context.Error(element.pos, "setting must be by-claim-type, practitioner, "
                               "outpatient-hospital or dme");
  std::array<bool, 4> mai{false, false, false, false};
  for (const auto& text : SplitList(element.AttrOr("mai", "1 2 3"))) {
    if (text == "1" || text == "2" || text == "3") {
      mai[static_cast<size_t>(text[0] - '0')] = true;
    } else {
      context.Error(element.pos, "mai lists MUE adjudication indicators 1, 2 and 3, not '" +
                                     text + "'");
    }
  }
  std::vector<std::string> separate = ToStrings(MueSeparateLineModifiers());
  if (const XmlNode* list = element.Child("separate-line-modifiers"))
    separate = context.ModifierList(*list);
  if (context.Failed()) return nullptr;
  const auto claim_types =
      RuleClaimTypes(context.rule() ? context.rule()->claim_types : std::vector<ClaimType>{});
  return std::make_unique<NcciMueCheck>(*setting, mai, std::move(separate), claim_types);
}

}  // namespace coderaudit::rules
