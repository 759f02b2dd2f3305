#include "reports/xlsx/rebuttal_reader.hpp"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/ContentHandler.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/XML/XMLException.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"
#include "reports/xlsx/cell_text.hpp"

namespace coderaudit::reports {
namespace {

using Poco::XML::XMLString;

// A workbook part larger than this is not one of ours (a zip bomb, or not a workbook).
constexpr size_t kMaxPartBytes = size_t{512} << 20;

[[noreturn]] void Bad(const std::string& path, const std::string& why) {
  throw InputError("cannot read rebuttals from " + path + ": " + why);
}

// Excel's _xHHHH_ escapes (how libxlsxwriter writes control characters) back to text.
std::string DecodeEscapes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned cp = 0;
    if (s[i] == '_' && i + 7 <= s.size() && s[i + 1] == 'x' && s[i + 6] == '_' &&
        std::from_chars(s.data() + i + 2, s.data() + i + 6, cp, 16).ptr == s.data() + i + 6) {
      AppendUtf8(out, cp);  // four hex digits: at most U+FFFF
      i += 7;
    } else {
      out += s[i++];
    }
  }
  return out;
}

class Package {
 public:
  // Every byte is read through the hashed file (the archive's scan reads the whole file in
  // order, skipped entries included), so Finish() is the digest of what was unpacked.
  explicit Package(const std::string& path)
      : path_(path), file_(path, "rebuttal workbook"), in_(file_.Stream()) {
    // Poco's own text (assertions with its source paths) means nothing to the user.
    try {
      archive_ = std::make_unique<Poco::Zip::ZipArchive>(in_);
    } catch (const std::exception&) {
      Bad(path, "not a readable workbook (not a zip archive, or a damaged one)");
    }
  }

  std::optional<std::string> Part(const std::string& name) {
    const auto it = archive_->findHeader(name);
    if (it == archive_->headerEnd()) return std::nullopt;
    if (it->second.getUncompressedSize() > kMaxPartBytes) Bad(path_, name + " is too large");
    std::string out;
    try {
      in_.clear();
      Poco::Zip::ZipInputStream zin(in_, it->second, true);
      char buf[1 << 16];
      while (zin) {
        zin.read(buf, sizeof buf);
        out.append(buf, static_cast<size_t>(zin.gcount()));
        if (out.size() > kMaxPartBytes) Bad(path_, name + " is too large");
      }
    } catch (const std::exception&) {
      Bad(path_, "not a readable workbook (cannot unpack " + name + ")");
    }
    // Workbook parts are UTF-8 and never have a DOCTYPE. Refusing both (a NUL byte means
    // UTF-16/32, where the text search below could be dodged) keeps entities out: no
    // XXE, no entity bombs, whatever the XML parser would do with them.
    if (out.find('\0') != std::string::npos)
      Bad(path_, name + " is not UTF-8 XML");
    if (out.find("<!DOCTYPE") != std::string::npos || out.find("<!ENTITY") != std::string::npos)
      Bad(path_, name + " has a DOCTYPE, which a workbook never needs");
    return out;
  }

  // Parses a part as it is unpacked, never holding it whole (a sheet of a million rows is
  // hundreds of MB of XML), with the same checks as Part(): size cap, no NUL byte, no
  // DOCTYPE or ENTITY. False when the part is absent.
  template <typename Handler>
  bool Stream(const std::string& name, Handler& handler);

  // The SHA-256 and size of the workbook as read; InputError if it changed meanwhile.
  FileDigest Finish() { return file_.Finish(); }

 private:
  std::string path_;
  io::HashedFile file_;
  std::istream& in_;
  std::unique_ptr<Poco::Zip::ZipArchive> archive_;
};

