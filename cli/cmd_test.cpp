#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"
#include "engine/scenario.hpp"
#include "engine/scenario_coverage.hpp"
#include "io.hpp"

namespace proviso::cli {
namespace {

using nlohmann::json;

// The rule set a scenario path belongs to: the nearest folder holding proviso.yaml.
std::string rules_for(const std::filesystem::path& path) {
  std::error_code ec;
  auto folder = std::filesystem::is_directory(path, ec) ? path : path.parent_path();
  for (auto p = std::filesystem::absolute(folder, ec); !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p / "proviso.yaml", ec)) {
      // Shown relative to the working directory when inside it, so reports read `rules/...:12:5`.
      auto relative = std::filesystem::relative(p, std::filesystem::current_path(ec), ec);
      return !ec && !relative.empty() && *relative.begin() != ".." ? relative.string() : p.string();
    }
    if (p == p.parent_path()) break;
  }
  return {};
}

struct TestOptions {
  std::vector<std::string> paths;  // rule set folders or scenario files
  std::string rules;               // rule set to test against; default: the folder holding proviso.yaml
  std::string run;                 // only scenarios whose name or suite contains this
  std::string format = "text";     // text | json
  std::string junit;               // write a JUnit XML report here
  bool coverage = false;
  bool verbose = false;
};

// One rule set under test, loaded once however many paths use it.
struct RuleSetRun {
  LoadResult loaded;
  std::unique_ptr<Coverage> coverage;
};

// A problem with a scenario file itself (E601, unreadable YAML): reported as a failure.
struct FileProblem {
  std::string location, message;
};

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab and newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

