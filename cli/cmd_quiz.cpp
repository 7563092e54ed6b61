#include <filesystem>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "engine/explain.hpp"
#include "engine/quiz.hpp"
#include "io.hpp"

namespace proviso::cli {
namespace {

struct QuizCliOptions {
  std::string rules;
  std::string scenarios;  // default: RULES/tests, or rules/us/irc-6103/tests
  std::uint64_t seed = 1;
  std::size_t count = 10;
};

bool read_line(std::string& line) { return static_cast<bool>(std::getline(std::cin, line)); }

int run_quiz(const QuizCliOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  const auto& policy = *loaded.policy;
  auto dir = options.scenarios;
  if (dir.empty()) dir = options.rules.empty() ? "rules/us/irc-6103/tests" : (std::filesystem::path(options.rules) / "tests").string();
  if (!std::filesystem::exists(dir)) {
    std::cerr << "error: no scenarios at `" << dir << "`\n   = help: give --scenarios DIR\n";
    return usage;
  }
  auto loaded_scenarios = load_scenarios(dir);
  QuizOptions quiz_options;
  quiz_options.seed = options.seed;
  quiz_options.count = options.count;
  auto items = make_quiz(policy, loaded_scenarios.scenarios, quiz_options);
  std::map<std::string, std::pair<int, int>> score;  // subsection → (right, asked)
  int right = 0, asked = 0;
  std::string line;
  for (std::size_t n = 0; n < items.size(); ++n) {
    const auto& item = items[n];
    auto bound = bind_request(policy, item.request, item.source);
    if (!bound.facts) continue;
    std::cout << "\nCase " << n + 1 << " of " << items.size() << "\n";
    for (const auto& l : fact_lines(policy, *bound.facts)) std::cout << "  - " << l << "\n";
    std::cout << "Is the disclosure permitted or denied? (p/d)\n> " << std::flush;
    if (!read_line(line)) break;
    bool said_permitted = !line.empty() && (line[0] == 'p' || line[0] == 'P');
    bool outcome_right = said_permitted == (item.outcome == Outcome::permitted);
    std::cout << "Under which provision? (a citation such as 6103(i)(2), or 6103(a) for the general rule)\n> " << std::flush;
    if (!read_line(line)) break;
    bool authority_right = authority_correct(policy, item, line);
    auto& s = score[item.subsection];
    ++s.second;
    ++asked;
    if (outcome_right && authority_right) {
      ++s.first;
      ++right;
    }
    std::cout << (outcome_right ? "✓ " : "✗ ") << "The answer: " << outcome_name(item.outcome) << "; "
              << (authority_right ? "✓ " : "✗ ") << "decided by";
    for (auto a : item.authorities) std::cout << " " << rule_cite(policy, a);
    std::cout << "\n(" << item.source << ")\n";
    auto decision = decide(policy, *bound.facts);
    ExplainOptions explain_options;
    explain_options.counterfactuals = false;
    explain_options.max_exceptions = 1;
    std::cout << explanation_to_plain(policy, explain(policy, *bound.facts, decision, explain_options));
  }
  std::cout << "\nScore: " << right << " of " << asked << " (outcome and provision both right)\n";
  for (const auto& [subsection, s] : score) std::cout << "  " << (subsection.empty() ? "(other)" : subsection) << ": " << s.first << " of " << s.second << "\n";
  return ok;
}

}  // namespace

Command add_quiz(CLI::App& app) {
  auto options = std::make_shared<QuizCliOptions>();
  auto* cmd = app.add_subcommand("quiz", "a quiz from the scenarios and engine-made near misses; answers from stdin");
  cmd->add_option("--rules", options->rules, "rule set folder (default: the built-in rules)");
  cmd->add_option("--scenarios", options->scenarios, "scenario folder (default: RULES/tests, or rules/us/irc-6103/tests)");
  cmd->add_option("--seed", options->seed, "seed for a reproducible session (default 1)");
  cmd->add_option("--count", options->count, "number of cases (default 10)");
  return {cmd, [options] { return run_quiz(*options); }};
}

}  // namespace proviso::cli
