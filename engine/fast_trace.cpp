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
namespace {

// The outcome from whether some permit and some forbid are surely or maybe in force.
Outcome outcome_of_forces(bool permit, bool forbid, bool maybe_permit, bool maybe_forbid) {
  if (permit && forbid) return Outcome::conflict;
  if (permit) return maybe_forbid ? Outcome::undetermined : Outcome::permitted;
  if (forbid) return maybe_permit ? Outcome::undetermined : Outcome::denied;
  return maybe_permit || maybe_forbid ? Outcome::undetermined : Outcome::not_applicable;
}

}  // namespace

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
  const Outcome outcome = outcome_of_forces(permit, forbid, maybe_permit_here, maybe_forbid_here);
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

// Deciding again from a kept decision. A rule's condition reads only the
// facts its linked condition lists (Condition::facts, definitions included),
// and its force only its condition and its exceptions' force; every
// exception comes before the rules it defeats in evaluation order. So after
// a change to a few slots only their readers' conditions are evaluated
// again, in evaluation order, and a rule's force is settled again only when
// its condition or an exception's force changed; the outcome and the
// authorities come from the kept sums (FastForces), patched as forces change.
namespace {

// Whether a compiled condition asks whether a fact is known (`is known`),
// itself or through a definition: the one test that a fact becoming known
// can turn from true to false. Any shape it does not know counts as asking.
struct KnowledgeWalk {
  using Op = FastNode::Op;
  const std::vector<FastNode>& nodes;
  const std::vector<std::int32_t>& kids;
  const std::vector<FastTest>& tests;
  const std::vector<std::int32_t>& definition_disjuncts;
  const std::vector<std::int32_t>& disjuncts;
  const std::vector<std::int32_t>& definition_root;
  std::vector<std::int8_t> definitions = std::vector<std::int8_t>(definition_root.size(), -1);  // -1 not yet, 0 no, 1 asks

  // A constant, a reading or a fact against a constant: it reads a fact's value at most.
  static bool plain_leaf(Op op) {
    switch (op) {
      case Op::constant: case Op::fact: case Op::interpretation: case Op::fact_eq_k: case Op::fact_in_k:
      case Op::fact_superset_k: case Op::fact_subset_k: case Op::fact_intersects_k: case Op::fact_eq_text:
      case Op::fact_lt_k: case Op::fact_le_k: case Op::fact_gt_k: case Op::fact_ge_k:
        return true;
      default: return false;
    }
  }
  bool node(std::int32_t i) {
    const auto& n = nodes[static_cast<std::size_t>(i)];
    if (plain_leaf(n.op)) return false;
    switch (n.op) {
      case Op::definition: return definition(n.a);
      case Op::not_: case Op::negate: return node(n.a);
      case Op::and_: case Op::or_:
        for (std::int32_t k = 0; k < n.b; ++k)
          if (node(kids[static_cast<std::size_t>(n.a + k)])) return true;
        return false;
      case Op::eq: case Op::lt: case Op::le: case Op::gt: case Op::ge: case Op::in: case Op::subset:
      case Op::superset: case Op::intersects: case Op::add: case Op::sub:
        return node(n.a) || node(n.b);
      default: return true;  // is_known, or a shape this walk does not know
    }
  }
  bool sequence(std::int32_t t) {  // a rule's or a disjunct's tests, up to `end`
    for (;; ++t) {
      const auto& test = tests[static_cast<std::size_t>(t)];
      switch (test.op) {
        case Op::end: return false;
        case Op::guard: case Op::any_leaf: continue;  // a fact against constants (shared leaves are such)
        case Op::definition: if (definition(test.a)) return true; continue;
        case Op::subtree: if (node(test.a)) return true; continue;
        default:  // a leaf shape inline: `is known` or one this walk does not know asks
          if (!plain_leaf(test.op)) return true;
          continue;
      }
    }
  }
  bool definition(std::int32_t d) {
    auto& state = definitions[static_cast<std::size_t>(d)];
    if (state >= 0) return state == 1;
    state = 1;  // while it is walked: a cycle (none passes the checker) counts as asking
    bool asks = false;
    const auto begin = definition_disjuncts[static_cast<std::size_t>(d)], end = definition_disjuncts[static_cast<std::size_t>(d) + 1];
    if (begin < end) {
      for (auto i = begin; i < end && !asks; ++i) asks = sequence(disjuncts[static_cast<std::size_t>(i)]);
    } else {
      asks = definition_root[static_cast<std::size_t>(d)] < 0 || node(definition_root[static_cast<std::size_t>(d)]);
    }
    state = asks ? 1 : 0;
    return asks;
  }
};

}  // namespace

