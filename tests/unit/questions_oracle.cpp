// The oracle of questions_oracle.hpp: the code of main d35e4b6, unchanged
// but for the namespace (and question_text, taken from the engine).
#include "questions_oracle.hpp"

#include <algorithm>

#include "engine/counterfactual.hpp"
#include "engine/fact_domain.hpp"
#include "engine/fast_search.hpp"

namespace proviso::testing::oracle {
namespace {

bool decided(Outcome o) { return o != Outcome::undetermined; }

std::size_t unknown_rules(const Decision& d) {
  return static_cast<std::size_t>(std::count_if(d.rules.begin(), d.rules.end(), [](const RuleResult& r) { return r.in_force == Tri::unknown; }));
}

class WitnessSearch {
 public:
  WitnessSearch(const Policy& policy, const Facts& state, std::int32_t fact, const RelevanceLimits& limits,
                const std::vector<std::int32_t>& unknowable)
      : policy_(policy), fact_(fact), limits_(limits), domain_(fact_domain(policy, fact)), unknowable_(unknowable),
        search_(policy, state) {
    complete_ = domain_.complete;
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      if (rule.condition < 0) continue;
      const auto& read = policy.conditions[rule.condition].facts;
      if (std::binary_search(read.begin(), read.end(), fact)) readers_.push_back(static_cast<std::int32_t>(r));
    }
  }

  RelevanceResult run(Facts state, const Decision* decided) {
    RelevanceResult result;
    set(state, fact_, Value::unknown(policy_.facts[fact_].type.kind));
    std::vector<FactChange> completion;
    // From `decided`, only the rules that read the fact (now unknown) are decided again.
    if (node(state, completion, decided, decided ? fact_ : -1)) result.witness = std::move(witness_);
    result.proved_irrelevant = !result.witness && complete_ && nodes_ <= limits_.max_nodes;
    result.nodes = nodes_;
    return result;
  }

 private:
  // Rules whose force may still turn on the fact: readers whose condition is
  // unknown, and the rules they are exceptions to, transitively, while unknown.
  // Known force stays known whatever the unknown facts turn out to be (Kleene).
  // `applies` and `in_force`: by rule, as Decision::rules has them.
  bool reaches_outcome(const std::vector<Tri>& applies, const std::vector<Tri>& in_force) const {
    std::vector<bool> marked(policy_.rules.size(), false);
    std::vector<std::int32_t> pending;
    for (auto r : readers_)
      if (applies[r] == Tri::unknown && in_force[r] == Tri::unknown) pending.push_back(r);
    while (!pending.empty()) {
      auto r = pending.back();
      pending.pop_back();
      if (marked[r]) continue;
      marked[r] = true;
      if (!policy_.rules[r].is_limit()) return true;  // a permit or forbid: the outcome reads its force
      for (auto e : policy_.rules[r].exception_to)
        if (in_force[e] == Tri::unknown) pending.push_back(e);
    }
    return false;
  }

  // The next fact to give a value: an unknown fact of an unknown condition,
  // first of a rule reading the fact (to make it apply), then of any rule
  // whose force is unknown. Facts outside unknown conditions cannot change anything.
  std::int32_t branch_fact(const Facts& s, const Decision& d) const {
    auto pick = [&](std::int32_t r) -> std::int32_t {
      for (auto c : policy_.rules[r].top_conditions) {
        if (d.conditions[c] != Tri::unknown) continue;
        for (auto f : policy_.conditions[c].facts)
          if (f != fact_ && !s.values[f].known && std::find(unknowable_.begin(), unknowable_.end(), f) == unknowable_.end()) return f;
      }
      return -1;
    };
    for (auto r : readers_)
      if (d.rules[r].in_force == Tri::unknown)
        if (auto f = pick(r); f >= 0) return f;
    for (std::size_t r = 0; r < policy_.rules.size(); ++r)
      if (d.rules[r].in_force == Tri::unknown)
        if (auto f = pick(static_cast<std::int32_t>(r)); f >= 0) return f;
    return -1;
  }

