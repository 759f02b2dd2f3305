#pragma once
// Check kind <mce-edit edit="...">: one Medicare Code Editor edit with CMS's semantics,
// on the CMS MCE release tables (rules/mce.hpp; schemas/rules-v1.xsd; rules/README.md).
#include <memory>

#include "rules/check.hpp"

namespace coderaudit::rules {

std::unique_ptr<Check> CompileMceEdit(const XmlNode& element, CompileContext& context);

}  // namespace coderaudit::rules
