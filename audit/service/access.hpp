#pragma once
// Who may do what through a front end: one decision, role x action, made here in the
// service layer so the HTTP server (and any later front end) cannot drift from it.
#include <optional>
#include <string_view>

namespace coderaudit::service {

enum class Role { kCheck, kRead, kAdmin };
enum class Action {
  kCheck,       // POST /v1/check (also with store=true)
  kSubmitRun,   // POST /v1/runs (asynchronous check of a large batch)
  kPollJob,     // GET /v1/runs/job-N: the state of a submitted batch
  kReadRuns,    // GET /v1/runs..., findings, holds
  kInfo,        // GET /v1/version, /v1/openapi.json
  kReload,      // POST /v1/admin/reload
};

std::string_view ToString(Role r);   // "check" | "read" | "admin"
std::optional<Role> ParseRole(std::string_view s);
std::string_view ToString(Action a);

// check: check, submit and poll its batches, info. read: every GET. admin: everything.
bool Allowed(Role role, Action action);

}  // namespace coderaudit::service
