#pragma once
// Channel 1 of the error model: an input record that could not be used.
#include <cstdint>
#include <string>

namespace coderaudit {

struct Reject {
  std::string file;
  uint32_t line = 0;     // 1-based physical line where the record starts
  std::string field;     // column name, or "" for a whole-record problem
  std::string reason;    // never echoes identifying values
  std::string raw;       // the record's text (truncated), kept in the store only
};

// Positioned problem in a structured file (rule set XML, policy XML).
struct Issue {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string message;
};

inline std::string Describe(const Issue& i) {
  return i.file + ":" + std::to_string(i.line) + ":" + std::to_string(i.column) + ": " +
         i.message;
}

}  // namespace coderaudit
