#include "relevance.hpp"

#include <algorithm>
#include <optional>

#include "fact_domain.hpp"
#include "fast_search.hpp"

namespace proviso {
namespace {

// What is known of the root's decisions before its search decides them.
struct Root {
  const Decision* decided = nullptr;  // its traced decision
  bool at_baseline = false;           // the search's baseline is its compiled decision
  bool answers_open = false;          // each answer is known to leave it undetermined (as it is)
};

// A witness search's working vectors, kept by the thread between searches
// (one runs at a time on a thread) so that a search allocates none of them.
struct WitnessWork {
  std::vector<Value> saved;             // by give(): the values the completion's facts had, innermost last
  std::vector<std::uint32_t> marked;    // by rule: reaches_outcome() marked it in its pass `mark`
  std::uint32_t mark = 0;
  std::vector<std::int32_t> pending;    // reaches_outcome()'s
  std::vector<std::int32_t> slots;      // node(): the slots that differ from the baseline's
  std::vector<Outcome> outcomes;        // node(): each answer's, read before any child runs
};

WitnessWork& witness_work() {
  thread_local WitnessWork work;
  return work;
}

class WitnessSearch {
 public:
  // `search` and `state` alike hold the state the search starts from; the
  // search changes both while it runs and leaves them as they were.
  WitnessSearch(const Policy& policy, FastSearch& search, Facts& state, std::int32_t fact, const RelevanceLimits& limits,
                const std::vector<std::int32_t>& unknowable)
      : policy_(policy), fact_(fact), limits_(limits), domain_(search.domain(fact)), unknowable_(unknowable),
        readers_(search.condition_readers(fact)), search_(search), state_(state) {
    complete_ = domain_.complete;
  }

  // `at_baseline`: the search holds its baseline (keep_baseline()), made on `state`.
  RelevanceResult run(const Decision* decided, bool at_baseline, bool root_answers_open = false) {
    RelevanceResult result;
    Value before = std::move(state_.values[fact_]);
    const bool was_unknown = !before.known;
    set(fact_, Value::unknown(policy_.facts[fact_].type.kind));
    std::vector<FactChange> completion;
    // The fact already unknown in `state`, the root is `state` itself:
    // `decided` is its traced decision, and the baseline (at_baseline) its
    // compiled one. Else, from `decided`, only the rules that read the fact
    // (now unknown) are decided again.
    Root root;
    root.decided = was_unknown ? decided : nullptr;
    root.at_baseline = was_unknown && at_baseline;
    from_baseline_ = root.at_baseline;
    if (from_baseline_) {  // the fact unknown in the baseline: answers its live tests cannot tell apart are decided alike
      fact_tests_ = &search_.answer_tests(fact_);
      fact_live_ = fact_tests_->opaque ? 0 : search_.live_tests(*fact_tests_);
    }
    root.answers_open = root.at_baseline && root_answers_open;
    if (node(completion, decided, decided ? fact_ : -1, root)) {
      result.witness = std::move(witness_);
      for (auto it = completion.rbegin(); it != completion.rend(); ++it) restore(it->fact);  // the witness's values, taken back
    }
    state_.values[fact_] = std::move(before);
    search_.set(fact_, state_.values[fact_]);
    result.proved_irrelevant = !result.witness && complete_ && nodes_ <= limits_.max_nodes;
    result.nodes = nodes_;
    return result;
  }

