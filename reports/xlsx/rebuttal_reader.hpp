#pragma once
// Reads the rebuttal columns back from a filled-in accuracy workbook. libxlsxwriter only
// writes, so the .xlsx is opened as what it is: a zip (Poco::Zip) of sheet XML read with
// Poco's SAX parser (DTDs and entities refused, sizes capped). Works on the workbook as
// written and as saved again by Excel, LibreOffice or openpyxl (shared or inline strings).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/model/reject.hpp"
#include "audit/qa/rebuttal.hpp"

namespace coderaudit::reports {

// Every coder sheet (a sheet named "Coder <id>" with a header row holding Ref, Rebuttal and
// Final decision: the first row with a "Ref" cell, so the feedback block above the table
// of a coder's own workbook is passed over) is read row by row; rows where the coder or reviewer wrote
// something become entries (with the row's Ref and keys). Nothing is skipped silently:
// a row with an unknown rebuttal or decision word, a row number outside 1..1048576 or not
// ascending, a coder sheet whose header row lacks one of those columns (deleted or
// retyped: the sheet is not read), and a sheet that is neither a coder sheet nor one the
// report writes (a renamed coder sheet) are rejects naming the sheet, row and reason.
// InputError ("not a readable workbook") when the file is not a readable workbook, or
// when it has no coder sheet at all.
// Entries and rejects go to the sink as each row is parsed, in sheet and row order: the
// reader holds one row (and the shared strings), never the sheet.
// `digest`, when given, is of exactly the bytes read (io::HashedFile).
void ReadRebuttalWorkbook(const std::string& path, const qa::RebuttalSink& sink,
                          FileDigest* digest = nullptr);
// The score run a workbook was rendered from: the "run id" row of its Run sheet;
// nullopt when it has none (not an accuracy workbook, or the sheet was deleted).
// InputError when the file is not a readable workbook.
std::optional<int64_t> ReadWorkbookRunId(const std::string& path);
// The same, collected.
std::vector<qa::RebuttalEntry> ReadRebuttalWorkbook(const std::string& path,
                                                    std::vector<Reject>& rejects);

}  // namespace coderaudit::reports
