// libFuzzer target: the rule XML reader (rules::LoadRuleText: Xerces with the embedded
// XSD, DOCTYPE and external entities refused) and, when the document is valid, the
// compiler. Includes resolve only against an empty directory, so no file is read.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/model/error.hpp"
#include "rules/rule_program.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  coderaudit::rules::LoadOptions options;
  options.pack_dirs = {"/nonexistent-coderaudit-fuzz-packs"};
  options.base_dir = "/nonexistent-coderaudit-fuzz-base";
  const auto loaded = coderaudit::rules::LoadRuleText(xml, "fuzz.xml", options);
  // A document is either read (no issue stops it) or refused with at least one issue.
  if (!loaded.rule_set && loaded.issues.empty()) {
    std::fprintf(stderr, "rule text refused without an issue\n");
    std::abort();
  }
  for (const auto& issue : loaded.issues)
    if (issue.message.empty()) {
      std::fprintf(stderr, "issue without a message\n");
      std::abort();
    }
  if (loaded.rule_set) {
    try {
      const auto program = coderaudit::rules::Compile(*loaded.rule_set);
      if (!program) std::abort();
    } catch (const coderaudit::InputError&) {
      // Rules that read reference tables do not compile without them: an answer.
    }
  }
  return 0;
}