// Passes a part's bytes through while checking them; a violation ends the input early
// and is reported instead of the parser's complaint about the cut-off document.
class CheckedPartBuf : public std::streambuf {
 public:
  explicit CheckedPartBuf(std::istream& source) : source_(source) {}
  const std::string& Problem() const { return problem_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!problem_.empty() || !source_) return traits_type::eof();
    // Keep the last bytes of the previous chunk in front: a marker may straddle chunks.
    const size_t keep = std::min<size_t>(kCarry, have_);
    std::memmove(buf_, buf_ + have_ - keep, keep);
    source_.read(buf_ + keep, kChunk);
    const auto got = static_cast<size_t>(source_.gcount());
    if (got == 0) return traits_type::eof();
    total_ += got;
    have_ = keep + got;
    const std::string_view window(buf_, have_);
    if (total_ > kMaxPartBytes) problem_ = " is too large";
    else if (window.find('\0') != std::string_view::npos) problem_ = " is not UTF-8 XML";
    else if (window.find("<!DOCTYPE") != std::string_view::npos || window.find("<!ENTITY") != std::string_view::npos)
      problem_ = " has a DOCTYPE, which a workbook never needs";
    if (!problem_.empty()) return traits_type::eof();
    setg(buf_ + keep, buf_ + keep, buf_ + have_);
    return traits_type::to_int_type(*gptr());
  }

 private:
  static constexpr size_t kChunk = 1 << 16, kCarry = 16;
  std::istream& source_;
  char buf_[kChunk + kCarry];
  size_t have_ = 0, total_ = 0;
  std::string problem_;
};

template <typename Handler>
bool Package::Stream(const std::string& name, Handler& handler) {
  const auto it = archive_->findHeader(name);
  if (it == archive_->headerEnd()) return false;
  if (it->second.getUncompressedSize() > kMaxPartBytes) Bad(path_, name + " is too large");
  std::string parse_error;
  std::string problem;
  try {
    in_.clear();
    Poco::Zip::ZipInputStream zin(in_, it->second, true);
    CheckedPartBuf checked(zin);
    std::istream stream(&checked);
    Poco::XML::InputSource source(stream);
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setContentHandler(&handler);
    try {
      parser.parse(&source);
    } catch (const Poco::XML::SAXException& e) {
      parse_error = e.displayText();
    } catch (const Poco::XML::XMLException& e) {
      parse_error = e.displayText();
    }
    problem = checked.Problem();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception&) {
    Bad(path_, "not a readable workbook (cannot unpack " + name + ")");
  }
  if (!problem.empty()) Bad(path_, name + problem);
  if (!parse_error.empty()) Bad(path_, name + ": " + parse_error);
  return true;
}

template <typename Handler>
void ParseXml(const std::string& path, const std::string& part, const std::string& xml,
              Handler& handler) {
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  parser.setContentHandler(&handler);
  try {
    parser.parseMemoryNP(xml.data(), xml.size());
  } catch (const Poco::Exception& e) {
    Bad(path, part + ": " + e.displayText());
  }
}

// workbook.xml: sheet names and relationship ids, in workbook order.
struct WorkbookHandler : Poco::XML::DefaultHandler {
  std::vector<std::pair<std::string, std::string>> sheets;  // (name, r:id)
  void startElement(const XMLString&, const XMLString& local, const XMLString&,
                    const Poco::XML::Attributes& attrs) override {
    if (local != "sheet") return;
    std::string rid;
    for (int i = 0; i < attrs.getLength(); ++i)
      if (attrs.getLocalName(i) == "id") rid = attrs.getValue(i);
    sheets.push_back({attrs.getValue("", "name"), rid});
  }
};

struct RelsHandler : Poco::XML::DefaultHandler {
  std::map<std::string, std::string> targets;
  void startElement(const XMLString&, const XMLString& local, const XMLString&,
                    const Poco::XML::Attributes& attrs) override {
    if (local == "Relationship") targets[attrs.getValue("", "Id")] = attrs.getValue("", "Target");
  }
};

constexpr size_t kMaxCellBytes = 32767 * 4;  // Excel's cell limit, in UTF-8 bytes

