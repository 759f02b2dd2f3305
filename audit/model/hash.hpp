#pragma once
// SHA-256 (hex, lower case) used for input-file, rule-set and frame fingerprints.
#include <cstdint>
#include <string>
#include <string_view>

namespace coderaudit {

std::string Sha256Hex(std::string_view bytes);

struct FileDigest {
  std::string sha256;
  int64_t bytes = 0;
};
// Streams the file; throws InputError when it cannot be read.
FileDigest Sha256File(const std::string& path);

}  // namespace coderaudit
