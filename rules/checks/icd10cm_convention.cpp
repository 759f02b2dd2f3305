#include "rules/checks/icd10cm_convention.hpp"

#include <mutex>
#include <optional>

#include "rules/tables.hpp"

namespace coderaudit::rules {

namespace {

using refdata::TableKind;

// ICD-10-CM Official Guidelines conventions (EDITS.md § ICD-10-CM conventions):
//   excludes1:  two diagnoses of the claim where one's Excludes1 note (its own or an
//               ancestor's, from the tabular) names the other; one finding per pair, on
//               both lines. The guidelines allow both when the conditions are unrelated,
//               so packs give it disposition review.
//   code-first: a manifestation code (on the MCE manifestation list: the "in diseases
//               classified elsewhere" codes of the etiology/manifestation convention)
//               whose "code first" note names etiologies, and no diagnosis of the claim
//               sequenced before it is one of them (missing, or sequenced after: values
//               etiology=missing | etiology=after). Most other code-first notes read "code
//               first, if applicable": codes="all" checks them too.
//   poa:        an inpatient diagnosis without a present-on-admission indicator whose
//               code is not on the POA-exempt list in force on the discharge date.
enum class Convention : uint8_t { kExcludes1, kCodeFirst, kPoa };

class Icd10CmConventionCheck final : public Check {
 public:
  Icd10CmConventionCheck(Convention convention, bool manifestations_only)
      : convention_(convention), manifestations_only_(manifestations_only) {}

  std::vector<const CodeSelection*> Triggers() const override { return {}; }
  std::vector<refdata::TableKind> Tables() const override {
    if (convention_ == Convention::kPoa) return {TableKind::kPoaExempt};
    if (convention_ == Convention::kCodeFirst && manifestations_only_)
      return {TableKind::kIcd10CmTabular, TableKind::kMce};
    return {TableKind::kIcd10CmTabular};
  }

  // Only the POA list is dated: the tabular's notes and the manifestation list fall back to
  // the newest loaded version, so those conventions always judge.
  void Lookups(const Encounter& encounter, std::span<const LineHit>,
               std::vector<TableLookup>& out) const override {
    if (convention_ != Convention::kPoa || encounter.claim_type != ClaimType::kInpatient) return;
    for (const CodedLine& line : encounter.lines)
      if (line.type == CodeType::kDiagnosis) {
        out.push_back({TableKind::kPoaExempt, CodeSetDate(encounter)});
        return;
      }
  }

