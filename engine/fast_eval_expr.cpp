// The fast decide's expressions (fast_eval.hpp): the semantics of
// engine/eval.cpp's conditions and values (Kleene logic, unknown on
// overflow) without the trace, short-circuit, definitions memoised per decision.
#include <bit>
#include <cmath>

#include "fast_eval.hpp"

namespace proviso {

namespace {

// An operand of a decimal operation, in millionths (value.hpp); empty past the range.
inline std::optional<std::int64_t> as_decimal(const FastEval::V& v, TypeKind kind) {
  const auto x = static_cast<std::int64_t>(v.bits);
  return kind == TypeKind::decimal ? std::optional<std::int64_t>(x) : decimal_from_integer(x);
}

}  // namespace

// Kleene's and (Dominant false) and or (Dominant true): one dominant operand
// decides, so the rest need not be evaluated; otherwise unknown if any is.
template <Tri Dominant>
Tri FastEval::kleene(const FastNode& n) {
  constexpr Tri neutral = Dominant == Tri::false_ ? Tri::true_ : Tri::false_;
  Tri result = neutral;
  for (std::int32_t k = 0; k < n.b; ++k) {
    const auto kid = p.kids_[n.a + k];
    Tri t;
    if (!leaf(p.nodes_[kid], t)) t = tri(kid);
    if (t == Dominant) return Dominant;
    if (t == Tri::unknown) result = Tri::unknown;
  }
  return result;
}

Tri FastEval::tri(std::int32_t i) {
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
    case Op::and_: return kleene<Tri::false_>(n);
    case Op::or_: return kleene<Tri::true_>(n);
    default: break;
  }
  V v = value(i);
  return v.known ? tri_of(v.bits != 0) : Tri::unknown;
}

// Inline: its callers are all in this file.
inline FastEval::V FastEval::definition(std::int32_t d) {
  const auto& memo = s.definitions[d];
  if (memo.stamp != s.epoch) compute_definition(d);
  return V{memo.bits, nullptr, 0, memo.known};
}

int FastEval::compare(const V& a, TypeKind ka, const V& b, TypeKind kb) const {
  if (ka == TypeKind::decimal || kb == TypeKind::decimal)
    return compare_numbers(static_cast<std::int64_t>(a.bits), ka == TypeKind::decimal, static_cast<std::int64_t>(b.bits),
                           kb == TypeKind::decimal);
  if (ka == TypeKind::string) return *a.text < *b.text ? -1 : (*a.text == *b.text ? 0 : 1);
  if (ka == TypeKind::set) return a.bits == b.bits ? 0 : 1;
  const auto x = static_cast<std::int64_t>(a.bits), y = static_cast<std::int64_t>(b.bits);
  return x < y ? -1 : (x > y ? 1 : 0);
}

FastEval::V FastEval::value(std::int32_t i) {
  using Op = FastNode::Op;
  const FastNode& n = p.nodes_[i];
  switch (n.op) {
    case Op::constant:
      if (!n.known) return V{};
      return V{n.k, n.kind == TypeKind::string ? &p.texts_[n.k] : nullptr, n.unit, true};
    case Op::fact:
      if (!f.known[n.a]) return V{};
      // Every string fact a fact node reads has its text kept (find_string_uses).
      return V{f.cells[n.a], n.kind == TypeKind::string ? &f.text(static_cast<std::size_t>(p.text_index(n.a))) : nullptr, 0, true};
    case Op::definition: return definition(n.a);
    case Op::negate: {
      V a = value(n.a);
      if (!a.known) return a;
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
FastEval::V FastEval::arithmetic(const FastNode& n, const V& a, TypeKind ka, const V& b, TypeKind kb) {
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
    const auto l = as_decimal(a, ka), r = as_decimal(b, kb);
    const auto result = !l || !r ? std::nullopt : add ? checked_add(*l, *r) : checked_sub(*l, *r);
    if (!result) return V{};
    out.bits = static_cast<std::uint64_t>(*result);
    return out;
  }
  auto result = add ? checked_add(x, y) : checked_sub(x, y);
  if (!result) return V{};
  out.bits = static_cast<std::uint64_t>(*result);
  return out;
}

// A conjunction from test t on, t not a fact against a constant; out of
// line, so the loop of FastEval::tests_from() (fast_eval.cpp) stays small enough for its registers.
[[gnu::noinline]] Tri FastEval::rest_of_conjunction(std::int32_t t, bool unknown) {
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

}  // namespace proviso
