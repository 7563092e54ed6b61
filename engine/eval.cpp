#include "eval.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <set>

#include "eval_program.hpp"
#include "evaluator.hpp"
#include "fast_search.hpp"

namespace proviso {
namespace {

using tracing::Evaluator;
using tracing::StepBudget;
using tracing::StepLimitReached;

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

void adopt(Decision& decision, Core&& core) {
  decision.outcome = core.outcome;
  decision.authorities = std::move(core.authorities);
  decision.conflicts = std::move(core.conflicts);
  decision.rules = std::move(core.rules);
}

// The rules whose conditions hold the facts that would decide an undetermined
// request: the permits and forbids whose force is unknown, and the exceptions
// that may defeat them, transitively. `visit(r)` is called for each whose
// condition is unknown, in the same order for the walk and the program (their
// step budgets must run out at the same place); false from it stops the search.
template <class Visit>
bool for_each_deciding_rule(const Policy& policy, const Decision& decision, Visit visit) {
  std::vector<std::int32_t> pending;
  std::vector<bool> seen(policy.rules.size(), false);
  for (std::size_t r = 0; r < policy.rules.size(); ++r)
    if (!policy.rules[r].is_limit() && decision.rules[r].in_force == Tri::unknown) pending.push_back(static_cast<std::int32_t>(r));
  while (!pending.empty()) {
    auto r = pending.back();
    pending.pop_back();
    if (seen[r]) continue;
    seen[r] = true;
    if (decision.rules[r].applies == Tri::unknown && !visit(r)) return false;
    for (auto d : decision.rules[r].maybe_defeated_by) pending.push_back(d);
  }
  return true;
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

// An interpretation is relied on when the other reading changes the outcome
// or its authorities; the decision lists those and the ones its authorities
// read. Only the outcome and authorities of the other reading are needed, so
// it is decided on the compiled form (a FastSearch from the policy's pool,
// one reading changed at a time), which agrees with this evaluator on both
// (tests/unit/fast_eval_test.cpp) at a fraction of the cost. The compiled
// evaluator counts no steps: EvalLimits::max_steps bounds this evaluator's
// walk only (docs/security.md).
void add_interpretation_uses(const Policy& policy, const Facts& facts, Decision& decision) {
  if (policy.interpretations.empty()) return;
  // By interpretation: kReadByRule some rule's condition reads it (no other
  // reading can change anything), kReadByAuthority one of the authorities' does.
  constexpr std::uint8_t kReadByRule = 1, kReadByAuthority = 2;
  std::vector<std::uint8_t> read(policy.interpretations.size(), 0);
  for (const auto& rule : policy.rules) {
    if (!rule.when) continue;
    if (rule.condition < 0) {  // not linked: assume it reads them all
      std::fill(read.begin(), read.end(), kReadByRule);
      break;
    }
    for (auto i : policy.conditions[rule.condition].interpretations) read[i] |= kReadByRule;
  }
  for (auto a : decision.authorities)
    if (policy.rules[a].condition >= 0)
      for (auto i : policy.conditions[policy.rules[a].condition].interpretations) read[i] |= kReadByAuthority;
  std::optional<FastSearchLease> search;
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i) {
    if (!(read[i] & kReadByRule)) continue;  // an authority reads only what a rule reads
    const auto index = static_cast<std::int32_t>(i);
    const bool value = facts.interpretation(policy, index);
    if (!search) search.emplace(policy, facts);
    (*search)->set_interpretation(index, value ? 0 : 1);
    const Outcome other_outcome = (*search)->outcome();
    (*search)->set_interpretation(index, facts.interpretations[i]);
    const auto& other_authorities = (*search)->authorities();
    const bool relied_on = other_outcome != decision.outcome || other_authorities != decision.authorities;
    if (!relied_on && !(read[i] & kReadByAuthority)) continue;
    InterpretationUse use;
    use.index = index;
    use.value = value;
    use.from_request = facts.interpretations[i] >= 0;
    use.relied_on = relied_on;
    use.other_outcome = other_outcome;
    use.other_authorities = other_authorities;
    decision.interpretations.push_back(std::move(use));
  }
}

Decision decide_unguarded(const Policy& policy, const Facts& facts, StepBudget& budget, bool full) {
  Decision decision;
  decision.conditions.assign(policy.conditions.size(), Tri::unknown);
  Evaluator evaluator(policy, facts, &decision.conditions, budget);
  Core core = decide_core(policy, evaluator);
  adopt(decision, std::move(core));
  if (!full) return decision;

  if (decision.outcome == Outcome::undetermined) {
    // The facts that would decide it: those of the permits and forbids whose
    // force is unknown, and of the exceptions that may defeat them, transitively.
    std::set<std::int32_t> unknown;
    for_each_deciding_rule(policy, decision, [&](std::int32_t r) {
      if (const auto& rule = policy.rules[r]; rule.when) evaluator.unknowns(*rule.when, unknown);
      return true;
    });
    decision.unknown_facts.assign(unknown.begin(), unknown.end());
  }

  add_interpretation_uses(policy, facts, decision);
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
    evaluator.reuse_trace(&decision.conditions, &changed);  // decision.conditions holds base's trace
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
      // A rule evaluated again writes the trace of every condition it reads
      // that reads a changed fact, those of the definitions it uses included;
      // the others keep base's values: the same as evaluating all.
      if (reads) applying[r] = applies(rule, evaluator);
    }
    Core core = resolve(policy, applying);
    adopt(decision, std::move(core));
    return decision;
  } catch (const StepLimitReached&) {
    return stopped(policy, limits);
  }
}

