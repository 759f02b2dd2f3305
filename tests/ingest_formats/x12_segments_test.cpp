// The X12 tokenizer: delimiters from ISA, segment ordinals, malformed input.
#include <catch2/catch.hpp>

#include <sstream>

#include "audit/ingest/x12/x12_segments.hpp"

using coderaudit::ingest::x12::Component;
using coderaudit::ingest::x12::ComponentCount;
using coderaudit::ingest::x12::Segment;
using coderaudit::ingest::x12::SegmentReader;

namespace {

const std::string kIsa =
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~";

std::vector<Segment> ReadAll(const std::string& text) {
  std::istringstream in(text);
  SegmentReader reader(in);
  std::vector<Segment> out;
  Segment seg;
  while (reader.Next(seg)) out.push_back(seg);
  // string_views in `elements` point into the copied text only after re-splitting: tests
  // below use text and problem, or re-read through the reader.
  return out;
}

}  // namespace

TEST_CASE("The tokenizer reads the delimiters from the fixed-width ISA header", "[x12]") {
  std::istringstream in(kIsa + "\nGS*HC*A*B*20240101*1200*1*X*005010X222A1~\nST*837*0001~");
  SegmentReader reader(in);
  Segment seg;
  REQUIRE(reader.Next(seg));
  CHECK(seg.isa);
  CHECK(seg.problem.empty());
  CHECK(seg.ordinal == 1);
  CHECK(seg.ElementCount() == 16);
  CHECK(seg.Element(13) == "000000001");
  CHECK(reader.Current().element == '*');
  CHECK(reader.Current().component == ':');
  CHECK(reader.Current().segment == '~');
  CHECK(reader.Current().repetition == '^');
  REQUIRE(reader.Next(seg));
  CHECK(seg.Id() == "GS");
  CHECK(seg.ordinal == 2);
  CHECK(seg.Element(8) == "005010X222A1");
  REQUIRE(reader.Next(seg));
  CHECK(seg.Id() == "ST");
  CHECK(seg.ordinal == 3);
  CHECK_FALSE(reader.Next(seg));
}

TEST_CASE("Other delimiters are honoured, and ISA11 'U' means no repetition separator", "[x12]") {
  const std::string isa =
      "ISA~00~          ~01~SECRET    ~ZZ~SUBMITTERS.ID  ~ZZ~RECEIVERS.ID   ~030101~1253~U~00501~000000905~1~T~^_";
  std::istringstream in(isa + "GS~HC~A~B~19991231~0802~1~X~005010X222A1_CLM~A1~500~~~11^B^1_");
  SegmentReader reader(in);
  Segment seg;
  REQUIRE(reader.Next(seg));
  CHECK(seg.problem.empty());
  CHECK(reader.Current().element == '~');
  CHECK(reader.Current().component == '^');
  CHECK(reader.Current().segment == '_');
  CHECK(reader.Current().repetition == 0);
  REQUIRE(reader.Next(seg));
  REQUIRE(reader.Next(seg));
  CHECK(seg.Id() == "CLM");
  CHECK(Component(seg.Element(5), '^', 1) == "11");
  CHECK(Component(seg.Element(5), '^', 3) == "1");
}

TEST_CASE("Line breaks between and inside segments are not data", "[x12]") {
  // Wrapped at arbitrary columns, as mainframe exports do.
  std::istringstream in(kIsa + "\r\nGS*HC*A*B*2024\r\n0101*1200*1*X*0050\n10X222A1~\r\n\r\n");
  SegmentReader reader(in);
  Segment seg;
  REQUIRE(reader.Next(seg));
  REQUIRE(reader.Next(seg));
  CHECK(seg.text == "GS*HC*A*B*20240101*1200*1*X*005010X222A1");
  CHECK_FALSE(reader.Next(seg));
}

TEST_CASE("Composite elements split into components", "[x12]") {
  CHECK(Component("HC:99213:25:59", ':', 1) == "HC");
  CHECK(Component("HC:99213:25:59", ':', 4) == "59");
  CHECK(Component("HC:99213", ':', 5).empty());
  CHECK(Component("ABK:E119:::::::Y", ':', 9) == "Y");
  CHECK(ComponentCount("1:2:3", ':') == 3);
  CHECK(ComponentCount("", ':') == 0);
}

