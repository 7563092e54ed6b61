#include "counterfactual.hpp"

#include "explain.hpp"
#include "fact_domain.hpp"

#include <algorithm>
#include <functional>
#include <set>

namespace proviso {
namespace {

using Bits = std::uint64_t;

Bits bit(std::int64_t i) { return Bits{1} << i; }

int popcount(Bits b) { return __builtin_popcountll(b); }

bool is_fact(const CExpr& e, std::int32_t fact) { return e.op == CExpr::Op::fact && e.slot == fact; }

// Sets that flip a condition reading the set fact, built from the base value.
void set_candidates_from(const CExpr& e, std::int32_t fact, Bits base, Bits all, std::set<Bits>& out) {
  using Op = CExpr::Op;
  if (e.args.size() != 2) return;
  const auto& a = e.args[0];
  const auto& b = e.args[1];
  const bool left = is_fact(a, fact), right = is_fact(b, fact);
  if (!left && !right) return;
  const auto& other = left ? b : a;
  auto toggles = [&](Bits within) {
    for (int i = 0; i < 64; ++i)
      if (within & bit(i)) out.insert(base ^ bit(i));
  };
  if (other.op != Op::constant || !other.constant.known) {
    toggles(all);  // compared with another fact: any single element may matter
    return;
  }
  const Bits k = other.op == Op::constant && other.constant.kind == TypeKind::set ? other.constant.bits
                 : other.constant.kind == TypeKind::enumeration                 ? bit(other.constant.integer)
                                                                                : 0;
  // Normalise to "fact OP K".
  Op op = e.op;
  if (right && op == Op::subset) op = Op::superset;
  else if (right && op == Op::superset) op = Op::subset;
  switch (op) {
    case Op::subset:  // fact ⊆ K; never empty just to hold vacuously, when an element of K would do
      if ((base & k) != 0) out.insert(base & k);
      else toggles(k);
      toggles(all & ~k & ~base);
      break;
    case Op::superset:  // fact ⊇ K
      out.insert(base | k);
      toggles(k & base);
      break;
    case Op::intersects:
      out.insert(base & ~k);
      toggles(k & ~base);
      break;
    case Op::in:  // x in fact
      out.insert(base | k);
      out.insert(base & ~k);
      break;
    case Op::eq:
    case Op::ne:
      out.insert(k);
      toggles(all);
      break;
    default: break;
  }
}

// Rules whose force bears on `rule`'s: itself and, transitively, its defeaters
// (each once: exceptions that share defeaters would otherwise be walked again
// for every path to them).
void closure_facts(const Policy& policy, std::int32_t rule, std::set<std::int32_t>& out) {
  std::vector<std::int32_t> pending{rule};
  std::vector<bool> seen(policy.rules.size(), false);
  seen[rule] = true;
  while (!pending.empty()) {
    const auto& r = policy.rules[pending.back()];
    pending.pop_back();
    if (r.condition >= 0)
      for (auto f : policy.conditions[r.condition].facts)
        if (changeable(policy, f)) out.insert(f);
    for (auto d : r.defeaters)
      if (!seen[d]) {
        seen[d] = true;
        pending.push_back(d);
      }
  }
}

std::set<std::int32_t> changeable_facts(const Policy& policy, std::int32_t condition) {
  std::set<std::int32_t> out;
  for (auto f : policy.conditions[condition].facts)
    if (changeable(policy, f)) out.insert(f);
  return out;
}

struct Search {
  const Policy& policy;
  const Facts& facts;
  const CounterfactualLimits& limits;
  std::vector<std::set<std::int32_t>> groups;  // a change must touch each group
  std::function<bool(const Facts&)> prefilter;
  std::function<bool(const Decision&)> goal;

