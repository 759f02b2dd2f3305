#pragma once
// The tamper-evident audit trail (schema 8, audit/store/TRAIL.md): one append-only hash
// chain of events per store. An event appended while the store has a transaction open
// (a run being written, a sample being saved) is part of that transaction: the change and
// its event are stored together or not at all. Also users and the API tokens' owners.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/store/store.hpp"

namespace coderaudit::store {

// What happened; the store adds seq, prev_hash and hash.
struct TrailEvent {
  std::string at;        // ISO 8601 UTC
  std::string actor;     // a user name, "token:<id>:<user>" or "cli:<os user>"
  std::string action;    // "run.stored", "user.role-changed" ... (TRAIL.md lists them)
  std::string subject;   // what it happened to: "run:7", "user:alice", "token:3"
  int64_t run_id = 0;    // the engagement (check run) it belongs to; 0: store-wide
  std::string before = "{}", after = "{}";  // JSON text
};

struct StoredEvent : TrailEvent {
  int64_t seq = 0;
  std::string prev_hash, hash;
};

// The previous hash of event 1.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// s as a JSON string literal, escaped as Python's json.dumps(ensure_ascii=False) does
// (", \, \b \f \n \r \t, other bytes below 0x20 as \u00xx in lower-case hex; all else as
// is), so a few lines of Python reproduce every hash.
std::string JsonString(std::string_view s);
// The bytes an event's hash is the SHA-256 of: the JSON array
// [1,seq,at,actor,action,subject,run_id,before,after,prev_hash] with no spaces.
std::string CanonicalEvent(const StoredEvent& e);
std::string EventHash(const StoredEvent& e);  // lower-case hex

// Appends `e` inside the store's open transaction, or in a transaction of its own when
// none is open. Returns the event's seq.
int64_t AppendEvent(Store& store, const TrailEvent& e);
// Runs `fn` and the events it appends in one transaction (commits, or rolls back and
// rethrows).
void InTransaction(Store& store, const std::function<void()>& fn);

// Events in seq order, as stored (no checking); limit 0: all.
std::vector<StoredEvent> LoadEvents(Store& store, int64_t after_seq = 0, int64_t limit = 0);
// The head row (seq 0 and kGenesisHash for an empty trail).
std::pair<int64_t, std::string> TrailHead(Store& store);

// Users (schema 8). Passwords are hashed by the service layer; rows only here.
struct UserRow {
  int64_t user_id = 0;
  std::string name, role, coder_id;
  std::string salt_hex, hash_hex;   // hash_hex "": cannot log in
  int iterations = 0;
  std::string created_at;
  std::string disabled_at;          // "" while enabled
};
// InputError when the name is taken.
int64_t AddUser(Store& store, const UserRow& row);
std::optional<UserRow> LoadUser(Store& store, const std::string& name);
std::optional<UserRow> LoadUserById(Store& store, int64_t user_id);
std::vector<UserRow> ListUsers(Store& store);
// Each false when there is no such (enabled) user.
bool SetUserRole(Store& store, const std::string& name, const std::string& role,
                 const std::string& coder_id);
bool SetUserPassword(Store& store, const std::string& name, const std::string& salt_hex,
                     const std::string& hash_hex, int iterations);
bool DisableUser(Store& store, const std::string& name, const std::string& at);
// The token's owner (tokens.user_id).
void SetTokenUser(Store& store, int64_t token_id, int64_t user_id);

}  // namespace coderaudit::store
