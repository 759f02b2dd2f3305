#include "audit/sampling/encounter_sample.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/sampling/random.hpp"

namespace coderaudit::sampling {

namespace {

const char* const kFields[] = {"coder_id", "provider_id", "claim_type", "payer", "drg", "sex"};

std::string FieldOf(const FrameItem& it, const std::string& field) {
  if (field == "coder_id") return it.coder_id;
  if (field == "provider_id") return it.provider_id;
  if (field == "claim_type") return it.claim_type;
  if (field == "payer") return it.payer;
  if (field == "drg") return it.drg;
  if (field == "sex") return it.sex;
  throw InputError("cannot stratify by '" + field +
                   "': use coder_id, provider_id, claim_type, payer, drg, sex or amount");
}

std::string Money(int64_t cents) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

std::string PeriodOf(const std::string& iso_date, const std::string& period) {
  if (iso_date.size() < 7) return "(no date)";
  if (period == "month") return iso_date.substr(0, 7);
  const int month = std::stoi(iso_date.substr(5, 2));
  return iso_date.substr(0, 4) + "Q" + std::to_string((month - 1) / 3 + 1);
}

// The frame without the seed: which encounters, in which strata, in which order.
std::string FrameSpecJson(const SampleSpec& spec) {
  SampleSpec s = spec;
  s.generator.clear();
  s.seed.clear();
  s.n = 0;
  s.spares = 0;
  s.per_coder = 0;
  s.percent = 0;
  return SpecToJson(s);
}

void Validate(const SampleSpec& spec) {
  switch (spec.design) {
    case SampleDesign::kSimple:
    case SampleDesign::kTargeted:
      if (spec.n == 0) throw InputError("sample size --n must be at least 1");
      break;
    case SampleDesign::kStratified:
      if (spec.n == 0) throw InputError("sample size --n must be at least 1");
      if (spec.stratify_by.empty()) throw InputError("a stratified sample needs --stratify-by");
      if (spec.stratify_by == "amount") {
        if (spec.band_floors.empty() || spec.band_floors[0] != 0)
          throw InputError("amount bands must start at 0, e.g. --bands 0,100,500");
        for (size_t i = 1; i < spec.band_floors.size(); ++i)
          if (spec.band_floors[i] <= spec.band_floors[i - 1])
            throw InputError("amount bands must increase");
      } else if (std::find(std::begin(kFields), std::end(kFields), spec.stratify_by) ==
                 std::end(kFields)) {
        FieldOf(FrameItem{}, spec.stratify_by);  // throws the explanation
      }
      if (spec.allocation != "equal" && spec.allocation != "proportional")
        throw InputError("allocation must be equal or proportional");
      break;
    case SampleDesign::kQuota:
      if ((spec.per_coder == 0) == (spec.percent <= 0))
        throw InputError("a quota sample needs exactly one of --per-coder N or --percent P");
      if (spec.percent > 100) throw InputError("--percent must be at most 100");
      if (spec.period != "month" && spec.period != "quarter")
        throw InputError("--period must be month or quarter");
      break;
  }
}

}  // namespace

std::string_view ToString(SampleDesign d) {
  switch (d) {
    case SampleDesign::kSimple: return "simple";
    case SampleDesign::kStratified: return "stratified";
    case SampleDesign::kQuota: return "quota";
    case SampleDesign::kTargeted: return "targeted";
  }
  return "?";
}

std::optional<SampleDesign> ParseSampleDesign(std::string_view s) {
  for (auto d : {SampleDesign::kSimple, SampleDesign::kStratified, SampleDesign::kQuota,
                 SampleDesign::kTargeted})
    if (ToString(d) == s) return d;
  return std::nullopt;
}

std::string SpecToJson(const SampleSpec& s) {
  Poco::JSON::Object o;  // keys sorted: the text is canonical
  o.set("design", std::string(ToString(s.design)));
  o.set("generator", s.generator);
  o.set("seed", s.seed);
  o.set("n", s.n);
  o.set("spares", s.spares);
  o.set("stratify_by", s.stratify_by);
  Poco::JSON::Array bands;
  for (auto b : s.band_floors) bands.add(b);
  o.set("band_floors", bands);
  o.set("allocation", s.allocation);
  o.set("period", s.period);
  o.set("per_coder", s.per_coder);
  // Percent as text so the canonical form never depends on float printing.
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.6g", s.percent);
  o.set("percent", std::string(pct));
  o.set("target_rule", s.target_rule);
  std::ostringstream os;
  o.stringify(os);
  return os.str();
}

SampleSpec SpecFromJson(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    SampleSpec s;
    auto design = ParseSampleDesign(o->getValue<std::string>("design"));
    if (!design) throw InputError("stored sample has an unknown design");
    s.design = *design;
    s.generator = o->getValue<std::string>("generator");
    s.seed = o->getValue<std::string>("seed");
    s.n = o->getValue<uint64_t>("n");
    s.spares = o->getValue<uint64_t>("spares");
    s.stratify_by = o->getValue<std::string>("stratify_by");
    auto bands = o->getArray("band_floors");
    for (size_t i = 0; bands && i < bands->size(); ++i) s.band_floors.push_back(bands->getElement<int64_t>(static_cast<unsigned>(i)));
    s.allocation = o->getValue<std::string>("allocation");
    s.period = o->getValue<std::string>("period");
    s.per_coder = o->getValue<uint64_t>("per_coder");
    s.percent = std::stod(o->getValue<std::string>("percent"));
    s.target_rule = o->getValue<std::string>("target_rule");
    return s;
  } catch (const Poco::Exception& e) {
    throw InputError("stored sample definition is unreadable: " + e.displayText());
  }
}