// The workbook's shared strings, by index. Excel saves every text cell as a shared string,
// so a sheet of a million commented rows brings a table of a million strings: the text
// past the first kInMemoryBytes goes to an unnamed temporary file (gone when closed), and
// memory keeps one offset per string (8 bytes a string), whatever the text's length.
class SharedStrings {
 public:
  static constexpr size_t kInMemoryBytes = size_t{8} << 20;

  SharedStrings() = default;
  SharedStrings(const SharedStrings&) = delete;
  SharedStrings& operator=(const SharedStrings&) = delete;
  ~SharedStrings() {
    if (spill_) std::fclose(spill_);
  }

  size_t size() const { return starts_.size(); }

  void Begin() {  // a new string (an <si>)
    if (!spill_ && memory_.size() >= kInMemoryBytes) {
      spill_ = std::tmpfile();
      if (!spill_) Fail();
      spill_from_ = memory_.size();
    }
    starts_.push_back(total_);
  }
  void Append(const char* p, size_t n) {  // text of the current string, capped as a cell
    if (starts_.empty()) return;
    n = std::min<uint64_t>(n, kMaxCellBytes - std::min<uint64_t>(kMaxCellBytes, total_ - starts_.back()));
    if (n == 0) return;
    if (spill_) {
      if (std::fwrite(p, 1, n, spill_) != n) Fail();
      unflushed_ = true;
    } else {
      memory_.append(p, n);
    }
    total_ += n;
  }

  std::string At(size_t i) {
    const uint64_t from = starts_[i], to = i + 1 < starts_.size() ? starts_[i + 1] : total_;
    if (to <= spill_from_ || !spill_) return memory_.substr(from, to - from);
    if (unflushed_ && std::fflush(spill_) != 0) Fail();
    unflushed_ = false;
    std::string out(to - from, '\0');
    size_t got = 0;
    while (got < out.size()) {
      const ssize_t n = ::pread(fileno(spill_), out.data() + got, out.size() - got,
                                static_cast<off_t>(from - spill_from_ + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) Fail();
      got += static_cast<size_t>(n);
    }
    return out;
  }

 private:
  [[noreturn]] static void Fail() {
    throw SystemError(std::string("cannot keep a workbook's shared strings in a temporary file: ") +
                      std::strerror(errno));
  }
  std::vector<uint64_t> starts_;  // string i is [starts_[i], starts_[i + 1]) of the text
  std::string memory_;            // text [0, spill_from_)
  std::FILE* spill_ = nullptr;    // text [spill_from_, total_)
  uint64_t spill_from_ = UINT64_MAX, total_ = 0;
  bool unflushed_ = false;
};

// sharedStrings.xml: each <si>'s text runs (<t>), phonetic runs (<rPh>) left out.
struct SharedStringsHandler : Poco::XML::DefaultHandler {
  SharedStrings strings;
  bool in_t = false;
  int in_phonetic = 0;
  void startElement(const XMLString&, const XMLString& local, const XMLString&,
                    const Poco::XML::Attributes&) override {
    if (local == "si") strings.Begin();
    if (local == "rPh") ++in_phonetic;
    if (local == "t" && in_phonetic == 0) in_t = true;
  }
  void endElement(const XMLString&, const XMLString& local, const XMLString&) override {
    if (local == "t") in_t = false;
    if (local == "rPh") --in_phonetic;
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (in_t) strings.Append(ch + start, static_cast<size_t>(length));
  }
};

uint32_t ColumnOf(std::string_view ref) {
  uint32_t col = 0;
  for (char c : ref) {
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<uint32_t>(c - 'A' + 1);
  }
  return col == 0 ? 0 : col - 1;
}

constexpr uint64_t kMaxSheetRows = 1048576;  // Excel's limit
constexpr uint32_t kMaxSheetColumns = 16384;

// One worksheet row: its number and its cells' text by column.
struct SheetRow {
  uint32_t number = 0;
  std::map<uint32_t, std::string> cells;
};

// A worksheet, row by row: each finished row goes to `on_row` (values as text, numbers as
// written), so a sheet's rows are never all held at once. A row whose number is not in
// 1..1048576 or does not ascend goes to `on_bad_row` with the reason, its cells unread.
struct SheetHandler : Poco::XML::DefaultHandler {
  SheetHandler(SharedStrings& shared, std::function<void(SheetRow&)> on_row,
               std::function<void(uint32_t, std::string)> on_bad_row)
      : shared_(shared), on_row_(std::move(on_row)), on_bad_row_(std::move(on_bad_row)) {}