 private:
  // Rules whose force may still turn on the fact: readers whose condition is
  // unknown, and the rules they are exceptions to, transitively, while unknown.
  // Known force stays known whatever the unknown facts turn out to be (Kleene).
  // `applies` and `in_force`: by rule, as Decision::rules has them.
  bool reaches_outcome(const std::vector<Tri>& applies, const std::vector<Tri>& in_force) {
    auto& marked = work_.marked;
    if (marked.size() < policy_.rules.size()) marked.resize(policy_.rules.size(), 0);
    if (++work_.mark == 0) {  // wrapped: forget every mark
      std::fill(marked.begin(), marked.end(), 0u);
      work_.mark = 1;
    }
    const auto mark = work_.mark;
    auto& pending = work_.pending;
    pending.clear();
    for (auto r : readers_)
      if (applies[r] == Tri::unknown && in_force[r] == Tri::unknown) pending.push_back(r);
    while (!pending.empty()) {
      auto r = pending.back();
      pending.pop_back();
      if (marked[r] == mark) continue;
      marked[r] = mark;
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

  // A fact of the state, in `state_` and in the compiled search alike; the value it had is kept for restore().
  void set(std::int32_t slot, const Value& value) {
    state_.values[slot] = value;
    search_.set(slot, value);
  }
  void give(std::int32_t slot, const Value& value) {
    work_.saved.push_back(std::move(state_.values[slot]));
    set(slot, value);
  }
  // The value `slot` had before the last give() not yet restored.
  void restore(std::int32_t slot) {
    state_.values[slot] = std::move(work_.saved.back());
    work_.saved.pop_back();
    search_.set(slot, state_.values[slot]);
  }

  // `parent`: the traced decision of `s` before its fact `changed` was given a
  // value (at the root: the caller's decision of the state, or null). The
  // node and its answers are decided on the compiled evaluator; the traced
  // decision, whose condition values choose the fact to branch on, is made
  // only when the node branches, from `parent`, evaluating again only the
  // rules reading `changed`.
  bool node(std::vector<FactChange>& completion, const Decision* parent, std::int32_t changed, const Root& root) {
    if (++nodes_ > limits_.max_nodes) return false;
    // With the baseline made on the root's state, the node's state is the
    // baseline's but for the completion, and each answer's but for it and the fact.
    if (from_baseline_) {
      work_.slots.clear();
      for (const auto& c : completion) work_.slots.push_back(c.fact);
    }
    Outcome unanswered = Outcome::undetermined;
    if (root.at_baseline) unanswered = search_.recall_baseline();
    else if (!from_baseline_) unanswered = search_.decide_every_rule();
    else if (work_.slots.size() != 1 || !search_.recall_refined(work_.slots[0], unanswered))  // as the ranking decided it
      unanswered = search_.decide_changed(work_.slots);
    if (!reaches_outcome(search_.applies(), search_.in_force())) return false;
    auto& outcomes = work_.outcomes;
    outcomes.clear();
    if (root.answers_open && unanswered == Outcome::undetermined) {
      outcomes.assign(domain_.values.size(), Outcome::undetermined);
    } else {
      if (from_baseline_) work_.slots.push_back(fact_);
      for (std::size_t k = 0; k < domain_.values.size(); ++k) {  // each answer in place: the fact is unknown in the state on entry and on return
        if (const auto same = same_class(fact_tests_, fact_live_, k); same < k) {  // decided as an earlier answer
          outcomes.push_back(outcomes[same]);
          continue;
        }
        search_.set(fact_, domain_.values[k]);
        outcomes.push_back(from_baseline_ ? search_.decide_changed(work_.slots) : search_.outcome());
      }
      search_.set(fact_, Value::unknown(policy_.facts[fact_].type.kind));
    }
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
    std::optional<Decision> made;
    if (!root.decided) made = parent ? decide_outcome_changed(policy_, state_, *parent, {changed}) : decide_outcome(policy_, state_);
    const Decision& traced = made ? *made : *root.decided;
    auto g = branch_fact(state_, traced);
    if (g < 0) return false;
    const auto& domain = search_.domain(g);
    complete_ = complete_ && domain.complete;
    // A value the live tests cannot tell from an earlier one leads to the
    // same search below, which found no witness: it is not searched again,
    // but counts the nodes that search visited (the budget runs out alike).
    const FastSearch::AnswerTests* classes = nullptr;
    std::uint64_t live = 0;
    if (from_baseline_) {
      classes = &search_.answer_tests(g);
      live = classes->opaque ? 0 : search_.live_tests(*classes, true);
    }
    std::vector<std::size_t> visited(classes && !classes->opaque ? domain.values.size() : 0);  // by value: the nodes its search visited
    bool first = true;
    for (std::size_t k = 0; k < domain.values.size(); ++k) {
      if (const auto same = same_class(classes, live, k); same < k) {
        visited[k] = visited[same];
        nodes_ = nodes_ + visited[k] > limits_.max_nodes ? limits_.max_nodes + 1 : nodes_ + visited[k];
        if (nodes_ > limits_.max_nodes) break;
        continue;
      }
      const auto& w = domain.values[k];
      if (first) give(g, w);
      else set(g, w);
      first = false;
      completion.push_back({g, w});
      const auto before = nodes_;
      if (node(completion, &traced, g, {})) return true;  // the completion's values stay given until run() restores them
      if (!visited.empty()) visited[k] = nodes_ - before;
      completion.pop_back();
      if (nodes_ > limits_.max_nodes) break;
    }
    if (!first) restore(g);
    return false;
  }

  // The first of the domain's values 0..k whose truths agree with value k's
  // on `live` (FastSearch::live_tests): k when none, or without classes.
  static std::size_t same_class(const FastSearch::AnswerTests* classes, std::uint64_t live, std::size_t k) {
    if (!classes || classes->opaque) return k;
    const auto& truths = classes->domain_truths;
    for (std::size_t j = 0; j < k; ++j)
      if (((truths[j] ^ truths[k]) & live) == 0) return j;
    return k;
  }

  const Policy& policy_;
  std::int32_t fact_;
  const RelevanceLimits& limits_;
  const FactDomain& domain_;
  const FastSearch::AnswerTests* fact_tests_ = nullptr;  // the fact's, when the search starts from the baseline
  std::uint64_t fact_live_ = 0;                          // its tests that can tell answers apart from the baseline
  bool complete_ = true;
  const std::vector<std::int32_t>& unknowable_;
  const std::vector<std::int32_t>& readers_;
  std::size_t nodes_ = 0;
  Witness witness_;
  FastSearch& search_;  // the state of the search, in the compiled layout
  Facts& state_;        // and as Facts, for the traced decision that chooses the fact to branch on
  WitnessWork& work_ = witness_work();
  bool from_baseline_ = false;  // the search's baseline was made on the root's state (decide_changed())
};

}  // namespace

RelevanceResult find_witness(const Policy& policy, const Facts& state, std::int32_t fact, const RelevanceLimits& limits,
                             const std::vector<std::int32_t>& unknowable, const Decision* decided) {
  FastSearchLease search(policy, state);
  Facts changing = state;
  return find_witness(policy, *search, changing, fact, limits, unknowable, decided, false);
}

RelevanceResult find_witness(const Policy& policy, FastSearch& search, Facts& state, std::int32_t fact, const RelevanceLimits& limits,
                             const std::vector<std::int32_t>& unknowable, const Decision* decided, bool at_baseline,
                             bool root_answers_open) {
  return WitnessSearch(policy, search, state, fact, limits, unknowable).run(decided, at_baseline, root_answers_open);
}

bool witness_holds(const Policy& policy, const Facts& state, const Witness& w) {
  if (w.fact < 0 || state.values[w.fact].known || !w.answer.known) return false;
  Facts base = state;
  for (const auto& c : w.completion) {
    if (c.fact == w.fact || state.values[c.fact].known || !c.value.known) return false;
    base.values[c.fact] = c.value;
  }
  Facts first = base, second = base;
  first.values[w.fact] = w.answer;
  second.values[w.fact] = w.other;
  const auto a = decide_outcome(policy, first).outcome, b = decide_outcome(policy, second).outcome;
  return a == w.answer_outcome && b == w.other_outcome && a != b;
}

}  // namespace proviso
