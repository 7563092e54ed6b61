// The streaming binder (bind_fast.hpp) over simdjson's On-Demand API, and the
// JSON line → decision line path built on it.
#include "bind_fast.hpp"

#include <bit>
#include <cstring>

#if defined(PROVISO_HAVE_SIMDJSON)
#include <simdjson.h>
#endif

namespace proviso {

struct FastBinder::Impl {
  const CompiledPolicy& compiled;
  const Policy& policy;
  RequestLimits limits;

  // Fact paths as a trie of segments; slot -1 marks a group.
  struct Node {
    std::int32_t slot = -1;
    std::vector<std::pair<std::string, std::int32_t>> kids;
  };
  std::vector<Node> trie;
  std::vector<std::uint32_t> seen;  // per trie node: the object it was last given in, to decline duplicate keys
  std::uint32_t object_id = 0;
  std::vector<std::uint32_t> interpretation_seen;
  std::size_t value_count = 0;  // in the request being bound: past limits.max_values the full binder says E413

  bool count_value() { return ++value_count <= limits.max_values; }

  Impl(const CompiledPolicy& c, const RequestLimits& l) : compiled(c), policy(c.policy()), limits(l) {
    trie.emplace_back();
    for (std::size_t slot = 0; slot < policy.facts.size(); ++slot) {
      std::string_view path = policy.facts[slot].path;
      std::int32_t node = 0;
      while (true) {
        auto dot = path.find('.');
        auto segment = path.substr(0, dot);
        auto next = child(node, segment);
        if (next < 0) {
          next = static_cast<std::int32_t>(trie.size());
          trie[node].kids.emplace_back(std::string(segment), next);
          trie.emplace_back();
        }
        node = next;
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
      }
      trie[node].slot = static_cast<std::int32_t>(slot);
    }
    seen.assign(trie.size(), 0);
    interpretation_seen.assign(policy.interpretations.size(), 0);
  }

  std::int32_t child(std::int32_t node, std::string_view key) const {
    for (const auto& [name, next] : trie[node].kids)
      if (name.size() == key.size() && std::memcmp(name.data(), key.data(), key.size()) == 0) return next;
    return -1;
  }

  std::int32_t enum_index(std::int32_t enum_id, std::string_view text) const {
    const auto& values = policy.enums[enum_id].values;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i].size() == text.size() && std::memcmp(values[i].data(), text.data(), text.size()) == 0)
        return static_cast<std::int32_t>(i);
    return -1;
  }

