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

using RuleRoles = tracing::Program::RuleRoles;

// Each rule's force from whether it applies, in evaluation order (exceptions
// before the rules they defeat); with `results`, also the exceptions in force
// and maybe in force against each. Apart from `applies` nothing here reads the
// facts, so a variant of the request that changes no rule's `applies` has the
// same force. The walk's way: each rule reads its exceptions' force.
void rule_force(const Policy& policy, const Tri* applies, Tri* in_force, RuleResult* results) {
  for (auto r : policy.evaluation_order) {
    const Tri applying = applies[r];
    Tri defeated = Tri::false_;
    // A rule that does not apply is not defeated: it simply does not apply.
    if (applying != Tri::false_) {
      for (auto d : policy.rules[r].defeaters) {
        const Tri force = in_force[d];  // exceptions come first in evaluation_order
        if (force == Tri::true_) {
          defeated = Tri::true_;
          if (results) results[r].defeated_by.push_back(d);
        } else if (force == Tri::unknown) {
          if (defeated == Tri::false_) defeated = Tri::unknown;
          if (results) results[r].maybe_defeated_by.push_back(d);
        }
      }
    }
    const Tri not_defeated = tri_not(defeated);
    in_force[r] = applying == Tri::false_ || not_defeated == Tri::false_ ? Tri::false_
                  : applying == Tri::true_ && not_defeated == Tri::true_ ? Tri::true_
                                                                          : Tri::unknown;
  }
}

// rule_force() the program's way, from the other side: each rule, once its
// force is known, counts itself against the rules it is an exception to (in
// force: 1, maybe: 1 << 32, in `against`, scratch), so a rule reads its
// counts rather than its exceptions (most of which are not in force), and
// lists them, in their order as the walk does, only when some are. With
// `results`, each rule's `applies` and `in_force` are set there too.
void rule_force(const Policy& policy, const RuleRoles& roles, const Tri* applies, Tri* in_force, RuleResult* results,
                std::vector<std::uint64_t>& against) {
  constexpr std::uint64_t kMaybe = std::uint64_t{1} << 32;
  against.assign(policy.rules.size(), 0);
  // Locals: the compiler would reload the vectors after each store through `in_force`.
  std::uint64_t* counts = against.data();
  const std::uint32_t* first = roles.exception_to_first.data();
  const std::int32_t* exception_to = roles.exception_to.data();
  for (const std::int32_t *r = policy.evaluation_order.data(), *end = r + policy.evaluation_order.size(); r != end; ++r) {
    Tri force = applies[*r];
    // A rule that does not apply is not defeated: it simply does not apply.
    if (force != Tri::false_ && counts[*r] != 0) {
      force = (counts[*r] & (kMaybe - 1)) != 0 ? Tri::false_ : Tri::unknown;
      if (results)
        for (auto d : policy.rules[*r].defeaters) {
          if (in_force[d] == Tri::true_) results[*r].defeated_by.push_back(d);
          if (in_force[d] == Tri::unknown) results[*r].maybe_defeated_by.push_back(d);
        }
    }
    in_force[*r] = force;
    if (results) results[*r].applies = applies[*r], results[*r].in_force = force;
    if (force == Tri::false_) continue;
    const std::uint64_t count = force == Tri::true_ ? 1 : kMaybe;
    for (std::uint32_t k = first[*r]; k < first[*r + 1]; ++k) counts[exception_to[k]] += count;
  }
}

