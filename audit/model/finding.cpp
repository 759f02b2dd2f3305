#include "audit/model/finding.hpp"

#include <array>

namespace coderaudit {

namespace {
constexpr std::array<std::string_view, 8> kDispositions = {
    "claim-reject", "claim-deny", "return-to-provider", "suspend",
    "line-reject",  "line-deny",  "review",             "info"};
constexpr std::array<std::string_view, 3> kSeverities = {"error", "warning", "info"};
}  // namespace

std::string_view ToString(Disposition d) { return kDispositions[static_cast<size_t>(d)]; }
std::string_view ToString(Severity s) { return kSeverities[static_cast<size_t>(s)]; }

std::optional<Disposition> ParseDisposition(std::string_view s) {
  for (size_t i = 0; i < kDispositions.size(); ++i)
    if (kDispositions[i] == s) return static_cast<Disposition>(i);
  return std::nullopt;
}
std::optional<Severity> ParseSeverity(std::string_view s) {
  for (size_t i = 0; i < kSeverities.size(); ++i)
    if (kSeverities[i] == s) return static_cast<Severity>(i);
  return std::nullopt;
}

std::string Describe(const Finding& f) {
  std::string s = f.rule_id + "@" + f.rule_version + " " + f.encounter_id + " lines=";
  for (size_t i = 0; i < f.lines.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(f.lines[i]);
  }
  for (const auto& [k, v] : f.values) s += " " + k + "=" + v;
  return s;
}

std::string LinesText(const Finding& f) {
  std::string s;
  for (const auto l : f.lines) s += (s.empty() ? "" : " ") + std::to_string(l);
  return s;
}

std::string ValuesText(const Finding& f) {
  std::string s;
  for (const auto& [k, v] : f.values) s += (s.empty() ? "" : "; ") + k + "=" + v;
  return s;
}

}  // namespace coderaudit