#if defined(PROVISO_HAVE_SIMDJSON)
  simdjson::ondemand::parser parser;
  std::string buffer;  // the request copied with simdjson's padding; reused

  bool value(simdjson::ondemand::value v, std::int32_t slot, FastFacts& out) {
    using simdjson::ondemand::json_type;
    json_type t;
    if (v.type().get(t)) return false;
    if (t == json_type::null) {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return false;
      out.known[slot] = 0;
      return true;
    }
    const auto type = policy.facts[slot].type;
    std::uint64_t cell = 0;
    switch (type.kind) {
      case TypeKind::boolean: {
        bool b = false;
        if (t != json_type::boolean || v.get_bool().get(b)) return false;
        cell = b;
        break;
      }
      case TypeKind::integer: {
        simdjson::ondemand::number_type nt;
        std::int64_t i = 0;
        // Integers past int64 are left to the full binder, which decides what they mean.
        if (t != json_type::number || v.get_number_type().get(nt) || nt != simdjson::ondemand::number_type::signed_integer ||
            v.get_int64().get(i))
          return false;
        cell = static_cast<std::uint64_t>(i);
        break;
      }
      case TypeKind::decimal: {
        double d = 0;
        if (t != json_type::number || v.get_double().get(d)) return false;
        cell = std::bit_cast<std::uint64_t>(d);
        break;
      }
      case TypeKind::date: {
        std::string_view s;
        if (t != json_type::string || v.get_string().get(s)) return false;
        auto days = parse_date(s);
        if (!days) return false;
        cell = static_cast<std::uint64_t>(*days);
        break;
      }
      case TypeKind::string: {
        std::string_view s;
        if (t != json_type::string || v.get_string().get(s) || s.size() > limits.max_string_bytes) return false;
        out.strings[slot].assign(s);
        cell = compiled.text_id(s);
        break;
      }
      case TypeKind::enumeration: {
        std::string_view s;
        if (t != json_type::string || v.get_string().get(s)) return false;
        auto i = enum_index(type.enum_id, s);
        if (i < 0) return false;
        cell = static_cast<std::uint64_t>(i);
        break;
      }
      case TypeKind::set: {
        simdjson::ondemand::array items;
        if (t != json_type::array || v.get_array().get(items)) return false;
        for (auto item : items) {
          if (!count_value()) return false;
          std::string_view s;
          if (item.get_string().get(s)) return false;
          auto i = enum_index(type.enum_id, s);
          if (i < 0) return false;
          cell |= std::uint64_t{1} << i;
        }
        break;
      }
      case TypeKind::duration: return false;  // never bound from a request; the full binder says so
    }
    out.cells[slot] = cell;
    out.known[slot] = 1;
    return true;
  }

  bool interpretations(simdjson::ondemand::value v, FastFacts& out) {
    simdjson::ondemand::object object;
    if (v.get_object().get(object)) return false;
    const auto id = object_id;
    for (auto field : object) {
      if (!count_value()) return false;
      std::string_view name;
      if (field.unescaped_key().get(name)) return false;
      auto it = policy.interpretation_index.find(name);
      if (it == policy.interpretation_index.end() || interpretation_seen[it->second] == id) return false;
      interpretation_seen[it->second] = id;
      simdjson::ondemand::value setting;
      if (field.value().get(setting)) return false;
      simdjson::ondemand::json_type t;
      if (setting.type().get(t)) return false;
      if (t == simdjson::ondemand::json_type::null) {
        bool is_null = false;
        if (setting.is_null().get(is_null) || !is_null) return false;
        continue;
      }
      bool b = false;
      if (t != simdjson::ondemand::json_type::boolean || setting.get_bool().get(b)) return false;
      out.interpretations[it->second] = b ? 1 : 0;
    }
    return true;
  }

  bool object(simdjson::ondemand::object object, std::int32_t node, FastFacts& out) {
    const auto id = ++object_id;
    bool interpretations_seen = false;
    for (auto field : object) {
      if (!count_value()) return false;
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      simdjson::ondemand::value v;
      if (field.value().get(v)) return false;
      if (node == 0 && key == "interpretations") {
        if (interpretations_seen || !interpretations(v, out)) return false;
        interpretations_seen = true;
        continue;
      }
      // (A dotted key, a path across groups, matches no segment, so it is declined here too: the DOM binder orders those by key.)
      const auto next = child(node, key);
      if (next < 0 || seen[next] == id) return false;
      seen[next] = id;
      if (trie[next].slot >= 0) {
        if (!value(v, trie[next].slot, out)) return false;
        continue;
      }
      simdjson::ondemand::object inner;
      if (v.get_object().get(inner) || !this->object(inner, next, out)) return false;
    }
    return true;
  }

  bool bind(std::string_view text, FastFacts& out) {
    if (text.size() > limits.max_bytes) return false;
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || text[first] != '{') return false;
    buffer.assign(text);
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    out.reset();
    ++object_id;
    value_count = 0;  // counted as parse_request_document counts: the root, each field, each list item
    if (!count_value()) return false;
    simdjson::ondemand::document doc;
    if (parser.iterate(buffer.data(), text.size(), buffer.size()).get(doc)) return false;
    simdjson::ondemand::object root;
    if (doc.get_object().get(root) || !object(root, 0, out)) return false;
    // Anything after the object is a syntax error for the full parser: leave it to say so.
    const char* at = nullptr;
    if (doc.current_location().get(at) != simdjson::OUT_OF_BOUNDS) return false;
    return true;
  }
#else
  bool bind(std::string_view text, FastFacts& out) {
    auto bound = parse_request(policy, text, "request", RequestFormat::json, limits);
    if (!bound.facts) return false;
    out.reset();
    compiled.load_facts(*bound.facts, out);
    return true;
  }
#endif
};

FastBinder::FastBinder(const CompiledPolicy& policy, const RequestLimits& limits)
    : impl_(std::make_unique<Impl>(policy, limits)) {}
FastBinder::~FastBinder() = default;
FastBinder::FastBinder(FastBinder&&) noexcept = default;
FastBinder& FastBinder::operator=(FastBinder&&) noexcept = default;

bool FastBinder::bind(std::string_view text, FastFacts& out) { return impl_->bind(text, out); }

bool FastBinder::streaming() {
#if defined(PROVISO_HAVE_SIMDJSON)
  return true;
#else
  return false;
#endif
}

FastDecider::FastDecider(std::shared_ptr<const CompiledPolicy> policy, const RequestLimits& limits)
    : policy_(std::move(policy)), limits_(limits), binder_(*policy_, limits),
      facts_(policy_->make_facts()), scratch_(policy_->make_scratch()) {}

Outcome FastDecider::decide_line(std::string_view line, std::string& out) {
  error_ = false;
  if (!binder_.bind(line, facts_)) {
    auto bound = parse_request(policy_->policy(), line, "request", RequestFormat::automatic, limits_);
    if (!bound.facts) {
      error_ = true;
      const Diagnostic* first = nullptr;
      for (const auto& d : bound.diagnostics)
        if (d.severity == Severity::error) { first = &d; break; }
      // No facts and no error: a bug in Proviso, not in the request (docs/diagnostics.md, E901).
      nlohmann::json error{{"code", first ? first->code : "E901"},
                           {"message", first ? first->message : "internal error: the request was refused without a diagnostic"}};
      if (first && !first->location.empty()) error["location"] = first->location;
      out += nlohmann::json{{"error", error}}.dump();
      return Outcome::not_applicable;
    }
    facts_.reset();
    policy_->load_facts(*bound.facts, facts_);
  }
  const auto outcome = policy_->decide(facts_, scratch_);
  policy_->append_decision_json(outcome, scratch_.authorities, out);
  return outcome;
}

}  // namespace proviso
