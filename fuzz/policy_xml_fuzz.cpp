// libFuzzer target: the scoring-policy reader (qa::ParsePolicy: Xerces against the
// embedded policy XSD in audit/qa/policy_xml.cpp, then the policy checks). It never
// throws for bad input; a refused document has at least one issue.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "audit/qa/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  const auto loaded = coderaudit::qa::ParsePolicy(xml, "fuzz-policy.xml");
  if (!loaded.policy && loaded.issues.empty()) {
    std::fprintf(stderr, "policy refused without an issue\n");
    std::abort();
  }
  if (loaded.policy) (void)coderaudit::qa::DescribeScope(*loaded.policy);
  return 0;
}
