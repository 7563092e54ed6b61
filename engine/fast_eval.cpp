// The fast decide (fast_eval.hpp): the semantics of engine/eval.cpp (Kleene
// logic, defeasible exceptions, the outcome rules of decide_core) without
// the trace, over the candidate rules of the rule index only.
#include "fast_eval.hpp"

#include <algorithm>
#include <bit>

namespace proviso {

// The shared leaves (compiled.hpp), once per decision, without a branch on
// the facts: a loop per run of one shape (shared_runs_).
void FastEval::evaluate_shared_leaves() {
  using Op = FastNode::Op;
  const std::uint64_t* cells = f.cells;
  const std::uint8_t* known = f.known;
  const FastTest* leaves = p.shared_leaves_.data();
  std::uint64_t yes = 0, unknown = 0;
  std::uint32_t i = 0;
  for (const auto& [op, end] : p.shared_runs_) {
    auto run = [&](auto holds) __attribute__((always_inline)) {
      for (; i < end; ++i) {
        const std::uint64_t is_known = known[leaves[i].a] != 0;
        yes |= (is_known & static_cast<std::uint64_t>(holds(cells[leaves[i].a], leaves[i].k))) << i;
        unknown |= (is_known ^ 1) << i;
      }
    };
    switch (op) {
      case Op::fact: run([](std::uint64_t c, std::uint64_t) { return c != 0; }); break;
      case Op::fact_eq_k: case Op::fact_eq_text: run([](std::uint64_t c, std::uint64_t k) { return c == k; }); break;
      case Op::fact_in_k: run([](std::uint64_t c, std::uint64_t k) { return (k >> (c & 63)) & 1u; }); break;
      case Op::fact_superset_k: run([](std::uint64_t c, std::uint64_t k) { return (c & k) == k; }); break;
      case Op::fact_subset_k: run([](std::uint64_t c, std::uint64_t k) { return (c & ~k) == 0; }); break;
      case Op::fact_intersects_k: run([](std::uint64_t c, std::uint64_t k) { return (c & k) != 0; }); break;
      case Op::fact_lt_k: run([](std::uint64_t c, std::uint64_t k) { return sgn(c) < sgn(k); }); break;
      case Op::fact_le_k: run([](std::uint64_t c, std::uint64_t k) { return sgn(c) <= sgn(k); }); break;
      case Op::fact_gt_k: run([](std::uint64_t c, std::uint64_t k) { return sgn(c) > sgn(k); }); break;
      case Op::fact_ge_k: run([](std::uint64_t c, std::uint64_t k) { return sgn(c) >= sgn(k); }); break;
      default: i = end; break;  // not a shareable shape (FastIndexer::shareable): none is chosen
    }
  }
  leaves_true = yes;
  leaves_unknown = unknown;
  leaves_false = ~(yes | unknown);
}

// A rule's tests from t on, in Kleene logic: a false test decides it. The
// fact-against-constant shapes are inline (one load of the known byte, one
// of the cell, one compare); the rest through rest_of_conjunction().
Tri FastEval::tests_from(const Hot& h, std::int32_t t, bool unknown) {
  using Op = FastNode::Op;
  const FastTest* tests = h.tests;
  const std::uint64_t* cells = h.cells;
  const std::uint8_t* known = h.known;
  // A fact-against-constant test: unknown when the fact is, else whether it holds (false: the conjunction is).
  auto leaf = [&](const FastTest& test, bool holds) __attribute__((always_inline)) {
    if (!known[test.a]) {
      unknown = true;
      return true;
    }
    return holds;
  };
  for (;; ++t) {
    const FastTest& test = tests[t];
    switch (test.op) {
      case Op::guard: {  // neutral unless the fact is known and outside the mask
        if (known[test.a] && !((test.k >> (cells[test.a] & 63)) & 1u)) return Tri::false_;
        continue;
      }
      case Op::any_leaf:
        if (test.k & h.leaves_true) continue;
        if (!(test.k & h.leaves_unknown)) return Tri::false_;
        unknown = true;
        continue;
      case Op::end: return unknown ? Tri::unknown : Tri::true_;
      case Op::definition: {  // memoised: computed once per decision
        const auto& memo = s.definitions[test.a];  // (not in Hot: a set without definitions pays nothing for it)
        if (memo.stamp != h.epoch) compute_definition(test.a);
        if (!memo.known) unknown = true;
        else if (!memo.bits) return Tri::false_;
        continue;
      }
      // Each shape its own case, so a test costs one indirect jump (the
      // shape switched on again after a common tail was a second one, and
      // mispredicted most of the time under callgrind --branch-sim).
      case Op::fact: if (!leaf(test, cells[test.a] != 0)) return Tri::false_; continue;
      case Op::fact_eq_k: case Op::fact_eq_text: if (!leaf(test, cells[test.a] == test.k)) return Tri::false_; continue;
      case Op::fact_in_k: if (!leaf(test, (test.k >> (cells[test.a] & 63)) & 1u)) return Tri::false_; continue;  // an enum index is below 64
      case Op::fact_superset_k: if (!leaf(test, (cells[test.a] & test.k) == test.k)) return Tri::false_; continue;
      case Op::fact_subset_k: if (!leaf(test, (cells[test.a] & ~test.k) == 0)) return Tri::false_; continue;
      case Op::fact_intersects_k: if (!leaf(test, (cells[test.a] & test.k) != 0)) return Tri::false_; continue;
      case Op::fact_lt_k: if (!leaf(test, sgn(cells[test.a]) < sgn(test.k))) return Tri::false_; continue;
      case Op::fact_le_k: if (!leaf(test, sgn(cells[test.a]) <= sgn(test.k))) return Tri::false_; continue;
      case Op::fact_gt_k: if (!leaf(test, sgn(cells[test.a]) > sgn(test.k))) return Tri::false_; continue;
      case Op::fact_ge_k: if (!leaf(test, sgn(cells[test.a]) >= sgn(test.k))) return Tri::false_; continue;
      default: return rest_of_conjunction(t, unknown);  // out of line: no call in this loop
    }
  }
}

// Computes definition d into its memo: a condition definition
// (definition_disjuncts_) as Kleene's or of its all ofs, by the loop rule
// conditions use; a value definition through value().
[[gnu::noinline]] void FastEval::compute_definition(std::int32_t d) {
  auto& memo = s.definitions[d];
  V v;
  if (p.definition_disjuncts_[d] < p.definition_disjuncts_[d + 1]) {
    const Hot h = hot();
    Tri result = Tri::false_;
    for (auto i = p.definition_disjuncts_[d]; i < p.definition_disjuncts_[d + 1] && result != Tri::true_; ++i) {
      const Tri all = tests_from(h, p.disjuncts_[i], false);
      if (all != Tri::false_) result = all;
    }
    v = of(result);
  } else {
    v = value(p.definition_root_[d]);
  }
  memo.bits = v.bits;
  memo.known = v.known;
  memo.stamp = s.epoch;
}

Tri FastEval::conjunction(const Hot& h, std::uint64_t leaf_mask, std::int32_t begin) {
  if (leaf_mask & h.leaves_false) return Tri::false_;
  const bool unknown = (leaf_mask & h.leaves_unknown) != 0;
  if (begin < 0) return unknown ? Tri::unknown : Tri::true_;
  return tests_from(h, begin, unknown);
}

FastScratch::RuleState& FastEval::touch(std::int32_t r) {
  auto& state = s.rules[r];
  if (state.stamp != s.epoch) state = FastScratch::RuleState{s.epoch, Tri::false_, Tri::false_, false, 0, 0};
  return state;
}

// The force of a deferred rule (its primary guard's fact is unknown),
// evaluated on demand and memoised. Its condition is at most unknown, so it
// is in force `unknown` when that condition is not false and no exception is
// in force against it (only rules evaluated in order can be, and all of
// those before it have been), and `false` otherwise; its own deferred
// exceptions cannot change that.
[[gnu::noinline]] Tri FastEval::deferred_in_force(std::int32_t position) {
  const FastRule& code = p.code_[position];
  auto& state = touch(code.rule);
  if (state.evaluated) return state.in_force;
  state.evaluated = true;
  state.applies = state.defeated_true ? Tri::unknown : conjunction(hot(), code.leaf_mask, code.test_begin);
  // (A defeated rule's condition is not needed: it is out of force; `unknown` stands for "not known true".)
  state.in_force = state.defeated_true || state.applies == Tri::false_ ? Tri::false_ : Tri::unknown;
  return state.in_force;
}

// Whether a deferred exception to the rule at `position` may be in force.
[[gnu::noinline]] bool FastEval::deferred_defeater_may_be_in_force(std::int32_t position) {
  const FastRule& code = p.code_[position];
  for (auto d = code.defeater_begin; d < p.code_[position + 1].defeater_begin; ++d) {
    const auto defeater = p.defeater_positions_[d];
    if (deferred(defeater) && deferred_in_force(defeater) == Tri::unknown) return true;
  }
  return false;
}

// Whether a deferred permit (effect 0) or forbid (1) may be in force.
bool FastEval::deferred_may_be_in_force(std::uint8_t effect) {
  if (!unknown_index_slots) return false;
  for (const auto& slot : p.index_slots_) {
    if (f.known[slot.slot]) continue;
    const auto row = slot.deferred_row + effect;
    for (auto i = p.deferred_begin_[row]; i < p.deferred_begin_[row + 1]; ++i)
      if (deferred_in_force(p.deferred_[i]) == Tri::unknown) return true;
  }
  return false;
}

// The force of a rule that applies or may apply, pushed forward to the
// rules it defeats; the deferred exceptions to it are asked only when they
// alone can keep it from being in force. Only a limit's own state is read
// again (by combine(), for the authorities of a denial), so only a limit's
// is written; a rule no exception names has no state to read.
void FastEval::settle(const Hot& h, std::size_t position, Tri applies) {
  const FastRule& code = h.code[position];
  const auto effect = code.effect;
  std::uint32_t defeated_true = 0, defeated_unknown = 0;  // by the exceptions evaluated before it
  bool maybe_defeated = false;
  if (code.flags & FastRule::kDefeasible) {
    const auto& state = h.states[code.rule];
    if (state.stamp == h.epoch) {
      defeated_true = state.defeated_true;
      defeated_unknown = state.defeated_unknown;
    }
    maybe_defeated = defeated_unknown != 0 ||
                     (!defeated_true && (code.defeater_slots & unknown_index_slots) &&
                      deferred_defeater_may_be_in_force(static_cast<std::int32_t>(position)));
  }
  const Tri in_force = defeated_true ? Tri::false_ : applies == Tri::true_ && !maybe_defeated ? Tri::true_ : Tri::unknown;
  if (in_force != Tri::false_ && code.first_edge >= 0) {
    const bool sure = in_force == Tri::true_;
    auto defeat = [&](std::int32_t rule) __attribute__((always_inline)) {
      auto& target = h.states[rule];
      if (target.stamp != h.epoch) target = FastScratch::RuleState{h.epoch, Tri::false_, Tri::false_, false, 0, 0};
      ++(sure ? target.defeated_true : target.defeated_unknown);
    };
    defeat(code.first_edge);
    if (code.flags & FastRule::kMoreEdges)
      for (auto e = code.edge_begin + 1; e < h.code[position + 1].edge_begin; ++e) defeat(h.edges[e]);
  }
  if (effect == 2) {
    h.states[code.rule] = FastScratch::RuleState{h.epoch, applies, in_force, true, defeated_true, defeated_unknown};
    return;
  }
  if (effect == 0 && applies == Tri::true_ && defeated_true) *defeated_permits_end++ = code.rule;
  if (in_force == Tri::true_) this->in_force(code.rule, effect);
  else if (in_force == Tri::unknown) (effect == 0 ? maybe_permit : maybe_forbid) = true;
}

// settle() for a plain rule (FastCandidate): in force as its condition is
// true or unknown, from the candidate's record, in any order.
void FastEval::settle_plain(const Hot& h, const FastCandidate& c, Tri applies) {
  const auto rule = c.plain >> 2;
  const auto effect = static_cast<std::uint8_t>(c.plain & 3);
  if (c.first_edge >= 0) {
    auto& target = h.states[c.first_edge];
    if (target.stamp != h.epoch) target = FastScratch::RuleState{h.epoch, Tri::false_, Tri::false_, false, 0, 0};
    ++(applies == Tri::true_ ? target.defeated_true : target.defeated_unknown);
  }
  if (effect == 2) {
    h.states[rule] = FastScratch::RuleState{h.epoch, applies, applies, true, 0, 0};
    return;
  }
  if (applies == Tri::true_) in_force(rule, effect);
  else (effect == 0 ? maybe_permit : maybe_forbid) = true;
}

Outcome FastEval::run() {
  if (++s.epoch == 0) {  // wrapped: forget every stamp
    for (auto& d : s.definitions) d.stamp = 0;
    for (auto& r : s.rules) r.stamp = 0;
    s.epoch = 1;
  }
  defeated_permits_end = s.defeated_permits.data();
  s.authorities.clear();
  if (!p.shared_leaves_.empty()) evaluate_shared_leaves();
  const Hot h = hot();
  return p.small_ ? run_small(h) : run_large(h);
}

// Past 64 rules, two passes. First the candidates no shared leaf rules out:
// the rules without a primary guard, and the chunks of the buckets of the known
// primary-guard facts' values (a value outside the domain, which no binder
// produces, is in no bucket: no rule's guard admits it); a large chunk's
// members are ruled out a word at a time, by the rows of the false shared
// leaves (FastChunk), without a branch per member (which members survive is
// as good as random, and a mispredicted branch costs more than the test);
// the rest of their conditions, in any order (a condition reads only the
// facts); those that apply, or may, are marked in two bitsets over
// evaluation positions, with a bitset of the words marked. Then their force, in evaluation order, so every exception to a rule is
// settled before it.
Outcome FastEval::run_large(const Hot& h) {
  std::uint64_t* may = s.candidates.data();  // applies or may apply; all zero between decisions
  std::uint64_t* sure = s.applying.data();   // applies
  std::uint64_t* touched = s.touched.data(); // the words of `may` not zero; all zero between decisions
  const std::uint64_t ruled_out = h.leaves_false, unknown_leaves = h.leaves_unknown, true_leaves = h.leaves_true;
  const std::uint64_t live = true_leaves | unknown_leaves;
  // A candidate no shared leaf rules out: the rest of its condition, and if
  // that is not false, its marks. (An any of shared leaves none of which is
  // true or unknown rules it out too; an any of in a condition is rare, so
  // that branch predicts.)
  auto consider = [&](const FastCandidate& c) __attribute__((always_inline)) {
    // (One test, not one on any_mask != 0: a third of the rules have an any of, at random.)
    const std::uint64_t no_any = c.any_mask == 0;
    if (((c.any_mask & live) | no_any) == 0) return;
    const bool unknown = ((c.leaf_mask & unknown_leaves) | (((c.any_mask & true_leaves) | no_any) == 0)) != 0;
    Tri applies = unknown ? Tri::unknown : Tri::true_;
    if (c.test_begin >= 0) {
      applies = tests_from(h, c.test_begin, unknown);
      if (applies == Tri::false_) return;
    }
    if (c.plain >= 0) return settle_plain(h, c, applies);
    const auto pos = static_cast<std::size_t>(c.position);
    __builtin_prefetch(h.code + pos);  // its record, read when its force is settled
    const auto bit = std::uint64_t{1} << (pos & 63);
    may[pos >> 6] |= bit;
    sure[pos >> 6] |= applies == Tri::true_ ? bit : 0;
    touched[pos >> 12] |= std::uint64_t{1} << ((pos >> 6) & 63);
  };
  auto filter = [&](const FastCandidate* c, const FastCandidate* end) __attribute__((always_inline)) {
    for (; c < end; ++c)
      if (!(c->leaf_mask & ruled_out)) consider(*c);
  };
  filter(p.unindexed_.data(), p.unindexed_.data() + p.unindexed_.size());
  const FastCandidate* bucket = p.bucket_.data();
  const FastChunk* chunks = p.chunks_.data();
  const std::uint64_t* rows = p.chunk_rows_.data();
  for (std::size_t i = 0; i < p.index_slots_.size(); ++i) {
    const auto& slot = p.index_slots_[i];
    const auto v = f.cells[slot.slot];
    if (!f.known[slot.slot]) {
      unknown_index_slots |= std::uint32_t{1} << (i % 16);
      continue;
    }
    if (v >= slot.domain) continue;
    const auto row = slot.bucket_row + v;
    for (auto k = p.chunk_begin_[row], end = p.chunk_begin_[row + 1]; k < end; ++k) {
      const FastChunk& chunk = chunks[k];
      const FastCandidate* members = bucket + chunk.begin;
      if (chunk.rows < 0) {
        filter(members, members + chunk.count);
        continue;
      }
      std::uint64_t out = 0;
      for (auto leaves = ruled_out & chunk.used; leaves; leaves &= leaves - 1) out |= rows[chunk.rows + std::countr_zero(leaves)];
      const std::uint64_t all = chunk.count == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << chunk.count) - 1;
      for (auto alive = all & ~out; alive; alive &= alive - 1) consider(members[std::countr_zero(alive)]);
    }
  }
  for (std::size_t t = 0, words = s.touched.size(); t < words; ++t) {
    for (auto left_words = touched[t]; left_words; left_words &= left_words - 1) {
      const auto w = (t << 6) + static_cast<std::size_t>(std::countr_zero(left_words));
      const auto bits = may[w], applies = sure[w];
      may[w] = sure[w] = 0;
      for (auto left = bits; left; left &= left - 1) {
        const auto bit = std::countr_zero(left);
        settle(h, (w << 6) + static_cast<std::size_t>(bit), (applies >> bit) & 1u ? Tri::true_ : Tri::unknown);
      }
    }
    touched[t] = 0;
  }
  return combine();
}

