#include "policy.hpp"

#include <algorithm>

namespace proviso {

std::int32_t EnumType::index_of(std::string_view value) const {
  auto it = std::find(values.begin(), values.end(), value);
  return it == values.end() ? -1 : static_cast<std::int32_t>(it - values.begin());
}

const Rule* Policy::find_rule(std::string_view id) const {
  auto it = rule_index.find(id);
  return it == rule_index.end() ? nullptr : &rules[it->second];
}

const FactInfo* Policy::find_fact(std::string_view path) const {
  auto it = fact_index.find(path);
  return it == fact_index.end() ? nullptr : &facts[it->second];
}

std::string Policy::type_name(Type type) const {
  switch (type.kind) {
    case TypeKind::boolean: return "bool";
    case TypeKind::integer: return "integer";
    case TypeKind::decimal: return "decimal";
    case TypeKind::date: return "date";
    case TypeKind::string: return "string";
    case TypeKind::duration: return "duration";
    case TypeKind::enumeration: return type.enum_id >= 0 ? enums[type.enum_id].name : "enum";
    case TypeKind::set: return "set of " + (type.enum_id >= 0 ? enums[type.enum_id].name : std::string("enum"));
  }
  return "?";
}

}  // namespace proviso
