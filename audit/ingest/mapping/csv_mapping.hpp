#pragma once
// Reading an arbitrary delimited export (EHR / abstracting / billing system) through a
// mapping file that says which column holds what: schemas/csv-mapping.md.
// Two layouts: one row per code (like the encounter CSV) or one row per encounter with
// repeated columns (DX1..DX25, PROC1..PROC25, CPT1..CPT10).
//
// Records are rows: records_read == processed + rejected rows; encounters as in the CSV
// layout. Reject::line is the physical line where the row starts and Reject::field the
// source column name.
#include <array>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/model/date.hpp"
#include "audit/model/hash.hpp"

namespace coderaudit::ingest {

enum class MappingLayout : uint8_t { kRowPerCode, kRowPerEncounter };

// Where one canonical field comes from.
struct FieldSource {
  std::string column;    // source column name; in repeat groups may contain "{n}"
  std::string constant;  // used when `column` is empty and `has_constant`
  bool has_constant = false;
  std::map<std::string, std::string> values;  // source value -> canonical value
  std::string date_format;                    // date fields only; "" = the mapping's default
  bool Mapped() const { return !column.empty() || has_constant; }
};

// Canonical fields, named as the columns of schemas/encounters-csv.md.
enum MappedField : size_t {
  kMfEncounterId, kMfPatientId, kMfSex, kMfBirthDate, kMfFromDate, kMfThroughDate,
  kMfClaimType, kMfProviderId, kMfCoderId, kMfPayer, kMfDrg, kMfDischargeStatus,
  kMfCodeType, kMfSeq, kMfCode, kMfPoa, kMfModifiers, kMfUnits, kMfServiceDate, kMfCharge,
  kMfCount
};
std::string_view MappedFieldName(MappedField f);

// Line fields of one repeated column group ("DX{n}", n = 1..count).
struct RepeatGroup {
  CodeType type = CodeType::kDiagnosis;
  int count = 0;
  std::array<FieldSource, kMfCount> fields;       // only line fields are used
  std::vector<FieldSource> modifier_columns;       // one modifier per column, in order
};

struct CsvMapping {
  std::string name;  // the mapping file, for messages
  char delimiter = ',';
  char quote = '"';
  MappingLayout layout = MappingLayout::kRowPerCode;
  std::string date_format = "YYYY-MM-DD";
  std::array<FieldSource, kMfCount> fields;
  std::vector<FieldSource> modifier_columns;  // row per code: one modifier per column
  std::vector<RepeatGroup> repeats;           // row per encounter
};

// Parses and checks a mapping file (JSON). InputError names the problem.
CsvMapping ParseCsvMapping(std::string_view json, const std::string& display_name);
// Reads (at most 1 MiB) and parses; `digest`, when given, is of exactly the bytes parsed.
CsvMapping LoadCsvMapping(const std::string& path, FileDigest* digest = nullptr);

// Throws InputError when the header row lacks a mapped column.
IngestCounts ReadMappedCsv(std::istream& in, const std::string& file_name, const CsvMapping& mapping,
                           const IngestSink& sink);
IngestCounts ReadMappedCsvFile(const std::string& path, const CsvMapping& mapping,
                               const IngestSink& sink);

// Date layouts such as "MM/DD/YYYY", "M/D/YYYY", "DD.MM.YYYY", "YYYYMMDD", "YYYY-MM-DD":
// tokens YYYY, MM, M, DD, D and literal separators. MM/DD accept one or two digits when a
// separator follows. A time part after the date (" 0:00", "T10:30:00") is ignored.
bool ValidDateFormat(std::string_view format);
std::optional<Date> ParseDateWithFormat(std::string_view text, std::string_view format);

}  // namespace coderaudit::ingest
