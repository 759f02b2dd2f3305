#include "audit/service/api_tokens.hpp"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <map>

#include "audit/service/service.hpp"
#include "audit/service/trail.hpp"
#include "audit/model/error.hpp"
#include "audit/store/trail_store.hpp"

namespace coderaudit::service {

namespace {

constexpr std::string_view kPrefix = "ca_";

void RandomBytes(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw SystemError("no random bytes from OpenSSL");
}

std::string Hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = d[p[i] >> 4];
    s[2 * i + 1] = d[p[i] & 15];
  }
  return s;
}

std::vector<unsigned char> Unhex(std::string_view h) {
  std::vector<unsigned char> out;
  auto v = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (h.size() % 2) return {};
  for (size_t i = 0; i < h.size(); i += 2) {
    const int a = v(h[i]), b = v(h[i + 1]);
    if (a < 0 || b < 0) return {};
    out.push_back(static_cast<unsigned char>(a * 16 + b));
  }
  return out;
}

std::string Base64Url(const unsigned char* p, size_t n) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      s += a[(acc >> bits) & 63];
    }
  }
  if (bits > 0) s += a[(acc << (6 - bits)) & 63];
  return s;
}

std::vector<unsigned char> Pbkdf2(std::string_view secret, const std::vector<unsigned char>& salt,
                                  int iterations) {
  std::vector<unsigned char> out(32);
  if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1)
    throw SystemError("PBKDF2 failed");
  return out;
}

// "ca_<id>_<secret>" -> id and secret; false when malformed.
bool SplitToken(std::string_view token, int64_t& id, std::string_view& secret) {
  if (token.size() > 200 || !token.starts_with(kPrefix)) return false;
  token.remove_prefix(kPrefix.size());
  const auto sep = token.find('_');
  if (sep == std::string_view::npos || sep == 0) return false;
  const auto [p, ec] = std::from_chars(token.data(), token.data() + sep, id);
  if (ec != std::errc() || p != token.data() + sep || id <= 0) return false;
  secret = token.substr(sep + 1);
  return !secret.empty();
}

}  // namespace

SecretHash HashSecret(std::string_view secret, int iterations) {
  unsigned char salt[16];
  RandomBytes(salt, sizeof salt);
  const std::vector<unsigned char> salt_v(salt, salt + sizeof salt);
  const auto hash = Pbkdf2(secret, salt_v, iterations);
  return {Hex(salt, sizeof salt), Hex(hash.data(), hash.size()), iterations};
}

bool SecretMatches(std::string_view secret, const SecretHash& stored) {
  const auto salt = Unhex(stored.salt_hex);
  const auto want = Unhex(stored.hash_hex);
  if (salt.empty() || want.size() != 32 || stored.iterations < 1) return false;
  const auto got = Pbkdf2(secret, salt, stored.iterations);
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

namespace {
// The store's service account: owns tokens made without --user (and, by migration 0008,
// every token made before users existed). Admin, no password: it cannot log in.
constexpr const char* kServiceAccount = "service";

store::UserRow TokenOwner(store::Store& db, const std::string& user, const Actor& actor) {
  if (!user.empty()) {
    auto row = store::LoadUser(db, user);
    if (!row) throw InputError("no user '" + user + "' (coderaudit user add)");
    if (!row->disabled_at.empty()) throw InputError("user '" + user + "' is disabled");
    return *row;
  }
  if (auto row = store::LoadUser(db, kServiceAccount)) {
    if (!row->disabled_at.empty()) throw InputError("the service account is disabled; name a --user");
    return *row;
  }
  store::UserRow row;
  row.name = kServiceAccount;
  row.role = std::string(ToString(Role::kAdmin));
  row.created_at = NowIso();
  row.user_id = store::AddUser(db, row);
  Record(db, MakeEvent(actor, "user.created", "user:" + row.name, 0, "{}",
                       JsonObject().Str("role", row.role).Str("note", "service account, no password").Text()));
  return row;
}
}  // namespace

NewToken CreateToken(const std::string& db_path, TokenScope scope, const std::string& name,
                     const std::string& user, const Actor& actor) {
  Authorize(actor, Operation::kManageTokens);
  unsigned char secret_bytes[32];
  RandomBytes(secret_bytes, sizeof secret_bytes);
  const std::string secret = Base64Url(secret_bytes, sizeof secret_bytes);
  OPENSSL_cleanse(secret_bytes, sizeof secret_bytes);
  const SecretHash hash = HashSecret(secret, kTokenIterations);
  store::ApiTokenRow row;
  row.name = name;
  row.role = std::string(ToString(scope));
  row.salt_hex = hash.salt_hex;
  row.hash_hex = hash.hash_hex;
  row.iterations = hash.iterations;
  row.created_at = NowIso();
  store::Store db(db_path);
  NewToken t;
  // The token, its owner and their events in one transaction.
  store::InTransaction(db, [&] {
    const store::UserRow owner = TokenOwner(db, user, actor);
    t.token_id = db.AddApiToken(row);
    store::SetTokenUser(db, t.token_id, owner.user_id);
    Record(db, MakeEvent(actor, "token.created", "token:" + std::to_string(t.token_id), 0, "{}",
                         JsonObject().Str("user", owner.name).Str("scope", row.role)
                             .Str("name", name).Text()));
  });
  t.token = std::string(kPrefix) + std::to_string(t.token_id) + "_" + secret;
  return t;
}

std::vector<store::ApiTokenRow> ListTokens(const std::string& db_path, const Actor& actor) {
  Authorize(actor, Operation::kManageTokens);
  store::Store db(db_path);
  return db.ListApiTokens();
}

bool RevokeToken(const std::string& db_path, int64_t token_id, const Actor& actor) {
  Authorize(actor, Operation::kManageTokens);
  store::Store db(db_path);
  bool revoked = false;
  store::InTransaction(db, [&] {
    const std::string at = NowIso();
    revoked = db.RevokeApiToken(token_id, at);
    if (revoked)
      Record(db, MakeEvent(actor, "token.revoked", "token:" + std::to_string(token_id), 0,
                           JsonObject().Str("revoked_at", "").Text(),
                           JsonObject().Str("revoked_at", at).Text()));
  });
  return revoked;
}

std::optional<TokenIdentity> VerifyStoredToken(store::Store& db, std::string_view token) {
  int64_t id = 0;
  std::string_view secret;
  if (!SplitToken(token, id, secret)) return std::nullopt;
  const auto row = db.LoadApiToken(id);
  if (!row || !row->revoked_at.empty()) return std::nullopt;
  const auto scope = ParseScope(row->role);
  if (!scope || row->user_id <= 0) return std::nullopt;
  const auto user = store::LoadUserById(db, row->user_id);
  if (!user || !user->disabled_at.empty()) return std::nullopt;
  const auto role = ParseRole(user->role);
  if (!role) return std::nullopt;
  if (!SecretMatches(secret, {row->salt_hex, row->hash_hex, row->iterations})) return std::nullopt;
  TokenIdentity who;
  who.token_id = id;
  who.actor.name = "token:" + std::to_string(id) + ":" + user->name;
  who.actor.role = *role;
  who.actor.coder_id = user->coder_id;
  who.actor.scope = *scope;
  who.actor.user_id = user->user_id;
  who.actor.token_id = id;
  return who;
}

TokenVerifier::TokenVerifier(std::string db_path, std::chrono::seconds ttl)
    : db_path_(std::move(db_path)), ttl_(ttl) {
  RandomBytes(hmac_key_, sizeof hmac_key_);
}

std::string TokenVerifier::Key(std::string_view token) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), hmac_key_, sizeof hmac_key_, reinterpret_cast<const unsigned char*>(token.data()),
       token.size(), mac, &n);
  return std::string(reinterpret_cast<const char*>(mac), n);
}

