// The streaming binder (bind_fast.hpp) over simdjson's On-Demand API, and the
// JSON line → decision line path built on it.
#include "bind_fast.hpp"

#include <algorithm>
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

  // A name (a path segment or an enum value) as it is matched against the
  // raw JSON text of a key or string, which stays in the padded buffer: its
  // bytes, then the closing quote. Text with an escape never matches (names
  // have none), so it is declined and the full binder decides it; and no
  // string is copied out of the buffer to be compared.
  struct Name {
    std::string text;
    std::uint64_t head = 0;  // its first 8 bytes, zero-padded
    std::uint64_t mask = 0;  // the bytes of an 8-byte load that are the name's
    std::vector<std::uint64_t> words;  // all its bytes, 8 to a word, zero-padded (words[0] == head)
    std::vector<std::uint64_t> masks;  // per word, the bytes that are the name's

    explicit Name(std::string_view name) : text(name), words((name.size() + 7) / 8 + 1, 0) {
      std::memcpy(words.data(), text.data(), text.size());
      for (std::size_t i = 0; i < words.size(); ++i) masks.push_back(low_bytes(i * 8 < text.size() ? text.size() - i * 8 : 0));
      head = words[0];
      mask = masks[0];
    }
    static std::uint64_t low_bytes(std::size_t n) { return n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1; }
    // Whether bytes 8 and on of the name are those at `at` (in the padded buffer), a word at a time.
    bool rest_equals(const char* at) const {
      for (std::size_t i = 1, end = (text.size() + 7) / 8; i < end; ++i) {
        std::uint64_t word;
        std::memcpy(&word, at + 8 * i, 8);
        if ((word & masks[i]) != words[i]) return false;
      }
      return true;
    }
    // `at`: just after an opening quote, before `end`, the end of the text
    // (the buffer's padding after it makes the 8-byte load safe).
    bool matches(const char* at, const char* end) const {
      const auto n = text.size();
      if (static_cast<std::size_t>(end - at) <= n) return false;  // the closing quote is in the text
      std::uint64_t word;
      std::memcpy(&word, at, 8);
      return (word & mask) == head && at[n] == '"' && rest_equals(at);
    }
  };

  // An enum's values by a hash of their first 8 bytes and their length
  // (open addressing, at most half full), so a value is found in one or two
  // probes rather than compared with each value in turn.
  struct ValueTable {
    std::vector<Name> names;
    std::vector<std::int32_t> slots;  // a power of two of them; -1 empty
    unsigned shift = 64;

    static std::uint64_t hash(std::uint64_t head, std::size_t size) { return (head ^ size) * 0x9E3779B97F4A7C15ull; }
    explicit ValueTable(const std::vector<std::string>& values) {
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
    // `text` lies in the padded buffer (an 8-byte load from it is safe).
    [[gnu::always_inline]] std::int32_t find(std::string_view text) const {
      const auto n = text.size();
      std::uint64_t head;
      std::memcpy(&head, text.data(), 8);
      head &= Name::low_bytes(n);
      for (auto at = hash(head, n) >> shift;; at = (at + 1) & (slots.size() - 1)) {
        const auto i = slots[at];
        if (i < 0) return -1;
        const auto& name = names[static_cast<std::size_t>(i)];
        if (name.head == head && name.text.size() == n && name.rest_equals(text.data()))
          return i;
      }
    }
  };

  // Fact paths as a trie of segments; slot -1 marks a group.
  struct Node {
    std::int32_t slot = -1;
    struct Kid {
      Name name;
      std::int32_t node = -1;
      std::size_t follower = 0;  // the kid found after it last time
    };
    std::vector<Kid> kids;
    std::size_t last = 0;  // the kid found last in this group
  };
  std::vector<Node> trie;
  std::vector<std::uint32_t> seen;  // per trie node: the object it was last given in, to decline duplicate keys
  std::uint32_t object_id = 0;
  std::vector<std::uint32_t> interpretation_seen;
  std::size_t value_count = 0;  // in the request being bound: past limits.max_values the full binder says E413
  std::vector<ValueTable> enum_values;  // by enum
  Name interpretations_key{"interpretations"};
  const char* text_end = nullptr;  // of the request being bound, in the buffer

  bool count_value() { return ++value_count <= limits.max_values; }

  Impl(const CompiledPolicy& c, const RequestLimits& l) : compiled(c), policy(c.policy()), limits(l) {
    trie.emplace_back();
    for (std::size_t slot = 0; slot < policy.facts.size(); ++slot) {
      std::string_view path = policy.facts[slot].path;
      std::int32_t node = 0;
      while (true) {
        auto dot = path.find('.');
        auto segment = path.substr(0, dot);
        std::int32_t next = -1;
        for (const auto& kid : trie[node].kids)
          if (kid.name.text == segment) next = kid.node;
        if (next < 0) {
          next = static_cast<std::int32_t>(trie.size());
          trie[node].kids.push_back({Name(segment), next, 0});
          trie.emplace_back();
        }
        node = next;
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
      }
      trie[node].slot = static_cast<std::int32_t>(slot);
    }
    seen.assign(trie.size(), 0);
    for (const auto& e : policy.enums) enum_values.emplace_back(e.values);
    interpretation_seen.assign(policy.interpretations.size(), 0);
  }

  // The trie node under `node` whose segment is the raw key at `at`, -1 none.
  // Requests of one kind mostly give their keys in one order, so the
  // segment that followed the one found last time is tried first, and
  // usually matches at once.
  std::int32_t child(std::int32_t node, const char* at) {
    auto& n = trie[node];
    if (n.kids.empty()) return -1;  // (a rule set with no facts)
    auto& expected = n.kids[n.kids[n.last].follower];
    if (expected.name.matches(at, text_end)) {
      n.last = n.kids[n.last].follower;
      return expected.node;
    }
    for (std::size_t i = 0; i < n.kids.size(); ++i)
      if (n.kids[i].name.matches(at, text_end)) {
        n.kids[n.last].follower = i;
        n.last = i;
        return n.kids[i].node;
      }
    return -1;
  }
  // The same for a key with an escape (no raw segment matches it), decoded.
  [[gnu::noinline]] std::int32_t escaped_child(std::int32_t node, simdjson::ondemand::field& field) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return -1;
    for (const auto& kid : trie[node].kids)
      if (kid.name.text == key) return kid.node;
    return -1;
  }
  static bool has_escape(const char* raw_key, const char* end) {
    for (const char* c = raw_key; c < end && *c != '"'; ++c)
      if (*c == '\\') return true;
    return false;
  }

  // The index of the enum value that is the JSON string `v`, -1 none (or
  // not a string); consumes it. Its raw token (quotes, then any spaces) is
  // looked up as it stands; a string with an escape, decoded first.
  [[gnu::always_inline]] std::int32_t enum_index(std::int32_t enum_id, simdjson::ondemand::value& v) const {
    const auto& table = enum_values[static_cast<std::size_t>(enum_id)];
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r'))
      token.remove_suffix(1);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') return -1;
    const auto found = table.find({token.data() + 1, token.size() - 2});
    if (found < 0 && token.find('\\') != std::string_view::npos) return escaped_enum_index(table, v);  // (it consumes v)
    simdjson::ondemand::raw_json_string consumed;
    return v.get_raw_json_string().get(consumed) ? -1 : found;
  }
  [[gnu::noinline]] static std::int32_t escaped_enum_index(const ValueTable& table, simdjson::ondemand::value& v) {
    std::string_view text;
    if (v.get_string().get(text)) return -1;
    for (std::size_t i = 0; i < table.names.size(); ++i)
      if (table.names[i].text == text) return static_cast<std::int32_t>(i);
    return -1;
  }

