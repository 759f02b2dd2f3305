// Reading rebuttals back from accuracy workbooks: ours as written (inline strings in
// constant_memory, shared strings in memory), and hostile or wrong files.
#include "reports/xlsx/rebuttal_reader.hpp"

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/model/error.hpp"
#include "reports/xlsx/accuracy_workbook.hpp"
#include "tests/reports/sample_report.hpp"
#include "tests/reports/temp_dir.hpp"

namespace fs = std::filesystem;
using coderaudit::InputError;
using coderaudit::Reject;
using coderaudit::reports::ReadRebuttalWorkbook;
using coderaudit::reports::testing::TempDir;

namespace {

// A minimal .xlsx package with one sheet "Coder X" holding `rows_xml` (and `extra` parts).
void WriteXlsx(const std::string& path, const std::string& sheet_xml,
               const std::string& sheet_name = "Coder X",
               const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  std::ofstream out(path, std::ios::binary);
  Poco::Zip::Compress zip(out, true);
  auto add = [&](const std::string& name, const std::string& text) {
    std::istringstream in(text);
    zip.addFile(in, Poco::DateTime(2020, 1, 1), Poco::Path(name, Poco::Path::PATH_UNIX));
  };
  add("xl/workbook.xml",
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<sheets><sheet name=\"" + sheet_name + "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  add("xl/_rels/workbook.xml.rels",
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"t\" Target=\"worksheets/sheet1.xml\"/></Relationships>");
  add("xl/worksheets/sheet1.xml", sheet_xml);
  for (const auto& [name, text] : extra) add(name, text);
  zip.close();
}

// A package with several sheets (name, sheet XML), in workbook order.
void WriteXlsxSheets(const std::string& path, const std::vector<std::pair<std::string, std::string>>& sheets) {
  std::ofstream out(path, std::ios::binary);
  Poco::Zip::Compress zip(out, true);
  auto add = [&](const std::string& name, const std::string& text) {
    std::istringstream in(text);
    zip.addFile(in, Poco::DateTime(2020, 1, 1), Poco::Path(name, Poco::Path::PATH_UNIX));
  };
  std::string workbook, rels;
  for (size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    workbook += "<sheet name=\"" + sheets[i].first + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
    rels += "<Relationship Id=\"rId" + n + "\" Type=\"t\" Target=\"worksheets/sheet" + n + ".xml\"/>";
  }
  add("xl/workbook.xml",
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<sheets>" + workbook + "</sheets></workbook>");
  add("xl/_rels/workbook.xml.rels",
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" + rels +
      "</Relationships>");
  for (size_t i = 0; i < sheets.size(); ++i)
    add("xl/worksheets/sheet" + std::to_string(i + 1) + ".xml", sheets[i].second);
  zip.close();
}

std::string Cell(const char* ref, const std::string& text) {
  return std::string("<c r=\"") + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
}

std::string Sheet(const std::string& data_rows) {
  // Header: Ref(A) Encounter(B) Outcome(C) Rebuttal(D) Final decision(E)
  return "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
         "<sheetData><row r=\"1\">" +
         Cell("A1", "Ref") + Cell("B1", "Encounter") + Cell("C1", "Outcome") +
         Cell("D1", "Rebuttal") + Cell("E1", "Final decision") + "</row>" + data_rows +
         "</sheetData></worksheet>";
}
}  // namespace

TEST_CASE("Rebuttals read back from the workbook exactly as the report holds them",
          "[reports][rebuttal]") {
  const bool constant_memory = GENERATE(true, false);  // inline vs shared strings
  CAPTURE(constant_memory);
  TempDir dir;
  coderaudit::reports::AccuracyWorkbookOptions options;
  options.constant_memory = constant_memory;
  const auto report = coderaudit::reports::testing::SampleReport();
  const auto path = dir.File("filled.xlsx");
  coderaudit::reports::WriteAccuracyWorkbook(report, path, options);
  std::vector<Reject> rejects;
  const auto entries = ReadRebuttalWorkbook(path, rejects);
  CHECK(rejects.empty());
  REQUIRE(entries.size() == 1);  // the sample's one rebutted row
  const auto& e = entries[0];
  CHECK(e.ref == report.diffs[1].ref);
  CHECK(e.encounter_id == "ENC-1");
  CHECK(e.outcome == coderaudit::qa::Outcome::kAdded);
  CHECK(e.rebuttal == coderaudit::qa::Rebuttal::kDisagree);
  CHECK(e.decision == coderaudit::qa::Decision::kOverturned);
  CHECK(e.coder_comment == "documented in the H&P");
  CHECK(e.decision_note == "H&P supports I10");
  CHECK(e.where == "Coder C001");
  // The coder sheet lists counted errors first, then differences that do not count (this
  // overturned one), then matches, each in stored order (issue 17): its row follows.
  uint32_t row = 1;  // the header
  bool found = false;
  for (int group = 0; group < 3 && !found; ++group)
    for (const auto& d : report.diffs) {
      if (d.coder_id != "C001") continue;
      const bool error = coderaudit::qa::IsError(d.outcome);
      const bool counted = error && report.policy.WeightOf(d) > 0 &&
                           report.policy.Scores(d.code_type) &&
                           (!d.claim_type || report.policy.Scores(*d.claim_type));
      if ((counted ? 0 : error ? 1 : 2) != group) continue;
      ++row;
      if (d.ref == e.ref) {
        found = true;
        break;
      }
    }
  REQUIRE(found);
  CHECK(e.line == row);
  CHECK(row > 3);  // it moved below the counted errors
}

TEST_CASE("Unknown rebuttal words are rejects naming sheet and row, blank rows are skipped",
          "[reports][rebuttal]") {
  TempDir dir;
  const auto path = dir.File("x.xlsx");
  WriteXlsx(path, Sheet("<row r=\"2\"><c r=\"A2\"><v>4</v></c>" + Cell("D2", "DISAGREE") + "</row>"
                        "<row r=\"3\"><c r=\"A3\"><v>5</v></c>" + Cell("D3", "perhaps") + "</row>"
                        "<row r=\"4\"><c r=\"A4\"><v>6</v></c></row>"
                        "<row r=\"5\">" + Cell("E5", "overturned") + "</row>"));
  std::vector<Reject> rejects;
  const auto entries = ReadRebuttalWorkbook(path, rejects);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].ref == 4);
  CHECK(entries[0].rebuttal == coderaudit::qa::Rebuttal::kDisagree);
  REQUIRE(rejects.size() == 2);
  CHECK(rejects[0].line == 3);
  CHECK(rejects[0].field == "Rebuttal");
  CHECK(rejects[0].file.find("[Coder X]") != std::string::npos);
  CHECK(rejects[1].field == "Ref");  // a decision on a row whose Ref was deleted
}

