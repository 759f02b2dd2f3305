#pragma once
// Writes synthetic claims as ASC X12 5010 837 interchanges that coderaudit's own reader
// (audit/ingest/x12, schemas/x12-837-mapping.md) maps back to the same encounters as
// the CSV layout: professional claims as 005010X222A1 837P, inpatient claims as
// 005010X223A2 837I (type of bill 111). One interchange; one functional group per kind;
// transaction sets of at most `claims_per_transaction` claims (the implementation
// guides recommend 5,000); each claim has its own billing-provider and subscriber
// loops (the subscriber is the patient). Streams: nothing is held but the open
// transaction set's segment count.
//
// What the 837 carries that the CSV layout does not (and the reader keeps apart):
// submitter GENERATOR (coder_id reads back as "x12:GENERATOR"), place of service 11,
// SV107 diagnosis pointers, the claim total (CLM02), an attending provider and revenue-
// code-only room-and-board lines on inpatient claims.
#include <cstdint>
#include <ostream>
#include <string>

#include "audit/generate/synthetic_claim.hpp"

namespace coderaudit::generate {

enum class X12Kind : uint8_t { kProfessional, kInstitutional };

class X12Writer {
 public:
  explicit X12Writer(std::ostream& out, int64_t claims_per_transaction = 5000);
  X12Writer(const X12Writer&) = delete;
  X12Writer& operator=(const X12Writer&) = delete;

  // Opens a functional group for 837Ps or 837Is, closing the open one (the interchange
  // header is written before the first group).
  void BeginGroup(X12Kind kind);
  // Writes one claim into the open group; its kind must match (inpatient -> institutional).
  // Throws std::logic_error otherwise.
  void Write(const SyntheticClaim& claim);
  // Closes the open transaction set, group and the interchange. Idempotent.
  void Finish();

  uint64_t Bytes() const { return bytes_; }
  int64_t Claims() const { return claims_; }

 private:
  void Put(const std::string& segment);  // counted in the open transaction set
  void PutEnvelope(const std::string& segment);
  void BeginTransaction();
  void EndTransaction();
  void EndGroup();

  std::ostream& out_;
  int64_t per_transaction_;
  X12Kind kind_ = X12Kind::kProfessional;
  bool interchange_open_ = false, group_open_ = false, transaction_open_ = false;
  bool finished_ = false;
  int groups_ = 0, transactions_in_group_ = 0;
  int64_t claims_in_transaction_ = 0, segments_ = 0, hl_ = 0, claims_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace coderaudit::generate
