#include "audit/qa/diff.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "audit/qa/payment.hpp"

namespace coderaudit::qa {

namespace {
constexpr std::array<std::string_view, kOutcomeCount> kOutcomeNames = {
    "match", "added", "omitted", "revised", "resequenced", "modifier", "units", "poa", "drg"};
constexpr std::array<std::string_view, kItemTypeCount> kItemNames = {"DX", "PCS", "HCPCS",
                                                                     "DRG"};

std::string FormatUnits(double u) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", u);
  return buf;
}

std::string FormatWeight(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", w);
  return buf;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// One side's lines of a code type, with a consumed flag.
struct Side {
  std::vector<const CodedLine*> lines;
  std::vector<uint32_t> positions;  // 1-based position in the encounter
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

// POA: ' ' (not reported) and '1' (exempt) say the same thing; Y/W mean "present" for
// payment (no HAC reduction), N/U "not present".
char NormalPoa(char p) { return p == '1' ? ' ' : p; }
int PoaPresence(char p) {
  switch (p) {
    case 'Y': case 'W': return 1;
    case 'N': case 'U': return 0;
    default: return -1;
  }
}
std::string PoaText(char p) { return p == ' ' ? "(blank)" : std::string(1, p); }

Direction Compare(double coder, double auditor) {
  if (coder > auditor) return Direction::kOver;
  if (coder < auditor) return Direction::kUnder;
  return Direction::kNeutral;
}

// E/M levels within one family (99212 vs 99214, 99283 vs 99285): the last digit is the
// level, so a higher coded level is over-coded. Other codes have no known order.
std::optional<Direction> EmLevelDirection(std::string_view coder, std::string_view auditor) {
  auto em = [](std::string_view c) {
    return c.size() == 5 && c.substr(0, 3) == "992" &&
           std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  if (!em(coder) || !em(auditor) || coder.substr(0, 4) != auditor.substr(0, 4)) return std::nullopt;
  return Compare(coder[4], auditor[4]);
}

int Level(Severity s) { return s == Severity::kMcc ? 2 : s == Severity::kCc ? 1 : 0; }

}  // namespace

std::string_view ToString(Outcome o) { return kOutcomeNames[static_cast<size_t>(o)]; }

std::optional<Outcome> ParseOutcome(std::string_view s) {
  for (size_t i = 0; i < kOutcomeNames.size(); ++i)
    if (kOutcomeNames[i] == s) return static_cast<Outcome>(i);
  return std::nullopt;
}

std::string_view ToString(ItemType t) { return kItemNames[static_cast<size_t>(t)]; }

std::optional<ItemType> ParseItemType(std::string_view s) {
  for (size_t i = 0; i < kItemNames.size(); ++i)
    if (kItemNames[i] == s) return static_cast<ItemType>(i);
  return std::nullopt;
}

ItemType ItemOf(CodeType t) {
  switch (t) {
    case CodeType::kDiagnosis: return ItemType::kDx;
    case CodeType::kPcs: return ItemType::kPcs;
    case CodeType::kHcpcs: return ItemType::kHcpcs;
  }
  return ItemType::kDx;
}

std::string_view ToString(Direction d) {
  switch (d) {
    case Direction::kNeutral: return "neutral";
    case Direction::kOver: return "over-coded";
    case Direction::kUnder: return "under-coded";
  }
  return "neutral";
}

std::optional<Direction> ParseDirection(std::string_view s) {
  if (s == "neutral" || s.empty()) return Direction::kNeutral;
  if (s == "over-coded" || s == "over") return Direction::kOver;
  if (s == "under-coded" || s == "under") return Direction::kUnder;
  return std::nullopt;
}

std::string_view ToString(Rebuttal r) {
  switch (r) {
    case Rebuttal::kNone: return "";
    case Rebuttal::kAgree: return "agree";
    case Rebuttal::kDisagree: return "disagree";
  }
  return "";
}

std::string_view ToString(Decision d) {
  switch (d) {
    case Decision::kNone: return "";
    case Decision::kUpheld: return "upheld";
    case Decision::kOverturned: return "overturned";
  }
  return "";
}

std::optional<Rebuttal> ParseRebuttal(std::string_view s) {
  if (s.empty()) return Rebuttal::kNone;
  if (EqualsIgnoreCase(s, "agree")) return Rebuttal::kAgree;
  if (EqualsIgnoreCase(s, "disagree")) return Rebuttal::kDisagree;
  return std::nullopt;
}

std::optional<Decision> ParseDecision(std::string_view s) {
  if (s.empty()) return Decision::kNone;
  if (EqualsIgnoreCase(s, "upheld")) return Decision::kUpheld;
  if (EqualsIgnoreCase(s, "overturned")) return Decision::kOverturned;
  return std::nullopt;
}

std::string_view ToString(PaymentMethod m) {
  switch (m) {
    case PaymentMethod::kNone: return "none";
    case PaymentMethod::kDrg: return "drg";
    case PaymentMethod::kCharges: return "charges";
  }
  return "none";
}

std::optional<PaymentMethod> ParsePaymentMethod(std::string_view s) {
  if (s == "none") return PaymentMethod::kNone;
  if (s == "drg") return PaymentMethod::kDrg;
  if (s == "charges") return PaymentMethod::kCharges;
  return std::nullopt;
}

EncounterDiff AuditEncounter(const Encounter& coder, const AuditedEncounter& auditor,
                             const PaymentContext* payment) {
  EncounterDiff result;
  std::vector<CodeDiff>& out = result.rows;
  // Which coder/auditor line each row came from (for charges and notes).
  std::vector<std::pair<const CodedLine*, const CodedLine*>> sources;
  auto note_of = [&](const CodedLine* a) -> const LineNote* {
    if (a == nullptr || auditor.lines.empty()) return nullptr;
    const auto index = static_cast<size_t>(a - auditor.lines.data());
    return index < auditor.notes.size() ? &auditor.notes[index] : nullptr;
  };
  std::vector<bool> removed_used(auditor.removed.size(), false);
  auto emit = [&](CodeType type, uint32_t line, const CodedLine* c, const CodedLine* a,
                  Outcome outcome, std::string detail) {
    CodeDiff d;
    d.encounter_id = coder.id;
    d.coder_id = coder.coder_id;
    d.auditor_id = auditor.auditor_id;
    d.code_type = ItemOf(type);
    d.line = line;
    d.coder_code = c ? c->code.Str() : "";
    d.auditor_code = a ? a->code.Str() : "";
    d.outcome = outcome;
    d.detail = std::move(detail);
    d.principal = type == CodeType::kDiagnosis &&
                  ((c && c->seq == 1) || (a && a->seq == 1) || outcome == Outcome::kResequenced);
    d.claim_type = coder.claim_type;
    d.service_date = coder.through_date;
    if (const LineNote* n = note_of(a)) {
      d.reason = n->reason;
      d.comment = n->comment;
    } else if (outcome == Outcome::kAdded && c) {
      // The reason for striking a code sits on a removed=Y row naming it.
      for (size_t k = 0; k < auditor.removed.size(); ++k) {
        const RemovedCode& r = auditor.removed[k];
        if (removed_used[k] || r.type != type || r.code != c->code) continue;
        removed_used[k] = true;
        d.reason = r.note.reason;
        d.comment = r.note.comment;
        break;
      }
    }
    out.push_back(std::move(d));
    sources.push_back({c, a});
  };
  auto poa_row = [&](CodeType type, uint32_t line, const CodedLine& cl, const CodedLine& al) {
    if (type != CodeType::kDiagnosis || al.poa == ' ') return false;
    const char cp = NormalPoa(cl.poa), ap = NormalPoa(al.poa);
    if (cp == ap) return false;
    emit(type, line, &cl, &al, Outcome::kPoa, "POA " + PoaText(cp) + " -> " + PoaText(ap));
    return true;
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
          poa_row(type, c.positions[i], *c.lines[i], *a.lines[0]);
          break;
        }
      }
      // The new principal is a code the coder did not report, and the coder's principal is
      // now a secondary: the principal still changed, so the coder's principal line is the
      // resequenced one (the new principal follows as omitted).
      const bool swapped = std::any_of(c.used.begin(), c.used.end(), [](bool u) { return u; });
      if (!swapped) {
        for (size_t j = 1; j < a.lines.size(); ++j) {
          if (a.used[j] || a.lines[j]->code != c.lines[0]->code) continue;
          c.used[0] = a.used[j] = true;
          emit(type, c.positions[0], c.lines[0], a.lines[j], Outcome::kResequenced,
               "principal is now " + a.lines[0]->code.Str());
          poa_row(type, c.positions[0], *c.lines[0], *a.lines[j]);
          break;
        }
      }
    }
    // Same code: a match, or modifier/units/POA differences. A code on several lines
    // (bilateral RT and LT, repeats) pairs identical lines first, so one changed line is
    // one difference, not a difference and an added line.
    auto identical = [&](const CodedLine& cl, const CodedLine& al) {
      if (type == CodeType::kHcpcs && (!cl.modifiers.SameSet(al.modifiers) || cl.units != al.units))
        return false;
      return type != CodeType::kDiagnosis || al.poa == ' ' || NormalPoa(cl.poa) == NormalPoa(al.poa);
    };
    std::vector<size_t> same(c.lines.size(), SIZE_MAX);
    for (const bool strict : {true, false}) {
      for (size_t i = 0; i < c.lines.size(); ++i) {
        if (c.used[i]) continue;
        for (size_t j = 0; j < a.lines.size(); ++j) {
          if (a.used[j] || a.lines[j]->code != c.lines[i]->code) continue;
          if (strict && !identical(*c.lines[i], *a.lines[j])) continue;
          c.used[i] = a.used[j] = true;
          same[i] = j;
          break;
        }
      }
    }
    for (size_t i = 0; i < c.lines.size(); ++i) {
      if (same[i] == SIZE_MAX) continue;
      const CodedLine& cl = *c.lines[i];
      const CodedLine& al = *a.lines[same[i]];
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
      differs |= poa_row(type, c.positions[i], cl, al);
      if (!differs) emit(type, c.positions[i], &cl, &al, Outcome::kMatch, "");
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

  // ---- encounter facts and the DRG row
  EncounterAudit& info = result.audit;
  info.encounter_id = coder.id;
  info.coder_id = coder.coder_id;
  info.auditor_id = auditor.auditor_id;
  info.claim_type = coder.claim_type;
  info.service_date = coder.through_date;
  info.coder_drg = coder.drg;
  info.auditor_drg = auditor.drg;
  std::optional<double> wc, wa;
  if (payment && !coder.drg.empty()) wc = payment->DrgWeight(coder.drg);
  if (payment && !auditor.drg.empty()) wa = payment->DrgWeight(auditor.drg);
  info.coder_weight = wc.value_or(0);
  info.auditor_weight = wa.value_or(0);
  const bool weights_known = wc && wa;
  const bool drg_pay = weights_known && payment->BaseRate() > 0;
  std::optional<Direction> drg_direction;
  if (!coder.drg.empty() && !auditor.drg.empty()) {
    CodeDiff d;
    d.encounter_id = coder.id;
    d.coder_id = coder.coder_id;
    d.auditor_id = auditor.auditor_id;
    d.code_type = ItemType::kDrg;
    d.coder_code = coder.drg;
    d.auditor_code = auditor.drg;
    d.claim_type = coder.claim_type;
    d.service_date = coder.through_date;
    if (coder.drg == auditor.drg) {
      d.outcome = Outcome::kMatch;
    } else {
      d.outcome = Outcome::kDrg;
      d.detail = "DRG " + coder.drg + " -> " + auditor.drg;
      if (weights_known) {
        d.detail += " (weight " + FormatWeight(*wc) + " -> " + FormatWeight(*wa) + ")";
        drg_direction = Compare(*wc, *wa);
        d.direction = *drg_direction;
        if (drg_pay)
          d.amount_cents = std::llround((*wc - *wa) * payment->BaseRate() * 100.0);
      } else if (payment && payment->HasDrgWeights()) {
        // Weights were given but miss this DRG: say so, as "no charge known" does for lines.
        d.detail += std::string("; no weight known for DRG ") + (wc ? auditor.drg : coder.drg);
        if (!wc && !wa) d.detail += " and " + auditor.drg;
      }
    }
    out.push_back(std::move(d));
    sources.push_back({nullptr, nullptr});
  }
  info.method = drg_pay ? PaymentMethod::kDrg : PaymentMethod::kNone;

  // ---- money on HCPCS rows (when the DRG does not already price the encounter)
  const ChargeReference* charges = payment ? &payment->Charges() : nullptr;
  auto reference = [&](const CodedLine* l) -> std::optional<int64_t> {
    if (!charges || !l) return std::nullopt;
    return charges->PerUnit(coder.claim_type, l->code);
  };
  auto price = [&](const CodedLine* l, double units) -> std::optional<int64_t> {
    const auto per_unit = reference(l);
    if (!per_unit) return std::nullopt;
    return std::llround(static_cast<double>(*per_unit) * units);
  };
  if (!drg_pay) {
    bool any_hcpcs = false;
    for (size_t k = 0; k < out.size(); ++k) {
      CodeDiff& d = out[k];
      if (d.code_type != ItemType::kHcpcs) continue;
      any_hcpcs = true;
      const auto [c, a] = sources[k];
      std::optional<int64_t> amount;
      switch (d.outcome) {
        case Outcome::kAdded:
          amount = c->charge_cents > 0 ? std::optional<int64_t>(c->charge_cents) : price(c, c->units);
          break;
        case Outcome::kOmitted:
          if (auto p = price(a, a->units)) amount = -*p;
          break;
        case Outcome::kRevised: {
          const auto coder_side =
              c->charge_cents > 0 ? std::optional<int64_t>(c->charge_cents) : price(c, c->units);
          const auto auditor_side = price(a, a->units);
          if (coder_side && auditor_side) amount = *coder_side - *auditor_side;
          break;
        }
        case Outcome::kUnits:
          if (c->charge_cents > 0 && c->units > 0)
            amount = std::llround(static_cast<double>(c->charge_cents) * (c->units - a->units) / c->units);
          else if (auto per_unit = reference(c))
            amount = std::llround(static_cast<double>(*per_unit) * (c->units - a->units));
          break;
        default:
          amount = 0;
          break;
      }
      if (amount) {
        d.amount_cents = *amount;
      } else if (payment) {
        d.detail += std::string(d.detail.empty() ? "" : "; ") + "no charge known";
      }
    }
    if (any_hcpcs) info.method = PaymentMethod::kCharges;
  }

  // ---- direction of every row (audit/qa/SCORING.md § Direction)
  for (size_t k = 0; k < out.size(); ++k) {
    CodeDiff& d = out[k];
    const auto [c, a] = sources[k];
    switch (d.outcome) {
      case Outcome::kMatch:
      case Outcome::kModifier:
      case Outcome::kDrg:  // set above from the weights
        break;
      case Outcome::kAdded: d.direction = Direction::kOver; break;
      case Outcome::kOmitted: d.direction = Direction::kUnder; break;
      case Outcome::kUnits: d.direction = Compare(c->units, a->units); break;
      case Outcome::kPoa: {
        const int cp = PoaPresence(c->poa), ap = PoaPresence(a->poa);
        if (cp >= 0 && ap >= 0) d.direction = Compare(cp, ap);
        break;
      }
      case Outcome::kRevised:
      case Outcome::kResequenced: {
        std::optional<Direction> own;
        // CC/MCC levels matter for secondary diagnoses; a principal moves the DRG family.
        if (d.outcome == Outcome::kRevised && d.code_type == ItemType::kDx && !d.principal &&
            payment && payment->HasSeverity()) {
          const int lc = Level(payment->SeverityOf(c->code)),
                    la = Level(payment->SeverityOf(a->code));
          if (lc != la) own = Compare(lc, la);
        }
        if (!own && d.outcome == Outcome::kRevised && d.code_type == ItemType::kHcpcs)
          own = EmLevelDirection(d.coder_code, d.auditor_code);
        if (!own && drg_direction && d.code_type != ItemType::kHcpcs &&
            (d.principal || d.code_type == ItemType::kPcs))
          own = drg_direction;
        if (!own && d.amount_cents != 0)
          own = d.amount_cents > 0 ? Direction::kOver : Direction::kUnder;
        d.direction = own.value_or(Direction::kNeutral);
        break;
      }
    }
  }
  for (const CodeDiff& d : out) info.payment_diff_cents += d.amount_cents;
  return result;
}

std::vector<CodeDiff> DiffEncounter(const Encounter& coder, const AuditedEncounter& auditor) {
  return AuditEncounter(coder, auditor, nullptr).rows;
}

}  // namespace coderaudit::qa
