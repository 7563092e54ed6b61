// Internal to the fast evaluation form (compiled.hpp): what the rule index
// (compiled_index.cpp) learns from a compiled condition — the items of its
// conjunctions, and its guards (compiled_guards.cpp).
#pragma once
#include "compiled_index.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace proviso {

class GuardFinder {
 public:
  // Guards (see compiled.hpp): slot -> the values that leave the node possibly
  // true. A slot absent from the map is unconstrained.
  using Guards = std::map<std::int32_t, std::uint64_t>;

  GuardFinder(const CompiledPolicy& compiled, const Policy& checked);

  // The items of a conjunction: through nested all ofs, and through a
  // definition that is an all of leaves only.
  void conjuncts(std::int32_t node, std::vector<std::int32_t>& items) const;
  // An all of's items in the order its tests run (leaves, definitions, the rest).
  std::vector<std::int32_t> ordered_conjuncts(std::int32_t node) const;

  // The number of values a fact can take (2 for a boolean, an enum's size), 0 otherwise.
  std::uint32_t domain_of(std::int32_t slot) const;
  // Remembers each definition's guards, so it is not const.
  Guards guards(std::int32_t node, int depth);
  // The most selective guard, if it admits at most half its domain; -1 for none.
  std::int32_t primary_of(const Guards& found) const;
  // Whether a leaf test is true exactly when `slot` is known and its value is in `admitted`.
  bool same_as_guard(const FastNode& n, std::int32_t slot, std::uint64_t admitted) const;

 private:
  static std::uint64_t full(std::uint32_t domain) { return domain >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << domain) - 1; }
  bool guardable(std::int32_t slot) const;

  const CompiledPolicy& compiled_;
  const Policy& policy_;
  std::vector<std::optional<Guards>> definition_guards_;
};

}  // namespace proviso
