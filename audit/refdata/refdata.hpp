#pragma once
// Official reference tables (CMS/CDC layouts in ../shared/data/MANIFEST.md), versioned
// by the period they apply to, indexed for lookups on the hot path. This header is the
// contract between the importer/index (audit/refdata) and the table-backed rule checks
// (rules/). It may grow additively; never change the meaning of what is here.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/date.hpp"
#include "audit/model/reject.hpp"

namespace coderaudit::refdata {

enum class TableKind : uint8_t {
  kIcd10CmOrder,      // CMS order file (from the zip): all codes, billable flag
  kIcd10PcsOrder,     // ICD-10-PCS order file
  kHcpcs,             // HCPCS Level II attributes (codes, added/terminated dates)
  kPtpPractitioner,   // NCCI PTP, practitioner
  kPtpOutpatient,     // NCCI PTP, outpatient hospital
  kMuePractitioner,
  kMueOutpatient,
  kMueDme,
  kAddOn,             // NCCI add-on code edits
  kMce,               // MCE code lists (v37 TSV or v41.1 CSV layout)
  kPoaExempt,         // POA-exempt diagnosis list
  kIcd10CmTabular,    // CDC tabular XML: Excludes1/2, code first, use additional
  kInpatientOnly,     // user-supplied inpatient-only procedure list (CSV: code)
  kMceRelease,        // the CMS MCE release's own tables (mce.bin in the MCE jar): every
                      // ICD-10 code with its dated attribute flags, age ranges, statuses
  kCpt,               // CPT code values valid in the table's period (CSV: cpt_code); no
                      // descriptors (AMA)
};
std::string_view ToString(TableKind k);           // "ptp-practitioner", ...
std::optional<TableKind> ParseTableKind(std::string_view s);

// One loaded table version: what `refdata list` prints and rules cite.
struct TableVersion {
  TableKind kind;
  std::string version;        // e.g. "2024Q3", "FY2026", "v41.1"
  Date period_from;           // first date of service / discharge it applies to
  std::optional<Date> period_to;
  std::string source_path;
  std::string sha256;
  int64_t rows = 0, rejected = 0;
};

enum class PtpSetting : uint8_t { kPractitioner, kOutpatientHospital };
enum class MueSetting : uint8_t { kPractitioner, kOutpatientHospital, kDme };

struct PtpEdit {
  Code column1, column2;
  std::optional<Date> effective;   // absent in the shipped copy: no lower bound (in force
                                   // since before the file's history; see refdata/README.md)
  std::optional<Date> deleted;     // last date the pair applies ('*' = none)
  uint8_t modifier_indicator = 0;  // 0 never bypassable, 1 NCCI-associated modifier, 9 n/a
  std::string_view rationale;
  const TableVersion* table = nullptr;
  bool ActiveOn(Date dos) const;
};

struct MueEdit {
  Code code;
  uint32_t units = 0;
  uint8_t mai = 1;                 // 1 line, 2 DOS policy, 3 DOS clinical
  std::string_view rationale;
  const TableVersion* table = nullptr;
};

struct AddOnEdit {
  Code add_on;
  std::optional<Code> primary;     // nullopt for CCCCC (any primary per instruction)
  uint8_t type = 1;                // 1, 2, 3
  const TableVersion* table = nullptr;
};

// MCE lists (EDITS.md § MCE). Age/sex lists apply to diagnoses; some to procedures.
enum class MceList : uint8_t {
  kNewborn, kPediatric, kMaternity, kAdult, kFemaleDx, kMaleDx, kFemalePx, kMalePx,
  kManifestation, kUnacceptablePrincipal, kQuestionableAdmission, kNonCoveredProcedure,
  kLimitedCoverage, kNonSpecificPrincipal,
  // Added by the importer (v37 edit types with no list above; appended, order kept):
  kNonCoveredOver60,      // Noncovered_Over60: procedures non-covered for age > 60
  kWrongProcedure,        // Wrong_Performed: "wrong procedure performed" diagnoses
  kNonCoveredLos96Hours,  // Noncovered_LOS_96hr: non-covered unless length of stay >= 96 h
};
std::string_view ToString(MceList l);               // "female-dx", "newborn", ...
std::optional<MceList> ParseMceList(std::string_view s);  // inverse of ToString

// Attributes ("flags") the CMS MCE release gives ICD-10 codes, with the spelling mce.bin
// uses. A code's row in the release holds a set of them for a date range; the MCE edits
// are defined on them (rules/checks/mce_editor.cpp). Values are bit positions: append only.
enum class MceFlag : uint8_t {
  kFemale, kMale, kNonSpecific, kNcov6, kNcov7, kNcovZ302, kNcov2, kNcov3,
  kAdult, kClinicalTrial, kDeliveryOutcome, kExternalCausePrincipal, kMaternity,
  kDiabetesType1, kNewborn, kPediatric, kQuestionableAdmission, kRequiresSecondary,
  kUnacceptable, kWrongProcedure, kUnspecified, kMedicareSecondaryPayer, kMdc08,
  kNcov4, kNcov5, kNcov2AgeLt78, kNcov2AgeLt64, kNcov89, kManifestation,
  kArtificialHeartA, kArtificialHeartB, kCesarean, kLimitedCoverage, kLengthOfStay,
  kNonCovered, kKidneyTransplant, kPancreasTransplant, kNcovAgeOver60, kVaginalDelivery,
  kBiopsy, kBilateral, kOrProcedure, kNcov8, kNcov9, kLcovArtificialHeart,
  kLcovKidneyTransplant, kLcovPancreasTransplant, kLcovLvrs, kLcovLungTransplant,
  kLcovHeartLungTransplant, kLcovHeartTransplant, kLcovHeartSystem,
  kLcovIntestineTransplant, kLcovLiverTransplant, kLcovOther, kNcov10a, kNcov10b,
  kNcov10c, kNcov11, kNcov13a, kNcov13b, kNcov45a,
};
constexpr uint64_t Bit(MceFlag f) { return uint64_t{1} << static_cast<uint8_t>(f); }
std::string_view ToString(MceFlag f);                    // "female", "ncov_z302", ...
std::optional<MceFlag> ParseMceFlag(std::string_view s);  // inverse of ToString
// Flags the release may carry that no MCE edit reads (grouper attributes): accepted and
// not stored.
bool IgnoredMceFlag(std::string_view s);

enum class MceAgeGroup : uint8_t { kAdult, kMaternity, kNewborn, kPediatric };
std::string_view ToString(MceAgeGroup g);                // "Adult", ...
struct MceAgeRange {
  int start_age = 0, end_age = 0;
};

// Inclusive; bounds may differ in length ("Q61.11-Q61.3"): a code is inside when its first
// len(bound) characters lie between the bounds, and a code shorter than a bound (a
// header above it) only when every code below it is.
// A qualifier of a note's range on the code's characters ("with fifth or sixth character
// 5", "with 7th character B or C"): the character at one of `positions` (bit p-1 for the
// 1-based position p) is one of `chars` (bit 0-9 for '0'-'9', 10-35 for 'A'-'Z').
struct CharCondition {
  uint8_t positions = 0;  // 0: no condition
  uint64_t chars = 0;
  bool operator==(const CharCondition&) const = default;
};
struct CodeRange {
  Code from, to;
  std::array<CharCondition, 2> where{};  // every condition in use holds
  bool Contains(const Code& c) const;
};

struct TabularNotes {              // one <diag> of the tabular XML, inherited notes merged
  std::vector<CodeRange> excludes1, excludes2, code_first, use_additional;
};

// Immutable after load; every lookup is thread-safe and allocation-free.
class RefData {
 public:
  virtual ~RefData() = default;
  virtual std::vector<TableVersion> Tables() const = 0;
  // The table version in force for `kind` on `on` (DOS, or discharge date for ICD/MCE).
  virtual const TableVersion* TableFor(TableKind kind, Date on) const = 0;

