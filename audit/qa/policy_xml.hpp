#pragma once
// The qa module's only door to Xerces-C (mirrors audit/io/xml_document.hpp, which is bound
// to the rules schema): parses untrusted policy XML, validates it against the embedded
// schemas/policies/scoring-policy-v1.xsd, and hands back a plain element tree with
// positions. Third-party types and exceptions never leave policy_xml.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/model/reject.hpp"

namespace coderaudit::qa {

struct PolicyNode {
  std::string name;  // local name, namespace stripped
  std::vector<std::pair<std::string, std::string>> attributes;  // sorted, defaults filled
  std::string text;  // own text, trimmed
  std::vector<PolicyNode> children;
  uint32_t line = 0, column = 0;

  const std::string* Attr(std::string_view key) const {
    for (const auto& [k, v] : attributes)
      if (k == key) return &v;
    return nullptr;
  }
};

struct PolicyXmlResult {
  std::optional<PolicyNode> root;  // set only when well formed and valid
  std::vector<Issue> issues;
};

// DOCTYPE, external entities, schema-location hints and XInclude are all refused; the
// only grammar is the embedded policy XSD. Safe to call from several threads.
PolicyXmlResult ParseValidatedPolicyXml(std::string_view bytes, const std::string& display_name);

// Number of external resources asked for and refused (tests assert nothing is read).
size_t RefusedPolicyExternalResourceCount();

}  // namespace coderaudit::qa
