#include "audit/io/xml_document.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <xercesc/dom/DOM.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/internal/XMLScanner.hpp>
#include <xercesc/parsers/XercesDOMParser.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/TransService.hpp>
#include <xercesc/util/XMLEntityResolver.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include "audit/model/error.hpp"

namespace coderaudit::io {

namespace x = xercesc;

namespace {

constexpr size_t kMaxIssues = 100;
// Rule files are hand-written: no legitimate one comes near this, a hostile one might.
constexpr unsigned kEntityExpansionLimit = 100;

std::atomic<size_t> g_refused_external{0};

std::string Utf8(const XMLCh* text) {
  if (text == nullptr) return {};
  // Explicit UTF-8: XMLString::transcode would use the process locale's code page.
  x::TranscodeToStr out(text, "UTF-8");
  return std::string(reinterpret_cast<const char*>(out.str()), out.length());
}

uint32_t Clamp32(XMLFileLoc value) {
  return value > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                      : static_cast<uint32_t>(value);
}

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// Process-wide Xerces state: initialised once (thread-safe static), with the embedded XSD
// preloaded into a locked grammar pool that every parser shares read-only.
// Xerces initialised once per process; one locked grammar pool per schema, loaded on
// first use, so parsers on several threads share it read-only.
class XercesRuntime {
 public:
  static XercesRuntime& Get() {
    // Never destroyed: Xerces must outlive every parser; process exit reclaims it.
    static XercesRuntime* runtime = new XercesRuntime();
    return *runtime;
  }
  x::XMLGrammarPool* Pool(const XmlSchema& schema);

 private:
  XercesRuntime();
  std::mutex mutex_;
  std::unordered_map<std::string, x::XMLGrammarPool*> pools_;
};

struct ExternalResourceRefused {
  std::string system_id;
  SourcePos pos;  // where the scanner was when it asked (taken before unwinding)
};

// Where the scanner is now. Only valid while the scanner runs: once an exception has
// unwound out of parse(), Xerces has reset its reader stack and the locator reads freed
// memory (found by fuzz/rule_xml_fuzz: a DOMException from a malformed start tag, then a
// SEGV in ReaderMgr::getLineNumber). Callers after parse() use positions taken earlier.
SourcePos LocatorPos(const x::Locator* locator) {
  if (locator == nullptr) return {};
  return {Clamp32(locator->getLineNumber()), Clamp32(locator->getColumnNumber())};
}

// Refuses every external resource (DTDs, entities, schemas, XIncludes): nothing outside
// the document itself is ever opened, by file or by network. Returning null would also
// fail (default resolution is disabled too) but later and with a vaguer message.
class RefuseAllResolver : public x::XMLEntityResolver {
 public:
  // The scanner whose position a refusal reports (set once the parser has its scanner).
  void Watch(const x::XMLScanner* scanner) { scanner_ = scanner; }
  x::InputSource* resolveEntity(x::XMLResourceIdentifier* resource) override {
    ++g_refused_external;
    throw ExternalResourceRefused{
        resource != nullptr ? Utf8(resource->getSystemId()) : std::string(),
        LocatorPos(scanner_ != nullptr ? scanner_->getLocator() : nullptr)};
  }

 private:
  const x::XMLScanner* scanner_ = nullptr;
};

class CollectingErrorHandler : public x::ErrorHandler {
 public:
  explicit CollectingErrorHandler(std::string file) : file_(std::move(file)) {}
  void warning(const x::SAXParseException&) override {}
  void error(const x::SAXParseException& e) override { Add(e); }
  void fatalError(const x::SAXParseException& e) override { Add(e); }
  void resetErrors() override {}

