// The fast decide: the semantics of engine/eval.cpp (Kleene logic, defeasible
// exceptions, the outcome rules of decide_core) without the trace, with
// short-circuit conditions, memoised definitions and candidate rules only.
#include <algorithm>
#include <bit>
#include <cmath>

#include "compiled.hpp"

namespace proviso {

namespace {

// A value during evaluation; `kind` comes from the node that produced it.
struct V {
  std::uint64_t bits = 0;
  const std::string* text = nullptr;
  std::uint8_t unit = 0;
  bool known = false;
};

inline double as_double(const V& v, TypeKind kind) {
  return kind == TypeKind::decimal ? std::bit_cast<double>(v.bits) : static_cast<double>(static_cast<std::int64_t>(v.bits));
}

inline std::int64_t sgn(std::uint64_t cell) { return static_cast<std::int64_t>(cell); }

}  // namespace

struct FastEval {
  const CompiledPolicy& p;
  const FastFacts& f;
  FastScratch& s;

  // The shapes that need one load and one compare, inlined into the and/or
  // loops below; false when `n` is not one of them.
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

  Tri tri(std::int32_t i) {
    using Op = FastNode::Op;
    const FastNode& n = p.nodes_[i];
    Tri out;
    if (leaf(n, out)) return out;
    switch (n.op) {
      case Op::constant: return n.known ? tri_of(n.k != 0) : Tri::unknown;
      case Op::definition: {
        V v = definition(n.a);
        return v.known ? tri_of(v.bits != 0) : Tri::unknown;
      }
      case Op::not_: return tri_not(tri(n.a));
      case Op::and_: {
        // Kleene: one false operand decides, so the rest need not be evaluated.
        Tri result = Tri::true_;
        for (std::int32_t k = 0; k < n.b; ++k) {
          const auto kid = p.kids_[n.a + k];
          Tri t;
          if (!leaf(p.nodes_[kid], t)) t = tri(kid);
          if (t == Tri::false_) return Tri::false_;
          if (t == Tri::unknown) result = Tri::unknown;
        }
        return result;
      }
      case Op::or_: {
        Tri result = Tri::false_;
        for (std::int32_t k = 0; k < n.b; ++k) {
          const auto kid = p.kids_[n.a + k];
          Tri t;
          if (!leaf(p.nodes_[kid], t)) t = tri(kid);
          if (t == Tri::true_) return Tri::true_;
          if (t == Tri::unknown) result = Tri::unknown;
        }
        return result;
      }
      default: break;
    }
    V v = value(i);
    return v.known ? tri_of(v.bits != 0) : Tri::unknown;
  }

  V definition(std::int32_t d) {
    auto& state = s.definitions[d];
    if (state.stamp != s.epoch) {
      const auto root = p.definition_root_[d];
      // A condition (the usual definition) straight through tri(); other values through value().
      V v = p.nodes_[root].kind == TypeKind::boolean ? of(tri(root)) : value(root);
      state.bits = v.bits;
      state.known = v.known;
      state.stamp = s.epoch;
    }
    return V{state.bits, nullptr, 0, state.known};
  }

  static V of(Tri t) { return t == Tri::unknown ? V{} : V{t == Tri::true_ ? 1u : 0u, nullptr, 0, true}; }

