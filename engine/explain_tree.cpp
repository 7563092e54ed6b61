// The explanation tree: what decides a request, what it rests on, which
// exceptions came closest and why each fails. Data only; explain_memo.cpp and
// explain_json.cpp turn it into words.
#include <algorithm>
#include <bit>
#include <span>

#include "explain_rank.hpp"

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

// The parts of a condition that may give it its value: a block's parts, or a
// definition's meaning's (or the meaning itself when it is no block). Which of
// them a node shows depends on their values (TreeBuilder::shown_value).
struct Parts {
  std::span<const std::int32_t> block;  // a block's parts, of every value
  std::int32_t single = -1;             // or the one part of a definition whose meaning is not a block
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
    if (count == 0) return {static_cast<std::uint32_t>(tree_.nodes.size()), 0};
    const auto first = add_nodes(count);
    auto at = first;
    for (auto c : conditions)
      if (decision_.conditions[c] == value) fill(at++, c, 0);
    return {first, count};
  }

  // The nodes of those of `conditions` whose bit is set in `mask` (bit k: conditions[k]).
  NodeList masked_roots(std::span<const std::int32_t> conditions, std::uint64_t mask) {
    const auto count = static_cast<std::uint32_t>(std::popcount(mask));
    if (count == 0) return {static_cast<std::uint32_t>(tree_.nodes.size()), 0};
    const auto first = add_nodes(count);
    auto at = first;
    for (; mask; mask &= mask - 1) fill(at++, conditions[static_cast<std::size_t>(std::countr_zero(mask))], 0);
    return {first, count};
  }

  ExceptionView exception_view(std::int32_t rule) {
    auto view = view_of(rule);
    const auto& top = policy_.rules[rule].top_conditions;
    view.failing = roots(top, Tri::false_);
    view.unknown = roots(top, Tri::unknown);
    return view;
  }
  // The same for the i-th of a ranking, from its masks when it has them.
  ExceptionView exception_view(const ExceptionRanking& ranks, std::size_t i, std::int32_t rule) {
    if (!ranks.has_masks(i)) return exception_view(rule);
    auto view = view_of(rule);
    const auto& top = policy_.rules[rule].top_conditions;
    const auto& masks = ranks.masks(i);
    view.failing = masked_roots(top, masks.false_);
    view.unknown = masked_roots(top, masks.open & ~masks.false_);
    return view;
  }

  // Node `at` of the tree, made, filled for condition c.
  void fill(std::uint32_t at, std::int32_t c, int depth) {
    auto& node = tree_.nodes[at];
    node.index = c;
    node.text = texts_.condition_text[c];
    node.cite = texts_.condition_cite[c];
    node.value = decision_.conditions[c];
    auto& reads = tree_.reads;
    const auto first_read = static_cast<std::uint32_t>(reads.size());
    for (auto k = texts_.tree_reads_at[c], end = texts_.tree_reads_at[c + 1]; k < end; ++k) {
      // fact_read(policy, facts, slot) (or a reading's), made in place: the
      // value's fields set one by one, its string copied only when it has one.
      const auto& from = texts_.tree_reads[k];
      auto& read = reads.emplace_back();
      read.fact = from.fact;
      read.path = from.path;
      read.description = from.description;
      read.type = from.type;
      read.policy = &policy_;
      if (from.fact >= 0) {
        const auto& value = facts_.values[static_cast<std::size_t>(from.fact)];
        read.given.kind = value.kind;
        read.given.known = value.known;
        read.given.integer = value.integer;
        read.given.decimal = value.decimal;
        read.given.bits = value.bits;
        read.given.unit = value.unit;
        if (!value.text.empty()) [[unlikely]] read.given.text = value.text;
      } else {
        read.given.known = true;  // Value::of_bool
        read.given.integer = facts_.interpretation(policy_, from.interpretation);
      }
    }
    node.facts = {first_read, static_cast<std::uint32_t>(reads.size()) - first_read};
    if (depth >= kMaxDepth) return;
    const auto first_part = texts_.tree_parts_at[c], end_part = texts_.tree_parts_at[c + 1];
    const auto shown = shown_value(c, first_part, end_part);
    if (shown == kNoneShown) return;
    std::uint32_t kept = 0;
    for (auto k = first_part; k < end_part; ++k) kept += shows(k, shown, depth + 1);
    if (kept == 0) return;
    const auto first = add_nodes(kept);  // `node` moves with the vector: set by index
    tree_.nodes[at].because = {first, kept};
    auto next = first;
    for (auto k = first_part; k < end_part; ++k)
      if (shows(k, shown, depth + 1)) fill(next++, texts_.tree_parts[k], depth + 1);
  }

 private:
  ExceptionView view_of(std::int32_t rule) const {
    ExceptionView view;
    view.rule = rule;
    // Copied only when not empty (they almost always are): a call each saved.
    if (const auto& by = decision_.rules[rule].defeated_by; !by.empty()) view.defeated_by = by;
    if (const auto& by = decision_.rules[rule].maybe_defeated_by; !by.empty()) view.maybe_defeated_by = by;
    return view;
  }
  static constexpr std::uint8_t kNoneShown = 0xff;
  // Which parts a node shows: those with the condition's own value, else (for
  // a known one) those with the opposite; kNoneShown when none has either.
  std::uint8_t shown_value(std::int32_t c, std::uint32_t first_part, std::uint32_t end_part) const {
    const Tri own = decision_.conditions[c], opposite = tri_not(own);
    std::size_t with_own = 0, with_opposite = 0;
    for (auto k = first_part; k < end_part; ++k) {
      const auto value = decision_.conditions[texts_.tree_parts[k]];
      with_own += value == own;
      with_opposite += value == opposite;
    }
    if (with_own > 0) return static_cast<std::uint8_t>(own);
    if (own == Tri::unknown || with_opposite == 0) return kNoneShown;
    return static_cast<std::uint8_t>(opposite);
  }
  // Whether part k (of tree_parts) is shown as a node `depth` deep, its parent
  // showing the parts whose value is `shown`: it has that value, and it is not
  // a definition that only restates its parent (the same text, and no parts of its own shown).
  bool shows(std::uint32_t k, std::uint8_t shown, int depth) const {
    const auto child = texts_.tree_parts[k];
    if (static_cast<std::uint8_t>(decision_.conditions[child]) != shown) return false;
    return !texts_.tree_part_restates[k] || has_parts(child, depth);
  }
  bool has_parts(std::int32_t c, int depth) const {
    if (depth >= kMaxDepth) return false;
    const auto first_part = texts_.tree_parts_at[c], end_part = texts_.tree_parts_at[c + 1];
    const auto shown = shown_value(c, first_part, end_part);
    if (shown == kNoneShown) return false;
    for (auto k = first_part; k < end_part; ++k)
      if (shows(k, shown, depth + 1)) return true;
    return false;
  }
  // `count` nodes at the end of the tree, to be filled; the first's index.
  std::uint32_t add_nodes(std::size_t count) {
    const auto first = static_cast<std::uint32_t>(tree_.nodes.size());
    for (std::size_t i = 0; i < count; ++i) tree_.nodes.emplace_back();  // inline: resize() is a call and a loop
    return first;
  }

  const Policy& policy_;
  const ExplainTexts& texts_;
  const Facts& facts_;
  const Decision& decision_;
  ConditionTree& tree_;
};

}  // namespace