  void Add(uint32_t line, uint32_t column, std::string message) {
    if (issues_.size() < kMaxIssues) {
      issues_.push_back(Issue{file_, line, column, std::move(message)});
    } else {
      ++dropped_;
    }
  }
  // An issue that explains the others (the issue count limit still applies).
  void AddFirst(uint32_t line, uint32_t column, std::string message) {
    issues_.insert(issues_.begin(), Issue{file_, line, column, std::move(message)});
    if (issues_.size() > kMaxIssues) {
      issues_.pop_back();
      ++dropped_;
    }
  }
  std::vector<Issue> Take() {
    if (dropped_ > 0)
      issues_.push_back(Issue{file_, 0, 0, std::to_string(dropped_) + " more issues not shown"});
    return std::move(issues_);
  }
  bool Any() const { return !issues_.empty() || dropped_ > 0; }

 private:
  void Add(const x::SAXParseException& e) {
    Add(Clamp32(e.getLineNumber()), Clamp32(e.getColumnNumber()), Utf8(e.getMessage()));
  }
  std::string file_;
  std::vector<Issue> issues_;
  size_t dropped_ = 0;
};

// XercesDOMParser with every protection of TOOLCHAIN.md switched on, which also remembers
// where each element's start tag ended (the DOM itself keeps no positions).
class SafeDomParser : public x::XercesDOMParser {
 public:
  SafeDomParser(x::XMLGrammarPool* pool, x::ErrorHandler* errors,
                std::string root_namespace = {})
      : x::XercesDOMParser(nullptr, x::XMLPlatformUtils::fgMemoryManager, pool),
        root_namespace_(std::move(root_namespace)) {
    // The schema-only scanner, not Xerces' default IGXMLScanner: IGXMLScanner grows its
    // per-depth validation state only for elements of a schema grammar, so an element of
    // the schema's namespace below 32 or more levels of unqualified elements writes past
    // that array (heap overflow; found by fuzz/policy_xml_fuzz against a Xerces built with
    // ASan, tests "... unqualified elements nested deep ..."). SGXMLScanner grows it for
    // every element; DTD support, the only thing IGXMLScanner adds, is refused anyway.
    useScanner(x::XMLUni::fgSGXMLScanner);
    resolver_.Watch(getScanner());
    // No DOCTYPE at all: no internal subset, no external DTD, no entity declarations, so
    // neither XXE nor entity-expansion bombs can start. Only reachable through the
    // protected scanner, hence the subclass.
    getScanner()->setDisallowDTD(true);
    setXMLEntityResolver(&resolver_);
    setDisableDefaultEntityResolution(true);
    security_.setEntityExpansionLimit(kEntityExpansionLimit);
    setSecurityManager(&security_);
    setErrorHandler(errors);

    setDoNamespaces(true);
    setDoSchema(true);
    setValidationScheme(x::XercesDOMParser::Val_Always);
    setValidationSchemaFullChecking(true);
    // Only the preloaded embedded XSD: xsi:schemaLocation hints are never fetched.
    setLoadSchema(false);
    useCachedGrammarInParse(true);
    setLoadExternalDTD(false);
    setSkipDTDValidation(true);
    setCreateEntityReferenceNodes(false);
    setDoXInclude(false);
    setCreateCommentNodes(false);
    setIncludeIgnorableWhitespace(false);
  }

  // Only while parsing (see LocatorPos); afterwards use LastPos().
  SourcePos Here() const { return LocatorPos(getScanner()->getLocator()); }
  // The start tag the scanner reached last: where a parse that threw had got to.
  SourcePos LastPos() const { return last_; }
  // Set when the root element is outside the expected namespace: Xerces only reports
  // that it has no declaration for it, which does not say why.
  const std::optional<Issue>& WrongRoot() const { return wrong_root_; }

  SourcePos PositionOf(const x::DOMNode* node) const {
    const auto it = positions_.find(node);
    return it == positions_.end() ? SourcePos{} : it->second;
  }

