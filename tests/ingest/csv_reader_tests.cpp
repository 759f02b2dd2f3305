#include <catch2/catch.hpp>

#include <sstream>

#include "audit/ingest/csv/csv_reader.hpp"

using coderaudit::ingest::CsvReader;
using coderaudit::ingest::CsvRecord;

namespace {
std::vector<CsvRecord> ReadAll(const std::string& text) {
  std::istringstream in(text);
  CsvReader r(in);
  std::vector<CsvRecord> out;
  CsvRecord rec;
  while (r.Next(rec)) out.push_back(rec);
  return out;
}
}  // namespace

TEST_CASE("CSV records keep quoted commas, quotes and newlines with start lines", "[ingest][csv]") {
  auto recs = ReadAll("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,row");
  REQUIRE(recs.size() == 4);
  CHECK(recs[0].fields == std::vector<std::string>{"a", "b"});
  CHECK(recs[1].fields == std::vector<std::string>{"x,1", "say \"hi\""});
  CHECK(recs[2].line == 3);
  CHECK(recs[2].fields[0] == "two\nlines");
  CHECK(recs[3].line == 5);
  CHECK(recs[3].fields == std::vector<std::string>{"last", "row"});
}

TEST_CASE("A byte order mark and blank lines are not data", "[ingest][csv]") {
  auto recs = ReadAll("\xEF\xBB\xBFh1,h2\n\n\nv1,v2\n");
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].fields[0] == "h1");
  CHECK(recs[1].line == 4);
}

TEST_CASE("Malformed records are reported and reading resumes on the next line", "[ingest][csv]") {
  auto recs = ReadAll("ok,1\nbad\"quote,2\nx\"y\nafter,3\n\"closed\"junk,4\ngood,5\n");
  REQUIRE(recs.size() == 6);
  CHECK(recs[0].error.empty());
  CHECK(recs[1].error == "quote inside unquoted field");
  CHECK(recs[1].line == 2);
  CHECK(recs[2].error == "quote inside unquoted field");
  CHECK(recs[3].fields == std::vector<std::string>{"after", "3"});
  CHECK(recs[4].error == "unexpected character after closing quote");
  CHECK(recs[5].fields == std::vector<std::string>{"good", "5"});
  CHECK(recs[5].line == 6);
}

TEST_CASE("An unterminated quote at end of file is an error, not a hang", "[ingest][csv]") {
  auto recs = ReadAll("a,b\n\"never closed,1\n2\n");
  REQUIRE(recs.size() == 2);
  CHECK(recs[1].error.find("unterminated quoted field") == 0);
  CHECK(recs[1].line == 2);
}

TEST_CASE("NUL bytes and huge records are rejected without eating the file", "[ingest][csv]") {
  std::string text = "a,b\n";
  text += std::string("x\0y,1\n", 6);
  text += std::string(CsvReader::kMaxRecordBytes + 10, 'z') + "\n";
  text += "fine,2\n";
  auto recs = ReadAll(text);
  REQUIRE(recs.size() == 4);
  CHECK(recs[1].error == "NUL byte in field");
  CHECK(recs[2].error == "record longer than 1 MiB");
  CHECK(recs[3].fields == std::vector<std::string>{"fine", "2"});
  CHECK(recs[3].line == 4);
  CHECK(recs[2].raw.size() <= CsvReader::kMaxRawKept);
}

TEST_CASE("Empty fields and a trailing comma give empty strings", "[ingest][csv]") {
  auto recs = ReadAll("a,,c,\n");
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].fields == std::vector<std::string>{"a", "", "c", ""});
}
