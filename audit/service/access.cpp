#include "audit/service/access.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace coderaudit::service {

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kAuditor: return "auditor";
    case Role::kCoder: return "coder";
    case Role::kManager: return "manager";
    case Role::kCompliance: return "compliance";
    case Role::kInvestigator: return "investigator";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view s) {
  for (const Role r : kRoles)
    if (s == ToString(r)) return r;
  return std::nullopt;
}

std::string_view ToString(TokenScope s) {
  switch (s) {
    case TokenScope::kCheck: return "check";
    case TokenScope::kRead: return "read";
    case TokenScope::kAll: return "admin";
  }
  return "?";
}

std::optional<TokenScope> ParseScope(std::string_view s) {
  if (s == "check") return TokenScope::kCheck;
  if (s == "read") return TokenScope::kRead;
  if (s == "admin" || s == "all") return TokenScope::kAll;
  return std::nullopt;
}

std::string_view ToString(Operation op) {
  switch (op) {
    case Operation::kInfo: return "info";
    case Operation::kCheckClaims: return "check-claims";
    case Operation::kPollJob: return "poll-job";
    case Operation::kReadRuns: return "read-runs";
    case Operation::kReadFindings: return "read-findings";
    case Operation::kReadScores: return "read-scores";
    case Operation::kReadSamples: return "read-samples";
    case Operation::kScore: return "score";
    case Operation::kRebuttal: return "rebuttal";
    case Operation::kDrawSample: return "draw-sample";
    case Operation::kSubstituteSpare: return "substitute-spare";
    case Operation::kExportReport: return "export-report";
    case Operation::kReloadRules: return "reload-rules";
    case Operation::kManageUsers: return "manage-users";
    case Operation::kManageTokens: return "manage-tokens";
    case Operation::kReadTrail: return "read-trail";
    case Operation::kReadAudits: return "read-audits";
    case Operation::kManageAudits: return "manage-audits";
    case Operation::kRecodeAudit: return "recode-audit";
    case Operation::kAnswerAudit: return "answer-audit";
  }
  return "?";
}

// Why each role has what it has:
//   auditor       does the audit work: checks claims, draws samples and swaps spares,
//                 saves re-coding (score), reads everything of the audit, exports reports.
//   coder         sees their own findings and scores (rows of their coder id) and the run
//                 list; changes nothing (rebuttals reach the store through a manager).
//   manager       oversees: reads everything, imports rebuttals and decides them, draws
//                 samples and swaps spares, exports reports; patient identifiers masked.
//   compliance    reads and exports everything, and the trail; changes nothing.
//   investigator  as compliance (chain of custody), patient identifiers included.
//   In the browser workflow (audit_workflow.hpp) every role reads the audits it takes part
//   in; the manager runs them, the auditor re-codes, the coder answers.
//   admin         everything, and the only one to manage users, tokens and rule sets.
bool Allowed(Role role, Operation op) {
  using O = Operation;
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kAuditor:
      switch (op) {
        case O::kInfo: case O::kCheckClaims: case O::kPollJob: case O::kReadRuns:
        case O::kReadFindings: case O::kReadScores: case O::kReadSamples: case O::kScore:
        case O::kDrawSample: case O::kSubstituteSpare: case O::kExportReport:
        case O::kReadAudits: case O::kRecodeAudit:
          return true;
        default:
          return false;
      }
    case Role::kCoder:
      return op == O::kInfo || op == O::kReadRuns || op == O::kReadFindings ||
             op == O::kReadScores || op == O::kReadAudits || op == O::kAnswerAudit;
    case Role::kManager:
      switch (op) {
        case O::kInfo: case O::kPollJob: case O::kReadRuns: case O::kReadFindings:
        case O::kReadScores: case O::kReadSamples: case O::kRebuttal: case O::kDrawSample:
        case O::kSubstituteSpare: case O::kExportReport: case O::kReadAudits:
        case O::kManageAudits:
          return true;
        default:
          return false;
      }
    case Role::kCompliance:
    case Role::kInvestigator:
      switch (op) {
        case O::kInfo: case O::kPollJob: case O::kReadRuns: case O::kReadFindings:
        case O::kReadScores: case O::kReadSamples: case O::kExportReport: case O::kReadTrail:
        case O::kReadAudits:
          return true;
        default:
          return false;
      }
  }
  return false;
}

bool ScopeAllows(TokenScope scope, Operation op) {
  using O = Operation;
  switch (scope) {
    case TokenScope::kAll: return true;
    case TokenScope::kCheck: return op == O::kInfo || op == O::kCheckClaims || op == O::kPollJob;
    case TokenScope::kRead:
      return op == O::kInfo || op == O::kPollJob || op == O::kReadRuns || op == O::kReadFindings ||
             op == O::kReadScores || op == O::kReadSamples || op == O::kReadTrail ||
             op == O::kReadAudits;
  }
  return false;
}

bool SeesPatientIdentifiers(Role role) {
  return role == Role::kAuditor || role == Role::kCompliance || role == Role::kInvestigator ||
         role == Role::kAdmin;
}

Actor Actor::Local() {
  // Looked up once: getpwuid returns a static buffer (not thread-safe), and the server's
  // worker threads make Local actors concurrently (ThreadSanitizer found the race).
  static const std::string name = [] {
    std::string who;
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) who = pw->pw_name;
    if (who.empty())
      if (const char* u = std::getenv("USER")) who = u;
    if (who.empty()) who = "uid" + std::to_string(geteuid());
    return "cli:" + who;
  }();
  Actor a;
  a.name = name;
  a.role = Role::kAdmin;
  return a;
}

void Authorize(const Actor& actor, Operation op) {
  if (!Allowed(actor.role, op))
    throw ForbiddenError("role '" + std::string(ToString(actor.role)) + "' may not " +
                         std::string(ToString(op)));
  if (!ScopeAllows(actor.scope, op))
    throw ForbiddenError("a token of scope '" + std::string(ToString(actor.scope)) + "' may not " +
                         std::string(ToString(op)));
}

}  // namespace coderaudit::service
