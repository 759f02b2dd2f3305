#include "audit/qa/diff.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace coderaudit::qa {

namespace {
constexpr std::array<std::string_view, kOutcomeCount> kOutcomeNames = {
    "match", "added", "omitted", "revised", "resequenced", "modifier", "units"};

std::string FormatUnits(double u) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", u);
  return buf;
}

// One side's lines of a code type, with a consumed flag.
struct Side {
  std::vector<const CodedLine*> lines;
  std::vector<uint32_t> positions;  // 1-based position in the encounter (coder side)
  std::vector<bool> used;
};

Side Collect(const std::vector<CodedLine>& lines, CodeType type) {
  Side s;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].type != type) continue;
    s.lines.push_back(&lines[i]);
    s.positions.push_back(static_cast<uint32_t>(i + 1));
  }
  // Diagnoses and PCS compare in sequence order; HCPCS lines in billed order.
  if (type != CodeType::kHcpcs) {
    std::vector<size_t> order(s.lines.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return s.lines[a]->seq < s.lines[b]->seq; });
    Side sorted;
    for (size_t i : order) {
      sorted.lines.push_back(s.lines[i]);
      sorted.positions.push_back(s.positions[i]);
    }
    s = std::move(sorted);
  }
  s.used.assign(s.lines.size(), false);
  return s;
}

}  // namespace

std::string_view ToString(Outcome o) { return kOutcomeNames[static_cast<size_t>(o)]; }

std::optional<Outcome> ParseOutcome(std::string_view s) {
  for (size_t i = 0; i < kOutcomeNames.size(); ++i)
    if (kOutcomeNames[i] == s) return static_cast<Outcome>(i);
  return std::nullopt;
}

std::vector<CodeDiff> DiffEncounter(const Encounter& coder, const AuditedEncounter& auditor) {
  std::vector<CodeDiff> out;
  auto emit = [&](CodeType type, uint32_t line, const CodedLine* c, const CodedLine* a,
                  Outcome outcome, std::string detail) {
    CodeDiff d;
    d.encounter_id = coder.id;
    d.coder_id = coder.coder_id;
    d.auditor_id = auditor.auditor_id;
    d.code_type = type;
    d.line = line;
    d.coder_code = c ? c->code.Str() : "";
    d.auditor_code = a ? a->code.Str() : "";
    d.outcome = outcome;
    d.detail = std::move(detail);
    out.push_back(std::move(d));
  };

  for (CodeType type : {CodeType::kDiagnosis, CodeType::kPcs, CodeType::kHcpcs}) {
    Side c = Collect(coder.lines, type);
    Side a = Collect(auditor.lines, type);

    // Principal diagnosis moved to a code the coder reported as secondary.
    if (type == CodeType::kDiagnosis && !c.lines.empty() && !a.lines.empty() &&
        c.lines[0]->seq == 1 && a.lines[0]->seq == 1 && c.lines[0]->code != a.lines[0]->code) {
      for (size_t i = 1; i < c.lines.size(); ++i) {
        if (c.lines[i]->code == a.lines[0]->code) {
          c.used[i] = a.used[0] = true;
          emit(type, c.positions[i], c.lines[i], a.lines[0], Outcome::kResequenced,
               "principal was " + c.lines[0]->code.Str());
          break;
        }
      }
    }
    // Same code: a match, or modifier/units differences on HCPCS lines.
    for (size_t i = 0; i < c.lines.size(); ++i) {
      if (c.used[i]) continue;
      for (size_t j = 0; j < a.lines.size(); ++j) {
        if (a.used[j] || a.lines[j]->code != c.lines[i]->code) continue;
        c.used[i] = a.used[j] = true;
        const CodedLine& cl = *c.lines[i];
        const CodedLine& al = *a.lines[j];
        bool differs = false;
        if (type == CodeType::kHcpcs) {
          if (!cl.modifiers.SameSet(al.modifiers)) {
            differs = true;
            emit(type, c.positions[i], &cl, &al, Outcome::kModifier,
                 "modifiers '" + cl.modifiers.Str() + "' -> '" + al.modifiers.Str() + "'");
          }
          if (cl.units != al.units) {
            differs = true;
            emit(type, c.positions[i], &cl, &al, Outcome::kUnits,
                 "units " + FormatUnits(cl.units) + " -> " + FormatUnits(al.units));
          }
        }
        if (!differs) emit(type, c.positions[i], &cl, &al, Outcome::kMatch, "");
        break;
      }
    }
    // Another code of the same 3-character category: specificity, laterality, E/M level.
    for (size_t i = 0; i < c.lines.size(); ++i) {
      if (c.used[i]) continue;
      for (size_t j = 0; j < a.lines.size(); ++j) {
        if (a.used[j] || a.lines[j]->code.Category() != c.lines[i]->code.Category()) continue;
        c.used[i] = a.used[j] = true;
        const bool principal = type == CodeType::kDiagnosis && c.lines[i]->seq == 1 &&
                               a.lines[j]->seq == 1;
        emit(type, c.positions[i], c.lines[i], a.lines[j], Outcome::kRevised,
             principal ? "principal" : "");
        break;
      }
    }
    for (size_t i = 0; i < c.lines.size(); ++i)
      if (!c.used[i]) emit(type, c.positions[i], c.lines[i], nullptr, Outcome::kAdded, "");
    for (size_t j = 0; j < a.lines.size(); ++j)
      if (!a.used[j]) emit(type, 0, nullptr, a.lines[j], Outcome::kOmitted, "");
  }
  return out;
}

}  // namespace coderaudit::qa
