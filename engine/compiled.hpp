// The compiled evaluation form of a Policy and the fast decide: conditions as
// flat node arrays over interned fact slots, rules indexed by their guards,
// no allocation per decision once the scratch is warm, no trace.
// It must agree with engine/eval.cpp's decide() on outcome and authorities;
// tests/unit/fast_eval_test.cpp checks that on every scenario and on random requests.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eval.hpp"
#include "facts.hpp"
#include "policy.hpp"

namespace proviso {

// A request's facts in the fast layout, in one allocation so a decision
// touches a few adjacent cache lines: one 8-byte cell per slot (integer, date,
// enum index, bool, duration amount, decimal bits, enum-set bits, or for a
// string the id of the policy's string constant it equals, kNoText if none),
// then a known byte per slot and the interpretation settings. The strings
// themselves are aside (read only by comparisons other than `== "…"`).
// Reused across decisions: reset() clears the known bytes and settings.
struct FastFacts {
  static constexpr std::uint64_t kNoText = ~std::uint64_t{0};

  std::span<std::uint64_t> cells;
  std::span<std::uint8_t> known;
  std::span<std::int8_t> interpretations;    // -1 default, 0 false, 1 true
  std::vector<std::string> strings;          // by slot; only string facts use theirs

  FastFacts() = default;
  FastFacts(std::size_t slots, std::size_t interpretation_count);
  FastFacts(const FastFacts& other);
  FastFacts& operator=(const FastFacts& other);
  FastFacts(FastFacts&&) noexcept = default;  // the spans point into the moved block, which stays put
  FastFacts& operator=(FastFacts&&) noexcept = default;

  void reset() {
    std::fill(known.begin(), known.end(), std::uint8_t{0});
    std::fill(interpretations.begin(), interpretations.end(), std::int8_t{-1});
  }

 private:
  void lay_out(std::size_t slots, std::size_t interpretation_count);
  std::unique_ptr<std::uint64_t[]> block_;
  std::size_t words_ = 0;
};

// One node of a compiled expression. Children of and/or are a range of `kids`.
struct FastNode {
  enum class Op : std::uint8_t {
    constant, fact, interpretation, definition, not_, and_, or_, is_known,
    // a fact compared with a constant: the common shapes, one load and one compare
    fact_eq_k,          // integer-like fact == k
    fact_in_k,          // enum fact in the set k
    fact_superset_k,    // set fact superset of k
    fact_subset_k,      // set fact subset of k
    fact_intersects_k,  // set fact intersects k
    fact_eq_text,       // string fact == texts[k]
    fact_lt_k, fact_le_k, fact_gt_k, fact_ge_k,  // integer or date fact compared with k (int64)
    // the general forms, both operands evaluated as values
    eq, lt, le, gt, ge, in, subset, superset, intersects, add, sub, negate,
    // only in a rule's test sequence: the truth of the subtree at node `a`
    subtree,
  };
  Op op = Op::constant;
  TypeKind kind = TypeKind::boolean;  // the node's value type
  bool known = true;                  // constant: whether it is known
  std::uint8_t unit = 0;              // constant durations: ast::DurationUnit
  std::int32_t a = -1;                // slot, child, first kid, interpretation or definition
  std::int32_t b = -1;                // second child, or kid count
  std::uint64_t k = 0;                // constant payload (int64, double bits or set bits); strings: index in texts
};

// One test of a rule's flat conjunction: a leaf shape of FastNode (op, a, k),
// a memoised definition, or `subtree` for anything else.
struct FastTest {
  FastNode::Op op = FastNode::Op::subtree;
  std::int32_t a = -1;
  std::uint64_t k = 0;
};

// A rule as the fast decide walks it, stored by evaluation position so the
// candidates are visited in memory order: its condition as a flat conjunction
// (the items of nested all of, leaves first; Kleene and is commutative, so
// the order changes nothing but the time) and its exception edges.
struct FastRule {
  std::int32_t rule = -1;
  std::uint8_t effect = 0;          // 0 permit, 1 forbid, 2 limit
  std::int32_t test_begin = 0, test_end = 0;  // tests_; empty: the rule always applies
  std::int32_t edge_begin = 0, edge_end = 0;  // edges_: the rules it is an exception to
};

struct FastScratch;

class CompiledPolicy {
 public:
  explicit CompiledPolicy(std::shared_ptr<const Policy> policy);

  const Policy& policy() const { return *policy_; }
  std::shared_ptr<const Policy> shared_policy() const { return policy_; }

