#include "audit/store/sample_store.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <set>

#include "audit/model/error.hpp"
#include "audit/store/rows.hpp"
#include "audit/store/store.hpp"
#include "audit/store/trail_store.hpp"

namespace coderaudit::store {

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

using detail::Int;
using detail::Rethrow;
using detail::Str;

// The store's own connection, so a sample and its trail event share one transaction.
struct SampleStore::Impl {
  std::unique_ptr<Store> store;   // creates the file and applies every migration
  Poco::Data::Session* session = nullptr;
};

SampleStore::SampleStore(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->store = std::make_unique<Store>(path);
  impl_->session = &impl_->store->Session();
}

SampleStore::~SampleStore() = default;

int64_t SampleStore::Save(int64_t run_id, const sampling::EncounterSample& smp,
                          const std::string& created_at, const std::string& tool_version,
                          const EventOf& event) {
  auto& s = *impl_->session;
  try {
    s.begin();
    Poco::Int64 run = run_id, statistical = smp.statistical ? 1 : 0,
                frame_size = static_cast<Poco::Int64>(smp.frame_size);
    std::string created = created_at, design(sampling::ToString(smp.spec.design)),
                generator = smp.spec.generator, version = smp.generator_version,
                seed = smp.spec.seed, definition = sampling::SpecToJson(smp.spec),
                sha = smp.frame_sha256, tool = tool_version;
    s << "INSERT INTO samples(run_id, created_at, design, statistical, generator, "
         "generator_version, seed, definition, frame_sha256, frame_size, tool_version) "
         "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        use(run), use(created), use(design), use(statistical), use(generator), use(version),
        use(seed), use(definition), use(sha), use(frame_size), use(tool), now;
    Poco::Int64 id = 0;
    s << "SELECT last_insert_rowid()", into(id), now;
    for (const auto& st : smp.strata) {
      std::string name = st.name;
      Poco::Int64 size = static_cast<Poco::Int64>(st.frame_size), n = static_cast<Poco::Int64>(st.n),
                  spares = static_cast<Poco::Int64>(st.spares);
      s << "INSERT INTO sample_strata VALUES ($1,$2,$3,$4,$5)", use(id), use(name), use(size),
          use(n), use(spares), now;
    }
    for (const auto& it : smp.items) {
      std::string stratum = it.stratum, role = it.role, enc = it.encounter_id;
      Poco::Int64 order = static_cast<Poco::Int64>(it.selection_order),
                  pos = static_cast<Poco::Int64>(it.position);
      s << "INSERT INTO sample_items VALUES ($1,$2,$3,$4,$5,$6)", use(id), use(stratum),
          use(role), use(order), use(pos), use(enc), now;
    }
    if (event) AppendEvent(*impl_->store, event(std::to_string(id)));
    s.commit();
    return id;
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    Rethrow(e, "cannot store sample");
  } catch (...) {
    if (s.isTransaction()) s.rollback();
    throw;
  }
}

std::vector<runs::StoredSample> SampleStore::List() {
  std::vector<runs::StoredSample> out;
  try {
    Statement st = (*impl_->session << "SELECT * FROM samples ORDER BY sample_id", now);
    RecordSet rs(st);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
      runs::StoredSample ss;
      ss.sample_id = Int(rs, "sample_id");
      ss.run_id = Int(rs, "run_id");
      ss.created_at = Str(rs, "created_at");
      ss.tool_version = Str(rs, "tool_version");
      ss.sample.spec = sampling::SpecFromJson(Str(rs, "definition"));
      ss.sample.generator_version = Str(rs, "generator_version");
      ss.sample.statistical = Int(rs, "statistical") != 0;
      ss.sample.frame_sha256 = Str(rs, "frame_sha256");
      ss.sample.frame_size = static_cast<uint64_t>(Int(rs, "frame_size"));
      out.push_back(std::move(ss));
    }
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot list samples");
  }
  return out;
}

