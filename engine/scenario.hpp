// Scenario tests: YAML files of requests with expected decisions, run
// against a policy. The runner behind `proviso test`.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
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

struct ScenarioResult {
  const Scenario* scenario = nullptr;
  bool passed = false;
  std::vector<std::string> failures;  // "outcome: expected `denied`, got `permitted`"
  std::optional<Decision> decision;
  std::optional<Facts> facts;
};

ScenarioResult run_scenario(const Policy& policy, const Scenario& scenario);

}  // namespace proviso