  void Evaluate(const EvalContext& context, std::span<const LineHit>) const override {
    const Encounter& encounter = context.encounter();
    const refdata::RefData* tables = context.tables();
    if (tables == nullptr) return;
    thread_local std::vector<uint32_t> dx;
    dx.clear();
    for (uint32_t i = 0; i < encounter.lines.size(); ++i)
      if (encounter.lines[i].type == CodeType::kDiagnosis) dx.push_back(i);
    if (dx.empty()) return;
    const Date on = CodeSetDate(encounter);

    if (convention_ == Convention::kPoa) {
      if (encounter.claim_type != ClaimType::kInpatient) return;
      const refdata::TableVersion* table = tables->TableFor(TableKind::kPoaExempt, on);
      if (table == nullptr) return;
      for (const uint32_t i : dx) {
        const CodedLine& line = context.Line(i);
        if (line.poa != ' ' || tables->PoaExempt(line.code, on)) continue;
        context.Emit({i}, {{"code", DisplayCode(line)}, {"table", TableLabel(*table)}});
      }
      return;
    }

    // The tabular's notes barely change between fiscal years and Notes() is not dated:
    // the newest loaded version answers, whatever the claim's date, and is cited. Looked
    // up only when a finding needs it (Tables() copies the catalogue).
    std::string label;
    auto table_label = [&]() -> const std::string& {
      if (label.empty()) {
        std::optional<refdata::TableVersion> latest;
        for (const auto& candidate : tables->Tables())
          if (candidate.kind == TableKind::kIcd10CmTabular &&
              (!latest || candidate.period_from > latest->period_from))
            latest = candidate;
        label = latest ? TableLabel(*latest) : "icd10cm-tabular";
      }
      return label;
    };

    if (convention_ == Convention::kExcludes1) {
      // Each diagnosis's notes once, not once per pair.
      thread_local std::vector<const refdata::TabularNotes*> notes;
      notes.clear();
      for (const uint32_t i : dx) notes.push_back(tables->Notes(context.Line(i).code));
      for (size_t a = 0; a < dx.size(); ++a) {
        for (size_t b = a + 1; b < dx.size(); ++b) {
          const CodedLine& first = context.Line(dx[a]);
          const CodedLine& second = context.Line(dx[b]);
          if (first.code == second.code) continue;
          if (!Excludes(notes[a], first.code, second.code) &&
              !Excludes(notes[b], second.code, first.code))
            continue;
          context.Emit({dx[a], dx[b]}, {{"code", DisplayCode(first)},
                                        {"code2", DisplayCode(second)},
                                        {"table", table_label()}});
        }
      }
      return;
    }

    // The manifestation list of the MCE version in force, else of the newest loaded one
    // (the list changes little; a claim outside every MCE period is still checked).
    std::optional<Date> mce_date;
    auto is_manifestation = [&](const Code& code) {
      if (!mce_date) {
        mce_date = on;
        if (tables->TableFor(TableKind::kMce, on) == nullptr)
          if (const auto newest = NewestMce(*tables)) mce_date = newest;
      }
      return tables->InMceList(refdata::MceList::kManifestation, code, *mce_date);
    };

    for (const uint32_t m : dx) {
      const CodedLine& manifestation = context.Line(m);
      const refdata::TabularNotes* notes = tables->Notes(manifestation.code);
      if (notes == nullptr || notes->code_first.empty()) continue;
      if (manifestations_only_ && !is_manifestation(manifestation.code)) continue;
      std::optional<uint32_t> before, after;
      for (const uint32_t e : dx) {
        if (e == m) continue;
        const CodedLine& candidate = context.Line(e);
        if (candidate.code == manifestation.code ||
            !AnyRangeContains(notes->code_first, candidate.code))
          continue;
        if (candidate.seq < manifestation.seq) {
          before = e;
        } else if (!after) {
          after = e;
        }
      }
      if (before) continue;
      Values values{{"code", DisplayCode(manifestation)},
                    {"etiology", after ? "after" : "missing"}};
      if (after) values.emplace_back("line2", std::to_string(*after + 1));
      values.emplace_back("table", table_label());
      context.Emit({m}, std::move(values));
    }
  }

 private:
  // True when `code`'s Excludes1 notes (`notes`) name `other` (and not `code` itself: a note never
  // excludes the code it belongs to, whatever a broad range says).
  static bool Excludes(const refdata::TabularNotes* notes, const Code& code, const Code& other) {
    if (notes == nullptr) return false;
    for (const auto& range : notes->excludes1)
      if (range.Contains(other) && !range.Contains(code)) return true;
    return false;
  }

  // The start of the newest loaded MCE version. Looked up once per program (its tables
  // never change), not per encounter: Tables() copies the whole catalogue.
  std::optional<Date> NewestMce(const refdata::RefData& tables) const {
    std::call_once(newest_mce_once_, [&] {
      for (const auto& candidate : tables.Tables())
        if (candidate.kind == TableKind::kMce &&
            (!newest_mce_ || candidate.period_from > *newest_mce_))
          newest_mce_ = candidate.period_from;
    });
    return newest_mce_;
  }

  Convention convention_;
  bool manifestations_only_;
  mutable std::once_flag newest_mce_once_;
  mutable std::optional<Date> newest_mce_;
};

}  // namespace

std::unique_ptr<Check> CompileIcd10CmConvention(const XmlNode& element,
                                                CompileContext& context) {
  const std::string name = element.AttrOr("convention", "");
  Convention convention = Convention::kExcludes1;
  if (name == "excludes1") {
    convention = Convention::kExcludes1;
  } else if (name == "code-first") {
    convention = Convention::kCodeFirst;
  } else if (name == "poa") {
    convention = Convention::kPoa;
  } else {
    context.Error(element.pos, "convention must be excludes1, code-first or poa");
    return nullptr;
  }
  const std::string codes = element.AttrOr("codes", "manifestations");
  if (codes != "manifestations" && codes != "all")
    context.Error(element.pos, "codes must be manifestations or all");
  if (element.Attr("codes") && convention != Convention::kCodeFirst)
    context.Error(element.pos, "codes applies to convention=\"code-first\" only");
  if (context.Failed()) return nullptr;
  return std::make_unique<Icd10CmConventionCheck>(convention, codes == "manifestations");
}

}  // namespace coderaudit::rules
