#pragma once
// The CMS MCE release's tables (mce.bin, inside the MCE jar CMS ships) read as they are:
// a protobuf message `mce.Root` (schema in the release's mce-proto jar, Data.java):
//   Root { 1 AgeRangeRoot, 2 DischargeStatusRoot, 3 i10 diagnosis CodeMasterRoot,
//          4 i10 procedure CodeMasterRoot, 5/6 ICD-9 roots (not read), 7 dateFormat,
//          8 version (431 = v43.1), 9 terminationDate }
//   AgeRangeEntry { 1 ageGroup, 2 startAge, 3 endAge, 4 startDate, 5 endDate }
//   DischargeStatusEntry { 1 code, 2 startDate, 3 endDate }
//   CodeMasterEntry { 1 code, 2 startDate, 3 endDate, 4 repeated flags }
// Dates are "yyyyMMdd" strings, an empty end date is open. The wire format is decoded
// here directly (varints and length-delimited fields): no protobuf runtime is needed for
// five message types, and a damaged file is a clear error rather than a crash.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/model/reject.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/refdata/source.hpp"

namespace coderaudit::refdata::detail {

struct MceCodeRow {
  bool procedure = false;
  Code code;
  Date start;
  std::optional<Date> end;
  uint64_t flags = 0;  // Bit(MceFlag)
};
struct MceAgeRow {
  MceAgeGroup group = MceAgeGroup::kAdult;
  int start_age = 0, end_age = 0;
  Date start;
  std::optional<Date> end;
};
struct MceStatusRow {
  int code = 0;
  Date start;
  std::optional<Date> end;
};
struct MceRelease {
  int version = 0;                 // 431
  std::optional<Date> termination;
  std::vector<MceCodeRow> codes;   // diagnoses then procedures, each in file order
  std::vector<MceAgeRow> ages;
  std::vector<MceStatusRow> statuses;
};

// Reads the release from `src` (the jar's mce.bin member, or a bare mce.bin). A row with a
// malformed code or date is a reject ("line" = the entry's 1-based index in its list,
// field = "dx", "px", "age" or "status"); a flag no MCE edit knows is a reject too (the row
// is kept without it). Throws InputError when the bytes are not an MCE release at all.
MceRelease ReadMceRelease(Source& src, std::vector<Reject>& rejects);

// "v43.1" for 431.
std::string MceReleaseVersion(int version);

}  // namespace coderaudit::refdata::detail