TEST_CASE("Files that are not accuracy workbooks, or carry a DOCTYPE, are refused",
          "[reports][rebuttal][security]") {
  TempDir dir;
  std::vector<Reject> rejects;
  const auto text = dir.File("notes.xlsx");
  std::ofstream(text) << "this is not a zip";
  CHECK_THROWS_AS(ReadRebuttalWorkbook(text, rejects), InputError);
  CHECK_THROWS_AS(ReadRebuttalWorkbook(dir.File("missing.xlsx"), rejects), InputError);
  const auto other = dir.File("other.xlsx");
  WriteXlsx(other, Sheet(""), "Budget");
  CHECK_THROWS_WITH(ReadRebuttalWorkbook(other, rejects), Catch::Contains("no coder sheet"));
  const auto evil = dir.File("evil.xlsx");
  WriteXlsx(evil, "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" +
                      Sheet("<row r=\"2\">" + Cell("D2", "&x;") + "</row>"));
  CHECK_THROWS_WITH(ReadRebuttalWorkbook(evil, rejects), Catch::Contains("DOCTYPE"));
  // The same in UTF-16, where "<!DOCTYPE" is not a byte sequence to find.
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE w><w/>")) {
    utf16 += c;
    utf16 += '\0';
  }
  const auto wide = dir.File("wide.xlsx");
  WriteXlsx(wide, utf16);
  CHECK_THROWS_WITH(ReadRebuttalWorkbook(wide, rejects), Catch::Contains("not UTF-8"));
}

