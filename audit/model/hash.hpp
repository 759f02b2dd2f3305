#pragma once
// SHA-256 (hex, lower case) used for input-file, rule-set and frame fingerprints.
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace coderaudit {

// Incremental SHA-256 (libcrypto), for hashing bytes while they are read.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string HexDigest();  // once, after the last Update
  // The digest of the bytes so far; more may follow.
  std::string HexDigestSoFar() const;

 private:
  evp_md_ctx_st* ctx_;
};

std::string Sha256Hex(std::string_view bytes);

struct FileDigest {
  std::string sha256;
  int64_t bytes = 0;
  bool operator==(const FileDigest&) const = default;
};
// Streams the file; throws InputError when it cannot be read.
FileDigest Sha256File(const std::string& path);

}  // namespace coderaudit