  virtual const PtpEdit* FindPtp(PtpSetting s, const Code& column1, const Code& column2,
                                 Date dos) const = 0;
  // All active pairs whose column 1 is `column1` (for pairing within an encounter),
  // sorted by column 2.
  virtual std::span<const PtpEdit> PtpByColumn1(PtpSetting s, const Code& column1,
                                                Date dos) const = 0;
  virtual const MueEdit* FindMue(MueSetting s, const Code& code, Date dos) const = 0;
  virtual std::span<const AddOnEdit> AddOnFor(const Code& add_on, Date dos) const = 0;

  // ICD-10-CM validity for the fiscal year of `on`: known at all / billable (not a header).
  virtual bool IcdCmKnown(const Code& code, Date on) const = 0;
  virtual bool IcdCmBillable(const Code& code, Date on) const = 0;
  virtual bool IcdPcsValid(const Code& code, Date on) const = 0;
  virtual bool HcpcsValid(const Code& code, Date on) const = 0;
  // In the CPT list in force on `on` (CPT codes: a digit first, as 99213, 0001U, 1234F).
  virtual bool CptValid(const Code& code, Date on) const = 0;
  virtual bool InMceList(MceList list, const Code& code, Date on) const = 0;
  virtual bool PoaExempt(const Code& code, Date on) const = 0;
  virtual bool InpatientOnly(const Code& code, Date on) const = 0;
  // Notes that apply to `code` (its own and its ancestors'); nullptr if none.
  virtual const TabularNotes* Notes(const Code& code) const = 0;

