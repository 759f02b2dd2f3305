// The reader: XSD validation with positions, XXE/SSRF/entity-bomb refusal, semantic issues.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "audit/model/hash.hpp"
#include "audit/io/xml_document.hpp"
#include "tests/rules/test_support.hpp"

namespace cr = coderaudit::rules;
using cr::testing::IssueTexts;
using cr::testing::RuleSetXml;
using cr::testing::RuleXml;

namespace {

// A TCP listener on 127.0.0.1 that records whether anyone connected: proves the parser
// made no network request.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackListener() { ::close(fd_); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + std::string(path);
  }
  bool SomeoneConnected() {
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) return false;
    ::close(client);
    return true;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

void RequireRefusedWithoutReading(const coderaudit::rules::LoadResult& result) {
  REQUIRE_FALSE(result.rule_set);
  REQUIRE_FALSE(result.issues.empty());
  CHECK(result.issues.front().message ==
        "DOCTYPE is not allowed in rule files (no DTDs, no entities)");
  CHECK(result.issues.front().line == 2);
  for (const auto& issue : result.issues) {
    CHECK(issue.message.find("root:") == std::string::npos);
    CHECK(issue.message.find("lollol") == std::string::npos);
  }
}

constexpr std::string_view kMinimalRule =
    R"(<rule id="R1" version="1" title="t" category="c" severity="error" disposition="review">
<citation>c</citation>
<message>m</message>
<patient-check><sex-unknown/></patient-check>
</rule>)";

}  // namespace

TEST_CASE("The sample facility rule file loads with its codesets, rules and embedded tests",
          "[rules][reader]") {
  const std::string path = cr::testing::SourcePath("samples/rules/facility.xml");
  const cr::LoadResult result = cr::LoadRuleFile(path);
  REQUIRE(result.issues.empty());
  REQUIRE(result.rule_set);
  const cr::RuleSet& set = *result.rule_set;
  CHECK(set.id == "facility-sample");
  CHECK(set.version == "2024.1");
  CHECK(set.file == path);
  CHECK(set.sha256 == coderaudit::Sha256Hex(cr::testing::ReadFile(path)));
  REQUIRE(set.codesets.size() == 2);
  CHECK(set.codesets[0].id == "pregnancy");
  REQUIRE(set.rules.size() == 10);
  const cr::RuleDef& sex = set.rules[0];
  CHECK(sex.id == "FAC-SEX-001");
  CHECK(sex.version == "1");
  CHECK(sex.category == "sex-conflict");
  CHECK(sex.severity == coderaudit::Severity::kError);
  CHECK(sex.disposition == coderaudit::Disposition::kClaimReject);
  CHECK(sex.check.name == "code-in-set");
  CHECK(sex.citation.starts_with("CMS Definitions of Medicare Code Edits"));
  REQUIRE(sex.tests.size() == 2);
  const coderaudit::Encounter& encounter = sex.tests[0].encounter;
  CHECK(encounter.sex == coderaudit::Sex::kMale);
  CHECK(encounter.claim_type == coderaudit::ClaimType::kInpatient);
  REQUIRE(encounter.lines.size() == 2);
  CHECK(encounter.lines[1].code.View() == "Z3A39");
  CHECK(sex.tests[0].expected_findings == 1);
  CHECK(sex.tests[0].expected_lines == std::vector<uint32_t>{1});
  CHECK(set.rules.back().id == "FAC-DUP-001");
}

TEST_CASE("A rule that breaks the schema is reported at the line and column of the element",
          "[rules][reader]") {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" version=\"1\" title=\"t\">\n"
      "  <rule id=\"R1\" version=\"1\" title=\"t\" category=\"c\"\n"
      "        severity=\"fatal\" disposition=\"review\">\n"
      "    <citation>c</citation>\n"
      "    <message>m</message>\n"
      "    <patient-check><sex-unknown/></patient-check>\n"
      "  </rule>\n"
      "</ruleset>\n";
  // Xerces positions an element just past its start tag: line 4, the column after '>'.
  CHECK(IssueTexts(xml) == std::vector<std::string>{"4:47: value 'fatal' not in enumeration"});
}

