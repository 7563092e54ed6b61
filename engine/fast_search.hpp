// The compiled evaluator (engine/compiled.hpp) for the searches of
// explanations, which decide many variants of one request that differ in a
// fact or two: the facts loaded once, then changed one slot at a time.
// Each decision agrees with the tracing decide() on the outcome, the
// authorities and every rule's force (tests/unit/fast_trace_test.cpp).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "compiled.hpp"
#include "fact_domain.hpp"
#include "fast_eval.hpp"

namespace proviso {

class FastSearch {
 public:
  // `facts` bound to `policy`; the compiled form is the policy's own (search_compiled()).
  FastSearch(const Policy& policy, const Facts& facts);

  void set(std::int32_t slot, const Value& value) { compiled_.load_fact(slot, value, facts_); }
  // Every fact and reading from `facts` again (bound to the same policy).
  void load(const Facts& facts) { compiled_.load_facts(facts, facts_); }
  // Interpretation `index` read as `setting`: -1 the policy's default, 0 false, 1 true.
  void set_interpretation(std::int32_t index, std::int8_t setting) { facts_.interpretations[index] = setting; }

  // The outcome only.
  Outcome outcome() { return compiled_.decide(facts_, scratch_); }
  // The outcome, with authorities() and each rule's force (in_force()).
  Outcome decide_every_rule() {
    unknown_forces_ = -1;
    near_baseline_ = false;
    return compiled_.decide_every_rule(facts_, scratch_, applies_, in_force_);
  }
  // decide_every_rule(), kept as the baseline for decide_changed().
  Outcome keep_baseline();
  // The same from `decided`, decide() of the loaded facts, whose rules'
  // conditions and forces, outcome and authorities are decide_every_rule()'s
  // (tests/unit/fast_trace_test.cpp): not decided again. A decision without
  // every rule (stopped at its step budget) is decided again.
  Outcome keep_baseline(const Decision& decided);
  // decide_every_rule() for facts that differ from the baseline's only in
  // `slots`: only the rules reading them are evaluated again, and only the
  // rules whose exceptions' force changed are settled again (FastEval::run_from).
  Outcome decide_changed(std::span<const std::int32_t> slots);
  Outcome decide_changed(std::int32_t slot) { return decide_changed(std::span<const std::int32_t>(&slot, 1)); }
  // decide_changed(slot) as a pass over every rule, the rules not reading it
  // keeping the baseline's condition: the oracle of the tests.
  Outcome decide_changed_by_pass(std::int32_t slot);
  // The baseline's decision as the last decision (applies(), in_force(),
  // authorities()), without deciding: for facts as the baseline's were.
  Outcome recall_baseline();
  // Decisions of one slot refined, kept until the next baseline: the ranking
  // decides answers about each fact, and the witness search's first
  // completions give such a fact such a value. keep_refined(): the last
  // decision was decide_changed(slot), the slot unknown in the baseline; it
  // is kept for the slot's loaded value. recall_refined(): for facts that
  // differ from the baseline's in `slot` alone, a decision kept for its
  // loaded value made the last decision without deciding (false: none kept).
  // Values of text facts are not kept (their cells do not tell every text apart).
  void keep_refined(std::int32_t slot, Outcome outcome);
  bool recall_refined(std::int32_t slot, Outcome& outcome);

  // Whether giving `slot`, unknown in the baseline, a value may change the
  // baseline's outcome: a rule decide_changed(slot) evaluates again (its
  // condition reads the slot and is unknown there, or asks whether a fact is
  // known) reaches a permit or forbid of unknown force, itself or through the
  // rules it is an exception to, each of unknown force. False means no value
  // changes the outcome, and the witness search's root (which starts from
  // fewer rules: the linked readers of unknown condition) finds no witness.
  // Kleene: a known condition or force stays as it is when an unknown fact
  // gets a value, so only such chains can change the outcome.
  bool may_reach_outcome(std::int32_t slot);

  // Of the last decision: the authorities, rule indexes ascending.
  const std::vector<std::int32_t>& authorities() const { return scratch_.authorities; }
  // Of the last decide_every_rule(): by rule index.
  const std::vector<Tri>& applies() const { return applies_; }
  const std::vector<Tri>& in_force() const { return in_force_; }
  // Of the last decision with every rule's force: the rules (limits too) whose force is unknown.
  std::size_t unknown_forces();