FastChangeTables FastEval::change_tables(const CompiledPolicy& p) {
  const auto& policy = p.policy();
  FastChangeTables t;
  const std::size_t positions = p.code_.size() - 1;  // code_ ends with a sentinel
  t.words = (positions + 63) / 64;
  t.position.assign(policy.rules.size(), -1);
  t.rule_at.assign(positions, -1);
  for (std::size_t pos = 0; pos < positions; ++pos) {
    t.position[static_cast<std::size_t>(p.code_[pos].rule)] = static_cast<std::int32_t>(pos);
    t.rule_at[pos] = p.code_[pos].rule;
  }
  // A guard's values are a 64-bit mask (compiled_guards.cpp), so no bucket lies past value 63.
  t.primary_admits.assign(positions, 0);
  for (const auto& slot : p.index_slots_)
    for (std::uint32_t v = 0; v < slot.domain && v < 64; ++v) {
      const auto row = slot.bucket_row + v;
      for (auto k = p.chunk_begin_[row]; k < p.chunk_begin_[row + 1]; ++k)
        for (auto m = p.chunks_[k].begin; m < p.chunks_[k].begin + p.chunks_[k].count; ++m)
          t.primary_admits[static_cast<std::size_t>(p.bucket_[m].position)] |= std::uint64_t{1} << v;
    }
  const std::size_t slots = policy.facts.size();
  t.readers.assign(slots * t.words, 0);
  for (std::size_t pos = 0; pos < positions; ++pos) {
    const auto& rule = policy.rules[static_cast<std::size_t>(p.code_[pos].rule)];
    if (!rule.when) continue;  // always applies
    const auto bit = std::uint64_t{1} << (pos & 63);
    if (rule.condition < 0) {  // not linked: assume it reads every slot
      for (std::size_t slot = 0; slot < slots; ++slot) t.readers[slot * t.words + (pos >> 6)] |= bit;
      continue;
    }
    for (auto slot : policy.conditions[static_cast<std::size_t>(rule.condition)].facts)
      t.readers[static_cast<std::size_t>(slot) * t.words + (pos >> 6)] |= bit;
  }
  t.slot_leaves.assign(slots, 0);
  for (std::size_t i = 0; i < p.shared_leaves_.size(); ++i)
    t.slot_leaves[static_cast<std::size_t>(p.shared_leaves_[i].a)] |= std::uint64_t{1} << i;
  t.slot_guard.assign(slots, -1);
  for (std::size_t g = 0; p.small_ && g < p.small_guards_.size(); ++g) t.slot_guard[static_cast<std::size_t>(p.small_guards_[g].slot)] = static_cast<std::int32_t>(g);
  const auto& definitions = policy.definitions;
  std::vector<std::vector<std::int32_t>> by_slot(slots);
  for (std::size_t d = 0; d < definitions.size(); ++d) {
    const auto c = definitions[d].condition;
    if (c < 0) {
      for (auto& list : by_slot) list.push_back(static_cast<std::int32_t>(d));
      continue;
    }
    for (auto slot : policy.conditions[static_cast<std::size_t>(c)].facts) by_slot[static_cast<std::size_t>(slot)].push_back(static_cast<std::int32_t>(d));
  }
  t.definition_begin.assign(1, 0);
  for (const auto& list : by_slot) {
    t.definitions.insert(t.definitions.end(), list.begin(), list.end());
    t.definition_begin.push_back(static_cast<std::int32_t>(t.definitions.size()));
  }
  KnowledgeWalk walk{p.nodes_, p.kids_, p.tests_, p.definition_disjuncts_, p.disjuncts_, p.definition_root_};
  t.knowledge_readers.assign(t.words, 0);
  for (std::size_t pos = 0; pos < positions; ++pos)
    if (p.code_[pos].test_begin >= 0 && walk.sequence(p.code_[pos].test_begin)) t.knowledge_readers[pos >> 6] |= std::uint64_t{1} << (pos & 63);
  t.settled_conditions.assign(t.words, 0);
  t.dirty.assign(t.words, 0);
  t.todo.assign(t.words, 0);
  t.visited.reserve(positions);  // each position is settled at most once a run: no allocation
  return t;
}

