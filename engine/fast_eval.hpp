// Internal to the fast decide (compiled.hpp): the evaluator of one decision.
// Expressions (fast_eval_expr.cpp): Kleene logic over the compiled nodes,
// memoised definitions, values for comparisons. The decision
// (fast_eval.cpp): candidates from the rule index, their force in evaluation
// order, the outcome and its authorities.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "compiled.hpp"

namespace proviso {

// What deciding again from a kept decision needs (FastEval::run_from), by
// evaluation position and by slot; made once per FastSearch (change_tables()).
struct FastChangeTables {
  std::size_t words = 0;                      // bitset words over evaluation positions
  std::vector<std::int32_t> position;         // by rule index
  std::vector<std::int32_t> rule_at;          // by position: the rule index
  std::vector<std::uint64_t> primary_admits;  // by position: the values of its primary guard's fact whose bucket lists it
  std::vector<std::uint64_t> readers;         // by slot, `words` each: the positions whose condition reads the slot
  std::vector<std::uint64_t> slot_leaves;     // by slot: the shared leaves that read it
  // small_ (one word of rules): by slot, its guard row (-1 none).
  std::vector<std::int32_t> slot_guard;
  // By slot (CSR): the definitions that read it, directly or through another
  // (all of them for one whose condition is not linked): the memos a change
  // to it makes stale.
  std::vector<std::int32_t> definition_begin, definitions;
  std::vector<std::uint64_t> knowledge_readers;  // over positions: the conditions that ask whether a fact is known (`is known`)
  std::vector<std::uint64_t> dirty, todo;     // run_from's bitsets over positions, all zero between runs
  std::vector<std::uint64_t> settled_conditions;  // over positions: the conditions known true or false
  // small_, of the kept decision: the positions two or more guard rows of
  // unknown facts mark (FastForces::unknown_leaf: any), so that one of those
  // facts known leaves the other rows' marks.
  std::uint64_t unknown_leaf_shared = 0;
  // Of the last run_from, by rule index: the rules it settled again, the only
  // ones whose condition, force or count of defeating exceptions may differ
  // from the kept decision's (so the kept decision is restored from them).
  std::vector<std::int32_t> visited;
};

// A decision's forces summed up (sum_forces()), so one that differs in a few
// rules is patched rather than counted again: kept with a baseline and updated by run_from.
struct FastForces {
  std::uint64_t leaves_true = 0, leaves_false = 0, leaves_unknown = 0;  // the shared leaves
  std::uint64_t possible = 0;  // small_: the positions the guard rows of the known facts leave possible
  std::uint64_t unknown_leaf = 0;  // small_: the positions a guard row of an unknown fact leaves at most unknown
  std::int32_t sure[2] = {0, 0};     // permits, forbids in force
  std::int32_t maybe[2] = {0, 0};    // permits, forbids of unknown force
  std::int32_t unknown = 0;          // rules of unknown force, limits included
  std::vector<std::uint64_t> in_force;          // by rule index: the permits and forbids in force
  std::vector<std::uint64_t> permits_applying;  // by rule index: the permits whose condition is true
  std::vector<std::uint32_t> defeats;           // by rule index: its exceptions in force << 16 | those of unknown force
};

struct FastEval {
  const CompiledPolicy& p;
  const FastFacts& f;
  FastScratch& s;

  // A value during evaluation; `kind` comes from the node that produced it.
  struct V {
    std::uint64_t bits = 0;
    const std::string* text = nullptr;
    std::uint8_t unit = 0;
    bool known = false;
  };

  static std::int64_t sgn(std::uint64_t cell) { return static_cast<std::int64_t>(cell); }

