// Malformed rows, wrong files, hostile XML, damaged index files: rejects with line
// numbers, clear errors, never a crash.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "audit/model/error.hpp"
#include "audit/refdata/index_file.hpp"
#include "audit/refdata/refdata.hpp"
#include "test_support.hpp"

namespace rd = coderaudit::refdata;
using coderaudit::InputError;
using coderaudit::Reject;
using refdata_test::C;
using refdata_test::D;
using refdata_test::ImportSample;
using refdata_test::Sample;
using refdata_test::TempDir;
using K = rd::TableKind;

namespace {

rd::ImportResult Import(const TempDir& dir, K kind, const std::string& name,
                        const std::string& content) {
  const std::string path = dir.Write(name, content);
  return rd::ImportTable((dir.Path() / "ref").string(), kind, path, "2024", D("2024-01-01"),
                         D("2024-12-31"));
}

// "line field" of every reject, for compact assertions.
std::vector<std::string> Where(const std::vector<Reject>& rejects) {
  std::vector<std::string> out;
  for (const auto& r : rejects) out.push_back(std::to_string(r.line) + " " + r.field);
  return out;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Malformed PTP rows are rejected with line and field, good rows are imported",
          "[refdata]") {
  TempDir dir;
  const auto r = Import(dir, K::kPtpPractitioner, "ptp.tsv",
                        "column1\tcolumn2\tdeletion_date\tmodifier\trationale\n"
                        "29881\t29877\t*\t0\tMisuse\n"         // 2 good
                        "29881\t20610\n"                       // 3 short line
                        "29881\t20610\t20241301\t1\tx\n"       // 4 bad month
                        "29881\t20610\t2024-02-30\t1\tx\n"     // 5 not a real day
                        "29881\t20610\t*\t2\tx\n"              // 6 bad indicator
                        "2988\t20610\t*\t1\tx\n"               // 7 short code
                        "29881\t20610;\t*\t1\tx\n"             // 8 bad character
                        "\n"                                   // 9 blank: skipped
                        "29881\t99213\t20191231\t1\tCPT\n"     // 10 good
                        "\x01\xff\xfe\tgarbage\n"              // 11 binary garbage
                        "29881\t96372\t*\t1\tStandards\r\n");  // 12 good, CRLF
  CHECK(r.table.rows == 3);
  CHECK(r.table.rejected == 7);
  const auto w = Where(r.rejects);
  CHECK(w == std::vector<std::string>{"3 ", "4 deletion_date", "5 deletion_date", "6 modifier",
                                      "7 column1", "8 column2", "11 "});
  CHECK(r.rejects[0].file.ends_with("ptp.tsv"));
  CHECK(r.rejects[0].raw == "29881\t20610");
  CHECK(r.rejects[3].reason.find("0, 1 or 9") != std::string::npos);
  const auto data = rd::LoadRefData((dir.Path() / "ref").string());
  CHECK(data->FindPtp(rd::PtpSetting::kPractitioner, C("29881"), C("96372"), D("2024-02-01")));
  CHECK(data->Tables()[0].rejected == 7);
}

TEST_CASE("An over-long line is one reject and the lines after it are read", "[refdata]") {
  TempDir dir;
  const std::string huge(200000, 'x');
  const auto r = Import(dir, K::kPtpPractitioner, "ptp.tsv",
                        "column1\tcolumn2\tdeletion_date\tmodifier\trationale\n" + huge +
                            "\n29881\t29877\t*\t0\tMisuse\n");
  CHECK(r.table.rows == 1);
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].line == 2);
  CHECK(r.rejects[0].raw.size() <= 200);
}

TEST_CASE("A file with another layout's header is refused as a whole", "[refdata]") {
  TempDir dir;
  const std::string msg = ErrorOf([&] {
    Import(dir, K::kPtpPractitioner, "mue.csv",
           "\"hcpcs_code\",\"mue_units\",\"mue_mai\"\n\"20610\",2,3\n");
  });
  CHECK(msg.find("header does not match the NCCI PTP layout") != std::string::npos);
  CHECK(ErrorOf([&] { Import(dir, K::kMce, "x.csv", "a,b,c\n1,2,3\n"); }).find("MCE") !=
        std::string::npos);
  CHECK(ErrorOf([&] { Import(dir, K::kAddOn, "empty.csv", ""); }).find("empty") !=
        std::string::npos);
  // Nothing was written.
  CHECK_FALSE(refdata_test::fs::exists(dir.Path() / "ref" / "catalogue.tsv"));
}

