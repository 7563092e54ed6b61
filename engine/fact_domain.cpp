#include "fact_domain.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "counterfactual.hpp"
#include "value.hpp"

namespace proviso {
namespace {

using Op = CExpr::Op;

bool is_comparison(Op op) { return op == Op::eq || op == Op::ne || op == Op::lt || op == Op::le || op == Op::gt || op == Op::ge; }

void walk(const CExpr& e, const std::function<void(const CExpr&)>& f) {
  f(e);
  for (const auto& a : e.args) walk(a, f);
}

bool reads(const CExpr& e, std::int32_t fact) {
  if (e.op == Op::fact && e.slot == fact) return true;
  return std::any_of(e.args.begin(), e.args.end(), [&](const CExpr& a) { return reads(a, fact); });
}

struct Constants {
  std::vector<Value> values;
  bool complete = true;  // every comparison reading the fact is `fact OP constant`
};

Constants constants_of(const Policy& policy, std::int32_t fact) {
  Constants out;
  walk_policy(policy, [&](const CExpr& e) {
    if (!is_comparison(e.op) || e.args.size() != 2) {
      // Read by arithmetic or a set operator: the values around the constants may not tell everything apart.
      const bool direct = std::any_of(e.args.begin(), e.args.end(), [&](const CExpr& a) { return a.op == Op::fact && a.slot == fact; });
      if (direct && e.op != Op::is_known) out.complete = false;
      return;
    }
    const auto& a = e.args[0];
    const auto& b = e.args[1];
    const bool left = a.op == Op::fact && a.slot == fact, right = b.op == Op::fact && b.slot == fact;
    if (!left && !right) {
      if (reads(a, fact) || reads(b, fact)) out.complete = false;  // inside arithmetic
      return;
    }
    const auto& other = left ? b : a;
    if (other.op == Op::constant && other.constant.known) out.values.push_back(other.constant);
    else out.complete = false;  // compared with another fact or an expression
  });
  return out;
}

Value scalar(TypeKind kind) {
  Value v;
  v.kind = kind;
  v.known = true;
  return v;
}

}  // namespace

void walk_policy(const Policy& policy, const std::function<void(const CExpr&)>& f) {
  for (const auto& r : policy.rules)
    if (r.when) walk(*r.when, f);
  for (const auto& d : policy.definitions) walk(d.expr, f);
}

bool same_value(const Value& a, const Value& b) {
  if (a.known != b.known) return false;
  if (!a.known) return true;
  switch (a.kind) {
    case TypeKind::decimal: return a.decimal == b.decimal;
    case TypeKind::string: return a.text == b.text;
    case TypeKind::set: return a.bits == b.bits;
    case TypeKind::duration: return a.integer == b.integer && a.unit == b.unit;
    default: return a.integer == b.integer;
  }
}

std::vector<Value> scalar_candidates(const Policy& policy, std::int32_t fact) {
  const auto kind = policy.facts[fact].type.kind;
  std::vector<Value> out;
  const auto constants = constants_of(policy, fact).values;
  switch (kind) {
    case TypeKind::integer:
    case TypeKind::date: {
      std::set<std::int64_t> points;
      for (const auto& c : constants) {
        // A decimal constant (`count < 2.5`): around its floor, which reaches both sides of it.
        const std::int64_t k = c.kind == TypeKind::decimal ? decimal_floor(c.decimal) : c.integer;
        for (std::int64_t d : {-1, 0, 1})
          if (auto p = checked_add(k, d)) points.insert(*p);  // INT64_MAX has no successor
      }
      for (auto p : points) {
        auto v = scalar(kind);
        v.integer = p;
        out.push_back(v);
      }
      return out;
    }
    case TypeKind::decimal: {
      // In millionths (value.hpp): each constant, 1 either side of them all, and
      // a point strictly between two neighbours where there is one.
      std::set<std::int64_t> ks;
      for (const auto& c : constants)
        if (auto k = c.kind == TypeKind::decimal ? std::optional<std::int64_t>(c.decimal) : decimal_from_integer(c.integer))
          ks.insert(*k);
      if (ks.empty()) return out;
      std::set<std::int64_t> points;
      if (auto below = checked_sub(*ks.begin(), kDecimalScale)) points.insert(*below);
      if (auto above = checked_add(*ks.rbegin(), kDecimalScale)) points.insert(*above);
      std::int64_t previous = *ks.begin();
      for (auto k : ks) {
        points.insert(k);
        // Unsigned: the distance between two int64s always fits, and the sum wraps back into range.
        const auto distance = static_cast<std::uint64_t>(k) - static_cast<std::uint64_t>(previous);
        if (distance > 1) points.insert(static_cast<std::int64_t>(static_cast<std::uint64_t>(previous) + distance / 2));
        previous = k;
      }
      for (auto p : points) {
        auto v = scalar(kind);
        v.decimal = p;
        out.push_back(v);
      }
      return out;
    }
    case TypeKind::string: {
      std::set<std::string> texts;
      for (const auto& c : constants) texts.insert(c.text);
      for (const auto& t : texts) {
        auto v = scalar(kind);
        v.text = t;
        out.push_back(v);
      }
      return out;
    }
    default: return out;
  }
}

bool scalar_candidates_complete(const Policy& policy, std::int32_t fact) {
  auto c = constants_of(policy, fact);
  return c.complete && !c.values.empty();
}

FactDomain fact_domain(const Policy& policy, std::int32_t fact, const DomainOptions& options) {
  const auto& info = policy.facts[fact];
  FactDomain out;
  switch (info.type.kind) {
    case TypeKind::boolean:
    case TypeKind::enumeration:
      out.values = candidate_values(policy, fact, Value::unknown(info.type.kind));
      return out;
    case TypeKind::set: {
      const auto n = policy.enums[info.type.enum_id].values.size();
      if (n <= options.exhaustive_set_elements) {
        for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << n); ++bits) {
          auto v = scalar(TypeKind::set);
          v.bits = bits;
          out.values.push_back(v);
        }
        return out;
      }
      out.complete = false;
      out.values.push_back(scalar(TypeKind::set));  // the empty set
      for (auto& v : candidate_values(policy, fact, Value::unknown(TypeKind::set), options.max_set_values)) out.values.push_back(std::move(v));
      return out;
    }
    case TypeKind::integer:
    case TypeKind::decimal:
    case TypeKind::date:
    case TypeKind::string: {
      out.values = scalar_candidates(policy, fact);
      out.complete = scalar_candidates_complete(policy, fact);
      if (info.type.kind == TypeKind::string) {
        // One value equal to none of the constants stands for all the others.
        std::string other = "other";
        while (std::any_of(out.values.begin(), out.values.end(), [&](const Value& v) { return v.text == other; })) other += "'";
        auto v = scalar(TypeKind::string);
        v.text = other;
        out.values.push_back(v);
      }
      if (out.values.empty()) {  // compared with no constant: one value at least, so the search can give it
        auto v = scalar(info.type.kind);
        out.values.push_back(v);
        out.complete = false;
      }
      return out;
    }
    default:
      out.complete = false;
      return out;
  }
}

}  // namespace proviso
