// Every reader against the real files in ../shared/data, with facts checked by hand in
// the files (zcat/grep/unzip -p). Skipped, with a warning, when ../shared/data is absent.
#include <catch2/catch.hpp>

#include <chrono>

#include "audit/model/error.hpp"
#include "audit/refdata/catalogue.hpp"
#include "audit/refdata/index_file.hpp"
#include "audit/refdata/layouts.hpp"
#include "audit/refdata/refdata.hpp"
#include "test_support.hpp"

namespace rd = coderaudit::refdata;
using refdata_test::C;
using refdata_test::D;
using refdata_test::ImportSample;
using refdata_test::TempDir;
using K = rd::TableKind;

#define SHARED_OR_SKIP(var, relative)              \
  const auto var = refdata_test::Shared(relative); \
  if (!var) {                                      \
    WARN("skipped: ../shared/data not found");     \
    return;                                        \
  }

namespace {

// Counts the order-file records flagged billable/valid straight from the index file.
int64_t FlaggedRows(const TempDir& dir, K kind, const std::string& version) {
  namespace d = rd::detail;
  const auto f = d::IndexFile::Open((dir.Path() / d::IndexFileName(kind, version)).string(), kind);
  const auto rows = f->Get(d::SectionId::kRows, sizeof(d::OrderRecord));
  int64_t n = 0;
  for (uint64_t i = 0; i < rows.count; ++i) n += d::Read<d::OrderRecord>(rows, i).billable;
  return n;
}

bool Has(const std::vector<rd::CodeRange>& v, const char* from, const char* to) {
  for (const auto& r : v)
    if (r.from == C(from) && r.to == C(to)) return true;
  return false;
}

}  // namespace

TEST_CASE("The FY2026 ICD-10-CM order file has 98,186 codes of which 74,719 billable",
          "[refdata]") {
  SHARED_OR_SKIP(zip, "icd10/icd10cm_fy2026_code_descriptions.zip");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kIcd10CmOrder, *zip);
  CHECK(r.table.version == "FY2026");
  CHECK(r.table.period_from == D("2025-10-01"));
  CHECK(r.table.rows == 98186);
  CHECK(r.rejects.empty());
  CHECK(FlaggedRows(dir, K::kIcd10CmOrder, "FY2026") == 74719);
  const auto data = rd::LoadRefData(dir.Str());
  const auto on = D("2026-01-15");
  CHECK(data->IcdCmBillable(C("E119"), on));
  CHECK(data->IcdCmKnown(C("E11"), on));
  CHECK_FALSE(data->IcdCmBillable(C("E11"), on));
  CHECK(data->IcdCmBillable(C("QA00101"), on));               // new chapter QA0 in FY2026
  // The long title, as CMS prints it (unzip -p ... | grep ' E119 ').
  CHECK(data->Description(K::kIcd10CmOrder, C("E119"), on) ==
        "Type 2 diabetes mellitus without complications");
  CHECK(data->Description(K::kIcd10CmOrder, C("E11"), on) == "Type 2 diabetes mellitus");
  CHECK_FALSE(data->IcdCmKnown(C("E119"), D("2025-09-30")));  // FY2025 not imported here
}

TEST_CASE("ICD-10-CM FY2025 and FY2026 differ as the FY2026 addenda say", "[refdata]") {
  SHARED_OR_SKIP(fy25, "icd10/icd10cm_fy2025_code_descriptions.zip");
  SHARED_OR_SKIP(fy26, "icd10/icd10cm_fy2026_code_descriptions.zip");
  TempDir dir;
  ImportSample(dir.Str(), K::kIcd10CmOrder, *fy25);
  ImportSample(dir.Str(), K::kIcd10CmOrder, *fy26);
  const auto data = rd::LoadRefData(dir.Str());
  const auto last25 = D("2025-09-30"), first26 = D("2025-10-01");
  // Addenda: "Delete: 1 B880 / Add: 0 B880" (became a header), "Add: 1 B8801".
  CHECK(data->IcdCmBillable(C("B880"), last25));
  CHECK(data->IcdCmKnown(C("B880"), first26));
  CHECK_FALSE(data->IcdCmBillable(C("B880"), first26));
  CHECK_FALSE(data->IcdCmKnown(C("B8801"), last25));
  CHECK(data->IcdCmBillable(C("B8801"), first26));
  CHECK(data->TableFor(K::kIcd10CmOrder, last25)->version == "FY2025");
  CHECK(data->TableFor(K::kIcd10CmOrder, first26)->version == "FY2026");
}

