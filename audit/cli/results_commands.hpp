#pragma once
// `coderaudit findings` and `coderaudit holds`: a stored check run's results as a table,
// CSV, JSON or workbook, over the service layer of audit/engine/results.hpp.
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::cli {

int RunFindingsCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);
int RunHoldsCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
