#pragma once
// API tokens of the HTTP API: made by `coderaudit token create`, shown once, stored only as
// a slow salted hash (PBKDF2-HMAC-SHA256, random salt; store migration 0007), revocable.
// TokenVerifier checks a presented bearer token; because PBKDF2 is slow on purpose, tokens
// it has verified are remembered under a keyed fast hash (HMAC-SHA256 with a random
// per-process key), so the hot path costs microseconds and the cache never holds secrets.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/service/access.hpp"
#include "audit/store/store.hpp"

namespace coderaudit::service {

inline constexpr int kTokenIterations = 150000;   // PBKDF2 rounds for new tokens

struct NewToken {
  int64_t token_id = 0;
  std::string token;   // ca_<id>_<secret>: shown once, never stored
};

NewToken CreateToken(const std::string& db_path, Role role, const std::string& name);
std::vector<store::ApiTokenRow> ListTokens(const std::string& db_path);
// False when there is no such token or it was already revoked.
bool RevokeToken(const std::string& db_path, int64_t token_id);

struct TokenIdentity {
  int64_t token_id = 0;
  Role role = Role::kRead;
};

// Checks `token` ("ca_<id>_<secret>") against its stored hash; nullopt when malformed,
// unknown, revoked or wrong. Slow (PBKDF2).
std::optional<TokenIdentity> VerifyStoredToken(store::Store& db, std::string_view token);

class TokenVerifier {
 public:
  // A verified token is trusted from the cache for `ttl`, then checked against the store
  // again (so a revocation made by another process takes effect within ttl).
  explicit TokenVerifier(std::string db_path,
                         std::chrono::seconds ttl = std::chrono::seconds(60));
  std::optional<TokenIdentity> Verify(std::string_view token);
  void Invalidate();   // forget every cached token (revoke, reload)

 private:
  std::string Key(std::string_view token) const;
  struct Entry {
    TokenIdentity identity;
    std::chrono::steady_clock::time_point until;
  };
  std::string db_path_;
  std::chrono::seconds ttl_;
  unsigned char hmac_key_[32];
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace coderaudit::service
