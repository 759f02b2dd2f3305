#pragma once
// `coderaudit serve` and `coderaudit token create|list|revoke`, for the CLI dispatcher.
#include <ostream>
#include <string>
#include <vector>

namespace coderaudit::server {

bool IsServerCommand(const std::vector<std::string>& words);   // serve, token
int RunServerCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::server