  FastFacts make_facts() const;
  FastScratch make_scratch() const;
  // Copies bound Facts into the fast layout (used by tests and the API bridge).
  void load_facts(const Facts& facts, FastFacts& out) const;
  // The cell of a string fact: the id of the string constant it equals, or FastFacts::kNoText.
  std::uint64_t text_id(std::string_view text) const {
    auto it = text_ids_.find(text);
    return it == text_ids_.end() ? FastFacts::kNoText : it->second;
  }

  // The outcome and its authorities (rule indexes, ascending) into scratch; no trace.
  Outcome decide(const FastFacts& facts, FastScratch& scratch) const;

  // Writes the compact decision line {"decision":…,"authorities":[…]} (no newline).
  void append_decision_json(Outcome outcome, const std::vector<std::int32_t>& authorities, std::string& out) const;

  // Bytes the compiled form holds (the Policy itself is counted separately).
  std::size_t memory_bytes() const;
  // Rules with at least one guard, and guard facts (bench reports).
  std::size_t guarded_rules() const { return guarded_rules_; }
  std::size_t guard_facts() const { return guard_slots_.size(); }

 private:
  friend struct FastCompiler;
  friend struct FastEval;
  std::shared_ptr<const Policy> policy_;
  std::vector<FastNode> nodes_;
  std::vector<std::int32_t> kids_;
  std::vector<std::string> texts_;              // string constants, each once
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, std::uint64_t, TextHash, std::equal_to<>> text_ids_;  // text -> index in texts_
  std::vector<FastRule> code_;                   // by evaluation position
  std::vector<FastTest> tests_;
  std::vector<std::int32_t> rule_root_;          // node of each rule's `when`, -1 when it always applies
  std::vector<std::int32_t> definition_root_;
  std::vector<std::uint8_t> effect_;             // 0 permit, 1 forbid, 2 limit
  std::vector<std::int32_t> position_;           // rule -> position in evaluation order
  std::vector<std::int32_t> order_;              // position -> rule
  std::vector<std::int32_t> edge_begin_;         // exception_to edges by rule, CSR
  std::vector<std::int32_t> edges_;
  std::vector<std::int32_t> defeater_begin_;     // reverse edges by rule, CSR
  std::vector<std::int32_t> defeaters_;
  std::vector<std::uint8_t> interpretation_default_;
  std::vector<std::string> rule_json_id_;        // the rule id as a JSON string, quotes included
  // Rule index. A guard of a rule is a constraint `slot's value in A` (an
  // enum or bool fact) that its condition implies: when the fact is known and
  // outside A, the condition is false, so the rule is not evaluated. Guards
  // are found through all of, any of (a slot every branch constrains), not,
  // definitions, `==`, `!=`, `in` and `not in`; a rule may have several.
  // For each guard slot and value, `admits_` holds the bitset (over evaluation
  // positions) of the rules that value leaves possible; a decision ANDs the
  // rows of its known guard facts and evaluates only the rules that remain.
  struct GuardSlot {
    std::int32_t slot = -1;
    std::uint32_t domain = 0;
    std::size_t row = 0;   // admits_ offset of value 0, in words
  };
  std::size_t words_ = 0;                        // bitset words over evaluation positions
  std::vector<GuardSlot> guard_slots_;
  std::vector<std::uint64_t> admits_;            // per guard slot and value, then unknown: words_ words
  std::vector<std::uint64_t> all_rules_;         // words_ words: every position
  std::size_t guarded_rules_ = 0;                // rules with at least one guard (for reports)
};

// Per-thread state for CompiledPolicy::decide; sized once by make_scratch().
struct FastScratch {
  // State is valid for this decision only when stamped with its epoch, so
  // nothing is cleared per decision; one record per rule keeps it in one line.
  struct RuleState {
    std::uint32_t stamp = 0;
    Tri applies = Tri::false_, in_force = Tri::false_;
    std::uint32_t defeated_true = 0, defeated_unknown = 0;  // exceptions in force / maybe in force against it
  };
  struct DefinitionState {
    std::uint32_t stamp = 0;
    bool known = false;
    std::uint64_t bits = 0;
  };
  std::uint32_t epoch = 0;
  std::vector<DefinitionState> definitions;
  std::vector<RuleState> rules;
  std::vector<std::int32_t> defeated_permits;  // permits that applied but were defeated (for limit authorities)
  std::vector<std::uint64_t> candidates;   // bitset over evaluation positions: the rules to evaluate
  std::vector<std::int32_t> permits, forbids;
  std::vector<std::int32_t> authorities;   // the result: rule indexes, ascending
};

// Compact decision line for a decision from the tracing evaluator, in the same form.
std::string compact_decision_json(const Policy& policy, const Decision& decision);

}  // namespace proviso