TEST_CASE("A file whose every row is rejected imports nothing and says why", "[refdata]") {
  TempDir dir;
  const std::string msg = ErrorOf([&] {
    Import(dir, K::kMuePractitioner, "mue.csv",
           "\"hcpcs_code\",\"mue_units\",\"mue_mai\",\"mue_rationale\",\"mue_service\"\n"
           "\"20610\",2,3,\"x\",\"DME Supplier\"\n");
  });
  CHECK(msg.find("no usable rows") != std::string::npos);
  CHECK(msg.find("line 2 mue_service") != std::string::npos);
}

TEST_CASE("Malformed MUE and add-on rows are rejected", "[refdata]") {
  TempDir dir;
  const auto m = Import(dir, K::kMuePractitioner, "mue.csv",
                        "\"hcpcs_code\",\"mue_units\",\"mue_mai\",\"mue_rationale\"\n"
                        "\"20610\",2,3,\"ok\"\n"
                        "\"96372\",-1,3,\"negative\"\n"
                        "\"96372\",4,4,\"bad mai\"\n"
                        "\"96372\",4\n"
                        "\"20610\",3,3,\"duplicate\"\n"
                        "\"96372\",\"4\",3,\"unterminated\n");
  CHECK(m.table.rows == 1);
  const auto w = Where(m.rejects);
  REQUIRE(w.size() == 5);
  CHECK(w[0] == "3 mue_units");
  CHECK(w[1] == "4 mue_mai");
  CHECK(w[2] == "5 ");
  CHECK(w[3] == "6 hcpcs_code");
  CHECK(m.rejects[3].reason.find("first at line 2") != std::string::npos);
  CHECK(w[4] == "7 ");

  const auto a = Import(dir, K::kAddOn, "aoc.csv",
                        "\"primary_code\",\"add_on_code\",\"aoc_edit_type\"\n"
                        "\"99291\",\"99292\",1\n"
                        "\"CCCCC\",\"0054T\",4\n"
                        "\"9929\",\"99292\",1\n");
  CHECK(a.table.rows == 1);
  CHECK(Where(a.rejects) == std::vector<std::string>{"3 aoc_edit_type", "4 primary_code"});
}

TEST_CASE("Malformed order-file rows are rejected by column", "[refdata]") {
  TempDir dir;
  const auto r = Import(dir, K::kIcd10CmOrder, "icd10cm_order_2024.txt",
                        "00001 A00     0 Cholera\r\n"
                        "00002 A000    1 Cholera due to Vibrio cholerae\r\n"
                        "00003 A001\r\n"                     // short
                        "0000X A009    1 Cholera\r\n"        // order number
                        "00005 A0.9    1 Cholera\r\n"        // dotted code
                        "00006 A009    7 Cholera\r\n"        // flag
                        "00007 A000    1 Cholera again\r\n"  // duplicate
                        "00008 A009    1 Cholera, unspecified\r\n");
  CHECK(r.table.rows == 3);
  CHECK(Where(r.rejects) ==
        std::vector<std::string>{"3 ", "4 order_number", "5 code", "6 billable", "7 code"});
}