TEST_CASE("The FY2026 ICD-10-PCS order file has 80,029 rows of which 79,115 valid", "[refdata]") {
  SHARED_OR_SKIP(zip, "icd10/icd10pcs_fy2026_order.zip");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kIcd10PcsOrder, *zip);
  CHECK(r.table.rows == 80029);
  CHECK(r.rejects.empty());
  CHECK(FlaggedRows(dir, K::kIcd10PcsOrder, "FY2026") == 79115);
  const auto data = rd::LoadRefData(dir.Str());
  CHECK(data->IcdPcsValid(C("0016070"), D("2026-03-01")));
  CHECK_FALSE(data->IcdPcsValid(C("001"), D("2026-03-01")));
}

TEST_CASE("The FY2026 POA-exempt list has 38,349 codes", "[refdata]") {
  SHARED_OR_SKIP(zip, "icd10/poa_exempt_fy2026.zip");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kPoaExempt, *zip);
  CHECK(r.table.rows == 38349);
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  const auto on = D("2026-01-01");
  CHECK(data->PoaExempt(C("B900"), on));        // first row of POAexemptCodesFY26.txt
  CHECK(data->PoaExempt(C("Q8787"), on));       // in POAexemptAddCodesFY26.txt
  CHECK_FALSE(data->PoaExempt(C("Q898"), on));  // in POAexemptDeleteCodesFY26.txt
  CHECK_FALSE(data->PoaExempt(C("E119"), on));
}

TEST_CASE("The tabular XML gives Excludes1 and code-first ranges with inheritance", "[refdata]") {
  SHARED_OR_SKIP(xml, "icd10/icd10cm_tabular_fy2021.xml.gz");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kIcd10CmTabular, *xml);
  CHECK(r.table.rows == 45017);  // <diag> elements, 245 of them placeholders
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());

  // E08: "type 1 diabetes mellitus (E10.-)", "gestational diabetes (O24.4-)",
  // code first "malignant neoplasm (C00-C96)", "pancreatitis ... (K85-K86.-)".
  const rd::TabularNotes* e08 = data->Notes(C("E08"));
  REQUIRE(e08);
  CHECK(Has(e08->excludes1, "E10", "E10"));
  CHECK(Has(e08->excludes1, "E11", "E11"));
  CHECK(Has(e08->excludes1, "O244", "O244"));
  CHECK(Has(e08->excludes1, "P702", "P702"));
  CHECK(Has(e08->code_first, "C00", "C96"));
  CHECK(Has(e08->code_first, "K85", "K86"));
  CHECK(Has(e08->use_additional, "Z794", "Z794"));
  // Chapter 4's "(P70-P74)" is inherited.
  CHECK(Has(e08->excludes1, "P70", "P74"));

  // D00.0: Excludes1 "carcinoma in situ of skin of lip (D03.0, D04.0)" -> two codes.
  const rd::TabularNotes* d000 = data->Notes(C("D000"));
  REQUIRE(d000);
  CHECK(Has(d000->excludes1, "D030", "D030"));
  CHECK(Has(d000->excludes1, "D040", "D040"));
  CHECK(Has(d000->excludes1, "D020", "D020"));
  CHECK(Has(d000->use_additional, "F17", "F17"));

  // G63: Excludes1 "diabetes mellitus (E08-E13 with .42)" -> E08.42 ... E13.42, one by one;
  // Q61.4: "(Q61.11-Q61.3)", bounds of different lengths, covers Q61.2 but not Q61.4.
  const rd::TabularNotes* g63 = data->Notes(C("G63"));
  REQUIRE(g63);
  CHECK(Has(g63->excludes1, "E0842", "E0842"));
  CHECK(Has(g63->excludes1, "E1342", "E1342"));
  const rd::TabularNotes* q614 = data->Notes(C("Q614"));
  REQUIRE(q614);
  CHECK(Has(q614->excludes1, "Q6111", "Q613"));

  // I10 inherits chapter 9's Excludes2 "(O00-O9A)", which covers O9A.11.
  const rd::TabularNotes* i10 = data->Notes(C("I10"));
  REQUIRE(i10);
  CHECK(Has(i10->excludes2, "O00", "O9A"));
  bool covers = false;
  for (const auto& range : i10->excludes2) covers |= range.Contains(C("O9A11"));
  CHECK(covers);

  // I52 code first "schistosomiasis (B65.0-B65.9)".
  CHECK(Has(data->Notes(C("I52"))->code_first, "B650", "B659"));
  // A code deeper than any stored entry finds its category's notes.
  const rd::TabularNotes* e1165 = data->Notes(C("E1165"));
  REQUIRE(e1165);
  CHECK(Has(e1165->excludes1, "E10", "E10"));
}

