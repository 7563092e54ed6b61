// Explanations: turn a Decision into words. The data (nearest exceptions,
// failing conditions, the facts they read) is computed here once and rendered
// as JSON for integrators and as a plain-text memo for people.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "eval.hpp"

namespace proviso {

// One condition as an explanation shows it.
struct ConditionView {
  std::int32_t index = -1;
  std::string text;  // the phrase, or the definition's phrase, or the source text in backticks
  Citation cite;
  Tri value = Tri::unknown;
};

// A permit that did not decide a denial, and why.
struct NearMiss {
  std::int32_t rule = -1;
  std::vector<ConditionView> failing;   // top-level conditions that are false
  std::vector<ConditionView> unknown;   // top-level conditions that are unknown
  std::vector<std::int32_t> defeated_by;  // limits in force against it (when it applied)
};

std::string condition_text(const Policy& policy, std::int32_t condition);
ConditionView view_condition(const Policy& policy, const Decision& decision, std::int32_t condition);

// Exceptions to the rules that forbid, closest first: defeated ones, then by fewest failing conditions.
std::vector<NearMiss> nearest_exceptions(const Policy& policy, const Decision& decision, std::size_t limit = 5);

// One sentence: the outcome, the provision that decides it, and the nearest miss.
std::string summary(const Policy& policy, const Decision& decision);

struct JsonOptions {
  bool full = false;  // add "considered": every rule with each condition's value and the facts it read
};
nlohmann::json decision_to_json(const Policy& policy, const Facts& facts, const Decision& decision,
                                 const JsonOptions& options = {});

std::string decision_to_text(const Policy& policy, const Facts& facts, const Decision& decision);

}  // namespace proviso