#if defined(PROVISO_HAVE_SIMDJSON)
  simdjson::ondemand::parser parser;
  std::string buffer;  // the request copied with simdjson's padding; reused

  [[gnu::always_inline]] bool value(simdjson::ondemand::value v, std::int32_t slot, FastFacts& out) {
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
        // In millionths, read as facts.cpp reads them; what it refuses is left to it.
        simdjson::ondemand::number_type nt;
        if (t != json_type::number || v.get_number_type().get(nt)) return false;
        std::optional<std::int64_t> millionths;
        if (nt == simdjson::ondemand::number_type::signed_integer) {
          std::int64_t i = 0;
          if (v.get_int64().get(i)) return false;
          millionths = decimal_from_integer(i);
        } else if (nt == simdjson::ondemand::number_type::floating_point_number) {
          double d = 0;
          if (v.get_double().get(d)) return false;
          millionths = decimal_from_double(d);
        }
        if (!millionths) return false;
        cell = static_cast<std::uint64_t>(*millionths);
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
        if (t != json_type::string) return false;
        auto i = enum_index(type.enum_id, v);
        if (i < 0) return false;
        cell = static_cast<std::uint64_t>(i);
        break;
      }
      case TypeKind::set: {
        simdjson::ondemand::array items;
        if (t != json_type::array || v.get_array().get(items)) return false;
        for (auto item : items) {
          if (!count_value()) return false;
          simdjson::ondemand::value value;
          if (std::move(item).get(value)) return false;
          auto i = enum_index(type.enum_id, value);
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
    for (auto result : object) {
      if (!count_value()) return false;
      simdjson::ondemand::field field;
      if (std::move(result).get(field)) return false;
      const char* key = field.key().raw();
      simdjson::ondemand::value& v = field.value();
      // (A dotted key, a path across groups, matches no segment, so it is declined here too: the DOM binder orders those by key.)
      auto next = child(node, key);
      if (next < 0 && node == 0 && interpretations_key.matches(key, text_end)) {  // (no fact path begins with it)
        if (interpretations_seen || !interpretations(v, out)) return false;
        interpretations_seen = true;
        continue;
      }
      if (next < 0 && has_escape(key, text_end)) next = escaped_child(node, field);
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
    text_end = buffer.data() + text.size();
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