void add_tree_tables(const Policy& policy, ExplainTexts& texts) {
  texts.tree_parts_at.reserve(policy.conditions.size() + 1);
  texts.tree_reads_at.reserve(policy.conditions.size() + 1);
  texts.tree_parts_at.push_back(0);
  texts.tree_reads_at.push_back(0);
  for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
    const auto parts = parts_of(policy, static_cast<std::int32_t>(c));
    for (auto part : parts.all()) {
      texts.tree_parts.push_back(part);
      texts.tree_part_restates.push_back(texts.condition_text[part] == texts.condition_text[c]);
    }
    texts.tree_parts_at.push_back(static_cast<std::uint32_t>(texts.tree_parts.size()));
    const auto& info = policy.conditions[c];
    for (auto slot : info.facts) {
      const auto& fact = policy.facts[slot];
      texts.tree_reads.push_back({slot, -1, fact.path, fact.description, fact.type});
    }
    for (auto i : info.interpretations)
      texts.tree_reads.push_back({-1, i, texts.interpretation_path[i], policy.interpretations[i].phrase, Type{}});
    texts.tree_reads_at.push_back(static_cast<std::uint32_t>(texts.tree_reads.size()));
  }
}

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
  ExceptionRanking ranks;
  rank_exceptions(policy, decision, ranks);
  ExceptionRank nearest;
  if (!ranks.empty()) nearest = ranks[0];
  out.summary = summary(policy, decision, ranks.empty() ? nullptr : &nearest);
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
  out.closest.reserve(std::min(ranks.size(), options.max_exceptions + 1));
  ExceptionRank previous;
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const auto rank = i == 0 ? nearest : ranks[i];
    if (i >= options.max_exceptions && (i == 0 || rank.closeness() != previous.closeness())) {
      ranks.list_others(policy, decision, i, out);  // the rest, briefly: a memo says why each is ruled out
      break;
    }
    out.closest.push_back(builder.exception_view(ranks, i, rank.rule));
    previous = rank;
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
