// The tracing evaluator's walk over a compiled expression, for eval.cpp only:
// Kleene's three-valued logic, every condition's value recorded, definitions
// memoised, and a budget of steps. Kept apart so eval.cpp stays the decision
// (rule force, outcome, the deciding unknowns, interpretations relied on).
#pragma once
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "facts.hpp"
#include "policy.hpp"
#include "value_ops.hpp"

namespace proviso::tracing {
// Internal linkage: eval.cpp is the only includer, and the compiler may then
// inline and specialise the walk as it did when it lived in eval.cpp (3% of the
// instructions of an explanation).
namespace {

// Thrown when a decision has used up its EvalLimits::max_steps; caught in decide().
struct StepLimitReached {};

struct StepBudget {
  std::uint64_t left = 0;
  void spend() {
    if (left == 0) throw StepLimitReached{};
    --left;
  }
};

class Evaluator {
 public:
  Evaluator(const Policy& policy, const Facts& facts, std::vector<Tri>* conditions, StepBudget& budget)
      : policy_(policy), facts_(facts), conditions_(conditions), budget_(budget),
        definition_state_(policy.definitions.size(), 0), definition_values_(policy.definitions.size()) {}

  // Re-deciding a request that differs from a traced one only in the
  // `changed` facts: `trace` holds the traced decision's condition values. A
  // phrased condition that reads none of the changed facts (directly or
  // through definitions) keeps its traced value, and its subtree is not
  // walked again; the rest is evaluated as before.
  // Exact: a condition's value is a function of the facts and readings it
  // reads, and the traced decision recorded every condition its rules reach
  // (no short circuit). `trace` may be the vector this evaluator writes: it
  // writes only the conditions that read a change, and reads only the others.
  void reuse_trace(const std::vector<Tri>* trace, const std::vector<std::int32_t>* changed) {
    trace_ = trace;
    changed_ = changed;
  }

  Value eval(const CExpr& e) {
    Value scratch;
    return eval_ref(e, scratch);
  }

  // The value of `e`: a reference to the fact, constant or memoised definition
  // it reads, or to `scratch` holding what it computes. A Value carries a
  // string, so the evaluator passes references rather than copies.
  const Value& eval_ref(const CExpr& e, Value& scratch) {
    budget_.spend();
    const Value& v = compute(e, scratch);
    if (e.condition >= 0 && conditions_) (*conditions_)[e.condition] = v.truth();
    return v;
  }

  // eval(e).truth(), with the same steps and the same trace, without building
  // a Value for the connectives and the booleans they read.
  Tri truth_of(const CExpr& e) {
    using Op = CExpr::Op;
    budget_.spend();
    if (trace_ && e.condition >= 0 && !reads_change(e.condition)) return (*trace_)[e.condition];
    Tri t = Tri::unknown;
    switch (e.op) {
      case Op::constant: t = e.constant.truth(); break;
      case Op::fact: t = facts_.values[e.slot].truth(); break;
      case Op::interpretation: t = tri_of(interpretation(e.slot)); break;
      case Op::definition: t = definition(e.slot).truth(); break;
      case Op::not_: t = tri_not(truth_of(e.args[0])); break;
      case Op::and_: t = all_of(e); break;
      case Op::or_: t = any_of(e); break;
      default:
        if (compares_leaves(e)) {
          t = compare_leaves(e);
        } else {
          Value scratch;
          t = compute(e, scratch).truth();
        }
    }
    if (e.condition >= 0 && conditions_) (*conditions_)[e.condition] = t;
    return t;
  }

  // Facts whose unknown value makes `e` unknown: the ones that would decide it.
  void unknowns(const CExpr& e, std::set<std::int32_t>& out) {
    if (eval(e).known) return;
    if (e.op == CExpr::Op::fact) {
      out.insert(e.slot);
      return;
    }
    if (e.op == CExpr::Op::definition) {
      // Once per definition: a definition used twice by one used twice by … is
      // walked once, not 2^depth times (its facts are already in `out`).
      if (definition_state_[e.slot] == 2) return;
      definition_state_[e.slot] = 2;
      unknowns(policy_.definitions[e.slot].expr, out);
      return;
    }
    for (const auto& a : e.args) unknowns(a, out);
  }

 private:
  bool reads_change(std::int32_t condition) const {
    const auto& info = policy_.conditions[condition];
    if (changed_)
      for (auto f : *changed_)
        if (std::binary_search(info.facts.begin(), info.facts.end(), f)) return true;
    return false;
  }

  bool interpretation(std::int32_t index) const {
    return facts_.interpretation(policy_, index);
  }