  std::vector<std::pair<std::vector<FactChange>, Decision>> run() {
    std::vector<std::pair<std::vector<FactChange>, Decision>> found;
    std::set<std::int32_t> pool;
    for (const auto& g : groups) {
      if (g.empty()) return found;  // nothing changeable can satisfy this part
      pool.insert(g.begin(), g.end());
    }
    std::vector<std::int32_t> candidates;
    std::vector<std::vector<Value>> values;
    for (auto f : pool) {
      auto v = candidate_values(policy, f, facts.values[f], limits.max_set_candidates);
      if (v.empty()) continue;
      candidates.push_back(f);
      values.push_back(std::move(v));
    }
    std::size_t tried = 0;
    const std::size_t n = candidates.size();
    for (std::size_t k = 1; k <= limits.max_changes && k <= n && found.empty(); ++k) {
      std::vector<std::size_t> pick(k);
      for (std::size_t i = 0; i < k; ++i) pick[i] = i;
      while (true) {
        if (hits_all(candidates, pick) && !product(candidates, values, pick, tried, found)) return found;
        // next k-combination of [0, n)
        std::size_t i = k;
        while (i > 0 && pick[i - 1] == n - k + (i - 1)) --i;
        if (i == 0) break;
        ++pick[i - 1];
        for (std::size_t j = i; j < k; ++j) pick[j] = pick[j - 1] + 1;
      }
    }
    return found;
  }

  bool hits_all(const std::vector<std::int32_t>& candidates, const std::vector<std::size_t>& pick) const {
    for (const auto& g : groups) {
      bool hit = false;
      for (auto i : pick) hit = hit || g.contains(candidates[i]);
      if (!hit) return false;
    }
    return true;
  }

  // Tries every assignment of the picked facts; false when the budget is spent.
  bool product(const std::vector<std::int32_t>& candidates, const std::vector<std::vector<Value>>& values,
               const std::vector<std::size_t>& pick, std::size_t& tried,
               std::vector<std::pair<std::vector<FactChange>, Decision>>& found) const {
    std::vector<std::size_t> at(pick.size(), 0);
    while (true) {
      if (++tried > limits.max_candidates) return false;
      std::vector<FactChange> changes;
      for (std::size_t i = 0; i < pick.size(); ++i) changes.push_back({candidates[pick[i]], values[pick[i]][at[i]]});
      Facts changed = apply_changes(facts, changes);
      if (!prefilter || prefilter(changed)) {
        auto d = decide_outcome(policy, changed);
        if (goal(d)) found.emplace_back(std::move(changes), std::move(d));
      }
      std::size_t i = 0;
      while (i < pick.size() && ++at[i] == values[pick[i]].size()) at[i++] = 0;
      if (i == pick.size()) return true;
    }
  }
};

bool value_less(const Value& a, const Value& b) {
  if (a.kind == TypeKind::set) return std::make_pair(popcount(a.bits), a.bits) < std::make_pair(popcount(b.bits), b.bits);
  if (a.kind == TypeKind::decimal) return a.decimal < b.decimal;  // millionths
  if (a.kind == TypeKind::string) return a.text < b.text;
  return a.integer < b.integer;
}

bool changes_less(const std::vector<FactChange>& a, const std::vector<FactChange>& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].fact != b[i].fact) return a[i].fact < b[i].fact;
    if (value_less(a[i].value, b[i].value)) return true;
    if (value_less(b[i].value, a[i].value)) return false;
  }
  return false;
}

// For a permit: the changes that make it in force with the request permitted.
std::vector<Counterfactual> permit_flips(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t e,
                                         const CounterfactualLimits& limits) {
  const auto& rule = policy.rules[e];
  Search search{policy, facts, limits, {}, {}, {}};
  for (auto c : rule.top_conditions)
    if (decision.conditions[c] != Tri::true_) search.groups.push_back(changeable_facts(policy, c));
  for (auto d : rule.defeaters)
    if (decision.rules[d].in_force != Tri::false_) {
      std::set<std::int32_t> g;
      closure_facts(policy, d, g);
      search.groups.push_back(std::move(g));
    }
  for (std::size_t f = 0; f < policy.rules.size(); ++f) {
    const auto& other = policy.rules[f];
    if (!other.is_forbid() || decision.rules[f].in_force == Tri::false_) continue;
    if (std::find(rule.exception_to.begin(), rule.exception_to.end(), static_cast<std::int32_t>(f)) != rule.exception_to.end()) continue;
    std::set<std::int32_t> g;
    closure_facts(policy, static_cast<std::int32_t>(f), g);
    search.groups.push_back(std::move(g));
  }
  if (search.groups.empty()) return {};  // already in force: nothing to change for this rule
  if (rule.when)
    search.prefilter = [&](const Facts& changed) { return evaluate_expression(policy, changed, *rule.when).truth() == Tri::true_; };
  search.goal = [e](const Decision& d) {
    return d.outcome == Outcome::permitted && std::find(d.authorities.begin(), d.authorities.end(), e) != d.authorities.end();
  };
  auto found = search.run();
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return changes_less(a.first, b.first); });
  std::vector<Counterfactual> out;
  for (auto& [changes, d] : found) {
    if (out.size() >= limits.max_per_rule) break;
    out.push_back({e, std::move(changes), d.outcome});
  }
  return out;
}

