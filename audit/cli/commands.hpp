#pragma once
// The command table of the `coderaudit` CLI: every subcommand's name, help, options and
// handler. Main finds the command, prints its help, parses its options with the one parser
// (Args), runs it, and turns every error into an exit code in one place. Handlers only
// parse options, call the service layer (audit/service) and print.
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "audit/cli/args.hpp"
#include "audit/model/hold.hpp"

namespace coderaudit::cli {

// Exit codes: 0 ok; 1 findings / failed checks where that is the point; 2 usage;
// 3 input error (bad rule set, unreadable file, unknown run); 4 system failure;
// 7 forbidden (the acting user's role may not do it; service/access.hpp);
// check only: 5 some records or encounters rejected or some claims not checked, and no
// findings; 6 findings, and some rejected or not checked. A check that did not judge
// everything it read never exits 0 or 1.
enum ExitCode : int {
  kOk = 0, kFindings = 1, kUsage = 2, kInputError = 3, kSystemError = 4,
  kIncomplete = 5, kFindingsIncomplete = 6, kForbidden = 7
};

// The exit code of a check run's counts.
int CheckExitCode(int64_t findings, int64_t records_rejected, int64_t encounters_rejected,
                  int64_t claims_not_checked);

struct Command {
  std::vector<std::string> name;  // the words that name it: {"sample", "numbers"}
  const char* help;               // printed for --help; its first line is the usage line
  std::set<std::string> valued;   // options that take a value
  std::set<std::string> flags;    // boolean options
  int (*run)(const Args& args, std::ostream& out, std::ostream& err);
};

// --hold LIST (dispositions that hold a claim; default HoldPolicy::Default()) and, when
// `with_unchecked`, --release-unchecked: the hold policy of report, holds and serve.
HoldPolicy HoldOptions(const Args& args, bool with_unchecked);

// Each front-end file contributes its commands.
std::vector<Command> CoreCommands();          // commands.cpp: check, score, report, runs, rules ...
std::vector<Command> ResultCommands();        // results_commands.cpp: findings, holds
std::vector<Command> StoredSampleCommands();  // stored_sample_commands.cpp: sample draw ..., extrapolate
std::vector<Command> SamplingCommands();      // sampling_commands.cpp: sample numbers, appraise, sample-size
std::vector<Command> RefdataCommands();       // refdata_commands.cpp: refdata import|list|lookup
std::vector<Command> GenerateCommands();      // generate_command.cpp: generate
std::vector<Command> ServerCommands();        // server_commands.cpp: serve, token create|list|revoke
std::vector<Command> UserTrailCommands();     // user_trail_commands.cpp: user ..., trail show|verify|export

// The whole CLI after the program name; in-process so tests can drive it.
int Main(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
