#include "fast_search.hpp"

#include <algorithm>
#include <mutex>

#include "counterfactual.hpp"
#include "explain_texts.hpp"
#include "value_ops.hpp"

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
  near_baseline_ = false;  // forces_ are not yet the new baseline's
  baseline_outcome_ = outcome;
  baseline_authorities_ = scratch_.authorities;
  if (!change_tables_) change_tables_ = std::make_unique<FastChangeTables>(FastEval::change_tables(compiled_));
  FastEval eval{compiled_, facts_, scratch_};
  eval.sum_forces(*change_tables_, applies_, in_force_, baseline_forces_);
  unknown_forces_ = baseline_forces_.unknown;
  baseline_known_.assign(facts_.known, facts_.known + facts_.slot_count());
  reaching_made_ = false;
  refined_.clear();
  refined_rules_.clear();
  refined_authorities_.clear();
  memos_kept_ = memos_kept;  // decide_every_rule's, of the baseline's facts
  memo_epoch_ = scratch_.epoch;
  memo_slots_.clear();
  return outcome;
}

void FastSearch::restore_baseline() {
  if (!near_baseline_) {
    applies_ = baseline_;
    in_force_ = baseline_in_force_;
    forces_ = baseline_forces_;
    near_baseline_ = true;
    change_tables_->visited.clear();
    return;
  }
  auto& visited = change_tables_->visited;
  for (auto rule : visited) {
    const auto r = static_cast<std::size_t>(rule);
    applies_[r] = baseline_[r];
    in_force_[r] = baseline_in_force_[r];
    forces_.defeats[r] = baseline_forces_.defeats[r];
  }
  visited.clear();
  std::copy(baseline_forces_.in_force.begin(), baseline_forces_.in_force.end(), forces_.in_force.begin());
  std::copy(baseline_forces_.permits_applying.begin(), baseline_forces_.permits_applying.end(), forces_.permits_applying.begin());
  forces_.leaves_true = baseline_forces_.leaves_true;
  forces_.leaves_false = baseline_forces_.leaves_false;
  forces_.leaves_unknown = baseline_forces_.leaves_unknown;
  forces_.possible = baseline_forces_.possible;
  forces_.unknown_leaf = baseline_forces_.unknown_leaf;
  forces_.sure[0] = baseline_forces_.sure[0];
  forces_.sure[1] = baseline_forces_.sure[1];
  forces_.maybe[0] = baseline_forces_.maybe[0];
  forces_.maybe[1] = baseline_forces_.maybe[1];
  forces_.unknown = baseline_forces_.unknown;
}

Outcome FastSearch::recall_baseline() {
  restore_baseline();
  scratch_.authorities = baseline_authorities_;
  unknown_forces_ = baseline_forces_.unknown;
  return baseline_outcome_;
}

void FastSearch::keep_refined(std::int32_t slot, Outcome outcome) {
  const auto s = static_cast<std::size_t>(slot);
  if (compiled_.policy().facts[s].type.kind == TypeKind::string || !facts_.known[s] || unknown_forces_ < 0) return;
  const auto rules_begin = static_cast<std::uint32_t>(refined_rules_.size());
  refined_rules_.insert(refined_rules_.end(), applies_.begin(), applies_.end());
  refined_rules_.insert(refined_rules_.end(), in_force_.begin(), in_force_.end());
  const auto authorities_begin = static_cast<std::uint32_t>(refined_authorities_.size());
  refined_authorities_.insert(refined_authorities_.end(), scratch_.authorities.begin(), scratch_.authorities.end());
  refined_.push_back({slot, facts_.cells[s], outcome, static_cast<std::uint32_t>(unknown_forces_), rules_begin, authorities_begin,
                      static_cast<std::uint32_t>(refined_authorities_.size())});
}

bool FastSearch::recall_refined(std::int32_t slot, Outcome& outcome) {
  const auto s = static_cast<std::size_t>(slot);
  if (!facts_.known[s] || baseline_known_[s]) return false;
  for (const auto& kept : refined_) {
    if (kept.slot != slot || kept.cell != facts_.cells[s]) continue;
    const auto rules = applies_.size();
    const auto* from = refined_rules_.data() + kept.rules_begin;
    std::copy(from, from + rules, applies_.begin());
    std::copy(from + rules, from + 2 * rules, in_force_.begin());
    scratch_.authorities.assign(refined_authorities_.begin() + kept.authorities_begin, refined_authorities_.begin() + kept.authorities_end);
    unknown_forces_ = kept.unknown_forces;
    near_baseline_ = false;  // forces_ are not this decision's: the next decide_changed restores every rule
    outcome = kept.outcome;
    return true;
  }
  return false;
}

