#include "why_not.hpp"

#include <algorithm>
#include <sstream>

namespace proviso {
namespace {

std::string squeeze(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

void write_condition(std::ostringstream& out, const ConditionTree& tree, const ConditionNode& n, const std::string& indent) {
  out << indent << (n.value == Tri::false_ ? "✗ " : n.value == Tri::true_ ? "✓ " : "? ") << n.text;
  if (!n.cite->empty()) out << "  [" << n.cite->text << "]";
  out << "\n";
  if (n.because.empty())
    for (const auto& f : tree.facts(n)) out << indent << "    " << f.path << " = " << (f.given.known ? f.value().dump() : "unknown") << "\n";
  for (const auto& b : tree.because(n)) write_condition(out, tree, b, indent + "    ");
}

}  // namespace

std::vector<std::int32_t> find_rules(const Policy& policy, std::string_view query) {
  std::vector<std::int32_t> exact, suffix, anywhere;
  const auto q = squeeze(query);
  if (q.empty()) return {};
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    const auto cite = squeeze(rule.cite.text);
    const auto i = static_cast<std::int32_t>(r);
    if (rule.id == query || rule.cite.id == query) exact.push_back(i);
    else if (cite.ends_with(q)) suffix.push_back(i);
    else if (cite.find(q) != std::string::npos) anywhere.push_back(i);
  }
  return !exact.empty() ? exact : !suffix.empty() ? suffix : anywhere;
}

WhyNot why_not(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t rule,
               const CounterfactualLimits& limits) {
  WhyNot w;
  w.rule = rule;
  const auto& result = decision.rules[rule];
  w.applies = result.applies;
  w.in_force = result.in_force;
  w.decides = std::find(decision.authorities.begin(), decision.authorities.end(), rule) != decision.authorities.end();
  auto view = exception_view(policy, facts, decision, rule, w.tree);
  w.unmet = view.failing;
  w.unknown = view.unknown;
  w.defeated_by = result.defeated_by;
  w.maybe_defeated_by = result.maybe_defeated_by;
  for (auto d : policy.rules[rule].defeaters)
    if (decision.rules[d].in_force == Tri::false_) w.other_limits.push_back(d);
  w.changes = counterfactuals_for(policy, facts, decision, rule, limits);
  return w;
}

nlohmann::json why_not_to_json(const Policy& policy, const WhyNot& w) {
  using nlohmann::json;
  auto ids = [&](const std::vector<std::int32_t>& rules) {
    json out = json::array();
    for (auto r : rules) out.push_back(rule_to_json(policy, r));
    return out;
  };
  json out = rule_to_json(policy, w.rule);
  out["applies"] = tri_name(w.applies);
  out["in_force"] = tri_name(w.in_force);
  out["decides"] = w.decides;
  json unmet = json::array(), unknown = json::array(), changes = json::array();
  for (const auto& c : w.tree[w.unmet]) unmet.push_back(condition_node_to_json(w.tree, c));
  for (const auto& c : w.tree[w.unknown]) unknown.push_back(condition_node_to_json(w.tree, c));
  for (const auto& c : w.changes) changes.push_back(counterfactual_to_json(policy, c));
  out["unmet"] = std::move(unmet);
  out["unknown"] = std::move(unknown);
  out["defeated_by"] = ids(w.defeated_by);
  out["maybe_defeated_by"] = ids(w.maybe_defeated_by);
  out["other_limits"] = ids(w.other_limits);
  out["counterfactuals"] = std::move(changes);
  return out;
}

std::string why_not_to_text(const Policy& policy, const WhyNot& w, bool plain) {
  std::ostringstream out;
  const auto& rule = policy.rules[w.rule];
  out << "Why not " << rule_heading(policy, w.rule) << " [" << rule.id << "]?\n";
  if (w.in_force == Tri::true_) {
    out << (w.decides ? "  It is in force, and it decides this request.\n" : "  It is in force here.\n");
  } else if (w.unmet.empty() && w.unknown.empty() && w.defeated_by.empty() && w.maybe_defeated_by.empty()) {
    out << "  Nothing stops it.\n";
  }
  if (!w.unmet.empty()) {
    out << "  Conditions not met (" << w.unmet.size() << "):\n";
    for (const auto& c : w.tree[w.unmet]) {
      if (plain) out << "    • it needs: " << c.text << (c.cite->empty() ? "" : " (" + c.cite->text + ")") << "\n";
      else write_condition(out, w.tree, c, "    ");
    }
  }
  if (!w.unknown.empty()) {
    out << "  Conditions not known (" << w.unknown.size() << "):\n";
    for (const auto& c : w.tree[w.unknown]) {
      if (plain) out << "    • we do not know whether " << c.text << "\n";
      else write_condition(out, w.tree, c, "    ");
    }
  }
  if (!w.defeated_by.empty()) {
    out << "  Defeated by (these limits are in force, so it fails even when it applies):\n";
    for (auto d : w.defeated_by) out << "    " << rule_heading(policy, d) << " [" << policy.rules[d].id << "]\n";
  }
  if (!w.maybe_defeated_by.empty()) {
    out << "  May be defeated by (their force depends on unknown facts):\n";
    for (auto d : w.maybe_defeated_by) out << "    " << rule_heading(policy, d) << " [" << policy.rules[d].id << "]\n";
  }
  if (!w.other_limits.empty()) {
    out << "  Limits on it that are not in force here:\n";
    for (auto d : w.other_limits) out << "    " << rule_heading(policy, d) << " [" << policy.rules[d].id << "]\n";
  }
  if (!w.changes.empty()) {
    out << "  Smallest changes that would put it in force (re-checked):\n";
    for (const auto& c : w.changes) out << "    " << changes_to_json(policy, c.changes).dump() << " → " << outcome_name(c.outcome) << "\n";
  }
  return out.str();
}

}  // namespace proviso
