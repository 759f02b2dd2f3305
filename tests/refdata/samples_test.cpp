// The synthetic tables in samples/refdata/: every reader, the store and the versioning,
// without ../shared.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "audit/refdata/catalogue.hpp"
#include "audit/refdata/index_file.hpp"
#include "audit/refdata/refdata.hpp"
#include "test_support.hpp"

namespace rd = coderaudit::refdata;
using refdata_test::C;
using refdata_test::D;
using refdata_test::ImportSample;
using refdata_test::Sample;
using refdata_test::TempDir;
using K = rd::TableKind;

namespace {

// One loaded directory with every sample table, shared by the read-only tests.
std::shared_ptr<const rd::RefData> AllSamples(TempDir& dir) {
  refdata_test::ImportAllSamples(dir.Str());
  return rd::LoadRefData(dir.Str());
}

}  // namespace

TEST_CASE("Every sample table imports without rejects and is listed with its period", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const auto tables = data->Tables();
  CHECK(tables.size() == 14);
  for (const auto& t : tables) {
    INFO(rd::ToString(t.kind) << " " << t.version);
    CHECK(t.rejected == 0);
    CHECK(t.rows > 0);
    CHECK(t.sha256.size() == 64);
  }
  const rd::TableVersion* ptp = data->TableFor(K::kPtpPractitioner, D("2024-05-01"));
  REQUIRE(ptp);
  CHECK(ptp->version == "2024");
  CHECK(ptp->rows == 30);
  CHECK(ptp->period_from == D("2024-01-01"));
  CHECK(ptp->period_to == D("2024-12-31"));
}

TEST_CASE("PTP lookups honour deletion dates, history rows and the claim setting", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const auto prac = rd::PtpSetting::kPractitioner;

  const rd::PtpEdit* e = data->FindPtp(prac, C("29881"), C("29877"), D("2024-08-01"));
  REQUIRE(e);
  CHECK(e->modifier_indicator == 0);
  CHECK(e->rationale == "Misuse of Column Two code with Column One code");
  CHECK_FALSE(e->deleted);
  // The re-added row starts the day after the older row's deletion.
  CHECK(e->effective == D("2002-01-02"));
  REQUIRE(e->table);
  CHECK(e->table->version == "2024");

  // The older row (deleted 2002-01-01, indicator 9) still applies to older dates.
  const rd::PtpEdit* old = data->FindPtp(prac, C("29881"), C("29877"), D("2001-06-30"));
  REQUIRE(old);
  CHECK(old->modifier_indicator == 9);
  CHECK(old->deleted == D("2002-01-01"));

  // Deleted 2024-06-30: applies through that day, not after.
  CHECK(data->FindPtp(prac, C("97140"), C("97110"), D("2024-06-30")));
  CHECK_FALSE(data->FindPtp(prac, C("97140"), C("97110"), D("2024-07-01")));

  // Order matters: column 1 / column 2.
  CHECK_FALSE(data->FindPtp(prac, C("29877"), C("29881"), D("2024-08-01")));

  // The outpatient table is separate.
  CHECK_FALSE(
      data->FindPtp(rd::PtpSetting::kOutpatientHospital, C("29881"), C("99213"), D("2024-08-01")));
  CHECK(data->FindPtp(prac, C("29881"), C("99213"), D("2024-08-01")));

  // After every loaded period there is no table in force.
  CHECK_FALSE(data->FindPtp(prac, C("29881"), C("29877"), D("2025-02-01")));
}

TEST_CASE("PtpByColumn1 returns exactly the pairs active on the date, sorted by column 2",
          "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const auto prac = rd::PtpSetting::kPractitioner;
  const auto now = data->PtpByColumn1(prac, C("29881"), D("2024-08-01"));
  std::vector<std::string> col2;
  for (const auto& p : now) {
    CHECK(p.column1 == C("29881"));
    CHECK(p.ActiveOn(D("2024-08-01")));
    col2.push_back(p.column2.Str());
  }
  CHECK(col2 == std::vector<std::string>{"20610", "29877", "96372", "99213"});

  // 20610 has a row deleted 2019-12-31 and a live row for 99213: one of them per date.
  const auto before = data->PtpByColumn1(prac, C("20610"), D("2019-06-01"));
  const auto after = data->PtpByColumn1(prac, C("20610"), D("2024-06-01"));
  CHECK(before.size() == 3);
  CHECK(after.size() == 3);
  CHECK(data->PtpByColumn1(prac, C("12345"), D("2024-06-01")).empty());

  // The same interval hands out the same storage: no per-call copies.
  CHECK(data->PtpByColumn1(prac, C("29881"), D("2024-09-01")).data() == now.data());
}

