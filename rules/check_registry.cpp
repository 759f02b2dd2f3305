// The check-kind registry: one line per kind. The element name must match the element
// in the Check group of schemas/rules-v1.xsd; placeholders are what messages may use
// besides {age} and {sex}.
#include <array>

#include "rules/check.hpp"
#include "rules/checks/code_in_set.hpp"
#include "rules/checks/code_editor.hpp"
#include "rules/checks/code_pair.hpp"
#include "rules/checks/duplicate_lines.hpp"
#include "rules/checks/duplicate_services.hpp"
#include "rules/checks/forbidden_modifier.hpp"
#include "rules/checks/icd10cm_convention.hpp"
#include "rules/checks/inpatient_only.hpp"
#include "rules/checks/mce_edit.hpp"
#include "rules/checks/ncci_addon.hpp"
#include "rules/checks/ncci_mue.hpp"
#include "rules/checks/ncci_ptp.hpp"
#include "rules/checks/patient_check.hpp"
#include "rules/checks/required_modifier.hpp"
#include "rules/checks/units_limit.hpp"

namespace coderaudit::rules {

namespace {

constexpr std::array kKinds{
    CheckKind{"code-in-set", "code dos", &CompileCodeInSet},
    CheckKind{"patient-check", "min max", &CompilePatientCheck},
    CheckKind{"code-pair", "code code2 dos line2", &CompileCodePair},
    CheckKind{"units-limit", "code units max dos", &CompileUnitsLimit},
    CheckKind{"required-modifier", "code modifiers required dos", &CompileRequiredModifier},
    CheckKind{"forbidden-modifier", "code modifier dos", &CompileForbiddenModifier},
    CheckKind{"duplicate-lines", "code dos first_line units modifiers", &CompileDuplicateLines},
    // Table-backed kinds: their code lists come from refdata::RefData, never the XML.
    CheckKind{"ncci-ptp", "code code2 dos line2 claim2 indicator table rationale deleted",
              &CompileNcciPtp},
    CheckKind{"ncci-mue", "code units max mai dos table rationale", &CompileNcciMue},
    CheckKind{"ncci-addon", "code type dos table primaries", &CompileNcciAddon},
    CheckKind{"code-editor", "code dos line2 age min max sex list table status los",
              &CompileCodeEditor},
    CheckKind{"icd10cm-convention", "code code2 etiology line2 table", &CompileIcd10CmConvention},
    CheckKind{"duplicate-services", "code dos first_line differs claim2 line2",
              &CompileDuplicateServices},
    CheckKind{"inpatient-only", "code dos table", &CompileInpatientOnly},
    CheckKind{"mce-edit", "code position table group min max los status cms_edit",
              &CompileMceEdit},
};

}  // namespace

std::span<const CheckKind> CheckKinds() { return kKinds; }

const CheckKind* FindCheckKind(std::string_view element) {
  for (const auto& kind : kKinds)
    if (kind.element == element) return &kind;
  return nullptr;
}

}  // namespace coderaudit::rules
