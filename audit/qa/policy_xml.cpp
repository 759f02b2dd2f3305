#include "audit/qa/policy_xml.hpp"

#include "audit/io/xml_document.hpp"

namespace coderaudit::embedded {
std::string_view scoring_policy_v1_xsd();
}

namespace coderaudit::qa {

namespace {

// Policies are a page of XML; anything far larger is not one.
constexpr size_t kMaxPolicyBytes = 1 << 20;

PolicyNode Convert(const io::XmlNode& in) {
  PolicyNode out;
  out.name = in.name;
  out.attributes = in.attributes;
  out.text = in.text;
  out.line = in.pos.line;
  out.column = in.pos.column;
  for (const auto& child : in.children) out.children.push_back(Convert(child));
  return out;
}

}  // namespace

size_t RefusedPolicyExternalResourceCount() { return io::RefusedExternalResourceCount(); }

// The project's one safe Xerces reader (audit/io/xml_document.cpp: no DOCTYPE, every external
// resource refused, entity limit, preloaded schema), with the policy schema.
PolicyXmlResult ParseValidatedPolicyXml(std::string_view bytes, const std::string& display_name) {
  PolicyXmlResult result;
  if (bytes.size() > kMaxPolicyBytes) {
    result.issues.push_back(Issue{display_name, 1, 1, "a policy file is at most 1 MiB"});
    return result;
  }
  static const io::XmlSchema kPolicy{embedded::scoring_policy_v1_xsd(),
                                        "urn:coderaudit:scoring-policy:1/scoring-policy-v1.xsd",
                                        "policy files", "urn:coderaudit:scoring-policy:1"};
  auto parsed = io::ParseValidatedXml(bytes, display_name, kPolicy);
  result.issues = std::move(parsed.issues);
  if (parsed.root) result.root = Convert(*parsed.root);
  return result;
}

}  // namespace coderaudit::qa
