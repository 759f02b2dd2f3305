#pragma once
// The `refdata` commands of the `coderaudit` CLI: import official reference tables into
// a reference directory, list what it holds, look a code up.
//   {"refdata", "import", "ptp-practitioner", "ncci_ptp_practitioner_2024q3.tsv.gz",
//    "--dir", "refdata"}
// Exit codes: 0 done (and --help), 2 usage error, 3 input error, 4 system error.
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

// True for "refdata ...".
bool IsRefdataCommand(const std::vector<std::string>& words);

// Runs one refdata command; never throws.
int RunRefdataCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
