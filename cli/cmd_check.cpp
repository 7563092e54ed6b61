#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine/analyze.hpp"
#include "io.hpp"

namespace proviso::cli {

namespace {

struct CheckOptions {
  std::string path;  // empty: the built-in rule set
  std::string format = "text";  // text | json | gnu
  bool analyze = true;
};

const char* severity_name(Severity s) {
  return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "note";
}

int run_check(const CheckOptions& options) {
  auto loaded = load_rules(options.path);
  // The checker's diagnostics, then the analyzer's findings (only on a rule set without errors).
  std::vector<Finding> all;
  for (const auto& d : loaded.diagnostics) all.push_back({d, std::nullopt});
  if (loaded.policy && options.analyze)
    for (auto& f : analyze(*loaded.policy)) all.push_back(std::move(f));
  std::stable_sort(all.begin(), all.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.diagnostic.source, a.diagnostic.span.begin, a.diagnostic.code) <
           std::tie(b.diagnostic.source, b.diagnostic.span.begin, b.diagnostic.code);
  });
  std::size_t errors = 0, warnings = 0, notes = 0;
  for (const auto& f : all) {
    errors += f.diagnostic.severity == Severity::error;
    warnings += f.diagnostic.severity == Severity::warning;
    notes += f.diagnostic.severity == Severity::note;
  }
  const auto& sources = loaded.policy ? loaded.policy->sources : loaded.sources;
  auto where = [&](const Diagnostic& d) -> std::optional<std::pair<std::string, LineCol>> {
    if (!sources.contains(d.source)) return std::nullopt;
    const auto& source = sources.get(d.source);
    return std::pair{source.path, line_col(source.text, d.span.begin)};
  };
  if (options.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : all) {
      const auto& d = f.diagnostic;
      nlohmann::json entry{{"code", d.code}, {"severity", severity_name(d.severity)}, {"message", d.message}, {"help", d.help}};
      if (auto w = where(d)) {
        entry["file"] = w->first;
        entry["line"] = w->second.line;
        entry["column"] = w->second.column;
      } else {
        entry["location"] = d.location;
      }
      if (f.witness) entry["witness"] = *f.witness;
      out.push_back(entry);
    }
    std::cout << nlohmann::json{{"errors", errors}, {"warnings", warnings}, {"notes", notes}, {"diagnostics", out}}.dump(2) << "\n";
  } else if (options.format == "gnu") {
    // One line each, as GNU tools print them, for editors: FILE:LINE:COL: SEVERITY: MESSAGE [CODE]
    for (const auto& f : all) {
      const auto& d = f.diagnostic;
      auto w = where(d);
      std::cout << (w ? w->first + ":" + std::to_string(w->second.line) + ":" + std::to_string(w->second.column) : d.location)
                << ": " << severity_name(d.severity) << ": " << d.message << " [" << d.code << "]";
      if (f.witness) std::cout << " witness: " << f.witness->dump();
      std::cout << "\n";
    }
  } else {
    for (const auto& f : all) {
      std::cerr << render(f.diagnostic, sources);
      if (f.witness) std::cerr << "   = witness: " << f.witness->dump() << "\n";
    }
    if (loaded.policy) {
      const auto& p = *loaded.policy;
      std::cout << "ok: " << p.name << (p.version.empty() ? "" : " " + p.version) << ": " << p.rules.size() << " rules, "
                << p.definitions.size() << " definitions, " << p.interpretations.size() << " interpretations, "
                << p.facts.size() << " facts; " << errors << " errors, " << warnings << " warnings"
                << (notes ? ", " + std::to_string(notes) + " notes" : "") << "\n";
    }
  }
  return errors ? findings : ok;
}

}  // namespace

Command add_check(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "parse, check and analyze a rule set; report every problem");
  cmd->add_option("path", options->path, "rule set folder or .proviso file (default: the built-in rules)");
  cmd->add_option("--format", options->format, "output format (gnu: one line per finding, for editors)")
      ->check(CLI::IsMember({"text", "json", "gnu"}));
  cmd->add_flag("!--no-analyze", options->analyze, "only parse and check; skip the analyzer (A3xx findings)");
  return {cmd, [options] { return run_check(*options); }};
}

}  // namespace proviso::cli
