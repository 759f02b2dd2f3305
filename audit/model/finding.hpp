#pragma once
// Channel 2 of the error model: an edit fired. A Finding is the product, not an error.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coderaudit {

// IOCE vocabulary (EDITS.md § Dispositions).
enum class Disposition : uint8_t {
  kClaimReject, kClaimDeny, kReturnToProvider, kSuspend, kLineReject, kLineDeny, kReview, kInfo
};
enum class Severity : uint8_t { kError, kWarning, kInfo };

std::string_view ToString(Disposition d);  // "claim-reject", "line-deny", ...
std::string_view ToString(Severity s);     // "error" | "warning" | "info"
std::optional<Disposition> ParseDisposition(std::string_view s);
std::optional<Severity> ParseSeverity(std::string_view s);

struct Finding {
  std::string rule_id;
  std::string rule_version;
  std::string category;
  std::string citation;
  Severity severity = Severity::kError;
  Disposition disposition = Disposition::kReview;
  std::string encounter_id;
  std::vector<uint32_t> lines;                            // 1-based positions in the encounter
  std::vector<std::pair<std::string, std::string>> values;  // what fired: ("code","27447"), ...
  std::string message;                                    // rendered message template
};

// "rule_id@version enc lines=[..] code=.. ..." — one stable line used by golden tests
// and logs (never contains patient identifiers: findings carry none).
std::string Describe(const Finding& f);
// For people and exports: the lines that fired ("2 5") and the values ("code=27447; units=3").
std::string LinesText(const Finding& f);
std::string ValuesText(const Finding& f);

}  // namespace coderaudit