  // A fact of the state, in `s` and in the compiled search alike.
  void set(Facts& s, std::int32_t slot, const Value& value) {
    s.values[slot] = value;
    search_->set(slot, value);
  }

  // `parent`: the traced decision of `s` before its fact `changed` was given a
  // value (at the root: the caller's decision of the state, or null). The
  // node and its answers are decided on the compiled evaluator; the traced
  // decision, whose condition values choose the fact to branch on, is made
  // only when the node branches, from `parent`, evaluating again only the
  // rules reading `changed`.
  bool node(Facts& s, std::vector<FactChange>& completion, const Decision* parent = nullptr, std::int32_t changed = -1) {
    if (++nodes_ > limits_.max_nodes) return false;
    const Outcome unanswered = search_->decide_every_rule();
    if (!reaches_outcome(search_->applies(), search_->in_force())) return false;
    std::vector<Outcome> outcomes;
    outcomes.reserve(domain_.values.size());
    for (const auto& v : domain_.values) {  // each answer in place: the fact is unknown in `s` on entry and on return
      search_->set(fact_, v);
      outcomes.push_back(search_->outcome());
    }
    search_->set(fact_, Value::unknown(policy_.facts[fact_].type.kind));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (outcomes[i] == unanswered) continue;
      witness_.fact = fact_;
      witness_.completion = completion;
      std::sort(witness_.completion.begin(), witness_.completion.end(), [](const FactChange& a, const FactChange& b) { return a.fact < b.fact; });
      witness_.answer = domain_.values[i];
      witness_.answer_outcome = outcomes[i];
      witness_.other = Value::unknown(policy_.facts[fact_].type.kind);
      witness_.other_outcome = unanswered;
      for (std::size_t j = 0; j < outcomes.size(); ++j)
        if (outcomes[j] != outcomes[i]) {  // two answers that differ say more than "not known"
          witness_.other = domain_.values[j];
          witness_.other_outcome = outcomes[j];
          break;
        }
      return true;
    }
    if (unanswered != Outcome::undetermined) return false;  // every answer gives the same settled outcome
    const auto traced = parent ? decide_outcome_changed(policy_, s, *parent, {changed}) : decide_outcome(policy_, s);
    auto g = branch_fact(s, traced);
    if (g < 0) return false;
    const auto domain = fact_domain(policy_, g);
    complete_ = complete_ && domain.complete;
    for (const auto& w : domain.values) {
      set(s, g, w);
      completion.push_back({g, w});
      if (node(s, completion, &traced, g)) return true;
      completion.pop_back();
      if (nodes_ > limits_.max_nodes) break;
    }
    set(s, g, Value::unknown(policy_.facts[g].type.kind));
    return false;
  }

  const Policy& policy_;
  std::int32_t fact_;
  const RelevanceLimits& limits_;
  FactDomain domain_;
  bool complete_ = true;
  const std::vector<std::int32_t>& unknowable_;
  std::vector<std::int32_t> readers_;
  std::size_t nodes_ = 0;
  Witness witness_;
  FastSearchLease search_;  // the state `s` of the search, in the compiled layout
};

