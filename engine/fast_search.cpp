#include "fast_search.hpp"

#include <algorithm>
#include <mutex>

#include "counterfactual.hpp"
#include "explain_texts.hpp"

namespace proviso {

FastSearch::FastSearch(const Policy& policy, const Facts& facts)
    : compiled_(search_compiled(policy)),
      facts_(compiled_.make_facts()),
      scratch_(compiled_.make_scratch()),
      applies_(policy.rules.size(), Tri::false_),
      in_force_(policy.rules.size(), Tri::false_) {
  compiled_.load_facts(facts, facts_);
}

Outcome FastSearch::keep_baseline() { return adopt_baseline(decide_every_rule(), true); }

Outcome FastSearch::keep_baseline(const Decision& decided) {
  if (decided.rules.size() != applies_.size()) return keep_baseline();
  for (std::size_t r = 0; r < applies_.size(); ++r) {
    applies_[r] = decided.rules[r].applies;
    in_force_[r] = decided.rules[r].in_force;
  }
  scratch_.authorities = decided.authorities;
  unknown_forces_ = -1;
  return adopt_baseline(decided.outcome, false);  // no definition memos of these facts in the scratch
}

Outcome FastSearch::adopt_baseline(Outcome outcome, bool memos_kept) {
  baseline_ = applies_;
  baseline_in_force_ = in_force_;
  baseline_outcome_ = outcome;
  baseline_authorities_ = scratch_.authorities;
  if (!change_tables_) change_tables_ = std::make_unique<FastChangeTables>(FastEval::change_tables(compiled_));
  FastEval eval{compiled_, facts_, scratch_};
  eval.sum_forces(*change_tables_, applies_, in_force_, baseline_forces_);
  unknown_forces_ = baseline_forces_.unknown;
  baseline_known_.assign(facts_.known, facts_.known + facts_.slot_count());
  memos_kept_ = memos_kept;  // decide_every_rule's, of the baseline's facts
  memo_epoch_ = scratch_.epoch;
  memo_slots_.clear();
  return outcome;
}

Outcome FastSearch::recall_baseline() {
  applies_ = baseline_;
  in_force_ = baseline_in_force_;
  scratch_.authorities = baseline_authorities_;
  unknown_forces_ = baseline_forces_.unknown;
  return baseline_outcome_;
}

std::size_t FastSearch::unknown_forces() {
  if (unknown_forces_ < 0) unknown_forces_ = std::count(in_force_.begin(), in_force_.end(), Tri::unknown);
  return static_cast<std::size_t>(unknown_forces_);
}

Outcome FastSearch::decide_changed(std::span<const std::int32_t> slots) {
  if (!change_tables_) return decide_every_rule();  // no baseline kept yet
  applies_ = baseline_;
  in_force_ = baseline_in_force_;
  forces_ = baseline_forces_;
  FastEval eval{compiled_, facts_, scratch_};
  bool refining = true;
  for (auto slot : slots) refining = refining && !baseline_known_[static_cast<std::size_t>(slot)];
  const bool memos_kept = memos_kept_ && scratch_.epoch == memo_epoch_;  // no other decision used the scratch since
  const auto outcome = eval.run_from(*change_tables_, slots, refining, memos_kept ? &memo_slots_ : nullptr, applies_, in_force_, forces_);
  memos_kept_ = true;
  memo_epoch_ = scratch_.epoch;
  memo_slots_.assign(slots.begin(), slots.end());
  unknown_forces_ = forces_.unknown;
  return outcome;
}

Outcome FastSearch::decide_changed_by_pass(std::int32_t slot) {
  unknown_forces_ = -1;
  const auto& policy = compiled_.policy();
  if (readers_.empty()) readers_.resize(policy.facts.size());
  auto& readers = readers_[slot];
  if (readers.empty()) {
    readers.resize(policy.rules.size());
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      if (!rule.when) continue;  // always applies
      const auto* read = rule.condition >= 0 ? &policy.conditions[rule.condition].facts : nullptr;
      readers[r] = !read || std::binary_search(read->begin(), read->end(), slot);  // not linked: assume it reads it
    }
  }
  applies_ = baseline_;
  return compiled_.decide_every_rule(facts_, scratch_, applies_, in_force_, readers);
}

const FactDomain& FastSearch::domain(std::int32_t slot) {
  const auto& policy = compiled_.policy();
  if (domains_.empty()) domains_.resize(policy.facts.size());
  auto& memo = domains_[static_cast<std::size_t>(slot)];
  if (!memo) memo = std::make_unique<FactDomain>(fact_domain(policy, slot));
  return *memo;
}

const std::vector<std::int32_t>& FastSearch::condition_readers(std::int32_t slot) {
  const auto& policy = compiled_.policy();
  if (condition_readers_.empty()) condition_readers_.resize(policy.facts.size());
  auto& memo = condition_readers_[static_cast<std::size_t>(slot)];
  if (!memo) {
    memo = std::make_unique<std::vector<std::int32_t>>();
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      if (rule.condition < 0) continue;
      const auto& read = policy.conditions[rule.condition].facts;
      if (std::binary_search(read.begin(), read.end(), slot)) memo->push_back(static_cast<std::int32_t>(r));
    }
  }
  return *memo;
}

const std::vector<Value>& FastSearch::unknown_candidates(std::int32_t slot, std::size_t max_set_candidates) {
  const auto& policy = compiled_.policy();
  if (unknown_candidates_max_set_ != max_set_candidates) {  // other limits: the memo starts again
    unknown_candidates_.clear();
    unknown_candidates_max_set_ = max_set_candidates;
  }
  if (unknown_candidates_.empty()) unknown_candidates_.resize(policy.facts.size());
  auto& memo = unknown_candidates_[static_cast<std::size_t>(slot)];
  if (!memo)
    memo = std::make_unique<std::vector<Value>>(
        candidate_values(policy, slot, Value::unknown(policy.facts[static_cast<std::size_t>(slot)].type.kind), max_set_candidates));
  return *memo;
}

FastSearchLease::FastSearchLease(const Policy& policy, const Facts& facts) : policy_(policy) {
  const auto& texts = explain_texts(policy);
  {
    std::lock_guard lock(texts.idle_searches_mutex);
    if (!texts.idle_searches.empty()) {
      search_ = std::move(texts.idle_searches.back());
      texts.idle_searches.pop_back();
    }
  }
  if (search_) search_->load(facts);
  else search_ = std::make_unique<FastSearch>(policy, facts);
}

FastSearchLease::~FastSearchLease() {
  // A few are kept: as many as decisions run at once, in practice; the rest are freed.
  constexpr std::size_t kMaxIdle = 16;
  const auto& texts = explain_texts(policy_);
  std::lock_guard lock(texts.idle_searches_mutex);
  if (texts.idle_searches.size() < kMaxIdle) texts.idle_searches.push_back(std::move(search_));
}

}  // namespace proviso
