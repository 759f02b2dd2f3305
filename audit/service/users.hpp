#pragma once
// Users of a store (schema 8): made and managed by an admin (`coderaudit user ...`), each
// with one role (access.hpp); a password kept only as PBKDF2-HMAC-SHA256 with a random
// salt (HashSecret, shared with API tokens). Every change is a trail event in the same
// transaction.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/service/access.hpp"
#include "audit/store/trail_store.hpp"

namespace coderaudit::service {

// PBKDF2-HMAC-SHA256 rounds for passwords (OWASP's 2023 figure for this KDF). A password
// is guessable, unlike a token's 256-bit secret, so it gets four times a token's rounds.
inline constexpr int kPasswordIterations = 600000;
inline constexpr size_t kMinPasswordLength = 12;

// Names: 1-64 of [A-Za-z0-9._@-]. A coder needs coder_id (the coder id their claims
// carry); other roles may have none. InputError for a taken name or a short password.
int64_t AddUser(const std::string& db_path, const std::string& name, Role role,
                const std::string& coder_id, const std::string& password,
                const Actor& actor = Actor::Local());
std::vector<store::UserRow> ListUsers(const std::string& db_path, const Actor& actor = Actor::Local());
// coder_id "" keeps the current one. InputError for an unknown or disabled user.
void SetUserRole(const std::string& db_path, const std::string& name, Role role,
                 const std::string& coder_id, const Actor& actor = Actor::Local());
void SetUserPassword(const std::string& db_path, const std::string& name,
                     const std::string& password, const Actor& actor = Actor::Local());
void DisableUser(const std::string& db_path, const std::string& name,
                 const Actor& actor = Actor::Local());

// Checks a password; records "login" or "login.failed" in the trail. The actor of the
// user on success; ForbiddenError ("wrong user name or password", the same for every
// cause) otherwise.
Actor Login(const std::string& db_path, const std::string& name, const std::string& password);

// The actor a stored user acts as (name: the user's name).
Actor ActorOf(const store::UserRow& user);

}  // namespace coderaudit::service
