#include <catch2/catch.hpp>

#include <sstream>

#include "audit/io/csv_reader.hpp"

using coderaudit::io::CsvReader;
using coderaudit::io::CsvRecord;

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

namespace {
// The reader as it was before it buffered (byte at a time through the streambuf): the
// reference the buffered reader must agree with, record for record.
struct RefRecord {
  uint32_t line = 0;
  std::vector<std::string> fields;
  std::string error;
};
std::vector<RefRecord> ReferenceParse(const std::string& text) {
  std::vector<RefRecord> out;
  size_t p = 0;
  uint32_t line = 1;
  auto get = [&]() -> int { return p < text.size() ? static_cast<unsigned char>(text[p++]) : -1; };
  auto peek = [&]() -> int { return p < text.size() ? static_cast<unsigned char>(text[p]) : -1; };
  auto skip_line = [&] {
    for (int c = get(); c != -1; c = get())
      if (c == '\n') { ++line; return; }
  };
  for (;;) {
    for (;;) {
      const int c = peek();
      if (c == '\r') { get(); continue; }
      if (c == '\n') { get(); ++line; continue; }
      break;
    }
    if (peek() == -1) return out;
    RefRecord r;
    r.line = line;
    std::string field;
    auto fail = [&](std::string why, bool at_end) {
      r.error = std::move(why);
      r.fields.clear();
      if (!at_end) skip_line();
    };
    for (;;) {
      int c = get();
      if (c == '"') {
        bool failed = false;
        for (;;) {
          c = get();
          if (c == -1) { fail("unterminated quoted field (starts line " + std::to_string(r.line) + ")", true); failed = true; break; }
          if (c == '\0') { fail("NUL byte in field", false); failed = true; break; }
          if (c == '\n') ++line;
          if (c == '"') {
            if (peek() == '"') { get(); field.push_back('"'); continue; }
            break;
          }
          field.push_back(static_cast<char>(c));
        }
        if (failed) break;
        c = get();
        if (c == '\r' && peek() == '\n') c = get();
        if (c != ',' && c != '\n' && c != -1) { fail("unexpected character after closing quote", false); break; }
      } else {
        bool failed = false;
        while (c != ',' && c != '\n' && c != -1) {
          if (c == '"') { fail("quote inside unquoted field", false); failed = true; break; }
          if (c == '\0') { fail("NUL byte in field", false); failed = true; break; }
          if (c == '\r') {
            if (peek() == '\n') { c = get(); break; }
            fail("bare carriage return inside field", false); failed = true; break;
          }
          field.push_back(static_cast<char>(c));
          c = get();
        }
        if (failed) break;
      }
      r.fields.push_back(std::move(field));
      field.clear();
      if (c == ',') continue;
      if (c == '\n') ++line;
      break;
    }
    out.push_back(std::move(r));
  }
}
}  // namespace

TEST_CASE("Buffered reading agrees with byte-at-a-time reading across buffer refills", "[ingest][csv]") {
  // Random CSV (quotes, doubled quotes, CRLF, blank lines, NUL, stray quotes and CRs)
  // of ~6 MiB through a buffer just over one record's limit: records straddle refills
  // at many different offsets.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::string text;
  while (text.size() < 6 * (1u << 20)) {
    const auto r = next() % 1000;
    if (r < 700) text.push_back(static_cast<char>('a' + next() % 26));
    else if (r < 820) text.push_back(',');
    else if (r < 900) text.push_back('\n');
    else if (r < 930) text += "\"x,\"\"y\n\"";   // quoted field with escape and newline
    else if (r < 950) text += "\r\n";
    else if (r < 990) text.push_back('"');
    else if (r < 996) text.push_back('\r');
    else text.push_back('\0');
  }
  const auto expected = ReferenceParse(text);
  std::istringstream in(text);
  CsvReader reader(in, ',', '"', CsvReader::kMaxRecordBytes + 4);
  CsvRecord rec;
  size_t n = 0, errors = 0;
  while (reader.Next(rec)) {
    REQUIRE(n < expected.size());
    if (rec.line != expected[n].line || rec.error != expected[n].error ||
        rec.fields != expected[n].fields) {
      INFO("record " << n << " at line " << expected[n].line);
      CHECK(rec.line == expected[n].line);
      CHECK(rec.error == expected[n].error);
      REQUIRE(rec.fields == expected[n].fields);
    }
    if (!rec.error.empty()) ++errors;
    ++n;
  }
  CHECK(n == expected.size());
  CHECK(n > 50000);
  CHECK(errors > 1000);  // the error paths were exercised, not only clean records
}

TEST_CASE("A quoted field whose closing quote sits at a refill boundary", "[ingest][csv]") {
  // Place the closing quote (and a doubled quote) exactly at the last buffered byte.
  // Two lead records end 22 - k bytes before the buffer does: the 13-byte third record
  // straddles the refill at every offset.
  for (size_t k = 8; k <= 22; ++k) {
    const size_t cap = CsvReader::kMaxRecordBytes + 4;
    std::string text = std::string(CsvReader::kMaxRecordBytes - 20, 'p') + "\n" +
                       std::string(k, 'q') + "\n\"a\"\"b\",\"c\"\r\nz,\"\"\n";
    const auto expected = ReferenceParse(text);
    std::istringstream in(text);
    CsvReader reader(in, ',', '"', cap);
    CsvRecord rec;
    size_t n = 0;
    while (reader.Next(rec)) {
      REQUIRE(n < expected.size());
      CHECK(rec.fields == expected[n].fields);
      CHECK(rec.error.empty());
      ++n;
    }
    CHECK(n == 4);
    CHECK(n == expected.size());
  }
}