// The rule a denial found by a search is shown under: a limit or a particular
// forbid says more than the general rule.
std::int32_t denial_decider(const Policy& policy, const Decision& d) {
  for (auto a : d.authorities)
    if (a != policy.general_rule) return a;
  return d.authorities.empty() ? policy.general_rule : d.authorities.front();
}

std::vector<Counterfactual> sorted_denials(const Policy& policy, std::vector<std::pair<std::vector<FactChange>, Decision>> found,
                                           std::size_t limit) {
  std::vector<Counterfactual> out;
  for (auto& [changes, d] : found) out.push_back({denial_decider(policy, d), std::move(changes), d.outcome});
  std::sort(out.begin(), out.end(), [&](const Counterfactual& a, const Counterfactual& b) {
    if (a.changes.size() != b.changes.size()) return a.changes.size() < b.changes.size();
    bool ga = a.rule == policy.general_rule, gb = b.rule == policy.general_rule;
    if (ga != gb) return gb;  // a limit that would defeat the permit first: it teaches more
    return changes_less(a.changes, b.changes);
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

// For a permitted request: the changes that make it denied.
std::vector<Counterfactual> denial_flips(const Policy& policy, const Facts& facts, const Decision& decision,
                                         const CounterfactualLimits& limits) {
  Search search{policy, facts, limits, {}, {}, {}};
  for (auto a : decision.authorities) {
    std::set<std::int32_t> g;
    closure_facts(policy, a, g);
    search.groups.push_back(std::move(g));
  }
  search.goal = [](const Decision& d) { return d.outcome == Outcome::denied; };
  return sorted_denials(policy, search.run(), limits.max_permit_flips);
}

// For an undetermined request: the unknown facts whose values would settle it
// as denied (unknown → known; the permits it could still get are found by
// permit_flips). Only facts the request does not give are changed.
std::vector<Counterfactual> settle_as_denied(const Policy& policy, const Facts& facts, const Decision& decision,
                                             const CounterfactualLimits& limits) {
  std::set<std::int32_t> unknown;
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    if (decision.rules[r].in_force != Tri::unknown || policy.rules[r].condition < 0) continue;
    for (auto f : policy.conditions[policy.rules[r].condition].facts)
      if (!facts.values[f].known && changeable(policy, f)) unknown.insert(f);
  }
  Search search{policy, facts, limits, {std::move(unknown)}, {}, {}};
  search.goal = [](const Decision& d) { return d.outcome == Outcome::denied; };
  return sorted_denials(policy, search.run(), limits.max_permit_flips);
}

}  // namespace

bool changeable(const Policy& policy, std::int32_t fact) {
  const auto& info = policy.facts[fact];
  if (info.fixed) return false;
  switch (info.type.kind) {
    case TypeKind::boolean:
    case TypeKind::enumeration: return true;
    case TypeKind::set: return policy.enums[info.type.enum_id].values.size() <= 64;
    case TypeKind::integer:
    case TypeKind::decimal:
    case TypeKind::date:
    case TypeKind::string: return !scalar_candidates(policy, fact).empty();  // only values a rule names or bounds
    default: return false;
  }
}

namespace {

// The candidate sets of a set fact whose value is `base`: every one, sorted by
// how many names they change, without the empty set and `base` itself.
std::vector<Bits> set_candidates(const Policy& policy, std::int32_t fact, Bits base) {
  const auto n = policy.enums[policy.facts[fact].type.enum_id].values.size();
  const Bits all = n >= 64 ? ~Bits{0} : bit(static_cast<std::int64_t>(n)) - 1;
  // Two rounds: the sets that flip one condition, then those that flip
  // another one from there (remove the return copy, then add the name).
  std::set<Bits> sets;
  walk_policy(policy, [&](const CExpr& e) { set_candidates_from(e, fact, base, all, sets); });
  std::set<Bits> second;
  for (auto s : sets) walk_policy(policy, [&](const CExpr& e) { set_candidates_from(e, fact, s, all, second); });
  sets.insert(second.begin(), second.end());
  sets.erase(0);  // never the empty set: disclosing nothing, or a condition that holds vacuously, is not a near miss
  sets.erase(base);
  std::vector<Bits> sorted(sets.begin(), sets.end());
  std::stable_sort(sorted.begin(), sorted.end(), [&](Bits a, Bits b) { return popcount(a ^ base) < popcount(b ^ base); });
  return sorted;
}

// set_candidates() of an unknown set fact (as of the empty set, which it then
// also excludes), once per policy and fact, on first use.
const std::vector<Bits>& unknown_set_candidates(const Policy& policy, std::int32_t fact) {
  const auto& texts = explain_texts(policy);
  std::call_once(texts.unknown_set_once[fact], [&] { texts.unknown_set_candidates[fact] = set_candidates(policy, fact, 0); });
  return texts.unknown_set_candidates[fact];
}

}  // namespace

std::vector<Value> candidate_values(const Policy& policy, std::int32_t fact, const Value& current, std::size_t max_set_candidates) {
  const auto& info = policy.facts[fact];
  std::vector<Value> out;
  auto make = [&](std::int64_t integer, Bits bits) {
    Value v;
    v.kind = info.type.kind;
    v.known = true;
    v.integer = integer;
    v.bits = bits;
    return v;
  };
  switch (info.type.kind) {
    case TypeKind::boolean:
      for (int b : {1, 0})
        if (!current.known || current.integer != b) out.push_back(make(b, 0));
      return out;
    case TypeKind::enumeration: {
      const auto n = static_cast<std::int64_t>(policy.enums[info.type.enum_id].values.size());
      for (std::int64_t i = 0; i < n; ++i)
        if (!current.known || current.integer != i) out.push_back(make(i, 0));
      return out;
    }
    case TypeKind::set: {
      // An unknown set's candidates depend on the policy alone: computed once (the next question asks for them often).
      const auto& sorted = current.known ? set_candidates(policy, fact, current.bits) : unknown_set_candidates(policy, fact);
      for (std::size_t i = 0; i < sorted.size() && i < max_set_candidates; ++i) out.push_back(make(0, sorted[i]));
      return out;
    }
    case TypeKind::integer:
    case TypeKind::decimal:
    case TypeKind::date:
    case TypeKind::string:
      // The constants the rules compare the fact with, and one either side.
      for (auto& v : scalar_candidates(policy, fact))
        if (!same_value(v, current)) out.push_back(std::move(v));
      return out;
    default: return out;  // durations are never facts
  }
}

Facts apply_changes(const Facts& facts, const std::vector<FactChange>& changes) {
  Facts out = facts;
  for (const auto& c : changes) out.values[c.fact] = c.value;
  return out;
}

nlohmann::json changes_to_json(const Policy& policy, const std::vector<FactChange>& changes) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& c : changes) out[policy.facts[c.fact].path] = value_to_json(policy, c.value, policy.facts[c.fact].type);
  return out;
}

