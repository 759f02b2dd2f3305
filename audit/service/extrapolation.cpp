#include "audit/service/extrapolation.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "audit/service/sample_service.hpp"
#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/sampling/table_input.hpp"

namespace coderaudit::service {

runs::ExtrapolationReport BuildExtrapolation(const std::string& db_path, int64_t sample_id,
                                                const std::string& reviewed_csv) {
  runs::ExtrapolationReport rep;
  const auto replay = ReplaySample(db_path, sample_id);
  rep.sample = replay.stored;
  rep.replay_identical = replay.Identical();
  rep.replayed_frame_sha256 = replay.replayed_frame_sha256;
  rep.frame = replay.frame;
  const auto& smp = rep.sample.sample;
  if (!smp.statistical)
    throw InputError("refusing to extrapolate: sample " + std::to_string(sample_id) + " is " +
                     std::string(sampling::ToString(smp.spec.design)) +
                     ", a non-statistical sample");

  // Current membership: drawn sample items with substitutions applied.
  std::map<std::string, runs::ReviewedItem> members;  // by encounter id
  for (const auto& [id, m] : runs::CurrentMembers(rep.sample))
    members[id] = {m.item->stratum, m.replaced.empty() ? "sample" : "spare for " + m.replaced, id,
                   m.item->selection_order, m.item->position};

  io::HashedFile in(reviewed_csv, "reviewed file");
  rep.reviewed_path = reviewed_csv;
  const auto rows = sampling::ReadCsvRows(in.Stream(), reviewed_csv);
  rep.reviewed_sha256 = in.Finish().sha256;  // of exactly the rows read
  if (rows.empty()) throw InputError(reviewed_csv + ": empty file");
  int id_col = -1, ex_col = -1, au_col = -1;
  for (size_t i = 0; i < rows[0].fields.size(); ++i) {
    const auto& h = rows[0].fields[i];
    if (h == "encounter_id") id_col = static_cast<int>(i);
    if (h == "examined") ex_col = static_cast<int>(i);
    if (h == "audited") au_col = static_cast<int>(i);
  }
  if (id_col < 0 || ex_col < 0 || au_col < 0)
    throw InputError(reviewed_csv + ":1: header needs encounter_id, examined and audited");
  std::set<std::string> seen;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& f = rows[r].fields;
    const std::string where = reviewed_csv + ":" + std::to_string(rows[r].line);
    const size_t need = static_cast<size_t>(std::max({id_col, ex_col, au_col}));
    if (f.size() <= need) throw InputError(where + ": too few fields");
    const std::string& id = f[static_cast<size_t>(id_col)];
    auto it = members.find(id);
    if (it == members.end()) throw InputError(where + ": encounter is not in sample " + std::to_string(sample_id));
    if (!seen.insert(id).second) throw InputError(where + ": encounter listed twice");
    it->second.examined = sampling::ParseAmount(f[static_cast<size_t>(ex_col)], where);
    it->second.audited = sampling::ParseAmount(f[static_cast<size_t>(au_col)], where);
    it->second.difference = it->second.examined - it->second.audited;
  }
  if (seen.size() != members.size())
    throw InputError(reviewed_csv + ": " + std::to_string(members.size() - seen.size()) +
                     " sampled encounters have no reviewed amounts");

  // Items by stratum, then position: the order of the canonical frame.
  std::map<std::string, std::vector<const runs::ReviewedItem*>> by_stratum;
  for (const auto& [id, item] : members) by_stratum[item.stratum].push_back(&item);
  std::vector<sampling::StratumInput> strata;
  for (auto& [name, list] : by_stratum) {
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->position < b->position; });
    sampling::StratumInput s;
    s.id = name;
    for (const auto& st : smp.strata)
      if (st.name == name) s.universe = static_cast<int64_t>(st.frame_size);
    std::vector<double> ex, au;
    for (const auto* item : list) {
      rep.items.push_back(*item);
      ex.push_back(item->examined);
      au.push_back(item->audited);
    }
    s.sample.examined = ex;
    s.sample.audited = au;
    strata.push_back(std::move(s));
  }
  if (strata.size() == 1) {
    rep.unrestricted = sampling::AppraiseUnrestricted(strata[0].sample, strata[0].universe);
    rep.demand_amount = rep.unrestricted->demand_amount;
  } else {
    rep.stratified = sampling::AppraiseStratified(strata);
    rep.demand_amount = rep.stratified->demand_amount;
  }
  return rep;
}

}  // namespace coderaudit::service
