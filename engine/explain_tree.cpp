// The explanation tree: what decides a request, what it rests on, which
// exceptions came closest and why each fails. Data only; explain_memo.cpp and
// explain_json.cpp turn it into words.
#include <algorithm>
#include <span>

#include "explain.hpp"

namespace proviso {
namespace {

constexpr int kMaxDepth = 4;  // how far "because" descends into definitions and blocks

std::string enum_value_words(const EnumType& e, std::int64_t v) {
  if (v < 0 || static_cast<std::size_t>(v) >= e.values.size()) return "?";
  const auto& d = static_cast<std::size_t>(v) < e.value_descriptions.size() ? e.value_descriptions[v] : std::string{};
  return d.empty() ? e.values[v] : d;
}

std::string words_of(const Policy& policy, const Value& value, Type type) {
  if (!value.known) return "not given";
  switch (type.kind) {
    case TypeKind::boolean: return value.integer ? "yes" : "no";
    case TypeKind::enumeration: return enum_value_words(policy.enums[type.enum_id], value.integer);
    case TypeKind::set: {
      const auto& e = policy.enums[type.enum_id];
      std::string out;
      for (std::size_t i = 0; i < e.values.size(); ++i)
        if (value.bits & (std::uint64_t{1} << i)) out += (out.empty() ? "" : "; ") + enum_value_words(e, static_cast<std::int64_t>(i));
      return out.empty() ? "none" : out;
    }
    default: {
      auto j = value_to_json(policy, value, type);
      return j.is_string() ? j.get<std::string>() : j.dump();
    }
  }
}

// The parts of a condition that give it its value: for a false block the false
// parts (or, for a negation, the true ones that rule it out); for a true block
// the true parts; for an unknown one the unknown parts. `single` holds the one
// part of a definition whose meaning is not a block.
std::span<const std::int32_t> parts(const Policy& policy, std::int32_t condition, std::int32_t& single) {
  const auto& info = policy.conditions[condition];
  if (!info.children.empty()) return info.children;
  if (info.definition >= 0) {
    auto means = policy.definitions[info.definition].condition;
    if (means < 0 || means == condition) return {};
    const auto& m = policy.conditions[means];
    if (!m.children.empty()) return m.children;
    single = means;
    return {&single, 1};
  }
  return {};
}

// A condition's text and citation, referring to the policy's.
ConditionNode brief_node(const ExplainTexts& texts, const Decision& decision, std::int32_t c) {
  ConditionNode out;
  out.index = c;
  out.text = texts.condition_text[c];
  out.cite = texts.condition_cite[c];
  out.value = decision.conditions[c];
  return out;
}

ConditionNode node(const Policy& policy, const ExplainTexts& texts, const Facts& facts, const Decision& decision, std::int32_t c,
                   int depth) {
  ConditionNode out = brief_node(texts, decision, c);
  const auto& info = policy.conditions[c];
  out.facts.reserve(info.facts.size() + info.interpretations.size());
  for (auto slot : info.facts) {  // fact_read(policy, facts, slot), built in place
    const auto& fact = policy.facts[slot];
    auto& r = out.facts.emplace_back();
    r.fact = slot;
    r.path = fact.path;
    r.description = fact.description;
    r.given = facts.values[slot];
    r.type = fact.type;
    r.policy = &policy;
  }
  for (auto i : info.interpretations) {
    auto& r = out.facts.emplace_back();
    r.path = texts.interpretation_path[i];
    r.description = policy.interpretations[i].phrase;
    r.given = Value::of_bool(facts.interpretation(policy, i));
    r.policy = &policy;
  }
  if (depth >= kMaxDepth) return out;
  std::int32_t single = -1;
  const auto children = parts(policy, c, single);
  // The parts with the condition's own value, else (for a known one) those with the opposite.
  Tri shown = out.value;
  const auto has = [&](Tri value) {
    return std::any_of(children.begin(), children.end(), [&](std::int32_t child) { return decision.conditions[child] == value; });
  };
  if (!has(shown)) {
    if (out.value == Tri::unknown) return out;
    shown = tri_not(out.value);
  }
  out.because.reserve(static_cast<std::size_t>(
      std::count_if(children.begin(), children.end(), [&](std::int32_t child) { return decision.conditions[child] == shown; })));
  for (auto child : children) {
    if (decision.conditions[child] != shown) continue;
    auto n = node(policy, texts, facts, decision, child, depth + 1);
    if (n.text == out.text && n.because.empty()) continue;  // a definition that only restates itself
    out.because.push_back(std::move(n));
  }
  return out;
}

}  // namespace

FactRead fact_read(const Policy& policy, const Facts& facts, std::int32_t fact) {
  const auto& info = policy.facts[fact];
  FactRead r;
  r.fact = fact;
  r.path = info.path;
  r.description = info.description;
  r.given = facts.values[fact];
  r.type = info.type;
  r.policy = &policy;
  return r;
}

nlohmann::json FactRead::value() const {
  if (fact < 0) return given.integer != 0;  // a reading is always taken or not
  return policy ? value_to_json(*policy, given, type) : nlohmann::json();
}

std::string FactRead::value_words() const {
  if (fact < 0) return given.integer ? "yes (this reading is taken)" : "no (this reading is not taken)";
  return policy ? words_of(*policy, given, type) : "not given";
}

ConditionNode condition_node(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t condition) {
  return node(policy, explain_texts(policy), facts, decision, condition, 0);
}

ExceptionView exception_view(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t rule) {
  ExceptionView view;
  view.rule = rule;
  view.defeated_by = decision.rules[rule].defeated_by;
  view.maybe_defeated_by = decision.rules[rule].maybe_defeated_by;
  std::size_t failing = 0, unknown = 0;  // counted first: a node is large to move
  for (auto c : policy.rules[rule].top_conditions) {
    failing += decision.conditions[c] == Tri::false_;
    unknown += decision.conditions[c] == Tri::unknown;
  }
  view.failing.reserve(failing);
  view.unknown.reserve(unknown);
  for (auto c : policy.rules[rule].top_conditions) {
    auto value = decision.conditions[c];
    if (value == Tri::false_) view.failing.push_back(condition_node(policy, facts, decision, c));
    else if (value == Tri::unknown) view.unknown.push_back(condition_node(policy, facts, decision, c));
  }
  return view;
}

namespace {

// ruled_out_view(), written into a view in place (explain() lists a score of them).
void fill_ruled_out(const Policy& policy, const ExplainTexts& texts, const Decision& decision, std::int32_t rule, ExceptionView& view) {
  view.rule = rule;
  const auto& verdict = decision.rules[rule];
  if (!verdict.defeated_by.empty()) view.defeated_by = verdict.defeated_by;
  if (!verdict.maybe_defeated_by.empty()) view.maybe_defeated_by = verdict.maybe_defeated_by;
  const auto& top = policy.rules[rule].top_conditions;
  std::size_t failing = 0;
  for (auto c : top) failing += decision.conditions[c] == Tri::false_;
  view.failing.resize(failing);
  auto* brief = view.failing.data();
  for (auto c : top)
    if (decision.conditions[c] == Tri::false_) {
      brief->index = c;
      brief->text = texts.condition_text[c];
      brief->cite = texts.condition_cite[c];
      brief->value = Tri::false_;
      ++brief;
    }
}

}  // namespace

ExceptionView ruled_out_view(const Policy& policy, const Decision& decision, std::int32_t rule) {
  ExceptionView view;
  fill_ruled_out(policy, explain_texts(policy), decision, rule, view);
  return view;
}

Explanation explain(const Policy& policy, const Facts& facts, const Decision& decision, const ExplainOptions& options) {
  Explanation out;
  out.outcome = decision.outcome;
  // Closest exceptions: ranked once, for the summary's nearest miss and for the list.
  const auto ranks = rank_exceptions(policy, decision);
  out.summary = summary(policy, decision, ranks);
  out.grounds.reserve(decision.authorities.size());
  for (auto a : decision.authorities) {
    Ground g;
    g.rule = a;
    const auto& top = policy.rules[a].top_conditions;
    g.holds.reserve(static_cast<std::size_t>(std::count_if(top.begin(), top.end(), [&](std::int32_t c) { return decision.conditions[c] == Tri::true_; })));
    for (auto c : top)
      if (decision.conditions[c] == Tri::true_) g.holds.push_back(condition_node(policy, facts, decision, c));
    if (policy.rules[a].is_limit())
      for (auto e : policy.rules[a].exception_to)
        if (decision.rules[e].applies == Tri::true_) g.defeated.push_back(e);
    out.grounds.push_back(std::move(g));
    if (decision.outcome == Outcome::permitted)
      for (const auto& o : policy.rules[a].obligations) out.obligations.push_back({a, o});
  }
  // The closest exceptions, and every exception tied with the last one shown,
  // so a cut never hides an equally close one.
  const auto& all = ranks;
  out.closest.reserve(std::min(all.size(), options.max_exceptions + 1));
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i >= options.max_exceptions && (i == 0 || all[i].closeness() != all[i - 1].closeness())) {
      // The rest, briefly: a memo says why every other exception is ruled out.
      out.others.reserve(all.size() - i);
      const auto& texts = explain_texts(policy);
      for (std::size_t j = i; j < all.size(); ++j)
        if (all[j].failing > 0) fill_ruled_out(policy, texts, decision, all[j].rule, out.others.emplace_back());
      break;
    }
    out.closest.push_back(exception_view(policy, facts, decision, all[i].rule));
  }
  out.interpretations = decision.interpretations;
  out.unknown_facts.reserve(decision.unknown_facts.size());
  for (auto slot : decision.unknown_facts) out.unknown_facts.push_back(fact_read(policy, facts, slot));
  if (decision.outcome == Outcome::undetermined && options.next_questions > 0) {
    QuestionLimits limits;
    limits.max_questions = options.next_questions;
    out.next_questions = next_questions(policy, facts, decision, {}, limits);
  }
  if (options.counterfactuals) out.counterfactuals = counterfactuals(policy, facts, decision, options.counterfactual_limits);
  return out;
}

}  // namespace proviso
