// Counterfactuals: the smallest sets of fact changes that flip a decision,
// found by a bounded search over the declared domains (for numbers, dates and
// strings: the values around the rules' constants) and re-checked by
// evaluating the changed request. Never written by hand.
#pragma once
#include <nlohmann/json.hpp>

#include <vector>

#include "eval.hpp"

namespace proviso {

struct FactChange {
  std::int32_t fact = -1;  // slot
  Value value;             // the new value (known)
};

struct Counterfactual {
  std::int32_t rule = -1;            // denial: the exception that would then permit it; permit: the rule that would then forbid it
  std::vector<FactChange> changes;   // sorted by fact slot
  Outcome outcome = Outcome::not_applicable;  // the outcome of the changed request, re-checked
};

// Every bound of the search, with what it prevents.
struct CounterfactualLimits {
  std::size_t max_changes = 3;        // facts changed together: a bigger change is a different request, not a near miss
  std::size_t max_candidates = 20000; // assignments tried per target: bounds the time (about 20 ms per target)
  std::size_t max_per_rule = 3;       // alternatives reported per rule, smallest first
  std::size_t max_rules = 5;          // closest exceptions searched for a denial
  std::size_t max_permit_flips = 6;   // changes reported that would make a permitted request forbidden
  std::size_t max_set_candidates = 24;  // candidate values tried for one set-valued fact
};

// Which facts a search may change: not `fixed`, and a bool, enum or set of an
// enum, or a number, date or string some rule compares with a constant.
bool changeable(const Policy& policy, std::int32_t fact);

// For a denial (or undetermined, not applicable): per close exception, the
// smallest changes that make it apply and survive its limits, so the request is
// permitted; for undetermined also the values of unknown facts that settle it
// as denied. For a permit: the smallest changes that make it denied. Sorted:
// by exception closeness, then size, then fact and value.
std::vector<Counterfactual> counterfactuals(const Policy& policy, const Facts& facts, const Decision& decision,
                                            const CounterfactualLimits& limits = {});

// The smallest changes that put one named rule in force with the request
// permitted (a permit) or make the request denied (a forbid or limit).
std::vector<Counterfactual> counterfactuals_for(const Policy& policy, const Facts& facts, const Decision& decision,
                                                std::int32_t rule, const CounterfactualLimits& limits = {});

Facts apply_changes(const Facts& facts, const std::vector<FactChange>& changes);

// {"fact.path": new value, ...}: a client applies it by setting those paths in the request JSON.
nlohmann::json changes_to_json(const Policy& policy, const std::vector<FactChange>& changes);

// The values a fact can take that some condition of the policy tells apart
// (every value for bool and enum; for a set, the sets that flip one of the
// conditions reading it; for a number, date or string, scalar_candidates),
// excluding `current` when known.
std::vector<Value> candidate_values(const Policy& policy, std::int32_t fact, const Value& current, std::size_t max_set_candidates = 24);

}  // namespace proviso
