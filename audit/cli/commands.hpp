#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

// Exit codes: 0 ok; 1 findings / failed checks where that is the point; 2 usage;
// 3 input error (bad rule set, unreadable file, unknown run); 4 system failure;
// check only: 5 some records or encounters rejected or some claims not checked, and no
// findings; 6 findings, and some rejected or not checked. A check that did not judge
// everything it read never exits 0 or 1.
enum ExitCode : int {
  kOk = 0, kFindings = 1, kUsage = 2, kInputError = 3, kSystemError = 4,
  kIncomplete = 5, kFindingsIncomplete = 6
};

// The exit code of a check run's counts.
int CheckExitCode(int64_t findings, int64_t records_rejected, int64_t encounters_rejected,
                  int64_t claims_not_checked);

// The whole CLI after the program name; in-process so tests can drive it.
int Main(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
