#pragma once
// A syntax check of a whole JSON text (RFC 8259) before Poco::JSON parses it. Poco
// reports neither where a document is malformed nor duplicate member names, and its
// recursive parser must not meet unbounded nesting: this scan is iterative, so a hostile
// body ("[[[[..." a million deep) costs one pass and a small stack, never the call stack.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coderaudit::ingest {

struct JsonLimits {
  size_t max_depth = 16;               // arrays and objects nested inside each other
  size_t max_string_bytes = 64u << 10; // one string or member name, as written (escaped)
};

struct JsonSyntaxError {
  size_t offset = 0;  // 0-based byte offset into the scanned text
  std::string reason;
};

// nullopt when `text` is exactly one JSON value (surrounding whitespace allowed) within
// the limits, with unique member names in every object and numbers a double or a 64-bit
// integer can hold. Never quotes the text in the reason.
std::optional<JsonSyntaxError> CheckJsonSyntax(std::string_view text, const JsonLimits& limits = {});

}  // namespace coderaudit::ingest
