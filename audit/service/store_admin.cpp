#include "audit/service/store_admin.hpp"

#include "audit/model/error.hpp"
#include "audit/store/dialect.hpp"

namespace coderaudit::service {

void RequireStore(const std::string& db) {
  if (!store::StoreExists(db)) throw InputError("no store at " + ShownStore(db));
}

std::string ShownStore(const std::string& db) { return store::ParseLocation(db).display; }

store::StoreStatus StoreStatus(const std::string& db) { return store::ReadStatus(db); }

MigrateResult MigrateStore(const std::string& db) {
  MigrateResult r;
  r.before = store::ReadStatus(db);
  { store::Store open(db); }  // applies what is pending
  r.after = store::ReadStatus(db);
  return r;
}

store::CopyReport CopyStore(const std::string& from, const std::string& to, bool into_nonempty) {
  return store::CopyStore(from, to, into_nonempty);
}

}  // namespace coderaudit::service
