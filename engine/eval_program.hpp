// The tracing decide()'s evaluator as a flat program: every expression node
// the rules and the definitions they use reach, in post-order (a definition's
// nodes once, before their first user), each an instruction whose operands
// are indexes of earlier results. Built once per policy (tracing_program());
// one linear pass per request gives every node's value, the trace of every
// phrased condition and each rule's `applies`, as the recursive walk of
// engine/evaluator.hpp does node by node (tests/unit/eval_program_test.cpp).
#pragma once
#include <cstdint>
#include <vector>

#include "facts.hpp"
#include "policy.hpp"

namespace proviso::tracing {

// A node's value when it is not a truth: the fact or constant it reads, a
// shared boolean or unknown value, or the computed value of an arithmetic
// node (kept in a per-request store). A pass copies no Value.
using Cell = const Value*;

// One expression node as the walk sees it: what the search for the deciding
// unknowns follows and what the interpretation analysis traces back.
struct Instruction {
  CExpr::Op op = CExpr::Op::constant;
  TypeKind kind = TypeKind::boolean;  // the node's type: of an unknown or computed result
  std::int32_t condition = -1;        // Policy::conditions index, or -1
  std::int32_t slot = -1;             // fact (is_known's too), interpretation or definition index; arithmetic: its store index
  std::int32_t a = -1, b = -1;        // the first two operands
  std::uint32_t first = 0, count = 0; // all the operands, in the program's operand list
  const Value* constant = nullptr;
  // Steps the recursive walk spends to evaluate this node again once every
  // definition is memoised: the unknowns search pays these (EvalLimits).
  std::uint64_t eval_steps = 1;
};

// What a pass executes for one node. Most nodes are booleans: their result is
// a Tri byte (the pass's `truth`, by node). A comparison of a fact with a
// constant is one step that reads the fact in place (its fact and constant
// nodes are not executed): a range test for booleans, integers, dates and
// enum values, a bit test for sets and `in`. Only the nodes whose Value an
// operand reader needs (decimals, strings, arithmetic, comparisons of two
// computed values) also get a Cell. A definition's node has no step: its
// users read its expression's truth and Cell. Truths and Cells are by slot:
// a phrased condition's node at its condition index, so the trace is the
// first truths.
struct Step {
  enum class Kind : std::uint8_t {
    // A truth (truth[node]):
    constant_truth,     // x: the Tri
    fact_truth,         // a: fact slot, a boolean fact's truth
    interpretation,     // a: interpretation index
    not_,               // a: operand
    all_of, any_of,     // x: first operand in the steps' operand list, y: count
    is_known,           // a: fact slot
    integer_in_range,   // a: fact slot; x <= its integer <= y (x <= y; an empty range is a set_masked_any with x = 0)
    enum_in_set,        // a: fact slot; bit `integer` of x
    set_masked_equals,  // a: fact slot; (bits & x) == y
    set_masked_any,     // a: fact slot; (bits & x) != 0
    compare,            // op on the Cells of a and b
    // A Cell (cells[node]) and its truth:
    fact_value,         // a: fact slot
    constant_value,     // constant
    arithmetic,         // op (add or sub) on the Cells of a and b, into store[x]
    negate,             // the Cell of a, into store[x]
    // The Cell of a truth the step before computed, for a reader of Values:
    cell_of_truth,
  };
  Kind kind = Kind::constant_truth;
  CExpr::Op op = CExpr::Op::constant;
  TypeKind type = TypeKind::boolean;
  std::int32_t node = -1, a = -1, b = -1;  // node: its slot; operands: theirs (Program::slot_)
  std::int64_t x = 0, y = 0;
  const Value* constant = nullptr;
};

class Program {
 public:
  explicit Program(const Policy& policy);

  // Instructions: the nodes the walk visits (EvalLimits counts these).
  std::size_t size() const { return code_.size(); }
  // Truths and Cells a pass writes: the size of a request's `truth` and `cells`.
  std::size_t slots() const { return slots_; }
  // Steps a pass executes: the nodes less the operands of fused comparisons.
  std::size_t steps() const { return steps_.size(); }
  // Values an arithmetic node computes, one each: the size of a request's store.
  std::size_t computed() const { return computed_; }

  // One pass: every slot's truth (and Cell, where a step needs one).
  // readings[i]: interpretation i's reading (0 or 1); `store`: computed() values.
  void run(const Facts& facts, const std::uint8_t* readings, Tri* truth, Cell* cells, Value* store) const;
  // The trace of a pass: each phrased condition's truth by condition index,
  // unknown for those the rules do not reach.
  void trace(const Tri* truth, std::vector<Tri>& conditions) const;
  // What rerun_readers() keeps between calls (the caller's, so a request allocates nothing).
  struct RerunScratch {
    std::vector<std::uint64_t> pending;                 // bit by re-run: an operand changed
    std::vector<std::pair<std::int32_t, Tri>> written;  // (slot, the pass's truth) of each re-run executed
    std::vector<Cell> cells;                            // the pass's Cells of value_readers_
  };
  // The rules whose `applies` differs when readings[index] has been changed
  // since the pass: each (rule, its other `applies`) into `changed_rules`.
  // Runs again, in place in the pass's `truth`, only the steps that read
  // interpretation `index`, and of those only the ones an operand of which
  // changed (each re-run that changes its node's truth marks its readers);
  // then puts back every truth and Cell it wrote, so `truth` and
  // `cells` are the pass's again. Values computed go to `other_store`.
  void rerun_readers(std::int32_t index, const Facts& facts, const std::uint8_t* readings, Tri* truth, Cell* cells,
                     Value* other_store, RerunScratch& scratch,
                     std::vector<std::pair<std::int32_t, Tri>>& changed_rules) const;
  // The steps that read interpretation `index`: what its re-run may execute.
  std::size_t readers_of(std::int32_t index) const { return reruns_[index].size(); }
  // Whether a rule's condition reads interpretation `index` by the policy's
  // conditions (every one when a rule's condition is not linked).
  bool read_by_rule(std::int32_t index) const { return read_by_rule_[index] != 0; }

