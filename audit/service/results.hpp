#pragma once
// Results people act on, read back from a stored check run: the findings (filtered, paged)
// and the hold/release decision per claim. The CLI (`findings`, `holds`, `report`) and the
// HTTP server call these same functions, so they always agree.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"
#include "audit/runs/accuracy_report.hpp"
#include "audit/runs/findings_report.hpp"
#include "audit/service/access.hpp"

namespace coderaudit::service {

// Every non-empty field must match exactly (disposition by name: "line-deny").
struct FindingFilter {
  std::string rule_id, disposition, provider, coder, encounter;
  int64_t offset = 0, limit = 0;  // limit 0: all
};

struct FindingsPage {
  runs::RunInfo run;
  int64_t total = 0;                     // findings matching the filter (before paging)
  std::vector<runs::FindingRow> rows; // in stored order (input order, then rule order)
};

// run_id 0: the latest check run. InputError for an unknown run, a run that is not a
// check run, or an unknown disposition name in the filter.
// Authorised for read-findings. A coder actor gets only the rows of their coder id; for a
// role that does not see patient identifiers, fired values naming the patient (age, sex,
// birth date, patient id) are masked, in the values and in the message.
FindingsPage ListFindings(const std::string& db_path, int64_t run_id, const FindingFilter& filter,
                          const Actor& actor = Actor::Local());

struct HoldEntry {
  std::string encounter_id, provider_id, coder_id, payer;
  bool held = false;
  size_t findings = 0;                        // all of the claim's findings
  std::vector<Finding> holding;               // the findings that hold it
  std::vector<NotChecked> not_checked;        // rules that could not judge it
};

struct HoldList {
  runs::RunInfo run;
  HoldPolicy policy;
  int64_t claims = 0, held = 0, released = 0, not_checked = 0;
  // false for runs stored with --store findings: claims without findings or not-checked
  // rules were not stored, so only held claims (and claims stored with findings that do
  // not hold) are listed; `released` still counts every released claim of the run.
  bool all_claims_listed = true;
  std::vector<HoldEntry> entries;  // input order
};

// As ListFindings: a coder sees their own claims only (and the counts of those).
HoldList ListHolds(const std::string& db_path, int64_t run_id, const HoldPolicy& policy,
                   const Actor& actor = Actor::Local());

// Why a claim is held, for people: "FAC-PTP-001 line-deny x2; NCCI-MUE-001 not checked
// (mue-practitioner 2031-01-05)".
std::string HoldReasons(const HoldEntry& entry);

// The findings workbook's model: held claims and every finding of a check run.
runs::FindingsReport LoadFindingsReport(const std::string& db_path, int64_t run_id,
                                           const HoldPolicy& policy,
                                           const Actor& actor = Actor::Local());

// The findings workbook of check run `run_id` written to `path` atomically; with `only`, the
// Findings sheet and summaries hold just those findings (the hold counts stay the run's).
runs::FindingsReport WriteFindingsReport(const std::string& db_path, int64_t run_id,
                                         const HoldPolicy& policy, const std::string& path,
                                         const std::vector<runs::FindingRow>* only = nullptr,
                                         const Actor& actor = Actor::Local());

// A finding as `actor` may see it (fired values naming the patient masked).
void MaskFinding(Finding& finding, const Actor& actor);

// The latest check run in the store; InputError when there is none.
int64_t LatestCheckRun(const std::string& db_path);

}  // namespace coderaudit::service
