#pragma once
// Who may do what: users' roles x operations, decided here in the service layer. Every
// service function that reads or changes a store takes an Actor and calls Authorize
// before it does anything, so the HTTP server, the CLI and any later front end cannot
// drift from one matrix (the table in access.cpp; README "Users, roles and the audit
// trail" prints it).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/model/error.hpp"

namespace coderaudit::service {

// The role of a user (store schema 8).
enum class Role { kAuditor, kCoder, kManager, kCompliance, kInvestigator, kAdmin };
inline constexpr std::array kRoles = {Role::kAuditor,    Role::kCoder,        Role::kManager,
                                      Role::kCompliance, Role::kInvestigator, Role::kAdmin};

// An API token's scope, narrowing its user's role (stored in api_tokens.role as before
// schema 8): check claims only, read only, or all the user may do.
enum class TokenScope { kCheck, kRead, kAll };

enum class Operation {
  kInfo,            // version, rule set, openapi, who am I
  kCheckClaims,     // check claims; store a check run (CLI check, POST /v1/check, /v1/runs)
  kPollJob,         // the state of a submitted batch
  kReadRuns,        // list runs and their counts (no claim contents)
  kReadFindings,    // findings, holds, rejects of a check run (coder: their own claims)
  kReadScores,      // accuracy scores and their rows (coder: their own)
  kReadSamples,     // stored samples, replay
  kScore,           // save an auditor's re-coding as a score run
  kRebuttal,        // import rebuttals and final decisions as a new score run
  kDrawSample,      // draw and store a sample
  kSubstituteSpare, // change a sample's membership (assignment of a spare)
  kExportReport,    // write a workbook (findings, accuracy, extrapolation)
  kReloadRules,     // load a rule set into the running server
  kManageUsers,     // user add | role | passwd | disable | list
  kManageTokens,    // token create | list | revoke
  kReadTrail,       // trail show | verify | export
};
inline constexpr std::array kOperations = {
    Operation::kInfo,         Operation::kCheckClaims,  Operation::kPollJob,
    Operation::kReadRuns,     Operation::kReadFindings, Operation::kReadScores,
    Operation::kReadSamples,  Operation::kScore,        Operation::kRebuttal,
    Operation::kDrawSample,   Operation::kSubstituteSpare, Operation::kExportReport,
    Operation::kReloadRules,  Operation::kManageUsers,  Operation::kManageTokens,
    Operation::kReadTrail};

std::string_view ToString(Role r);   // "auditor" | "coder" | ...
std::optional<Role> ParseRole(std::string_view s);
std::string_view ToString(TokenScope s);   // "check" | "read" | "admin" (the stored value)
std::optional<TokenScope> ParseScope(std::string_view s);   // also "all" for "admin"
std::string_view ToString(Operation op);    // "check-claims" ...

// The matrix (access.cpp).
bool Allowed(Role role, Operation op);
bool ScopeAllows(TokenScope scope, Operation op);
// Whether the role sees patient identifiers (patient ids, birth dates, rejected records
// as read, fired values naming the patient); masked for the others.
bool SeesPatientIdentifiers(Role role);

// Who asks: a user (through a token or a password), or the local operator of the CLI, who
// holds the store file and so acts as admin; `name` is what the trail records.
struct Actor {
  std::string name;                  // "alice", "token:3:alice", "cli:root"
  Role role = Role::kAdmin;
  std::string coder_id;              // role coder: the coder id whose rows they see
  TokenScope scope = TokenScope::kAll;
  int64_t user_id = 0, token_id = 0;

  static Actor Local();              // "cli:<os user>", admin
  bool Can(Operation op) const { return Allowed(role, op) && ScopeAllows(scope, op); }
  bool OwnRowsOnly() const { return role == Role::kCoder; }
  bool MasksPatients() const { return !SeesPatientIdentifiers(role); }
};

// The operation is not allowed to this actor: exit code 7, HTTP 403.
class ForbiddenError : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 7; }
};

// Throws ForbiddenError naming the role and the operation.
void Authorize(const Actor& actor, Operation op);

// What a masked value reads as.
inline constexpr std::string_view kMasked = "(masked)";

}  // namespace coderaudit::service
