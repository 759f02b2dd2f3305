#pragma once
// Readers for the official table layouts (../shared/data/MANIFEST.md). Each reads one
// source (plain, gzip or ZIP member, see source.hpp) into plain rows; a malformed row
// becomes a Reject (file, line, field, reason, raw text) and reading goes on. A file
// whose header does not match the layout at all is an InputError: nothing is imported.
#include <optional>
#include <string>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/model/reject.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/refdata/source.hpp"

namespace coderaudit::refdata::detail {

struct PtpRow {
  Code column1, column2;
  std::optional<Date> effective, deleted;
  uint8_t modifier = 0;
  uint16_t rationale = 0;  // index into PtpRows::rationales
};
struct PtpRows {
  std::vector<PtpRow> rows;
  std::vector<std::string> rationales;
  bool had_effective_column = false;
};
// NCCI PTP TSV: column1, column2, [effective_date,] deletion_date ('*' = none),
// modifier (0/1/9), rationale.
PtpRows ReadPtp(Source& src, std::vector<Reject>& rejects);

struct MueRow {
  Code code;
  uint32_t units = 0;
  uint8_t mai = 1;
  uint16_t rationale = 0;
};
struct MueRows {
  std::vector<MueRow> rows;
  std::vector<std::string> rationales;
};
// MUE CSV: hcpcs_code, mue_units, mue_mai, [mue_rationale], [mue_service]. A service
// column that names another setting than `kind` rejects the row (wrong file imported).
MueRows ReadMue(Source& src, TableKind kind, std::vector<Reject>& rejects);

struct AddOnRow {
  Code add_on;
  std::optional<Code> primary;  // nullopt for CCCCC
  uint8_t type = 1;
};
// Add-on CSV: primary_code, add_on_code, aoc_edit_type.
std::vector<AddOnRow> ReadAddOn(Source& src, std::vector<Reject>& rejects);

struct OrderRow {
  Code code;
  bool billable = false;
  std::string description;  // long title (columns 78-), else the short one (17-76); may be ""
};
// CMS order file (fixed width): order number 1-5, code 7-13, flag 15, titles after.
// kind selects the code shape check (ICD-10-CM or ICD-10-PCS).
std::vector<OrderRow> ReadOrder(Source& src, TableKind kind, std::vector<Reject>& rejects);

struct HcpcsRow {
  Code code;
  std::optional<Date> added, terminated;
  std::string description;  // long description, else short; empty when the file has neither
};
// HCPCS attributes CSV: hcpcs_code, [date_added], [date_term], [long_description],
// [short_description] (CMS's HCPCS file names them "LONG DESCRIPTION", "SHORT DESCRIPTION"),
// other columns ignored.
std::vector<HcpcsRow> ReadHcpcs(Source& src, std::vector<Reject>& rejects);

// POA-exempt list (tab-delimited, a POAexemptCode column), the inpatient-only list or
// the CPT list (CSV with a code / hcpcs_code / cpt_code column, or no header: codes in
// column 1; the CPT list takes CPT codes only).
std::vector<Code> ReadCodeList(Source& src, TableKind kind, std::vector<Reject>& rejects);

struct MceRow {
  MceList list;
  Code code;
};
// MCE v37 TSV (MCE_Edit_Type + ICD_Code_Type D/P) or v41.1 CSV (icd_conflict_group /
// icd_conflict_rule, codes with dots), told apart by the header.
std::vector<MceRow> ReadMce(Source& src, std::vector<Reject>& rejects);

// Code shapes, after removing dots and upper-casing.
std::optional<Code> ParseHcpcsCode(std::string_view text);   // 5 characters
std::optional<Code> ParseIcdCmCode(std::string_view text);   // letter + 2..6 alnum
std::optional<Code> ParseIcdPcsCode(std::string_view text);  // 3..7 characters

}  // namespace coderaudit::refdata::detail