std::optional<runs::StoredSample> SampleStore::Load(int64_t sample_id) {
  std::optional<runs::StoredSample> found;
  for (auto& ss : List())
    if (ss.sample_id == sample_id) found = std::move(ss);
  if (!found) return std::nullopt;
  auto& s = *impl_->session;
  try {
    Poco::Int64 id = sample_id;
    Statement strata = (s << "SELECT * FROM sample_strata WHERE sample_id=$1 ORDER BY stratum",
                        use(id), now);
    RecordSet rs(strata);
    for (bool more = rs.moveFirst(); more; more = rs.moveNext())
      found->sample.strata.push_back({Str(rs, "stratum"), static_cast<uint64_t>(Int(rs, "frame_size")),
                                      static_cast<uint64_t>(Int(rs, "n")),
                                      static_cast<uint64_t>(Int(rs, "spares"))});
    // Same order as DrawEncounterSample produces: by stratum, sample by position, spares
    // in selection order.
    Statement items = (s << "SELECT * FROM sample_items WHERE sample_id=$1 ORDER BY stratum, "
                            "role, CASE role WHEN 'sample' THEN position ELSE selection_order END",
                       use(id), now);
    RecordSet ri(items);
    for (bool more = ri.moveFirst(); more; more = ri.moveNext())
      found->sample.items.push_back({Str(ri, "stratum"), Str(ri, "role"),
                                     static_cast<uint64_t>(Int(ri, "selection_order")),
                                     static_cast<uint64_t>(Int(ri, "position")),
                                     Str(ri, "encounter_id")});
    Statement subs = (s << "SELECT * FROM sample_substitutions WHERE sample_id=$1 ORDER BY seq",
                      use(id), now);
    RecordSet rsub(subs);
    for (bool more = rsub.moveFirst(); more; more = rsub.moveNext())
      found->substitutions.push_back({Str(rsub, "replaced"), Str(rsub, "spare"),
                                      Str(rsub, "reason"), Str(rsub, "recorded_at")});
  } catch (const Poco::Exception& e) {
    Rethrow(e, "cannot read sample");
  }
  return found;
}

std::string SampleStore::Substitute(int64_t sample_id, const std::string& encounter_id,
                                    const std::string& reason, const std::string& recorded_at,
                                    const EventOf& event) {
  if (reason.empty()) throw InputError("a substitution needs a reason");
  auto stored = Load(sample_id);
  if (!stored) throw InputError("sample " + std::to_string(sample_id) + " is not in the store");
  // Current membership: the drawn sample with earlier substitutions applied.
  std::set<std::string> in_sample, used_spares;
  std::string stratum;
  for (const auto& it : stored->sample.items)
    if (it.role == "sample") in_sample.insert(it.encounter_id);
  for (const auto& sub : stored->substitutions) {
    in_sample.erase(sub.replaced);
    in_sample.insert(sub.spare);
    used_spares.insert(sub.spare);
  }
  if (!in_sample.count(encounter_id))
    throw InputError("encounter is not in the current sample " + std::to_string(sample_id));
  for (const auto& it : stored->sample.items)
    if (it.encounter_id == encounter_id) stratum = it.stratum;
  std::string spare;
  for (const auto& it : stored->sample.items)  // spares are in selection order
    if (it.role == "spare" && it.stratum == stratum && !used_spares.count(it.encounter_id)) {
      spare = it.encounter_id;
      break;
    }
  if (spare.empty())
    throw InputError("no unused spare left in stratum '" + stratum + "'");
  auto& s = *impl_->session;
  try {
    Poco::Int64 id = sample_id, seq = static_cast<Poco::Int64>(stored->substitutions.size() + 1);
    std::string replaced = encounter_id, why = reason, at = recorded_at;
    s.begin();
    s << "INSERT INTO sample_substitutions VALUES ($1,$2,$3,$4,$5,$6)", use(id), use(seq),
        use(replaced), use(spare), use(why), use(at), now;
    if (event) AppendEvent(*impl_->store, event(spare));
    s.commit();
  } catch (const Poco::Exception& e) {
    if (s.isTransaction()) s.rollback();
    Rethrow(e, "cannot record substitution");
  } catch (...) {
    if (s.isTransaction()) s.rollback();
    throw;
  }
  return spare;
}

}  // namespace coderaudit::store
