#include "audit/refdata/tabular_xml.hpp"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/Locator.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>

#include <array>
#include <optional>
#include <string>

#include "audit/model/error.hpp"
#include "audit/refdata/note_ranges.hpp"
#include "audit/refdata/readers.hpp"

namespace coderaudit::refdata::detail {

namespace {

constexpr size_t kMaxDocument = size_t{256} << 20;
constexpr size_t kMaxText = 1 << 16;

// The four note containers, in TabularNotes order.
constexpr std::array<std::string_view, 4> kNoteKinds = {"excludes1", "excludes2", "codeFirst",
                                                        "useAdditionalCode"};

std::vector<CodeRange>& List(TabularNotes& n, size_t kind) {
  switch (kind) {
    case 0: return n.excludes1;
    case 1: return n.excludes2;
    case 2: return n.code_first;
    default: return n.use_additional;
  }
}

const std::vector<CodeRange>& List(const TabularNotes& n, size_t kind) {
  switch (kind) {
    case 0: return n.excludes1;
    case 1: return n.excludes2;
    case 2: return n.code_first;
    default: return n.use_additional;
  }
}

bool SameRange(const CodeRange& a, const CodeRange& b) {
  return a.from == b.from && a.to == b.to && a.where == b.where;
}

void AppendUnique(std::vector<CodeRange>& to, const std::vector<CodeRange>& from) {
  for (const auto& r : from) {
    bool seen = false;
    for (const auto& t : to) seen = seen || SameRange(t, r);
    if (!seen) to.push_back(r);
  }
}

TabularNotes Merge(const TabularNotes& inherited, const TabularNotes& own) {
  TabularNotes m = inherited;
  for (size_t k = 0; k < 4; ++k) AppendUnique(List(m, k), List(own, k));
  return m;
}

bool Empty(const TabularNotes& n) {
  return n.excludes1.empty() && n.excludes2.empty() && n.code_first.empty() &&
         n.use_additional.empty();
}

class Handler : public Poco::XML::DefaultHandler {
 public:
  Handler(const std::string& file, std::vector<Reject>& rejects, TabularRows& out)
      : file_(file), rejects_(rejects), out_(out) {}

  void setDocumentLocator(const Poco::XML::Locator* loc) override { locator_ = loc; }

  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                    const Poco::XML::XMLString& qname, const Poco::XML::Attributes&) override {
    const std::string& name = local.empty() ? qname : local;
    const std::string parent = elements_.empty() ? std::string() : elements_.back();
    elements_.push_back(name);
    if (name == "chapter" || name == "section" || name == "diag") {
      Context c;
      c.is_diag = name == "diag";
      if (!stack_.empty()) c.inherited = Merge(stack_.back().inherited, stack_.back().own);
      stack_.push_back(std::move(c));
      return;
    }
    for (size_t k = 0; k < kNoteKinds.size(); ++k) {
      if (name == kNoteKinds[k] && !stack_.empty()) {
        note_kind_ = static_cast<int>(k);
        note_depth_ = elements_.size();
        return;
      }
    }
    if ((name == "note" && note_kind_ >= 0 && elements_.size() == note_depth_ + 1) ||
        (name == "name" && parent == "diag")) {
      capture_ = true;
      text_.clear();
    }
  }

  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (!capture_ || length <= 0) return;
    const size_t room = kMaxText - std::min(kMaxText, text_.size());
    text_.append(ch + start, std::min(room, static_cast<size_t>(length)));
  }

  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                  const Poco::XML::XMLString& qname) override {
    const std::string& name = local.empty() ? qname : local;
    if (capture_) {
      capture_ = false;
      if (name == "name" && !stack_.empty()) {
        Context& c = stack_.back();
        c.code = ParseIcdCmCode(text_);
        if (!c.code) {
          rejects_.push_back(
              Reject{file_, Line(), "diag/name", "not an ICD-10-CM code", text_.substr(0, 200)});
        }
      } else if (name == "note" && note_kind_ >= 0 && !stack_.empty()) {
        AppendUnique(List(stack_.back().own, static_cast<size_t>(note_kind_)),
                     ParseNoteRanges(text_));
      }
    }
    if (note_kind_ >= 0 && elements_.size() == note_depth_) note_kind_ = -1;
    if (name == "chapter" || name == "section" || name == "diag") Close();
    if (!elements_.empty()) elements_.pop_back();
  }

 private:
  struct Context {
    bool is_diag = false;
    std::optional<Code> code;
    TabularNotes inherited, own;
  };

  uint32_t Line() const {
    return locator_ ? static_cast<uint32_t>(std::max(0, locator_->getLineNumber())) : 0;
  }

  void Close() {
    if (stack_.empty()) return;
    Context c = std::move(stack_.back());
    stack_.pop_back();
    if (!c.is_diag) return;
    ++out_.diags;
    if (!c.code) return;
    // Categories are always stored so every code finds its chapter/section notes by
    // walking up to its first three characters; deeper codes only when they add notes.
    const bool store = !Empty(c.own) || c.code->Size() == 3;
    if (!store) return;
    TabularNotes merged = Merge(c.inherited, c.own);
    if (!Empty(merged)) out_.entries.push_back({*c.code, std::move(merged)});
  }

  std::string file_;
  std::vector<Reject>& rejects_;
  TabularRows& out_;
  const Poco::XML::Locator* locator_ = nullptr;
  std::vector<std::string> elements_;
  std::vector<Context> stack_;
  int note_kind_ = -1;
  size_t note_depth_ = 0;
  bool capture_ = false;
  std::string text_;
};

