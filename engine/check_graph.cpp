// Definitions and exceptions as graphs: cycles, evaluation order and depth.
// Both are walked with an explicit stack, since a chain may be as long as the
// files allow; past the depth limits they are refused, because the evaluators,
// explanations, analyzer and exports follow them on the machine stack.
#include "check_graph.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

namespace proviso {
namespace {

void collect(const CExpr& e, CExpr::Op op, std::vector<std::int32_t>& out) {
  if (e.op == op) out.push_back(e.slot);
  for (const auto& a : e.args) collect(a, op, out);
}

class GraphChecker {
 public:
  GraphChecker(Policy& policy, Diagnostics& diagnostics) : policy_(policy), diagnostics_(diagnostics) {}

  // Definitions must not refer to each other in a cycle (E214), and a
  // condition must not nest deeper than the limit once the definitions it uses
  // are expanded (E219): evaluators and explanations descend through
  // definitions on the machine stack. Walked without recursion, since a chain
  // of definitions may be as long as the files allow.
  void check_definition_cycles() {
    const auto n = policy_.definitions.size();
    std::vector<std::vector<std::int32_t>> uses(n);
    for (std::size_t d = 0; d < n; ++d) collect(policy_.definitions[d].expr, CExpr::Op::definition, uses[d]);
    std::vector<std::int32_t> finished;  // each definition after those it uses
    const auto cycle_at = [&](const std::vector<std::int32_t>& path, std::int32_t u) {
      std::string cycle;
      for (auto it = std::find(path.begin(), path.end(), u); it != path.end(); ++it) cycle += "`" + policy_.definitions[*it].name + "` → ";
      cycle += "`" + policy_.definitions[u].name + "`";
      const auto& def = policy_.definitions[u];
      error(def.source, def.span, "E214", "definitions refer to each other in a cycle: " + cycle,
            "a definition may only use definitions that do not lead back to it");
    };
    if (!depth_first(n, uses, finished, cycle_at)) return;
    check_expanded_depth(uses, finished);
  }

  // Depth-first over a graph given as successor lists, on an explicit stack:
  // `finished` gets every node after all its successors; on a cycle calls
  // on_cycle(path, node closing it) and returns false.
  template <typename OnCycle>
  static bool depth_first(std::size_t n, const std::vector<std::vector<std::int32_t>>& next, std::vector<std::int32_t>& finished,
                          const OnCycle& on_cycle) {
    std::vector<std::uint8_t> state(n, 0);  // 0 new, 1 on the path, 2 done
    std::vector<std::int32_t> path;
    std::vector<std::size_t> cursor;        // per path entry: the next successor to visit
    for (std::size_t root = 0; root < n; ++root) {
      if (state[root] != 0) continue;
      path.push_back(static_cast<std::int32_t>(root));
      cursor.push_back(0);
      state[root] = 1;
      while (!path.empty()) {
        const auto node = path.back();
        if (cursor.back() < next[node].size()) {
          const auto succ = next[node][cursor.back()++];
          if (state[succ] == 1) {
            on_cycle(path, succ);
            return false;
          }
          if (state[succ] == 0) {
            state[succ] = 1;
            path.push_back(succ);
            cursor.push_back(0);
          }
          continue;
        }
        state[node] = 2;
        finished.push_back(node);
        path.pop_back();
        cursor.pop_back();
      }
    }
    return true;
  }

  static constexpr std::size_t kMaxExpandedDepth = 256;

  // How deep `e` nests once definitions are expanded (depth[d] known for those it uses).
  static std::size_t expanded_depth(const CExpr& e, const std::vector<std::size_t>& depth) {
    std::size_t below = e.op == CExpr::Op::definition && e.slot >= 0 ? depth[e.slot] : 0;
    for (const auto& a : e.args) below = std::max(below, expanded_depth(a, depth));
    return 1 + below;
  }