TEST_CASE("PTP lookups from several threads agree", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  std::vector<const rd::PtpEdit*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        seen[t] =
            data->FindPtp(rd::PtpSetting::kPractitioner, C("45385"), C("45380"), D("2024-03-03"));
    });
  for (auto& th : threads) th.join();
  for (const auto* p : seen) CHECK(p == seen[0]);
  REQUIRE(seen[0]);
  CHECK(seen[0]->rationale == "More extensive procedure");
}

TEST_CASE("MUE lookups give units and MAI per setting", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const rd::MueEdit* m = data->FindMue(rd::MueSetting::kPractitioner, C("96372"), D("2024-03-01"));
  REQUIRE(m);
  CHECK(m->units == 4);
  CHECK(m->mai == 3);
  CHECK(m->rationale == "Clinical: Data");
  const rd::MueEdit* op =
      data->FindMue(rd::MueSetting::kOutpatientHospital, C("96372"), D("2024-03-01"));
  REQUIRE(op);
  CHECK(op->units == 5);
  const rd::MueEdit* line =
      data->FindMue(rd::MueSetting::kPractitioner, C("99291"), D("2024-03-01"));
  REQUIRE(line);
  CHECK(line->mai == 1);
  CHECK_FALSE(data->FindMue(rd::MueSetting::kPractitioner, C("99999"), D("2024-03-01")));
  CHECK_FALSE(data->FindMue(rd::MueSetting::kDme, C("96372"), D("2024-03-01")));
}

TEST_CASE("Add-on lookups list the primaries of an add-on code", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const auto crit = data->AddOnFor(C("99292"), D("2024-03-01"));
  REQUIRE(crit.size() == 1);
  CHECK(crit[0].primary == C("99291"));
  CHECK(crit[0].type == 1);
  const auto any = data->AddOnFor(C("0054T"), D("2024-03-01"));
  REQUIRE(any.size() == 1);
  CHECK_FALSE(any[0].primary);
  CHECK(any[0].type == 2);
  const auto two = data->AddOnFor(C("96375"), D("2024-03-01"));
  CHECK(two.size() == 2);
  CHECK(data->AddOnFor(C("99213"), D("2024-03-01")).empty());
}

TEST_CASE("ICD-10-CM validity follows the fiscal year of the date", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  CHECK(data->IcdCmKnown(C("E11"), D("2024-09-30")));
  CHECK_FALSE(data->IcdCmBillable(C("E11"), D("2024-09-30")));  // a header
  CHECK(data->IcdCmBillable(C("E119"), D("2024-09-30")));
  // E11.A is new in FY2025 (Oct 1 2024).
  CHECK_FALSE(data->IcdCmKnown(C("E11A"), D("2024-09-30")));
  CHECK(data->IcdCmBillable(C("E11A"), D("2024-10-01")));
  CHECK(data->TableFor(K::kIcd10CmOrder, D("2024-09-30"))->version == "FY2024");
  CHECK(data->TableFor(K::kIcd10CmOrder, D("2024-10-01"))->version == "FY2025");
  // No ICD table before FY2024: nothing is known (ICD versions never stand in for others).
  CHECK_FALSE(data->TableFor(K::kIcd10CmOrder, D("2023-09-30")));
  CHECK_FALSE(data->IcdCmKnown(C("E119"), D("2023-09-30")));
  CHECK(data->IcdPcsValid(C("0SRD0J9"), D("2024-01-15")));
  CHECK_FALSE(data->IcdPcsValid(C("0SR"), D("2024-01-15")));
}

TEST_CASE("HCPCS validity uses the added and terminated dates", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  CHECK(data->HcpcsValid(C("J3301"), D("2024-03-01")));
  CHECK(data->HcpcsValid(C("J1094"), D("2024-06-30")));
  CHECK_FALSE(data->HcpcsValid(C("J1094"), D("2024-07-01")));
  CHECK_FALSE(data->HcpcsValid(C("J0139"), D("2024-06-30")));
  CHECK(data->HcpcsValid(C("J0139"), D("2024-07-01")));
  CHECK_FALSE(data->HcpcsValid(C("99213"), D("2024-03-01")));  // CPT is not in Level II
}