namespace {
// Stratum name -> items in encounter-id order.
std::map<std::string, std::vector<const FrameItem*>> BuildStrata(
    const std::vector<FrameItem>& items, const SampleSpec& spec) {
  std::map<std::string, std::vector<const FrameItem*>> strata;
  for (const auto& it : items) {
    std::string name;
    switch (spec.design) {
      case SampleDesign::kSimple:
        name = "all";
        break;
      case SampleDesign::kTargeted: {
        const auto& r = it.finding_rules;
        const bool hit = spec.target_rule.empty()
                             ? !r.empty()
                             : std::find(r.begin(), r.end(), spec.target_rule) != r.end();
        if (!hit) continue;
        name = spec.target_rule.empty() ? "with findings" : "finding " + spec.target_rule;
        break;
      }
      case SampleDesign::kStratified:
        if (spec.stratify_by == "amount") {
          size_t band = 0;
          while (band + 1 < spec.band_floors.size() && it.amount_cents >= spec.band_floors[band + 1])
            ++band;
          // Zero-padded band number: strata sort in amount order, not text order.
          char buf[96];
          const std::string upper = band + 1 < spec.band_floors.size()
                                        ? "to " + Money(spec.band_floors[band + 1] - 1)
                                        : std::string("and up");
          std::snprintf(buf, sizeof buf, "band %02zu: %s %s", band + 1,
                        Money(spec.band_floors[band]).c_str(), upper.c_str());
          name = buf;
        } else {
          name = FieldOf(it, spec.stratify_by);
          if (name.empty()) name = "(blank)";
        }
        break;
      case SampleDesign::kQuota:
        name = (it.coder_id.empty() ? "(no coder)" : it.coder_id) + " " +
               PeriodOf(it.from_date, spec.period);
        break;
    }
    strata[name].push_back(&it);
  }
  for (auto& [name, list] : strata)
    std::sort(list.begin(), list.end(), [](const FrameItem* a, const FrameItem* b) {
      return a->encounter_id < b->encounter_id;
    });
  return strata;
}
}  // namespace

std::string CanonicalFrame(const std::vector<FrameItem>& items, const SampleSpec& spec) {
  Validate(spec);
  std::string text = "coderaudit-frame 1\nspec " + FrameSpecJson(spec) + "\n";
  for (const auto& [name, list] : BuildStrata(items, spec)) {
    text += "stratum " + name + "\t" + std::to_string(list.size()) + "\n";
    uint64_t pos = 0;
    for (const auto* it : list)
      text += std::to_string(++pos) + "\t" + it->encounter_id + "\t" +
              std::to_string(it->amount_cents) + "\n";
  }
  return text;
}

