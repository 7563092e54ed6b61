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
// the true parts; for an unknown one the unknown parts.
struct Parts {
  std::span<const std::int32_t> block;  // a block's parts, of every value
  std::int32_t single = -1;             // or the one part of a definition whose meaning is not a block
  Tri shown = Tri::unknown;             // the value of the parts shown
  std::size_t count = 0;                // how many have it
  std::span<const std::int32_t> all() const { return single >= 0 ? std::span<const std::int32_t>{&single, 1} : block; }
};

Parts parts_of(const Policy& policy, std::int32_t condition) {
  Parts p;
  const auto& info = policy.conditions[condition];
  if (!info.children.empty()) {
    p.block = info.children;
  } else if (info.definition >= 0) {
    auto means = policy.definitions[info.definition].condition;
    if (means < 0 || means == condition) return p;
    const auto& m = policy.conditions[means];
    if (!m.children.empty()) p.block = m.children;
    else p.single = means;
  }
  return p;
}

// The builder of an explanation's condition nodes: each node's parts are made
// one after another in the tree (counted first), then each filled, depth first.
class TreeBuilder {
 public:
  TreeBuilder(const Policy& policy, const Facts& facts, const Decision& decision, ConditionTree& tree)
      : policy_(policy), texts_(explain_texts(policy)), facts_(facts), decision_(decision), tree_(tree) {}

  // The nodes of those of `conditions` whose value is `value`, one after another.
  NodeList roots(std::span<const std::int32_t> conditions, Tri value) {
    std::uint32_t count = 0;
    for (auto c : conditions) count += decision_.conditions[c] == value;
    const auto first = static_cast<std::uint32_t>(tree_.nodes.size());
    if (count == 0) return {first, 0};
    tree_.nodes.resize(first + count);
    auto at = first;
    for (auto c : conditions)
      if (decision_.conditions[c] == value) fill(at++, c, 0);
    return {first, count};
  }

  ExceptionView exception_view(std::int32_t rule) {
    ExceptionView view;
    view.rule = rule;
    view.defeated_by = decision_.rules[rule].defeated_by;
    view.maybe_defeated_by = decision_.rules[rule].maybe_defeated_by;
    const auto& top = policy_.rules[rule].top_conditions;
    view.failing = roots(top, Tri::false_);
    view.unknown = roots(top, Tri::unknown);
    return view;
  }

  // Node `at` of the tree, made, filled for condition c.
  void fill(std::uint32_t at, std::int32_t c, int depth) {
    auto& node = tree_.nodes[at];
    node.index = c;
    node.text = texts_.condition_text[c];
    node.cite = texts_.condition_cite[c];
    node.value = decision_.conditions[c];
    const auto& info = policy_.conditions[c];
    auto& reads = tree_.reads;
    const auto first_read = static_cast<std::uint32_t>(reads.size());
    for (auto slot : info.facts) {  // fact_read(policy, facts, slot), made in place
      const auto& fact = policy_.facts[slot];
      reads.emplace_back(slot, fact.path, fact.description, facts_.values[slot], fact.type, &policy_);
    }
    for (auto i : info.interpretations)
      reads.emplace_back(-1, texts_.interpretation_path[i], policy_.interpretations[i].phrase,
                         Value::of_bool(facts_.interpretation(policy_, i)), Type{}, &policy_);
    node.facts = {first_read, static_cast<std::uint32_t>(reads.size()) - first_read};
    if (depth >= kMaxDepth) return;
    auto parts = shown_parts(c);
    if (parts.count == 0) return;
    std::uint32_t kept = 0;
    for (auto child : parts.all()) kept += decision_.conditions[child] == parts.shown && keeps(child, c, depth + 1);
    if (kept == 0) return;
    const auto first = static_cast<std::uint32_t>(tree_.nodes.size());
    tree_.nodes.resize(first + kept);  // `node` moves with the vector: set by index
    tree_.nodes[at].because = {first, kept};
    auto next = first;
    for (auto child : parts.all())
      if (decision_.conditions[child] == parts.shown && keeps(child, c, depth + 1)) fill(next++, child, depth + 1);
  }

