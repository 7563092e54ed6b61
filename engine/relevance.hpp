// Whether the answer to one unknown fact can still change a decision, decided
// by search over the declared domains of the other unknown facts. A question is
// asked only with a witness: a completion of some of the other unknown facts
// under which two answers (or an answer and "not known") give different outcomes.
#pragma once
#include <optional>
#include <vector>

#include "counterfactual.hpp"

namespace proviso {

class FastSearch;

struct Witness {
  std::int32_t fact = -1;
  std::vector<FactChange> completion;  // values given to other unknown facts, sorted by slot
  Value answer;                        // a known answer
  Value other;                         // a different known answer, or unknown: the fact not answered
  Outcome answer_outcome = Outcome::undetermined;
  Outcome other_outcome = Outcome::undetermined;
};

struct RelevanceLimits {
  // Partial completions visited per fact. A fact whose witness is not found
  // within the budget is not asked: a question without a witness might not matter.
  std::size_t max_nodes = 150;
};

struct RelevanceResult {
  std::optional<Witness> witness;
  bool proved_irrelevant = false;  // the search covered every value the rules tell apart (the `unknowable`
                                   // facts left unknown): no answer matters
  std::size_t nodes = 0;
};

// `state`: what is known (the fact itself unknown). Facts other than `fact`
// that are unknown in `state` may be given values in the completion, except
// those in `unknowable` (the interview's "I don't know" answers), which stay unknown.
// `decided`, when given, is decide(policy, state) or decide_outcome(policy, state):
// the search starts from it instead of deciding `state` again.
RelevanceResult find_witness(const Policy& policy, const Facts& state, std::int32_t fact, const RelevanceLimits& limits = {},
                             const std::vector<std::int32_t>& unknowable = {}, const Decision* decided = nullptr);

// find_witness() on a FastSearch loaded with `state` and on `state` itself,
// which the search changes while it runs and leaves as they were: the next
// question shares one of each between its ranking and every witness search.
// `at_baseline`: the search's baseline (FastSearch::keep_baseline()) was made on `state`.
// `root_answers_open`: every value of the fact's domain is known to leave
// `state` undetermined (the next question's ranking decided them), so the
// root's answers are not decided again.
RelevanceResult find_witness(const Policy& policy, FastSearch& search, Facts& state, std::int32_t fact, const RelevanceLimits& limits,
                             const std::vector<std::int32_t>& unknowable, const Decision* decided, bool at_baseline,
                             bool root_answers_open = false);

// Re-checks a witness by evaluating it: true when its two outcomes are what
// decide_outcome gives and differ, and the completion changes only unknown facts.
bool witness_holds(const Policy& policy, const Facts& state, const Witness& witness);

}  // namespace proviso