TEST_CASE(
    "A rule missing its citation is reported at the rule's end tag, where Xerces checks content",
    "[rules][reader]") {
  const std::string xml = RuleSetXml(
      "<rule id=\"R1\" version=\"1\" title=\"t\" category=\"c\" severity=\"error\" "
      "disposition=\"review\">\n"
      "<message>m</message>\n"
      "<patient-check><sex-unknown/></patient-check>\n"
      "</rule>");
  const auto issues = IssueTexts(xml);
  REQUIRE_FALSE(issues.empty());
  CHECK(issues.front() ==
        "6:8: element 'message' is not allowed for content model "
        "'(citation,message,(code-in-set|patient-check|code-pair|units-limit|"
        "required-modifier|forbidden-modifier|duplicate-lines|ncci-ptp|ncci-mue|ncci-addon|"
        "code-editor|icd10cm-convention|duplicate-services|inpatient-only|mce-edit),test*)'");
}

TEST_CASE("Malformed XML becomes an issue, never an exception", "[rules][reader]") {
  const auto issues = IssueTexts(
      "<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" version=\"1\" title=\"t\">\n<codeset");
  REQUIRE_FALSE(issues.empty());
  CHECK(issues.back().starts_with("2:"));
  CHECK(IssueTexts("").size() == 1);
  CHECK(IssueTexts("not xml at all").size() == 1);
}

// fuzz/rule_xml_fuzz (and policy_xml_fuzz): Xerces throws on a bad XML declaration, and
// asking its locator for the position after parse() had unwound read a freed reader
// (SEGV in ReaderMgr::getLineNumber). The minimized input is the first line here.
TEST_CASE("An XML declaration Xerces rejects is an issue, not a crash", "[rules][reader][fuzz]") {
  for (const char* xml : {"<?xml version=\"1.\"?>", "<?xml version=\"1.\"?>\n<ruleset/>",
                          "<?xml version=\"9.0\"?>\n<ruleset/>", "<?xml version=\"1.\n"}) {
    INFO(xml);
    const auto issues = IssueTexts(xml);
    CHECK_FALSE(issues.empty());
  }
}

// fuzz/policy_xml_fuzz found the heap corrupted inside Xerces after a declared "UTF-7"
// with a NUL byte (tests/qa/policy_tests.cpp); rule files share the reader: any encoding
// but UTF-8 and any NUL byte are refused before Xerces reads them.
TEST_CASE("A rule file in an encoding other than UTF-8, or with a NUL byte, is refused", "[rules][reader][fuzz]") {
  auto issues = IssueTexts("<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<ruleset/>");
  REQUIRE(issues.size() == 1);
  CHECK(issues.front() == "1:1: encoding 'UTF-7' is not supported: save the file as UTF-8");
  issues = IssueTexts(std::string("<?xml version=\"1.0\"?>\n<ruleset>\n\0</ruleset>", 41));
  REQUIRE(issues.size() == 1);
  CHECK(issues.front().starts_with("3:0: a NUL byte"));
}

TEST_CASE("A document outside the rules namespace is refused", "[rules][reader]") {
  const auto issues =
      IssueTexts("<ruleset xmlns=\"urn:other\" id=\"t\" version=\"1\" title=\"t\"/>");
  REQUIRE_FALSE(issues.empty());
  CHECK(issues.front() ==
        "1:58: the root element <ruleset> is in namespace 'urn:other', not in urn:coderaudit:rules:1");
}