  // What the next question and its witness search ask of the policy alone,
  // by slot, on first use: kept with the search across requests (the pool).
  // fact_domain(policy, slot):
  const FactDomain& domain(std::int32_t slot);
  // The rules whose condition reads the slot (linked conditions only), ascending:
  const std::vector<std::int32_t>& condition_readers(std::int32_t slot);
  // candidate_values(policy, slot, unknown, max_set_candidates):
  const std::vector<Value>& unknown_candidates(std::int32_t slot, std::size_t max_set_candidates);
  // How the rules tell unknown_candidates(slot, max_set_candidates) apart:
  // each test reading the fact against a constant (`fact = k`, `k in fact`,
  // …), each candidate's truth of them, and the rules whose condition reaches
  // them. Two candidates whose tests hold alike for every rule that a value
  // of the fact can still change are decided alike (answer_class()).
  struct AnswerTests {
    bool opaque = true;                  // the fact is read otherwise (or through over 64 tests): every candidate its own
    std::vector<std::uint64_t> truths;   // by candidate: bit i, whether test i holds
    std::vector<std::uint64_t> domain_truths;  // the same by value of domain(slot)
    bool domain_among_candidates = false;  // every value of domain(slot) is one of the candidates (same_value)
    struct Reader {
      std::int32_t rule;
      bool asks_known;      // its condition asks whether the fact is known
      std::uint64_t tests;  // the tests its condition reaches, through definitions too
    };
    std::vector<Reader> readers;
  };
  const AnswerTests& answer_tests(std::int32_t slot, std::size_t max_set_candidates);
  // The same with the max_set_candidates of the last unknown_candidates(): for the domain's truths.
  const AnswerTests& answer_tests(std::int32_t slot) { return answer_tests(slot, unknown_candidates_max_set_); }
  // The tests that can still tell the answers about `slot` apart from the
  // baseline: those of the rules whose condition is unknown there (Kleene:
  // a known one stays as it is when an unknown fact is given a value) or asks
  // whether the fact is known. For a slot unknown in the baseline, candidates
  // whose truths agree on them give the same decide_changed(slot): the same
  // condition for every rule, so the same forces, outcome and authorities.
  // `forces_too`: also those of the rules whose force is unknown in the
  // baseline, as the witness search's choice of the fact to branch on reads
  // their conditions: values of a slot unknown in the baseline that agree on
  // them lead to the same decisions and traces in every state that refines
  // the baseline (more facts known), hence to the same witness search.
  std::uint64_t live_tests(const AnswerTests& tests, bool forces_too = false) const;

 private:
  const CompiledPolicy& compiled_;
  FastFacts facts_;
  FastScratch scratch_;
  std::vector<Tri> applies_, in_force_;
  std::vector<Tri> baseline_;                     // the baseline's conditions, by rule
  std::vector<Tri> baseline_in_force_;           // and the rest of its decision, for recall_baseline()
  Outcome baseline_outcome_ = Outcome::undetermined;
  Outcome adopt_baseline(Outcome outcome, bool memos_kept);  // the last decision, with every rule's force, as the baseline
  // applies_, in_force_ and forces_ as the baseline's: after a decide_changed()
  // only the rules it visited are copied back (change_tables_->visited).
  void restore_baseline();
  bool near_baseline_ = false;  // they differ from the baseline's only in the rules the last run_from visited
  std::vector<std::int32_t> baseline_authorities_;
  struct Refined {
    std::int32_t slot;
    std::uint64_t cell;
    Outcome outcome;
    std::uint32_t unknown_forces;
    std::uint32_t rules_begin;                         // refined_rules_: applies, then in_force
    std::uint32_t authorities_begin, authorities_end;  // refined_authorities_
  };
  std::vector<Refined> refined_;
  std::vector<Tri> refined_rules_;
  std::vector<std::int32_t> refined_authorities_;
  FastForces baseline_forces_, forces_;           // the sums of the baseline's forces, and of the last decide_changed()'s
  std::unique_ptr<FastChangeTables> change_tables_;  // on first use, when the rule set is decided from a baseline
  std::vector<std::uint8_t> baseline_known_;       // by slot: whether the baseline's facts knew it
  std::int64_t unknown_forces_ = -1;
  // The scratch's definition memos, while its epoch is memo_epoch_, are those
  // of the baseline's facts but for memo_slots_ (FastEval::run_from).
  bool memos_kept_ = false;
  std::uint32_t memo_epoch_ = 0;
  std::vector<std::int32_t> memo_slots_;              // of the last decision, when known without counting
  // may_reach_outcome(), of the baseline, made on first use: by rule, whether
  // it reaches a permit or forbid of unknown force through rules of unknown
  // force; and over positions, those rules.
  bool reaching_made_ = false;
  std::vector<std::uint8_t> reaching_;
  std::vector<std::uint64_t> reaching_positions_;
  std::vector<std::vector<std::uint8_t>> readers_;  // by slot, on first use: the rules whose condition reads it
  std::vector<std::unique_ptr<FactDomain>> domains_;
  std::vector<std::unique_ptr<std::vector<std::int32_t>>> condition_readers_;
  std::vector<std::unique_ptr<std::vector<Value>>> unknown_candidates_;
  std::vector<std::unique_ptr<AnswerTests>> answer_tests_;  // by slot, with unknown_candidates_
  std::size_t unknown_candidates_max_set_ = 0;  // the max_set_candidates unknown_candidates_ were made with
};

// A FastSearch lent by the policy's pool (ExplainTexts) and loaded with
// `facts`, given back when the lease ends: a decision that needs one, such as
// decide()'s interpretation analysis, then allocates nothing once the pool is
// warm, and the per-slot readers a search computes are kept across requests.
class FastSearchLease {
 public:
  FastSearchLease(const Policy& policy, const Facts& facts);
  ~FastSearchLease();
  FastSearchLease(const FastSearchLease&) = delete;
  FastSearchLease& operator=(const FastSearchLease&) = delete;
  FastSearch& operator*() const { return *search_; }
  FastSearch* operator->() const { return search_.get(); }

 private:
  const Policy& policy_;
  std::unique_ptr<FastSearch> search_;
};

}  // namespace proviso
