#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "engine/handbook.hpp"
#include "io.hpp"

namespace proviso::cli {
namespace {

struct HandbookOptions {
  std::string rules;      // a rule set folder; empty: the built-in rules
  std::string scenarios;  // default: RULES/tests
  std::string out = "docs/handbook";
  std::string playground;  // also write the playground page here
};

int run_handbook(const HandbookOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  std::string scenario_dir = options.scenarios;
  if (scenario_dir.empty() && !options.rules.empty()) scenario_dir = (std::filesystem::path(options.rules) / "tests").string();
  std::vector<Scenario> scenarios;
  if (!scenario_dir.empty() && std::filesystem::exists(scenario_dir)) {
    auto s = load_scenarios(scenario_dir);
    print_diagnostics(s.diagnostics, loaded.sources);
    scenarios = std::move(s.scenarios);
  }
  auto files = generate_handbook(*loaded.policy, scenarios);
  std::error_code ec;
  const std::filesystem::path out(options.out);
  for (const auto& [name, content] : files) {
    auto path = out / name;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream file(path, std::ios::binary);
    if (!(file << content)) {
      std::cerr << "error: cannot write `" << path.string() << "`\n";
      return usage;
    }
  }
  if (!options.playground.empty()) {
    std::ofstream page(options.playground, std::ios::binary);
    if (!(page << playground_html(*loaded.policy, scenarios))) {
      std::cerr << "error: cannot write `" << options.playground << "`\n";
      return usage;
    }
  }
  std::cout << "wrote " << files.size() << " files to " << out.string() << " (" << scenarios.size() << " scenarios)\n";
  return ok;
}

}  // namespace

Command add_handbook(CLI::App& app) {
  auto options = std::make_shared<HandbookOptions>();
  auto* cmd = app.add_subcommand("handbook", "generate the trainers' handbook (Markdown and HTML) from a rule set");
  cmd->alias("docs");
  cmd->add_option("rules", options->rules, "rule set folder (default: the built-in rules, without scenarios)");
  cmd->add_option("--scenarios", options->scenarios, "scenario folder (default: RULES/tests)");
  cmd->add_option("-o,--out", options->out, "output folder (default: docs/handbook)");
  cmd->add_option("--playground", options->playground, "also write the playground page (server/playground/index.html)");
  return {cmd, [options] { return run_handbook(*options); }};
}

}  // namespace proviso::cli