// Issue 12: structure the reader does not understand is a reject with its reason.
namespace {
std::string RebuttedRow(int row, int ref) {
  const std::string r = std::to_string(row);
  return "<row r=\"" + r + "\"><c r=\"A" + r + "\"><v>" + std::to_string(ref) + "</v></c>" +
         Cell(("D" + r).c_str(), "disagree") + "</row>";
}
std::string SheetWithHeader(const std::string& header_cells, const std::string& data_rows) {
  return "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" +
         (header_cells.empty() ? std::string() : "<row r=\"1\">" + header_cells + "</row>") + data_rows +
         "</sheetData></worksheet>";
}
}  // namespace

TEST_CASE("A renamed coder sheet, a retyped or deleted header row and an absurd row number are rejects",
          "[reports][rebuttal][issue12]") {
  TempDir dir;
  const auto path = dir.File("x.xlsx");
  const std::string good_header =
      Cell("A1", "Ref") + Cell("B1", "Encounter") + Cell("C1", "Outcome") + Cell("D1", "Rebuttal") + Cell("E1", "Final decision");
  const std::string retyped_header =
      Cell("A1", "Ref") + Cell("B1", "Encounter") + Cell("C1", "Outcome") + Cell("D1", "Rebuttal") + Cell("E1", "Final Decision");
  std::string reason_has, field_has, sheet_has;
  std::vector<std::pair<std::string, std::string>> sheets = {{"Summary", SheetWithHeader("", "")},
                                                             {"Coder A", Sheet(RebuttedRow(2, 4))}};
  SECTION("renamed coder sheet") {
    sheets.push_back({"B review", Sheet(RebuttedRow(2, 5))});
    sheet_has = "B review";
    reason_has = "not a sheet of the accuracy workbook";
  }
  SECTION("retyped header") {
    sheets.push_back({"Coder B", SheetWithHeader(retyped_header, RebuttedRow(2, 5))});
    sheet_has = "Coder B";
    reason_has = "Final decision";
  }
  SECTION("deleted header") {
    sheets.push_back({"Coder B", SheetWithHeader("", RebuttedRow(2, 5))});
    sheet_has = "Coder B";
    reason_has = "header row";
  }
  SECTION("absurd row number") {
    sheets.push_back({"Coder B", SheetWithHeader(good_header, RebuttedRow(2, 5) +
        "<row r=\"99999999999\"><c r=\"A99999999999\"><v>6</v></c>" + Cell("D99999999999", "agree") + "</row>")});
    sheet_has = "Coder B";
    reason_has = "row number";
  }
  SECTION("row number 0") {
    sheets.push_back({"Coder B", SheetWithHeader(good_header, "<row r=\"0\"><c r=\"A0\"><v>6</v></c>" + Cell("D0", "agree") + "</row>")});
    sheet_has = "Coder B";
    reason_has = "row number";
  }
  WriteXlsxSheets(path, sheets);
  std::vector<Reject> rejects;
  const auto entries = ReadRebuttalWorkbook(path, rejects);
  CHECK(entries.size() >= 1);  // Coder A's row is read
  REQUIRE(rejects.size() >= 1);
  INFO(rejects[0].file << ":" << rejects[0].line << ": " << rejects[0].field << ": " << rejects[0].reason);
  CHECK(rejects[0].file.find(sheet_has) != std::string::npos);
  CHECK(rejects[0].reason.find(reason_has) != std::string::npos);
}

