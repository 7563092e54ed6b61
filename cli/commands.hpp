// The proviso command's subcommands. Each returns its exit code; only the CLI prints.
#pragma once
#include <string>
#include <vector>

namespace proviso::cli {

// Exit codes are API (docs/cli.md): distinct, documented, tested.
enum Exit : int {
  ok = 0,             // success; for eval, a decision was made (whatever the outcome)
  findings = 1,       // check found errors; test had failing scenarios
  usage = 2,          // bad flags or arguments, unreadable file
  rules_invalid = 3,  // the rule set has errors, so nothing was decided
  request_invalid = 4,  // the request is malformed or does not fit the vocabulary
  internal = 70,      // a bug in Proviso: please report it
};

struct EvalOptions {
  std::string rules;     // empty: the built-in rule set
  std::string request;   // a path, or "-" for stdin
  std::string format = "text";  // text | json
  std::string explain = "compact";  // compact | full
  std::string input_format = "auto";  // auto | json | yaml
};
int run_eval(const EvalOptions& options);

struct CheckOptions {
  std::string path;  // empty: the built-in rule set
  std::string format = "text";  // text | json
};
int run_check(const CheckOptions& options);

struct TestOptions {
  std::vector<std::string> paths;  // rule set folders or scenario files
  std::string rules;               // rule set to test against; default: the folder holding proviso.yaml
  std::string run;                 // only scenarios whose name contains this
  bool verbose = false;
  std::string format = "text";
};
int run_test(const TestOptions& options);

}  // namespace proviso::cli