// small_ (compiled.hpp): the candidates are one word, the known guard facts'
// rows ANDed; visited in evaluation order (every exception to a rule before
// it), each condition then its force, from words over rule indexes: the
// rules in force, those maybe in force, and each rule's defeaters. No
// per-rule state is read or written.
Outcome FastEval::run_small(const Hot& h) {
  std::uint64_t candidates = p.small_positions_, unknown = 0;  // by position; unknown: a left-out leaf is unknown
  for (const auto& g : p.small_guards_) {
    const auto v = h.cells[g.slot];
    if (!h.known[g.slot]) unknown |= g.unknown_rules;
    else if (v < g.domain) candidates &= p.small_admits_[g.row + v];
  }
  std::uint64_t sure = 0, maybe = 0, defeated_permits = 0;  // by rule index
  const std::uint64_t* defeaters = p.small_defeaters_.data();
  for (; candidates; candidates &= candidates - 1) {
    const auto pos = std::countr_zero(candidates);
    const FastRule& code = h.code[pos];
    if (code.leaf_mask & h.leaves_false) continue;
    const bool unknown_leaf = ((code.leaf_mask & h.leaves_unknown) | ((unknown >> pos) & 1u)) != 0;
    const Tri applies = code.test_begin < 0 ? (unknown_leaf ? Tri::unknown : Tri::true_) : tests_from(h, code.test_begin, unknown_leaf);
    if (applies == Tri::false_) continue;
    const auto bit = std::uint64_t{1} << code.rule;
    const auto against = defeaters[code.rule];
    if (sure & against) {
      defeated_permits |= applies == Tri::true_ && code.effect == 0 ? bit : 0;
      continue;
    }
    (applies == Tri::true_ && !(maybe & against) ? sure : maybe) |= bit;
  }
  // The outcome as combine(), and its authorities as a word.
  const std::uint64_t permits = sure & p.small_effect_[0], forbids = sure & p.small_effect_[1];
  const bool permit_may_be = maybe & p.small_effect_[0], forbid_may_be = maybe & p.small_effect_[1];
  Outcome outcome = Outcome::undetermined;
  std::uint64_t authorities = 0;
  if (permits && forbids) {
    outcome = Outcome::conflict;
    authorities = permits | forbids;
  } else if (permits) {
    if (!forbid_may_be) outcome = Outcome::permitted, authorities = permits;
  } else if (forbids) {
    if (!permit_may_be) {
      outcome = Outcome::denied;
      authorities = forbids;
      // A limit in force that defeated a permit which applied decides the denial too.
      for (; defeated_permits; defeated_permits &= defeated_permits - 1)
        authorities |= defeaters[std::countr_zero(defeated_permits)] & sure & p.small_effect_[2];
    }
  } else if (!permit_may_be && !forbid_may_be) {
    outcome = Outcome::not_applicable;
  }
  for (; authorities; authorities &= authorities - 1) s.authorities.push_back(std::countr_zero(authorities));
  return outcome;
}

