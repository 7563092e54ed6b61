#include "eval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace proviso {
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

  // Reads interpretation `index` with `value` instead of the request's reading,
  // so the other reading is evaluated without copying the facts.
  // Memoised definitions are forgotten (they may read the interpretation).
  void flip_interpretation(std::int32_t index, bool value) {
    flipped_ = index;
    flipped_value_ = value;
    std::fill(definition_state_.begin(), definition_state_.end(), std::uint8_t{0});
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
  bool interpretation(std::int32_t index) const {
    return index == flipped_ ? flipped_value_ : facts_.interpretation(policy_, index);
  }

  // Every operand is evaluated (no short circuit) so the trace shows each condition.
  Tri all_of(const CExpr& e) {
    Tri result = Tri::true_;
    for (const auto& a : e.args) {
      Tri t = truth_of(a);
      if (t == Tri::false_) result = Tri::false_;
      else if (t == Tri::unknown && result == Tri::true_) result = Tri::unknown;
    }
    return result;
  }

  Tri any_of(const CExpr& e) {
    Tri result = Tri::false_;
    for (const auto& a : e.args) {
      Tri t = truth_of(a);
      if (t == Tri::true_) result = Tri::true_;
      else if (t == Tri::unknown && result == Tri::false_) result = Tri::unknown;
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
    using Op = CExpr::Op;
    const Value& a = leaf(e.args[0]);
    const Value& b = leaf(e.args[1]);
    if (!a.known || !b.known) return Tri::unknown;
    switch (e.op) {
      case Op::eq: return tri_of(compare(a, b) == 0);
      case Op::lt: return tri_of(compare(a, b) < 0);
      case Op::le: return tri_of(compare(a, b) <= 0);
      case Op::gt: return tri_of(compare(a, b) > 0);
      case Op::ge: return tri_of(compare(a, b) >= 0);
      case Op::in: return tri_of((b.bits >> a.integer) & 1u);
      case Op::subset: return tri_of((a.bits & ~b.bits) == 0);
      case Op::superset: return tri_of((b.bits & ~a.bits) == 0);
      case Op::intersects: return tri_of((a.bits & b.bits) != 0);
      default: return Tri::unknown;
    }
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
      if (a.kind == TypeKind::decimal) {
        scratch.decimal = -a.decimal;
        return scratch;
      }
      auto negated = checked_negate(a.integer);
      if (!negated) return scratch = Value::unknown(e.type.kind);
      scratch.integer = *negated;
      return scratch;
    }
    Value b_scratch;
    const Value& b = eval_ref(e.args[1], b_scratch);
    if (!a.known || !b.known) return set_unknown(scratch, e.type.kind);
    switch (e.op) {
      case Op::eq: return set_truth(scratch, tri_of(compare(a, b) == 0));
      case Op::lt: return set_truth(scratch, tri_of(compare(a, b) < 0));
      case Op::le: return set_truth(scratch, tri_of(compare(a, b) <= 0));
      case Op::gt: return set_truth(scratch, tri_of(compare(a, b) > 0));
      case Op::ge: return set_truth(scratch, tri_of(compare(a, b) >= 0));
      case Op::in: return set_truth(scratch, tri_of((b.bits >> a.integer) & 1u));
      case Op::subset: return set_truth(scratch, tri_of((a.bits & ~b.bits) == 0));
      case Op::superset: return set_truth(scratch, tri_of((b.bits & ~a.bits) == 0));
      case Op::intersects: return set_truth(scratch, tri_of((a.bits & b.bits) != 0));
      case Op::add:
      case Op::sub: return scratch = arithmetic(e, a, b);
      default: return set_unknown(scratch, e.type.kind);
    }
  }

  static double as_double(const Value& v) { return v.kind == TypeKind::decimal ? v.decimal : static_cast<double>(v.integer); }

  static int compare(const Value& a, const Value& b) {
    if (a.kind == TypeKind::decimal || b.kind == TypeKind::decimal) {
      double x = as_double(a), y = as_double(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.kind == TypeKind::string) return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
    if (a.kind == TypeKind::set) return a.bits == b.bits ? 0 : 1;
    return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
  }

  // Overflow, and dates outside 0000–9999, give unknown (value.hpp, checked_add).
  static Value arithmetic(const CExpr& e, const Value& a, const Value& b) {
    const bool add = e.op == CExpr::Op::add;
    Value out;
    out.kind = e.type.kind;
    if (a.kind == TypeKind::date && b.kind == TypeKind::duration) {
      auto amount = add ? std::optional<std::int64_t>(b.integer) : checked_negate(b.integer);
      auto days = amount ? shift_date(a.integer, b.unit, *amount) : std::nullopt;
      if (!days) return out;
      out.integer = *days;
      out.known = true;
      return out;
    }
    if (e.type.kind == TypeKind::decimal) {
      out.decimal = add ? as_double(a) + as_double(b) : as_double(a) - as_double(b);
      out.known = std::isfinite(out.decimal);
      return out;
    }
    auto result = add ? checked_add(a.integer, b.integer) : checked_sub(a.integer, b.integer);  // integer, or date - date in days
    if (!result) return out;
    out.integer = *result;
    out.known = true;
    return out;
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
  std::int32_t flipped_ = -1;
  bool flipped_value_ = false;
};

struct Core {
  Outcome outcome = Outcome::not_applicable;
  std::vector<std::int32_t> authorities;
  std::vector<std::pair<std::int32_t, std::int32_t>> conflicts;
  std::vector<RuleResult> rules;
};

// Each rule's force from whether it applies, in evaluation order (exceptions
// before the rules they defeat), then the outcome and its authorities. Apart
// from `applies` nothing here reads the facts, so a variant of the request
// that changes no rule's `applies` has the same Core.
Core resolve(const Policy& policy, const std::vector<Tri>& applies) {
  Core core;
  core.rules.resize(policy.rules.size());
  for (auto r : policy.evaluation_order) {
    const auto& rule = policy.rules[r];
    auto& result = core.rules[r];
    result.applies = applies[r];
    Tri defeated = Tri::false_;
    // A rule that does not apply is not defeated: it simply does not apply.
    if (result.applies != Tri::false_) {
      for (auto d : rule.defeaters) {
        Tri force = core.rules[d].in_force;  // exceptions come first in evaluation_order
        if (force == Tri::true_) {
          defeated = Tri::true_;
          result.defeated_by.push_back(d);
        } else if (force == Tri::unknown) {
          if (defeated == Tri::false_) defeated = Tri::unknown;
          result.maybe_defeated_by.push_back(d);
        }
      }
    }
    Tri not_defeated = tri_not(defeated);
    result.in_force = result.applies == Tri::false_ || not_defeated == Tri::false_ ? Tri::false_
                      : result.applies == Tri::true_ && not_defeated == Tri::true_ ? Tri::true_
                                                                                    : Tri::unknown;
  }
  std::vector<std::int32_t> permits, forbids;
  bool maybe_permit = false, maybe_forbid = false;
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    if (rule.is_limit()) continue;  // a limit only defeats; it decides nothing itself
    const bool permit = rule.is_permit();
    if (core.rules[r].in_force == Tri::true_) (permit ? permits : forbids).push_back(static_cast<std::int32_t>(r));
    if (core.rules[r].in_force == Tri::unknown) (permit ? maybe_permit : maybe_forbid) = true;
  }
  if (!permits.empty() && !forbids.empty()) {
    core.outcome = Outcome::conflict;
    for (auto p : permits)
      for (auto f : forbids) core.conflicts.emplace_back(p, f);
    core.authorities = permits;
    core.authorities.insert(core.authorities.end(), forbids.begin(), forbids.end());
    std::sort(core.authorities.begin(), core.authorities.end());
  } else if (!permits.empty()) {
    core.outcome = maybe_forbid ? Outcome::undetermined : Outcome::permitted;
    if (!maybe_forbid) core.authorities = permits;
  } else if (!forbids.empty()) {
    core.outcome = maybe_permit ? Outcome::undetermined : Outcome::denied;
    if (!maybe_permit) {
      // A limit that defeated a permit which applied decides the denial too.
      core.authorities = forbids;
      for (std::size_t p = 0; p < policy.rules.size(); ++p) {
        if (!policy.rules[p].is_permit() || core.rules[p].applies != Tri::true_) continue;
        for (auto d : core.rules[p].defeated_by)
          if (policy.rules[d].is_limit()) core.authorities.push_back(d);
      }
      std::sort(core.authorities.begin(), core.authorities.end());
      core.authorities.erase(std::unique(core.authorities.begin(), core.authorities.end()), core.authorities.end());
    }
  } else {
    // Nothing is in force. A permit or forbid that may be in force makes the
    // outcome depend on unknown facts (a permit that may be in force could make
    // it permitted, with obligations); only when none may be does no rule speak.
    core.outcome = maybe_forbid || maybe_permit ? Outcome::undetermined : Outcome::not_applicable;
  }
  return core;
}

Tri applies(const Rule& rule, Evaluator& evaluator) { return rule.when ? evaluator.truth_of(*rule.when) : Tri::true_; }

Core decide_core(const Policy& policy, Evaluator& evaluator) {
  std::vector<Tri> applying(policy.rules.size(), Tri::true_);
  for (std::size_t r = 0; r < policy.rules.size(); ++r) applying[r] = applies(policy.rules[r], evaluator);
  return resolve(policy, applying);
}

// Whether a rule's condition reads interpretation `i` (directly or through definitions).
bool reads_interpretation(const Policy& policy, const Rule& rule, std::int32_t i) {
  if (!rule.when) return false;
  if (rule.condition < 0) return true;  // not linked: assume it does, and re-evaluate
  const auto& read = policy.conditions[rule.condition].interpretations;
  return std::binary_search(read.begin(), read.end(), i);
}

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::permitted: return "permitted";
    case Outcome::denied: return "denied";
    case Outcome::undetermined: return "undetermined";
    case Outcome::conflict: return "conflict";
    case Outcome::not_applicable: return "not_applicable";
  }
  return "?";
}