TEST_CASE("HCPCS attributes give 8,033 codes valid between added and terminated dates",
          "[refdata]") {
  SHARED_OR_SKIP(csv, "hcpcs/hcpcs_level2_2024q3_attributes.csv");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kHcpcs, *csv);
  CHECK(r.table.rows == 8033);
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  CHECK(data->HcpcsValid(C("A0021"), D("2024-08-01")));
  // C9060: added 2020-10-01, terminated 2020-12-31. The file's own dates answer for
  // older dates of service.
  CHECK_FALSE(data->HcpcsValid(C("C9060"), D("2024-08-01")));
  CHECK(data->HcpcsValid(C("C9060"), D("2020-12-31")));
  CHECK_FALSE(data->HcpcsValid(C("C9060"), D("2020-09-30")));
}

TEST_CASE("The real 2024 CPT code list: every row taken, its year inferred from the name",
          "[refdata]") {
  SHARED_OR_SKIP(csv, "hcpcs/cpt_codes_only_2024.csv");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kCpt, *csv);
  CHECK(r.table.rows == 10985);
  CHECK(r.rejects.empty());
  CHECK(r.table.version == "2024");
  CHECK(r.table.period_from == D("2024-01-01"));
  CHECK(r.table.period_to == D("2024-12-31"));
  const auto data = rd::LoadRefData(dir.Str());
  for (const char* valid : {"99213", "0001U", "0503T", "0001F", "0001A", "33533"})
    CHECK(data->CptValid(C(valid), D("2024-08-01")));
  CHECK_FALSE(data->CptValid(C("99201"), D("2024-08-01")));  // deleted 2021
  CHECK_FALSE(data->CptValid(C("99213"), D("2025-01-02")));  // no list in force
}

TEST_CASE("Real MUE values and MAIs for 20610 and 96372", "[refdata]") {
  SHARED_OR_SKIP(prac, "ncci/ncci_mue_practitioner_2024q3.csv");
  SHARED_OR_SKIP(op, "ncci/ncci_mue_outpatient_hospital_2024q3.csv");
  SHARED_OR_SKIP(dme, "ncci/ncci_mue_dme_2024q3.csv");
  TempDir dir;
  CHECK(ImportSample(dir.Str(), K::kMuePractitioner, *prac).table.rows == 14677);
  CHECK(ImportSample(dir.Str(), K::kMueOutpatient, *op).table.rows == 14628);
  CHECK(ImportSample(dir.Str(), K::kMueDme, *dme).table.rows == 2928);
  const auto data = rd::LoadRefData(dir.Str());
  const auto dos = D("2024-08-01");
  const rd::MueEdit* a = data->FindMue(rd::MueSetting::kPractitioner, C("20610"), dos);
  REQUIRE(a);
  CHECK(a->units == 2);
  CHECK(a->mai == 3);
  CHECK(a->rationale == "Clinical: Data");
  const rd::MueEdit* b = data->FindMue(rd::MueSetting::kPractitioner, C("96372"), dos);
  REQUIRE(b);
  CHECK(b->units == 4);
  CHECK(b->mai == 3);
  const rd::MueEdit* c = data->FindMue(rd::MueSetting::kOutpatientHospital, C("96372"), dos);
  REQUIRE(c);
  CHECK(c->units == 5);
  CHECK(data->FindMue(rd::MueSetting::kPractitioner, C("0001U"), dos)->mai == 2);
  // A DME file imported as practitioner is all rejects.
  CHECK_THROWS_AS(ImportSample(dir.Str(), K::kMuePractitioner, *dme), coderaudit::InputError);
}