 private:
  // The parts with the condition's own value, else (for a known one) those with the opposite.
  Parts shown_parts(std::int32_t c) const {
    auto parts = parts_of(policy_, c);
    const Tri own = decision_.conditions[c], opposite = tri_not(own);
    std::size_t with_own = 0, with_opposite = 0;
    for (auto child : parts.all()) {
      with_own += decision_.conditions[child] == own;
      with_opposite += decision_.conditions[child] == opposite;
    }
    parts.shown = own;
    parts.count = with_own;
    if (with_own == 0) {
      parts.count = own == Tri::unknown ? 0 : with_opposite;
      parts.shown = opposite;
    }
    return parts;
  }
  // Whether a part is shown under its parent: not a definition that only
  // restates it (the same text, and no parts of its own shown).
  bool keeps(std::int32_t child, std::int32_t parent, int depth) const {
    return texts_.condition_text[child] != texts_.condition_text[parent] || has_parts(child, depth);
  }
  bool has_parts(std::int32_t c, int depth) const {
    if (depth >= kMaxDepth) return false;
    auto parts = shown_parts(c);
    if (parts.count == 0) return false;
    for (auto child : parts.all())
      if (decision_.conditions[child] == parts.shown && keeps(child, c, depth + 1)) return true;
    return false;
  }

  const Policy& policy_;
  const ExplainTexts& texts_;
  const Facts& facts_;
  const Decision& decision_;
  ConditionTree& tree_;
};

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

ConditionNode condition_node(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t condition,
                             ConditionTree& tree) {
  TreeBuilder builder(policy, facts, decision, tree);
  const auto at = static_cast<std::uint32_t>(tree.nodes.size());
  tree.nodes.emplace_back();
  builder.fill(at, condition, 0);
  return tree.nodes[at];
}

ExceptionView exception_view(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t rule,
                             ConditionTree& tree) {
  TreeBuilder builder(policy, facts, decision, tree);
  return builder.exception_view(rule);
}

Explanation explain(const Policy& policy, const Facts& facts, const Decision& decision, const ExplainOptions& options) {
  Explanation out;
  out.outcome = decision.outcome;
  // Closest exceptions: ranked once, for the summary's nearest miss and for the list.
  const auto ranks = rank_exceptions(policy, decision);
  out.summary = summary(policy, decision, ranks);
  // Some 38 nodes reading some 60 facts, in most explanations.
  out.tree.nodes.reserve(64);
  out.tree.reads.reserve(128);
  TreeBuilder builder(policy, facts, decision, out.tree);
  out.grounds.reserve(decision.authorities.size());
  for (auto a : decision.authorities) {
    auto& g = out.grounds.emplace_back();
    g.rule = a;
    g.holds = builder.roots(policy.rules[a].top_conditions, Tri::true_);
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
      // Each top-level condition written, and kept when false: no branch a
      // condition. The room: every top-level condition of those listed, and one.
      std::size_t listed = 0, top = 0;
      for (std::size_t j = i; j < all.size(); ++j)
        if (all[j].failing > 0) {
          ++listed;
          top += policy.rules[all[j].rule].top_conditions.size();
        }
      out.others.reserve(listed);
      out.others_failing.resize(top + 1);
      auto* next = out.others_failing.data();
      for (std::size_t j = i; j < all.size(); ++j) {
        if (all[j].failing == 0) continue;
        const auto* first = next;
        for (auto c : policy.rules[all[j].rule].top_conditions) {
          *next = c;
          next += decision.conditions[c] == Tri::false_;
        }
        out.others.push_back({all[j].rule, static_cast<std::uint32_t>(first - out.others_failing.data()),
                              static_cast<std::uint32_t>(next - first)});
      }
      out.others_failing.resize(static_cast<std::size_t>(next - out.others_failing.data()));
      break;
    }
    out.closest.push_back(builder.exception_view(all[i].rule));
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