Question rank_question(const Policy& policy, FastSearch& search, const Facts& facts, std::int32_t fact, std::size_t before,
                       const QuestionLimits& limits) {
  Question q;
  q.fact = fact;  // its text is written when it is asked (next_questions): most ranked ones are not
  std::size_t settled = 0;
  double progress = 0;
  for (auto& value : candidate_values(policy, fact, facts.values[fact], limits.max_set_answers)) {
    search.set(fact, value);
    const Outcome outcome = search.decide_changed_by_pass(fact);
    if (decided(outcome)) ++settled;
    const auto unknown = static_cast<std::size_t>(std::count(search.in_force().begin(), search.in_force().end(), Tri::unknown));
    progress += static_cast<double>(before - std::min(before, unknown));
    q.answers.push_back({std::move(value), outcome, search.authorities()});
  }
  search.set(fact, facts.values[fact]);
  if (!q.answers.empty()) {
    q.settles = static_cast<double>(settled) / static_cast<double>(q.answers.size());
    q.progress = progress / static_cast<double>(q.answers.size());
  }
  return q;
}
std::optional<Witness> settling_witness(const Policy& policy, const Question& q, Outcome unanswered) {
  for (const auto& a : q.answers) {
    if (a.outcome == unanswered) continue;
    Witness w;
    w.fact = q.fact;
    w.answer = a.value;
    w.answer_outcome = a.outcome;
    w.other = Value::unknown(policy.facts[q.fact].type.kind);
    w.other_outcome = unanswered;
    for (const auto& b : q.answers)
      if (b.outcome != a.outcome) {
        w.other = b.value;
        w.other_outcome = b.outcome;
        break;
      }
    return w;
  }
  return std::nullopt;
}
std::vector<Question> next_questions_of(const Policy& policy, const Facts& facts, const Decision& decision,
                                        const std::vector<std::int32_t>& skip, const QuestionLimits& limits) {
  std::vector<Question> out;
  if (decision.outcome != Outcome::undetermined) return out;
  const auto before = unknown_rules(decision);
  auto askable = [&](std::int32_t f) { return !facts.values[f].known && std::find(skip.begin(), skip.end(), f) == skip.end(); };
  // Two tiers of candidates: first the decision's deciding unknowns (the facts
  // of unknown sub-conditions of the rules that decide), then every other
  // unknown fact a rule of unknown force reads. Either way a fact is asked only
  // when find_witness shows its answer can change the outcome.
  std::vector<std::int32_t> first, second;
  for (auto f : decision.unknown_facts)
    if (askable(f)) first.push_back(f);
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    if (decision.rules[r].in_force != Tri::unknown || policy.rules[r].condition < 0) continue;
    for (auto f : policy.conditions[policy.rules[r].condition].facts)
      if (askable(f) && std::find(first.begin(), first.end(), f) == first.end()) second.push_back(f);
  }
  std::sort(second.begin(), second.end());
  second.erase(std::unique(second.begin(), second.end()), second.end());
  FastSearchLease lease(policy, facts);
  FastSearch& search = *lease;
  search.keep_baseline();
  for (const auto* tier : {&first, &second}) {
    std::vector<Question> ranked;
    for (auto fact : *tier) ranked.push_back(rank_question(policy, search, facts, fact, before, limits));
    std::stable_sort(ranked.begin(), ranked.end(), [](const Question& a, const Question& b) {
      if (a.settles != b.settles) return a.settles > b.settles;
      if (a.progress != b.progress) return a.progress > b.progress;
      return a.fact < b.fact;
    });
    for (auto& q : ranked) {
      if (out.size() >= limits.max_questions) return out;
      if (auto settling = settling_witness(policy, q, decision.outcome)) {  // as things stand: no search needed
        q.witness = std::move(*settling);
        q.text = question_text(policy, q.fact);
        out.push_back(std::move(q));
        continue;
      }
      auto found = WitnessSearch(policy, facts, q.fact, limits.relevance, skip).run(facts, &decision);
      if (!found.witness) continue;
      q.witness = std::move(*found.witness);
      q.text = question_text(policy, q.fact);
      out.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace

RelevanceResult find_witness(const Policy& policy, const Facts& state, std::int32_t fact, const RelevanceLimits& limits,
                             const std::vector<std::int32_t>& unknowable, const Decision* decided) {
  return WitnessSearch(policy, state, fact, limits, unknowable).run(state, decided);
}

std::vector<Question> next_questions(const Policy& policy, const Facts& facts, const Decision& decision,
                                     const std::vector<std::int32_t>& skip, const QuestionLimits& limits) {
  return next_questions_of(policy, facts, decision, skip, limits);
}

}  // namespace proviso::testing::oracle
