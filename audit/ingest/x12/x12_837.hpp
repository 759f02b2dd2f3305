#pragma once
// X12 005010 837P (X222) and 837I (X223) claims -> Encounter stream + Rejects.
// Layout, mapping and reject rules: schemas/x12-837-mapping.md.
//
// Records are claims: every CLM segment (2300 loop) is one record and one encounter, so
// records_read == encounters_read == processed + rejected. Reject::line holds the
// ordinal of the segment that shows the problem (the first ISA is segment 1) and
// Reject::field says so ("segment 47 CLM05"). Envelope problems that enclose no claim
// (an 835 transaction, a stray segment after IEA) are Rejects of their own that count
// in no record total.
#include <istream>
#include <string>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::ingest {

struct X12Options {
  // SE01, GE01 and IEA01 must equal the counts read, or the envelope is rejected with
  // everything in it. Off: a mismatch is only a warning (control numbers, nesting and
  // versions are still enforced). Some generators write wrong counts; real translators
  // reject them, so the default is on.
  bool verify_counts = true;
};

// Reads `in` twice: a first pass checks every envelope (trailer counts and control
// numbers come at the end of what they enclose), the second maps claims, so no claim
// is released from an envelope that turns out to be broken and memory stays flat
// however large the file. A stream that cannot seek (a pipe) is spooled to a temporary
// file first. Throws InputError when the input does not start with an ISA header.
IngestCounts ReadX12(std::istream& in, const std::string& file_name, const IngestSink& sink,
                     const X12Options& options = {});
IngestCounts ReadX12File(const std::string& path, const IngestSink& sink,
                         const X12Options& options = {});

}  // namespace coderaudit::ingest