Value evaluate_expression(const Policy& policy, const Facts& facts, const CExpr& expr) {
  // One expression of a checked policy: bounded by the policy's size, so no budget to spend.
  StepBudget unlimited{std::numeric_limits<std::uint64_t>::max()};
  Evaluator evaluator(policy, facts, nullptr, unlimited);
  return evaluator.eval(expr);
}

namespace {

Diagnostic step_limit_diagnostic(const EvalLimits& limits) {
  Diagnostic d;
  d.code = "E509";
  d.location = "evaluation";
  d.message = "evaluating the request took more than the limit of " + std::to_string(limits.max_steps) + " steps";
  d.help = "the rule set is too large to decide in one request; raise EvalLimits::max_steps if this is intended";
  return d;
}

// The stopped evaluation: undetermined, every rule and condition unknown, E509.
Decision stopped(const Policy& policy, const EvalLimits& limits) {
  Decision decision;
  decision.outcome = Outcome::undetermined;
  decision.rules.assign(policy.rules.size(), RuleResult{});
  decision.conditions.assign(policy.conditions.size(), Tri::unknown);
  decision.diagnostics.push_back(step_limit_diagnostic(limits));
  return decision;
}

Decision decide_unguarded(const Policy& policy, const Facts& facts, StepBudget& budget, bool full) {
  Decision decision;
  decision.conditions.assign(policy.conditions.size(), Tri::unknown);
  Evaluator evaluator(policy, facts, &decision.conditions, budget);
  Core core = decide_core(policy, evaluator);
  decision.outcome = core.outcome;
  decision.authorities = std::move(core.authorities);
  decision.conflicts = std::move(core.conflicts);
  decision.rules = std::move(core.rules);
  if (!full) return decision;

  if (decision.outcome == Outcome::undetermined) {
    // The facts that would decide it: those of the permits and forbids whose
    // force is unknown, and of the exceptions that may defeat them, transitively.
    std::set<std::int32_t> unknown;
    std::vector<std::int32_t> pending;
    std::vector<bool> seen(policy.rules.size(), false);
    for (std::size_t r = 0; r < policy.rules.size(); ++r)
      if (!policy.rules[r].is_limit() && decision.rules[r].in_force == Tri::unknown) pending.push_back(static_cast<std::int32_t>(r));
    while (!pending.empty()) {
      auto r = pending.back();
      pending.pop_back();
      if (seen[r]) continue;
      seen[r] = true;
      const auto& rule = policy.rules[r];
      if (decision.rules[r].applies == Tri::unknown && rule.when) evaluator.unknowns(*rule.when, unknown);
      for (auto d : decision.rules[r].maybe_defeated_by) pending.push_back(d);
    }
    decision.unknown_facts.assign(unknown.begin(), unknown.end());
  }

  // An interpretation is relied on when the other reading changes the outcome or its authorities.
  std::set<std::int32_t> read;
  for (auto a : decision.authorities)
    if (policy.rules[a].condition >= 0)
      for (auto i : policy.conditions[policy.rules[a].condition].interpretations) read.insert(i);
  // The other reading can change only the rules whose conditions read the
  // interpretation: those are re-evaluated under it, and the force of every
  // rule recomputed only when one of them applies differently. Exact, like
  // re-deciding the whole request, at a fraction of the cost.
  std::vector<Tri> applying(policy.rules.size()), other_applying;
  for (std::size_t r = 0; r < policy.rules.size(); ++r) applying[r] = decision.rules[r].applies;
  Evaluator other(policy, facts, nullptr, budget);
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i) {
    const auto index = static_cast<std::int32_t>(i);
    const bool value = facts.interpretation(policy, index);
    other.flip_interpretation(index, !value);
    bool changed = false;
    other_applying = applying;
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      if (!reads_interpretation(policy, policy.rules[r], index)) continue;
      other_applying[r] = applies(policy.rules[r], other);
      changed = changed || other_applying[r] != applying[r];
    }
    Outcome other_outcome = decision.outcome;
    std::vector<std::int32_t> other_authorities;
    if (changed) {
      Core alternative = resolve(policy, other_applying);
      other_outcome = alternative.outcome;
      other_authorities = std::move(alternative.authorities);
    } else {
      other_authorities = decision.authorities;
    }
    bool relied_on = other_outcome != decision.outcome || other_authorities != decision.authorities;
    if (!relied_on && !read.contains(index)) continue;
    InterpretationUse use;
    use.index = index;
    use.value = value;
    use.from_request = facts.interpretations[i] >= 0;
    use.relied_on = relied_on;
    use.other_outcome = other_outcome;
    use.other_authorities = std::move(other_authorities);
    decision.interpretations.push_back(std::move(use));
  }
  return decision;
}

}  // namespace

