// What the fast form's compiler learns from a compiled condition before it
// indexes rules (compiled_index.cpp): the items of its conjunctions, and its
// guards, the values of a fact outside which the condition cannot be true.
#include "compiled_guards.hpp"

#include <algorithm>
#include <bit>
#include <iterator>

namespace proviso {

GuardFinder::GuardFinder(const CompiledPolicy& compiled, const Policy& checked)
    : compiled_(compiled), policy_(checked), definition_guards_(checked.definitions.size()) {}

// The items of a conjunction: through nested all ofs, and through a
// definition that is an all of leaves only (its leaves are as cheap as its
// memo, and the rule index can take them as guards).
void GuardFinder::conjuncts(std::int32_t node, std::vector<std::int32_t>& items) const {
  const auto& n = compiled_.nodes_[node];
  if (n.op == FastNode::Op::and_) {
    for (std::int32_t i = 0; i < n.b; ++i) conjuncts(compiled_.kids_[n.a + i], items);
    return;
  }
  if (n.op == FastNode::Op::definition) {
    const auto& body = compiled_.nodes_[compiled_.definition_root_[n.a]];
    bool leaves = body.op == FastNode::Op::and_;
    for (std::int32_t i = 0; leaves && i < body.b; ++i) leaves = is_leaf(compiled_.nodes_[compiled_.kids_[body.a + i]].op);
    if (leaves) {
      for (std::int32_t i = 0; i < body.b; ++i) items.push_back(compiled_.kids_[body.a + i]);
      return;
    }
  }
  items.push_back(node);
}

// An all of's items in the order its tests run: leaves first (one load, one
// compare), then definitions (memoised), then the rest; source order within each.
std::vector<std::int32_t> GuardFinder::ordered_conjuncts(std::int32_t node) const {
  std::vector<std::int32_t> items;
  conjuncts(node, items);
  auto rank = [&](std::int32_t item) {
    const auto op = compiled_.nodes_[item].op;
    return is_leaf(op) ? 0 : op == FastNode::Op::definition ? 1 : 2;
  };
  std::stable_sort(items.begin(), items.end(), [&](std::int32_t x, std::int32_t y) { return rank(x) < rank(y); });
  return items;
}

std::uint32_t GuardFinder::domain_of(std::int32_t slot) const {
  const auto& type = policy_.facts[slot].type;
  if (type.kind == TypeKind::boolean) return 2;
  if (type.kind == TypeKind::enumeration) return static_cast<std::uint32_t>(policy_.enums[type.enum_id].values.size());
  return 0;
}
bool GuardFinder::guardable(std::int32_t slot) const {
  const auto d = domain_of(slot);
  return d > 0 && d <= 64;
}

GuardFinder::Guards GuardFinder::guards(std::int32_t node, int depth) {
  const auto& n = compiled_.nodes_[node];
  using Op = FastNode::Op;
  Guards g;
  switch (n.op) {
    case Op::and_:
      for (std::int32_t i = 0; i < n.b; ++i)
        for (auto [slot, admitted] : guards(compiled_.kids_[n.a + i], depth)) {
          auto [it, fresh] = g.try_emplace(slot, admitted);
          if (!fresh) it->second &= admitted;
        }
      break;
    case Op::or_:
      // A constraint holds for an any of only on a slot every branch constrains.
      for (std::int32_t i = 0; i < n.b; ++i) {
        Guards branch = guards(compiled_.kids_[n.a + i], depth);
        if (i == 0) {
          g = std::move(branch);
          continue;
        }
        for (auto it = g.begin(); it != g.end();) {
          auto other = branch.find(it->first);
          if (other == branch.end()) {
            it = g.erase(it);
          } else {
            it->second |= other->second;
            ++it;
          }
        }
      }
      break;
    case Op::definition: {
      if (depth >= 32) break;
      auto& memo = definition_guards_[n.a];
      if (!memo) memo = guards(compiled_.definition_root_[n.a], depth + 1);
      g = *memo;
      break;
    }
    case Op::fact:
      if (n.kind == TypeKind::boolean) g[n.a] = 0b10;
      break;
    case Op::fact_eq_k:
      if (guardable(n.a)) g[n.a] = n.k < 64 ? (std::uint64_t{1} << n.k) & full(domain_of(n.a)) : 0;
      break;
    case Op::fact_in_k:
      if (policy_.facts[n.a].type.kind == TypeKind::enumeration && guardable(n.a)) g[n.a] = n.k & full(domain_of(n.a));
      break;
    case Op::not_: {
      const auto& c = compiled_.nodes_[n.a];
      if (c.op == Op::fact && c.kind == TypeKind::boolean) g[c.a] = 0b01;
      else if (c.op == Op::fact_eq_k && guardable(c.a)) g[c.a] = full(domain_of(c.a)) & ~(c.k < 64 ? std::uint64_t{1} << c.k : 0);
      else if (c.op == Op::fact_in_k && policy_.facts[c.a].type.kind == TypeKind::enumeration && guardable(c.a))
        g[c.a] = full(domain_of(c.a)) & ~c.k;
      break;
    }
    default: break;
  }
  for (auto it = g.begin(); it != g.end();) it = it->second == full(domain_of(it->first)) ? g.erase(it) : std::next(it);
  return g;
}

// The primary guard of a rule: its most selective guard (fewest admitted
// values for the domain), if that admits at most half the domain (a weaker
// one would list the rule in most buckets); -1 for none.
std::int32_t GuardFinder::primary_of(const Guards& found) const {
  std::int32_t best = -1;
  std::uint64_t best_count = 0, best_domain = 1;
  for (auto [slot, admitted] : found) {
    const std::uint64_t count = static_cast<std::uint64_t>(std::popcount(admitted)), domain = domain_of(slot);
    if (2 * count > domain) continue;
    if (best < 0 || count * best_domain < best_count * domain) {
      best = slot;
      best_count = count;
      best_domain = domain;
    }
  }
  return best;
}

// Whether a leaf test is true exactly when `slot` is known and its value is in `admitted`.
bool GuardFinder::same_as_guard(const FastNode& n, std::int32_t slot, std::uint64_t admitted) const {
  if (n.a != slot) return false;
  const auto all = full(domain_of(slot));
  switch (n.op) {
    case FastNode::Op::fact: return n.kind == TypeKind::boolean && admitted == 0b10;
    case FastNode::Op::fact_eq_k: return n.k < 64 && ((std::uint64_t{1} << n.k) & all) == admitted;
    case FastNode::Op::fact_in_k: return policy_.facts[slot].type.kind == TypeKind::enumeration && (n.k & all) == admitted;
    default: return false;
  }
}

}  // namespace proviso
