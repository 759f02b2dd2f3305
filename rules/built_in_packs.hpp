#pragma once
// The rule packs of rules/packs/, compiled into the binary (rules/CMakeLists.txt) so that
// <include pack="ncci-ptp"/> works wherever the binary runs.
#include <span>
#include <string_view>

namespace coderaudit::embedded {

struct BuiltInPack {
  std::string_view name;  // "ncci-ptp": the file rules/packs/ncci-ptp.xml
  std::string_view (*bytes)();
};
std::span<const BuiltInPack> BuiltInPackTable();

}  // namespace coderaudit::embedded
