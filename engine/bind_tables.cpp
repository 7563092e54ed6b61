// Building the request binders' tables (bind_tables.hpp) from a compiled policy.
#include "bind_tables.hpp"

#include <algorithm>

namespace proviso::binding {

Name::Name(std::string_view name) : text(name) {
  char first[8] = {};
  std::memcpy(first, text.data(), std::min<std::size_t>(text.size(), 8));
  std::memcpy(&head, first, 8);
  mask = low_bytes(text.size());
  if (text.size() > 8) std::memcpy(&tail, text.data() + text.size() - 8, 8);
}

NameTable::NameTable(const std::vector<std::string>& values) {
  for (const auto& v : values) names.emplace_back(v);
  std::size_t size = 2;
  for (; size < 2 * names.size(); size *= 2) --shift;
  --shift;
  slots.assign(size, -1);
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto at = hash(names[i].head, names[i].text.size()) >> shift;
    while (slots[at] >= 0) at = (at + 1) & (size - 1);
    slots[at] = static_cast<std::int32_t>(i);
  }
}

Tables::Tables(const CompiledPolicy& c, const RequestLimits& l)
    : compiled(c), policy(c.policy()), limits(l), constants(c.string_constants()) {
  for (const auto& e : policy.enums) enum_values.emplace_back(e.values);
  trie.emplace_back();
  for (std::size_t slot = 0; slot < policy.facts.size(); ++slot) {
    std::string_view path = policy.facts[slot].path;
    std::int32_t node = 0;
    while (true) {
      auto dot = path.find('.');
      auto segment = path.substr(0, dot);
      std::int32_t next = -1;
      for (const auto& kid : trie[static_cast<std::size_t>(node)].kids)
        if (kid.name.text == segment) next = kid.node;
      if (next < 0) {
        next = static_cast<std::int32_t>(trie.size());
        trie[static_cast<std::size_t>(node)].kids.push_back({Name(segment), next, 0});
        trie.emplace_back();
        trie.back().key_size = static_cast<std::uint32_t>(segment.size());
      }
      node = next;
      if (dot == std::string_view::npos) break;
      path.remove_prefix(dot + 1);
    }
    auto& fact = trie[static_cast<std::size_t>(node)];
    const auto type = policy.facts[slot].type;
    fact.slot = static_cast<std::int32_t>(slot);
    fact.kind = type.kind;
    fact.string_use = compiled.string_use(static_cast<std::int32_t>(slot));
    fact.text_index = compiled.text_index(static_cast<std::int32_t>(slot));
    if (type.kind == TypeKind::enumeration || type.kind == TypeKind::set) fact.values = &enum_values[static_cast<std::size_t>(type.enum_id)];
  }
  seen.assign(trie.size(), 0);
  interpretation_seen.assign(policy.interpretations.size(), 0);
}

std::int32_t Tables::child_named(std::int32_t node, std::string_view key) const {
  for (const auto& kid : trie[static_cast<std::size_t>(node)].kids)
    if (kid.name.text == key) return kid.node;
  return -1;
}

}  // namespace proviso::binding