TEST_CASE("Malformed MCE, HCPCS and code-list rows are rejected", "[refdata]") {
  TempDir dir;
  const auto mce = Import(dir, K::kMce, "mce.tsv",
                          "MCE_Version\tICD_Version\tMCE_Section\tMCE_Subsection\tMCE_Edit_Type"
                          "\tICD_Code_Type\tICD_Code\tICD_Desc\n"
                          "37\t10\t4\tA\tNewborn_Only\tD\tA33\tx\n"
                          "37\t10\t4\tA\tNewborn_Only\tX\tA33\tx\n"
                          "37\t10\t4\tA\tSomething_Else\tD\tA33\tx\n"
                          "37\t10\t4\tA\tNewborn_Only\tP\tA33\tx\n"
                          "37\t10\t4\tA\tNewborn_Only\tD\t3AB\tx\n");
  CHECK(mce.table.rows == 1);
  CHECK(Where(mce.rejects) == std::vector<std::string>{"3 ICD_Code_Type", "4 MCE_Edit_Type",
                                                       "5 ICD_Code_Type", "6 ICD_Code"});
  const auto hcpcs = Import(dir, K::kHcpcs, "hcpcs.csv",
                            "\"hcpcs_code\",\"date_term\",\"date_added\"\n"
                            "\"J3301\",,2000-01-01\n"
                            "\"J3302\",2024-13-01,2000-01-01\n"
                            "\"J3303\",1999-01-01,2000-01-01\n");
  CHECK(hcpcs.table.rows == 1);
  CHECK(Where(hcpcs.rejects) == std::vector<std::string>{"3 date_term", "4 date_term"});
  const auto ipo = Import(dir, K::kInpatientOnly, "ipo.csv", "33533\n3353\n33534\n");
  CHECK(ipo.table.rows == 2);  // no header: codes from line 1
  CHECK(Where(ipo.rejects) == std::vector<std::string>{"2 code"});
  // A CPT list takes CPT codes only: a Level II code there would pass the CPT edit.
  const auto cpt = Import(dir, K::kCpt, "cpt.csv", "\"cpt_code\"\n\"99213\"\n\"J1885\"\n\"0001U\"\n\"9921\"\n");
  CHECK(cpt.table.rows == 2);
  CHECK(Where(cpt.rejects) == std::vector<std::string>{"3 code", "5 code"});
  CHECK(cpt.rejects.front().reason.find("HCPCS Level II codes go in the hcpcs table") !=
        std::string::npos);
}

TEST_CASE("Tabular XML with a DOCTYPE or external entity is refused before parsing", "[refdata]") {
  TempDir dir;
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<ICD10CM.tabular><chapter><section><diag><name>A00</name><excludes1><note>&x; "
      "(B00)</note></excludes1></diag></section></chapter></ICD10CM.tabular>\n";
  CHECK(ErrorOf([&] {
          Import(dir, K::kIcd10CmTabular, "xxe.xml", xxe);
        }).find("DOCTYPE declarations are not allowed") != std::string::npos);
  const std::string laughs =
      "<!-- c --><?pi x?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;\">]><ICD10CM.tabular>&lol2;</ICD10CM.tabular>";
  CHECK(ErrorOf([&] { Import(dir, K::kIcd10CmTabular, "laughs.xml", laughs); }).find("DOCTYPE") !=
        std::string::npos);
}

TEST_CASE("Malformed tabular XML is an input error with line and column", "[refdata]") {
  TempDir dir;
  const std::string msg = ErrorOf([&] {
    Import(dir, K::kIcd10CmTabular, "bad.xml",
           "<ICD10CM.tabular>\n<chapter>\n<diag><name>A00</name>\n</chapter>\n");
  });
  CHECK(msg.find("bad.xml:4:") != std::string::npos);
  CHECK(msg.find("not well-formed") != std::string::npos);
  // A diag with a bad name is a reject; the rest is imported.
  const auto r = Import(dir, K::kIcd10CmTabular, "name.xml",
                        "<ICD10CM.tabular><chapter><section>\n"
                        "<diag><name>A00</name><excludes1><note>x (B00-B09)</note></excludes1>\n"
                        "<diag><name>not a code</name></diag></diag>\n"
                        "</section></chapter></ICD10CM.tabular>\n");
  CHECK(r.table.rows == 1);
  CHECK(Where(r.rejects) == std::vector<std::string>{"3 diag/name"});
}

