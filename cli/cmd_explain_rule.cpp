#include <iostream>

#include "commands.hpp"
#include "engine/explain_rule.hpp"
#include "io.hpp"

namespace proviso::cli {
namespace {

struct ExplainRuleOptions {
  std::string id;
  std::string rules;  // empty: the built-in rule set
};

int run_explain_rule(const ExplainRuleOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  const auto& policy = *loaded.policy;
  const auto* rule = policy.find_rule(options.id);
  if (!rule) {
    std::vector<std::string> ids;
    for (const auto& r : policy.rules) ids.push_back(r.id);
    auto near = closest_name(options.id, ids);
    std::cerr << "error: no rule `" << options.id << "` in " << policy.name << "\n   = help: "
              << (near.empty() ? "`proviso check` lists the rule set" : "did you mean `" + near + "`?") << "\n";
    return usage;
  }
  std::cout << explain_rule(policy, policy.rule_index.at(options.id));
  return ok;
}

}  // namespace

Command add_explain_rule(CLI::App& app) {
  auto options = std::make_shared<ExplainRuleOptions>();
  auto* cmd = app.add_subcommand("explain-rule", "print a rule in plain English: what it does, when, what defeats it");
  cmd->add_option("id", options->id, "the rule id, e.g. i2_written_request")->required();
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  return {cmd, [options] { return run_explain_rule(*options); }};
}

}  // namespace proviso::cli
