#pragma once
// Internal to audit/store: a Poco::Data session on a store location, for Store and
// SampleStore. Includes Poco::Data, so only the store's own .cpp files include it.
#include <Poco/Data/Session.h>

#include <memory>
#include <string>
#include <vector>

#include "audit/store/dialect.hpp"

namespace coderaudit::store::detail {

// Registers the backend's Poco connector once, connects, and applies the per-connection
// settings the store relies on (SQLite: foreign keys on, a 5 s busy timeout). PostgreSQL:
// with `create_schema`, a search_path schema that does not exist yet is created. Poco
// errors propagate; callers turn them into SystemError naming the store.
std::unique_ptr<Poco::Data::Session> OpenSession(const Location& where, bool create_schema = true);

// Applied migration versions, oldest first; empty when the database holds no store.
std::vector<int> AppliedMigrations(Poco::Data::Session& s, Backend backend);

// The id the last INSERT on this session generated (SQLite rowid, PostgreSQL identity).
int64_t LastInsertId(Poco::Data::Session& session, Backend backend);

}  // namespace coderaudit::store::detail