std::size_t FastSearch::unknown_forces() {
  if (unknown_forces_ < 0) unknown_forces_ = std::count(in_force_.begin(), in_force_.end(), Tri::unknown);
  return static_cast<std::size_t>(unknown_forces_);
}

Outcome FastSearch::decide_changed(std::span<const std::int32_t> slots) {
  if (!change_tables_) return decide_every_rule();  // no baseline kept yet
  restore_baseline();
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
  near_baseline_ = false;
  return compiled_.decide_every_rule(facts_, scratch_, applies_, in_force_, readers);
}

bool FastSearch::may_reach_outcome(std::int32_t slot) {
  if (!change_tables_) return true;  // no baseline kept
  const auto& policy = compiled_.policy();
  const auto& t = *change_tables_;
  if (!reaching_made_) {  // in reverse evaluation order: every exception comes before the rules it is an exception to
    reaching_.assign(policy.rules.size(), 0);
    reaching_positions_.assign(t.words, 0);
    for (auto pos = t.rule_at.size(); pos-- > 0;) {
      const auto r = static_cast<std::size_t>(t.rule_at[pos]);
      if (baseline_in_force_[r] != Tri::unknown) continue;
      const auto& rule = policy.rules[r];
      bool reaches = !rule.is_limit();  // a permit or forbid: the outcome reads its force
      for (std::size_t i = 0; i < rule.exception_to.size() && !reaches; ++i) reaches = reaching_[static_cast<std::size_t>(rule.exception_to[i])];
      reaching_[r] = reaches;
      if (reaches) reaching_positions_[pos >> 6] |= std::uint64_t{1} << (pos & 63);
    }
    reaching_made_ = true;
  }
  const std::uint64_t* read = t.readers.data() + static_cast<std::size_t>(slot) * t.words;
  for (std::size_t w = 0; w < t.words; ++w) {
    if (read[w] & t.knowledge_readers[w]) return true;  // a condition asking whether a fact is known may change even where known
    if (read[w] & ~t.settled_conditions[w] & reaching_positions_[w]) return true;
  }
  return false;
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
    answer_tests_.clear();
    unknown_candidates_max_set_ = max_set_candidates;
  }
  if (unknown_candidates_.empty()) unknown_candidates_.resize(policy.facts.size());
  auto& memo = unknown_candidates_[static_cast<std::size_t>(slot)];
  if (!memo)
    memo = std::make_unique<std::vector<Value>>(
        candidate_values(policy, slot, Value::unknown(policy.facts[static_cast<std::size_t>(slot)].type.kind), max_set_candidates));
  return *memo;
}

namespace {

// The tests of one fact against constants in the rules' conditions and the
// definitions they use, and whether the fact is read any other way.
struct FactTests {
  using Op = CExpr::Op;
  FactTests(const Policy& p, std::int32_t fact) : policy(p), slot(fact) {}
  const Policy& policy;
  std::int32_t slot;
  std::vector<std::pair<const CExpr*, int>> tests;  // a comparison and the operand (0 or 1) that is the fact
  bool opaque = false;
  std::vector<std::int8_t> walked = std::vector<std::int8_t>(policy.definitions.size(), 0);  // 0 not yet, 1 walking, 2 done
  std::vector<std::uint64_t> definition_tests = std::vector<std::uint64_t>(policy.definitions.size(), 0);
  std::vector<std::uint8_t> definition_asks = std::vector<std::uint8_t>(policy.definitions.size(), 0);

  static bool comparison(Op op) {
    switch (op) {
      case Op::eq: case Op::lt: case Op::le: case Op::gt: case Op::ge:
      case Op::in: case Op::subset: case Op::superset: case Op::intersects:
        return true;
      default: return false;  // `ne` is rewritten by the checker
    }
  }
  bool is_fact(const CExpr& e) const { return e.op == Op::fact && e.slot == slot; }

