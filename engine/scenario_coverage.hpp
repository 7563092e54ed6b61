// Scenario coverage: which rules the scenarios exercised applying and not
// applying, which conditions they saw true and false, and which provisions of
// the statute their rules encode. Behind `proviso test --coverage`.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "eval.hpp"

namespace proviso {

struct RuleCoverage {
  std::vector<std::size_t> applied;      // scenarios (indexes into Coverage::scenarios) where it applied
  std::vector<std::size_t> not_applied;  // ... where its condition was false
  std::vector<std::size_t> decided;      // ... where it was among the authorities
  bool always_applies = false;           // no `when`: there is no false branch to exercise
  bool covered() const { return !applied.empty() && (always_applies || !not_applied.empty()); }
};

struct ConditionCoverage {
  std::size_t seen_true = 0, seen_false = 0;
  std::string owner;  // "rule i2_written_request" or "definition within_6103"
  bool covered() const { return seen_true && seen_false; }
};

// One cited provision and the rules that encode it.
struct ProvisionCoverage {
  std::string citation;
  std::vector<std::int32_t> rules;  // in source order
};

class Coverage {
 public:
  explicit Coverage(const Policy& policy);

  // Records one evaluated scenario, named for reports.
  void add(const Decision& decision, std::string scenario_name);

  const Policy& policy() const { return policy_; }
  const std::vector<RuleCoverage>& rules() const { return rules_; }
  const std::vector<ConditionCoverage>& conditions() const { return conditions_; }
  const std::vector<std::string>& scenarios() const { return scenarios_; }
  std::vector<ProvisionCoverage> provisions() const;

  std::size_t rules_covered() const;
  std::size_t conditions_covered() const;

 private:
  const Policy& policy_;
  std::vector<RuleCoverage> rules_;
  std::vector<ConditionCoverage> conditions_;
  std::vector<std::string> scenarios_;
};

// "path:line:col" of a position in the policy's sources.
std::string source_location(const Policy& policy, SourceId source, Span span);

// The report: totals and percentages, what is not covered by file:line, and the statute.
std::string coverage_to_text(const Coverage& coverage);
// {"rules": {"covered", "total", "percent", "uncovered": [...]}, "conditions": {"covered_both_ways",
// "total", "percent", "uncovered": [...]}, "statute": [...]}
nlohmann::json coverage_to_json(const Coverage& coverage);

}  // namespace proviso