Decision decide_outcome(const Policy& policy, const Facts& facts, const EvalLimits& limits) {
  StepBudget budget{limits.max_steps};
  try {
    return decide_unguarded(policy, facts, budget, false);
  } catch (const StepLimitReached&) {
    return stopped(policy, limits);
  }
}

Decision decide_outcome_changed(const Policy& policy, const Facts& facts, const Decision& base,
                                const std::vector<std::int32_t>& changed, const EvalLimits& limits) {
  if (!base.diagnostics.empty() || base.rules.size() != policy.rules.size() || base.conditions.size() != policy.conditions.size())
    return decide_outcome(policy, facts, limits);
  StepBudget budget{limits.max_steps};
  try {
    Decision decision;
    decision.conditions = base.conditions;
    Evaluator evaluator(policy, facts, &decision.conditions, budget);
    std::vector<Tri> applying(policy.rules.size());
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      applying[r] = base.rules[r].applies;
      if (!rule.when) continue;
      bool reads = rule.condition < 0;  // not linked: assume it reads them
      if (!reads) {
        const auto& read = policy.conditions[rule.condition].facts;
        for (auto f : changed) reads = reads || std::binary_search(read.begin(), read.end(), f);
      }
      // A rule evaluated again writes the trace of every condition it reads,
      // those of the definitions it uses included: the same as evaluating all.
      if (reads) applying[r] = applies(rule, evaluator);
    }
    Core core = resolve(policy, applying);
    decision.outcome = core.outcome;
    decision.authorities = std::move(core.authorities);
    decision.conflicts = std::move(core.conflicts);
    decision.rules = std::move(core.rules);
    return decision;
  } catch (const StepLimitReached&) {
    return stopped(policy, limits);
  }
}

Decision decide(const Policy& policy, const Facts& facts, const EvalLimits& limits) {
  StepBudget budget{limits.max_steps};
  try {
    return decide_unguarded(policy, facts, budget, true);
  } catch (const StepLimitReached&) {
    return stopped(policy, limits);
  }
}

}  // namespace proviso
