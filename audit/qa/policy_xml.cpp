#include "audit/qa/policy_xml.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
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

namespace coderaudit::embedded {
std::string_view scoring_policy_v1_xsd();
}

namespace coderaudit::qa {

namespace x = xercesc;

namespace {

// The same protections as rules/xml_document.cpp (../shared/TOOLCHAIN.md § Xerces-C),
// with the policy schema preloaded instead of the rules schema.
constexpr const char* kSchemaSystemId = "urn:coderaudit:scoring-policy:1/scoring-policy-v1.xsd";
constexpr size_t kMaxIssues = 100;
constexpr unsigned kEntityExpansionLimit = 100;
// Policies are a page of XML; anything far larger is not one.
constexpr size_t kMaxPolicyBytes = 1 << 20;

std::atomic<size_t> g_refused_external{0};

std::string Utf8(const XMLCh* text) {
  if (text == nullptr) return {};
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

class XercesRuntime {
 public:
  static XercesRuntime& Get() {
    // Never destroyed: Xerces must outlive every parser; process exit reclaims it.
    static XercesRuntime* runtime = new XercesRuntime();
    return *runtime;
  }
  x::XMLGrammarPool* Pool() const { return pool_; }

 private:
  XercesRuntime();
  x::XMLGrammarPool* pool_ = nullptr;
};

struct ExternalResourceRefused {
  std::string system_id;
};

class RefuseAllResolver : public x::XMLEntityResolver {
 public:
  x::InputSource* resolveEntity(x::XMLResourceIdentifier* resource) override {
    ++g_refused_external;
    throw ExternalResourceRefused{resource != nullptr ? Utf8(resource->getSystemId())
                                                      : std::string()};
  }
};

class CollectingErrorHandler : public x::ErrorHandler {
 public:
  explicit CollectingErrorHandler(std::string file) : file_(std::move(file)) {}
  void warning(const x::SAXParseException&) override {}
  void error(const x::SAXParseException& e) override { Add(e); }
  void fatalError(const x::SAXParseException& e) override { Add(e); }
  void resetErrors() override {}

  void Add(uint32_t line, uint32_t column, std::string message) {
    if (issues_.size() < kMaxIssues)
      issues_.push_back(Issue{file_, line, column, std::move(message)});
    else
      ++dropped_;
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

class SafeDomParser : public x::XercesDOMParser {
 public:
  SafeDomParser(x::XMLGrammarPool* pool, x::ErrorHandler* errors)
      : x::XercesDOMParser(nullptr, x::XMLPlatformUtils::fgMemoryManager, pool) {
    // No DOCTYPE at all (no XXE, no entity bombs): reachable only through the scanner.
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

  std::pair<uint32_t, uint32_t> Here() const {
    const x::Locator* locator = getScanner()->getLocator();
    if (locator == nullptr) return {0, 0};
    return {Clamp32(locator->getLineNumber()), Clamp32(locator->getColumnNumber())};
  }
  std::pair<uint32_t, uint32_t> PositionOf(const x::DOMNode* node) const {
    const auto it = positions_.find(node);
    return it == positions_.end() ? std::pair<uint32_t, uint32_t>{0, 0} : it->second;
  }

  void startElement(const x::XMLElementDecl& decl, const unsigned int url_id,
                    const XMLCh* const prefix, const x::RefVectorOf<x::XMLAttr>& attributes,
                    const XMLSize_t attribute_count, const bool is_empty,
                    const bool is_root) override {
    const auto here = Here();
    x::XercesDOMParser::startElement(decl, url_id, prefix, attributes, attribute_count, is_empty,
                                     is_root);
    positions_[getCurrentNode()] = here;
  }

 private:
  RefuseAllResolver resolver_;
  x::SecurityManager security_;
  std::unordered_map<const x::DOMNode*, std::pair<uint32_t, uint32_t>> positions_;
};

XercesRuntime::XercesRuntime() {
  try {
    x::XMLPlatformUtils::Initialize();  // reference counted: rules/ may initialise too
  } catch (const x::XMLException& e) {
    throw SystemError("cannot initialise the XML parser: " + Utf8(e.getMessage()));
  }
  auto* pool = new x::XMLGrammarPoolImpl(x::XMLPlatformUtils::fgMemoryManager);
  CollectingErrorHandler errors(kSchemaSystemId);
  {
    SafeDomParser loader(pool, &errors);
    const std::string_view xsd = embedded::scoring_policy_v1_xsd();
    x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(xsd.data()), xsd.size(),
                                kSchemaSystemId);
    x::Grammar* grammar = nullptr;
    try {
      grammar = loader.loadGrammar(source, x::Grammar::SchemaGrammarType, true);
    } catch (const x::OutOfMemoryException&) {
      throw SystemError("out of memory while loading the policy schema");
    } catch (const x::XMLException& e) {
      throw SystemError("cannot load the policy schema: " + Utf8(e.getMessage()));
    }
    if (grammar == nullptr || errors.Any()) {
      std::string detail;
      for (const Issue& issue : errors.Take()) detail += "\n  " + Describe(issue);
      throw SystemError("the embedded policy schema does not load:" + detail);
    }
  }
  pool->lockPool();
  pool_ = pool;
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

PolicyNode Convert(const x::DOMElement* element, const SafeDomParser& parser) {
  PolicyNode node;
  node.name = Utf8(element->getLocalName());
  std::tie(node.line, node.column) = parser.PositionOf(element);
  const x::DOMNamedNodeMap* attributes = element->getAttributes();
  for (XMLSize_t i = 0; attributes != nullptr && i < attributes->getLength(); ++i) {
    const x::DOMNode* attribute = attributes->item(i);
    if (attribute->getNamespaceURI() != nullptr) continue;  // xmlns / xsi bookkeeping
    node.attributes.emplace_back(Utf8(attribute->getLocalName()),
                                 Trim(Utf8(attribute->getNodeValue())));
  }
  std::sort(node.attributes.begin(), node.attributes.end());
  node.text = OwnText(element);
  for (const x::DOMNode* child = element->getFirstChild(); child != nullptr;
       child = child->getNextSibling())
    if (child->getNodeType() == x::DOMNode::ELEMENT_NODE)
      node.children.push_back(Convert(static_cast<const x::DOMElement*>(child), parser));
  return node;
}

}  // namespace

size_t RefusedPolicyExternalResourceCount() { return g_refused_external.load(); }

PolicyXmlResult ParseValidatedPolicyXml(std::string_view bytes, const std::string& display_name) {
  PolicyXmlResult result;
  CollectingErrorHandler errors(display_name);
  if (bytes.size() > kMaxPolicyBytes) {
    errors.Add(1, 1, "a policy file is at most 1 MiB");
    result.issues = errors.Take();
    return result;
  }
  const XercesRuntime& runtime = XercesRuntime::Get();
  try {
    SafeDomParser parser(runtime.Pool(), &errors);
    x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(bytes.data()), bytes.size(),
                                display_name.c_str());
    try {
      parser.parse(source);
    } catch (const ExternalResourceRefused& refused) {
      const auto [line, column] = parser.Here();
      errors.Add(line, column,
                 "external resource refused: '" + refused.system_id +
                     "' (policy files may not reference other files or URLs)");
    } catch (const x::XMLException& e) {
      const auto [line, column] = parser.Here();
      errors.Add(line, column, Utf8(e.getMessage()));
    } catch (const x::DOMException& e) {
      const auto [line, column] = parser.Here();
      errors.Add(line, column, Utf8(e.getMessage()));
    } catch (const x::SAXException& e) {
      const auto [line, column] = parser.Here();
      errors.Add(line, column, Utf8(e.getMessage()));
    }
    if (!errors.Any()) {
      const x::DOMDocument* document = parser.getDocument();
      const x::DOMElement* root = document ? document->getDocumentElement() : nullptr;
      if (root == nullptr)
        errors.Add(1, 1, "no root element");
      else
        result.root = Convert(root, parser);
    }
  } catch (const x::OutOfMemoryException&) {
    result.root.reset();
    errors.Add(0, 0, "out of memory while reading the policy file");
  }
  result.issues = errors.Take();
  if (bytes.find("<!DOCTYPE") != std::string_view::npos)
    for (Issue& issue : result.issues)
      if (issue.message == "invalid document structure")
        issue.message = "DOCTYPE is not allowed in policy files (no DTDs, no entities)";
  if (!result.issues.empty()) result.root.reset();
  return result;
}

}  // namespace coderaudit::qa