void TokenVerifier::DropRevoked(Clock::time_point now) {
  if (now - revocations_checked_ < std::chrono::seconds(1) || cache_.empty()) return;
  revocations_checked_ = now;
  // What each valid token may do now: a revoked token, a disabled user, a changed role or
  // coder id takes effect here, within about a second.
  std::map<int64_t, std::pair<std::string, std::string>> current;   // token -> role, coder id
  try {
    store::Store db(db_path_);
    std::map<int64_t, store::UserRow> users;
    for (auto& u : store::ListUsers(db))
      if (u.disabled_at.empty()) users[u.user_id] = std::move(u);
    for (const auto& row : db.ListApiTokens()) {
      const auto u = users.find(row.user_id);
      if (row.revoked_at.empty() && u != users.end())
        current[row.token_id] = {u->second.role, u->second.coder_id};
    }
  } catch (const std::exception&) {
    cache_.clear();  // cannot tell: trust nothing cached
    return;
  }
  std::erase_if(cache_, [&](const auto& kv) {
    const auto& a = kv.second.identity.actor;
    const auto it = current.find(kv.second.identity.token_id);
    return it == current.end() || it->second.first != ToString(a.role) ||
           it->second.second != a.coder_id;
  });
}

std::optional<TokenIdentity> TokenVerifier::Verify(std::string_view token, bool* busy) {
  if (busy) *busy = false;
  if (db_path_.empty() || token.size() > 200) return std::nullopt;
  int64_t id = 0;
  std::string_view secret;
  if (!SplitToken(token, id, secret)) return std::nullopt;
  const std::string key = Key(token);
  const auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    DropRevoked(now);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (it->second.until > now) return it->second.identity;
      cache_.erase(it);
    }
    if (auto it = wrong_.find(key); it != wrong_.end()) {
      if (it->second > now) return std::nullopt;
      wrong_.erase(it);
    }
  }
  std::optional<TokenIdentity> identity;
  {
    std::unique_lock slow(slow_, std::defer_lock);
    if (!slow.try_lock_for(std::chrono::seconds(2))) {
      if (busy) *busy = true;
      return std::nullopt;
    }
    store::Store db(db_path_);
    identity = VerifyStoredToken(db, token);
  }
  std::lock_guard lock(mutex_);
  if (!identity) {
    if (wrong_.size() > 10000) wrong_.clear();   // bounded
    wrong_[key] = now + std::chrono::seconds(60);
    return identity;
  }
  if (cache_.size() > 10000) cache_.clear();   // bounded: only verified tokens get in
  cache_[key] = Entry{*identity, now + ttl_};
  return identity;
}

void TokenVerifier::Invalidate() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

}  // namespace coderaudit::service
