// The evaluator: decides a request against a policy, in Kleene's three-valued
// logic with defeasible exceptions, and records what it considered.
#pragma once
#include <string_view>
#include <utility>
#include <vector>

#include "facts.hpp"
#include "policy.hpp"

namespace proviso {

enum class Outcome { permitted, denied, undetermined, conflict, not_applicable };
std::string_view outcome_name(Outcome outcome);

struct RuleResult {
  Tri applies = Tri::unknown;   // its condition
  Tri in_force = Tri::unknown;  // applies, and no exception to it is in force
  std::vector<std::int32_t> defeated_by;  // exceptions in force against it
  std::vector<std::int32_t> maybe_defeated_by;  // exceptions whose force is unknown
};

struct InterpretationUse {
  std::int32_t index = -1;
  bool value = false;
  bool from_request = false;
  bool relied_on = false;  // the other reading changes the outcome or its authorities
  Outcome other_outcome = Outcome::not_applicable;
  std::vector<std::int32_t> other_authorities;
};

struct Decision {
  Outcome outcome = Outcome::not_applicable;
  std::vector<std::int32_t> authorities;   // rules in force that decide it, in source order
  std::vector<std::pair<std::int32_t, std::int32_t>> conflicts;  // (permit, forbid) both in force
  std::vector<std::int32_t> unknown_facts;  // for undetermined: facts that would decide it, sorted
  std::vector<RuleResult> rules;            // by rule index
  std::vector<Tri> conditions;              // by condition index
  std::vector<InterpretationUse> interpretations;  // those the deciding rules read, and any relied on
  Diagnostics diagnostics;  // E509 when the evaluation was stopped; then nothing above is a decision
};

struct EvalLimits {
  // Expression nodes the tracing evaluator visits for one decision (the
  // instructions of decide()'s program), the search for the deciding
  // unknowns included. The interpretation analysis counts no steps (its work
  // is bounded by the program's size times the interpretations).
  // Definitions are memoised and the language has no loops, so this grows
  // with the rule set, not the request; past it: E509, and no decision.
  std::uint64_t max_steps = 20'000'000;
};

// When the diagnostics hold an error (E509) the evaluation stopped: the
// outcome is `undetermined` and must not be reported as a decision.
Decision decide(const Policy& policy, const Facts& facts, const EvalLimits& limits = {});

// decide() by the recursive walk of engine/evaluator.hpp, node by node, the
// interpretation analysis on the compiled form: what decide() computed before
// it ran a flat program (engine/eval_program.hpp), kept as the test oracle
// that the program decides the same (tests/unit/eval_program_test.cpp).
Decision decide_by_walk(const Policy& policy, const Facts& facts, const EvalLimits& limits = {});

// The outcome and each rule's status only, without the interpretation analysis
// or the deciding unknowns: for searches that evaluate many variants of a
// request (counterfactuals, questions), about ten times cheaper than decide().
Decision decide_outcome(const Policy& policy, const Facts& facts, const EvalLimits& limits = {});

// decide_outcome() for `facts` that differ only in the `changed` slots from
// the facts `base` was decided on (by decide() or decide_outcome()): only the
// rules that read a changed fact are evaluated again; the rest keep their
// value and their trace from `base`. The same Decision, for searches that
// change one fact at a time.
Decision decide_outcome_changed(const Policy& policy, const Facts& facts, const Decision& base,
                                const std::vector<std::int32_t>& changed, const EvalLimits& limits = {});

// The value of one expression under the facts (used by explanations and tests).
Value evaluate_expression(const Policy& policy, const Facts& facts, const CExpr& expr);

}  // namespace proviso