  void startElement(const x::XMLElementDecl& decl, const unsigned int url_id,
                    const XMLCh* const prefix, const x::RefVectorOf<x::XMLAttr>& attributes,
                    const XMLSize_t attribute_count, const bool is_empty,
                    const bool is_root) override {
    const SourcePos here = Here();
    last_ = here;
    if (is_root && !root_namespace_.empty()) {
      const std::string uri = Utf8(getScanner()->getURIText(url_id));
      if (uri != root_namespace_)
        wrong_root_ = Issue{"", here.line, here.column,
                            "the root element <" + Utf8(decl.getBaseName()) + "> is " +
                                (uri.empty() ? std::string("in no namespace")
                                             : "in namespace '" + uri + "'") +
                                ", not in " + root_namespace_};
    }
    x::XercesDOMParser::startElement(decl, url_id, prefix, attributes, attribute_count, is_empty,
                                     is_root);
    // For an empty element the base class has already "ended" it, which leaves the
    // element itself as the current node, so this holds in both cases.
    positions_[getCurrentNode()] = here;
  }

 private:
  RefuseAllResolver resolver_;
  x::SecurityManager security_;
  std::unordered_map<const x::DOMNode*, SourcePos> positions_;
  SourcePos last_{1, 1};  // before any start tag: the document's start
  std::string root_namespace_;
  std::optional<Issue> wrong_root_;
};

XercesRuntime::XercesRuntime() {
  try {
    x::XMLPlatformUtils::Initialize();
  } catch (const x::XMLException& e) {
    throw SystemError("cannot initialise the XML parser: " + Utf8(e.getMessage()));
  }
}

x::XMLGrammarPool* XercesRuntime::Pool(const XmlSchema& schema) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = pools_.find(schema.system_id); it != pools_.end()) return it->second;
  auto* pool = new x::XMLGrammarPoolImpl(x::XMLPlatformUtils::fgMemoryManager);
  CollectingErrorHandler errors(schema.system_id);
  {
    SafeDomParser loader(pool, &errors);
    x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(schema.xsd.data()),
                                schema.xsd.size(), schema.system_id);
    x::Grammar* grammar = nullptr;
    try {
      grammar = loader.loadGrammar(source, x::Grammar::SchemaGrammarType, true);
    } catch (const x::OutOfMemoryException&) {
      throw SystemError(std::string("out of memory while loading ") + schema.system_id);
    } catch (const x::XMLException& e) {
      throw SystemError(std::string("cannot load ") + schema.system_id + ": " + Utf8(e.getMessage()));
    }
    if (grammar == nullptr || errors.Any()) {
      std::string detail;
      for (const Issue& issue : errors.Take()) detail += "\n  " + Describe(issue);
      throw SystemError(std::string("the embedded schema ") + schema.system_id +
                        " does not load:" + detail);
    }
  }
  pool->lockPool();
  pools_.emplace(schema.system_id, pool);
  return pool;
}

std::string OwnText(const x::DOMElement* element) {
  std::string text;
  for (const x::DOMNode* child = element->getFirstChild(); child != nullptr;
       child = child->getNextSibling()) {
    const auto type = child->getNodeType();
    if (type == x::DOMNode::TEXT_NODE || type == x::DOMNode::CDATA_SECTION_NODE)
      text += Utf8(child->getNodeValue());
  }
  return Trim(text);
}

XmlNode Convert(const x::DOMElement* element, const SafeDomParser& parser) {
  XmlNode node;
  node.name = Utf8(element->getLocalName());
  node.pos = parser.PositionOf(element);
  const x::DOMNamedNodeMap* attributes = element->getAttributes();
  for (XMLSize_t i = 0; attributes != nullptr && i < attributes->getLength(); ++i) {
    const x::DOMNode* attribute = attributes->item(i);
    // Attributes of the project's languages are unqualified; namespaced ones are xmlns and xsi bookkeeping.
    if (attribute->getNamespaceURI() != nullptr) continue;
    node.attributes.emplace_back(Utf8(attribute->getLocalName()),
                                 Trim(Utf8(attribute->getNodeValue())));
  }
  std::sort(node.attributes.begin(), node.attributes.end());
  node.text = OwnText(element);
  for (const x::DOMNode* child = element->getFirstChild(); child != nullptr;
       child = child->getNextSibling()) {
    if (child->getNodeType() == x::DOMNode::ELEMENT_NODE)
      node.children.push_back(Convert(static_cast<const x::DOMElement*>(child), parser));
  }
  return node;
}