TEST_CASE("Damaged compressed files are input errors", "[refdata]") {
  TempDir dir;
  const std::string gz = (dir.Path() / "ptp_2024.tsv.gz").string();
  refdata_test::GzipFile(Sample("ncci_ptp_practitioner_2024_sample.tsv"), gz);
  std::string bytes = refdata_test::ReadFile(gz);
  const std::string cut = dir.Write("cut_2024.tsv.gz", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_AS(rd::ImportTable((dir.Path() / "ref").string(), K::kPtpPractitioner, cut, "2024",
                                  D("2024-01-01"), std::nullopt),
                  InputError);
  bytes[bytes.size() / 2] ^= 0x55;
  bytes[bytes.size() / 2 + 1] ^= 0x55;
  const std::string flipped = dir.Write("flip_2024.tsv.gz", bytes);
  CHECK_THROWS_AS(rd::ImportTable((dir.Path() / "ref").string(), K::kPtpPractitioner, flipped,
                                  "2024", D("2024-01-01"), std::nullopt),
                  InputError);
  // A zip without the expected member names what it holds.
  const std::string zip = (dir.Path() / "icd10cm_2024.zip").string();
  refdata_test::MakeZip(zip, {{"readme.pdf", "x"}, {"icd10cm_codes_2024.txt", "A000 x\n"}});
  const std::string msg = ErrorOf([&] {
    rd::ImportTable((dir.Path() / "ref").string(), K::kIcd10CmOrder, zip, "FY2024", D("2023-10-01"),
                    D("2024-09-30"));
  });
  CHECK(msg.find("no member of the expected name") != std::string::npos);
  CHECK(msg.find("icd10cm_codes_2024.txt") != std::string::npos);
  CHECK_THROWS_AS(rd::ImportTable((dir.Path() / "ref").string(), K::kIcd10CmOrder,
                                  (dir.Path() / "missing.zip").string(), "FY2024", D("2023-10-01"),
                                  std::nullopt),
                  InputError);
}

TEST_CASE("Bad versions and periods are refused before reading", "[refdata]") {
  TempDir dir;
  const std::string path = Sample("ncci_add_on_codes_2024_sample.csv");
  CHECK_THROWS_AS(rd::ImportTable(dir.Str(), K::kAddOn, path, "", D("2024-01-01"), std::nullopt),
                  InputError);
  CHECK_THROWS_AS(
      rd::ImportTable(dir.Str(), K::kAddOn, path, "a\tb", D("2024-01-01"), std::nullopt),
      InputError);
  CHECK_THROWS_AS(
      rd::ImportTable(dir.Str(), K::kAddOn, path, "2024", D("2024-01-01"), D("2023-12-31")),
      InputError);
}

namespace {

// A directory holding one imported sample table and the path of its index file.
struct OneTable {
  TempDir dir;
  std::string index;
  OneTable() {
    ImportSample(dir.Str(), K::kPtpPractitioner, Sample("ncci_ptp_practitioner_2024_sample.tsv"));
    index = (dir.Path() / "ptp-practitioner__2024.idx").string();
  }
  void Overwrite(const std::string& bytes) const {
    std::ofstream out(index, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  std::string LoadError() const {
    return ErrorOf([&] { rd::LoadRefData(dir.Str()); });
  }
};

}  // namespace

TEST_CASE("A corrupted index file is a clear load error", "[refdata]") {
  OneTable t;
  std::string bytes = refdata_test::ReadFile(t.index);
  REQUIRE(bytes.size() > 300);
  bytes[bytes.size() - 20] ^= 0x01;  // one bit in the payload
  t.Overwrite(bytes);
  const std::string msg = t.LoadError();
  CHECK(msg.find("checksum mismatch") != std::string::npos);
  CHECK(msg.find("ptp-practitioner__2024.idx") != std::string::npos);
  CHECK(msg.find("re-import") != std::string::npos);
}

TEST_CASE("A truncated or foreign index file is a clear load error", "[refdata]") {
  OneTable t;
  const std::string bytes = refdata_test::ReadFile(t.index);
  for (size_t keep :
       {size_t{0}, size_t{10}, size_t{127}, size_t{128}, bytes.size() / 2, bytes.size() - 1}) {
    t.Overwrite(bytes.substr(0, keep));
    INFO("kept " << keep << " bytes");
    const std::string msg = t.LoadError();
    CHECK(msg.find("truncated") != std::string::npos);
  }
  t.Overwrite(std::string(4096, 'A'));
  CHECK(t.LoadError().find("not a coderaudit refdata index") != std::string::npos);
  std::string header_hit = bytes;
  header_hit[40] ^= 0x10;  // inside the header (row count)
  t.Overwrite(header_hit);
  CHECK(t.LoadError().find("header checksum mismatch") != std::string::npos);
  std::filesystem::remove(t.index);
  CHECK(t.LoadError().find("cannot open") != std::string::npos);
}

TEST_CASE("An index swapped for another table's is refused", "[refdata]") {
  TempDir dir;
  ImportSample(dir.Str(), K::kPtpPractitioner, Sample("ncci_ptp_practitioner_2024_sample.tsv"));
  ImportSample(dir.Str(), K::kPtpOutpatient,
               Sample("ncci_ptp_outpatient_hospital_2024_sample.tsv"));
  std::filesystem::copy_file(dir.Path() / "ptp-outpatient__2024.idx",
                             dir.Path() / "ptp-practitioner__2024.idx",
                             std::filesystem::copy_options::overwrite_existing);
  CHECK(ErrorOf([&] { rd::LoadRefData(dir.Str()); }).find("another kind of table") !=
        std::string::npos);
}

TEST_CASE("A missing or damaged catalogue is a clear load error", "[refdata]") {
  TempDir dir;
  CHECK(ErrorOf([&] { rd::LoadRefData((dir.Path() / "nope").string()); }).find("does not exist") !=
        std::string::npos);
  CHECK(ErrorOf([&] { rd::LoadRefData(dir.Str()); }).find("not a refdata directory") !=
        std::string::npos);
  dir.Write("catalogue.tsv", "# coderaudit refdata catalogue v1\nptp-practitioner\t2024\n");
  CHECK(ErrorOf([&] { rd::LoadRefData(dir.Str()); }).find("catalogue.tsv:2") != std::string::npos);
  dir.Write("catalogue.tsv",
            "ptp-practitioner\t2024\t2024-01-01\t\t../../etc/passwd\t1\t0\tab\tsrc\n");
  CHECK(ErrorOf([&] { rd::LoadRefData(dir.Str()); }).find("bad index file name") !=
        std::string::npos);
}

TEST_CASE("An order file starting with a byte-order mark reads its first line", "[refdata]") {
  TempDir dir;
  const auto r = Import(dir, K::kIcd10CmOrder, "icd10cm_order_2024.txt",
                        "\xEF\xBB\xBF"
                        "00001 A00     0 Cholera\r\n00002 A000    1 Cholera\r\n");
  CHECK(r.table.rows == 2);
  CHECK(r.rejects.empty());
}

namespace {

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Rewrites an index header's format version (offset 8) and its header checksum (offset
// 120, over the header with that field zero).
void SetFormatVersion(std::string& bytes, uint32_t version) {
  std::memcpy(bytes.data() + 8, &version, sizeof version);
  std::memset(bytes.data() + 120, 0, 8);
  const uint64_t sum =
      rd::detail::Checksum64(reinterpret_cast<const unsigned char*>(bytes.data()), 128);
  std::memcpy(bytes.data() + 120, &sum, sizeof sum);
}

}  // namespace

TEST_CASE("Damaged code descriptions fail their look-up, not the load or the rule checks",
          "[refdata]") {
  TempDir dir;
  ImportSample(dir.Str(), K::kIcd10CmOrder, Sample("icd10cm_order_fy2024_sample.txt"));
  const std::string index = (dir.Path() / "icd10cm-order__FY2024.idx").string();
  std::string bytes = refdata_test::ReadFile(index);
  // The descriptions are stored last: the last title's bytes are in them.
  const size_t at = bytes.rfind("(synthetic title)");
  REQUIRE(at != std::string::npos);
  bytes[at] ^= 0x01;
  WriteBytes(index, bytes);
  const auto data = rd::LoadRefData(dir.Str());  // the load does not read them
  CHECK(data->IcdCmBillable(C("E119"), D("2024-03-01")));
  const std::string msg =
      ErrorOf([&] { (void)data->Description(K::kIcd10CmOrder, C("E119"), D("2024-03-01")); });
  CHECK(msg.find("checksum mismatch in the code descriptions") != std::string::npos);
  CHECK(msg.find("icd10cm-order__FY2024.idx") != std::string::npos);
}

TEST_CASE("A format version 1 index (written before descriptions were kept) still loads",
          "[refdata]") {
  TempDir dir;
  ImportSample(dir.Str(), K::kPtpPractitioner, Sample("ncci_ptp_practitioner_2024_sample.tsv"));
  const std::string index = (dir.Path() / "ptp-practitioner__2024.idx").string();
  std::string bytes = refdata_test::ReadFile(index);
  // A file without deferred sections has the same bytes in both versions but the header's.
  SetFormatVersion(bytes, 1);
  WriteBytes(index, bytes);
  const auto data = rd::LoadRefData(dir.Str());
  CHECK(data->FindPtp(rd::PtpSetting::kPractitioner, C("29881"), C("29877"), D("2024-08-01")));
  // A version from the future is refused by name.
  SetFormatVersion(bytes, 9);
  WriteBytes(index, bytes);
  CHECK(ErrorOf([&] { rd::LoadRefData(dir.Str()); }).find("index format version 9") !=
        std::string::npos);
}