  void startElement(const XMLString&, const XMLString& local, const XMLString&,
                    const Poco::XML::Attributes& attrs) override {
    if (local == "row") {
      const std::string r = attrs.getValue("", "r");
      uint64_t number = last_row_ + 1;
      bad_row_ = false;
      if (!r.empty()) {
        auto [p, ec] = std::from_chars(r.data(), r.data() + r.size(), number);
        if (ec != std::errc() || p != r.data() + r.size() || number == 0 || number > kMaxSheetRows) {
          bad_row_ = true;
          on_bad_row_(0, "a row number that is not a whole number from 1 to 1048576");
        } else if (number <= last_row_) {
          bad_row_ = true;
          on_bad_row_(static_cast<uint32_t>(number), "row number " + std::to_string(number) +
                                                         " repeats or goes back to an earlier row");
        }
      } else if (number > kMaxSheetRows) {
        bad_row_ = true;
        on_bad_row_(0, "more than 1048576 rows");
      }
      row_.number = bad_row_ ? 0 : static_cast<uint32_t>(number);
      if (!bad_row_) last_row_ = number;
      row_.cells.clear();
      in_row_ = true;
      next_col_ = 0;
    } else if (local == "c") {
      const std::string r = attrs.getValue("", "r");
      col_ = r.empty() ? next_col_ : ColumnOf(r);
      next_col_ = col_ + 1;
      type_ = attrs.getValue("", "t");
      text_.clear();
      in_cell_ = true;
    } else if (in_cell_ && (local == "v" || local == "t")) {
      capture_ = true;
    }
  }
  void endElement(const XMLString&, const XMLString& local, const XMLString&) override {
    if (local == "v" || local == "t") capture_ = false;
    if (local == "row" && in_row_) {
      in_row_ = false;
      if (!bad_row_ && !row_.cells.empty()) on_row_(row_);
      return;
    }
    if (local != "c" || !in_cell_) return;
    in_cell_ = false;
    if (bad_row_ || col_ >= kMaxSheetColumns) return;
    std::string value;
    if (type_ == "s") {
      size_t index = 0;
      auto [p, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), index);
      if (ec == std::errc() && index < shared_.size()) value = shared_.At(index);
    } else {
      value = text_;
    }
    if (!value.empty()) row_.cells[col_] = DecodeEscapes(value);
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (capture_ && text_.size() < kMaxCellBytes) text_.append(ch + start, static_cast<size_t>(length));
  }

 private:
  SharedStrings& shared_;
  std::function<void(SheetRow&)> on_row_;
  std::function<void(uint32_t, std::string)> on_bad_row_;
  SheetRow row_;
  uint64_t last_row_ = 0;
  uint32_t col_ = 0, next_col_ = 0;
  std::string type_, text_;
  bool in_row_ = false, in_cell_ = false, capture_ = false, bad_row_ = false;
};

// The sheets the accuracy workbook writes besides coder sheets, and their continuations
// ("Findings (2)").
bool ReportSheet(std::string_view name) {
  for (std::string_view fixed : {"Summary", "Summary detail", "Error categories", "Trend",
                                 "Auditors", "Findings", "Policy", "Run"}) {
    if (name == fixed) return true;
    if (name.size() > fixed.size() + 3 && name.substr(0, fixed.size()) == fixed &&
        name.substr(fixed.size(), 2) == " (" && name.back() == ')')
      return true;
  }
  return false;
}

