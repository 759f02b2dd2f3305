#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

// `sample draw|show|list|replay|substitute`: samples of stored check runs.
bool IsStoredSampleCommand(const std::vector<std::string>& words);
int RunStoredSampleCommand(const std::vector<std::string>& words, std::ostream& out,
                           std::ostream& err);

// `extrapolate`: appraisal + extrapolation workbook from a stored sample.
bool IsExtrapolateCommand(const std::vector<std::string>& words);
int RunExtrapolateCommand(const std::vector<std::string>& words, std::ostream& out);

}  // namespace coderaudit::cli