bool write_junit(const std::string& path, const std::vector<ScenarioResult>& results, const std::vector<FileProblem>& problems) {
  // Suites in order of first appearance, each with its results.
  std::vector<std::string> suites;
  std::map<std::string, std::vector<const ScenarioResult*>> by_suite;
  for (const auto& r : results) {
    auto& list = by_suite[r.scenario->suite];
    if (list.empty()) suites.push_back(r.scenario->suite);
    list.push_back(&r);
  }
  std::size_t failures = problems.size();
  for (const auto& r : results) failures += !r.passed;
  std::ofstream out(path, std::ios::binary);
  if (!out) return false;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"proviso test\" tests=\""
      << results.size() + problems.size() << "\" failures=\"" << failures << "\">\n";
  for (const auto& suite : suites) {
    const auto& list = by_suite[suite];
    std::size_t failed = 0;
    for (const auto* r : list) failed += !r->passed;
    out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << list.size() << "\" failures=\"" << failed << "\">\n";
    for (const auto* r : list) {
      out << "    <testcase classname=\"" << xml_escape(suite) << "\" name=\"" << xml_escape(r->scenario->name)
          << "\" file=\"" << xml_escape(r->scenario->file) << "\"";
      if (r->passed) {
        out << "/>\n";
        continue;
      }
      const auto& first = r->failures.front();
      out << ">\n      <failure message=\"" << xml_escape(first.check + ": expected " + first.expected + ", got " + first.got)
          << "\" type=\"" << xml_escape(first.check) << "\">";
      for (const auto& f : r->failures) out << xml_escape(render_failure(f));
      out << "</failure>\n    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  if (!problems.empty()) {
    out << "  <testsuite name=\"scenario files\" tests=\"" << problems.size() << "\" failures=\"" << problems.size() << "\">\n";
    for (const auto& p : problems)
      out << "    <testcase classname=\"scenario files\" name=\"" << xml_escape(p.location) << "\">\n      <failure message=\""
          << xml_escape(p.message) << "\"/>\n    </testcase>\n";
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return static_cast<bool>(out);
}

json result_to_json(const ScenarioResult& r) {
  json failures = json::array();
  for (const auto& f : r.failures)
    failures.push_back({{"check", f.check}, {"expected", f.expected}, {"got", f.got}, {"note", f.note}});
  json entry{{"suite", r.scenario->suite}, {"name", r.scenario->name}, {"file", r.scenario->file}, {"passed", r.passed},
             {"failures", failures}};
  if (r.decision) entry["outcome"] = outcome_name(r.decision->outcome);
  return entry;
}

int run_test(const TestOptions& options) {
  const bool text = options.format == "text";
  std::map<std::string, RuleSetRun> rule_sets;  // by rules path ("" is the built-in set)
  std::vector<std::string> rule_set_order;
  std::vector<std::unique_ptr<ScenarioLoad>> loads;  // keep scenarios alive: results point into them
  std::vector<ScenarioResult> results;
  std::vector<FileProblem> problems;
  std::size_t passed = 0, failed = 0;
  for (const auto& path : options.paths) {
    auto rules = options.rules.empty() ? rules_for(path) : options.rules;
    auto [it, inserted] = rule_sets.try_emplace(rules);
    auto& set = it->second;
    if (inserted) {
      set.loaded = load_rules(rules);
      if (!set.loaded.policy) {
        print_diagnostics(set.loaded.diagnostics, set.loaded.sources);
        return rules_invalid;
      }
      if (options.coverage) set.coverage = std::make_unique<Coverage>(*set.loaded.policy);
      rule_set_order.push_back(rules);
    }
    loads.push_back(std::make_unique<ScenarioLoad>(load_scenarios(path)));
    const auto& scenarios = *loads.back();
    if (!scenarios.diagnostics.empty()) {
      if (text) print_diagnostics(scenarios.diagnostics, set.loaded.sources);
      for (const auto& d : scenarios.diagnostics) problems.push_back({d.location, d.code + ": " + d.message});
      failed += scenarios.diagnostics.size();
    }
    for (const auto& scenario : scenarios.scenarios) {
      if (!options.run.empty() && scenario.name.find(options.run) == std::string::npos &&
          scenario.suite.find(options.run) == std::string::npos)
        continue;
      auto result = run_scenario(*set.loaded.policy, scenario);
      if (set.coverage && result.decision) set.coverage->add(*result.decision, scenario.suite + " › " + scenario.name);
      result.decision.reset();  // coverage has what it needs; a suite's decisions would hold much memory
      result.facts.reset();
      (result.passed ? passed : failed) += 1;
      if (text && result.passed && options.verbose) std::cout << "PASS  " << scenario.suite << " › " << scenario.name << "\n";
      if (text && !result.passed) {
        std::cout << "FAIL  " << scenario.suite << " › " << scenario.name << "\n      " << scenario.file << "\n";
        for (const auto& f : result.failures) std::cout << "      " << render_failure(f, "        ");
      }
      results.push_back(std::move(result));
    }
  }
  if (!options.junit.empty() && !write_junit(options.junit, results, problems)) {
    std::cerr << "error: cannot write the JUnit report `" << options.junit << "`\n";
    return usage;
  }
  if (text) {
    if (options.coverage)
      for (const auto& rules : rule_set_order) std::cout << coverage_to_text(*rule_sets[rules].coverage);
    std::cout << passed << " passed, " << failed << " failed\n";
  } else {
    json out{{"passed", passed}, {"failed", failed}, {"scenarios", json::array()}, {"problems", json::array()}};
    for (const auto& r : results) out["scenarios"].push_back(result_to_json(r));
    for (const auto& p : problems) out["problems"].push_back({{"location", p.location}, {"message", p.message}});
    if (options.coverage) {
      // "coverage" is the first rule set's; with several, each is also listed by name.
      out["coverage"] = coverage_to_json(*rule_sets[rule_set_order.front()].coverage);
      out["coverage"]["rule_set"] = rule_sets[rule_set_order.front()].loaded.policy->name;
      if (rule_set_order.size() > 1) {
        out["coverage_by_rule_set"] = json::array();
        for (const auto& rules : rule_set_order) {
          auto entry = coverage_to_json(*rule_sets[rules].coverage);
          entry["rule_set"] = rule_sets[rules].loaded.policy->name;
          out["coverage_by_rule_set"].push_back(std::move(entry));
        }
      }
    }
    std::cout << out.dump(2) << "\n";
  }
  return failed ? findings : ok;
}

}  // namespace

Command add_test(CLI::App& app) {
  auto options = std::make_shared<TestOptions>();
  auto* cmd = app.add_subcommand("test", "run scenario tests (YAML) against their rule set");
  cmd->add_option("paths", options->paths, "rule set folders or scenario files")->required();
  cmd->add_option("--rules", options->rules, "the rule set to test (default: the folder holding proviso.yaml)");
  cmd->add_option("--run", options->run, "only scenarios whose name or suite contains this text");
  cmd->add_flag("--coverage", options->coverage, "report rule, condition and statute coverage");
  cmd->add_option("--format", options->format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--junit", options->junit, "also write a JUnit XML report to this file");
  cmd->add_flag("-v,--verbose", options->verbose, "list passing scenarios too");
  return {cmd, [options] { return run_test(*options); }};
}

}  // namespace proviso::cli
