// The decision as versioned JSON (docs/decision-format.md).
#include <set>

#include "explain.hpp"

namespace proviso {
namespace {

using nlohmann::json;

json cite_json(const Citation& cite) { return cite_to_json(cite); }
json rule_ref(const Policy& policy, std::int32_t r) { return rule_to_json(policy, r); }

json facts_read(const Policy& policy, const Facts& facts, const ConditionInfo& info) {
  json out = json::object();
  for (auto slot : info.facts) out[policy.facts[slot].path] = value_to_json(policy, facts.values[slot], policy.facts[slot].type);
  for (auto i : info.interpretations) out["interpretations." + policy.interpretations[i].name] = facts.interpretation(policy, i);
  return out;
}

json condition_json(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t c, bool nested) {
  auto view = view_condition(policy, decision, c);
  json out{{"text", view.text}, {"value", tri_name(view.value)}, {"cite", cite_json(view.cite)},
           {"facts", facts_read(policy, facts, policy.conditions[c])}};
  if (nested && !policy.conditions[c].children.empty()) {
    json children = json::array();
    for (auto child : policy.conditions[c].children) children.push_back(condition_json(policy, facts, decision, child, true));
    out["conditions"] = std::move(children);
  }
  return out;
}

json rule_ids(const Policy& policy, const std::vector<std::int32_t>& rules) {
  json out = json::array();
  for (auto r : rules) out.push_back(policy.rules[r].id);
  return out;
}

}  // namespace

json decision_to_json(const Policy& policy, const Facts& facts, const Decision& decision, const JsonOptions& options) {
  json out;
  out["schema"] = "proviso.decision/v1";
  out["decision"] = outcome_name(decision.outcome);
  out["summary"] = summary(policy, decision);

  json authorities = json::array();
  json obligations = json::array();
  for (auto a : decision.authorities) {
    authorities.push_back(rule_ref(policy, a));
    if (decision.outcome != Outcome::permitted) continue;
    for (const auto& o : policy.rules[a].obligations)
      obligations.push_back(json{{"text", o.text}, {"cite", cite_json(o.cite)}, {"rule", policy.rules[a].id}});
  }
  out["authorities"] = std::move(authorities);
  out["obligations"] = std::move(obligations);

  if (!decision.conflicts.empty()) {
    json conflicts = json::array();
    for (const auto& [p, f] : decision.conflicts)
      conflicts.push_back(json{{"permit", policy.rules[p].id}, {"forbid", policy.rules[f].id}});
    out["conflicts"] = std::move(conflicts);
  }
  if (decision.outcome == Outcome::undetermined) {
    json unknown = json::array();
    for (auto slot : decision.unknown_facts)
      unknown.push_back(json{{"fact", policy.facts[slot].path}, {"description", policy.facts[slot].description}});
    out["unknown_facts"] = std::move(unknown);
  }

  json interpretations = json::array();
  for (const auto& use : decision.interpretations) {
    const auto& interp = policy.interpretations[use.index];
    interpretations.push_back(json{{"name", interp.name},
                                   {"reading", interp.phrase},
                                   {"cite", cite_json(interp.cite)},
                                   {"value", use.value},
                                   {"source", use.from_request ? "request" : "default"},
                                   {"relied_on", use.relied_on},
                                   {"other_reading", json{{"decision", outcome_name(use.other_outcome)},
                                                          {"authorities", rule_ids(policy, use.other_authorities)}}}});
  }
  out["interpretations"] = std::move(interpretations);

  json nearest = json::array();
  ConditionTree tree;  // the full nodes' parts and reads
  for (const auto& miss : nearest_exceptions(policy, decision)) {
    json entry = rule_ref(policy, miss.rule);
    json failing = json::array(), unknown = json::array();
    // Full: each condition with "because", the parts that make it fail.
    auto condition = [&](std::int32_t c) {
      return options.full ? condition_node_to_json(tree, condition_node(policy, facts, decision, c, tree))
                          : condition_json(policy, facts, decision, c, false);
    };
    for (const auto& v : miss.failing) failing.push_back(condition(v.index));
    for (const auto& v : miss.unknown) unknown.push_back(condition(v.index));
    entry["failing"] = std::move(failing);
    entry["unknown"] = std::move(unknown);
    entry["defeated_by"] = rule_ids(policy, miss.defeated_by);
    nearest.push_back(std::move(entry));
  }
  out["nearest_exceptions"] = std::move(nearest);

  if (options.full) {
    json considered = json::array();
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      const auto& result = decision.rules[r];
      json entry = rule_ref(policy, static_cast<std::int32_t>(r));
      entry["applies"] = tri_name(result.applies);
      entry["in_force"] = tri_name(result.in_force);
      entry["exception_to"] = rule_ids(policy, rule.exception_to);
      entry["defeated_by"] = rule_ids(policy, result.defeated_by);
      if (!result.maybe_defeated_by.empty()) entry["maybe_defeated_by"] = rule_ids(policy, result.maybe_defeated_by);
      json conditions = json::array();
      if (rule.condition >= 0) conditions.push_back(condition_json(policy, facts, decision, rule.condition, true));
      entry["conditions"] = std::move(conditions);
      considered.push_back(std::move(entry));
    }
    out["considered"] = std::move(considered);
    if (options.counterfactuals) {
      json flips = json::array();
      for (const auto& c : counterfactuals(policy, facts, decision, options.counterfactual_limits))
        flips.push_back(counterfactual_to_json(policy, c));
      out["counterfactuals"] = std::move(flips);
    }
    if (decision.outcome == Outcome::undetermined) {
      QuestionLimits limits;
      limits.max_questions = 3;
      json questions = json::array();
      for (const auto& q : next_questions(policy, facts, decision, {}, limits)) questions.push_back(question_to_json(policy, q));
      out["next_questions"] = std::move(questions);
    }
  }
  out["ruleset"] = json{{"name", policy.name}, {"version", policy.version}, {"digest", policy.digest}};
  return out;
}

