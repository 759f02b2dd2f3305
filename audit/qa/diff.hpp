#pragma once
// Coder QA: the code-by-code comparison of a coder's coding with an auditor's.
// Definitions: ../shared/EDITS.md § Coder QA scoring, schemas/auditor-csv.md, and the
// rules (including over/under-coded direction) in audit/qa/README.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/encounter.hpp"

namespace coderaudit::qa {

class PaymentContext;

enum class Outcome : uint8_t {
  kMatch,        // same code (and, for HCPCS lines, same modifiers and units)
  kAdded,        // coder reported, auditor removed
  kOmitted,      // auditor added, coder missed
  kRevised,      // coder's code replaced by another in the same 3-character category
  kResequenced,  // principal diagnosis changed to a code the coder reported as secondary
  kModifier,     // same HCPCS code, different modifiers
  kUnits,        // same HCPCS code, different units
  kPoa,          // same diagnosis, different present-on-admission indicator
  kDrg,          // the encounter's MS-DRG differs (both DRGs known)
};
inline constexpr size_t kOutcomeCount = 9;
std::string_view ToString(Outcome o);  // "match", "added", ..., "poa", "drg"
std::optional<Outcome> ParseOutcome(std::string_view s);
inline bool IsError(Outcome o) { return o != Outcome::kMatch; }

// What a row is about: a code of one of the encounter's code types, or its DRG.
enum class ItemType : uint8_t { kDx, kPcs, kHcpcs, kDrg };
inline constexpr size_t kItemTypeCount = 4;
std::string_view ToString(ItemType t);  // "DX" | "PCS" | "HCPCS" | "DRG"
std::optional<ItemType> ParseItemType(std::string_view s);
ItemType ItemOf(CodeType t);

// Which way a difference moves the claim: over-coded (the coder's coding says more than
// the record supports, so pays more), under-coded, or neither / not known.
enum class Direction : uint8_t { kNeutral, kOver, kUnder };
std::string_view ToString(Direction d);  // "neutral" | "over-coded" | "under-coded"
std::optional<Direction> ParseDirection(std::string_view s);  // also "over" / "under"

// The coder's answer to one difference, and the final decision on it (rebuttal).
enum class Rebuttal : uint8_t { kNone, kAgree, kDisagree };
enum class Decision : uint8_t { kNone, kUpheld, kOverturned };
std::string_view ToString(Rebuttal r);  // "" | "agree" | "disagree"
std::string_view ToString(Decision d);  // "" | "upheld" | "overturned"
// Case-insensitive; "" -> kNone; nullopt for anything else.
std::optional<Rebuttal> ParseRebuttal(std::string_view s);
std::optional<Decision> ParseDecision(std::string_view s);

// One compared code position (or the encounter's DRG). A code with both a modifier and a
// units difference gives two rows, so errors are counted per difference, as EDITS.md
// defines accuracy.
struct CodeDiff {
  std::string encounter_id;
  std::string coder_id;
  std::string auditor_id;
  ItemType code_type = ItemType::kDx;
  uint32_t line = 0;          // 1-based position in the coder's encounter; 0 if omitted/DRG
  std::string coder_code;     // "" when omitted
  std::string auditor_code;   // "" when added
  Outcome outcome = Outcome::kMatch;
  std::string detail;         // e.g. "modifiers 59 -> XS", "units 2 -> 1", "principal"
  // v2: direction, weights and money, the auditor's reason, the rebuttal.
  bool principal = false;     // the principal diagnosis is involved (policy principal weight)
  Direction direction = Direction::kNeutral;
  int64_t amount_cents = 0;   // payment difference: + when the coder's coding pays more
  std::string reason;         // auditor's reason code (schemas/auditor-csv.md)
  std::string comment;        // auditor's comment
  Rebuttal rebuttal = Rebuttal::kNone;
  std::string rebuttal_comment;  // the coder's comment
  Decision decision = Decision::kNone;
  std::string decision_note;
  // Encounter facts the policy and the trend need (from the check run).
  std::optional<ClaimType> claim_type;
  std::optional<Date> service_date;  // through (discharge / last service) date
  uint32_t ref = 0;           // row number within its stored run (1-based); 0 before storing
};

// Overturned rows no longer count as errors (a rebuttal the coder won).
inline bool Overturned(const CodeDiff& d) { return d.decision == Decision::kOverturned; }

// An auditor's note on a row: its reason code and comment (optional columns).
struct LineNote {
  std::string reason;
  std::string comment;
};

// A coder code the auditor strikes, named only to carry a reason/comment for the
// resulting "added" row (auditor CSV rows with removed=Y).
struct RemovedCode {
  CodeType type = CodeType::kDiagnosis;
  Code code;
  LineNote note;
  uint32_t source_line = 0;
};

// An auditor's full re-coding of one encounter (schemas/auditor-csv.md).
struct AuditedEncounter {
  std::string encounter_id;
  std::string auditor_id;
  std::vector<CodedLine> lines;
  std::vector<LineNote> notes;          // parallel to `lines` (may be shorter: no notes)
  std::vector<RemovedCode> removed;
  std::string drg;                      // the auditor's MS-DRG, "" when not given
  uint32_t source_line = 0;
};

// How an encounter's payment difference was worked out.
enum class PaymentMethod : uint8_t { kNone, kDrg, kCharges };
std::string_view ToString(PaymentMethod m);  // "none" | "drg" | "charges"
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view s);

// Encounter-level facts of one audited encounter (stored beside its rows).
struct EncounterAudit {
  std::string encounter_id;
  std::string coder_id;
  std::string auditor_id;
  ClaimType claim_type = ClaimType::kProfessional;
  Date service_date;              // through date
  std::string coder_drg, auditor_drg;
  double coder_weight = 0, auditor_weight = 0;  // 0: not known
  PaymentMethod method = PaymentMethod::kNone;
  int64_t payment_diff_cents = 0;               // sum of the rows' amounts
};

struct EncounterDiff {
  EncounterAudit audit;
  std::vector<CodeDiff> rows;
};

// Diffs one encounter. Deterministic: per code type (DX, PCS, HCPCS) the rows come in
// step order: resequencing, matches (and modifier/units/POA rows), revisions, additions,
// omissions; within a step, in coder line order. Then one DRG row when both DRGs are
// known. `payment` (optional) supplies DRG weights, CC/MCC levels and charges for the
// direction and amount of each row.
EncounterDiff AuditEncounter(const Encounter& coder, const AuditedEncounter& auditor,
                             const PaymentContext* payment = nullptr);
// The rows only, without payment data.
std::vector<CodeDiff> DiffEncounter(const Encounter& coder, const AuditedEncounter& auditor);

}  // namespace coderaudit::qa