// The outcome and its authorities from each rule's applies and force, and
// the conflicting pairs when `conflicts` is given. `permits` and `forbids`
// are scratch. The program gives the rules' `roles`; the walk reads the Rules.
Outcome outcome_of(const Policy& policy, const RuleRoles* roles, const Tri* applies, const Tri* in_force,
                   std::vector<std::int32_t>& authorities, std::vector<std::pair<std::int32_t, std::int32_t>>* conflicts,
                   std::vector<std::int32_t>& permits, std::vector<std::int32_t>& forbids) {
  authorities.clear();
  permits.clear();
  forbids.clear();
  bool maybe_permit = false, maybe_forbid = false;
  const auto add = [&](std::int32_t r, bool permit) {
    if (in_force[r] == Tri::true_) (permit ? permits : forbids).push_back(r);
    if (in_force[r] == Tri::unknown) (permit ? maybe_permit : maybe_forbid) = true;
  };
  if (roles) {
    // Most rules are not in force: OR-ing the forces (unknown is 2) finds the
    // maybes, and only the rules in force are pushed.
    const auto scan = [&](const std::vector<std::int32_t>& rules, std::vector<std::int32_t>& in) {
      unsigned seen = 0;
      for (const std::int32_t *r = rules.data(), *end = r + rules.size(); r != end; ++r) {
        const Tri force = in_force[*r];
        seen |= static_cast<unsigned>(force);
        if (force == Tri::true_) in.push_back(*r);
      }
      return (seen & static_cast<unsigned>(Tri::unknown)) != 0;
    };
    maybe_permit = scan(roles->permits, permits);
    maybe_forbid = scan(roles->forbids, forbids);
  } else {
    for (std::size_t r = 0; r < policy.rules.size(); ++r)  // a limit only defeats; it decides nothing itself
      if (!policy.rules[r].is_limit()) add(static_cast<std::int32_t>(r), policy.rules[r].is_permit());
  }
  if (!permits.empty() && !forbids.empty()) {
    if (conflicts)
      for (auto p : permits)
        for (auto f : forbids) conflicts->emplace_back(p, f);
    authorities = permits;
    authorities.insert(authorities.end(), forbids.begin(), forbids.end());
    std::sort(authorities.begin(), authorities.end());
    return Outcome::conflict;
  }
  if (!permits.empty()) {
    if (!maybe_forbid) authorities = permits;
    return maybe_forbid ? Outcome::undetermined : Outcome::permitted;
  }
  if (!forbids.empty()) {
    if (maybe_permit) return Outcome::undetermined;
    // A limit that defeated a permit which applied decides the denial too.
    authorities = forbids;
    bool limits = false;
    const auto add_limit = [&](std::int32_t permit, std::int32_t limit) {
      if (applies[permit] == Tri::true_ && in_force[limit] == Tri::true_) {
        authorities.push_back(limit);
        limits = true;
      }
    };
    if (roles) {
      for (const auto& limit : roles->limits)
        if (in_force[limit.rule] == Tri::true_)
          for (std::uint32_t k = limit.first; k < limit.first + limit.count; ++k) add_limit(roles->limited_permits[k], limit.rule);
    } else {
      for (std::size_t p = 0; p < policy.rules.size(); ++p)
        if (policy.rules[p].is_permit())
          for (auto d : policy.rules[p].defeaters)
            if (policy.rules[d].is_limit()) add_limit(static_cast<std::int32_t>(p), d);
    }
    if (limits) {
      std::sort(authorities.begin(), authorities.end());
      authorities.erase(std::unique(authorities.begin(), authorities.end()), authorities.end());
    }
    return Outcome::denied;
  }
  // Nothing is in force. A permit or forbid that may be in force makes the
  // outcome depend on unknown facts (a permit that may be in force could make
  // it permitted, with obligations); only when none may be does no rule speak.
  return maybe_forbid || maybe_permit ? Outcome::undetermined : Outcome::not_applicable;
}

