#pragma once
// `coderaudit generate`: deterministic synthetic claims for benchmarks and load tests
// (audit/generate/claims_generator.hpp), as encounter CSV or X12 837.
//   {"generate", "--lines", "1000000", "--seed", "7", "--out", "claims.csv"}
//   {"generate", "--lines", "1000000", "--format", "x12", "--refdata", "DIR", "--out", "claims.x12"}
// Exit codes: 0 done (and --help), 2 usage error, 3 input error, 4 system error.
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

bool IsGenerateCommand(const std::vector<std::string>& words);

// Runs `generate`; never throws.
int RunGenerateCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