json explanation_to_json(const Policy& policy, const Explanation& e) {
  json out;
  out["schema"] = "proviso.explanation/v1";
  out["decision"] = outcome_name(e.outcome);
  out["summary"] = e.summary;
  json decided_by = json::array();
  for (const auto& g : e.grounds) {
    json entry = rule_ref(policy, g.rule);
    json holds = json::array();
    for (const auto& c : e.tree[g.holds]) holds.push_back(condition_node_to_json(e.tree, c));
    entry["rests_on"] = std::move(holds);
    if (!g.defeated.empty()) entry["defeats"] = rule_ids(policy, g.defeated);
    decided_by.push_back(std::move(entry));
  }
  out["decided_by"] = std::move(decided_by);
  json obligations = json::array();
  for (const auto& o : e.obligations)
    obligations.push_back(json{{"text", o.obligation.text}, {"cite", cite_json(o.obligation.cite)}, {"rule", policy.rules[o.rule].id}});
  out["obligations"] = std::move(obligations);
  json closest = json::array();
  for (const auto& x : e.closest) {
    json entry = rule_ref(policy, x.rule);
    json failing = json::array(), unknown = json::array();
    for (const auto& c : e.tree[x.failing]) failing.push_back(condition_node_to_json(e.tree, c));
    for (const auto& c : e.tree[x.unknown]) unknown.push_back(condition_node_to_json(e.tree, c));
    entry["failing"] = std::move(failing);
    entry["unknown"] = std::move(unknown);
    entry["defeated_by"] = rule_ids(policy, x.defeated_by);
    if (!x.maybe_defeated_by.empty()) entry["maybe_defeated_by"] = rule_ids(policy, x.maybe_defeated_by);
    closest.push_back(std::move(entry));
  }
  out["closest_exceptions"] = std::move(closest);
  json others = json::array();
  const auto& texts = explain_texts(policy);
  for (const auto& x : e.others) {
    json entry = rule_ref(policy, x.rule);
    json failing = json::array();
    for (auto c : e.failing(x))
      failing.push_back(json{{"text", texts.condition_text[c]}, {"cite", cite_json(*texts.condition_cite[c])}});
    entry["failing"] = std::move(failing);
    others.push_back(std::move(entry));
  }
  out["other_exceptions"] = std::move(others);
  json interpretations = json::array();
  for (const auto& use : e.interpretations) {
    const auto& interp = policy.interpretations[use.index];
    interpretations.push_back(json{{"name", interp.name}, {"reading", interp.phrase}, {"cite", cite_json(interp.cite)},
                                   {"value", use.value}, {"source", use.from_request ? "request" : "default"},
                                   {"relied_on", use.relied_on},
                                   {"other_reading", json{{"decision", outcome_name(use.other_outcome)},
                                                          {"authorities", rule_ids(policy, use.other_authorities)}}}});
  }
  out["interpretations"] = std::move(interpretations);
  json unknown = json::array();
  for (const auto& f : e.unknown_facts) unknown.push_back(json{{"fact", f.path}, {"description", f.description}});
  out["unknown_facts"] = std::move(unknown);
  json questions = json::array();
  for (const auto& q : e.next_questions) questions.push_back(question_to_json(policy, q));
  out["next_questions"] = std::move(questions);
  json flips = json::array();
  for (const auto& c : e.counterfactuals) flips.push_back(counterfactual_to_json(policy, c));
  out["counterfactuals"] = std::move(flips);
  out["ruleset"] = json{{"name", policy.name}, {"version", policy.version}, {"digest", policy.digest}};
  return out;
}

}  // namespace proviso
