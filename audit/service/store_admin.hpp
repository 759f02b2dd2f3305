#pragma once
// Looking after a store itself, for `coderaudit db`: where it is, its schema version, and
// moving a SQLite store into PostgreSQL. A store is named by a `--db` value, a SQLite path
// or a postgresql:// URL (audit/store/dialect.hpp).
#include <string>

#include "audit/store/store.hpp"

namespace coderaudit::service {

// InputError "no store at …" unless `db` names an existing store (a query must not create
// an empty one: a typo must not look like "no runs").
void RequireStore(const std::string& db);

// `db` as messages show it: a path as given, a URL without its password.
std::string ShownStore(const std::string& db);

// The store's migrations applied and pending; creates nothing.
store::StoreStatus StoreStatus(const std::string& db);

// Creates the store if there is none and applies every pending migration (in one
// transaction); returns the status before and after.
struct MigrateResult {
  store::StoreStatus before, after;
};
MigrateResult MigrateStore(const std::string& db);

// A SQLite store copied into a PostgreSQL one (store::CopyStore).
store::CopyReport CopyStore(const std::string& from, const std::string& to, bool into_nonempty);

}  // namespace coderaudit::service
