#pragma once
// The only door to Xerces-C: parse untrusted rule XML, validate it against the embedded
// rules-v1.xsd, and hand back a plain element tree with positions. Third-party types and
// exceptions never leave xml_document.cpp.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model/reject.hpp"
#include "rules/rule_set.hpp"

namespace coderaudit::rules {

struct XmlParseResult {
  std::optional<XmlNode> root;  // set only when the document is well formed and valid
  std::vector<Issue> issues;
};

// DOCTYPE, external entities, schema-location hints and XInclude are all refused; the
// only grammar used is the embedded rules XSD. Safe to call from several threads.
XmlParseResult ParseValidatedRuleXml(std::string_view bytes, const std::string& display_name);

// Any of the project's XML languages, with the same protections, validated against
// `xsd` (preloaded and cached under `system_id`; schemaLocation hints are ignored).
struct XmlSchema {
  std::string_view xsd;
  const char* system_id;
  std::string what;  // "rule files", "scoring policies": used in messages
};
XmlParseResult ParseValidatedXml(std::string_view bytes, const std::string& display_name,
                                 const XmlSchema& schema);

// Number of times any external resource was asked for and refused (tests assert 0 reads).
size_t RefusedExternalResourceCount();

}  // namespace coderaudit::rules
