#pragma once
// Check kind <icd10cm-convention>: see schemas/rules-v1.xsd and rules/README.md.
#include <memory>

#include "rules/check.hpp"

namespace coderaudit::rules {

std::unique_ptr<Check> CompileIcd10CmConvention(const XmlNode& element, CompileContext& context);

}  // namespace coderaudit::rules