std::vector<FrameUnit> FrameUnits(const std::vector<FrameItem>& items, const SampleSpec& spec) {
  Validate(spec);
  std::vector<FrameUnit> out;
  out.reserve(items.size());
  for (const auto& [name, list] : BuildStrata(items, spec)) {
    uint64_t pos = 0;
    for (const auto* it : list) out.push_back({name, ++pos, it->encounter_id, it->amount_cents});
  }
  return out;
}

EncounterSample DrawEncounterSample(const std::vector<FrameItem>& items, const SampleSpec& spec) {
  Validate(spec);
  EncounterSample out;
  out.spec = spec;
  out.statistical = spec.design != SampleDesign::kTargeted;
  out.frame_sha256 = Sha256Hex(CanonicalFrame(items, spec));
  auto generator = MakeGenerator(spec.generator, spec.seed);
  out.spec.seed = generator->SeedText();
  out.generator_version = generator->Version();
  const auto strata = BuildStrata(items, spec);
  if (strata.empty()) throw InputError("the frame is empty: no encounter matches the design");

  // Sample size per stratum, fixed before any draw.
  std::map<std::string, uint64_t> n_of;
  uint64_t total = 0;
  for (const auto& [name, list] : strata) total += list.size();
  out.frame_size = total;
  if (spec.design == SampleDesign::kStratified && spec.allocation == "proportional") {
    // Largest remainder, ties by stratum name: deterministic and sums to n.
    std::vector<std::pair<double, std::string>> remainders;
    uint64_t given = 0;
    for (const auto& [name, list] : strata) {
      const double exact = static_cast<double>(spec.n) * static_cast<double>(list.size()) /
                           static_cast<double>(total);
      n_of[name] = static_cast<uint64_t>(std::floor(exact));
      given += n_of[name];
      remainders.push_back({exact - std::floor(exact), name});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; given < spec.n && i < remainders.size(); ++i, ++given)
      n_of[remainders[i].second]++;
  } else {
    for (const auto& [name, list] : strata) {
      uint64_t n = spec.n;
      if (spec.design == SampleDesign::kQuota)
        n = spec.per_coder ? spec.per_coder
                           : static_cast<uint64_t>(std::ceil(spec.percent / 100.0 *
                                                             static_cast<double>(list.size()) - 1e-9));
      n_of[name] = n;
    }
  }

  for (const auto& [name, list] : strata) {
    const uint64_t size = list.size();
    uint64_t n = n_of[name];
    if (n > size) {
      out.warnings.push_back("stratum '" + name + "' has " + std::to_string(size) +
                             " encounters, fewer than the " + std::to_string(n) +
                             " asked for: all are taken");
      n = size;
    }
    uint64_t spares = std::min<uint64_t>(spec.spares, size - n);
    out.strata.push_back({name, size, n, spares});
    if (n + spares == 0) continue;
    DrawRequest req;
    req.design = DrawDesign::kSingleStage;
    req.ranges = {Range{1, static_cast<int64_t>(size)}};
    req.count = n;
    req.spares = spares;
    const DrawResult draw = Draw(*generator, req);
    for (const auto& d : draw.sample)
      out.items.push_back({name, "sample", d.order, static_cast<uint64_t>(d.values[0]),
                           list[static_cast<size_t>(d.values[0] - 1)]->encounter_id});
    for (const auto& d : draw.spares)
      out.items.push_back({name, "spare", d.order, static_cast<uint64_t>(d.values[0]),
                           list[static_cast<size_t>(d.values[0] - 1)]->encounter_id});
    for (const auto& w : draw.warnings)
      if (w.find("gives the same sample") == std::string::npos) out.warnings.push_back(w);
  }
  if (!out.statistical)
    out.warnings.push_back("targeted sample: non-statistical, never to be extrapolated");
  return out;
}

}  // namespace coderaudit::sampling
