#include "rules/checks/ncci_addon.hpp"

#include <array>

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

// NCCI add-on code edits from the official table (EDITS.md § AOC). An add-on code is
// paid only with a primary procedure by the same provider on the same date: one
// encounter is one provider, so primaries are looked for among its HCPCS lines on the
// add-on's date of service.
//   type 1: one of the listed primaries must be present, else the add-on line fires;
//   type 2: CMS lists no primary (CCCCC): the line fires for review;
//   type 3: some primaries are listed, others allowed by instruction: fires (review) when
//           none of the listed ones is present.
// The rule lists which types it edits, so each type can carry its own disposition.
// On a practitioner claim a primary on the patient's earlier claim with the same provider
// that day counts too (EvalContext::history()): the edit is per provider and date.
class NcciAddOnCheck final : public Check {
 public:
  explicit NcciAddOnCheck(std::array<bool, 4> types) : types_(types) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  std::vector<refdata::TableKind> Tables() const override { return {refdata::TableKind::kAddOn}; }
  bool ReadsHistory() const override { return types_[1] || types_[3]; }

  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    for (const CodedLine& line : encounter.lines)
      if (line.type == CodeType::kHcpcs)
        out.push_back({refdata::TableKind::kAddOn, encounter.DateOfService(line)});
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const refdata::RefData* tables = context.tables();
    if (tables == nullptr) return;
    for (uint32_t i = 0; i < encounter.lines.size(); ++i) {
      const CodedLine& line = encounter.lines[i];
      if (line.type != CodeType::kHcpcs) continue;
      const Date dos = encounter.DateOfService(line);
      const refdata::TableVersion* table = tables->TableFor(refdata::TableKind::kAddOn, dos);
      if (table == nullptr) continue;
      const std::span<const refdata::AddOnEdit> edits = tables->AddOnFor(line.code, dos);
      if (edits.empty()) continue;  // not an add-on code
      // An add-on has one edit type; the rows only differ by primary.
      const uint8_t type = edits.front().type;
      if (type < 1 || type > 3 || !types_[type]) continue;

      bool primary_present = false;
      for (const refdata::AddOnEdit& edit : edits) {
        if (!edit.primary) continue;
        for (uint32_t j = 0; j < encounter.lines.size() && !primary_present; ++j) {
          const CodedLine& other = encounter.lines[j];
          primary_present = j != i && other.type == CodeType::kHcpcs &&
                            other.code == *edit.primary && encounter.DateOfService(other) == dos;
        }
        if (primary_present) break;
      }
      const ClaimHistory* history = context.history();
      if (!primary_present && type != 2 && history != nullptr &&
          encounter.claim_type == ClaimType::kProfessional) {
        thread_local std::vector<HistoryLine> earlier;
        earlier.clear();
        history->LinesBefore(encounter, dos, earlier);
        for (const refdata::AddOnEdit& edit : edits)
          for (const HistoryLine& h : earlier)
            primary_present = primary_present || (edit.primary && h.code == *edit.primary);
      }
      if (type != 2 && primary_present) continue;
      std::vector<std::string> primaries;  // only for the message
      for (const refdata::AddOnEdit& edit : edits)
        if (edit.primary) primaries.push_back(edit.primary->Str());
      context.Emit({i},
                   {{"code", DisplayCode(line)},
                    {"type", std::to_string(type)},
                    {"dos", ToIso(dos)},
                    {"table", TableLabel(edits.front().table ? *edits.front().table : *table)}},
                   {{"primaries", Abbreviate(primaries)}});
    }
  }

 private:
  // "22551 22554 22612 … (14 codes)": enough for a message, never a wall of codes.
  static std::string Abbreviate(const std::vector<std::string>& codes) {
    if (codes.empty()) return "none listed";
    std::string out;
    const size_t shown = codes.size() <= 6 ? codes.size() : 5;
    for (size_t k = 0; k < shown; ++k) out += (k ? " " : "") + codes[k];
    if (shown < codes.size()) out += " ... (" + std::to_string(codes.size()) + " codes)";
    return out;
  }

  std::array<bool, 4> types_;
};

}  // namespace

std::unique_ptr<Check> CompileNcciAddon(const XmlNode& element, CompileContext& context) {
  std::array<bool, 4> types{false, false, false, false};
  for (const auto& text : SplitList(element.AttrOr("types", "1 2 3"))) {
    if (text == "1" || text == "2" || text == "3") {
      types[static_cast<size_t>(text[0] - '0')] = true;
    } else {
      context.Error(element.pos, "types lists add-on edit types 1, 2 and 3, not '" + text + "'");
    }
  }
  if (context.Failed()) return nullptr;
  return std::make_unique<NcciAddOnCheck>(types);
}

}  // namespace coderaudit::rules
