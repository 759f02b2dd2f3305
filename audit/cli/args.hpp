#pragma once
// Minimal, strict command-line parsing shared by every subcommand: --name value,
// --name=value, boolean --flags, positionals. Unknown options are usage errors (exit 2).
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit/model/error.hpp"

namespace coderaudit::cli {

// One hierarchy: the service layer's usage errors and the CLI's are the same type.
using UsageError = coderaudit::UsageError;

class Args {
 public:
  // `valued`: options that take a value; `flags`: boolean options.
  Args(const std::vector<std::string>& words, const std::set<std::string>& valued,
       const std::set<std::string>& flags);
  bool Has(const std::string& name) const { return flags_.count(name) || values_.count(name); }
  std::optional<std::string> Get(const std::string& name) const;
  std::string Require(const std::string& name) const;
  std::vector<std::string> All(const std::string& name) const;  // repeatable options
  const std::vector<std::string>& Positionals() const { return positionals_; }
  // For commands that take options only: UsageError naming the first stray word.
  void RequireNoPositionals() const;
  int64_t Int(const std::string& name, int64_t fallback) const;
  double Real(const std::string& name, double fallback) const;

 private:
  std::multimap<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positionals_;
};

}  // namespace coderaudit::cli
