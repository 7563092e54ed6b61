#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "io.hpp"

namespace proviso::cli {

namespace {

struct CheckOptions {
  std::string path;  // empty: the built-in rule set
  std::string format = "text";  // text | json
};

int run_check(const CheckOptions& options) {
  auto loaded = load_rules(options.path);
  const auto errors = count(loaded.diagnostics, Severity::error);
  const auto warnings = count(loaded.diagnostics, Severity::warning);
  if (options.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : loaded.diagnostics) {
      nlohmann::json entry{{"code", d.code},
                           {"severity", d.severity == Severity::error ? "error" : d.severity == Severity::warning ? "warning" : "note"},
                           {"message", d.message},
                           {"help", d.help}};
      if (loaded.sources.contains(d.source)) {
        const auto& source = loaded.sources.get(d.source);
        auto lc = line_col(source.text, d.span.begin);
        entry["file"] = source.path;
        entry["line"] = lc.line;
        entry["column"] = lc.column;
      } else {
        entry["location"] = d.location;
      }
      out.push_back(entry);
    }
    std::cout << nlohmann::json{{"errors", errors}, {"warnings", warnings}, {"diagnostics", out}}.dump(2) << "\n";
  } else {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    if (loaded.policy) {
      const auto& p = *loaded.policy;
      std::cout << "ok: " << p.name << (p.version.empty() ? "" : " " + p.version) << ": " << p.rules.size() << " rules, "
                << p.definitions.size() << " definitions, " << p.interpretations.size() << " interpretations, "
                << p.facts.size() << " facts; " << errors << " errors, " << warnings << " warnings\n";
    }
  }
  return errors ? findings : ok;
}

}  // namespace

Command add_check(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "parse and check a rule set; report every problem");
  cmd->add_option("path", options->path, "rule set folder or .proviso file (default: the built-in rules)");
  cmd->add_option("--format", options->format, "output format")->check(CLI::IsMember({"text", "json"}));
  return {cmd, [options] { return run_check(*options); }};
}

}  // namespace proviso::cli
