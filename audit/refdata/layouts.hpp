#pragma once
// Fixed-width records of the index files, one layout per kind of table. Written by the
// importer (import.cpp), read from the mapped file by the store (store.cpp). Every
// kRows section is sorted by its key, so lookups are binary searches on mapped bytes.
// Dates are days since 1970-01-01; "none" is INT32_MIN (no effective/added date) or
// INT32_MAX (no deletion/termination date).
#include <climits>
#include <cstdint>

#include "audit/refdata/index_file.hpp"

namespace coderaudit::refdata::detail {

constexpr int32_t kNoStart = INT32_MIN;
constexpr int32_t kNoEnd = INT32_MAX;

// PTP kGroups: one per column-1 code, sorted by code -> rows [first, first + count).
struct PtpGroupRecord {
  CodeKey column1;
  uint32_t first;
  uint32_t count;
};
static_assert(sizeof(PtpGroupRecord) == 16);

// PTP kRows: within a group sorted by column 2, then deletion date, then effective.
struct PtpRowRecord {
  CodeKey column2;
  int32_t effective;
  int32_t deleted;
  uint8_t modifier;
  uint8_t pad;
  uint16_t rationale;  // index into the string table
};
static_assert(sizeof(PtpRowRecord) == 20);

// MUE kRows: sorted by code.
struct MueRecord {
  CodeKey code;
  uint32_t units;
  uint8_t mai;
  uint8_t pad;
  uint16_t rationale;
};
static_assert(sizeof(MueRecord) == 16);

// Add-on kRows: sorted by add-on code, then primary (all zero bytes = any primary).
struct AddOnRecord {
  CodeKey add_on;
  CodeKey primary;
  uint8_t type;
  uint8_t pad[3];
};
static_assert(sizeof(AddOnRecord) == 20);

// ICD-10-CM / ICD-10-PCS order files kRows: sorted by code; flag 1 = billable/valid.
struct OrderRecord {
  CodeKey code;
  uint8_t billable;
  uint8_t pad[3];
};
static_assert(sizeof(OrderRecord) == 12);

// HCPCS kRows: sorted by code.
struct HcpcsRecord {
  CodeKey code;
  int32_t added;
  int32_t terminated;
};
static_assert(sizeof(HcpcsRecord) == 16);

// POA-exempt, inpatient-only and CPT kRows: sorted codes.
struct CodeRecord {
  CodeKey code;
};
static_assert(sizeof(CodeRecord) == 8);

// MCE kRows: sorted by list, then code.
struct MceRecord {
  uint8_t list;
  uint8_t pad[3];
  CodeKey code;
};
static_assert(sizeof(MceRecord) == 12);

// MCE release kRows: one per code row of the release, sorted by (procedure, code), a
// code's rows kept in release order (CMS takes the first whose dates hold the discharge).
struct MceCodeRecord {
  CodeKey code;
  int32_t start;
  int32_t end;       // kNoEnd: open
  uint64_t flags;    // Bit(MceFlag)
  uint8_t procedure;
  uint8_t pad[7];
};
static_assert(sizeof(MceCodeRecord) == 32);

// MCE release kMceAges and kMceStatuses.
struct MceAgeRecord {
  uint8_t group;     // MceAgeGroup
  uint8_t pad[3];
  int32_t start_age, end_age;
  int32_t start, end;
};
static_assert(sizeof(MceAgeRecord) == 20);
struct MceStatusRecord {
  int32_t code;
  int32_t start, end;
};
static_assert(sizeof(MceStatusRecord) == 12);

// Tabular kRows: one per code with notes (own or inherited), sorted by code; its ranges
// are kRanges[first, first + e1 + e2 + code_first + use_additional) in that order.
struct NotesRecord {
  CodeKey code;
  uint32_t first;
  uint16_t counts[4];  // excludes1, excludes2, code_first, use_additional
};
static_assert(sizeof(NotesRecord) == 20);

struct RangeRecord {
  CodeKey from;
  CodeKey to;
};
static_assert(sizeof(RangeRecord) == 16);

// Tabular kRangeConditions: one per kRanges record, in the same order (CharCondition x 2).
struct RangeConditionRecord {
  uint64_t chars[2];
  uint8_t positions[2];
  uint8_t pad[6];
};
static_assert(sizeof(RangeConditionRecord) == 24);

}  // namespace coderaudit::refdata::detail
