// "Why not (i)(1)?": for one named provision, exactly the conditions it does
// not meet and the limits that defeat or could defeat it, with the smallest
// changes that would put it in force.
#pragma once
#include <nlohmann/json.hpp>

#include <string_view>

#include "explain.hpp"

namespace proviso {

struct WhyNot {
  std::int32_t rule = -1;
  Tri applies = Tri::unknown;
  Tri in_force = Tri::unknown;
  bool decides = false;                        // among the decision's authorities
  NodeList unmet;                              // top-level conditions that are false
  NodeList unknown;                            // top-level conditions that are unknown
  std::vector<std::int32_t> defeated_by;       // exceptions to it in force: they would defeat it even if it applied
  std::vector<std::int32_t> maybe_defeated_by; // exceptions whose force is unknown
  std::vector<std::int32_t> other_limits;      // exceptions to it not in force here
  std::vector<Counterfactual> changes;         // smallest changes that put it in force (a permit)
  ConditionTree tree;                          // the nodes of unmet and unknown
};

// Rules named by `query`: a rule id, a citation id, or a citation fragment such
// as "6103(i)(1)" or "(i)(1)" (matched at the end of the citation first, then
// anywhere). Sorted by source order; empty when nothing matches.
std::vector<std::int32_t> find_rules(const Policy& policy, std::string_view query);

WhyNot why_not(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t rule,
               const CounterfactualLimits& limits = {});

nlohmann::json why_not_to_json(const Policy& policy, const WhyNot& w);
std::string why_not_to_text(const Policy& policy, const WhyNot& w, bool plain);

}  // namespace proviso