TEST_CASE("A garbage .xlsx is 'not a readable workbook', without Poco's internals", "[reports][rebuttal][issue12]") {
  TempDir dir;
  std::vector<Reject> rejects;
  for (const std::string& bytes : {std::string("this is not a zip"), std::string("PK\x03\x04garbage garbage garbage", 27),
                                  std::string("PK\x05\x06") + std::string(18, '\0'), std::string(4096, '\xff')}) {
    const auto path = dir.File("garbage.xlsx");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    try {
      ReadRebuttalWorkbook(path, rejects);
      FAIL("no exception");
    } catch (const InputError& e) {
      const std::string what = e.what();
      INFO(what);
      CHECK(what.find("not a readable workbook") != std::string::npos);
      CHECK(what.find("ssertion") == std::string::npos);
      CHECK(what.find(".cpp") == std::string::npos);
      CHECK(what.find("Exception") == std::string::npos);
    }
  }
}

TEST_CASE("Rebuttal workbook rejects never echo cell values", "[reports][rebuttal][phi][issue12]") {
  TempDir dir;
  const auto path = dir.File("x.xlsx");
  const std::string mark = "ZZPHIMARK";
  WriteXlsxSheets(path, {{"Coder A", Sheet("<row r=\"2\">" + Cell("A2", mark) + Cell("D2", "agree") + "</row>" +
                                           "<row r=\"3\"><c r=\"A3\"><v>3</v></c>" + Cell("B3", mark) + Cell("D3", mark) + "</row>" +
                                           "<row r=\"4\"><c r=\"A4\"><v>4</v></c>" + Cell("E4", mark) + "</row>" +
                                           "<row r=\"" + mark + "\">" + Cell("D5", "agree") + "</row>")},
                         {"Coder B", SheetWithHeader(Cell("A1", mark) + Cell("B1", mark), RebuttedRow(2, 5))}});
  std::vector<Reject> rejects;
  ReadRebuttalWorkbook(path, rejects);
  CHECK(rejects.size() >= 5);
  for (const auto& r : rejects) {
    const std::string text = r.file + ":" + std::to_string(r.line) + ": " + r.field + ": " + r.reason;
    INFO(text);
    CHECK(text.find(mark) == std::string::npos);
  }
}

// Issue 12 item 4: the digest a rebuttal run records is of the workbook exactly as read.
TEST_CASE("A rebuttal workbook's digest is of the bytes unpacked, and a change while it is read is refused",
          "[reports][rebuttal][integrity][issue12]") {
  TempDir dir;
  const auto path = dir.File("filled.xlsx");
  auto slurp = [&] {
    std::ifstream in(path, std::ios::binary);
    return std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  };
  coderaudit::reports::WriteAccuracyWorkbook(coderaudit::reports::testing::SampleReport(), path, {});
  const std::string small = slurp();
  coderaudit::FileDigest digest;
  int entries = 0;
  ReadRebuttalWorkbook(path, {[&](coderaudit::qa::RebuttalEntry&&) { entries++; }, [](Reject&&) {}},
                       &digest);
  CHECK(entries == 1);
  CHECK(digest.sha256 == coderaudit::Sha256Hex(small));
  CHECK(digest.bytes == static_cast<int64_t>(small.size()));

  // A workbook larger than the reader's buffer (incompressible filler after one rebutted
  // row), so its parts are read from the file again after the archive's first scan. It is
  // rewritten in place (same size) when that row is read: a byte the reader had consumed
  // for the last time may change unseen (what was unpacked is still what the digest
  // says); a byte it reads after the change (the zip directory at the end is always read
  // again by the end) is compared with its first reading and the read is refused.
  std::string filler;
  uint64_t x = 88172645463325252ull;
  for (uint32_t r = 3; r < 24000; ++r) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    filler += "<row r=\"" + std::to_string(r) + "\">" + Cell(("F" + std::to_string(r)).c_str(), std::to_string(x)) + "</row>";
  }
  WriteXlsx(path, Sheet("<row r=\"2\"><c r=\"A2\"><v>4</v></c>" + Cell("D2", "disagree") + "</row>" + filler));
  const std::string bytes = slurp();
  REQUIRE(bytes.size() > 300 * 1024);
  ReadRebuttalWorkbook(path, {[](coderaudit::qa::RebuttalEntry&&) {}, [](Reject&&) {}}, &digest);
  CHECK(digest.sha256 == coderaudit::Sha256Hex(bytes));
  for (const size_t at : {size_t{10}, bytes.size() / 2, bytes.size() - 10}) {
    CAPTURE(at);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    bool changed = false;
    auto on_entry = [&](coderaudit::qa::RebuttalEntry&&) {
      if (changed) return;
      changed = true;
      std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
      f.seekp(static_cast<std::streamoff>(at));
      f.put(static_cast<char>(bytes[at] ^ 0x20));
    };
    coderaudit::FileDigest read;
    try {
      ReadRebuttalWorkbook(path, {on_entry, [](Reject&&) {}}, &read);
      CHECK(at != bytes.size() - 10);
      CHECK(read == digest);  // unseen: the record is of the bytes as they were unpacked
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == path + " changed while it was being checked; nothing stored");
    }
    CHECK(changed);
  }
}