TEST_CASE("A DOCTYPE whose entity points at file:///etc/passwd is refused without reading it",
          "[rules][reader][security]") {
  const size_t refused_before = coderaudit::io::RefusedExternalResourceCount();
  const std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE ruleset [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
      "<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" version=\"1\" title=\"&xxe;\"/>\n";
  RequireRefusedWithoutReading(cr::LoadRuleText(xml, "xxe.xml"));
  // The entity resolver was never even asked: the parse stopped at the DOCTYPE.
  CHECK(coderaudit::io::RefusedExternalResourceCount() == refused_before);
}

TEST_CASE("A DOCTYPE referencing an http URL is refused without any network request",
          "[rules][reader][security]") {
  LoopbackListener listener;
  SECTION("external DTD") {
    const std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE ruleset SYSTEM \"" +
                            listener.Url("evil.dtd") +
                            "\">\n<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" "
                            "version=\"1\" title=\"t\"/>\n";
    RequireRefusedWithoutReading(cr::LoadRuleText(xml, "ssrf.xml"));
  }
  SECTION("external parameter entity") {
    const std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE ruleset [ <!ENTITY % p SYSTEM \"" +
                            listener.Url("evil.ent") +
                            "\"> %p; ]>\n<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" "
                            "version=\"1\" title=\"t\"/>\n";
    RequireRefusedWithoutReading(cr::LoadRuleText(xml, "ssrf.xml"));
  }
  CHECK_FALSE(listener.SomeoneConnected());
}

TEST_CASE("A billion-laughs entity bomb is refused", "[rules][reader][security]") {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE ruleset [\n<!ENTITY lol \"lol\">\n";
  std::string previous = "lol";
  for (int level = 1; level <= 9; ++level) {
    const std::string name = "lol" + std::to_string(level);
    xml += "<!ENTITY " + name + " \"";
    for (int i = 0; i < 10; ++i) xml += "&" + previous + ";";
    xml += "\">\n";
    previous = name;
  }
  xml += "]>\n<ruleset xmlns=\"urn:coderaudit:rules:1\" id=\"t\" version=\"1\" title=\"&" +
         previous + ";\"/>\n";
  RequireRefusedWithoutReading(cr::LoadRuleText(xml, "bomb.xml"));
}

TEST_CASE("An xsi:schemaLocation hint is ignored, never fetched", "[rules][reader][security]") {
  LoopbackListener listener;
  const std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<ruleset xmlns=\"urn:coderaudit:rules:1\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"urn:coderaudit:rules:1 " +
      listener.Url("evil.xsd") + "\" id=\"t\" version=\"1\" title=\"t\">\n" +
      std::string(kMinimalRule) + "\n</ruleset>\n";
  const cr::LoadResult result = cr::LoadRuleText(xml, "hint.xml");
  CHECK(result.issues.empty());
  CHECK(result.rule_set);
  CHECK_FALSE(listener.SomeoneConnected());
}

TEST_CASE("An XInclude of /etc/passwd is a schema error, not an inclusion",
          "[rules][reader][security]") {
  const auto issues = IssueTexts(
      "<ruleset xmlns=\"urn:coderaudit:rules:1\" xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
      "id=\"t\" version=\"1\" title=\"t\"><xi:include href=\"file:///etc/passwd\" "
      "parse=\"text\"/></ruleset>");
  REQUIRE_FALSE(issues.empty());
  for (const auto& issue : issues) CHECK(issue.find("root:") == std::string::npos);
}

TEST_CASE("A reference to an unknown codeset is an issue at the referencing element",
          "[rules][reader]") {
  const std::string xml =
      RuleSetXml("<codeset id=\"known\"><code>E11.9</code></codeset>\n" +
                 RuleXml("R1",
                         "<code-in-set>\n"
                         "  <codes code-type=\"DX\" codeset=\"known unknown\"/>\n"
                         "</code-in-set>"));
  // The codeset is file line 3, the rule starts on line 4, its <codes> is line 8.
  CHECK(IssueTexts(xml) == std::vector<std::string>{"8:50: unknown codeset 'unknown'"});
}

TEST_CASE("Semantic errors in codes, ranges, dates and ids are positioned issues",
          "[rules][reader]") {
  SECTION("duplicate rule and codeset ids") {
    const std::string xml = RuleSetXml(
        "<codeset id=\"a\"><code>E11.9</code></codeset>\n"
        "<codeset id=\"a\"><code>E11.8</code></codeset>\n" +
        std::string(kMinimalRule) + "\n" + std::string(kMinimalRule));
    CHECK(IssueTexts(xml) == std::vector<std::string>{
                                 "4:17: duplicate codeset id 'a'",
                                 "10:88: duplicate rule id 'R1' (version 1), also at test.xml:5:88",
                             });
  }
  SECTION("two versions of a rule whose effective periods overlap") {
    const std::string xml = RuleSetXml(
        "<rule id=\"R1\" version=\"1\" title=\"t\" category=\"c\" severity=\"error\" "
        "disposition=\"review\" effective-to=\"2024-09-30\">\n"
        "<citation>c</citation><message>m</message>\n"
        "<patient-check><sex-unknown/></patient-check></rule>\n"
        "<rule id=\"R1\" version=\"2\" title=\"t\" category=\"c\" severity=\"error\" "
        "disposition=\"review\" effective-from=\"2024-09-30\">\n"
        "<citation>c</citation><message>m</message>\n"
        "<patient-check><sex-unknown/></patient-check></rule>");
    CHECK(IssueTexts(xml) ==
          std::vector<std::string>{
              "6:116: rule R1 versions 1 and 2 have overlapping effective periods "
              "(test.xml:3:114)"});
  }
  SECTION("a code too long to be a code") {
    const std::string xml = RuleSetXml("<codeset id=\"a\">\n<code>E11.99999</code>\n</codeset>");
    CHECK(IssueTexts(xml) ==
          std::vector<std::string>{
              "4:7: not a valid code: 'E11.99999' (at most 7 letters or digits)"});
  }
  SECTION("a range whose from is after its to, and one with unequal bounds") {
    const std::string xml = RuleSetXml(
        "<codeset id=\"a\">\n<range from=\"O9A\" to=\"O00\"/>\n<range from=\"O0\" to=\"O9A\"/>\n"
        "</codeset>");
    CHECK(IssueTexts(xml) ==
          std::vector<std::string>{"4:29: range from 'O9A' is after to 'O00'",
                                   "5:28: range bounds must have the same length: 'O0' and 'O9A'"});
  }
  SECTION("an inline code in a check") {
    const std::string xml = RuleSetXml(RuleXml("R1",
                                               "<code-in-set>\n<codes code-type=\"DX\">\n<range "
                                               "from=\"B\" to=\"A\"/>\n</codes>\n</code-in-set>"));
    CHECK(IssueTexts(xml) == std::vector<std::string>{"8:25: range from 'B' is after to 'A'"});
  }
  SECTION("an impossible effective date, and a period that ends before it starts") {
    const std::string xml =
        RuleSetXml(RuleXml("R1", "<patient-check><sex-unknown/></patient-check>", "m",
                           "effective-from=\"2024-02-30\"") +
                   RuleXml("R2", "<patient-check><sex-unknown/></patient-check>", "m",
                           "effective-from=\"2024-10-01\" effective-to=\"2024-09-30\""));
    CHECK(IssueTexts(xml) ==
          std::vector<std::string>{
              "3:119: effective-from='2024-02-30' is not a real calendar date (YYYY-MM-DD, "
              "1800-2299)",
              "8:145: effective-from is after effective-to"});
  }
  SECTION("a message placeholder the check kind does not provide") {
    const std::string xml = RuleSetXml(RuleXml(
        "R1", "<code-in-set><codes code-type=\"DX\"><code>E11.9</code></codes></code-in-set>",
        "{code} has {units} units"));
    CHECK(IssueTexts(xml) ==
          std::vector<std::string>{"5:10: message placeholder {units} is not provided by "
                                   "<code-in-set>; it offers code dos age sex"});
  }
  SECTION("an embedded test line outside the encounter's dates") {
    const std::string xml =
        RuleSetXml(RuleXml("R1",
                           "<patient-check><sex-unknown/></patient-check>\n"
                           "<test name=\"t\"><encounter sex=\"U\" from=\"2024-03-06\">\n"
                           "<line type=\"HCPCS\" code=\"99213\" dos=\"2024-03-07\"/>\n"
                           "</encounter><expect findings=\"1\"/></test>"));
    CHECK(IssueTexts(xml) ==
          std::vector<std::string>{"8:51: dos lies outside the encounter's from..through"});
  }
}

TEST_CASE("A rule file that cannot be opened is an issue, not an exception", "[rules][reader]") {
  const cr::LoadResult result = cr::LoadRuleFile("/nonexistent/rules.xml");
  CHECK_FALSE(result.rule_set);
  REQUIRE(result.issues.size() == 1);
  CHECK(result.issues[0].file == "/nonexistent/rules.xml");
  CHECK(result.issues[0].message == "cannot open rule file");
}
