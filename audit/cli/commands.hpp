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

namespace coderaudit::cli {

// Exit codes: 0 ok; 1 findings / failed checks where that is the point; 2 usage;
// 3 input error (bad rule set, unreadable file, unknown run); 4 system failure.
enum ExitCode : int { kOk = 0, kFindings = 1, kUsage = 2, kInputError = 3, kSystemError = 4 };

struct Command {
  std::vector<std::string> name;  // the words that name it: {"sample", "numbers"}
  const char* help;               // printed for --help; its first line is the usage line
  std::set<std::string> valued;   // options that take a value
  std::set<std::string> flags;    // boolean options
  int (*run)(const Args& args, std::ostream& out, std::ostream& err);
};

// Each front-end file contributes its commands.
std::vector<Command> CoreCommands();          // commands.cpp: check, score, report, runs, rules ...
std::vector<Command> StoredSampleCommands();  // stored_sample_commands.cpp: sample draw ..., extrapolate
std::vector<Command> SamplingCommands();      // sampling_commands.cpp: sample numbers, appraise, sample-size
std::vector<Command> RefdataCommands();       // refdata_commands.cpp: refdata import|list|lookup
std::vector<Command> GenerateCommands();      // generate_command.cpp: generate

// The whole CLI after the program name; in-process so tests can drive it.
int Main(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace coderaudit::cli
