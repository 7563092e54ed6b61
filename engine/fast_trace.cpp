// CompiledPolicy::decide_every_rule: the compiled evaluator with each rule's
// condition and force, for the searches of explanations (the next question,
// the witness that it matters), which rank answers by the rules they settle.
// decide() skips what the outcome does not need (the rule index, deferred
// rules); this pass evaluates every rule in evaluation order, as
// engine/eval.cpp's resolve() does, over the same compiled conditions.
// tests/unit/fast_trace_test.cpp checks it against the tracing decide().
#include <algorithm>

#include "fast_eval.hpp"

namespace proviso {

Outcome FastEval::run_every_rule(std::span<Tri> applies, std::span<Tri> in_force, std::span<const std::uint8_t> again) {
  if (++s.epoch == 0) {  // wrapped: forget every stamp (as run())
    for (auto& d : s.definitions) d.stamp = 0;
    for (auto& r : s.rules) r.stamp = 0;
    s.epoch = 1;
  }
  if (!p.shared_leaves_.empty()) evaluate_shared_leaves();
  const Hot h = hot();
  // A rule's condition and its force, from the exceptions to it (settled before it).
  auto force = [&](std::size_t pos, Tri condition) {
    const FastRule& code = h.code[pos];
    Tri defeated = Tri::false_;
    if (condition != Tri::false_)  // a rule that does not apply is not defeated (eval.cpp)
      for (auto d = code.defeater_begin; d < h.code[pos + 1].defeater_begin; ++d) {
        const Tri exception = in_force[h.code[p.defeater_positions_[d]].rule];
        if (exception == Tri::true_) defeated = Tri::true_;
        else if (exception == Tri::unknown && defeated == Tri::false_) defeated = Tri::unknown;
      }
    applies[code.rule] = condition;
    in_force[code.rule] = condition == Tri::false_ || defeated == Tri::true_            ? Tri::false_
                          : condition == Tri::true_ && defeated == Tri::false_ ? Tri::true_
                                                                               : Tri::unknown;
  };
  const std::size_t positions = p.code_.size() - 1;  // code_ ends with a sentinel
  // The rules the guards leave possible, as decide() finds its candidates: up
  // to 64 rules, the rows of the known guard facts; past that, the buckets of
  // the known primary-guard facts' values, since a rule's compiled tests leave
  // out the leaf its primary guard says (compiled_index.cpp, tests_of).
  // A small set's tests also leave out each leaf a guard row says
  // (compiled.hpp, small_): its condition is at most unknown when that
  // guard's fact is unknown (unknown_leaf).
  std::uint64_t* possible = s.candidates.data();  // all zero between decisions; cleared below
  const bool small = p.small_;
  std::uint64_t unknown_leaf = 0;
  if (small) {
    possible[0] = p.small_positions_;
    for (const auto& g : p.small_guards_) {
      const auto v = f.cells[g.slot];
      if (!f.known[g.slot]) unknown_leaf |= g.unknown_rules;
      else if (v < g.domain) possible[0] &= p.small_admits_[g.row + v];
    }
  } else {
    for (const auto& slot : p.index_slots_) {
      const auto v = f.cells[slot.slot];
      if (!f.known[slot.slot] || v >= slot.domain) continue;  // a value outside the domain: in no bucket
      const auto row = slot.bucket_row + v;
      for (auto k = p.chunk_begin_[row]; k < p.chunk_begin_[row + 1]; ++k)
        for (auto m = p.chunks_[k].begin; m < p.chunks_[k].begin + p.chunks_[k].count; ++m) {
          const auto pos = static_cast<std::size_t>(p.bucket_[m].position);
          possible[pos >> 6] |= std::uint64_t{1} << (pos & 63);
        }
    }
  }
  // Every exception comes before the rules it defeats, so their force is known when read.
  for (std::size_t pos = 0; pos < positions; ++pos) {
    const FastRule& code = h.code[pos];
    if (!again.empty() && !again[code.rule]) {
      force(pos, applies[code.rule]);
      continue;
    }
    const auto primary = small ? -1 : p.primary_slot_[pos];
    const bool guarded_out = small ? !((possible[0] >> pos) & 1u)
                                   : primary >= 0 && f.known[primary] && !((possible[pos >> 6] >> (pos & 63)) & 1u);
    // conjunction(), through the out-of-line walk (the inline one is fast_eval.cpp's own).
    Tri condition = guarded_out || code.leaf_mask & h.leaves_false                   ? Tri::false_
                    : code.leaf_mask & h.leaves_unknown || (small && ((unknown_leaf >> pos) & 1u)) ? Tri::unknown
                                                                                        : Tri::true_;
    if (condition != Tri::false_ && code.test_begin >= 0) condition = rest_of_conjunction(code.test_begin, condition == Tri::unknown);
    // Its primary guard's fact unknown: the condition, which implies the guard, is at most unknown.
    if (primary >= 0 && !f.known[primary] && condition == Tri::true_) condition = Tri::unknown;
    force(pos, condition);
  }
  std::fill(s.candidates.begin(), s.candidates.end(), std::uint64_t{0});
  // The outcome from the forces, as resolve() has it.
  const std::size_t rules = p.effect_.size();
  bool permit = false, forbid = false, maybe_permit_here = false, maybe_forbid_here = false;
  for (std::size_t r = 0; r < rules; ++r) {
    if (p.effect_[r] == 2) continue;  // a limit only defeats; it decides nothing itself
    const bool is_permit = p.effect_[r] == 0;
    if (in_force[r] == Tri::true_) (is_permit ? permit : forbid) = true;
    else if (in_force[r] == Tri::unknown) (is_permit ? maybe_permit_here : maybe_forbid_here) = true;
  }
  Outcome outcome;
  if (permit && forbid) outcome = Outcome::conflict;
  else if (permit) outcome = maybe_forbid_here ? Outcome::undetermined : Outcome::permitted;
  else if (forbid) outcome = maybe_permit_here ? Outcome::undetermined : Outcome::denied;
  else outcome = maybe_permit_here || maybe_forbid_here ? Outcome::undetermined : Outcome::not_applicable;
  auto& authorities = s.authorities;  // reserved for every rule: no allocation
  authorities.clear();
  const bool take_permits = outcome == Outcome::conflict || outcome == Outcome::permitted;
  const bool take_forbids = outcome == Outcome::conflict || outcome == Outcome::denied;
  for (std::size_t r = 0; r < rules; ++r)
    if (in_force[r] == Tri::true_ && ((p.effect_[r] == 0 && take_permits) || (p.effect_[r] == 1 && take_forbids)))
      authorities.push_back(static_cast<std::int32_t>(r));
  if (outcome == Outcome::denied) {
    // A limit that defeated a permit which applied decides the denial too.
    const auto forbids = authorities.size();
    for (std::size_t r = 0; r < rules; ++r) {
      if (p.effect_[r] != 0 || applies[r] != Tri::true_) continue;
      for (auto d = p.defeater_begin_[r]; d < p.defeater_begin_[r + 1]; ++d)
        if (p.effect_[p.defeaters_[d]] == 2 && in_force[p.defeaters_[d]] == Tri::true_) authorities.push_back(p.defeaters_[d]);
    }
    if (authorities.size() > forbids) {
      std::sort(authorities.begin(), authorities.end());
      authorities.erase(std::unique(authorities.begin(), authorities.end()), authorities.end());
    }
  }
  return outcome;
}

Outcome CompiledPolicy::decide_every_rule(const FastFacts& facts, FastScratch& scratch, std::span<Tri> applies,
                                          std::span<Tri> in_force, std::span<const std::uint8_t> again) const {
  FastEval eval{*this, facts, scratch};
  return eval.run_every_rule(applies, in_force, again);
}

}  // namespace proviso