std::string Trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<uint32_t> WholeNumber(const std::string& s) {
  // Numbers come back as written by whatever saved the file: "12", "12.0", "1.2E1".
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 4294967295.0 ||
      v != static_cast<double>(static_cast<uint32_t>(v)))
    return std::nullopt;
  return static_cast<uint32_t>(v);
}

// A package's sheet list, where each sheet's part is, and the shared strings.
struct WorkbookIndex {
  WorkbookHandler workbook;
  RelsHandler rels;
  SharedStringsHandler shared;

  WorkbookIndex(const std::string& path, Package& package) {
    const auto workbook_xml = package.Part("xl/workbook.xml");
    const auto rels_xml = package.Part("xl/_rels/workbook.xml.rels");
    if (!workbook_xml || !rels_xml) Bad(path, "not a readable workbook (no xl/workbook.xml)");
    ParseXml(path, "xl/workbook.xml", *workbook_xml, workbook);
    ParseXml(path, "xl/_rels/workbook.xml.rels", *rels_xml, rels);
    package.Stream("xl/sharedStrings.xml", shared);
  }
  // The zip path of the sheet with relationship `rid` ("" when the package has none).
  std::string SheetPart(const std::string& rid) const {
    const auto target = rels.targets.find(rid);
    if (target == rels.targets.end()) return {};
    const std::string& part = target->second;
    return part.rfind('/', 0) == 0 ? part.substr(1) : "xl/" + part;
  }
};

}  // namespace

void ReadRebuttalWorkbook(const std::string& path, const qa::RebuttalSink& sink, FileDigest* digest) {
  Package package(path);
  WorkbookIndex index(path, package);  // not const: shared strings are read as they spill
  const auto& workbook = index.workbook;
  auto& shared = index.shared;

  size_t coder_sheets = 0;
  std::string not_understood;
  for (const auto& sheet_entry : workbook.sheets) {
    // Named, not a structured binding: lambdas below capture them (clang < 16 refuses to
    // capture structured bindings, and the fuzz build uses clang 14).
    const auto& sheet_name = sheet_entry.first;
    const auto& rid = sheet_entry.second;
    const std::string where = path + " [" + sheet_name + "]";
    auto reject_sheet = [&](uint32_t line, std::string field, std::string reason) {
      sink.on_reject(Reject{where, line, std::move(field), std::move(reason), ""});
    };
    // The report's own sheets hold no rebuttals: skipped without unpacking them. Any
    // other sheet that is not a coder sheet (a renamed coder sheet, an added one) is a
    // reject: its rows are not read, and the run says so.
    if (sheet_name.rfind("Coder ", 0) != 0) {
      if (!ReportSheet(sheet_name)) {
        not_understood += (not_understood.empty() ? "'" : ", '") + sheet_name + "'";
        reject_sheet(0, "sheet", "not a sheet of the accuracy workbook (a renamed coder sheet?): "
                                 "its rows are not read; coder sheets are named 'Coder <id>'");
      }
      continue;
    }
    ++coder_sheets;
    const std::string part = index.SheetPart(rid);
    std::map<std::string, uint32_t> col;
    uint32_t header_row = 0;
    bool header_bad = false;
    auto on_bad_row = [&](uint32_t line, std::string reason) { reject_sheet(line, "row", std::move(reason)); };
    auto on_row = [&](SheetRow& sheet_row) {
      const uint32_t row = sheet_row.number;
      const auto& cells = sheet_row.cells;
      if (header_row == 0) {
        // The header is the first row with a "Ref" cell. Rows above it are the block a
        // coder's own workbook opens with (their scores, what to fill in): not rebuttals.
        // A sheet whose header was deleted has no such row and is a reject below.
        bool has_ref = false;
        for (const auto& [c, text] : cells) has_ref |= Trimmed(text) == "Ref";
        if (!has_ref) return;
        header_row = row;
        for (const auto& [c, text] : cells) col[Trimmed(text)] = c;
        std::string missing;
        for (const char* name : {"Ref", "Rebuttal", "Final decision"})
          if (!col.count(name)) missing += (missing.empty() ? "'" : ", '") + std::string(name) + "'";
        if (!missing.empty()) {
          header_bad = true;
          reject_sheet(row, "header", "the header row has no " + missing +
                                          " column (header row deleted or retyped?): the sheet's rows are not read");
        }
        return;
      }
      if (header_bad) return;
      auto cell = [&](const char* name) -> std::string {
        const auto c = col.find(name);
        if (c == col.end()) return {};
        const auto it = cells.find(c->second);
        return it == cells.end() ? std::string() : Trimmed(it->second);
      };
      const std::string rebuttal = cell("Rebuttal"), decision = cell("Final decision"),
                        coder_comment = cell("Coder comment"), note = cell("Decision note");
      if (rebuttal.empty() && decision.empty() && coder_comment.empty() && note.empty()) return;
      auto reject = [&](std::string field, std::string reason) { reject_sheet(row, std::move(field), std::move(reason)); };
      qa::RebuttalEntry e;
      e.file = path;
      e.where = sheet_name;
      e.line = row;
      const auto ref = WholeNumber(cell("Ref"));
      if (!ref || *ref == 0) return reject("Ref", "the row's Ref is missing or not a whole number (do not edit Ref)");
      e.ref = *ref;
      e.encounter_id = cell("Encounter");
      if (const auto o = qa::ParseOutcome(cell("Outcome"))) e.outcome = *o;
      const auto r = qa::ParseRebuttal(rebuttal);
      if (!r) return reject("Rebuttal", "must be agree, disagree or empty");
      const auto d = qa::ParseDecision(decision);
      if (!d) return reject("Final decision", "must be upheld, overturned or empty");
      e.rebuttal = *r;
      e.decision = *d;
      e.coder_comment = coder_comment;
      e.decision_note = note;
      sink.on_entry(std::move(e));
    };
    SheetHandler sheet(shared.strings, on_row, on_bad_row);
    if (part.empty() || !package.Stream(part, sheet)) {
      reject_sheet(0, "sheet", "the workbook has no worksheet part for this sheet");
      continue;
    }
    if (header_row == 0) reject_sheet(0, "header", "the sheet has no header row (no Ref, Rebuttal and Final decision columns)");
  }
  if (coder_sheets == 0)
    Bad(path, "no coder sheet (a sheet named 'Coder <id>' with Ref, Rebuttal and Final decision "
              "columns; is this an accuracy workbook?" +
                  (not_understood.empty() ? std::string(")") : " sheets not understood: " + not_understood + ")"));
  const FileDigest read = package.Finish();
  if (digest) *digest = read;
}

