#pragma once
// Check kind <ncci-mue>: see schemas/rules-v1.xsd and rules/README.md.
#include <memory>

#include "rules/check.hpp"

namespace coderaudit::rules {

std::unique_ptr<Check> CompileNcciMue(const XmlNode& element, CompileContext& context);

}  // namespace coderaudit::rules
