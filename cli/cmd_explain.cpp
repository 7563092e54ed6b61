#include <iostream>

#include "commands.hpp"
#include "engine/why_not.hpp"
#include "io.hpp"
#include "request_file.hpp"

namespace proviso::cli {

std::optional<Facts> read_request(const Policy& policy, const SourceMap& sources, const std::string& path, int& exit_code) {
  auto text = read_input(path);
  if (!text) {
    std::cerr << "error: cannot read request `" << path << "`\n   = help: give a JSON or YAML file, or - for standard input\n";
    exit_code = usage;
    return std::nullopt;
  }
  auto format = path.ends_with(".yaml") || path.ends_with(".yml") ? RequestFormat::yaml : RequestFormat::automatic;
  auto bound = parse_request(policy, *text, path == "-" ? "<stdin>" : path, format);
  if (!bound.facts) {
    print_diagnostics(bound.diagnostics, sources);
    exit_code = request_invalid;
  }
  return std::move(bound.facts);
}

namespace {

struct ExplainCliOptions {
  std::string rules;
  std::string request;
  std::string style = "memo";  // memo | plain | json
  std::string why_not;         // a rule id or a citation fragment
  bool no_counterfactuals = false;  // leave out "what would have to change" and the search for it
};

int run_explain(const ExplainCliOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  const auto& policy = *loaded.policy;
  int code = ok;
  auto facts = read_request(policy, loaded.sources, options.request, code);
  if (!facts) return code;
  auto decision = decide(policy, *facts);
  if (has_errors(decision.diagnostics)) {  // stopped at a limit (E509): nothing to explain
    print_diagnostics(decision.diagnostics, loaded.sources);
    return request_invalid;
  }

  if (!options.why_not.empty()) {
    auto rules = find_rules(policy, options.why_not);
    if (rules.empty()) {
      std::cerr << "error: no provision matches `" << options.why_not
                << "`\n   = help: give a rule id (i2_written_request) or a citation such as 6103(i)(2)\n";
      return usage;
    }
    if (options.style == "json") {
      nlohmann::json out{{"schema", "proviso.why-not/v1"}, {"decision", outcome_name(decision.outcome)}, {"provisions", nlohmann::json::array()}};
      for (auto r : rules) out["provisions"].push_back(why_not_to_json(policy, why_not(policy, *facts, decision, r)));
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "Decision: " << outcome_name(decision.outcome) << "\n";
      for (auto r : rules) std::cout << "\n" << why_not_to_text(policy, why_not(policy, *facts, decision, r), options.style == "plain");
    }
    return ok;
  }
  ExplainOptions explain_options;
  explain_options.counterfactuals = !options.no_counterfactuals;
  auto explanation = explain(policy, *facts, decision, explain_options);
  if (options.style == "json") {
    auto json = explanation_to_json(policy, explanation);
    // Not searched is not "none found": the key goes, as eval's and the service's do.
    if (options.no_counterfactuals) json.erase("counterfactuals");
    std::cout << json.dump(2) << "\n";
  }
  else if (options.style == "plain") std::cout << explanation_to_plain(policy, explanation);
  else std::cout << explanation_to_memo(policy, explanation);
  return ok;
}

}  // namespace

Command add_explain(CLI::App& app) {
  auto options = std::make_shared<ExplainCliOptions>();
  auto* cmd = app.add_subcommand("explain", "explain a decision: why, why not, and what would have to change");
  cmd->add_option("request", options->request, "the request file (JSON or YAML), or - for standard input")->required();
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--style", options->style, "memo (citations, for lawyers), plain (for trainees) or json")
      ->check(CLI::IsMember({"memo", "plain", "json"}));
  auto* why_not = cmd->add_option("--why-not", options->why_not, "a provision (rule id or citation such as 6103(i)(1)): its unmet conditions and limits");
  cmd->add_flag("--no-counterfactuals", options->no_counterfactuals,
                "leave out \"what would have to change\" and the search for it (most of the time)")
      ->excludes(why_not);
  return {cmd, [options] { return run_explain(*options); }};
}

}  // namespace proviso::cli