  // The shapes that need one load and one compare, inlined into the and/or
  // loops; false when `n` is not one of them.
  [[gnu::always_inline]] inline bool leaf(const FastNode& n, Tri& out) const {
    using Op = FastNode::Op;
    switch (n.op) {
      case Op::fact: out = f.known[n.a] ? tri_of(f.cells[n.a] != 0) : Tri::unknown; return true;
      case Op::fact_eq_k: out = f.known[n.a] ? tri_of(f.cells[n.a] == n.k) : Tri::unknown; return true;
      case Op::fact_in_k: out = f.known[n.a] ? tri_of((n.k >> f.cells[n.a]) & 1u) : Tri::unknown; return true;
      case Op::fact_superset_k: out = f.known[n.a] ? tri_of((f.cells[n.a] & n.k) == n.k) : Tri::unknown; return true;
      case Op::fact_subset_k: out = f.known[n.a] ? tri_of((f.cells[n.a] & ~n.k) == 0) : Tri::unknown; return true;
      case Op::fact_intersects_k: out = f.known[n.a] ? tri_of((f.cells[n.a] & n.k) != 0) : Tri::unknown; return true;
      case Op::fact_eq_text: out = f.known[n.a] ? tri_of(f.cells[n.a] == n.k) : Tri::unknown; return true;  // interned
      case Op::fact_lt_k: out = f.known[n.a] ? tri_of(sgn(f.cells[n.a]) < sgn(n.k)) : Tri::unknown; return true;
      case Op::fact_le_k: out = f.known[n.a] ? tri_of(sgn(f.cells[n.a]) <= sgn(n.k)) : Tri::unknown; return true;
      case Op::fact_gt_k: out = f.known[n.a] ? tri_of(sgn(f.cells[n.a]) > sgn(n.k)) : Tri::unknown; return true;
      case Op::fact_ge_k: out = f.known[n.a] ? tri_of(sgn(f.cells[n.a]) >= sgn(n.k)) : Tri::unknown; return true;
      case Op::is_known: out = tri_of(f.known[n.a] != 0); return true;
      case Op::interpretation: {
        const auto v = f.interpretations[n.a];
        out = tri_of(v < 0 ? p.interpretation_default_[n.a] != 0 : v == 1);
        return true;
      }
      case Op::definition: {
        const auto& state = s.definitions[n.a];
        if (state.stamp != s.epoch) return false;
        out = state.known ? tri_of(state.bits != 0) : Tri::unknown;
        return true;
      }
      default: return false;
    }
  }

  // Expressions (fast_eval_expr.cpp).
  Tri tri(std::int32_t i);
  template <Tri Dominant>
  Tri kleene(const FastNode& n);  // and_ / or_ over the node's kids
  V definition(std::int32_t d);
  void compute_definition(std::int32_t d);  // into its memo (fast_eval.cpp, beside the loop it uses)
  V value(std::int32_t i);
  static V of(Tri t) { return t == Tri::unknown ? V{} : V{t == Tri::true_ ? 1u : 0u, nullptr, 0, true}; }
  int compare(const V& a, TypeKind ka, const V& b, TypeKind kb) const;
  static V arithmetic(const FastNode& n, const V& a, TypeKind ka, const V& b, TypeKind kb);

  // The decision (fast_eval.cpp).
  // The arrays a decision walks, copied into a local so they stay in
  // registers (stores into the scratch could alias them as members).
  struct Hot {
    const FastRule* code;
    const FastTest* tests;
    const std::int32_t* edges;
    const std::uint64_t* cells;
    const std::uint8_t* known;
    FastScratch::RuleState* states;
    std::uint32_t epoch;
    std::uint64_t leaves_true, leaves_false, leaves_unknown;
  };
  Hot hot() const {
    return {p.code_.data(), p.tests_.data(), p.edges_.data(), f.cells, f.known, s.rules.data(), s.epoch,
            leaves_true, leaves_false, leaves_unknown};
  }

