#include "scenario_coverage.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "explain.hpp"

namespace proviso {
namespace {

void claim(const CExpr& e, const std::string& owner, std::vector<ConditionCoverage>& out) {
  if (e.condition >= 0 && out[e.condition].owner.empty()) out[e.condition].owner = owner;
  for (const auto& a : e.args) claim(a, owner, out);
}

std::string percent(std::size_t part, std::size_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 100.0);
  return buffer;
}

double ratio(std::size_t part, std::size_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 1.0;
}

// What a rule's scenarios never showed: "never applies", "never fails to apply".
std::string rule_gap(const RuleCoverage& rule) {
  if (rule.applied.empty() && (rule.always_applies || !rule.not_applied.empty())) return "never applied";
  if (rule.applied.empty()) return "never evaluated to true or false";
  return "always applied (no scenario where its condition is false)";
}

std::string condition_gap(const ConditionCoverage& c) {
  if (!c.seen_true && !c.seen_false) return "never true or false";
  return c.seen_true ? "never false" : "never true";
}

// Uncovered conditions in source order (they are registered innermost first).
std::vector<std::size_t> uncovered_conditions(const Coverage& coverage) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < coverage.conditions().size(); ++c)
    if (!coverage.conditions()[c].covered()) out.push_back(c);
  const auto& info = coverage.policy().conditions;
  std::stable_sort(out.begin(), out.end(), [&](auto x, auto y) {
    return std::pair(info[x].source, info[x].span.begin) < std::pair(info[y].source, info[y].span.begin);
  });
  return out;
}

}  // namespace

Coverage::Coverage(const Policy& policy)
    : policy_(policy), rules_(policy.rules.size()), conditions_(policy.conditions.size()) {
  for (const auto& d : policy.definitions) claim(d.expr, "definition " + d.name, conditions_);
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    rules_[r].always_applies = !rule.when;
    if (rule.when) claim(*rule.when, "rule " + rule.id, conditions_);
  }
}

void Coverage::add(const Decision& decision, std::string scenario_name) {
  const auto index = scenarios_.size();
  scenarios_.push_back(std::move(scenario_name));
  for (std::size_t r = 0; r < rules_.size() && r < decision.rules.size(); ++r) {
    if (decision.rules[r].applies == Tri::true_) rules_[r].applied.push_back(index);
    if (decision.rules[r].applies == Tri::false_) rules_[r].not_applied.push_back(index);
  }
  for (auto a : decision.authorities) rules_[a].decided.push_back(index);
  for (std::size_t c = 0; c < conditions_.size() && c < decision.conditions.size(); ++c) {
    if (decision.conditions[c] == Tri::true_) ++conditions_[c].seen_true;
    if (decision.conditions[c] == Tri::false_) ++conditions_[c].seen_false;
  }
}

std::vector<ProvisionCoverage> Coverage::provisions() const {
  std::vector<ProvisionCoverage> out;
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t r = 0; r < policy_.rules.size(); ++r) {
    const auto& cite = policy_.rules[r].cite.text;
    auto [it, inserted] = index.emplace(cite, out.size());
    if (inserted) out.push_back({cite, {}});
    out[it->second].rules.push_back(static_cast<std::int32_t>(r));
  }
  return out;
}

std::size_t Coverage::rules_covered() const {
  std::size_t n = 0;
  for (const auto& r : rules_) n += r.covered();
  return n;
}

std::size_t Coverage::conditions_covered() const {
  std::size_t n = 0;
  for (const auto& c : conditions_) n += c.covered();
  return n;
}