  int compare(const V& a, TypeKind ka, const V& b, TypeKind kb) const {
    if (ka == TypeKind::decimal || kb == TypeKind::decimal) {
      const double x = as_double(a, ka), y = as_double(b, kb);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (ka == TypeKind::string) return *a.text < *b.text ? -1 : (*a.text == *b.text ? 0 : 1);
    if (ka == TypeKind::set) return a.bits == b.bits ? 0 : 1;
    const auto x = static_cast<std::int64_t>(a.bits), y = static_cast<std::int64_t>(b.bits);
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  V value(std::int32_t i) {
    using Op = FastNode::Op;
    const FastNode& n = p.nodes_[i];
    switch (n.op) {
      case Op::constant:
        if (!n.known) return V{};
        return V{n.k, n.kind == TypeKind::string ? &p.texts_[n.k] : nullptr, n.unit, true};
      case Op::fact:
        if (!f.known[n.a]) return V{};
        return V{f.cells[n.a], &f.strings[n.a], 0, true};
      case Op::definition: return definition(n.a);
      case Op::negate: {
        V a = value(n.a);
        if (!a.known) return a;
        if (n.kind == TypeKind::decimal) {
          a.bits = std::bit_cast<std::uint64_t>(-std::bit_cast<double>(a.bits));
          return a;
        }
        auto negated = checked_negate(static_cast<std::int64_t>(a.bits));
        if (!negated) return V{};
        a.bits = static_cast<std::uint64_t>(*negated);
        return a;
      }
      case Op::eq: case Op::lt: case Op::le: case Op::gt: case Op::ge:
      case Op::in: case Op::subset: case Op::superset: case Op::intersects:
      case Op::add: case Op::sub: break;
      default: return of(tri(i));
    }
    const V a = value(n.a);
    const V b = value(n.b);
    if (!a.known || !b.known) return V{};
    const TypeKind ka = p.nodes_[n.a].kind, kb = p.nodes_[n.b].kind;
    switch (n.op) {
      case Op::eq: return of(tri_of(compare(a, ka, b, kb) == 0));
      case Op::lt: return of(tri_of(compare(a, ka, b, kb) < 0));
      case Op::le: return of(tri_of(compare(a, ka, b, kb) <= 0));
      case Op::gt: return of(tri_of(compare(a, ka, b, kb) > 0));
      case Op::ge: return of(tri_of(compare(a, ka, b, kb) >= 0));
      case Op::in: return of(tri_of((b.bits >> a.bits) & 1u));
      case Op::subset: return of(tri_of((a.bits & ~b.bits) == 0));
      case Op::superset: return of(tri_of((b.bits & ~a.bits) == 0));
      case Op::intersects: return of(tri_of((a.bits & b.bits) != 0));
      default: return arithmetic(n, a, ka, b, kb);
    }
  }

  // As eval.cpp: overflow, and dates outside 0000–9999, give unknown.
  static V arithmetic(const FastNode& n, const V& a, TypeKind ka, const V& b, TypeKind kb) {
    const bool add = n.op == FastNode::Op::add;
    const auto x = static_cast<std::int64_t>(a.bits), y = static_cast<std::int64_t>(b.bits);
    V out{0, nullptr, 0, true};
    if (ka == TypeKind::date && kb == TypeKind::duration) {
      auto amount = add ? std::optional<std::int64_t>(y) : checked_negate(y);
      auto days = amount ? shift_date(x, b.unit, *amount) : std::nullopt;
      if (!days) return V{};
      out.bits = static_cast<std::uint64_t>(*days);
      return out;
    }
    if (n.kind == TypeKind::decimal) {
      const double l = as_double(a, ka), r = as_double(b, kb);
      const double result = add ? l + r : l - r;
      if (!std::isfinite(result)) return V{};
      out.bits = std::bit_cast<std::uint64_t>(result);
      return out;
    }
    auto result = add ? checked_add(x, y) : checked_sub(x, y);
    if (!result) return V{};
    out.bits = static_cast<std::uint64_t>(*result);
    return out;
  }

  FastScratch::RuleState& touch(std::int32_t r) {
    auto& state = s.rules[r];
    if (state.stamp != s.epoch) state = FastScratch::RuleState{s.epoch, Tri::false_, Tri::false_, false, 0, 0};
    return state;
  }

  bool maybe_permit = false, maybe_forbid = false;
  std::uint32_t unknown_index_slots = 0;  // bit i % 16 for each index slot i whose fact is unknown

  // A conjunction from test t on, t not a fact against a constant; out of
  // line, so the loop of conjunction() stays small enough for its registers.
  [[gnu::noinline]] Tri rest_of_conjunction(std::int32_t t, bool unknown) {
    for (;; ++t) {
      const FastTest& test = p.tests_[t];
      if (test.op == FastNode::Op::end) break;
      Tri v;
      if (test.op == FastNode::Op::guard) {
        if (f.known[test.a] && !((test.k >> (f.cells[test.a] & 63)) & 1u)) return Tri::false_;
        continue;
      }
      if (test.op == FastNode::Op::any_leaf) {
        v = test.k & leaves_true ? Tri::true_ : test.k & leaves_unknown ? Tri::unknown : Tri::false_;
      } else if (test.op == FastNode::Op::subtree) {
        v = tri(test.a);
      } else {
        const FastNode n{test.op, TypeKind::boolean, true, 0, test.a, -1, test.k};
        if (!leaf(n, v)) {
          const V d = definition(test.a);  // a definition not yet computed in this decision
          v = d.known ? tri_of(d.bits != 0) : Tri::unknown;
        }
      }
      if (v == Tri::false_) return Tri::false_;
      unknown = unknown || v == Tri::unknown;
    }
    return unknown ? Tri::unknown : Tri::true_;
  }

  // A rule's flat conjunction, in Kleene logic: a false test decides it.
  // The fact-against-constant shapes are inline (one load of the known byte,
  // one of the cell, one compare); the rest through leaf(), tri() and definition().
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
    return {p.code_.data(), p.tests_.data(), p.edges_.data(), f.cells.data(), f.known.data(), s.rules.data(), s.epoch,
            leaves_true, leaves_false, leaves_unknown};
  }

  // The shared leaves (compiled.hpp), once per decision.
  std::uint64_t leaves_true = 0, leaves_false = 0, leaves_unknown = 0;
  void evaluate_shared_leaves() {
    std::uint64_t bit = 1;
    for (const auto& leaf : p.shared_leaves_) {
      if (!f.known[leaf.a]) {
        leaves_unknown |= bit;
      } else {
        Tri v = Tri::unknown;
        this->leaf(FastNode{leaf.op, TypeKind::boolean, true, 0, leaf.a, -1, leaf.k}, v);
        (v == Tri::true_ ? leaves_true : leaves_false) |= bit;
      }
      bit <<= 1;
    }
  }

  [[gnu::always_inline]] inline Tri conjunction(const Hot& h, std::uint64_t leaf_mask, std::int32_t begin) {
    using Op = FastNode::Op;
    if (leaf_mask & h.leaves_false) return Tri::false_;
    bool unknown = (leaf_mask & h.leaves_unknown) != 0;
    if (begin < 0) return unknown ? Tri::unknown : Tri::true_;
    const FastTest* tests = h.tests;
    const std::uint64_t* cells = h.cells;
    const std::uint8_t* known = h.known;
    for (auto t = begin;; ++t) {
      const FastTest& test = tests[t];
      bool holds;
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
        case Op::fact: holds = cells[test.a] != 0; break;
        case Op::fact_eq_k: case Op::fact_eq_text: holds = cells[test.a] == test.k; break;
        case Op::fact_in_k: holds = (test.k >> (cells[test.a] & 63)) & 1u; break;  // an enum index is below 64
        case Op::fact_superset_k: holds = (cells[test.a] & test.k) == test.k; break;
        case Op::fact_subset_k: holds = (cells[test.a] & ~test.k) == 0; break;
        case Op::fact_intersects_k: holds = (cells[test.a] & test.k) != 0; break;
        case Op::fact_lt_k: holds = sgn(cells[test.a]) < sgn(test.k); break;
        case Op::fact_le_k: holds = sgn(cells[test.a]) <= sgn(test.k); break;
        case Op::fact_gt_k: holds = sgn(cells[test.a]) > sgn(test.k); break;
        case Op::fact_ge_k: holds = sgn(cells[test.a]) >= sgn(test.k); break;
        case Op::end: return unknown ? Tri::unknown : Tri::true_;
        default: return rest_of_conjunction(t, unknown);  // out of line: no call in this loop
      }
      if (!known[test.a]) unknown = true;
      else if (!holds) return Tri::false_;
    }
    return unknown ? Tri::unknown : Tri::true_;
  }

