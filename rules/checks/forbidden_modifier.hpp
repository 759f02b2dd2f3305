#pragma once
// Check kind <forbidden-modifier>: see schemas/rules-v1.xsd and rules/README.md.
#include <memory>

#include "rules/check.hpp"

namespace coderaudit::rules {

std::unique_ptr<Check> CompileForbiddenModifier(const XmlNode& element, CompileContext& context);

}  // namespace coderaudit::rules