std::vector<Counterfactual> counterfactuals_for(const Policy& policy, const Facts& facts, const Decision& decision,
                                                std::int32_t rule, const CounterfactualLimits& limits) {
  if (!policy.rules[rule].is_permit() || decision.outcome == Outcome::conflict) return {};
  return permit_flips(policy, facts, decision, rule, limits);
}

std::vector<Counterfactual> counterfactuals(const Policy& policy, const Facts& facts, const Decision& decision,
                                            const CounterfactualLimits& limits) {
  switch (decision.outcome) {
    case Outcome::permitted: return denial_flips(policy, facts, decision, limits);
    case Outcome::denied:
    case Outcome::undetermined: {
      std::vector<Counterfactual> out;
      for (const auto& miss : nearest_exceptions(policy, decision, limits.max_rules)) {
        auto found = permit_flips(policy, facts, decision, miss.rule, limits);
        out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
      }
      if (decision.outcome == Outcome::undetermined) {
        auto denied = settle_as_denied(policy, facts, decision, limits);
        out.insert(out.end(), std::make_move_iterator(denied.begin()), std::make_move_iterator(denied.end()));
      }
      return out;
    }
    default: return {};  // a conflict is for the drafter to resolve; outside the rule set's scope nothing flips
  }
}

}  // namespace proviso
