// The proviso command: thin flag parsing over the library.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "commands.hpp"

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0   success (eval: a decision was made, whatever its outcome)\n"
    "  1   check found errors, or test had failing scenarios\n"
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

  EvalOptions eval;
  auto* eval_cmd = app.add_subcommand("eval", "decide a request (JSON or YAML) against a rule set");
  eval_cmd->add_option("request", eval.request, "the request file, or - for standard input")->required();
  eval_cmd->add_option("--rules", eval.rules, "rule set folder or file (default: the built-in § 6103 rules)");
  eval_cmd->add_option("--format", eval.format, "output format")->check(CLI::IsMember({"text", "json"}));
  eval_cmd->add_option("--explain", eval.explain, "compact, or full with every rule and condition considered")
      ->check(CLI::IsMember({"compact", "full"}));
  eval_cmd->add_option("--input-format", eval.input_format, "request format")->check(CLI::IsMember({"auto", "json", "yaml"}));

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "parse and check a rule set; report every problem");
  check_cmd->add_option("path", check.path, "rule set folder or .proviso file (default: the built-in rules)");
  check_cmd->add_option("--format", check.format, "output format")->check(CLI::IsMember({"text", "json"}));

  TestOptions test;
  auto* test_cmd = app.add_subcommand("test", "run scenario tests (YAML) against their rule set");
  test_cmd->add_option("paths", test.paths, "rule set folders or scenario files")->required();
  test_cmd->add_option("--rules", test.rules, "the rule set to test (default: the folder holding proviso.yaml)");
  test_cmd->add_option("--run", test.run, "only scenarios whose name or suite contains this text");
  test_cmd->add_flag("-v,--verbose", test.verbose, "list passing scenarios too");

  auto* version_cmd = app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? ok : usage;
  }
  try {
    if (*eval_cmd) return run_eval(eval);
    if (*check_cmd) return run_check(check);
    if (*test_cmd) return run_test(test);
    if (*version_cmd) {
      std::cout << "proviso " << PROVISO_VERSION << "\n";
      return ok;
    }
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n   = help: this is a bug in Proviso; please report it with the input\n";
    return internal;
  }
  return usage;
}