std::optional<int64_t> ReadWorkbookRunId(const std::string& path) {
  Package package(path);
  WorkbookIndex index(path, package);
  std::string part;
  for (const auto& [sheet_name, rid] : index.workbook.sheets)
    if (sheet_name == "Run") part = index.SheetPart(rid);
  if (part.empty()) return std::nullopt;
  std::optional<int64_t> run_id;
  // The Run sheet's rows are Field / Value: the score run's is "run id".
  auto on_row = [&](SheetRow& row) {
    const auto key = row.cells.find(0), value = row.cells.find(1);
    if (run_id || key == row.cells.end() || value == row.cells.end() ||
        Trimmed(key->second) != "run id")
      return;
    if (const auto n = WholeNumber(Trimmed(value->second)); n && *n > 0) run_id = *n;
  };
  SheetHandler sheet(index.shared.strings, on_row, [](uint32_t, std::string) {});
  package.Stream(part, sheet);
  return run_id;
}

std::vector<qa::RebuttalEntry> ReadRebuttalWorkbook(const std::string& path,
                                                    std::vector<Reject>& rejects) {
  std::vector<qa::RebuttalEntry> out;
  ReadRebuttalWorkbook(path, {[&](qa::RebuttalEntry&& e) { out.push_back(std::move(e)); },
                              [&](Reject&& r) { rejects.push_back(std::move(r)); }});
  return out;
}

}  // namespace coderaudit::reports
