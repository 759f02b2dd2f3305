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

// A secret's slow salted hash: PBKDF2-HMAC-SHA256, a random 16-byte salt, `iterations`
// rounds (tokens here, passwords in users.cpp).
struct SecretHash {
  std::string salt_hex, hash_hex;
  int iterations = 0;
};
SecretHash HashSecret(std::string_view secret, int iterations);
// Constant-time; false for a malformed or empty stored hash.
bool SecretMatches(std::string_view secret, const SecretHash& stored);

struct NewToken {
  int64_t token_id = 0;
  std::string token;   // ca_<id>_<secret>: shown once, never stored
};

// The token belongs to `user` (the store's service account "service", role admin, when
// empty: what tokens were before users existed) and can do what the user's role allows,
// narrowed by `scope`. InputError for an unknown or disabled user.
NewToken CreateToken(const std::string& db_path, TokenScope scope, const std::string& name,
                     const std::string& user = "", const Actor& actor = Actor::Local());
std::vector<store::ApiTokenRow> ListTokens(const std::string& db_path,
                                           const Actor& actor = Actor::Local());
// False when there is no such token or it was already revoked.
bool RevokeToken(const std::string& db_path, int64_t token_id, const Actor& actor = Actor::Local());

struct TokenIdentity {
  int64_t token_id = 0;
  Actor actor;   // name "token:<id>:<user>", the user's role and coder id, the scope
};

// Checks `token` ("ca_<id>_<secret>") against its stored hash; nullopt when malformed,
// unknown, revoked, wrong, or its user is disabled. Slow (PBKDF2).
std::optional<TokenIdentity> VerifyStoredToken(store::Store& db, std::string_view token);

// Revocation: at most once a second a request looks up which tokens are revoked in the
// store, so `coderaudit token revoke` from any process takes effect within about a second.
// Only one PBKDF2 runs at a time (others wait up to 2 s, then are answered "busy": the API
// says 503 with Retry-After), so guessing secrets costs the server one core at most and a
// verified client never waits for it. A wrong token is remembered (keyed hash) for a
// minute: a misconfigured client repeating it costs nothing after the first try.
class TokenVerifier {
 public:
  // A verified token is trusted from the cache for `ttl`, then checked against the store
  // again (its PBKDF2 is run anew).
  explicit TokenVerifier(std::string db_path,
                         std::chrono::seconds ttl = std::chrono::seconds(300));
  // nullopt: malformed, unknown, revoked or wrong; or, with *busy set, not checked now.
  std::optional<TokenIdentity> Verify(std::string_view token, bool* busy = nullptr);
  void Invalidate();   // forget every cached token (revoke, reload)

 private:
  using Clock = std::chrono::steady_clock;
  std::string Key(std::string_view token) const;
  void DropRevoked(Clock::time_point now);  // with mutex_ held
  struct Entry {
    TokenIdentity identity;
    Clock::time_point until;
  };
  std::string db_path_;
  std::chrono::seconds ttl_;
  unsigned char hmac_key_[32];
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
  Clock::time_point revocations_checked_{};
  std::unordered_map<std::string, Clock::time_point> wrong_;  // keyed hash -> refuse until
  std::timed_mutex slow_;  // one PBKDF2 at a time
};

}  // namespace coderaudit::service
