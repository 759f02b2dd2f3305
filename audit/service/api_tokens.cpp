#include "audit/service/api_tokens.hpp"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>

#include "audit/service/service.hpp"
#include "audit/model/error.hpp"

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

NewToken CreateToken(const std::string& db_path, Role role, const std::string& name) {
  unsigned char secret_bytes[32], salt[16];
  RandomBytes(secret_bytes, sizeof secret_bytes);
  RandomBytes(salt, sizeof salt);
  const std::string secret = Base64Url(secret_bytes, sizeof secret_bytes);
  OPENSSL_cleanse(secret_bytes, sizeof secret_bytes);
  const std::vector<unsigned char> salt_v(salt, salt + sizeof salt);
  const auto hash = Pbkdf2(secret, salt_v, kTokenIterations);
  store::ApiTokenRow row;
  row.name = name;
  row.role = std::string(ToString(role));
  row.salt_hex = Hex(salt, sizeof salt);
  row.hash_hex = Hex(hash.data(), hash.size());
  row.iterations = kTokenIterations;
  row.created_at = NowIso();
  store::Store db(db_path);
  NewToken t;
  t.token_id = db.AddApiToken(row);
  t.token = std::string(kPrefix) + std::to_string(t.token_id) + "_" + secret;
  return t;
}

std::vector<store::ApiTokenRow> ListTokens(const std::string& db_path) {
  store::Store db(db_path);
  return db.ListApiTokens();
}

bool RevokeToken(const std::string& db_path, int64_t token_id) {
  store::Store db(db_path);
  return db.RevokeApiToken(token_id, NowIso());
}

std::optional<TokenIdentity> VerifyStoredToken(store::Store& db, std::string_view token) {
  int64_t id = 0;
  std::string_view secret;
  if (!SplitToken(token, id, secret)) return std::nullopt;
  const auto row = db.LoadApiToken(id);
  if (!row || !row->revoked_at.empty()) return std::nullopt;
  const auto role = ParseRole(row->role);
  const auto salt = Unhex(row->salt_hex);
  const auto want = Unhex(row->hash_hex);
  if (!role || salt.empty() || want.size() != 32 || row->iterations < 1) return std::nullopt;
  const auto got = Pbkdf2(secret, salt, row->iterations);
  if (CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) return std::nullopt;
  return TokenIdentity{id, *role};
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
  std::vector<int64_t> revoked;
  try {
    store::Store db(db_path_);
    for (const auto& row : db.ListApiTokens())
      if (!row.revoked_at.empty()) revoked.push_back(row.token_id);
  } catch (const std::exception&) {
    cache_.clear();  // cannot tell: trust nothing cached
    return;
  }
  std::erase_if(cache_, [&](const auto& kv) {
    return std::find(revoked.begin(), revoked.end(), kv.second.identity.token_id) != revoked.end();
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
