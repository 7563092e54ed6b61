// The proviso command: thin flag parsing over the library.
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "grammar/diagnostic.hpp"

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0   success (eval: a decision was made, whatever its outcome)\n"
    "  1   check found errors, test had failing scenarios, or a receipt did not verify\n"
    "  2   usage error: bad flags or arguments, unreadable file\n"
    "  3   the rule set has errors, so nothing was decided\n"
    "  4   the request is malformed or does not fit the rule set's vocabulary\n"
    "  70  internal error (a bug in Proviso; please report it)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace proviso::cli;
  CLI::App app{"proviso: decides whether a proposed disclosure is permitted, and explains why"};
  app.footer(kExitCodes);
  app.require_subcommand(1);

  // Each subcommand lives in its own cli/cmd_NAME.cpp.
  const Command commands[] = {
      add_eval(app),
      add_check(app),
      add_test(app),
      add_fmt(app),
      add_explain_rule(app),
      add_lsp(app),
      add_version(app),
      add_serve(app),
      add_batch(app),
      add_verify_receipt(app),
      add_export(app),
      add_explain(app),
      add_interview(app),
      add_handbook(app),
      add_quiz(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? ok : usage;
  }
  try {
    for (const auto& command : commands)
      if (command.app->parsed()) return command.run();
  } catch (const std::exception& e) {
    // The second error channel: not the user's mistake, so not a user-error code.
    std::cerr << proviso::render(proviso::internal_error(e.what()), proviso::SourceMap{});
    return internal;
  }
  return usage;
}
