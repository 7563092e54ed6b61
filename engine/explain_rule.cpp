#include "explain_rule.hpp"

#include <cctype>

#include "explain.hpp"

namespace proviso {
namespace {

std::string effect_phrase(const Rule& rule) {
  switch (rule.effect) {
    case ast::Effect::permit: return "permits the disclosure";
    case ast::Effect::forbid: return "forbids the disclosure";
    case ast::Effect::limit: return "takes away the exceptions it names (a limit decides nothing itself)";
  }
  return "";
}

std::string cite_of(const Policy& policy, const CExpr& e) {
  if (e.condition < 0) return "";
  const auto& info = policy.conditions[e.condition];
  Citation cite = info.cite;
  if (cite.empty() && info.definition >= 0) cite = policy.definitions[info.definition].cite;
  if (cite.empty() && info.interpretation >= 0) cite = policy.interpretations[info.interpretation].cite;
  return cite.empty() ? "" : "  [" + cite.text + "]";
}

std::string label(const Policy& policy, std::int32_t r) {
  const auto& rule = policy.rules[r];
  std::string out = "`" + rule.id + "` (" + rule.cite.text + ")";
  if (!rule.title.empty()) out += ": " + rule.title;
  return out;
}

// One bullet per phrased condition; a block without a phrase lists its parts.
void describe(const Policy& policy, const CExpr& e, int depth, std::string& out) {
  const std::string indent(static_cast<std::size_t>(2 + 2 * depth), ' ');
  const bool phrased = e.condition >= 0 && (!policy.conditions[e.condition].phrase.empty() ||
                                            policy.conditions[e.condition].definition >= 0 ||
                                            policy.conditions[e.condition].interpretation >= 0);
  const bool none_of = e.op == CExpr::Op::not_ && e.args.size() == 1 && e.args[0].op == CExpr::Op::or_;
  const bool block = !phrased && (e.op == CExpr::Op::and_ || e.op == CExpr::Op::or_ || none_of) && e.args.size() > 1;
  if (!block || phrased) {
    out += indent + "- " + (e.condition >= 0 ? condition_text(policy, e.condition) : "(condition)") + cite_of(policy, e) + "\n";
    return;
  }
  const auto& parts = none_of ? e.args[0].args : e.args;
  if (depth > 0 || e.op != CExpr::Op::and_)
    out += indent + "- " + (none_of ? "none of these:" : e.op == CExpr::Op::and_ ? "all of these:" : "any of these:") + "\n";
  for (const auto& part : parts) describe(policy, part, depth + (depth > 0 || e.op != CExpr::Op::and_ ? 1 : 0), out);
}

}  // namespace

std::string explain_rule(const Policy& policy, std::int32_t r) {
  const auto& rule = policy.rules[r];
  std::string out = rule.id + " — " + rule.cite.text + "\n";
  if (!rule.title.empty()) out += rule.title + "\n";
  out += "\nIt " + effect_phrase(rule);
  if (!rule.when) {
    out += " always: it has no condition.\n";
  } else {
    out += " when all of these hold:\n";
    describe(policy, *rule.when, 0, out);
  }
  if (!rule.exception_to.empty()) {
    out += rule.is_limit() ? "\nWhen it applies it takes away:\n" : "\nIt is an exception to, and when in force defeats:\n";
    for (auto t : rule.exception_to) out += "  - " + label(policy, t) + "\n";
  }
  if (rule.defeaters.empty()) {
    out += "\nNothing defeats it: when it applies, it is in force.\n";
  } else {
    out += "\nIt is defeated (not in force, even if it applies) when one of these is in force:\n";
    for (auto d : rule.defeaters) out += "  - " + label(policy, d) + "\n";
  }
  if (!rule.obligations.empty()) {
    out += "\nWhen it permits a disclosure, the decision carries these obligations:\n";
    for (const auto& o : rule.obligations) out += "  - " + o.text + (o.cite.empty() ? "" : "  [" + o.cite.text + "]") + "\n";
  }
  if (!rule.doc.empty()) out += "\n" + rule.doc + "\n";
  if (!rule.note.empty()) out += "\nNote: " + rule.note + "\n";
  return out;
}

std::string rule_summary(const Policy& policy, std::int32_t r) {
  const auto& rule = policy.rules[r];
  std::string effect = effect_phrase(rule);
  effect[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(effect[0])));
  std::string out = effect + " (" + rule.cite.text + ")";
  if (rule.when) {
    const auto n = rule.top_conditions.size();
    out += n > 1 ? " when " + std::to_string(n) + " conditions hold" : " when " + condition_text(policy, rule.top_conditions.empty() ? rule.condition : rule.top_conditions[0]);
  }
  if (!rule.exception_to.empty()) {
    out += "; an exception to ";
    for (std::size_t i = 0; i < rule.exception_to.size(); ++i) out += (i ? ", " : "") + policy.rules[rule.exception_to[i]].id;
  }
  if (!rule.defeaters.empty()) {
    out += "; defeated by ";
    for (std::size_t i = 0; i < rule.defeaters.size(); ++i) out += (i ? ", " : "") + policy.rules[rule.defeaters[i]].id;
  }
  return out + ".";
}

}  // namespace proviso