Decision decide_by_walk(const Policy& policy, const Facts& facts, const EvalLimits& limits) {
  StepBudget budget{limits.max_steps};
  try {
    return decide_unguarded(policy, facts, budget, true);
  } catch (const StepLimitReached&) {
    return stopped(policy, limits);
  }
}

namespace {

// What one decide() on the program needs besides the Decision, kept by the
// thread between requests so a request allocates none of it.
struct ProgramWorkspace {
  std::vector<tracing::Cell> cells, saved;
  std::vector<Value> store, other_store;  // what arithmetic computes: for the pass, and for the other readings
  std::vector<std::uint8_t> readings, searched;
  std::vector<Tri> applies, other_applies;
  std::vector<std::int32_t> unknown;
  bool busy = false;
};

// The thread's workspace, or a fresh one should decide() ever be re-entered.
class WorkspaceLease {
 public:
  WorkspaceLease() {
    thread_local ProgramWorkspace kept;
    if (!kept.busy) {
      workspace_ = &kept;
      kept.busy = true;
    } else {
      own_ = std::make_unique<ProgramWorkspace>();
      workspace_ = own_.get();
    }
  }
  ~WorkspaceLease() {
    if (!own_) workspace_->busy = false;
  }
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;
  ProgramWorkspace& operator*() { return *workspace_; }