TEST_CASE("MCE lists from both layouts answer by fiscal year", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const auto fy24 = D("2024-05-01"), fy25 = D("2024-11-01");
  // v41.1 CSV (FY2024)
  CHECK(data->InMceList(rd::MceList::kMaternity, C("O80"), fy24));
  CHECK(data->InMceList(rd::MceList::kFemaleDx, C("O80"), fy24));
  CHECK(data->InMceList(rd::MceList::kNewborn, C("Z3800"), fy24));
  CHECK(data->InMceList(rd::MceList::kMaleDx, C("N400"), fy24));
  CHECK(data->InMceList(rd::MceList::kManifestation, C("E0842"), fy24));
  CHECK_FALSE(data->InMceList(rd::MceList::kMaleDx, C("O80"), fy24));
  // v37-layout TSV (FY2025): procedure lists and the principal-diagnosis lists
  CHECK(data->InMceList(rd::MceList::kFemalePx, C("0UT90ZZ"), fy25));
  CHECK(data->InMceList(rd::MceList::kMalePx, C("0VT00ZZ"), fy25));
  CHECK(data->InMceList(rd::MceList::kUnacceptablePrincipal, C("Z3A39"), fy25));
  CHECK(data->InMceList(rd::MceList::kQuestionableAdmission, C("R079"), fy25));
  CHECK(data->InMceList(rd::MceList::kNonCoveredProcedure, C("0DTJ4ZZ"), fy25));
  CHECK(data->InMceList(rd::MceList::kLimitedCoverage, C("30233N1"), fy25));
  CHECK(data->InMceList(rd::MceList::kNonCoveredLos96Hours, C("5A1955Z"), fy25));
  CHECK_FALSE(data->InMceList(rd::MceList::kUnacceptablePrincipal, C("Z3A39"), fy24));
  CHECK(data->TableFor(K::kMce, fy25)->version == "v42");
}

TEST_CASE("POA-exempt and inpatient-only lists answer membership", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  CHECK(data->PoaExempt(C("Z3A39"), D("2024-02-01")));
  CHECK(data->PoaExempt(C("V4352XA"), D("2024-02-01")));
  CHECK_FALSE(data->PoaExempt(C("E119"), D("2024-02-01")));
  CHECK(data->InpatientOnly(C("33533"), D("2024-02-01")));
  CHECK_FALSE(data->InpatientOnly(C("27447"), D("2024-02-01")));
}

TEST_CASE("Tabular notes are parsed into ranges and inherited from ancestors", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  const rd::TabularNotes* n = data->Notes(C("E0842"));
  REQUIRE(n);
  // own Excludes2 list, the category's Excludes1/code first/use additional, the chapter's
  // Excludes1; the qualified range keeps its condition (fifth or sixth character 5).
  auto has = [](const std::vector<rd::CodeRange>& v, const char* from, const char* to) {
    for (const auto& r : v)
      if (r.from == C(from) && r.to == C(to)) return true;
    return false;
  };
  CHECK(has(n->excludes2, "E0842", "E0842"));
  CHECK(has(n->excludes2, "E0942", "E0942"));
  CHECK(n->excludes2.size() == 3);
  const rd::CodeRange& poisoning = n->excludes2.back();
  CHECK(poisoning.from == C("T36"));
  CHECK(poisoning.to == C("T65"));
  CHECK(poisoning.where[0].positions == 0b110000);
  CHECK(poisoning.where[0].chars == 1u << 5);
  CHECK(has(n->excludes1, "E10", "E10"));
  CHECK(has(n->excludes1, "O244", "O244"));
  CHECK(has(n->excludes1, "P70", "P74"));
  CHECK(has(n->code_first, "K85", "K86"));
  CHECK(has(n->use_additional, "Z794", "Z794"));

  // A code not in the tabular finds its nearest ancestor's notes.
  const rd::TabularNotes* e1165 = data->Notes(C("E1165"));
  REQUIRE(e1165);
  CHECK(has(e1165->excludes1, "O00", "O9A"));
  bool pregnancy_excluded = false;
  for (const auto& r : e1165->excludes1) pregnancy_excluded |= r.Contains(C("O24410"));
  CHECK(pregnancy_excluded);

  // Chapter notes reach every category of the chapter.
  const rd::TabularNotes* a000 = data->Notes(C("A000"));
  REQUIRE(a000);
  CHECK(has(a000->use_additional, "Z16", "Z16"));
  CHECK(has(a000->excludes2, "P35", "P39"));
  // Section notes too.
  const rd::TabularNotes* i10 = data->Notes(C("I10"));
  REQUIRE(i10);
  CHECK(has(i10->excludes1, "P292", "P292"));
  CHECK(data->Notes(C("Z00")) == nullptr);
}