// Element nesting deeper than any file of the project's languages needs. Xerces spends
// far more than linear time on a hostile "<a><a><a>..." (minutes for 200,000 levels) and
// the DOM conversion recurses, so depth is checked first, in one pass over the bytes.
constexpr size_t kMaxElementDepth = 256;

// The position of the first start tag deeper than kMaxElementDepth, if any. Skips
// comments, CDATA, processing instructions and quoted attribute values; malformed text is
// left for Xerces to report.
std::optional<SourcePos> TooDeep(std::string_view b) {
  size_t depth = 0;
  uint32_t line = 1;
  size_t line_start = 0;
  auto skip_to = [&](size_t from, std::string_view end) {
    const size_t at = b.find(end, from);
    const size_t stop = at == std::string_view::npos ? b.size() : at + end.size();
    for (size_t k = from; k < stop; ++k)
      if (b[k] == '\n') ++line, line_start = k + 1;
    return stop;
  };
  for (size_t i = 0; i < b.size();) {
    const char c = b[i];
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    if (b.substr(i, 4) == "<!--") { i = skip_to(i + 4, "-->"); continue; }
    if (b.substr(i, 9) == "<![CDATA[") { i = skip_to(i + 9, "]]>"); continue; }
    if (b.substr(i, 2) == "<?" || b.substr(i, 2) == "<!") { i = skip_to(i + 2, ">"); continue; }
    if (b.substr(i, 2) == "</") {
      if (depth > 0) --depth;
      i = skip_to(i + 2, ">");
      continue;
    }
    // A start tag: find its end outside quoted attribute values.
    const SourcePos here{line, static_cast<uint32_t>(std::min<size_t>(i - line_start + 1, UINT32_MAX))};
    size_t k = i + 1;
    char quote = 0;
    for (; k < b.size(); ++k) {
      const char d = b[k];
      if (d == '\n') ++line, line_start = k + 1;
      if (quote) {
        if (d == quote) quote = 0;
      } else if (d == '"' || d == '\'') {
        quote = d;
      } else if (d == '>') {
        break;
      }
    }
    const bool empty = k < b.size() && k > i + 1 && b[k - 1] == '/';
    if (!empty && ++depth > kMaxElementDepth) return here;
    i = k + 1;
  }
  return std::nullopt;
}

// The project's XML languages are UTF-8. Anything else is refused before Xerces sees it:
// its transcoders are code the files never need, and fuzzing the policy reader with a
// declared "UTF-7" and a NUL byte corrupted the heap inside Xerces (ASan saw the damage
// at the next free). A NUL is not an XML character at all. Returns why, or nothing.
std::optional<std::string> NotUtf8Xml(std::string_view b, SourcePos& where) {
  if (const size_t nul = b.find('\0'); nul != std::string_view::npos) {
    where = SourcePos{static_cast<uint32_t>(std::count(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(nul), '\n') + 1), 0};
    return std::string("a NUL byte (not an XML character; a UTF-16 file?): save the file as UTF-8");
  }
  std::string_view head = b;
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  if (!head.starts_with("<?xml")) return std::nullopt;
  const size_t end = head.find("?>");
  const std::string_view decl = head.substr(0, end == std::string_view::npos ? std::min<size_t>(head.size(), 256) : end);
  const size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return std::nullopt;
  size_t k = decl.find_first_of("\"'", at);
  if (k == std::string_view::npos) return std::nullopt;  // malformed: Xerces says so
  const size_t close = decl.find(decl[k], k + 1);
  if (close == std::string_view::npos) return std::nullopt;
  std::string name(decl.substr(k + 1, close - k - 1));
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (upper == "UTF-8" || upper == "UTF8" || upper == "US-ASCII" || upper == "ASCII") return std::nullopt;
  where = SourcePos{1, 1};
  return "encoding '" + name.substr(0, 40) + "' is not supported: save the file as UTF-8";
}

}  // namespace

