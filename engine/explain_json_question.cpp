// question_to_json(...).dump() without the json tree: keys in byte order (as
// nlohmann's std::map gives them), the values as value_to_json gives them.
// Split from explain_json_text.cpp; a few explanations in five have questions.
#include "explain_json_question.hpp"

#include "explain.hpp"
#include "json_text.hpp"

namespace proviso {
namespace {

void append_rule_ids(const Policy& policy, const std::vector<std::int32_t>& rules, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, policy.rules[rules[i]].id);
  }
  out += ']';
}

}  // namespace

void append_question_json(const Policy& policy, const Question& q, std::string& out) {
  const auto type = policy.facts[q.fact].type;
  out += "{\"answers\":[";
  for (std::size_t i = 0; i < q.answers.size(); ++i) {
    const auto& a = q.answers[i];
    out += i ? ",{\"authorities\":" : "{\"authorities\":";
    append_rule_ids(policy, a.authorities, out);
    out += ",\"decision\":";
    append_json_string(out, outcome_name(a.outcome));
    out += ",\"value\":";
    append_json(out, value_to_json(policy, a.value, type));
    out += '}';
  }
  out += "],\"fact\":";
  append_json_string(out, policy.facts[q.fact].path);
  out += ",\"question\":";
  append_json_string(out, q.text);
  out += ",\"settles\":";
  append_json(out, nlohmann::json(q.settles));  // nlohmann's own formatting of a double
  const auto& w = q.witness;
  out += ",\"witness\":{\"answer\":";
  append_json(out, value_to_json(policy, w.answer, type));
  out += ",\"completion\":{";
  // An object keyed by path: in byte order (the completion is in slot order, one value a fact).
  std::vector<const FactChange*> completion;
  completion.reserve(w.completion.size());
  for (const auto& c : w.completion) {
    auto at = completion.end();
    while (at != completion.begin() && policy.facts[c.fact].path < policy.facts[(*(at - 1))->fact].path) --at;
    completion.insert(at, &c);
  }
  for (std::size_t i = 0; i < completion.size(); ++i) {
    if (i) out += ',';
    const auto& fact = policy.facts[completion[i]->fact];
    append_json_string(out, fact.path);
    out += ':';
    append_json(out, value_to_json(policy, completion[i]->value, fact.type));
  }
  out += "},\"decision\":";
  append_json_string(out, outcome_name(w.answer_outcome));
  out += ",\"other_answer\":";
  if (w.other.known) append_json(out, value_to_json(policy, w.other, type));
  else out += "null";
  out += ",\"other_decision\":";
  append_json_string(out, outcome_name(w.other_outcome));
  out += "}}";
}

}  // namespace proviso
