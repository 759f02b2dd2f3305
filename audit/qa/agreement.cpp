#include "audit/qa/agreement.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace coderaudit::qa {

KappaStats Kappa(const std::vector<std::vector<uint32_t>>& table, double confidence) {
  KappaStats k;
  const size_t m = table.size();
  std::vector<double> rows(m, 0), cols(m, 0);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < m; ++j) {
      k.items += table[i][j];
      rows[i] += table[i][j];
      cols[j] += table[i][j];
      if (i == j) k.agreed += table[i][j];
    }
  if (k.items == 0) return k;
  const double n = k.items;
  k.observed = k.agreed / n;
  for (size_t i = 0; i < m; ++i) k.expected += (rows[i] / n) * (cols[i] / n);
  if (k.expected < 1.0) {
    const double kappa = (k.observed - k.expected) / (1.0 - k.expected);
    k.kappa = kappa;
    k.standard_error =
        std::sqrt(k.observed * (1 - k.observed) / (n * (1 - k.expected) * (1 - k.expected)));
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(),
                                           1 - (1 - confidence) / 2);
    k.kappa_ci = {std::max(-1.0, kappa - z * k.standard_error),
                  std::min(1.0, kappa + z * k.standard_error)};
  }
  return k;
}

namespace {

struct EncounterRows {
  std::map<uint32_t, std::string> positions;             // coder line -> category
  std::map<std::pair<ItemType, std::string>, uint32_t> omitted;  // auditor code -> count
  std::optional<std::string> drg;                        // "match" | "drg"
  std::string auditor;
};

std::map<std::string, EncounterRows> Collect(const std::vector<CodeDiff>& rows) {
  std::map<std::string, EncounterRows> out;
  for (const CodeDiff& d : rows) {
    EncounterRows& e = out[d.encounter_id];
    e.auditor = d.auditor_id;
    if (d.code_type == ItemType::kDrg) {
      e.drg = std::string(ToString(d.outcome));
    } else if (d.outcome == Outcome::kOmitted) {
      e.omitted[{d.code_type, d.auditor_code}]++;
    } else {
      std::string& cat = e.positions[d.line];
      if (d.outcome == Outcome::kMatch) {
        if (cat.empty()) cat = "match";
      } else {
        cat = cat.empty() || cat == "match" ? std::string(ToString(d.outcome))
                                            : cat + "+" + std::string(ToString(d.outcome));
      }
    }
  }
  return out;
}

}  // namespace

Agreement CompareAuditors(const std::vector<CodeDiff>& a, const std::vector<CodeDiff>& b,
                          double confidence) {
  Agreement out;
  const auto ea = Collect(a), eb = Collect(b);
  out.encounters_a = static_cast<uint32_t>(ea.size());
  out.encounters_b = static_cast<uint32_t>(eb.size());
  std::vector<std::pair<std::string, std::string>> pairs;  // (category A, category B)
  std::set<std::string> auditors_a, auditors_b;
  for (const auto& [id, ra] : ea) {
    const auto it = eb.find(id);
    if (it == eb.end()) continue;
    const EncounterRows& rb = it->second;
    out.encounters_both++;
    auditors_a.insert(ra.auditor);
    auditors_b.insert(rb.auditor);
    // Both sides diff the same coder coding, so they hold the same coder lines.
    for (const auto& [line, cat] : ra.positions) {
      const auto other = rb.positions.find(line);
      pairs.push_back({cat, other == rb.positions.end() ? "match" : other->second});
    }
    for (const auto& [line, cat] : rb.positions)
      if (!ra.positions.count(line)) pairs.push_back({"match", cat});
    // A code one auditor added and the other did not: the other agreed with the coder.
    std::set<std::pair<ItemType, std::string>> keys;
    for (const auto& [k, n] : ra.omitted) keys.insert(k);
    for (const auto& [k, n] : rb.omitted) keys.insert(k);
    for (const auto& k : keys) {
      const uint32_t na = ra.omitted.count(k) ? ra.omitted.at(k) : 0;
      const uint32_t nb = rb.omitted.count(k) ? rb.omitted.at(k) : 0;
      for (uint32_t i = 0; i < std::max(na, nb); ++i)
        pairs.push_back({i < na ? "omitted" : "match", i < nb ? "omitted" : "match"});
    }
    if (ra.drg && rb.drg) pairs.push_back({*ra.drg, *rb.drg});
  }
  out.auditors_a.assign(auditors_a.begin(), auditors_a.end());
  out.auditors_b.assign(auditors_b.begin(), auditors_b.end());

  std::set<std::string> cats;
  for (const auto& [x, y] : pairs) cats.insert(x), cats.insert(y);
  out.categories.assign(cats.begin(), cats.end());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < out.categories.size(); ++i) index[out.categories[i]] = i;
  out.matrix.assign(out.categories.size(), std::vector<uint32_t>(out.categories.size(), 0));
  std::vector<std::vector<uint32_t>> binary(2, std::vector<uint32_t>(2, 0));
  for (const auto& [x, y] : pairs) {
    out.matrix[index[x]][index[y]]++;
    binary[x == "match" ? 0 : 1][y == "match" ? 0 : 1]++;
  }
  out.outcome = Kappa(out.matrix, confidence);
  out.error = Kappa(binary, confidence);
  return out;
}

}  // namespace coderaudit::qa