TEST_CASE("An ISA that is not fixed width still yields its delimiters, with a problem", "[x12]") {
  // ISA02 has 9 characters instead of 10 (imsweb x12_bad_first_line.txt).
  const std::string isa =
      "ISA*00*         *01*SECRET    *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   *030101*1253*U*00501*000000905*1*T*:~";
  std::istringstream in(isa + "GS*HC~");
  SegmentReader reader(in);
  Segment seg;
  REQUIRE(reader.Next(seg));
  CHECK(seg.isa);
  CHECK_FALSE(seg.fatal);
  CHECK_THAT(seg.problem, Catch::Contains("ISA02 has 9 characters, 10 required"));
  CHECK(reader.Current().segment == '~');
  REQUIRE(reader.Next(seg));
  CHECK(seg.Id() == "GS");
}

TEST_CASE("A truncated ISA or unusable delimiters stop the reader", "[x12]") {
  for (const std::string& text : {std::string("ISA*00*    "), std::string("ISA"),
                                 kIsa.substr(0, 104) + "*~",                    // component = element
                                 "ISAA00" + kIsa.substr(6)}) {                 // 'A' is no separator
    std::istringstream in(text);
    SegmentReader reader(in);
    Segment seg;
    bool fatal = false;
    while (reader.Next(seg)) fatal = fatal || seg.fatal;
    CHECK(fatal);
  }
}

TEST_CASE("A segment longer than 64 KiB is refused and reading resumes after it", "[x12]") {
  std::istringstream in(kIsa + "NTE*ADD*" + std::string(100000, 'X') + "~LX*1~");
  SegmentReader reader(in);
  Segment seg;
  REQUIRE(reader.Next(seg));
  REQUIRE(reader.Next(seg));
  CHECK_THAT(seg.problem, Catch::Contains("longer than 65536"));
  CHECK(seg.text.size() <= SegmentReader::kMaxSegmentBytes);
  REQUIRE(reader.Next(seg));
  CHECK(seg.Id() == "LX");
  CHECK(seg.ordinal == 3);
}

TEST_CASE("The end of the file inside a segment and malformed ids are reported", "[x12]") {
  std::istringstream in(kIsa + "Nd4*CITY~NM31*X~*IC*NAME~~SE*5*0001");
  SegmentReader reader(in);
  Segment seg;
  REQUIRE(reader.Next(seg));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(reader.Next(seg));
    CHECK_THAT(seg.problem, Catch::Contains("segment id"));
  }
  REQUIRE(reader.Next(seg));  // "~~" is an empty segment: skipped, not counted
  CHECK(seg.ordinal == 5);
  CHECK_THAT(seg.problem, Catch::Contains("ends inside a segment"));
  CHECK_FALSE(reader.Next(seg));
}

TEST_CASE("A second interchange may use other delimiters", "[x12]") {
  const std::string second =
      "ISA|00|          |00|          |ZZ|SUBMITTER      |ZZ|RECEIVER       |240101|1200|^|00501|000000002|0|T|>\n";
  std::istringstream in(kIsa + "IEA*0*000000001~\n" + second + "GS|HC|A>B\nIEA|0|000000002\n");
  SegmentReader reader(in);
  Segment seg;
  std::vector<std::string> ids;
  while (reader.Next(seg)) ids.push_back(std::string(seg.Id()));
  CHECK(ids == std::vector<std::string>{"ISA", "IEA", "ISA", "GS", "IEA"});
  CHECK(reader.Current().element == '|');
  CHECK(reader.Current().component == '>');
  CHECK(reader.Current().segment == '\n');
}

TEST_CASE("Input that does not start with ISA is fatal at once", "[x12]") {
  auto segs = ReadAll("GS*HC*A~ST*837*1~");
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].fatal);
  CHECK_THAT(segs[0].problem, Catch::Contains("does not start with an ISA"));
}
