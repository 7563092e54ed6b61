// The analyzer behind `proviso check`: finds rules that can never apply,
// exceptions that can never defeat what they name, shadowed rules, potential
// permit/forbid conflicts and conditions without plain-English text, each
// with a witness request where one exists. Codes A301-A305 (docs/lint/).
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "grammar/diagnostic.hpp"
#include "policy.hpp"

namespace proviso {

struct Finding {
  Diagnostic diagnostic;
  std::optional<nlohmann::json> witness;  // a request that shows the problem when evaluated
};

struct AnalyzeOptions {
  // Search nodes per question; past it the question is left open (never reported:
  // the analyzer reports only what it proves or demonstrates).
  std::size_t budget = 20000;
  // Search nodes for the whole analysis. The questions grow with the square of
  // the rules (every permit against every forbid); past this the analyzer stops,
  // says so in a note (A300), and reports only what it proved before.
  std::size_t total_budget = 20'000'000;
  // Set facts over enums of at most this many values are searched exhaustively;
  // larger ones are tried at a few values and otherwise left unknown.
  unsigned exhaustive_set_values = 6;
};

// Sound over the declared domains: bool, enum and small set facts and the
// interpretations are searched; integer, decimal, date and string facts are
// treated as unknown (any value), so "never" is reported only when proven.
std::vector<Finding> analyze(const Policy& policy, const AnalyzeOptions& options = {});

}  // namespace proviso
