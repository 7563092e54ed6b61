// The compiled evaluation form of a Policy and the fast decide: conditions as
// flat node arrays over interned fact slots, rules indexed by their guards,
// no allocation per decision once the scratch is warm, no trace.
// It must agree with engine/eval.cpp's decide() on outcome and authorities;
// tests/unit/fast_eval_test.cpp checks that on every scenario and on random requests.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eval.hpp"
#include "facts.hpp"
#include "policy.hpp"

namespace proviso {

// A request's facts in the fast layout: one 8-byte cell per slot (integer,
// date, enum index, bool, duration amount, decimal bits or enum-set bits), a
// known flag per slot, strings aside. Reused across decisions: reset() keeps capacity.
struct FastFacts {
  std::vector<std::uint64_t> cells;
  std::vector<std::uint8_t> known;
  std::vector<std::string> strings;            // by slot; only string facts use theirs
  std::vector<std::int8_t> interpretations;    // -1 default, 0 false, 1 true

  void reset() {
    std::fill(known.begin(), known.end(), 0);
    std::fill(interpretations.begin(), interpretations.end(), -1);
  }
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
    // the general forms, both operands evaluated as values
    eq, lt, le, gt, ge, in, subset, superset, intersects, add, sub, negate,
  };
  Op op = Op::constant;
  TypeKind kind = TypeKind::boolean;  // the node's value type
  bool known = true;                  // constant: whether it is known
  std::uint8_t unit = 0;              // constant durations: ast::DurationUnit
  std::int32_t a = -1;                // slot, child, first kid, interpretation or definition
  std::int32_t b = -1;                // second child, or kid count
  std::uint64_t k = 0;                // constant payload (int64, double bits or set bits); strings: index in texts
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

  // The outcome and its authorities (rule indexes, ascending) into scratch; no trace.
  Outcome decide(const FastFacts& facts, FastScratch& scratch) const;

  // Writes the compact decision line {"decision":…,"authorities":[…]} (no newline).
  void append_decision_json(Outcome outcome, const std::vector<std::int32_t>& authorities, std::string& out) const;

  // Bytes the compiled form holds (the Policy itself is counted separately).
  std::size_t memory_bytes() const;

 private:
  friend struct FastCompiler;
  friend struct FastEval;
  std::shared_ptr<const Policy> policy_;
  std::vector<FastNode> nodes_;
  std::vector<std::int32_t> kids_;
  std::vector<std::string> texts_;              // string constants
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
  // Rule index: a rule whose guard (a conjunct `fact in S`, `fact == v` or a
  // bool fact) is false cannot apply, so only candidates are evaluated.
  bool indexed_ = false;
  std::vector<std::int32_t> always_;             // positions of rules without a guard
  struct SlotIndex {
    std::int32_t slot = -1;
    std::vector<std::int32_t> all;               // positions of rules guarded on this slot (fact unknown)
    std::vector<std::vector<std::int32_t>> by_value;  // value index -> positions admitted
  };
  std::vector<SlotIndex> index_;
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
  std::vector<std::uint64_t> candidates;   // bitset over evaluation positions
  std::vector<std::int32_t> permits, forbids;
  std::vector<std::int32_t> authorities;   // the result: rule indexes, ascending
};

// Compact decision line for a decision from the tracing evaluator, in the same form.
std::string compact_decision_json(const Policy& policy, const Decision& decision);

}  // namespace proviso
