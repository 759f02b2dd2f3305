#include "audit/cli/args.hpp"

#include <charconv>

namespace coderaudit::cli {

Args::Args(const std::vector<std::string>& words, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
  bool only_positionals = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (only_positionals || w.size() < 2 || w.rfind("--", 0) != 0) {
      positionals_.push_back(w);
      continue;
    }
    if (w == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = w.substr(2), value;
    const auto eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      flags_.insert(name);
    } else if (valued.count(name)) {
      if (!inline_value) {
        if (i + 1 >= words.size()) throw UsageError("--" + name + " needs a value");
        value = words[++i];
      }
      values_.emplace(name, value);
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto [lo, hi] = values_.equal_range(name);
  if (lo == hi) return std::nullopt;
  return std::prev(hi)->second;  // the last occurrence wins
}

std::string Args::Require(const std::string& name) const {
  auto v = Get(name);
  if (!v || v->empty()) throw UsageError("--" + name + " is required");
  return *v;
}

std::vector<std::string> Args::All(const std::string& name) const {
  std::vector<std::string> out;
  auto [lo, hi] = values_.equal_range(name);
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

int64_t Args::Int(const std::string& name, int64_t fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size())
    throw UsageError("--" + name + " must be a whole number");
  return out;
}

double Args::Real(const std::string& name, double fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  double out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size())
    throw UsageError("--" + name + " must be a number");
  return out;
}

void Args::RequireNoPositionals() const {
  if (!positionals_.empty()) throw UsageError("unexpected argument '" + positionals_[0] + "'");
}

}  // namespace coderaudit::cli
