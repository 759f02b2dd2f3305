#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

// Exit codes: 0 ok; 1 findings / failed checks where that is the point; 2 usage;
// 3 input error (bad rule set, unreadable file, unknown run); 4 system failure.
enum ExitCode : int { kOk = 0, kFindings = 1, kUsage = 2, kInputError = 3, kSystemError = 4 };

// The whole CLI after the program name; in-process so tests can drive it.
int Main(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