TEST_CASE("Compressed sources are read as shipped: gzip and the right ZIP member", "[refdata]") {
  TempDir dir;
  const std::string gz = (dir.Path() / "ncci_ptp_practitioner_2024q3.tsv.gz").string();
  refdata_test::GzipFile(Sample("ncci_ptp_practitioner_2024_sample.tsv"), gz);
  const auto r = ImportSample((dir.Path() / "ref").string(), K::kPtpPractitioner, gz);
  CHECK(r.table.rows == 30);
  CHECK(r.table.version == "2024Q3");

  // A CMS-style zip: the order file beside its addenda, a code-only list and a PDF.
  const std::string order = refdata_test::ReadFile(Sample("icd10cm_order_fy2024_sample.txt"));
  const std::string zip = (dir.Path() / "icd10cm_fy2024_code_descriptions.zip").string();
  refdata_test::MakeZip(zip, {{"icd10cm_codes_2024.txt", "A000    Cholera\r\n"},
                              {"icd10cm_order_addenda_2024.txt", "Add: 1 A000 x\r\n"},
                              {"icd10cm_order_2024.txt", order},
                              {"icd10OrderFiles.pdf", "%PDF"}});
  const auto z = ImportSample((dir.Path() / "ref").string(), K::kIcd10CmOrder, zip);
  CHECK(z.table.rows == 220);
  CHECK(z.rejects.empty());
  const auto data = rd::LoadRefData((dir.Path() / "ref").string());
  CHECK(data->IcdCmBillable(C("E1165"), D("2024-01-01")));
}

TEST_CASE("Importing the same kind and version again replaces it", "[refdata]") {
  TempDir dir;
  ImportSample(dir.Str(), K::kAddOn, Sample("ncci_add_on_codes_2024_sample.csv"));
  const std::string smaller = dir.Write("ncci_add_on_codes_2024_small.csv",
                                        "\"primary_code\",\"add_on_code\",\"aoc_edit_type\"\n"
                                        "\"99291\",\"99292\",1\n");
  ImportSample(dir.Str(), K::kAddOn, smaller);
  const auto data = rd::LoadRefData(dir.Str());
  REQUIRE(data->Tables().size() == 1);
  CHECK(data->Tables()[0].rows == 1);
  CHECK(data->AddOnFor(C("0054T"), D("2024-03-01")).empty());
  CHECK(data->AddOnFor(C("99292"), D("2024-03-01")).size() == 1);
}

TEST_CASE("Overlapping versions: the latest-starting one in force wins", "[refdata]") {
  TempDir dir;
  const std::string path = Sample("ncci_mue_practitioner_2024_sample.csv");
  rd::ImportTable(dir.Str(), K::kMuePractitioner, path, "2024", D("2024-01-01"), D("2024-12-31"));
  const std::string q3 =
      dir.Write("mue_q3.csv", "\"hcpcs_code\",\"mue_units\",\"mue_mai\"\n\"96372\",9,2\n");
  rd::ImportTable(dir.Str(), K::kMuePractitioner, q3, "2024Q3", D("2024-07-01"), D("2024-09-30"));
  const auto data = rd::LoadRefData(dir.Str());
  CHECK(data->FindMue(rd::MueSetting::kPractitioner, C("96372"), D("2024-06-30"))->units == 4);
  CHECK(data->FindMue(rd::MueSetting::kPractitioner, C("96372"), D("2024-07-01"))->units == 9);
  CHECK(data->FindMue(rd::MueSetting::kPractitioner, C("96372"), D("2024-10-01"))->units == 4);
  // MUE rows carry no dates of their own: no table stands in before the first period.
  CHECK_FALSE(data->FindMue(rd::MueSetting::kPractitioner, C("96372"), D("2023-12-31")));
}