  // The code's description in the `kind` table in force on `on` (icd10cm-order, icd10pcs-order:
  // the long title, else the short one; hcpcs: the long description, else the short one),
  // for people looking a code up. Empty when the code is not in that table, the table
  // was imported without descriptions (or before they were kept), or for other kinds. Read
  // and verified from the mapped index only when asked: loading and the rule checks never
  // touch it. InputError naming the index when its descriptions are damaged.
  virtual std::string_view Description(TableKind kind, const Code& code, Date on) const {
    (void)kind, (void)code, (void)on;
    return {};
  }

  // The CMS MCE release in force on `on` (kind mce-release; TableFor tells whether one
  // is). The code's flags on that date (the first of its rows whose dates hold `on`, as
  // CMS's MceComponent picks), or nullopt when the code is not valid on that date.
  virtual std::optional<uint64_t> MceCodeFlags(bool procedure, const Code& code,
                                               Date on) const {
    (void)procedure, (void)code, (void)on;
    return std::nullopt;
  }
  // The age range of an MCE age group on `on` (maternity was 12-55 before FY2020).
  virtual std::optional<MceAgeRange> MceAges(MceAgeGroup group, Date on) const {
    (void)group, (void)on;
    return std::nullopt;
  }
  // Whether `status` is a patient discharge status the release accepts on `on`.
  virtual bool MceDischargeStatusValid(int status, Date on) const {
    (void)status, (void)on;
    return false;
  }
};

// Importing: read an official file into the reference store (a directory holding one
// compact indexed file per table version plus a catalogue). Malformed rows are rejects.
struct ImportResult {
  TableVersion table;
  std::vector<Reject> rejects;
};
ImportResult ImportTable(const std::string& refdata_dir, TableKind kind,
                         const std::string& source_path, const std::string& version,
                         Date period_from, std::optional<Date> period_to);

// A table manifest (samples/packs/tables.tsv): one table per line, tab-separated kind,
// version, from, to (empty: open) and path (relative to the manifest's directory); '#'
// lines and blank lines are comments. InputError naming file:line for a malformed line.
struct ManifestEntry {
  TableKind kind;
  std::string version;
  Date from;
  std::optional<Date> to;
  std::string path;
};
std::vector<ManifestEntry> ReadTableManifest(const std::string& manifest_path);

// Loads every table in the directory (memory-mapped; well under a second for PTP).
std::shared_ptr<const RefData> LoadRefData(const std::string& refdata_dir);

}  // namespace coderaudit::refdata