namespace {
// What an exception of this force adds to FastForces::defeats of the rules it is an exception to.
std::uint32_t defeat_weight(Tri force) { return force == Tri::true_ ? 1u << 16 : force == Tri::unknown ? 1u : 0u; }
}  // namespace

// As run_every_rule: the rows of the known guard facts ANDed.
std::uint64_t FastEval::small_possible() const {
  std::uint64_t possible = p.small_positions_;
  for (const auto& g : p.small_guards_) {
    const auto v = f.cells[g.slot];
    if (f.known[g.slot] && v < g.domain) possible &= p.small_admits_[g.row + v];
  }
  return possible;
}

// As run_every_rule: the unknown_rules of the guard rows whose fact is unknown.
std::uint64_t FastEval::small_unknown_leaf() const {
  std::uint64_t unknown_leaf = 0;
  for (const auto& g : p.small_guards_)
    if (!f.known[g.slot]) unknown_leaf |= g.unknown_rules;
  return unknown_leaf;
}

void FastEval::sum_forces(FastChangeTables& t, std::span<const Tri> applies, std::span<const Tri> in_force, FastForces& out) {
  if (!p.shared_leaves_.empty()) evaluate_shared_leaves();  // as run_every_rule: none, the masks stay zero
  out.leaves_true = leaves_true;
  out.leaves_false = leaves_false;
  out.leaves_unknown = leaves_unknown;
  out.possible = p.small_ ? small_possible() : 0;
  out.unknown_leaf = t.unknown_leaf_shared = 0;
  for (const auto& g : p.small_guards_)  // small_unknown_leaf(), and the rules two rows mark
    if (!f.known[g.slot]) {
      t.unknown_leaf_shared |= out.unknown_leaf & g.unknown_rules;
      out.unknown_leaf |= g.unknown_rules;
    }
  out.sure[0] = out.sure[1] = out.maybe[0] = out.maybe[1] = out.unknown = 0;
  const std::size_t rules = p.effect_.size();
  out.in_force.assign((rules + 63) / 64, 0);
  out.permits_applying.assign((rules + 63) / 64, 0);
  std::fill(t.settled_conditions.begin(), t.settled_conditions.end(), std::uint64_t{0});
  out.defeats.assign(rules, 0);
  for (std::size_t r = 0; r < rules; ++r) {
    const auto effect = p.effect_[r];
    const auto bit = std::uint64_t{1} << (r & 63);
    const auto pos = static_cast<std::size_t>(t.position[r]);
    if (applies[r] != Tri::unknown) t.settled_conditions[pos >> 6] |= std::uint64_t{1} << (pos & 63);
    if (effect == 0 && applies[r] == Tri::true_) out.permits_applying[r >> 6] |= bit;
    if (in_force[r] == Tri::false_) continue;  // it adds nothing to the defeats of the rules it is an exception to
    if (in_force[r] == Tri::unknown) {
      ++out.unknown;
      if (effect < 2) ++out.maybe[effect];
    } else if (effect < 2) {
      ++out.sure[effect];
      out.in_force[r >> 6] |= bit;
    }
    const auto weight = defeat_weight(in_force[r]);
    for (auto e = p.code_[pos].edge_begin; e < p.code_[pos + 1].edge_begin; ++e) out.defeats[static_cast<std::size_t>(p.edges_[e])] += weight;
  }
}