TEST_CASE("The catalogue records the import and survives a reload", "[refdata]") {
  TempDir dir;
  const auto r = ImportSample(dir.Str(), K::kPtpOutpatient,
                              Sample("ncci_ptp_outpatient_hospital_2024_sample.tsv"));
  const auto entries = rd::detail::ReadCatalogue(dir.Str());
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].table.kind == K::kPtpOutpatient);
  CHECK(entries[0].table.version == "2024");
  CHECK(entries[0].table.rows == 8);
  CHECK(entries[0].table.sha256 == r.table.sha256);
  CHECK(entries[0].index_file == "ptp-outpatient__2024.idx");
  CHECK(refdata_test::fs::exists(dir.Path() / entries[0].index_file));
  // Nothing but the catalogue, its lock and the index is left behind (no temp files).
  std::set<std::string> names;
  for (const auto& e : refdata_test::fs::directory_iterator(dir.Path()))
    names.insert(e.path().filename().string());
  CHECK(names ==
        std::set<std::string>{"catalogue.lock", "catalogue.tsv", "ptp-outpatient__2024.idx"});
}

TEST_CASE("Imports into one directory at the same time all land in the catalogue", "[refdata]") {
  TempDir dir;
  const std::vector<std::pair<K, std::string>> tables = {
      {K::kPtpPractitioner, "ncci_ptp_practitioner_2024_sample.tsv"},
      {K::kPtpOutpatient, "ncci_ptp_outpatient_hospital_2024_sample.tsv"},
      {K::kMuePractitioner, "ncci_mue_practitioner_2024_sample.csv"},
      {K::kMueOutpatient, "ncci_mue_outpatient_hospital_2024_sample.csv"},
      {K::kAddOn, "ncci_add_on_codes_2024_sample.csv"},
      {K::kHcpcs, "hcpcs_level2_2024_sample_attributes.csv"}};
  std::vector<std::thread> threads;
  for (const auto& [kind, name] : tables)
    threads.emplace_back(
        [&dir, kind = kind, name = name] { ImportSample(dir.Str(), kind, Sample(name)); });
  for (auto& t : threads) t.join();
  CHECK(rd::LoadRefData(dir.Str())->Tables().size() == tables.size());
}

TEST_CASE("Lookups answered from the per-thread memo never cross tables", "[refdata]") {
  // The same codes looked up in one table, then in a table with other contents loaded
  // later on the same thread (possibly at the same address): every answer is the second
  // table's, and asking the first again still gives the first's.
  TempDir a, b;
  rd::ImportTable(a.Str(), K::kMuePractitioner,
                  a.Write("mue_a.csv", "\"hcpcs_code\",\"mue_units\",\"mue_mai\"\n\"96372\",4,2\n"),
                  "A", D("2024-01-01"), D("2024-12-31"));
  rd::ImportTable(b.Str(), K::kMuePractitioner,
                  b.Write("mue_b.csv", "\"hcpcs_code\",\"mue_units\",\"mue_mai\"\n\"96373\",2,1\n"),
                  "B", D("2024-01-01"), D("2024-12-31"));
  const auto on = D("2024-05-01");
  {
    const auto first = rd::LoadRefData(a.Str());
    CHECK(first->FindMue(rd::MueSetting::kPractitioner, C("96372"), on)->units == 4);
    CHECK_FALSE(first->FindMue(rd::MueSetting::kPractitioner, C("96373"), on));
  }
  const auto second = rd::LoadRefData(b.Str());
  CHECK_FALSE(second->FindMue(rd::MueSetting::kPractitioner, C("96372"), on));
  CHECK(second->FindMue(rd::MueSetting::kPractitioner, C("96373"), on)->units == 2);
  const auto again = rd::LoadRefData(a.Str());
  CHECK(again->FindMue(rd::MueSetting::kPractitioner, C("96372"), on)->units == 4);
  CHECK_FALSE(again->FindMue(rd::MueSetting::kPractitioner, C("96373"), on));
  // Repeated lookups (memo hits) agree with the first (memo misses).
  for (int i = 0; i < 3; ++i) {
    CHECK(second->FindMue(rd::MueSetting::kPractitioner, C("96373"), on)->units == 2);
    CHECK(again->FindMue(rd::MueSetting::kPractitioner, C("96372"), on)->units == 4);
  }
}

