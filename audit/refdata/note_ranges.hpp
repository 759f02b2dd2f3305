#pragma once
// Code ranges out of the free text of ICD-10-CM tabular notes (Excludes1/2, code first,
// use additional code). Codes are read only inside parentheses, where the tabular puts
// them: "(E10.-)" -> prefix E10, "(O24.4-)" -> prefix O244, "(O00-O9A)" and
// "(K85-K86.-)" -> ranges, "(E08.42, E09.42)" -> two codes, "(S00.- to S09.-)" -> range.
// Codes given endings are expanded ("(E08-E13 with .42)" -> E08.42, E09.42 ... E13.42); a
// parenthesis with a qualifier the range type cannot express ("(T36-T65 with fifth or
// sixth character 5)") is skipped: a missed review is better than a wrong one.
#include <string_view>
#include <vector>

#include "audit/refdata/refdata.hpp"

namespace coderaudit::refdata {

std::vector<CodeRange> ParseNoteRanges(std::string_view note_text);

}  // namespace coderaudit::refdata
