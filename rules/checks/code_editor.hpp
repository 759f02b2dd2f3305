#pragma once
// Check kind <code-editor>: see schemas/rules-v1.xsd and rules/README.md.
#include <memory>
#include <span>
#include <string_view>

#include "rules/check.hpp"

namespace coderaudit::rules {

std::unique_ptr<Check> CompileCodeEditor(const XmlNode& element, CompileContext& context);
// The edit="..." names it knows (MCE and outpatient code editor edits).
std::span<const std::string_view> CodeEditorEdits();

}  // namespace coderaudit::rules
