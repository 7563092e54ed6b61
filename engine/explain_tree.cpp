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

// A condition with why it has its value, written into `out` (a node freshly
// made in its parent's list: built in place, as a node is large to move).
void fill_node(const Policy& policy, const ExplainTexts& texts, const Facts& facts, const Decision& decision, std::int32_t c,
               int depth, ConditionNode& out) {
  out.index = c;
  out.text = texts.condition_text[c];
  out.cite = texts.condition_cite[c];
  out.value = decision.conditions[c];
  const auto& info = policy.conditions[c];
  out.facts.reserve(info.facts.size() + info.interpretations.size());
  for (auto slot : info.facts) {  // fact_read(policy, facts, slot)
    const auto& fact = policy.facts[slot];
    out.facts.push_back(FactRead{slot, fact.path, fact.description, facts.values[slot], fact.type, &policy});
  }
  for (auto i : info.interpretations)
    out.facts.push_back(FactRead{-1, texts.interpretation_path[i], policy.interpretations[i].phrase,
                                 Value::of_bool(facts.interpretation(policy, i)), Type{}, &policy});
  if (depth >= kMaxDepth) return;
  std::int32_t single = -1;
  const auto children = parts(policy, c, single);
  // The parts with the condition's own value, else (for a known one) those with the opposite.
  const Tri opposite = tri_not(out.value);
  std::size_t with_own = 0, with_opposite = 0;
  for (auto child : children) {
    with_own += decision.conditions[child] == out.value;
    with_opposite += decision.conditions[child] == opposite;
  }
  Tri shown = out.value;
  std::size_t count = with_own;
  if (with_own == 0) {
    if (out.value == Tri::unknown) return;
    shown = opposite;
    count = with_opposite;
  }
  if (count == 0) return;
  out.because.reserve(count);
  for (auto child : children) {
    if (decision.conditions[child] != shown) continue;
    auto& n = out.because.emplace_back();
    fill_node(policy, texts, facts, decision, child, depth + 1, n);
    if (n.text == out.text && n.because.empty()) out.because.pop_back();  // a definition that only restates itself
  }
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
  ConditionNode out;
  fill_node(policy, explain_texts(policy), facts, decision, condition, 0, out);
  return out;
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
  const auto& texts = explain_texts(policy);
  for (auto c : policy.rules[rule].top_conditions) {
    auto value = decision.conditions[c];
    if (value == Tri::false_) fill_node(policy, texts, facts, decision, c, 0, view.failing.emplace_back());
    else if (value == Tri::unknown) fill_node(policy, texts, facts, decision, c, 0, view.unknown.emplace_back());
  }
  return view;
}

Explanation explain(const Policy& policy, const Facts& facts, const Decision& decision, const ExplainOptions& options) {
  Explanation out;
  out.outcome = decision.outcome;
  // Closest exceptions: ranked once, for the summary's nearest miss and for the list.
  const auto ranks = rank_exceptions(policy, decision);
  out.summary = summary(policy, decision, ranks);
  const auto& texts = explain_texts(policy);
  out.grounds.reserve(decision.authorities.size());
  for (auto a : decision.authorities) {
    auto& g = out.grounds.emplace_back();
    g.rule = a;
    const auto& top = policy.rules[a].top_conditions;
    g.holds.reserve(static_cast<std::size_t>(std::count_if(top.begin(), top.end(), [&](std::int32_t c) { return decision.conditions[c] == Tri::true_; })));
    for (auto c : top)
      if (decision.conditions[c] == Tri::true_) fill_node(policy, texts, facts, decision, c, 0, g.holds.emplace_back());
    if (policy.rules[a].is_limit())
      for (auto e : policy.rules[a].exception_to)
        if (decision.rules[e].applies == Tri::true_) g.defeated.push_back(e);
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
      std::size_t listed = 0, failing = 0;
      for (std::size_t j = i; j < all.size(); ++j) {
        listed += all[j].failing > 0;
        failing += all[j].failing;
      }
      out.others.reserve(listed);
      out.others_failing.reserve(failing);
      for (std::size_t j = i; j < all.size(); ++j) {
        if (all[j].failing == 0) continue;
        const auto first = static_cast<std::uint32_t>(out.others_failing.size());
        for (auto c : policy.rules[all[j].rule].top_conditions)
          if (decision.conditions[c] == Tri::false_) out.others_failing.push_back(c);
        out.others.push_back({all[j].rule, first, static_cast<std::uint32_t>(out.others_failing.size()) - first});
      }
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