  // Whether the rule at `position` is deferred: its primary guard's fact is unknown.
  bool deferred(std::int32_t position) const {
    const auto slot = p.code_[position].primary_slot;
    return slot >= 0 && !f.known[slot];
  }

  // The force of a deferred rule, evaluated on demand and memoised. Its
  // condition is at most unknown, so it is in force `unknown` when that
  // condition is not false and no exception is in force against it (only
  // rules evaluated in order can be, and all of those before it have been),
  // and `false` otherwise; its own deferred exceptions cannot change that.
  [[gnu::noinline]] Tri deferred_in_force(std::int32_t position) {
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
  [[gnu::noinline]] bool deferred_defeater_may_be_in_force(std::int32_t position) {
    const FastRule& code = p.code_[position];
    for (auto d = code.defeater_begin; d < p.code_[position + 1].defeater_begin; ++d) {
      const auto defeater = p.defeater_positions_[d];
      if (deferred(defeater) && deferred_in_force(defeater) == Tri::unknown) return true;
    }
    return false;
  }

  // Whether a deferred permit (effect 0) or forbid (1) may be in force.
  bool deferred_may_be_in_force(std::uint8_t effect) {
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
  [[gnu::always_inline]] inline void settle(const Hot& h, std::size_t position, Tri applies) {
    const FastRule& code = h.code[position];
    const FastRule& next = h.code[position + 1];
    const auto effect = code.effect;
    std::uint32_t defeated_true = 0, defeated_unknown = 0;  // by the exceptions evaluated before it
    bool maybe_defeated = false;
    if (code.defeater_begin != next.defeater_begin) {
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
    if (in_force != Tri::false_) {
      const bool sure = in_force == Tri::true_;
      for (auto e = code.edge_begin; e < next.edge_begin; ++e) {
        auto& target = h.states[h.edges[e]];
        if (target.stamp != h.epoch) target = FastScratch::RuleState{h.epoch, Tri::false_, Tri::false_, false, 0, 0};
        ++(sure ? target.defeated_true : target.defeated_unknown);
      }
    }
    if (effect == 2) {
      h.states[code.rule] = FastScratch::RuleState{h.epoch, applies, in_force, true, defeated_true, defeated_unknown};
      return;
    }
    if (effect == 0 && applies == Tri::true_ && defeated_true) s.defeated_permits.push_back(code.rule);
    if (in_force == Tri::true_) (effect == 0 ? s.permits : s.forbids).push_back(code.rule);
    else if (in_force == Tri::unknown) (effect == 0 ? maybe_permit : maybe_forbid) = true;
  }

  Outcome run() {
    if (++s.epoch == 0) {  // wrapped: forget every stamp
      for (auto& d : s.definitions) d.stamp = 0;
      for (auto& r : s.rules) r.stamp = 0;
      s.epoch = 1;
    }
    s.permits.clear();
    s.forbids.clear();
    s.defeated_permits.clear();
    s.authorities.clear();
    if (!p.shared_leaves_.empty()) evaluate_shared_leaves();
    // Two passes. First the conditions of the candidates, in any order (a
    // condition reads only the facts): the rules without a primary guard, and
    // the buckets of the known primary-guard facts' values (a value outside
    // the domain, which no binder produces, is in no bucket: no rule's guard
    // admits it). Most do not apply; those that do, or may, are marked in two
    // bitsets over evaluation positions. Then their force, in evaluation
    // order, so every exception to a rule is settled before it.
    const auto n = p.words_;
    const Hot h = hot();
    if (n == 1) return run_small(h);
    std::uint64_t* may = s.candidates.data();  // applies or may apply; all zero between decisions
    std::uint64_t* sure = s.applying.data();   // applies
    auto condition = [&](const FastCandidate& c) __attribute__((always_inline)) {
      const Tri applies = conjunction(h, c.leaf_mask, c.test_begin);
      if (applies == Tri::false_) return;
      const auto pos = static_cast<std::size_t>(c.position);
      __builtin_prefetch(h.code + pos);  // its record, read when its force is settled
      may[pos >> 6] |= std::uint64_t{1} << (pos & 63);
      if (applies == Tri::true_) sure[pos >> 6] |= std::uint64_t{1} << (pos & 63);
    };
    for (const auto& c : p.unindexed_) condition(c);
    const FastCandidate* bucket = p.bucket_.data();
    for (std::size_t i = 0; i < p.index_slots_.size(); ++i) {
      const auto& slot = p.index_slots_[i];
      const auto v = f.cells[slot.slot];
      if (!f.known[slot.slot]) {
        unknown_index_slots |= std::uint32_t{1} << (i % 16);
        continue;
      }
      if (v >= slot.domain) continue;
      const auto row = slot.bucket_row + v;
      for (auto b = p.bucket_begin_[row], end = p.bucket_begin_[row + 1]; b < end; ++b) condition(bucket[b]);
    }
    for (std::size_t w = 0; w < n; ++w) {
      if (!may[w]) continue;
      const auto bits = may[w], applies = sure[w];
      may[w] = sure[w] = 0;
      for (auto left = bits; left; left &= left - 1) {
        const auto bit = std::countr_zero(left);
        settle(h, (w << 6) + static_cast<std::size_t>(bit), (applies >> bit) & 1u ? Tri::true_ : Tri::unknown);
      }
    }
    return combine();
  }

  // Up to 64 rules: the candidates are one word, the known guard facts' rows
  // ANDed (less the deferred rules, when deferring here); visited in
  // evaluation order, each condition then its force.
  Outcome run_small(const Hot& h) {
    std::uint64_t candidates = p.code_.size() > 1 ? ~std::uint64_t{0} >> (65 - p.code_.size()) : 0;  // code_ has a sentinel
    for (const auto& g : p.small_guards_) {
      const auto v = f.cells[g.slot];
      if (f.known[g.slot] && v < g.domain) candidates &= p.small_admits_[g.row + v];
    }
    for (std::size_t i = 0; p.defer_small_ && i < p.index_slots_.size(); ++i)
      if (!f.known[p.index_slots_[i].slot]) {
        unknown_index_slots |= std::uint32_t{1} << (i % 16);
        candidates &= ~p.small_primary_[i];
      }
    for (; candidates; candidates &= candidates - 1) {
      const auto pos = static_cast<std::size_t>(std::countr_zero(candidates));
      const Tri applies = conjunction(h, h.code[pos].leaf_mask, h.code[pos].test_begin);
      if (applies != Tri::false_) settle(h, pos, applies);
    }
    return combine();
  }

  // Rule indexes ascending. The lists come in evaluation order, which is
  // mostly source order (a depth-first order of the exception graph), so
  // insertion sort, linear in the list and its inversions; past a budget of
  // moves (a set declared far from evaluation order), std::sort.
  static void sort_rules(std::vector<std::int32_t>& v) {
    std::size_t budget = 8 * v.size() + 64;
    const auto first = static_cast<std::size_t>(std::is_sorted_until(v.begin(), v.end()) - v.begin());
    for (std::size_t i = first; i < v.size(); ++i) {
      const auto x = v[i];
      std::size_t j = i;
      for (; j > 0 && v[j - 1] > x; --j) v[j] = v[j - 1];
      v[j] = x;
      if ((budget -= std::min(budget, i - j)) == 0) return std::sort(v.begin(), v.end());
    }
  }

  Outcome combine() {
    auto& auth = s.authorities;  // empty; the scratch lists are swapped in rather than copied
    if (!s.permits.empty() && !s.forbids.empty()) {
      sort_rules(s.permits);
      sort_rules(s.forbids);
      auth.resize(s.permits.size() + s.forbids.size());  // reserved for every rule: no allocation
      std::merge(s.permits.begin(), s.permits.end(), s.forbids.begin(), s.forbids.end(), auth.begin());
      return Outcome::conflict;
    }
    if (!s.permits.empty()) {
      if (maybe_forbid || deferred_may_be_in_force(1)) return Outcome::undetermined;
      auth.swap(s.permits);
      sort_rules(auth);
      return Outcome::permitted;
    }
    if (!s.forbids.empty()) {
      if (maybe_permit || deferred_may_be_in_force(0)) return Outcome::undetermined;
      auth.swap(s.forbids);
      // A limit that defeated a permit which applied decides the denial too.
      for (auto permit : s.defeated_permits)
        for (auto d = p.defeater_begin_[permit]; d < p.defeater_begin_[permit + 1]; ++d) {
          const auto defeater = p.defeaters_[d];
          if (p.effect_[defeater] == 2 && s.rules[defeater].stamp == s.epoch && s.rules[defeater].in_force == Tri::true_)
            auth.push_back(defeater);
        }
      sort_rules(auth);
      auth.erase(std::unique(auth.begin(), auth.end()), auth.end());
      return Outcome::denied;
    }
    const bool maybe = maybe_forbid || maybe_permit || deferred_may_be_in_force(0) || deferred_may_be_in_force(1);
    return maybe ? Outcome::undetermined : Outcome::not_applicable;  // as eval.cpp
  }
};

Outcome CompiledPolicy::decide(const FastFacts& facts, FastScratch& scratch) const {
  FastEval eval{*this, facts, scratch};
  return eval.run();
}

}  // namespace proviso