void FastEval::authorities_in_force(bool permits, bool forbids) {
  if (permits_in_force == 0 && forbids_in_force == 0) return;  // no bit to write or clear
  if (s.permits.size() == 1) {  // up to 64 rules: one word, a few authorities
    auto bits = (permits ? s.permits[0] : 0) | (forbids ? s.forbids[0] : 0);
    s.permits[0] = s.forbids[0] = s.in_force_words[0] = 0;
    for (; bits; bits &= bits - 1) s.authorities.push_back(std::countr_zero(bits));
    return;
  }
  std::int32_t* const listed = s.listed.data();  // written without a capacity check, then copied at once
  std::int32_t* out = listed;
  std::uint64_t* permit_bits = s.permits.data();
  std::uint64_t* forbid_bits = s.forbids.data();
  const std::uint64_t take_permits = permits ? ~std::uint64_t{0} : 0, take_forbids = forbids ? ~std::uint64_t{0} : 0;
  for (std::size_t t = 0; t < s.in_force_words.size(); ++t) {
    for (auto words = s.in_force_words[t]; words; words &= words - 1) {
      const auto w = (t << 6) + static_cast<std::size_t>(std::countr_zero(words));
      for (auto bits = (permit_bits[w] & take_permits) | (forbid_bits[w] & take_forbids); bits; bits &= bits - 1)
        *out++ = static_cast<std::int32_t>((w << 6) + static_cast<std::size_t>(std::countr_zero(bits)));
      permit_bits[w] = forbid_bits[w] = 0;
    }
    s.in_force_words[t] = 0;
  }
  s.authorities.assign(listed, out);  // empty, with room for every rule: no allocation
}