TEST_CASE("Order files and HCPCS keep each code's description for look-ups", "[refdata]") {
  TempDir dir;
  const auto data = AllSamples(dir);
  // The long title (columns 78-) of the table in force on the date.
  CHECK(data->Description(K::kIcd10CmOrder, C("E119"), D("2024-09-30")) ==
        "Sample diagnosis E119 (synthetic title)");
  CHECK(data->Description(K::kIcd10CmOrder, C("E11"), D("2024-09-30")) ==
        "Sample diagnosis E11 (synthetic title)");  // headers have titles too
  CHECK(data->Description(K::kIcd10CmOrder, C("E11A"), D("2024-09-30")).empty());  // FY2025 code
  CHECK(data->Description(K::kIcd10CmOrder, C("E11A"), D("2024-10-01")) ==
        "Sample diagnosis E11A (synthetic title)");
  CHECK(data->Description(K::kIcd10CmOrder, C("E119"), D("2023-09-30")).empty());  // no table
  CHECK(data->Description(K::kIcd10PcsOrder, C("0SRD0J9"), D("2024-01-15")) ==
        "Sample procedure 0SRD0J9 (synthetic title)");
  CHECK(data->Description(K::kMce, C("E119"), D("2024-01-15")).empty());  // not a titled kind
  // The sample HCPCS attributes file has no description columns: valid, no description,
  // and its index has no description section (the shape of an index written before
  // descriptions were kept, which must load and answer as before).
  CHECK(data->HcpcsValid(C("G0439"), D("2024-06-01")));
  CHECK(data->Description(K::kHcpcs, C("G0439"), D("2024-06-01")).empty());
  namespace d = rd::detail;
  const std::string version = data->TableFor(K::kHcpcs, D("2024-06-01"))->version;
  const auto hcpcs =
      d::IndexFile::Open((dir.Path() / d::IndexFileName(K::kHcpcs, version)).string(), K::kHcpcs);
  CHECK_FALSE(hcpcs->Has(d::SectionId::kDescriptions));
}

TEST_CASE("Descriptions fall back to the short title and come from HCPCS description columns",
          "[refdata]") {
  TempDir dir;
  // CMS's order layout with the long title left off one line: its short title stands in.
  const std::string order = dir.Write(
      "icd10cm_order_2025.txt",
      "00001 A00     0 Cholera                                                      Cholera\r\n"
      "00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           "
      "Cholera due to Vibrio cholerae 01, biovar cholerae\r\n"
      "00003 A001    1 Cholera due to Vibrio cholerae 01, biovar eltor\r\n"
      "00004 A009    1\r\n");
  rd::ImportTable(dir.Str() + "/ref", K::kIcd10CmOrder, order, "FY2025", D("2024-10-01"),
                  D("2025-09-30"));
  const std::string hcpcs = dir.Write(
      "hcpcs.csv",
      "\"hcpcs_code\",\"date_added\",\"date_term\",\"long_description\",\"short_description\"\n"
      "\"G0439\",2011-01-01,,\"Annual wellness visit, includes a personalized prevention plan "
      "of service (pps), subsequent visit\",\"Ppps, subseq visit\"\n"
      "\"A0021\",1985-01-01,,,\"Outside state ambulance serv\"\n"
      "\"A0080\",1982-01-01,2020-12-31\n");
  const auto r = rd::ImportTable(dir.Str() + "/ref", K::kHcpcs, hcpcs, "2024", D("2024-01-01"),
                                 D("2024-12-31"));
  CHECK(r.rejects.empty());
  const auto data = rd::LoadRefData(dir.Str() + "/ref");
  const auto on = D("2025-01-15");
  CHECK(data->Description(K::kIcd10CmOrder, C("A000"), on) ==
        "Cholera due to Vibrio cholerae 01, biovar cholerae");
  CHECK(data->Description(K::kIcd10CmOrder, C("A001"), on) ==
        "Cholera due to Vibrio cholerae 01, biovar eltor");
  CHECK(data->Description(K::kIcd10CmOrder, C("A009"), on).empty());
  CHECK(data->IcdCmBillable(C("A009"), on));
  const auto dos = D("2024-06-01");
  CHECK(data->Description(K::kHcpcs, C("G0439"), dos) ==
        "Annual wellness visit, includes a personalized prevention plan of service (pps), "
        "subsequent visit");
  CHECK(data->Description(K::kHcpcs, C("A0021"), dos) == "Outside state ambulance serv");
  CHECK(data->Description(K::kHcpcs, C("A0080"), dos).empty());  // a row without the columns
  CHECK_FALSE(data->HcpcsValid(C("A0080"), dos));                   // terminated 2020
  CHECK(data->Description(K::kHcpcs, C("J9999"), dos).empty());
}