TEST_CASE("Real add-on edits: 99292 needs 99291 (type 1)", "[refdata]") {
  SHARED_OR_SKIP(csv, "ncci/ncci_add_on_codes_2024q3.csv");
  TempDir dir;
  CHECK(ImportSample(dir.Str(), K::kAddOn, *csv).table.rows == 7465);
  const auto data = rd::LoadRefData(dir.Str());
  const auto dos = D("2024-08-01");
  const auto crit = data->AddOnFor(C("99292"), dos);
  REQUIRE(crit.size() == 1);
  CHECK(crit[0].primary == C("99291"));
  CHECK(crit[0].type == 1);
  const auto any = data->AddOnFor(C("0054T"), dos);
  REQUIRE(any.size() == 1);
  CHECK_FALSE(any[0].primary);
  CHECK(any[0].type == 2);
  const auto screening = data->AddOnFor(C("96160"), dos);
  CHECK(screening.size() == 101);
  bool office = false;
  for (const auto& e : screening) office |= e.primary == C("99213") && e.type == 3;
  CHECK(office);
}

TEST_CASE("MCE v37 lists each hold their hand-checked members", "[refdata]") {
  SHARED_OR_SKIP(tsv, "mce/mce_v37_fy2020_code_edits.tsv");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kMce, *tsv);
  CHECK(r.table.version == "v37");
  CHECK(r.table.rows == 14153);
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  const auto on = D("2020-03-01");
  using L = rd::MceList;
  const std::vector<std::pair<L, const char*>> members = {
      {L::kNewborn, "A33"},
      {L::kPediatric, "A4851"},
      {L::kMaternity, "O80"},
      {L::kAdult, "A1814"},
      {L::kFemaleDx, "O80"},
      {L::kFemalePx, "0UT90ZZ"},
      {L::kMaleDx, "A1814"},
      {L::kMalePx, "0VT00ZZ"},
      {L::kManifestation, "D630"},
      {L::kUnacceptablePrincipal, "Z3A39"},
      {L::kQuestionableAdmission, "E119"},
      {L::kNonCoveredProcedure, "00F3XZZ"},
      {L::kLimitedCoverage, "02HA0QZ"},
      {L::kNonCoveredOver60, "0SR20JZ"},
      {L::kWrongProcedure, "Y6551"},
      {L::kNonCoveredLos96Hours, "5A1955Z"},
  };
  for (const auto& [list, code] : members) {
    INFO(rd::ToString(list) << " " << code);
    CHECK(data->InMceList(list, C(code), on));
  }
  CHECK_FALSE(data->InMceList(L::kMaleDx, C("O80"), on));
  CHECK_FALSE(data->InMceList(L::kNewborn, C("A33"), D("2020-10-01")));  // FY2021: none
}