  // Kleene's `all of` (a false operand dominates) and `any of` (a true one
  // does); otherwise unknown if any operand is. Every operand is evaluated (no
  // short circuit) so the trace shows each condition.
  Tri all_of(const CExpr& e) { return kleene(e, Tri::false_); }
  Tri any_of(const CExpr& e) { return kleene(e, Tri::true_); }

  Tri kleene(const CExpr& e, Tri dominant) {
    const Tri neutral = tri_not(dominant);
    Tri result = neutral;
    for (const auto& a : e.args) {
      Tri t = truth_of(a);
      if (t == dominant) result = dominant;
      else if (t == Tri::unknown && result == neutral) result = Tri::unknown;
    }
    return result;
  }

  // A comparison of facts and constants, the commonest condition: decided on
  // the operands in place, with no Value built (compute() gives the same).
  static bool compares_leaves(const CExpr& e) {
    using Op = CExpr::Op;
    const auto leaf = [](const CExpr& a) { return a.op == Op::fact || a.op == Op::constant; };
    switch (e.op) {
      case Op::eq: case Op::lt: case Op::le: case Op::gt: case Op::ge:
      case Op::in: case Op::subset: case Op::superset: case Op::intersects:
        return e.args.size() == 2 && leaf(e.args[0]) && leaf(e.args[1]);
      default: return false;
    }
  }

  const Value& leaf(const CExpr& e) {
    budget_.spend();
    const Value& v = e.op == CExpr::Op::fact ? facts_.values[e.slot] : e.constant;
    if (e.condition >= 0 && conditions_) (*conditions_)[e.condition] = v.truth();
    return v;
  }

  Tri compare_leaves(const CExpr& e) {
    const Value& a = leaf(e.args[0]);  // both read first: each leaf spends a step and writes its trace
    const Value& b = leaf(e.args[1]);
    return compare_truth(e.op, a, b);
  }

  static const Value& set_truth(Value& scratch, Tri t) {
    scratch.kind = TypeKind::boolean;
    scratch.known = t != Tri::unknown;
    scratch.integer = t == Tri::true_;
    return scratch;
  }

  static const Value& set_unknown(Value& scratch, TypeKind kind) {
    scratch.kind = kind;
    scratch.known = false;
    return scratch;
  }

  // `scratch` is a default Value on entry.
  const Value& compute(const CExpr& e, Value& scratch) {
    using Op = CExpr::Op;
    switch (e.op) {
      case Op::constant: return e.constant;
      case Op::fact: return facts_.values[e.slot];
      case Op::interpretation: return set_truth(scratch, tri_of(interpretation(e.slot)));
      case Op::definition: return definition(e.slot);
      case Op::not_: return set_truth(scratch, tri_not(truth_of(e.args[0])));
      case Op::and_: return set_truth(scratch, all_of(e));
      case Op::or_: return set_truth(scratch, any_of(e));
      case Op::is_known: return set_truth(scratch, tri_of(facts_.values[e.args[0].slot].known));
      default: break;
    }
    Value a_scratch;
    const Value& a = eval_ref(e.args[0], a_scratch);
    if (e.op == Op::negate) {
      if (!a.known) return set_unknown(scratch, e.type.kind);
      scratch = a;
      const bool decimal = a.kind == TypeKind::decimal;
      auto negated = checked_negate(decimal ? a.decimal : a.integer);
      if (!negated) return scratch = Value::unknown(e.type.kind);
      (decimal ? scratch.decimal : scratch.integer) = *negated;
      return scratch;
    }
    Value b_scratch;
    const Value& b = eval_ref(e.args[1], b_scratch);
    if (!a.known || !b.known) return set_unknown(scratch, e.type.kind);
    switch (e.op) {
      case Op::eq:
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge:
      case Op::in:
      case Op::subset:
      case Op::superset:
      case Op::intersects: return set_truth(scratch, compare_truth(e.op, a, b));
      case Op::add:
      case Op::sub: return scratch = add_or_subtract(e.op == Op::add, e.type.kind, a, b);
      default: return set_unknown(scratch, e.type.kind);
    }
  }

  // definition_state_: 0 not evaluated, 1 value memoised, 2 also walked by unknowns().
  const Value& definition(std::int32_t index) {
    if (definition_state_[index] == 0) {
      definition_state_[index] = 1;
      Value scratch;
      const Value& v = eval_ref(policy_.definitions[index].expr, scratch);
      definition_values_[index] = v;
    }
    return definition_values_[index];
  }

  const Policy& policy_;
  const Facts& facts_;
  std::vector<Tri>* conditions_;
  StepBudget& budget_;
  std::vector<std::uint8_t> definition_state_;
  std::vector<Value> definition_values_;
  const std::vector<Tri>* trace_ = nullptr;             // see reuse_trace
  const std::vector<std::int32_t>* changed_ = nullptr;
};

}  // namespace
}  // namespace proviso::tracing
