#pragma once
// Check kind <duplicate-services>: see schemas/rules-v1.xsd and rules/README.md.
#include <memory>

#include "rules/check.hpp"

namespace coderaudit::rules {

std::unique_ptr<Check> CompileDuplicateServices(const XmlNode& element, CompileContext& context);

}  // namespace coderaudit::rules