  void check_expanded_depth(const std::vector<std::vector<std::int32_t>>& uses, const std::vector<std::int32_t>& order) {
    std::vector<std::size_t> depth(policy_.definitions.size(), 0);
    for (auto d : order) {
      depth[d] = expanded_depth(policy_.definitions[d].expr, depth);
      if (depth[d] <= kMaxExpandedDepth) continue;
      // The chain that makes it deep: each step the deepest definition used.
      std::vector<std::int32_t> chain{d};
      while (chain.size() < 4 && !uses[chain.back()].empty())
        chain.push_back(*std::max_element(uses[chain.back()].begin(), uses[chain.back()].end(),
                                          [&](std::int32_t a, std::int32_t b) { return depth[a] < depth[b]; }));
      std::string words;
      for (auto c : chain) words += (words.empty() ? "`" : " → `") + policy_.definitions[c].name + "`";
      if (!uses[chain.back()].empty()) words += " → …";
      const auto& def = policy_.definitions[d];
      error(def.source, def.span, "E219",
            "definition `" + def.name + "` nests " + std::to_string(depth[d]) + " levels deep once the definitions it uses are expanded (" +
                words + "), more than the limit of " + std::to_string(kMaxExpandedDepth),
            "use fewer definitions that only restate another; a condition may nest at most " +
                std::to_string(kMaxExpandedDepth) + " levels, counting the definitions it uses");
      return;
    }
    for (const auto& rule : policy_.rules) {
      if (!rule.when) continue;
      const auto levels = expanded_depth(*rule.when, depth);
      if (levels <= kMaxExpandedDepth) continue;
      error(rule.source, rule.span, "E219",
            "the condition of rule `" + rule.id + "` nests " + std::to_string(levels) +
                " levels deep once the definitions it uses are expanded, more than the limit of " + std::to_string(kMaxExpandedDepth),
            "use fewer definitions that only restate another; a condition may nest at most " +
                std::to_string(kMaxExpandedDepth) + " levels, counting the definitions it uses");
      return;
    }
  }

  // The exception graph must be acyclic; its topological order is the evaluation order.
  void check_exception_graph() {
    auto& rules = policy_.rules;
    for (std::size_t r = 0; r < rules.size(); ++r)
      for (auto target : rules[r].exception_to) rules[target].defeaters.push_back(static_cast<std::int32_t>(r));
    std::vector<std::vector<std::int32_t>> defeaters(rules.size());
    for (std::size_t r = 0; r < rules.size(); ++r) defeaters[r] = rules[r].defeaters;
    const auto cycle_at = [&](const std::vector<std::int32_t>& path, std::int32_t d) {
      // Read as "is an exception to": d -> r -> ... -> d.
      auto from = std::find(path.begin(), path.end(), d);
      std::string cycle = "`" + rules[d].id + "`";
      for (auto it = path.rbegin(); it != std::make_reverse_iterator(from); ++it) cycle += " → `" + rules[*it].id + "`";
      error(rules[d].source, rules[d].span, "E303", "rules are exceptions to each other in a cycle: " + cycle,
            "an exception defeats the rule it names; remove one `exception to` in the cycle");
    };
    std::vector<std::int32_t> order;
    if (!depth_first(rules.size(), defeaters, order, cycle_at)) return;
    policy_.evaluation_order = std::move(order);
    check_exception_depth();
  }

  // Evaluators, the analyzer and the exports follow chains of exceptions on the
  // machine stack, so a chain longer than the limit is refused (E308).
  static constexpr std::size_t kMaxExceptionDepth = 256;

  void check_exception_depth() {
    const auto& rules = policy_.rules;
    std::vector<std::size_t> depth(rules.size(), 1);  // rules in the longest chain from this one down through `exception to`
    std::vector<std::int32_t> below(rules.size(), -1);
    for (auto it = policy_.evaluation_order.rbegin(); it != policy_.evaluation_order.rend(); ++it) {
      const auto r = *it;
      for (auto t : rules[r].exception_to)
        if (depth[t] + 1 > depth[r]) {
          depth[r] = depth[t] + 1;
          below[r] = t;
        }
      if (depth[r] <= kMaxExceptionDepth) continue;
      std::string chain = "`" + rules[r].id + "`";
      auto step = below[r];
      for (int shown = 0; shown < 3 && step >= 0; ++shown, step = below[step]) chain += " → `" + rules[step].id + "`";
      if (step >= 0) chain += " → …";
      error(rules[r].source, rules[r].span, "E308",
            "rule `" + rules[r].id + "` is an exception in a chain of " + std::to_string(depth[r]) +
                " rules, each an exception to the next (" + chain + "), more than the limit of " + std::to_string(kMaxExceptionDepth),
            "make the exceptions to the same rule siblings (`exception to` that rule) rather than a chain; at most " +
                std::to_string(kMaxExceptionDepth) + " rules may be chained");
      return;
    }
  }

 private:
  void error(SourceId source, Span span, std::string code, std::string message, std::string help) {
    diagnostics_.push_back({.code = std::move(code), .severity = Severity::error, .source = source, .span = span,
                            .message = std::move(message), .help = std::move(help), .location = {}});
  }

  Policy& policy_;
  Diagnostics& diagnostics_;
};

}  // namespace

void check_definition_graph(Policy& policy, Diagnostics& diagnostics) { GraphChecker(policy, diagnostics).check_definition_cycles(); }

void check_exception_graph(Policy& policy, Diagnostics& diagnostics) { GraphChecker(policy, diagnostics).check_exception_graph(); }

}  // namespace proviso
