// The results service layer (audit/service/results.hpp) the CLI and the HTTP server share:
// findings filtered and paged, the hold/release list, and refusals.
#include <catch2/catch.hpp>

#include <filesystem>

#include "audit/service/service.hpp"
#include "audit/service/results.hpp"
#include "audit/model/error.hpp"

namespace fs = std::filesystem;
namespace service = coderaudit::service;
using coderaudit::Disposition;
using coderaudit::HoldPolicy;

namespace {
const std::string kSamples = std::string(CODERAUDIT_SOURCE_DIR) + "/samples/";

struct Store {
  fs::path dir;
  std::string db;
  Store() {
    char tmpl[] = "/tmp/coderaudit-results-engine-XXXXXX";
    dir = mkdtemp(tmpl);
    db = (dir / "a.db").string();
    service::CheckOptions opt;
    opt.rules_path = kSamples + "rules/facility.xml";
    opt.encounter_paths = {kSamples + "encounters.csv"};
    opt.db_path = db;
    service::RunCheck(opt);
  }
  ~Store() { fs::remove_all(dir); }
};
}  // namespace

TEST_CASE("ListFindings filters, counts every match and pages", "[engine][results]") {
  Store s;
  const auto all = service::ListFindings(s.db, 0, {});
  REQUIRE(all.total == 36);
  REQUIRE(all.rows.size() == 36);
  CHECK(all.run.run_id == 1);

  service::FindingFilter f;
  f.disposition = "line-deny";
  const auto deny = service::ListFindings(s.db, 1, f);
  CHECK(deny.total > 0);
  for (const auto& r : deny.rows) CHECK(r.finding.disposition == Disposition::kLineDeny);

  f.offset = 2;
  f.limit = 3;
  const auto page = service::ListFindings(s.db, 1, f);
  CHECK(page.total == deny.total);  // the total ignores paging
  REQUIRE(page.rows.size() == 3);
  CHECK(page.rows[0].finding.encounter_id == deny.rows[2].finding.encounter_id);

  service::FindingFilter who;
  who.provider = all.rows[0].provider_id;
  who.coder = all.rows[0].coder_id;
  for (const auto& r : service::ListFindings(s.db, 1, who).rows) {
    CHECK(r.provider_id == who.provider);
    CHECK(r.coder_id == who.coder);
    CHECK_FALSE(r.payer.empty());
  }
}

TEST_CASE("ListHolds decides every claim under the policy", "[engine][results]") {
  Store s;
  const auto d = service::ListHolds(s.db, 1, HoldPolicy::Default());
  CHECK(d.claims == 310);
  CHECK(static_cast<int64_t>(d.entries.size()) == 310);
  CHECK(d.held + d.released == d.claims);
  CHECK(d.all_claims_listed);
  for (const auto& e : d.entries) {
    CHECK(e.held == !e.holding.empty());
    for (const auto& f : e.holding) CHECK(HoldPolicy::Default().Holds(f.disposition));
  }
  // Holding on review too can only hold more claims.
  auto wider = HoldPolicy::Default();
  wider.holding |= uint16_t(1u << static_cast<unsigned>(Disposition::kReview));
  CHECK(service::ListHolds(s.db, 1, wider).held >= d.held);
  CHECK(service::ListHolds(s.db, 1, HoldPolicy{}).held == 0);
}

TEST_CASE("Results refuse unknown runs, score runs and unknown dispositions", "[engine][results]") {
  Store s;
  CHECK_THROWS_AS(service::ListFindings(s.db, 7, {}), coderaudit::InputError);
  CHECK_THROWS_AS(service::ListHolds(s.db, 7, HoldPolicy::Default()), coderaudit::InputError);
  service::FindingFilter bad;
  bad.disposition = "deny-ish";
  CHECK_THROWS_AS(service::ListFindings(s.db, 1, bad), coderaudit::InputError);
  service::ScoreOptions score;
  score.db_path = s.db;
  score.auditor_path = kSamples + "auditor.csv";
  service::RunScore(score);
  CHECK_THROWS_WITH(service::ListFindings(s.db, 2, {}), Catch::Contains("not a check run"));
  CHECK(service::LatestCheckRun(s.db) == 1);
  CHECK_THROWS_AS(service::ListFindings((s.dir / "none.db").string(), 0, {}),
                  coderaudit::InputError);
  CHECK_FALSE(fs::exists(s.dir / "none.db"));
}