  // The shared leaves (compiled.hpp), once per decision.
  std::uint64_t leaves_true = 0, leaves_false = 0, leaves_unknown = 0;
  bool maybe_permit = false, maybe_forbid = false;
  std::uint32_t unknown_index_slots = 0;  // bit i % 16 for each index slot i whose fact is unknown
  // The permits and forbids in force (bits in the scratch), and the end of
  // this decision's list of permits defeated.
  std::uint32_t permits_in_force = 0, forbids_in_force = 0;
  std::int32_t* defeated_permits_end = nullptr;
  // A permit (effect 0) or forbid (1) in force, in the scratch's bitsets over rule indexes.
  [[gnu::always_inline]] inline void in_force(std::int32_t rule, std::uint8_t effect) {
    const auto r = static_cast<std::size_t>(rule);
    (effect == 0 ? s.permits : s.forbids)[r >> 6] |= std::uint64_t{1} << (r & 63);
    s.in_force_words[r >> 12] |= std::uint64_t{1} << ((r >> 6) & 63);
    ++(effect == 0 ? permits_in_force : forbids_in_force);
  }
  // Writes the rules in force of the chosen effects into the authorities, ascending, and clears the bitsets.
  void authorities_in_force(bool permits, bool forbids);
  [[gnu::always_inline]] inline void settle_plain(const Hot& h, const FastCandidate& c, Tri applies);

  void evaluate_shared_leaves();
  Tri rest_of_conjunction(std::int32_t t, bool unknown);
  [[gnu::always_inline]] inline Tri conjunction(const Hot& h, std::uint64_t leaf_mask, std::int32_t begin);
  [[gnu::always_inline]] inline Tri tests_from(const Hot& h, std::int32_t t, bool unknown);
  FastScratch::RuleState& touch(std::int32_t r);
  bool deferred(std::int32_t position) const {
    const auto slot = p.primary_slot_[position];
    return slot >= 0 && !f.known[slot];
  }
  Tri deferred_in_force(std::int32_t position);
  bool deferred_defeater_may_be_in_force(std::int32_t position);
  bool deferred_may_be_in_force(std::uint8_t effect);
  [[gnu::always_inline]] inline void settle(const Hot& h, std::size_t position, Tri applies);
  Outcome run();
  Outcome run_small(const Hot& h);
  Outcome run_large(const Hot& h);
  Outcome combine();
  // CompiledPolicy::decide_every_rule (fast_trace.cpp).
  Outcome run_every_rule(std::span<Tri> applies, std::span<Tri> in_force, std::span<const std::uint8_t> again);
  // Deciding again from a kept decision (fast_trace.cpp): the tables of `p`;
  // the sums of the forces `applies` and `in_force` give, by rule index (the
  // shared leaves from the facts), and the kept decision's settled
  // conditions into `t`;
  static FastChangeTables change_tables(const CompiledPolicy& p);
  void sum_forces(FastChangeTables& t, std::span<const Tri> applies, std::span<const Tri> in_force, FastForces& out);
  // run_every_rule() for facts that differ from those of the kept decision
  // only in `slots`: `applies`, `in_force` and `forces` hold that decision on
  // entry; only the rules reading the slots are evaluated again, and only
  // the rules whose condition or exceptions' force changed are settled again.
  // `refining`: the slots were unknown in the kept decision's facts, so a
  // condition known there stays as it was (Kleene logic is monotone) unless
  // it asks whether a fact is known: only the unknown ones are evaluated again.
  // `memos_from`: the definition memos in the scratch are those of the facts
  // that differed from the kept decision's in these slots (the last run_from,
  // or none after the kept decision itself), in this epoch: only the memos
  // reading them or `slots` are made again. Null: every memo is (a new epoch).
  Outcome run_from(FastChangeTables& t, std::span<const std::int32_t> slots, bool refining, const std::vector<std::int32_t>* memos_from,
                   std::span<Tri> applies, std::span<Tri> in_force, FastForces& forces);
  std::uint64_t small_possible() const;  // FastForces::possible of the facts
  std::uint64_t small_unknown_leaf() const;  // FastForces::unknown_leaf of the facts
};

}  // namespace proviso
