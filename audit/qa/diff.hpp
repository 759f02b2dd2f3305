#pragma once
// Coder QA v1: the code-by-code comparison of a coder's coding with an auditor's.
// Definitions: ../shared/EDITS.md § Coder QA scoring, schemas/auditor-csv.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"

namespace coderaudit::qa {

enum class Outcome : uint8_t {
  kMatch,        // same code (and, for HCPCS lines, same modifiers and units)
  kAdded,        // coder reported, auditor removed
  kOmitted,      // auditor added, coder missed
  kRevised,      // coder's code replaced by another in the same 3-character category
  kResequenced,  // principal diagnosis changed to a code the coder reported as secondary
  kModifier,     // same HCPCS code, different modifiers
  kUnits,        // same HCPCS code, different units
};
inline constexpr size_t kOutcomeCount = 7;
std::string_view ToString(Outcome o);  // "match", "added", ...
std::optional<Outcome> ParseOutcome(std::string_view s);
inline bool IsError(Outcome o) { return o != Outcome::kMatch; }

// One compared code position. A code with both a modifier and a units difference gives
// two rows, so errors are counted per difference, as EDITS.md defines accuracy.
struct CodeDiff {
  std::string encounter_id;
  std::string coder_id;
  std::string auditor_id;
  CodeType code_type = CodeType::kDiagnosis;
  uint32_t line = 0;          // 1-based position in the coder's encounter; 0 if omitted
  std::string coder_code;     // "" when omitted
  std::string auditor_code;   // "" when added
  Outcome outcome = Outcome::kMatch;
  std::string detail;         // e.g. "modifiers 59 -> XS", "units 2 -> 1", "principal"
};

// An auditor's full re-coding of one encounter (schemas/auditor-csv.md).
struct AuditedEncounter {
  std::string encounter_id;
  std::string auditor_id;
  std::vector<CodedLine> lines;
  uint32_t source_line = 0;
};

// Diffs one encounter. Deterministic: per code type (DX, PCS, HCPCS) the rows come in
// step order: resequencing, matches (and modifier/units rows), revisions, additions,
// omissions; within a step, in coder line order.
std::vector<CodeDiff> DiffEncounter(const Encounter& coder, const AuditedEncounter& auditor);

}  // namespace coderaudit::qa