std::string source_location(const Policy& policy, SourceId source, Span span) {
  if (!policy.sources.contains(source)) return "?";
  const auto& s = policy.sources.get(source);
  auto lc = line_col(s.text, span.begin);
  return s.path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

std::string coverage_to_text(const Coverage& coverage) {
  const auto& policy = coverage.policy();
  const auto& rules = coverage.rules();
  const auto& conditions = coverage.conditions();
  std::string out = "coverage of " + policy.name + " by " + std::to_string(coverage.scenarios().size()) + " evaluated scenarios\n";
  out += "  rules:      " + std::to_string(coverage.rules_covered()) + "/" + std::to_string(rules.size()) +
         " exercised applying and not applying (" + percent(coverage.rules_covered(), rules.size()) + ")\n";
  out += "  conditions: " + std::to_string(coverage.conditions_covered()) + "/" + std::to_string(conditions.size()) +
         " exercised true and false (" + percent(coverage.conditions_covered(), conditions.size()) + ")\n";
  if (coverage.rules_covered() < rules.size()) {
    out += "rules not covered both ways:\n";
    for (std::size_t r = 0; r < rules.size(); ++r) {
      if (rules[r].covered()) continue;
      const auto& rule = policy.rules[r];
      out += "  " + source_location(policy, rule.source, rule.span) + ": rule `" + rule.id + "` " + rule_gap(rules[r]) + "\n";
    }
  }
  if (coverage.conditions_covered() < conditions.size()) {
    out += "conditions not covered both ways:\n";
    for (auto c : uncovered_conditions(coverage)) {
      const auto& info = policy.conditions[c];
      out += "  " + source_location(policy, info.source, info.span) + ": " + condition_gap(conditions[c]) + ": " +
             condition_text(policy, static_cast<std::int32_t>(c)) + " (" + conditions[c].owner + ")\n";
    }
  }
  out += "statute (provision → rules → scenarios where the rule applied / decided):\n";
  for (const auto& provision : coverage.provisions()) {
    out += "  " + provision.citation + "\n";
    for (auto r : provision.rules) {
      const auto& rc = rules[r];
      out += "    " + policy.rules[r].id + ": applied in " + std::to_string(rc.applied.size()) + ", decided " +
             std::to_string(rc.decided.size()) + (rc.applied.empty() ? "  ← no scenario" : "") + "\n";
    }
  }
  return out;
}

nlohmann::json coverage_to_json(const Coverage& coverage) {
  using nlohmann::json;
  const auto& policy = coverage.policy();
  const auto& rules = coverage.rules();
  const auto& conditions = coverage.conditions();
  json uncovered_rules = json::array();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    if (rules[r].covered()) continue;
    const auto& rule = policy.rules[r];
    uncovered_rules.push_back({{"id", rule.id},
                               {"location", source_location(policy, rule.source, rule.span)},
                               {"applied", rules[r].applied.size()},
                               {"not_applied", rules[r].not_applied.size()},
                               {"gap", rule_gap(rules[r])}});
  }
  json uncovered_condition_list = json::array();
  for (auto c : uncovered_conditions(coverage)) {
    const auto& info = policy.conditions[c];
    uncovered_condition_list.push_back({{"location", source_location(policy, info.source, info.span)},
                                    {"text", condition_text(policy, static_cast<std::int32_t>(c))},
                                    {"owner", conditions[c].owner},
                                    {"seen_true", conditions[c].seen_true},
                                    {"seen_false", conditions[c].seen_false},
                                    {"gap", condition_gap(conditions[c])}});
  }
  auto names = [&](const std::vector<std::size_t>& indexes) {
    json out = json::array();
    for (auto i : indexes) out.push_back(coverage.scenarios()[i]);
    return out;
  };
  json statute = json::array();
  for (const auto& provision : coverage.provisions()) {
    json entry{{"citation", provision.citation}, {"rules", json::array()}};
    for (auto r : provision.rules)
      entry["rules"].push_back({{"id", policy.rules[r].id},
                                {"covered", rules[r].covered()},
                                {"applied_in", names(rules[r].applied)},
                                {"decided", names(rules[r].decided)}});
    statute.push_back(std::move(entry));
  }
  return json{{"scenarios", coverage.scenarios().size()},
              {"rules",
               {{"covered", coverage.rules_covered()},
                {"total", rules.size()},
                {"ratio", ratio(coverage.rules_covered(), rules.size())},
                {"uncovered", uncovered_rules}}},
              {"conditions",
               {{"covered_both_ways", coverage.conditions_covered()},
                {"total", conditions.size()},
                {"ratio", ratio(coverage.conditions_covered(), conditions.size())},
                {"uncovered", uncovered_condition_list}}},
              {"statute", statute}};
}

}  // namespace proviso
