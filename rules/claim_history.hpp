#pragma once
// What edits across claims read: the HCPCS lines of a patient's other claims with the
// same provider on a date of service, from earlier in the run's input and from earlier
// stored runs the user names. NCCI edits practitioner claims this way (EDITS.md: same
// patient, same provider, same date of service): PTP pairs, add-on primaries and MUE
// date-of-service totals (MAI 2 and 3) across claims; duplicate services across claims
// compare place of service and charge as well. The service
// fills it as it reads (audit/store/claim_history.hpp keeps it on disk, so memory stays
// flat); a check sees it through EvalContext::history().
#include <cstdint>
#include <string>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/model/encounter.hpp"

namespace coderaudit::rules {

struct HistoryLine {
  std::string encounter_id;  // the other claim
  uint32_t position = 0;     // its 1-based line, as findings cite lines
  Code code;
  Modifiers modifiers;
  double units = 0;
  int64_t charge_cents = 0;
  std::string place_of_service;  // the line's, else its claim's; may be empty
  bool void_claim = false;       // its claim voids an earlier one (frequency code 8)
  uint64_t claim_order = 0;      // its claim's place in the history (larger: added later)
};

class ClaimHistory {
 public:
  virtual ~ClaimHistory() = default;
  // HCPCS lines on `dos` of claims of `encounter`'s patient and provider that came before
  // it (earlier in the input, or in an earlier run), in the order they came.
  virtual void LinesBefore(const Encounter& encounter, Date dos,
                           std::vector<HistoryLine>& out) const = 0;
};

}  // namespace coderaudit::rules
