// The explanation's condition nodes, all in one ConditionTree (engine/explain_tree.cpp):
// against the nested nodes the tree was once built as (a vector of facts and
// of parts in each node, kept here as the oracle), on every § 6103 scenario and
// on thousands of random requests; and an Explanation copied, moved and
// assigned renders as the original did.
#include <doctest/doctest.h>

#include <random>

#include "bench/rulegen.hpp"
#include "builtin_fixture.hpp"
#include "engine/explain.hpp"
#include "engine/load.hpp"
#include "random_facts.hpp"

using namespace proviso;

namespace {

// A condition node as explain_tree.cpp built it before the ConditionTree.
struct NestedNode {
  std::int32_t index = -1;
  std::string_view text;
  const Citation* cite = nullptr;
  Tri value = Tri::unknown;
  std::vector<FactRead> facts;
  std::vector<NestedNode> because;
};

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

// The old fill_node, as it was: the parts with the node's own value, else the
// opposite ones; a part that only restates its parent (same text, no parts) dropped.
NestedNode nested(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t c, int depth) {
  const auto& texts = explain_texts(policy);
  NestedNode out;
  out.index = c;
  out.text = texts.condition_text[c];
  out.cite = texts.condition_cite[c];
  out.value = decision.conditions[c];
  const auto& info = policy.conditions[c];
  for (auto slot : info.facts) out.facts.push_back(fact_read(policy, facts, slot));
  for (auto i : info.interpretations)
    out.facts.push_back(FactRead{-1, texts.interpretation_path[i], policy.interpretations[i].phrase,
                                 Value::of_bool(facts.interpretation(policy, i)), Type{}, &policy});
  if (depth >= 4) return out;
  std::int32_t single = -1;
  const auto children = parts(policy, c, single);
  const Tri opposite = tri_not(out.value);
  std::size_t with_own = 0, with_opposite = 0;
  for (auto child : children) {
    with_own += decision.conditions[child] == out.value;
    with_opposite += decision.conditions[child] == opposite;
  }
  Tri shown = out.value;
  if (with_own == 0) {
    if (out.value == Tri::unknown || with_opposite == 0) return out;
    shown = opposite;
  }
  for (auto child : children) {
    if (decision.conditions[child] != shown) continue;
    auto n = nested(policy, facts, decision, child, depth + 1);
    if (n.text == out.text && n.because.empty()) continue;
    out.because.push_back(std::move(n));
  }
  return out;
}

std::vector<NestedNode> nested_top(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t rule, Tri value) {
  std::vector<NestedNode> out;
  for (auto c : policy.rules[rule].top_conditions)
    if (decision.conditions[c] == value) out.push_back(nested(policy, facts, decision, c, 0));
  return out;
}

struct Counts {
  std::size_t nodes = 0, reads = 0, deep = 0;
};

void same_read(const FactRead& got, const FactRead& want) {
  CHECK(got.fact == want.fact);
  CHECK(got.path == want.path);
  CHECK(got.description == want.description);
  CHECK(got.given.known == want.given.known);
  CHECK(got.given.integer == want.given.integer);
  CHECK(got.given.bits == want.given.bits);
  CHECK(got.given.text == want.given.text);
  CHECK(got.type == want.type);
  CHECK(got.policy == want.policy);
}

void same_node(const ConditionTree& tree, const ConditionNode& got, const NestedNode& want, Counts& counts, int depth = 0) {
  REQUIRE(got.index == want.index);
  CHECK(got.text.data() == want.text.data());  // the policy's own text, not a copy
  CHECK(got.text == want.text);
  CHECK(got.cite == want.cite);
  CHECK(got.value == want.value);
  const auto reads = tree.facts(got);
  REQUIRE(reads.size() == want.facts.size());
  for (std::size_t i = 0; i < reads.size(); ++i) same_read(reads[i], want.facts[i]);
  const auto because = tree.because(got);
  REQUIRE(because.size() == want.because.size());
  for (std::size_t i = 0; i < because.size(); ++i) same_node(tree, because[i], want.because[i], counts, depth + 1);
  ++counts.nodes;
  counts.reads += reads.size();
  counts.deep += depth >= 2;
}

void same_list(const ConditionTree& tree, NodeList list, const std::vector<NestedNode>& want, Counts& counts) {
  REQUIRE(list.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) same_node(tree, tree[list][i], want[i], counts);
}

// Every node of the explanation against the nested oracle; every node of the tree is reached once.
void same_as_nested(const Policy& policy, const Facts& facts, const Decision& decision, const Explanation& e, Counts& counts) {
  const auto before = counts.nodes;
  for (const auto& g : e.grounds) same_list(e.tree, g.holds, nested_top(policy, facts, decision, g.rule, Tri::true_), counts);
  for (const auto& x : e.closest) {
    same_list(e.tree, x.failing, nested_top(policy, facts, decision, x.rule, Tri::false_), counts);
    same_list(e.tree, x.unknown, nested_top(policy, facts, decision, x.rule, Tri::unknown), counts);
  }
  CHECK(counts.nodes - before == e.tree.nodes.size());  // no node made and then left out
}

// explain()'s closest exceptions and the others it lists, as explain_tree.cpp
// chose them from rank_exceptions()'s vector before the ranking kept its masks:
// the first max_exceptions and every one tied with the last shown, then the rest
// that fail some top-level condition, each with those conditions in the rule's order.
// Returns how many others were compared.
std::size_t same_choice(const Policy& policy, const Decision& decision, const Explanation& e, std::size_t max_exceptions) {
  const auto ranks = rank_exceptions(policy, decision);
  std::size_t shown = 0;
  while (shown < ranks.size() && (shown < max_exceptions || (shown > 0 && ranks[shown].closeness() == ranks[shown - 1].closeness())))
    ++shown;
  REQUIRE(e.closest.size() == shown);
  for (std::size_t i = 0; i < shown; ++i) {
    CHECK(e.closest[i].rule == ranks[i].rule);
    CHECK(e.closest[i].failing.size() == ranks[i].failing);
    CHECK(e.closest[i].unknown.size() == ranks[i].unknown);
    CHECK(e.closest[i].defeated_by == decision.rules[ranks[i].rule].defeated_by);
    CHECK(e.closest[i].maybe_defeated_by == decision.rules[ranks[i].rule].maybe_defeated_by);
  }
  std::vector<std::pair<std::int32_t, std::vector<std::int32_t>>> want;
  for (std::size_t i = shown; i < ranks.size(); ++i) {
    if (ranks[i].failing == 0) continue;
    auto& [rule, failing] = want.emplace_back(ranks[i].rule, std::vector<std::int32_t>{});
    for (auto c : policy.rules[rule].top_conditions)
      if (decision.conditions[c] == Tri::false_) failing.push_back(c);
  }
  REQUIRE(e.others.size() == want.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(e.others[i].rule == want[i].first);
    const auto got = e.failing(e.others[i]);
    CHECK(std::vector<std::int32_t>(got.begin(), got.end()) == want[i].second);
    total += want[i].second.size();
  }
  CHECK(e.others_failing.size() == total);
  return want.size();
}

ExplainOptions quick() {
  ExplainOptions options;
  options.counterfactuals = false;
  options.next_questions = 0;
  return options;
}

}  // namespace

