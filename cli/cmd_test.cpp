#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "engine/scenario.hpp"
#include "io.hpp"

namespace proviso::cli {
namespace {

// The rule set a scenario path belongs to: the nearest folder holding proviso.yaml.
std::string rules_for(const std::filesystem::path& path) {
  std::error_code ec;
  auto folder = std::filesystem::is_directory(path, ec) ? path : path.parent_path();
  for (auto p = std::filesystem::absolute(folder, ec); !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p / "proviso.yaml", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  return {};
}

struct TestOptions {
  std::vector<std::string> paths;  // rule set folders or scenario files
  std::string rules;               // rule set to test against; default: the folder holding proviso.yaml
  std::string run;                 // only scenarios whose name contains this
  bool verbose = false;
};

int run_test(const TestOptions& options) {
  std::size_t passed = 0, failed = 0;
  for (const auto& path : options.paths) {
    auto rules = options.rules.empty() ? rules_for(path) : options.rules;
    auto loaded = load_rules(rules);
    if (!loaded.policy) {
      print_diagnostics(loaded.diagnostics, loaded.sources);
      return rules_invalid;
    }
    auto scenarios = load_scenarios(path);
    if (!scenarios.diagnostics.empty()) {
      print_diagnostics(scenarios.diagnostics, loaded.sources);
      failed += scenarios.diagnostics.size();
    }
    for (const auto& scenario : scenarios.scenarios) {
      if (!options.run.empty() && scenario.name.find(options.run) == std::string::npos &&
          scenario.suite.find(options.run) == std::string::npos)
        continue;
      auto result = run_scenario(*loaded.policy, scenario);
      if (result.passed) {
        ++passed;
        if (options.verbose) std::cout << "PASS  " << scenario.suite << " › " << scenario.name << "\n";
        continue;
      }
      ++failed;
      std::cout << "FAIL  " << scenario.suite << " › " << scenario.name << "\n      " << scenario.file << "\n";
      for (const auto& f : result.failures) std::cout << "      " << f << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed ? findings : ok;
}

}  // namespace

Command add_test(CLI::App& app) {
  auto options = std::make_shared<TestOptions>();
  auto* cmd = app.add_subcommand("test", "run scenario tests (YAML) against their rule set");
  cmd->add_option("paths", options->paths, "rule set folders or scenario files")->required();
  cmd->add_option("--rules", options->rules, "the rule set to test (default: the folder holding proviso.yaml)");
  cmd->add_option("--run", options->run, "only scenarios whose name or suite contains this text");
  cmd->add_flag("-v,--verbose", options->verbose, "list passing scenarios too");
  return {cmd, [options] { return run_test(*options); }};
}

}  // namespace proviso::cli
