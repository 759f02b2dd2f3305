#pragma once
// The only door to Xerces-C: parse untrusted XML (rule files, scoring policies), validate it
// against an XSD embedded in the binary, and hand back a plain element tree with positions.
// Third-party types and exceptions never leave xml_document.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/model/reject.hpp"

namespace coderaudit::io {

// Where an element sits in its file, as Xerces reports it (the end of its start tag),
// so that semantic issues point at the same place as schema issues.
struct SourcePos {
  uint32_t line = 0;
  uint32_t column = 0;
};

// One element of a check, namespace stripped. Attribute values are as written (after XSD
// whitespace handling); text is the element's own character data, trimmed.
struct XmlNode {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;
  std::vector<XmlNode> children;
  SourcePos pos;

  const std::string* Attr(std::string_view key) const;
  std::string AttrOr(std::string_view key, std::string_view fallback) const;
  const XmlNode* Child(std::string_view child_name) const;  // first child so named
};


struct XmlParseResult {
  std::optional<XmlNode> root;  // set only when the document is well formed and valid
  std::vector<Issue> issues;
};

// DOCTYPE, external entities, schema-location hints and XInclude are all refused; the
// document is validated against `xsd` only (preloaded and cached under `system_id`;
// schemaLocation hints are ignored). Safe to call from several threads.
struct XmlSchema {
  std::string_view xsd;
  const char* system_id;
  std::string what;  // "rule files", "scoring policies": used in messages
  std::string target_namespace;  // the root element's namespace
};
XmlParseResult ParseValidatedXml(std::string_view bytes, const std::string& display_name,
                                 const XmlSchema& schema);

// Number of times any external resource was asked for and refused (tests assert 0 reads).
size_t RefusedExternalResourceCount();

}  // namespace coderaudit::io