Outcome FastEval::combine() {
  Outcome outcome;
  const bool permit = permits_in_force != 0, forbid = forbids_in_force != 0;
  if (permit && forbid) outcome = Outcome::conflict;
  else if (permit) outcome = maybe_forbid || deferred_may_be_in_force(1) ? Outcome::undetermined : Outcome::permitted;
  else if (forbid) outcome = maybe_permit || deferred_may_be_in_force(0) ? Outcome::undetermined : Outcome::denied;
  else outcome = maybe_forbid || maybe_permit || deferred_may_be_in_force(0) || deferred_may_be_in_force(1)
                     ? Outcome::undetermined
                     : Outcome::not_applicable;  // as eval.cpp
  // The authorities (and the bitsets cleared for the next decision in any case).
  authorities_in_force(outcome == Outcome::conflict || outcome == Outcome::permitted,
                       outcome == Outcome::conflict || outcome == Outcome::denied);
  if (outcome == Outcome::denied) {
    auto& auth = s.authorities;
    // A limit that defeated a permit which applied decides the denial too.
    const auto forbids = auth.size();
    for (const auto* permit_rule = s.defeated_permits.data(); permit_rule != defeated_permits_end; ++permit_rule)
      for (auto d = p.defeater_begin_[*permit_rule]; d < p.defeater_begin_[*permit_rule + 1]; ++d) {
        const auto defeater = p.defeaters_[d];
        if (p.effect_[defeater] == 2 && s.rules[defeater].stamp == s.epoch && s.rules[defeater].in_force == Tri::true_)
          auth.push_back(defeater);
      }
    if (auth.size() > forbids) {  // a few: each into place (no allocation, unlike std::inplace_merge)
      for (auto i = forbids; i < auth.size(); ++i) {
        const auto x = auth[i];
        auto j = i;
        for (; j > 0 && auth[j - 1] > x; --j) auth[j] = auth[j - 1];
        auth[j] = x;
      }
      auth.erase(std::unique(auth.begin(), auth.end()), auth.end());
    }
  }
  return outcome;
}

Outcome CompiledPolicy::decide(const FastFacts& facts, FastScratch& scratch) const {
  FastEval eval{*this, facts, scratch};
  return eval.run();
}

}  // namespace proviso
