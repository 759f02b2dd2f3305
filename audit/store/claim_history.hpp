#pragma once
// The claim history edits across claims read (rules/claim_history.hpp), kept on disk: an
// unlinked temporary file of fixed-size records, one per HCPCS line of a professional
// claim (code, modifiers, units, charge, place of service, whether the claim is a void), appended in input order (earlier stored check runs the user names first). A
// record links to the previous record of its hash slot, so the lines of one patient,
// provider and date of service are a short walk back from the slot's newest record. In
// memory: the slot heads (fixed, 8 MB) and a 1 MB write buffer, however long the run.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "audit/model/encounter.hpp"
#include "rules/claim_history.hpp"

namespace coderaudit::store {

class ClaimHistoryFile final : public rules::ClaimHistory {
 public:
  ClaimHistoryFile();  // throws SystemError when the temporary file cannot be made
  ~ClaimHistoryFile() override;
  ClaimHistoryFile(const ClaimHistoryFile&) = delete;
  ClaimHistoryFile& operator=(const ClaimHistoryFile&) = delete;

  // The run's next claim, in input order (only professional claims' HCPCS lines are kept:
  // NCCI applies PTP across claims to practitioner claims).
  void Add(const Encounter& encounter);
  // Every professional claim of stored check run `run_id` in the store at `db_path`
  // (stored with --store all): earlier than every claim of this run. Call before Add.
  // Returns the number of HCPCS lines taken; InputError when the store or run is missing.
  int64_t AddStoredRun(const std::string& db_path, int64_t run_id);

  // The lines of earlier claims on `dos` of `encounter`'s patient and provider, newest
  // first. `encounter` must have been added (its own record marks where "earlier" starts).
  void LinesBefore(const Encounter& encounter, Date dos,
                   std::vector<rules::HistoryLine>& out) const override;

 private:
  struct Record;
  void Append(uint64_t key, const std::string& encounter_id, uint32_t position,
              const Code& code, const std::string& modifiers, double units,
              int64_t charge_cents, std::string_view place_of_service, bool void_claim);
  Record ReadAt(uint64_t offset) const;
  void Flush();
  void LinesBeforeUncached(const Encounter& encounter, Date dos, uint64_t key,
                           std::vector<rules::HistoryLine>& out) const;
  // `encounter`'s place in the order of claims added (Record::claim), 0 when not added.
  uint64_t OwnClaim(const Encounter& encounter) const;

  // Unique per history made in this process: a thread's remembered answers name it, so
  // a later history at the same address never returns them.
  const uint64_t serial_;

  int fd_ = -1;
  std::vector<uint64_t> heads_;  // per slot: offset + 1 of its newest record, 0 = none
  std::vector<unsigned char> buffer_;
  uint64_t flushed_ = 0;         // bytes already in the file
  uint64_t claims_ = 0;          // claims added so far
  mutable std::mutex mu_;
  mutable std::vector<Record> candidates_;  // under mu_: LinesBeforeUncached's, reused
};

// The key of a patient, provider and date of service (64-bit hash; equal keys are taken
// as the same patient, provider and date).
uint64_t HistoryKey(const std::string& patient, const std::string& provider, Date dos);

}  // namespace coderaudit::store