size_t RefusedExternalResourceCount() { return g_refused_external.load(); }

XmlParseResult ParseValidatedXml(std::string_view bytes, const std::string& display_name,
                                 const XmlSchema& schema) {
  XmlParseResult result;
  if (const auto deep = TooDeep(bytes)) {
    result.issues.push_back(Issue{display_name, deep->line, deep->column,
                                  "elements nested more than " + std::to_string(kMaxElementDepth) +
                                      " deep: not one of the " + schema.what});
    return result;
  }
  SourcePos bad_at{};
  if (const auto why = NotUtf8Xml(bytes, bad_at)) {
    result.issues.push_back(Issue{display_name, bad_at.line, bad_at.column, *why});
    return result;
  }
  CollectingErrorHandler errors(display_name);
  XercesRuntime& runtime = XercesRuntime::Get();
  try {
    SafeDomParser parser(runtime.Pool(schema), &errors, schema.target_namespace);
    x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(bytes.data()), bytes.size(),
                                display_name.c_str());
    // Decoded as UTF-8 whatever the declaration says (checked above, too).
    static const XMLCh kUtf8[] = {u'U', u'T', u'F', u'-', u'8', 0};
    source.setEncoding(kUtf8);
    try {
      parser.parse(source);
    } catch (const ExternalResourceRefused& refused) {
      const SourcePos here = refused.pos;
      errors.Add(here.line, here.column,
                 "external resource refused: '" + refused.system_id +
                     "' (" + schema.what + " may not reference other files or URLs)");
    } catch (const x::XMLException& e) {
      const SourcePos here = parser.LastPos();
      errors.Add(here.line, here.column, Utf8(e.getMessage()));
    } catch (const x::DOMException& e) {
      const SourcePos here = parser.LastPos();
      errors.Add(here.line, here.column, Utf8(e.getMessage()));
    } catch (const x::SAXException& e) {
      const SourcePos here = parser.LastPos();
      errors.Add(here.line, here.column, Utf8(e.getMessage()));
    }
    if (const auto& wrong = parser.WrongRoot())
      errors.AddFirst(wrong->line, wrong->column, wrong->message);
    if (!errors.Any()) {
      const x::DOMDocument* document = parser.getDocument();
      const x::DOMElement* root = document ? document->getDocumentElement() : nullptr;
      if (root == nullptr) {
        errors.Add(1, 1, "no root element");
      } else {
        result.root = Convert(root, parser);
      }
    }
  } catch (const x::OutOfMemoryException&) {
    // Not an XMLException: uncaught it would abort the process.
    result.root.reset();
    errors.Add(0, 0, "out of memory while reading the file");
  }
  result.issues = errors.Take();
  // Xerces words a refused DOCTYPE as "invalid document structure"; say what is wrong.
  if (bytes.find("<!DOCTYPE") != std::string_view::npos)
    for (Issue& issue : result.issues)
      if (issue.message == "invalid document structure")
        issue.message = "DOCTYPE is not allowed in " + schema.what + " (no DTDs, no entities)";
  if (!result.issues.empty()) result.root.reset();
  return result;
}

const std::string* XmlNode::Attr(std::string_view key) const {
  for (const auto& [k, v] : attributes)
    if (k == key) return &v;
  return nullptr;
}

std::string XmlNode::AttrOr(std::string_view key, std::string_view fallback) const {
  const std::string* value = Attr(key);
  return value ? *value : std::string(fallback);
}

const XmlNode* XmlNode::Child(std::string_view child_name) const {
  for (const auto& child : children)
    if (child.name == child_name) return &child;
  return nullptr;
}

}  // namespace coderaudit::io