Core resolve(const Policy& policy, const std::vector<Tri>& applies) {
  Core core;
  core.rules.resize(policy.rules.size());
  std::vector<Tri> in_force(policy.rules.size(), Tri::unknown);
  rule_force(policy, applies.data(), in_force.data(), core.rules.data());
  for (std::size_t r = 0; r < core.rules.size(); ++r) {
    core.rules[r].applies = applies[r];
    core.rules[r].in_force = in_force[r];
  }
  std::vector<std::int32_t> permits, forbids;
  core.outcome = outcome_of(policy, nullptr, applies.data(), in_force.data(), core.authorities, &core.conflicts, permits, forbids);
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
  std::vector<Tri> truth;  // by slot: the pass's
  std::vector<tracing::Cell> cells;
  tracing::Program::RerunScratch rerun;
  std::vector<std::pair<std::int32_t, Tri>> changed_rules;  // a re-run's: (rule, its other `applies`)
  std::vector<Value> store, other_store;  // what arithmetic computes: for the pass, and for the other readings
  std::vector<std::uint8_t> readings, searched, read_by_authority;
  std::vector<Tri> applies, in_force, other_applies, other_in_force;  // by rule
  std::vector<std::int32_t> unknown, permits, forbids, other_authorities;
  std::vector<std::uint64_t> against;  // rule_force's counts
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
// running again only the steps that read the interpretation (in place, put
// back after), then the rules' force and the outcome, as deciding the
// whole request again would (the walk's contract: the interpretation
// analysis counts no steps).
void add_interpretation_uses(const Policy& policy, const tracing::Program& program, const Facts& facts, ProgramWorkspace& ws,
                             Decision& decision) {
  if (policy.interpretations.empty()) return;
  ws.read_by_authority.assign(policy.interpretations.size(), 0);
  for (auto a : decision.authorities)
    if (policy.rules[a].condition >= 0)
      for (auto i : policy.conditions[policy.rules[a].condition].interpretations) ws.read_by_authority[i] = 1;
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i) {
    const auto index = static_cast<std::int32_t>(i);
    if (!program.read_by_rule(index)) continue;  // an authority reads only what a rule reads
    const bool value = ws.readings[i] != 0;
    ws.readings[i] = value ? 0 : 1;
    program.rerun_readers(index, facts, ws.readings.data(), ws.truth.data(), ws.cells.data(), ws.other_store.data(), ws.rerun,
                          ws.changed_rules);
    ws.readings[i] = value;
    const bool changed = !ws.changed_rules.empty();
    // The force and the outcome read nothing but `applies`: unchanged, the other reading decides as this one.
    Outcome other_outcome = decision.outcome;
    bool same_authorities = true;
    if (changed) {
      ws.other_applies = ws.applies;
      for (const auto& [r, applies] : ws.changed_rules) ws.other_applies[r] = applies;
      rule_force(policy, program.roles(), ws.other_applies.data(), ws.other_in_force.data(), nullptr, ws.against);
      other_outcome = outcome_of(policy, &program.roles(), ws.other_applies.data(), ws.other_in_force.data(), ws.other_authorities,
                                 nullptr, ws.permits, ws.forbids);
      same_authorities = ws.other_authorities == decision.authorities;
    }
    const bool relied_on = other_outcome != decision.outcome || !same_authorities;
    if (!relied_on && !ws.read_by_authority[i]) continue;
    InterpretationUse use;
    use.index = index;
    use.value = value;
    use.from_request = facts.interpretations[i] >= 0;
    use.relied_on = relied_on;
    use.other_outcome = other_outcome;
    use.other_authorities = changed ? ws.other_authorities : decision.authorities;
    if (decision.interpretations.empty()) decision.interpretations.reserve(policy.interpretations.size() - i);
    decision.interpretations.push_back(std::move(use));
  }
}

// resolve() into the decision, on the workspace's arrays.
void resolve_into(const Policy& policy, const tracing::Program& program, ProgramWorkspace& ws, Decision& decision) {
  const std::size_t n = policy.rules.size();
  decision.rules.resize(n);
  ws.in_force.assign(n, Tri::unknown);
  rule_force(policy, program.roles(), ws.applies.data(), ws.in_force.data(), decision.rules.data(), ws.against);
  decision.outcome = outcome_of(policy, &program.roles(), ws.applies.data(), ws.in_force.data(), decision.authorities,
                                &decision.conflicts, ws.permits, ws.forbids);
}

}  // namespace

Decision decide(const Policy& policy, const Facts& facts, const EvalLimits& limits) {
  const auto& program = tracing::tracing_program(policy);
  // Each instruction is a step of the walk it replaces (a node visited once),
  // so the budget runs out where the walk's would.
  if (program.size() > limits.max_steps) return stopped(policy, limits);
  WorkspaceLease lease;
  auto& ws = *lease;
  ws.truth.resize(program.slots());
  ws.cells.resize(program.slots());
  ws.store.resize(program.computed());
  ws.other_store.resize(program.computed());
  ws.readings.resize(policy.interpretations.size());
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i)
    ws.readings[i] = facts.interpretation(policy, static_cast<std::int32_t>(i)) ? 1 : 0;

  Decision decision;
  program.run(facts, ws.readings.data(), ws.truth.data(), ws.cells.data(), ws.store.data());
  program.trace(ws.truth.data(), decision.conditions);
  const std::size_t rules = policy.rules.size();
  ws.applies.resize(rules);
  ws.other_in_force.resize(rules);
  program.applies(ws.truth.data(), ws.applies.data());
  resolve_into(policy, program, ws, decision);

  if (decision.outcome == Outcome::undetermined) {
    // As the walk: the unknowns of the permits and forbids whose force is
    // unknown, and of the exceptions that may defeat them, transitively.
    std::uint64_t steps_left = limits.max_steps - program.size();
    ws.searched.assign(policy.definitions.size(), 0);
    ws.unknown.clear();
    const bool within_limit = for_each_deciding_rule(policy, decision, [&](std::int32_t r) {
      return program.add_unknowns(static_cast<std::size_t>(r), facts, ws.truth.data(), ws.searched, ws.unknown, steps_left);
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
