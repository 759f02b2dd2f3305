#pragma once
// The project's exception hierarchy: channel 3 of the error model (the system failed,
// or input is so wrong the run cannot start). Caught only in the CLI main.
// Bad records are never exceptions: they are Rejects (see reject.hpp).
#include <stdexcept>
#include <string>

namespace coderaudit {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // Process exit code the CLI uses for this error.
  virtual int ExitCode() const { return 4; }
};

// The command line asks for something that cannot be meant (an unknown option, the same
// input file twice): exit 2. The CLI's own usage errors are this type.
class UsageError : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 2; }
};

// The user asked for something impossible: missing file, invalid rule set, unknown run.
class InputError : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 3; }
};

// The system failed: database, disk, a library call.
class SystemError : public Error {
 public:
  using Error::Error;
  int ExitCode() const override { return 4; }
};

}  // namespace coderaudit