  void walk(const CExpr& e, std::uint64_t& reached, bool& asks_known) {
    if (is_fact(e)) {  // read bare: as a truth, an operand of arithmetic or compared with another expression
      opaque = true;
      return;
    }
    if (e.op == Op::is_known && e.args.size() == 1 && is_fact(e.args[0])) {
      asks_known = true;
      return;
    }
    if (e.op == Op::definition) {
      const auto d = static_cast<std::size_t>(e.slot);
      if (walked[d] == 0) {
        walked[d] = 1;
        bool asks = false;
        walk(policy.definitions[d].expr, definition_tests[d], asks);
        definition_asks[d] = asks;
        walked[d] = 2;
      } else if (walked[d] == 1) {
        opaque = true;  // a cycle (none passes the checker)
      }
      reached |= definition_tests[d];
      asks_known = asks_known || definition_asks[d];
      return;
    }
    if (comparison(e.op) && e.args.size() == 2)
      for (int i = 0; i < 2; ++i)
        if (is_fact(e.args[static_cast<std::size_t>(i)]) && e.args[static_cast<std::size_t>(1 - i)].op == Op::constant) {
          if (tests.size() == 64) {
            opaque = true;
            return;
          }
          reached |= std::uint64_t{1} << tests.size();
          tests.push_back({&e, i});
          return;
        }
    for (const auto& a : e.args) walk(a, reached, asks_known);
  }
};

}  // namespace

const FastSearch::AnswerTests& FastSearch::answer_tests(std::int32_t slot, std::size_t max_set_candidates) {
  const auto& candidates = unknown_candidates(slot, max_set_candidates);  // first: it may start the memos again
  const auto& policy = compiled_.policy();
  if (answer_tests_.empty()) answer_tests_.resize(policy.facts.size());
  auto& memo = answer_tests_[static_cast<std::size_t>(slot)];
  if (memo) return *memo;
  memo = std::make_unique<AnswerTests>();
  const auto& values = domain(slot).values;
  memo->domain_among_candidates = std::all_of(values.begin(), values.end(), [&](const Value& v) {
    return std::any_of(candidates.begin(), candidates.end(), [&](const Value& c) { return same_value(c, v); });
  });
  FactTests walk(policy, slot);
  for (std::size_t r = 0; r < policy.rules.size() && !walk.opaque; ++r) {
    const auto& rule = policy.rules[r];
    if (!rule.when) continue;  // always applies
    if (rule.condition >= 0) {  // a linked condition lists the facts it reads, through definitions too
      const auto& read = policy.conditions[static_cast<std::size_t>(rule.condition)].facts;
      if (!std::binary_search(read.begin(), read.end(), slot)) continue;
    }
    std::uint64_t reached = 0;
    bool asks_known = false;
    walk.walk(*rule.when, reached, asks_known);
    if (reached || asks_known) memo->readers.push_back({static_cast<std::int32_t>(r), asks_known, reached});
  }
  if (walk.opaque) {
    memo->readers.clear();
    return *memo;
  }
  memo->opaque = false;
  auto truths_of = [&](const Value& value) {
    std::uint64_t truths = 0;
    for (std::size_t i = 0; i < walk.tests.size(); ++i) {
      const auto& [test, operand] = walk.tests[i];
      const Value& a = operand == 0 ? value : test->args[0].constant;
      const Value& b = operand == 0 ? test->args[1].constant : value;
      if (tracing::compare_truth(test->op, a, b) == Tri::true_) truths |= std::uint64_t{1} << i;
    }
    return truths;
  };
  memo->truths.reserve(candidates.size());
  for (const auto& value : candidates) memo->truths.push_back(truths_of(value));
  for (const auto& value : domain(slot).values) memo->domain_truths.push_back(truths_of(value));
  return *memo;
}

std::uint64_t FastSearch::live_tests(const AnswerTests& tests, bool forces_too) const {
  std::uint64_t live = 0;
  for (const auto& reader : tests.readers) {
    const auto r = static_cast<std::size_t>(reader.rule);
    if (reader.asks_known || baseline_[r] == Tri::unknown || (forces_too && baseline_in_force_[r] == Tri::unknown)) live |= reader.tests;
  }
  return live;
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
