#pragma once
// GET /v1/runs, /v1/runs/{id}, /v1/runs/{id}/findings, /v1/runs/{id}/holds: the reads of
// stored runs, in one place. They call the store for now.
// TODO(outcomes branch): FindingsJson and HoldsJson switch to service::ListFindings(db, run,
// FindingFilter) and service::ListHolds(db, run, HoldPolicy) (audit/service/results.hpp)
// when that lands; the answers' shapes (openapi.json) stay.
#include <cstdint>
#include <string>

#include "audit/service/compiled_rules.hpp"
#include "audit/model/hold.hpp"

namespace coderaudit::server {

struct RouteAnswer {
  int status = 200;
  std::string body;   // JSON
};

struct Page {
  int64_t offset = 0;
  int64_t limit = 100;   // at most 1000
};

struct FindingQuery {
  std::string rule, disposition, encounter, provider, coder;   // "" = any
};

RouteAnswer ListRunsJson(const std::string& db_path, Page page, const service::CompiledRules& now);
RouteAnswer RunJson(const std::string& db_path, int64_t run_id, const service::CompiledRules& now);
RouteAnswer FindingsJson(const std::string& db_path, int64_t run_id, const FindingQuery& query,
                         Page page, const service::CompiledRules& now);
RouteAnswer HoldsJson(const std::string& db_path, int64_t run_id, const HoldPolicy& policy,
                      Page page, const service::CompiledRules& now);

}  // namespace coderaudit::server
