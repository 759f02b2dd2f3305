#pragma once
// GET /v1/runs, /v1/runs/{id}, /v1/runs/{id}/findings, /v1/runs/{id}/holds: the reads of
// stored runs, in one place, over the service layer (service/stored_runs.hpp,
// service/results.hpp): the same answers as `coderaudit runs`, `findings` and `holds`.
#include <cstdint>
#include <string>

#include "audit/service/access.hpp"
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

// Each as `actor` may see it (the service layer authorises, filters and masks).
RouteAnswer ListRunsJson(const std::string& db_path, Page page, const service::CompiledRules& now,
                         const service::Actor& actor);
RouteAnswer RunJson(const std::string& db_path, int64_t run_id, const service::CompiledRules& now,
                    const service::Actor& actor);
RouteAnswer FindingsJson(const std::string& db_path, int64_t run_id, const FindingQuery& query,
                         Page page, const service::CompiledRules& now, const service::Actor& actor);
RouteAnswer HoldsJson(const std::string& db_path, int64_t run_id, const HoldPolicy& policy,
                      Page page, const service::CompiledRules& now, const service::Actor& actor);

}  // namespace coderaudit::server
