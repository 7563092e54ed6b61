// The proviso command's subcommands. Each file adds one subcommand to the app
// and returns how to run it; only the CLI prints.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>

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

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// One per subcommand, each in cli/cmd_NAME.cpp.
Command add_eval(CLI::App& app);
Command add_check(CLI::App& app);
Command add_test(CLI::App& app);
Command add_fmt(CLI::App& app);
Command add_explain_rule(CLI::App& app);
Command add_lsp(CLI::App& app);
Command add_version(CLI::App& app);
Command add_serve(CLI::App& app);
Command add_batch(CLI::App& app);
Command add_verify_receipt(CLI::App& app);
Command add_export(CLI::App& app);
Command add_explain(CLI::App& app);
Command add_interview(CLI::App& app);
Command add_handbook(CLI::App& app);
Command add_quiz(CLI::App& app);

}  // namespace proviso::cli
