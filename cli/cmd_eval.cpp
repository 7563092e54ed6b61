#include <iostream>

#include "commands.hpp"
#include "engine/explain.hpp"
#include "io.hpp"

namespace proviso::cli {

namespace {

struct EvalOptions {
  std::string rules;     // empty: the built-in rule set
  std::string request;   // a path, or "-" for stdin
  std::string format = "text";  // text | json
  std::string explain = "compact";  // compact | full
  std::string input_format = "auto";  // auto | json | yaml
  bool no_counterfactuals = false;    // with --explain full: leave out the search ("what would have to change")
};

int run_eval(const EvalOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  const auto& policy = *loaded.policy;
  auto text = read_input(options.request);
  if (!text) {
    std::cerr << "error: cannot read request `" << options.request << "`\n   = help: give a JSON or YAML file, or - for standard input\n";
    return usage;
  }
  auto format = options.input_format == "json" ? RequestFormat::json
                : options.input_format == "yaml" ? RequestFormat::yaml
                                                 : RequestFormat::automatic;
  if (format == RequestFormat::automatic && (options.request.ends_with(".yaml") || options.request.ends_with(".yml")))
    format = RequestFormat::yaml;
  auto bound = parse_request(policy, *text, options.request == "-" ? "<stdin>" : options.request, format);
  if (!bound.facts) {
    print_diagnostics(bound.diagnostics, loaded.sources);
    return request_invalid;
  }
  auto decision = decide(policy, *bound.facts);
  if (has_errors(decision.diagnostics)) {  // stopped at a limit (E509): there is no decision to print
    print_diagnostics(decision.diagnostics, loaded.sources);
    return request_invalid;
  }
  if (options.format == "json") {
    JsonOptions json_options;
    json_options.full = options.explain == "full";
    json_options.counterfactuals = !options.no_counterfactuals;
    std::cout << decision_to_json(policy, *bound.facts, decision, json_options).dump(2) << "\n";
  } else {
    std::cout << decision_to_text(policy, *bound.facts, decision);
  }
  return ok;
}

}  // namespace

Command add_eval(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "decide a request (JSON or YAML) against a rule set");
  cmd->add_option("request", options->request, "the request file, or - for standard input")->required();
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--format", options->format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--explain", options->explain, "compact, or full with every rule and condition considered")
      ->check(CLI::IsMember({"compact", "full"}));
  cmd->add_option("--input-format", options->input_format, "request format")->check(CLI::IsMember({"auto", "json", "yaml"}));
  auto* no_counterfactuals = cmd->add_flag("--no-counterfactuals", options->no_counterfactuals,
                                           "with --format json --explain full: leave out \"counterfactuals\" and the search for them");
  cmd->callback([no_counterfactuals, options] {
    if (no_counterfactuals->count() > 0 && (options->format != "json" || options->explain != "full"))
      throw CLI::ValidationError("--no-counterfactuals", "only --format json --explain full has counterfactuals: add both, or drop the flag");
  });
  return {cmd, [options] { return run_eval(*options); }};
}

}  // namespace proviso::cli
