#pragma once
// X12 envelopes: ISA/IEA interchanges, GS/GE functional groups, ST/SE transaction sets.
// The tracker follows the nesting segment by segment, numbers every envelope instance
// (1, 2, ... per level in file order) and reports what is wrong with each one: control
// numbers that do not match, trailer counts (IEA01, GE01, SE01) that disagree with what
// was read, envelopes that never close, and transactions that are not 5010 837 claims.
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>

#include "audit/ingest/x12/x12_segments.hpp"

namespace coderaudit::ingest::x12 {

enum class EnvelopeLevel : uint8_t { kInterchange, kGroup, kTransaction };

struct EnvelopeProblem {
  uint64_t segment = 0;  // ordinal of the segment where the problem shows
  std::string field;     // "segment 36 SE01"
  std::string reason;    // never echoes data values
};

// What a transaction set holds, from ST03 (or GS08 when ST03 is absent).
enum class TransactionKind : uint8_t { kNone, kProfessional, kInstitutional };

class EnvelopeTracker {
 public:
  struct Callbacks {
    // First and later problems of an envelope instance (the reader keeps the first).
    std::function<void(EnvelopeLevel, uint64_t instance, EnvelopeProblem&&)> on_problem;
    // An envelope instance ended (its trailer, a new header, or the end of the file).
    std::function<void(EnvelopeLevel, uint64_t instance)> on_close;
    // Trailer count mismatches when counts are not verified (see X12Options).
    std::function<void(const std::string&)> on_warning;
  };

  EnvelopeTracker(bool verify_counts, Callbacks callbacks)
      : verify_counts_(verify_counts), callbacks_(std::move(callbacks)) {}

  // Every segment goes through here, envelope or not.
  void Feed(const Segment& segment);
  // End of input: whatever is still open is reported as unterminated.
  void Finish(uint64_t last_segment);

  // Open instances (0 when none is open).
  uint64_t Interchange() const { return isa_open_ ? isa_index_ : 0; }
  uint64_t Group() const { return gs_open_ ? gs_index_ : 0; }
  uint64_t Transaction() const { return st_open_ ? st_index_ : 0; }
  TransactionKind Kind() const { return st_open_ ? kind_ : TransactionKind::kNone; }
  // True when the segment just fed was an envelope segment (ISA GS ST SE GE IEA).
  bool WasEnvelope() const { return was_envelope_; }

 private:
  void Problem(EnvelopeLevel level, uint64_t instance, const Segment& seg, std::string element,
               std::string reason);
  void CloseTransaction(const Segment* by, const char* why);
  void CloseGroup(const Segment* by, const char* why);
  void CloseInterchange(const Segment* by, const char* why);
  void CountMismatch(EnvelopeLevel level, uint64_t instance, const Segment& seg,
                     std::string element, std::string reason);

  bool verify_counts_;
  Callbacks callbacks_;
  bool was_envelope_ = false;

  bool isa_open_ = false, gs_open_ = false, st_open_ = false;
  uint64_t isa_index_ = 0, gs_index_ = 0, st_index_ = 0;
  uint64_t isa_segment_ = 0, gs_segment_ = 0, st_segment_ = 0;
  std::string isa_control_, gs_control_, st_control_, gs_version_;
  uint64_t groups_in_isa_ = 0, sets_in_gs_ = 0, segments_in_st_ = 0;
  TransactionKind kind_ = TransactionKind::kNone;
  std::unordered_set<std::string> isa_controls_seen_, gs_controls_seen_, st_controls_seen_;
};

// "segment 47 CLM05" (element may be empty: "segment 47 CLM").
std::string SegmentField(uint64_t ordinal, std::string_view id, std::string_view element = {});

}  // namespace coderaudit::ingest::x12
