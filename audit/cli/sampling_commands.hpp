#pragma once
// The sampling commands of the `coderaudit` CLI: random numbers, appraisals, sample size.
// The dispatcher passes the command words after the program name, e.g.
//   {"sample", "numbers", "--seed", "12345", "--low", "1", "--high", "1000", "--count", "10"}.
// Exit codes: 0 done (and --help), 2 usage error, 3 input error, 4 system error.
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

// True for the words this module handles: "sample numbers ...", "appraise ...",
// "sample-size ...".
bool IsSamplingCommand(const std::vector<std::string>& words);

// Runs one sampling command; never throws.
int RunSamplingCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