  Tri applies(std::size_t rule, const Tri* truth) const {
    return rule_slot_[rule] < 0 ? Tri::true_ : truth[rule_slot_[rule]];
  }
  // Every rule's, by rule.
  void applies(const Tri* truth, Tri* out) const {
    const std::int32_t* slot = rule_slot_.data();
    for (std::size_t r = 0, n = rule_slot_.size(); r < n; ++r) out[r] = slot[r] < 0 ? Tri::true_ : truth[slot[r]];
  }

  // The rules by their part in the outcome, so that deciding it need not read
  // the Rules (eval.cpp's rule_force and outcome_of).
  struct RuleRoles {
    // The rules each rule is an exception to: exception_to[exception_to_first[r], exception_to_first[r + 1]).
    std::vector<std::uint32_t> exception_to_first;
    std::vector<std::int32_t> exception_to;
    std::vector<std::int32_t> permits, forbids;  // in index order (a limit is neither)
    // Each limit that is an exception to a permit, with those permits (in limited_permits).
    struct Limit {
      std::int32_t rule = -1;
      std::uint32_t first = 0, count = 0;
    };
    std::vector<Limit> limits;
    std::vector<std::int32_t> limited_permits;
  };
  const RuleRoles& roles() const { return roles_; }

  // The facts whose unknown value makes `rule`'s condition unknown, added to
  // `out` (unsorted, with repeats), as Evaluator::unknowns finds them; each
  // definition is searched once (`searched`, by definition). Spends the
  // walk's steps from `steps_left`; false when they run out.
  bool add_unknowns(std::size_t rule, const Facts& facts, const Tri* truth, std::vector<std::uint8_t>& searched,
                    std::vector<std::int32_t>& out, std::uint64_t& steps_left) const;

 private:
  std::int32_t emit(const Policy& policy, const CExpr& e);
  void build_steps(std::vector<std::int32_t>& step_nodes);
  bool fuse(std::int32_t node, Step& step) const;
  bool known(std::int32_t i, const Facts& facts, const Tri* truth) const;
  bool search(std::int32_t i, const Facts& facts, const Tri* truth, std::vector<std::uint8_t>& searched,
              std::vector<std::int32_t>& out, std::uint64_t& steps_left) const;

  std::vector<Instruction> code_;
  std::vector<Step> steps_;
  std::size_t leaves_ = 0;                 // steps_[0, leaves_) read no other step
  std::vector<std::size_t> leaf_groups_;   // where each kind of leaf starts in steps_, then leaves_
  std::size_t conditions_ = 0;                // the policy's phrased conditions: the first slots
  std::size_t slots_ = 0;
  std::vector<std::int32_t> slot_;           // by node: where its truth and Cell are, -1 for a fused operand
  std::vector<std::int32_t> step_operands_;  // all_of / any_of operands' slots
  std::vector<std::pair<std::int32_t, std::int32_t>> moved_;  // (phrased condition, slot of its truth) not at its index
  std::vector<std::int32_t> unreached_;      // phrased conditions no rule reaches
  std::size_t computed_ = 0;
  std::vector<std::int32_t> operands_;
  std::vector<std::int32_t> rule_root_;        // by rule: its condition's instruction, -1 without one
  std::vector<std::int32_t> rule_slot_;        // by rule: its condition's slot, -1 without one
  RuleRoles roles_;
  std::vector<std::int32_t> definition_root_;  // by definition: its expression's instruction, -1 if no rule uses it
  // A step that reads an interpretation; where the later re-runs that read
  // its node are in rerun_readers_ (as positions in the interpretation's
  // re-runs); and where the rules whose condition's truth it writes last are
  // in rerun_rules_ (rule, the condition's slot).
  struct Rerun {
    std::int32_t step = -1;
    std::uint32_t first = 0, count = 0;
    std::uint32_t first_rule = 0, rules = 0;
  };
  std::vector<std::vector<Rerun>> reruns_;                // by interpretation: its readers, in step order
  std::vector<std::int32_t> rerun_readers_;
  std::vector<std::pair<std::int32_t, std::int32_t>> rerun_rules_;
  std::vector<std::vector<std::uint64_t>> rerun_seeds_;   // by interpretation: bit by re-run, its reading's steps
  std::vector<std::vector<std::int32_t>> value_readers_;  // by interpretation: the slots whose Cell those steps write
  std::vector<std::uint8_t> read_by_rule_;                // by interpretation
};

// The policy's program, built on first use by whichever thread asks first.
const Program& tracing_program(const Policy& policy);

}  // namespace proviso::tracing
