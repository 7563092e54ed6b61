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

// A node's value: the fact or constant it reads, one of the shared boolean
// and unknown values, or the computed value of an arithmetic node (kept in a
// per-request store): a pass copies no Value and allocates nothing.
using Cell = const Value*;

inline Tri truth_of(Cell cell) { return cell->truth(); }

struct Instruction {
  CExpr::Op op = CExpr::Op::constant;
  TypeKind kind = TypeKind::boolean;  // the node's type: of an unknown or computed result
  std::int32_t condition = -1;        // Policy::conditions index, or -1
  std::int32_t slot = -1;             // fact (is_known's too), interpretation or definition index; arithmetic: its store index
  std::int32_t a = -1, b = -1;        // the first two operands
  std::uint32_t first = 0, count = 0; // all the operands, in Program::operands()
  const Value* constant = nullptr;
  // Steps the recursive walk spends to evaluate this node again once every
  // definition is memoised: the unknowns search pays these (EvalLimits).
  std::uint64_t eval_steps = 1;
};

class Program {
 public:
  explicit Program(const Policy& policy);

  // Instructions: the steps the rules' pass takes, as many as the walk's.
  std::size_t size() const { return code_.size(); }
  // Values an arithmetic node computes, one each: the size of a request's store.
  std::size_t computed() const { return computed_; }

  // One pass: cells[i] is instruction i's value and, when `conditions` is
  // given, conditions[c] the truth of each phrased condition the rules reach.
  // readings[i]: interpretation i's reading (0 or 1); `store`: computed() values.
  void run(const Facts& facts, const std::uint8_t* readings, Cell* cells, Value* store, Tri* conditions) const;
  // Again only the instructions that read interpretation `index`, after
  // readings[index] changed; no trace is written. Values computed go to
  // `other_store`, so the pass's store is intact when the cells are restored.
  void rerun_readers(std::int32_t index, const Facts& facts, const std::uint8_t* readings, Cell* cells, Value* other_store) const;
  const std::vector<std::int32_t>& readers(std::int32_t index) const { return readers_[index]; }
  // The rules whose condition reads interpretation `index`.
  const std::vector<std::int32_t>& rules_reading(std::int32_t index) const { return rules_reading_[index]; }

  Tri applies(std::size_t rule, const Cell* cells) const {
    return rule_root_[rule] < 0 ? Tri::true_ : cells[rule_root_[rule]]->truth();
  }

  // The facts whose unknown value makes `rule`'s condition unknown, added to
  // `out` (unsorted, with repeats), as Evaluator::unknowns finds them; each
  // definition is searched once (`searched`, by definition). Spends the
  // walk's steps from `steps_left`; false when they run out.
  bool add_unknowns(std::size_t rule, const Cell* cells, std::vector<std::uint8_t>& searched,
                    std::vector<std::int32_t>& out, std::uint64_t& steps_left) const;

 private:
  std::int32_t emit(const Policy& policy, const CExpr& e);
  bool search(std::int32_t i, const Cell* cells, std::vector<std::uint8_t>& searched, std::vector<std::int32_t>& out,
              std::uint64_t& steps_left) const;

  std::vector<Instruction> code_;
  std::size_t computed_ = 0;
  std::vector<std::int32_t> operands_;
  std::vector<std::int32_t> rule_root_;        // by rule: its condition's instruction, -1 without one
  std::vector<std::int32_t> definition_root_;  // by definition: its expression's instruction, -1 if no rule uses it
  std::vector<std::vector<std::int32_t>> readers_;        // by interpretation: instructions reading it, in order
  std::vector<std::vector<std::int32_t>> rules_reading_;  // by interpretation
};

// The policy's program, built on first use by whichever thread asks first.
const Program& tracing_program(const Policy& policy);

}  // namespace proviso::tracing
