#include "audit/service/access.hpp"

namespace coderaudit::service {

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kCheck: return "check";
    case Role::kRead: return "read";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "check") return Role::kCheck;
  if (s == "read") return Role::kRead;
  if (s == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view ToString(Action a) {
  switch (a) {
    case Action::kCheck: return "check";
    case Action::kSubmitRun: return "submit-run";
    case Action::kPollJob: return "poll-job";
    case Action::kReadRuns: return "read-runs";
    case Action::kInfo: return "info";
    case Action::kReload: return "reload";
  }
  return "?";
}

bool Allowed(Role role, Action action) {
  switch (role) {
    case Role::kAdmin: return true;
    case Role::kCheck:
      return action == Action::kCheck || action == Action::kSubmitRun ||
             action == Action::kPollJob || action == Action::kInfo;
    case Role::kRead:
      return action == Action::kReadRuns || action == Action::kPollJob || action == Action::kInfo;
  }
  return false;
}

}  // namespace coderaudit::service
