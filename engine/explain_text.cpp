// The decision as a plain-text memo: outcome, authority, the decisive
// conditions in plain English with their citations, and the facts they read.
#include <sstream>

#include "explain.hpp"

namespace proviso {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : (c == '_' ? ' ' : c));
  return out;
}

std::string rule_line(const Policy& policy, std::int32_t r) {
  const auto& rule = policy.rules[r];
  std::string out = rule.cite.text.empty() ? rule.id : rule.cite.text + " [" + rule.id + "]";
  if (!rule.title.empty()) out += " — " + rule.title;
  return out;
}

std::string mark(Tri t) { return t == Tri::true_ ? "✓" : t == Tri::false_ ? "✗" : "?"; }

std::string fact_values(const Policy& policy, const Facts& facts, const ConditionInfo& info) {
  std::string out;
  for (auto slot : info.facts) {
    auto v = value_to_json(policy, facts.values[slot], policy.facts[slot].type);
    out += (out.empty() ? "" : "; ") + policy.facts[slot].path + " = " + (v.is_null() ? "unknown" : v.dump());
  }
  for (auto i : info.interpretations)
    out += (out.empty() ? "" : "; ") + std::string("reading `") + policy.interpretations[i].name + "` = " +
           (facts.interpretation(policy, i) ? "true" : "false");
  return out;
}

void write_condition(std::ostringstream& out, const Policy& policy, const Facts& facts, const ConditionView& view,
                     const std::string& indent) {
  out << indent << mark(view.value) << " " << view.text;
  if (!view.cite.empty()) out << "  [" << view.cite.text << "]";
  out << "\n";
  auto values = fact_values(policy, facts, policy.conditions[view.index]);
  if (!values.empty()) out << indent << "    " << values << "\n";
}

}  // namespace

std::string decision_to_text(const Policy& policy, const Facts& facts, const Decision& decision) {
  std::ostringstream out;
  out << upper(outcome_name(decision.outcome)) << "\n" << summary(policy, decision) << "\n";

  if (!decision.authorities.empty()) {
    out << "\nDecided by\n";
    for (auto a : decision.authorities) {
      out << "  " << rule_line(policy, a) << "\n";
      const auto& rule = policy.rules[a];
      if (decision.outcome == Outcome::permitted)
        for (auto c : rule.top_conditions) write_condition(out, policy, facts, view_condition(policy, decision, c), "    ");
    }
  }
  if (decision.outcome == Outcome::permitted) {
    bool any = false;
    for (auto a : decision.authorities)
      for (const auto& o : policy.rules[a].obligations) {
        if (!any) out << "\nObligations\n";
        any = true;
        out << "  - " << o.text;
        if (!o.cite.empty()) out << "  [" << o.cite.text << "]";
        out << "\n";
      }
  }
  if (decision.outcome == Outcome::undetermined && !decision.unknown_facts.empty()) {
    out << "\nFacts that would decide it\n";
    for (auto slot : decision.unknown_facts)
      out << "  ? " << policy.facts[slot].path << " — " << policy.facts[slot].description << "\n";
  }
  auto misses = nearest_exceptions(policy, decision);
  if (!misses.empty()) {
    out << "\nNearest exceptions, closest first\n";
    int n = 0;
    for (const auto& miss : misses) {
      out << "  " << ++n << ". " << rule_line(policy, miss.rule) << "\n";
      if (!miss.defeated_by.empty()) {
        out << "     applies, but is defeated by:\n";
        for (auto d : miss.defeated_by) out << "       " << rule_line(policy, d) << "\n";
      }
      for (const auto& v : miss.failing) write_condition(out, policy, facts, v, "     ");
      for (const auto& v : miss.unknown) write_condition(out, policy, facts, v, "     ");
    }
  }
  if (!decision.interpretations.empty()) {
    out << "\nInterpretations\n";
    for (const auto& use : decision.interpretations) {
      const auto& interp = policy.interpretations[use.index];
      out << "  " << (use.relied_on ? "relied on: " : "read: ") << interp.name << " = " << (use.value ? "true" : "false")
          << " (" << (use.from_request ? "set by the request" : "the default") << ")\n";
      out << "    " << (use.value ? "" : "not: ") << interp.phrase;
      if (!interp.cite.empty()) out << "  [" << interp.cite.text << "]";
      out << "\n";
      if (use.relied_on) out << "    the other reading gives: " << outcome_name(use.other_outcome) << "\n";
    }
  }
  out << "\nRule set " << policy.name << (policy.version.empty() ? "" : " " + policy.version) << " (" << policy.digest << ")\n";
  return out.str();
}

}  // namespace proviso
