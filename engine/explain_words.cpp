// Small pieces every rendering of an explanation shares: headings, citations,
// and the JSON shapes of a rule reference, a condition and a counterfactual.
#include "explain.hpp"

namespace proviso {

std::string rule_cite(const Policy& policy, std::int32_t rule) {
  const auto& r = policy.rules[rule];
  return r.cite.text.empty() ? r.id : r.cite.text;
}

std::string rule_heading(const Policy& policy, std::int32_t rule) {
  const auto& r = policy.rules[rule];
  std::string out = rule_cite(policy, rule);
  if (!r.title.empty()) out += " — " + r.title;
  return out;
}

std::string tri_words(Tri value) {
  return value == Tri::true_ ? "holds" : value == Tri::false_ ? "does not hold" : "is not known";
}

nlohmann::json cite_to_json(const Citation& cite) {
  if (cite.empty()) return nullptr;
  return nlohmann::json{{"text", cite.text}, {"id", cite.id}};
}

nlohmann::json rule_to_json(const Policy& policy, std::int32_t r) {
  const auto& rule = policy.rules[r];
  nlohmann::json out{{"rule", rule.id},
                     {"effect", rule.is_permit() ? "permit" : rule.is_forbid() ? "forbid" : "limit"},
                     {"cite", cite_to_json(rule.cite)}};
  if (!rule.title.empty()) out["title"] = rule.title;
  return out;
}

nlohmann::json condition_node_to_json(const ConditionTree& tree, const ConditionNode& node) {
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& f : tree.facts(node)) facts[std::string(f.path)] = f.value();
  nlohmann::json out{{"text", node.text}, {"value", tri_name(node.value)}, {"cite", cite_to_json(*node.cite)}, {"facts", facts}};
  if (!node.because.empty()) {
    nlohmann::json because = nlohmann::json::array();
    for (const auto& b : tree.because(node)) because.push_back(condition_node_to_json(tree, b));
    out["because"] = std::move(because);
  }
  return out;
}

nlohmann::json counterfactual_to_json(const Policy& policy, const Counterfactual& c) {
  return nlohmann::json{{"rule", policy.rules[c.rule].id},
                        {"cite", cite_to_json(policy.rules[c.rule].cite)},
                        {"change", changes_to_json(policy, c.changes)},
                        {"decision", outcome_name(c.outcome)}};
}

}  // namespace proviso
