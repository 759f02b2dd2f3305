#pragma once
// What money and severity the diff can know about: MS-DRG relative weights and a base
// rate (user-supplied CSV, e.g. samples/drg_weights.csv), CC/MCC levels of diagnoses
// (optional CSV, e.g. samples/cc_mcc.csv), and reference charges per unit learnt from the
// audited check run's own lines. Layouts: schemas/payment-csv.md.
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/hash.hpp"

namespace coderaudit::qa {

// MS-DRG severity of a secondary diagnosis.
enum class Severity : uint8_t { kNone, kCc, kMcc };
std::string_view ToString(Severity s);  // "" | "CC" | "MCC"

// The usual charge of one unit of a code in one claim setting, learnt from lines seen:
// the most frequent per-unit charge (ties: the lower). Lines without a charge are ignored.
class ChargeReference {
 public:
  void Add(ClaimType claim_type, const Code& code, double units, int64_t charge_cents);
  // `lines` lines charged `per_unit_cents` per unit (pre-aggregated, e.g. by the store).
  void AddCount(ClaimType claim_type, const Code& code, int64_t per_unit_cents, int64_t lines);
  std::optional<int64_t> PerUnit(ClaimType claim_type, const Code& code) const;
  bool Empty() const { return counts_.empty(); }

 private:
  struct Key {
    ClaimType claim_type;
    Code code;
    friend bool operator<(const Key& a, const Key& b) {
      return a.claim_type != b.claim_type ? a.claim_type < b.claim_type : a.code < b.code;
    }
  };
  std::map<Key, std::map<int64_t, int64_t>> counts_;  // per-unit cents -> lines
};

class PaymentContext {
 public:
  // DRG -> relative weight; base rate in dollars per 1.0 of weight.
  void SetDrgWeights(std::map<std::string, double> weights, double base_rate);
  std::optional<double> DrgWeight(std::string_view drg) const;
  double BaseRate() const { return base_rate_; }
  bool HasDrgWeights() const { return !weights_.empty() && base_rate_ > 0; }

  void SetSeverity(std::unordered_map<Code, Severity> levels) { severity_ = std::move(levels); }
  bool HasSeverity() const { return !severity_.empty(); }
  // kNone for a code not in the table (or no table).
  Severity SeverityOf(const Code& code) const;

  ChargeReference& Charges() { return charges_; }
  const ChargeReference& Charges() const { return charges_; }

 private:
  std::map<std::string, double, std::less<>> weights_;
  double base_rate_ = 0;
  std::unordered_map<Code, Severity> severity_;
  ChargeReference charges_;
};

// drg,weight[,title]: DRG 3 digits, weight a decimal > 0. A malformed row or a DRG listed
// twice is an InputError naming file:line (a payment table must be right as a whole).
std::map<std::string, double> ReadDrgWeightsCsv(std::istream& in, const std::string& file);
// The *File readers: `digest`, when given, is of exactly the bytes read (io::HashedFile).
std::map<std::string, double> ReadDrgWeightsFile(const std::string& path,
                                                 FileDigest* digest = nullptr);
// code,level: an ICD-10-CM code and CC or MCC.
std::unordered_map<Code, Severity> ReadSeverityCsv(std::istream& in, const std::string& file);
std::unordered_map<Code, Severity> ReadSeverityFile(const std::string& path,
                                                    FileDigest* digest = nullptr);

// "1234.5" dollars -> cents, for display and tests ("-12.30" etc.).
std::string FormatCents(int64_t cents);

}  // namespace coderaudit::qa
