#include "audit/qa/policy.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <mutex>

#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/qa/policy_xml.hpp"

namespace coderaudit::embedded {
std::string_view scoring_policy_default();
}

namespace coderaudit::qa {

ScoringPolicy::ScoringPolicy() {
  // Every outcome counts once, except a DRG change (it is the consequence of code
  // changes already counted; DRG accuracy reports it separately).
  outcomes[static_cast<size_t>(Outcome::kMatch)].error = false;
  outcomes[static_cast<size_t>(Outcome::kDrg)].error = false;
}

bool ScoringPolicy::CountsAsError(const CodeDiff& d) const {
  return IsError(d.outcome) && !Overturned(d) && Rule(d.outcome, d.code_type).error;
}

double ScoringPolicy::WeightOf(const CodeDiff& d) const {
  if (!CountsAsError(d)) return 0;
  const OutcomeRule& r = Rule(d.outcome, d.code_type);
  return d.principal ? r.principal_weight : r.weight;
}

std::string_view ToString(IntervalMethod m) {
  return m == IntervalMethod::kWilson ? "wilson" : "clopper-pearson";
}
std::string_view ToString(PassMetric m) {
  switch (m) {
    case PassMetric::kCode: return "code";
    case PassMetric::kClaim: return "claim";
    case PassMetric::kDrg: return "drg";
  }
  return "code";
}
std::string_view ToString(PassCompare c) {
  return c == PassCompare::kLowerBound ? "lower-bound" : "point";
}

namespace {

std::optional<double> Number(const std::string* s) {
  if (s == nullptr) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
  return v;
}

bool True(const std::string* s) { return s && (*s == "true" || *s == "1"); }

// The XSD has checked shapes and value ranges; this turns the tree into a policy and
// adds the checks a schema cannot express.
void Build(const PolicyNode& root, const std::string& file, ScoringPolicy& p,
           std::vector<Issue>& issues) {
  auto issue = [&](const PolicyNode& at, std::string message) {
    issues.push_back(Issue{file, at.line, at.column, std::move(message)});
  };
  if (const auto* id = root.Attr("id")) p.id = *id;
  if (const auto* version = root.Attr("version")) p.version = *version;
  p.scored.fill(false);
  bool scoped = false;
  for (const PolicyNode& child : root.children) {
    if (child.name == "title") {
      p.title = child.text;
    } else if (child.name == "scope") {
      scoped = true;
      p.claim_types.fill(false);
      for (const PolicyNode& ct : child.children) {
        if (auto t = ParseClaimType(ct.text)) p.claim_types[static_cast<size_t>(*t)] = true;
      }
    } else if (child.name == "code-types") {
      for (const PolicyNode& ct : child.children)
        if (auto t = ParseItemType(ct.text)) p.scored[static_cast<size_t>(*t)] = true;
    } else if (child.name == "outcomes") {
      std::vector<bool> general(kOutcomeCount, false);
      for (const PolicyNode& o : child.children) {
        const auto* name = o.Attr("name");
        const auto outcome = name ? ParseOutcome(*name) : std::nullopt;
        if (!outcome || *outcome == Outcome::kMatch) {
          issue(o, "unknown outcome");
          continue;
        }
        const auto* type_name = o.Attr("code-type");
        const auto type = type_name ? ParseItemType(*type_name) : std::nullopt;
        OutcomeRule rule;
        rule.error = True(o.Attr("error"));
        rule.weight = Number(o.Attr("weight")).value_or(1.0);
        rule.principal_weight = Number(o.Attr("principal-weight")).value_or(rule.weight);
        if (!rule.error && (o.Attr("principal-weight") != nullptr))
          issue(o, "principal-weight on an outcome that is not an error has no effect");
        if (type) {
          auto& slot = p.typed[static_cast<size_t>(*outcome)][static_cast<size_t>(*type)];
          if (slot) issue(o, "outcome '" + *name + "' on " + *type_name + " is given twice");
          slot = rule;
        } else {
          if (general[static_cast<size_t>(*outcome)])
            issue(o, "outcome '" + *name + "' is given twice");
          general[static_cast<size_t>(*outcome)] = true;
          p.outcomes[static_cast<size_t>(*outcome)] = rule;
        }
      }
    } else if (child.name == "benchmark") {
      p.benchmark = Number(child.Attr("value")).value_or(0.95);
      p.trend_min_encounters =
          static_cast<uint32_t>(Number(child.Attr("trend-min-encounters")).value_or(30));
      const auto* metric = child.Attr("metric");
      p.pass_metric = !metric || *metric == "code" ? PassMetric::kCode
                      : *metric == "claim"         ? PassMetric::kClaim
                                                   : PassMetric::kDrg;
      const auto* compare = child.Attr("compare");
      p.pass_compare = compare && *compare == "lower-bound" ? PassCompare::kLowerBound
                                                            : PassCompare::kPoint;
      if (p.pass_metric == PassMetric::kDrg && scoped &&
          !p.claim_types[static_cast<size_t>(ClaimType::kInpatient)])
        issue(child, "pass/fail on DRG accuracy needs inpatient claims in the scope");
    } else if (child.name == "interval") {
      const auto* method = child.Attr("method");
      p.interval = method && *method == "wilson" ? IntervalMethod::kWilson
                                                 : IntervalMethod::kClopperPearson;
      p.confidence = Number(child.Attr("confidence")).value_or(0.95);
    }
  }
  const bool any = p.scored[0] || p.scored[1] || p.scored[2] || p.scored[3];
  if (!any) issue(root, "no code type is scored");
}

}  // namespace

PolicyLoad ParsePolicy(std::string_view bytes, const std::string& display_name) {
  PolicyLoad out;
  auto xml = ParseValidatedPolicyXml(bytes, display_name);
  out.issues = std::move(xml.issues);
  if (!xml.root) return out;
  ScoringPolicy p;
  Build(*xml.root, display_name, p, out.issues);
  if (!out.issues.empty()) return out;
  p.text = std::string(bytes);
  p.sha256 = Sha256Hex(bytes);
  out.policy = std::move(p);
  return out;
}

namespace {
std::string IssuesText(const std::vector<Issue>& issues) {
  std::string s;
  for (const auto& i : issues) s += "\n  " + Describe(i);
  return s;
}
}  // namespace

ScoringPolicy LoadPolicyFile(const std::string& path, FileDigest* digest) {
  FileDigest read;
  const std::string bytes = io::ReadHashedText(path, "policy file", kMaxPolicyBytes, read);
  if (digest) *digest = read;
  auto loaded = ParsePolicy(bytes, path);
  if (!loaded.policy)
    throw InputError("policy " + path + " is invalid:" + IssuesText(loaded.issues));
  return std::move(*loaded.policy);
}

ScoringPolicy PolicyFromStoredText(const std::string& text) {
  auto loaded = ParsePolicy(text, "stored policy");
  if (!loaded.policy)
    throw SystemError("the store holds a policy this build cannot read:" +
                      IssuesText(loaded.issues));
  return std::move(*loaded.policy);
}

const ScoringPolicy& DefaultPolicy() {
  static const ScoringPolicy policy = [] {
    auto loaded = ParsePolicy(embedded::scoring_policy_default(), "default.xml");
    if (!loaded.policy)
      throw SystemError("the embedded default policy does not load:" +
                        IssuesText(loaded.issues));
    return std::move(*loaded.policy);
  }();
  return policy;
}

std::string DescribeScope(const ScoringPolicy& p) {
  std::string claims, types;
  for (ClaimType t : {ClaimType::kInpatient, ClaimType::kOutpatient, ClaimType::kProfessional})
    if (p.Scores(t)) claims += (claims.empty() ? "" : ", ") + std::string(ToString(t));
  for (size_t i = 0; i < kItemTypeCount; ++i)
    if (p.scored[i]) types += (types.empty() ? "" : ", ") + std::string(ToString(static_cast<ItemType>(i)));
  return types + " on " + claims + " claims";
}

}  // namespace coderaudit::qa
