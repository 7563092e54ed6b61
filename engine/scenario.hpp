// Scenario tests: YAML files of requests with expected decisions, run
// against a policy. The runner behind `proviso test`.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "eval.hpp"

namespace proviso {

struct Scenario {
  std::string file;   // where it was read from
  std::string suite;
  std::string name;
  nlohmann::json request;  // base, request, set and unset already applied; interpretations included
  nlohmann::json expect;
};

struct ScenarioLoad {
  std::vector<Scenario> scenarios;
  Diagnostics diagnostics;
};

// Reads every scenario file (*.yaml, *.yml with a `scenarios:` list) under `path`.
ScenarioLoad load_scenarios(const std::filesystem::path& path);

// One expectation that did not hold: what was expected and what the decision gave.
struct ScenarioFailure {
  std::string check;     // the `expect` key: outcome, authorities, failing, ...
  std::string expected;
  std::string got;
  std::string note;      // context, e.g. the decision's one-sentence summary; may be empty
};

struct ScenarioResult {
  const Scenario* scenario = nullptr;
  bool passed = false;
  std::vector<ScenarioFailure> failures;
  std::optional<Decision> decision;
  std::optional<Facts> facts;
};

ScenarioResult run_scenario(const Policy& policy, const Scenario& scenario);

// "outcome\n  expected: denied\n  got:      permitted\n  why: ...", each line after the first indented by `indent`.
std::string render_failure(const ScenarioFailure& failure, std::string_view indent = "  ");

}  // namespace proviso