TEST_CASE("the explanation's tree holds the nested nodes, on every scenario and on random requests") {
  const auto& policy = *testing::builtin_fixture().policy;
  Counts counts;
  std::size_t explanations = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    same_as_nested(policy, facts, decision, explain(policy, facts, decision, quick()), counts);
    ++explanations;
  });
  std::mt19937_64 rng(8);
  for (int unknown : {0, 10, 40, 80})
    for (int i = 0; i < 600; ++i) {
      INFO("unknown " << unknown << "%, request " << i);
      const auto facts = testing::random_facts(policy, rng, unknown);
      const auto decision = decide(policy, facts);
      same_as_nested(policy, facts, decision, explain(policy, facts, decision, quick()), counts);
      ++explanations;
    }
  MESSAGE(explanations << " explanations, " << counts.nodes << " nodes, " << counts.reads << " reads, " << counts.deep << " nodes two or more deep");
  CHECK(counts.nodes > 20 * explanations);
  CHECK(counts.reads > counts.nodes);
  CHECK(counts.deep > 1000);
}

TEST_CASE("explain() shows and lists the exceptions rank_exceptions ranks: scenarios, random requests, generated rule sets") {
  std::mt19937_64 rng(9);
  std::size_t explanations = 0, others = 0, several_forbids = 0;
  const auto check = [&](const Policy& policy, const Facts& facts, const Decision& decision, std::size_t max_exceptions) {
    auto options = quick();
    options.max_exceptions = max_exceptions;
    others += same_choice(policy, decision, explain(policy, facts, decision, options), max_exceptions);
    several_forbids += decision.outcome == Outcome::denied && decision.authorities.size() > 1;
    ++explanations;
  };
  const auto& builtin = *testing::builtin_fixture().policy;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    for (std::size_t max : {0, 1, 5}) check(builtin, facts, decision, max);
  });
  for (int unknown : {0, 10, 40, 80})
    for (int i = 0; i < 500; ++i) {
      const auto facts = testing::random_facts(builtin, rng, unknown);
      check(builtin, facts, decide(builtin, facts), static_cast<std::size_t>(i % 7));
    }
  for (int size : {10, 300}) {
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    REQUIRE(generated.policy);
    for (int i = 0; i < 500; ++i) {
      const auto facts = testing::random_facts(*generated.policy, rng, i % 2 ? 10 : 40);
      check(*generated.policy, facts, decide(*generated.policy, facts), 5);
    }
  }
  MESSAGE(explanations << " explanations, " << others << " others listed");
  CHECK(explanations > 3000);
  CHECK(others > 10 * explanations);
  CHECK(several_forbids > 0);
}

