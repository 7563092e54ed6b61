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

inline Tri tri_and(Tri a, Tri b) {
  if (a == Tri::false_ || b == Tri::false_) return Tri::false_;
  return a == Tri::true_ && b == Tri::true_ ? Tri::true_ : Tri::unknown;
}

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
    if (state.stamp != s.epoch) state = FastScratch::RuleState{s.epoch, Tri::false_, Tri::false_, 0, 0};
    return state;
  }

  bool maybe_permit = false, maybe_forbid = false;

  // A rule's flat conjunction, in Kleene logic: a false test decides it.
  Tri conjunction(const FastRule& code) {
    Tri result = Tri::true_;
    for (auto t = code.test_begin; t < code.test_end; ++t) {
      const FastTest& test = p.tests_[t];
      Tri v;
      if (test.op == FastNode::Op::subtree) {
        v = tri(test.a);
      } else {
        const FastNode n{test.op, TypeKind::boolean, true, 0, test.a, -1, test.k};
        if (!leaf(n, v)) {
          const V d = definition(test.a);  // a definition not yet computed in this decision
          v = d.known ? tri_of(d.bits != 0) : Tri::unknown;
        }
      }
      if (v == Tri::false_) return Tri::false_;
      if (v == Tri::unknown) result = Tri::unknown;
    }
    return result;
  }

  // One rule, after every exception to it (evaluation order); pushes its force
  // forward to the rules it defeats instead of pulling from its defeaters.
  void rule(std::size_t position) {
    const FastRule& code = p.code_[position];
    const auto r = code.rule;
    auto& state = touch(r);
    const auto effect = code.effect;
    const bool defeated = state.defeated_true != 0;
    Tri applies = Tri::true_;
    // A defeated forbid or limit is out of force whatever its condition; a
    // defeated permit's condition still matters to the limits that decide a denial.
    if (!(defeated && effect != 0)) applies = conjunction(code);
    const Tri not_defeated = defeated ? Tri::false_ : (state.defeated_unknown ? Tri::unknown : Tri::true_);
    const Tri in_force = tri_and(applies, not_defeated);
    state.applies = applies;
    state.in_force = in_force;
    if (in_force != Tri::false_) {
      for (auto e = code.edge_begin; e < code.edge_end; ++e) {
        auto& target = touch(p.edges_[e]);
        ++(in_force == Tri::true_ ? target.defeated_true : target.defeated_unknown);
      }
    }
    if (effect == 0 && applies == Tri::true_ && defeated) s.defeated_permits.push_back(r);
    if (effect == 2) return;
    if (in_force == Tri::true_) (effect == 0 ? s.permits : s.forbids).push_back(r);
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
    // The rules the known guard facts leave possible, in evaluation order.
    const auto n = p.words_;
    if (n == 1) {  // up to 64 rules: one word, no loops over words
      std::uint64_t candidates = p.all_rules_[0];
      for (const auto& g : p.guard_slots_) {
        const auto v = f.cells[g.slot];
        candidates &= p.admits_[g.row + (f.known[g.slot] && v < g.domain ? v : g.domain)];  // the last row: unknown
      }
      for (; candidates; candidates &= candidates - 1) rule(static_cast<std::size_t>(std::countr_zero(candidates)));
      return combine();
    }
    auto* words = s.candidates.data();
    std::copy(p.all_rules_.begin(), p.all_rules_.end(), words);
    for (const auto& g : p.guard_slots_) {
      if (!f.known[g.slot]) continue;
      const auto v = f.cells[g.slot];
      if (v >= g.domain) continue;
      const auto* row = p.admits_.data() + g.row + v * n;
      for (std::size_t w = 0; w < n; ++w) words[w] &= row[w];
    }
    for (std::size_t w = 0; w < n; ++w)
      for (auto bits = words[w]; bits; bits &= bits - 1)
        rule((w << 6) + static_cast<std::size_t>(std::countr_zero(bits)));
    return combine();
  }

  // Rule indexes ascending; the lists are usually short (the rules in force): insertion sort then.
  static void sort_small(std::vector<std::int32_t>& v) {
    if (v.size() > 16) return std::sort(v.begin(), v.end());
    for (std::size_t i = 1; i < v.size(); ++i)
      for (std::size_t j = i; j > 0 && v[j - 1] > v[j]; --j) std::swap(v[j - 1], v[j]);
  }

  Outcome combine() {
    auto& auth = s.authorities;  // empty; the scratch lists are swapped in rather than copied
    if (!s.permits.empty() && !s.forbids.empty()) {
      auth.swap(s.permits);
      auth.insert(auth.end(), s.forbids.begin(), s.forbids.end());
      std::sort(auth.begin(), auth.end());
      return Outcome::conflict;
    }
    if (!s.permits.empty()) {
      if (maybe_forbid) return Outcome::undetermined;
      auth.swap(s.permits);
      sort_small(auth);
      return Outcome::permitted;
    }
    if (!s.forbids.empty()) {
      if (maybe_permit) return Outcome::undetermined;
      auth.swap(s.forbids);
      // A limit that defeated a permit which applied decides the denial too.
      for (auto permit : s.defeated_permits)
        for (auto d = p.defeater_begin_[permit]; d < p.defeater_begin_[permit + 1]; ++d) {
          const auto defeater = p.defeaters_[d];
          if (p.effect_[defeater] == 2 && s.rules[defeater].stamp == s.epoch && s.rules[defeater].in_force == Tri::true_)
            auth.push_back(defeater);
        }
      sort_small(auth);
      auth.erase(std::unique(auth.begin(), auth.end()), auth.end());
      return Outcome::denied;
    }
    return maybe_forbid || maybe_permit ? Outcome::undetermined : Outcome::not_applicable;  // as eval.cpp
  }
};

Outcome CompiledPolicy::decide(const FastFacts& facts, FastScratch& scratch) const {
  FastEval eval{*this, facts, scratch};
  return eval.run();
}

}  // namespace proviso
