#pragma once
// Reads the rebuttal columns back from a filled-in accuracy workbook. libxlsxwriter only
// writes, so the .xlsx is opened as what it is: a zip (Poco::Zip) of sheet XML read with
// Poco's SAX parser (DTDs and entities refused, sizes capped). Works on the workbook as
// written and as saved again by Excel, LibreOffice or openpyxl (shared or inline strings).
#include <string>
#include <vector>

#include "audit/model/reject.hpp"
#include "audit/qa/rebuttal.hpp"

namespace coderaudit::reports {

// Every coder sheet (a sheet whose header row has Ref, Rebuttal and Final decision) is
// read; rows where the coder or reviewer wrote something become entries (with the row's
// Ref and keys). A row with an unknown rebuttal or decision word is a reject naming the
// sheet and row. InputError when the file is not a readable workbook or has no coder
// sheet.
std::vector<qa::RebuttalEntry> ReadRebuttalWorkbook(const std::string& path,
                                                    std::vector<Reject>& rejects);

}  // namespace coderaudit::reports