// A workbook Excel has saved keeps its text as shared strings, as many as the sheet has
// cells: past 8 MB the table's text is kept in a temporary file, read back by index.
TEST_CASE("Shared strings past the in-memory limit are read back exactly",
          "[reports][rebuttal][issue12]") {
  TempDir dir;
  const auto path = dir.File("shared.xlsx");
  constexpr int kStrings = 200000;  // ~11 MB of text
  auto text_of = [](int i) { return "comment " + std::to_string(i) + std::string(40, 'x'); };
  std::string sst = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">";
  for (int i = 0; i < kStrings; ++i) sst += "<si><t>" + text_of(i) + "</t></si>";
  sst += "<si><t>disagree</t></si><si><r><t>over</t></r><r><t>turned</t></r><rPh><t>x</t></rPh></si></sst>";
  REQUIRE(sst.size() > size_t{10} << 20);
  auto s = [](const char* ref, int index) {
    return std::string("<c r=\"") + ref + "\" t=\"s\"><v>" + std::to_string(index) + "</v></c>";
  };
  const std::string sheet = Sheet(
      "<row r=\"2\"><c r=\"A2\"><v>4</v></c>" + s("D2", kStrings) + s("E2", kStrings + 1) + "</row>"
      "<row r=\"3\"><c r=\"A3\"><v>5</v></c>" + s("D3", kStrings) + "</row>");
  // The sheet's comment column: the header gets one, and rows name strings at both ends.
  const std::string with_comments = [&] {
    std::string x = sheet;
    x.replace(x.find("</row>"), 6, Cell("F1", "Coder comment") + "</row>");
    x.replace(x.find("</row>", x.find("<row r=\"2\"")), 6, s("F2", 3) + "</row>");
    x.replace(x.find("</row>", x.find("<row r=\"3\"")), 6, s("F3", kStrings - 1) + "</row>");
    return x;
  }();
  WriteXlsx(path, with_comments, "Coder X", {{"xl/sharedStrings.xml", sst}});
  std::vector<Reject> rejects;
  const auto entries = ReadRebuttalWorkbook(path, rejects);
  CHECK(rejects.empty());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].ref == 4);
  CHECK(entries[0].rebuttal == coderaudit::qa::Rebuttal::kDisagree);
  CHECK(entries[0].decision == coderaudit::qa::Decision::kOverturned);  // runs joined, phonetic left out
  CHECK(entries[0].coder_comment == text_of(3));
  CHECK(entries[1].ref == 5);
  CHECK(entries[1].coder_comment == text_of(kStrings - 1));
}
