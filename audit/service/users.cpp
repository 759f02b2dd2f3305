#include "audit/service/users.hpp"

#include "audit/model/error.hpp"
#include "audit/service/api_tokens.hpp"
#include "audit/service/service.hpp"
#include "audit/service/trail.hpp"

namespace coderaudit::service {

namespace {

void CheckName(const std::string& name) {
  if (name.empty() || name.size() > 64)
    throw InputError("a user name has 1 to 64 characters");
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '@' || c == '-'))
      throw InputError("user name '" + name + "': only letters, digits and . _ @ -");
}

void CheckPassword(const std::string& password) {
  if (password.size() < kMinPasswordLength)
    throw InputError("a password has at least " + std::to_string(kMinPasswordLength) + " characters");
}

void CheckCoder(Role role, const std::string& coder_id) {
  if (role == Role::kCoder && coder_id.empty())
    throw InputError("a user with role coder needs --coder-id (the coder id their claims carry)");
}

store::UserRow Existing(store::Store& db, const std::string& name) {
  auto row = store::LoadUser(db, name);
  if (!row) throw InputError("no user '" + name + "'");
  if (!row->disabled_at.empty()) throw InputError("user '" + name + "' is disabled");
  return *row;
}

std::string RoleJson(const std::string& role, const std::string& coder_id) {
  return JsonObject().Str("role", role).Str("coder_id", coder_id).Text();
}

}  // namespace

Actor ActorOf(const store::UserRow& user) {
  Actor a;
  a.name = user.name;
  a.role = ParseRole(user.role).value_or(Role::kCoder);
  a.coder_id = user.coder_id;
  a.user_id = user.user_id;
  return a;
}

int64_t AddUser(const std::string& db_path, const std::string& name, Role role,
                const std::string& coder_id, const std::string& password, const Actor& actor) {
  Authorize(actor, Operation::kManageUsers);
  CheckName(name);
  CheckPassword(password);
  CheckCoder(role, coder_id);
  const SecretHash hash = HashSecret(password, kPasswordIterations);
  store::UserRow row;
  row.name = name;
  row.role = std::string(ToString(role));
  row.coder_id = coder_id;
  row.salt_hex = hash.salt_hex;
  row.hash_hex = hash.hash_hex;
  row.iterations = hash.iterations;
  row.created_at = NowIso();
  store::Store db(db_path);
  int64_t id = 0;
  store::InTransaction(db, [&] {
    id = store::AddUser(db, row);
    Record(db, MakeEvent(actor, "user.created", "user:" + name, 0, "{}", RoleJson(row.role, coder_id)));
  });
  return id;
}

std::vector<store::UserRow> ListUsers(const std::string& db_path, const Actor& actor) {
  Authorize(actor, Operation::kManageUsers);
  store::Store db(db_path);
  return store::ListUsers(db);
}

void SetUserRole(const std::string& db_path, const std::string& name, Role role,
                 const std::string& coder_id, const Actor& actor) {
  Authorize(actor, Operation::kManageUsers);
  store::Store db(db_path);
  store::InTransaction(db, [&] {
    const auto before = Existing(db, name);
    const std::string coder = coder_id.empty() ? before.coder_id : coder_id;
    CheckCoder(role, coder);
    store::SetUserRole(db, name, std::string(ToString(role)), coder);
    Record(db, MakeEvent(actor, "user.role-changed", "user:" + name, 0,
                         RoleJson(before.role, before.coder_id),
                         RoleJson(std::string(ToString(role)), coder)));
  });
}

void SetUserPassword(const std::string& db_path, const std::string& name,
                     const std::string& password, const Actor& actor) {
  Authorize(actor, Operation::kManageUsers);
  CheckPassword(password);
  const SecretHash hash = HashSecret(password, kPasswordIterations);
  store::Store db(db_path);
  store::InTransaction(db, [&] {
    Existing(db, name);
    store::SetUserPassword(db, name, hash.salt_hex, hash.hash_hex, hash.iterations);
    // Never the hash: that the password changed is the event.
    Record(db, MakeEvent(actor, "user.password-changed", "user:" + name));
  });
}

void DisableUser(const std::string& db_path, const std::string& name, const Actor& actor) {
  Authorize(actor, Operation::kManageUsers);
  store::Store db(db_path);
  store::InTransaction(db, [&] {
    Existing(db, name);
    const std::string at = NowIso();
    store::DisableUser(db, name, at);
    Record(db, MakeEvent(actor, "user.disabled", "user:" + name, 0,
                         JsonObject().Str("disabled_at", "").Text(),
                         JsonObject().Str("disabled_at", at).Text()));
  });
}

Actor Login(const std::string& db_path, const std::string& name, const std::string& password) {
  store::Store db(db_path);
  const auto row = store::LoadUser(db, name);
  const bool can = row && row->disabled_at.empty() && !row->hash_hex.empty();
  // The same PBKDF2 work either way, so the time taken does not tell which names exist.
  const bool ok = can ? SecretMatches(password, {row->salt_hex, row->hash_hex, row->iterations})
                      : (HashSecret(password, kPasswordIterations), false);
  Actor who = ok ? ActorOf(*row) : Actor{};
  if (!ok) who.name = "(unauthenticated)";
  // The trail names who tried, never the password.
  Record(db, MakeEvent(who, ok ? "login" : "login.failed", "user:" + name.substr(0, 64)));
  if (!ok) throw ForbiddenError("wrong user name or password");
  return who;
}

}  // namespace coderaudit::service