// Refuses a DOCTYPE (or any other markup declaration) in the prolog: without one there
// are no entity declarations, no external subset and nothing to expand.
void RefuseDoctype(const std::string& doc, const std::string& name) {
  size_t p = doc.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (;;) {
    while (p < doc.size() && (doc[p] == ' ' || doc[p] == '\t' || doc[p] == '\r' || doc[p] == '\n'))
      ++p;
    if (doc.compare(p, 2, "<?") == 0) {
      const size_t e = doc.find("?>", p + 2);
      if (e == std::string::npos) return;  // the parser reports it
      p = e + 2;
    } else if (doc.compare(p, 4, "<!--") == 0) {
      const size_t e = doc.find("-->", p + 4);
      if (e == std::string::npos) return;
      p = e + 3;
    } else if (doc.compare(p, 2, "<!") == 0) {
      throw InputError(name + ": DOCTYPE declarations are not allowed in the tabular XML");
    } else {
      return;
    }
  }
}

}  // namespace

TabularRows ReadTabular(Source& src, std::vector<Reject>& rejects) {
  std::string doc;
  {
    std::istream& in = src.Stream();
    std::string chunk(1 << 16, '\0');
    try {
      while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = in.gcount();
        if (got <= 0) break;
        if (doc.size() + static_cast<size_t>(got) > kMaxDocument)
          throw InputError(src.Name() + ": larger than 256 MB; not a tabular XML");
        doc.append(chunk.data(), static_cast<size_t>(got));
      }
    } catch (const Poco::Exception& e) {
      throw InputError(src.Name() + ": read failed (" + e.displayText() + ")");
    }
    src.CheckEnd();
  }
  RefuseDoctype(doc, src.Name());

  TabularRows out;
  Handler handler(src.Name(), rejects, out);
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  parser.setContentHandler(&handler);
  try {
    parser.parseMemoryNP(doc.data(), doc.size());
  } catch (const Poco::XML::SAXParseException& e) {
    throw InputError(src.Name() + ":" + std::to_string(e.getLineNumber()) + ":" +
                     std::to_string(e.getColumnNumber()) + ": not well-formed XML (" + e.message() +
                     ")");
  } catch (const Poco::Exception& e) {
    throw InputError(src.Name() + ": cannot parse XML (" + e.displayText() + ")");
  }
  if (out.diags == 0 && out.entries.empty())
    throw InputError(src.Name() + ": no <diag> elements; not an ICD-10-CM tabular XML");
  return out;
}

}  // namespace coderaudit::refdata::detail