TEST_CASE("MCE v41.1 lists read from the CSV with dotted codes", "[refdata]") {
  SHARED_OR_SKIP(csv, "mce/mce_v41_1_fy2024_code_edits.csv");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kMce, *csv);
  CHECK(r.table.version == "v41.1");
  CHECK(r.table.rows == 7946);
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  const auto on = D("2024-01-10");
  CHECK(data->InMceList(rd::MceList::kNewborn, C("E8411"), on));
  CHECK(data->InMceList(rd::MceList::kMaternity, C("O80"), on));
  CHECK(data->InMceList(rd::MceList::kFemaleDx, C("O80"), on));
  CHECK(data->InMceList(rd::MceList::kMaleDx, C("N400"), on));
  CHECK(data->InMceList(rd::MceList::kAdult, C("N400"), on));
  CHECK(data->InMceList(rd::MceList::kManifestation, C("D630"), on));
  CHECK_FALSE(data->InMceList(rd::MceList::kFemaleDx, C("N400"), on));
}

TEST_CASE("The full practitioner PTP imports 2,546,017 pairs and answers real pairs",
          "[refdata][.slow]") {
  SHARED_OR_SKIP(gz, "ncci/ncci_ptp_practitioner_2024q3.tsv.gz");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kPtpPractitioner, *gz);
  CHECK(r.table.rows == 2546017);
  CHECK(r.rejects.empty());
  const auto t0 = std::chrono::steady_clock::now();
  const auto data = rd::LoadRefData(dir.Str());
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(load_s < 1.0);
  const auto prac = rd::PtpSetting::kPractitioner;

  // "0001A 0591T 20231231 1 CPT Manual or CMS manual coding instruction"
  const rd::PtpEdit* a = data->FindPtp(prac, C("0001A"), C("0591T"), D("2023-12-31"));
  REQUIRE(a);
  CHECK(a->modifier_indicator == 1);
  CHECK(a->deleted == D("2023-12-31"));
  CHECK(a->rationale == "CPT Manual or CMS manual coding instruction");
  CHECK_FALSE(data->FindPtp(prac, C("0001A"), C("0591T"), D("2024-08-01")));

  // "0007U 0328U * 1 Misuse..." and "0007U 0328U 20230630 0 HCPCS/CPT procedure code
  // definition": one row per date.
  const rd::PtpEdit* now = data->FindPtp(prac, C("0007U"), C("0328U"), D("2024-08-01"));
  REQUIRE(now);
  CHECK(now->modifier_indicator == 1);
  CHECK(now->rationale == "Misuse of Column Two code with Column One code");
  const rd::PtpEdit* then = data->FindPtp(prac, C("0007U"), C("0328U"), D("2023-03-01"));
  REQUIRE(then);
  CHECK(then->modifier_indicator == 0);
  CHECK(then->rationale == "HCPCS/CPT procedure code definition");

  // "29881 29877 * 0" (and an older "20020101 9" row).
  const rd::PtpEdit* knee = data->FindPtp(prac, C("29881"), C("29877"), D("2024-08-01"));
  REQUIRE(knee);
  CHECK(knee->modifier_indicator == 0);
  CHECK(data->FindPtp(prac, C("29881"), C("29877"), D("2001-12-31"))->modifier_indicator == 9);

  // "88108 88162 19960101 9" twice, with two rationales: both rows, same interval.
  size_t rows = 0;
  for (const auto& e : data->PtpByColumn1(prac, C("88108"), D("1995-06-01")))
    rows += e.column2 == C("88162");
  CHECK(rows == 2);
  CHECK(data->PtpByColumn1(prac, C("11010"), D("2024-08-01")).size() > 500);
}

TEST_CASE("The full outpatient hospital PTP imports 1,775,818 pairs", "[refdata][.slow]") {
  SHARED_OR_SKIP(gz, "ncci/ncci_ptp_outpatient_hospital_2024q3.tsv.gz");
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kPtpOutpatient, *gz);
  CHECK(r.table.rows == 1775818);
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str());
  const rd::PtpEdit* e =
      data->FindPtp(rd::PtpSetting::kOutpatientHospital, C("0007U"), C("0328U"), D("2024-08-01"));
  REQUIRE(e);
  CHECK(e->modifier_indicator == 1);
  CHECK_FALSE(
      data->FindPtp(rd::PtpSetting::kPractitioner, C("0007U"), C("0328U"), D("2024-08-01")));
}