TEST_CASE("condition_node and exception_view add to a tree that already holds nodes, as the nested nodes") {
  const auto& policy = *testing::builtin_fixture().policy;
  Counts counts;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    auto e = explain(policy, facts, decision, quick());
    ConditionTree tree = e.tree;  // not empty: the new nodes go after these
    for (const auto& x : e.closest) {
      const auto view = exception_view(policy, facts, decision, x.rule, tree);
      CHECK(view.failing.first >= e.tree.nodes.size());
      same_list(tree, view.failing, nested_top(policy, facts, decision, x.rule, Tri::false_), counts);
      same_list(tree, view.unknown, nested_top(policy, facts, decision, x.rule, Tri::unknown), counts);
      CHECK(view.defeated_by == decision.rules[x.rule].defeated_by);
      for (auto c : policy.rules[x.rule].top_conditions)
        same_node(tree, condition_node(policy, facts, decision, c, tree), nested(policy, facts, decision, c, 0), counts);
    }
  });
  CHECK(counts.nodes > 10000);
}

TEST_CASE("an explanation copied, moved or assigned renders as the original did") {
  const auto& policy = *testing::builtin_fixture().policy;
  std::size_t checked = 0;
  Explanation previous;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    std::string json, memo, plain;
    Explanation copy, moved;
    {
      auto e = explain(policy, facts, decision, quick());
      json = explanation_json_text(policy, e);
      memo = explanation_to_memo(policy, e);
      plain = explanation_to_plain(policy, e);
      copy = e;
      moved = std::move(e);
      previous = copy;  // assigned over the previous scenario's, a tree of another size
    }  // e is gone: nothing may point into it
    for (const auto* x : {&copy, &moved, &previous}) {
      CHECK(explanation_json_text(policy, *x) == json);
      CHECK(explanation_to_json(policy, *x).dump() == json);
      CHECK(explanation_to_memo(policy, *x) == memo);
      CHECK(explanation_to_plain(policy, *x) == plain);
    }
    if (!copy.tree.nodes.empty()) CHECK(copy.tree.nodes.data() != moved.tree.nodes.data());
    ++checked;
  });
  CHECK(checked > 300);
}