Outcome FastEval::run_from(FastChangeTables& t, std::span<const std::int32_t> slots, bool refining, const std::vector<std::int32_t>* memos_from,
                           std::span<Tri> applies, std::span<Tri> in_force, FastForces& forces) {
  if (memos_from) {  // the memos of definitions reading a slot that differs now or differed then are stale
    auto forget = [&](std::int32_t slot) {
      for (auto i = t.definition_begin[static_cast<std::size_t>(slot)]; i < t.definition_begin[static_cast<std::size_t>(slot) + 1]; ++i)
        s.definitions[static_cast<std::size_t>(t.definitions[static_cast<std::size_t>(i)])].stamp = 0;
    };
    for (auto slot : *memos_from) forget(slot);
    for (auto slot : slots) forget(slot);
  } else if (++s.epoch == 0) {  // wrapped: forget every stamp (as run()); definitions are computed again as read
    for (auto& d : s.definitions) d.stamp = 0;
    for (auto& r : s.rules) r.stamp = 0;
    s.epoch = 1;
  }
  t.visited.clear();
  std::uint64_t leaves_read = 0;
  for (auto slot : slots) leaves_read |= t.slot_leaves[static_cast<std::size_t>(slot)];
  if (leaves_read) {
    evaluate_shared_leaves();
    forces.leaves_true = leaves_true;
    forces.leaves_false = leaves_false;
    forces.leaves_unknown = leaves_unknown;
  } else {
    leaves_true = forces.leaves_true;
    leaves_false = forces.leaves_false;
    leaves_unknown = forces.leaves_unknown;
  }
  const bool small = p.small_;
  std::uint64_t possible = forces.possible;
  if (small && refining) {  // the slots' rows left every rule possible, as their facts were unknown
    std::int32_t known_rows = 0, known_row = -1;  // the slots' rows whose fact is known now
    for (auto slot : slots) {
      const auto guard = t.slot_guard[static_cast<std::size_t>(slot)];
      if (guard < 0) continue;
      const auto& g = p.small_guards_[static_cast<std::size_t>(guard)];
      if (!f.known[g.slot]) continue;  // its row, as in the kept decision, leaves its rules unknown at most
      ++known_rows;
      known_row = guard;
      const auto v = f.cells[g.slot];
      if (v < g.domain) possible &= p.small_admits_[g.row + v];
    }
    if (known_rows == 1) {  // its marks go but where another unknown row marks the rule too
      forces.unknown_leaf &= ~p.small_guards_[static_cast<std::size_t>(known_row)].unknown_rules | t.unknown_leaf_shared;
    } else if (known_rows > 1) {
      forces.unknown_leaf = small_unknown_leaf();
    }
  } else if (small) {
    possible = small_possible();
    forces.unknown_leaf = small_unknown_leaf();
  }
  const std::uint64_t unknown_leaves = forces.unknown_leaf;  // small_: the positions a guard row of an unknown fact leaves at most unknown
  const Hot h = hot();
  std::uint64_t* dirty = t.dirty.data();
  std::uint64_t* todo = t.todo.data();
  for (auto slot : slots) {
    const std::uint64_t* read = t.readers.data() + static_cast<std::size_t>(slot) * t.words;
    for (std::size_t w = 0; w < t.words; ++w) dirty[w] |= read[w];
  }
  if (refining)
    for (std::size_t w = 0; w < t.words; ++w) dirty[w] &= ~t.settled_conditions[w] | t.knowledge_readers[w];
  for (std::size_t w = 0; w < t.words; ++w) todo[w] = dirty[w];
  auto count = [&](Tri force, std::uint8_t effect, std::int32_t delta) {
    if (force == Tri::unknown) {
      forces.unknown += delta;
      if (effect < 2) forces.maybe[effect] += delta;
    } else if (force == Tri::true_ && effect < 2) {
      forces.sure[effect] += delta;
    }
  };
  // In evaluation order: a rule settled again marks the rules it is an exception to, which come after it.
  for (std::size_t w = 0; w < t.words; ++w)
    while (todo[w]) {
      const auto bit = static_cast<std::size_t>(__builtin_ctzll(todo[w]));
      todo[w] &= todo[w] - 1;
      const std::size_t pos = w * 64 + bit;
      const FastRule& code = h.code[pos];
      const auto rule = static_cast<std::size_t>(code.rule);
      t.visited.push_back(code.rule);
      Tri condition = applies[rule];
      if ((dirty[w] >> bit) & 1u) {  // as run_every_rule; past one word, the guards from the primary guard's bucket
        const auto primary = small ? -1 : p.primary_slot_[pos];
        const auto value = primary >= 0 ? h.cells[primary] : 0;
        const bool guarded_out = small ? !((possible >> pos) & 1u)
                                       : primary >= 0 && h.known[primary] && (value >= 64 || !((t.primary_admits[pos] >> value) & 1u));
        const bool unknown_leaf = small && ((unknown_leaves >> pos) & 1u);
        condition = guarded_out || code.leaf_mask & h.leaves_false                ? Tri::false_
                    : code.leaf_mask & h.leaves_unknown || unknown_leaf ? Tri::unknown
                                                                                  : Tri::true_;
        if (condition != Tri::false_ && code.test_begin >= 0) condition = rest_of_conjunction(code.test_begin, condition == Tri::unknown);
        if (primary >= 0 && !h.known[primary] && condition == Tri::true_) condition = Tri::unknown;
      }
      const auto defeats = forces.defeats[rule];
      const Tri defeated = condition == Tri::false_ ? Tri::false_  // a rule that does not apply is not defeated (eval.cpp)
                           : defeats >> 16          ? Tri::true_
                           : defeats                ? Tri::unknown
                                                    : Tri::false_;
      const Tri force = condition == Tri::false_ || defeated == Tri::true_ ? Tri::false_
                        : condition == Tri::true_ && defeated == Tri::false_ ? Tri::true_
                                                                             : Tri::unknown;
      const auto effect = code.effect;
      const auto rule_bit = std::uint64_t{1} << (rule & 63);
      if (condition != applies[rule]) {
        applies[rule] = condition;
        if (effect == 0) {
          if (condition == Tri::true_) forces.permits_applying[rule >> 6] |= rule_bit;
          else forces.permits_applying[rule >> 6] &= ~rule_bit;
        }
      }
      if (force == in_force[rule]) continue;
      count(in_force[rule], effect, -1);
      count(force, effect, 1);
      const auto weight_change = defeat_weight(force) - defeat_weight(in_force[rule]);  // modulo 2^32
      in_force[rule] = force;
      if (effect < 2) {
        if (force == Tri::true_) forces.in_force[rule >> 6] |= rule_bit;
        else forces.in_force[rule >> 6] &= ~rule_bit;
      }
      for (auto e = code.edge_begin; e < h.code[pos + 1].edge_begin; ++e) {
        const auto target_rule = static_cast<std::size_t>(h.edges[e]);
        forces.defeats[target_rule] += weight_change;
        const auto target = static_cast<std::size_t>(t.position[target_rule]);
        todo[target >> 6] |= std::uint64_t{1} << (target & 63);
      }
    }
  for (std::size_t w = 0; w < t.words; ++w) dirty[w] = 0;
  // The outcome from the sums, as run_every_rule has it from the forces.
  const bool permit = forces.sure[0] > 0, forbid = forces.sure[1] > 0;
  const bool maybe_permit_here = forces.maybe[0] > 0, maybe_forbid_here = forces.maybe[1] > 0;
  const Outcome outcome = outcome_of_forces(permit, forbid, maybe_permit_here, maybe_forbid_here);
  auto& authorities = s.authorities;  // reserved for every rule: no allocation
  authorities.clear();
  const bool take_permits = outcome == Outcome::conflict || outcome == Outcome::permitted;
  const bool take_forbids = outcome == Outcome::conflict || outcome == Outcome::denied;
  if (!take_permits && !take_forbids) return outcome;
  for (std::size_t w = 0; w < forces.in_force.size(); ++w)
    for (auto bits = forces.in_force[w]; bits; bits &= bits - 1) {
      const auto r = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
      if (p.effect_[r] == 0 ? take_permits : take_forbids) authorities.push_back(static_cast<std::int32_t>(r));
    }
  if (outcome == Outcome::denied) {
    // A limit that defeated a permit which applied decides the denial too.
    const auto forbids = authorities.size();
    for (std::size_t w = 0; w < forces.permits_applying.size(); ++w)
      for (auto bits = forces.permits_applying[w]; bits; bits &= bits - 1) {
        const auto r = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        for (auto d = p.defeater_begin_[r]; d < p.defeater_begin_[r + 1]; ++d)
          if (p.effect_[p.defeaters_[d]] == 2 && in_force[static_cast<std::size_t>(p.defeaters_[d])] == Tri::true_)
            authorities.push_back(p.defeaters_[d]);
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