 private:
  ProgramWorkspace* workspace_ = nullptr;
  std::unique_ptr<ProgramWorkspace> own_;
};

// add_interpretation_uses on the program: the other reading is decided by
// running again only the instructions that read the interpretation, then
// resolve(), as deciding the whole request again would (the walk's contract:
// the interpretation analysis counts no steps).
void add_interpretation_uses(const Policy& policy, const tracing::Program& program, const Facts& facts, ProgramWorkspace& ws,
                             Decision& decision) {
  if (policy.interpretations.empty()) return;
  constexpr std::uint8_t kReadByRule = 1, kReadByAuthority = 2;  // as in the walk's analysis above
  std::vector<std::uint8_t> read(policy.interpretations.size(), 0);
  for (const auto& rule : policy.rules) {
    if (!rule.when) continue;
    if (rule.condition < 0) {
      std::fill(read.begin(), read.end(), kReadByRule);
      break;
    }
    for (auto i : policy.conditions[rule.condition].interpretations) read[i] |= kReadByRule;
  }
  for (auto a : decision.authorities)
    if (policy.rules[a].condition >= 0)
      for (auto i : policy.conditions[policy.rules[a].condition].interpretations) read[i] |= kReadByAuthority;
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i) {
    if (!(read[i] & kReadByRule)) continue;
    const auto index = static_cast<std::int32_t>(i);
    const bool value = ws.readings[i] != 0;
    ws.readings[i] = value ? 0 : 1;
    ws.saved.clear();
    for (auto k : program.readers(index)) ws.saved.push_back(ws.cells[k]);
    program.rerun_readers(index, facts, ws.readings.data(), ws.cells.data(), ws.other_store.data());
    bool changed = false;
    ws.other_applies = ws.applies;
    for (auto r : program.rules_reading(index)) {
      ws.other_applies[r] = program.applies(r, ws.cells.data());
      changed = changed || ws.other_applies[r] != ws.applies[r];
    }
    std::size_t s = 0;
    for (auto k : program.readers(index)) ws.cells[k] = ws.saved[s++];
    ws.readings[i] = value;
    // resolve() reads nothing but `applies`: unchanged, the other reading decides as this one.
    Outcome other_outcome = decision.outcome;
    std::vector<std::int32_t> other_authorities;
    if (changed) {
      Core other = resolve(policy, ws.other_applies);
      other_outcome = other.outcome;
      other_authorities = std::move(other.authorities);
    } else {
      other_authorities = decision.authorities;
    }
    const bool relied_on = other_outcome != decision.outcome || other_authorities != decision.authorities;
    if (!relied_on && !(read[i] & kReadByAuthority)) continue;
    InterpretationUse use;
    use.index = index;
    use.value = value;
    use.from_request = facts.interpretations[i] >= 0;
    use.relied_on = relied_on;
    use.other_outcome = other_outcome;
    use.other_authorities = std::move(other_authorities);
    decision.interpretations.push_back(std::move(use));
  }
}

}  // namespace

Decision decide(const Policy& policy, const Facts& facts, const EvalLimits& limits) {
  const auto& program = tracing::tracing_program(policy);
  // Each instruction is a step of the walk it replaces (a node visited once),
  // so the budget runs out where the walk's would.
  if (program.size() > limits.max_steps) return stopped(policy, limits);
  WorkspaceLease lease;
  auto& ws = *lease;
  ws.cells.resize(program.size());
  ws.store.resize(program.computed());
  ws.other_store.resize(program.computed());
  ws.readings.resize(policy.interpretations.size());
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i)
    ws.readings[i] = facts.interpretation(policy, static_cast<std::int32_t>(i)) ? 1 : 0;

  Decision decision;
  decision.conditions.assign(policy.conditions.size(), Tri::unknown);
  program.run(facts, ws.readings.data(), ws.cells.data(), ws.store.data(), decision.conditions.data());
  ws.applies.resize(policy.rules.size());
  for (std::size_t r = 0; r < policy.rules.size(); ++r) ws.applies[r] = program.applies(r, ws.cells.data());
  Core core = resolve(policy, ws.applies);
  adopt(decision, std::move(core));

  if (decision.outcome == Outcome::undetermined) {
    // As the walk: the unknowns of the permits and forbids whose force is
    // unknown, and of the exceptions that may defeat them, transitively.
    std::uint64_t steps_left = limits.max_steps - program.size();
    ws.searched.assign(policy.definitions.size(), 0);
    ws.unknown.clear();
    const bool within_limit = for_each_deciding_rule(policy, decision, [&](std::int32_t r) {
      return program.add_unknowns(static_cast<std::size_t>(r), ws.cells.data(), ws.searched, ws.unknown, steps_left);
    });
    if (!within_limit) return stopped(policy, limits);
    std::sort(ws.unknown.begin(), ws.unknown.end());
    ws.unknown.erase(std::unique(ws.unknown.begin(), ws.unknown.end()), ws.unknown.end());
    decision.unknown_facts = ws.unknown;
  }

  add_interpretation_uses(policy, program, facts, ws, decision);
  return decision;
}

}  // namespace proviso
