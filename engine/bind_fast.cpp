// The streaming binder (bind_fast.hpp): the request scanner first
// (bind_scan.cpp), then for what it declines simdjson's On-Demand API; and
// the JSON line → decision line path built on it.
#include "bind_fast.hpp"
#include "bind_scan.hpp"
#include "bind_tables.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(PROVISO_HAVE_SIMDJSON)
#include <simdjson.h>
#endif

namespace proviso {

struct FastBinder::Impl {
  binding::Tables tables;
  const CompiledPolicy& compiled;
  const Policy& policy;
  const RequestLimits& limits;
  std::string buffer;  // the request, then kPadding zero bytes; reused
  const char* text_end = nullptr;  // of the request being bound, in the buffer
  std::size_t value_count = 0;  // in the request being bound: past limits.max_values the full binder says E413

  Impl(const CompiledPolicy& c, const RequestLimits& l) : tables(c, l), compiled(c), policy(c.policy()), limits(tables.limits) {}

  bool count_value() { return ++value_count <= limits.max_values; }

  // The request copied into the padded buffer; false when it is too large for the fast path.
  bool copy(std::string_view text) {
    if (text.size() > limits.max_bytes) return false;
    if (buffer.size() < text.size() + binding::kPadding) buffer.resize(text.size() + binding::kPadding);
    std::memcpy(buffer.data(), text.data(), text.size());
    std::memset(buffer.data() + text.size(), 0, binding::kPadding);
    text_end = buffer.data() + text.size();
    return true;
  }

  bool bind(std::string_view text, FastFacts& out) {
    if (!copy(text)) return false;
    out.reset();
    if (binding::scan_request(tables, buffer.data(), text_end, out)) return true;
    return bind_declined(text, out);
  }

#if defined(PROVISO_HAVE_SIMDJSON)
  static_assert(binding::kPadding >= simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::parser parser;

  // The index of the enum value that is the JSON string `v`, -1 none (or
  // not a string); consumes it. Its raw token (quotes, then any spaces) is
  // looked up as it stands; a string with an escape, decoded first.
  [[gnu::always_inline]] std::int32_t enum_index(const binding::NameTable& table, simdjson::ondemand::value& v) const {
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r'))
      token.remove_suffix(1);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') return -1;
    const auto found = table.find({token.data() + 1, token.size() - 2});
    if (found < 0 && token.find('\\') != std::string_view::npos) return escaped_enum_index(table, v);  // (it consumes v)
    simdjson::ondemand::raw_json_string consumed;
    return v.get_raw_json_string().get(consumed) ? -1 : found;
  }
  [[gnu::noinline]] static std::int32_t escaped_enum_index(const binding::NameTable& table, simdjson::ondemand::value& v) {
    std::string_view text;
    if (v.get_string().get(text)) return -1;
    for (std::size_t i = 0; i < table.names.size(); ++i)
      if (table.names[i].text == text) return static_cast<std::int32_t>(i);
    return -1;
  }
  // The trie node for a key with an escape (no raw segment matches it), decoded.
  [[gnu::noinline]] std::int32_t escaped_child(std::int32_t node, simdjson::ondemand::field& field) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return -1;
    return tables.child_named(node, key);
  }
  static bool has_escape(const char* raw_key, const char* end) {
    for (const char* c = raw_key; c < end && *c != '"'; ++c)
      if (*c == '\\') return true;
    return false;
  }

  // `level`: of the value, as for Tables::too_deep.
  [[gnu::always_inline]] bool value(simdjson::ondemand::value v, const binding::Node& target, unsigned level, FastFacts& out) {
    const auto slot = target.slot;
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
        tables.store_string(target, s, [&] { return compiled.text_id(s); }, out);
        return true;
      }
      case TypeKind::enumeration: {
        if (t != json_type::string) return false;
        auto i = enum_index(*target.values, v);
        if (i < 0) return false;
        cell = static_cast<std::uint64_t>(i);
        break;
      }
      case TypeKind::set: {
        simdjson::ondemand::array items;
        if (t != json_type::array || tables.too_deep(level) || v.get_array().get(items)) return false;
        for (auto item : items) {
          if (!count_value()) return false;
          simdjson::ondemand::value value;
          if (std::move(item).get(value)) return false;
          auto i = enum_index(*target.values, value);
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
    if (tables.too_deep(1) || v.get_object().get(object)) return false;
    const auto id = ++tables.object_id;
    for (auto field : object) {
      if (!count_value()) return false;
      std::string_view name;
      if (field.unescaped_key().get(name)) return false;
      auto it = policy.interpretation_index.find(name);
      if (it == policy.interpretation_index.end() || tables.interpretation_seen[it->second] == id) return false;
      tables.interpretation_seen[it->second] = id;
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

  bool object(simdjson::ondemand::object object, std::int32_t node, unsigned level, FastFacts& out) {
    if (tables.too_deep(level)) return false;
    const auto id = ++tables.object_id;
    bool interpretations_seen = false;
    for (auto result : object) {
      if (!count_value()) return false;
      simdjson::ondemand::field field;
      if (std::move(result).get(field)) return false;
      const char* key = field.key().raw();
      simdjson::ondemand::value& v = field.value();
      // (A dotted key, a path across groups, matches no segment, so it is declined here too: the DOM binder orders those by key.)
      auto next = tables.child(node, key, text_end);
      if (next < 0 && node == 0 && tables.interpretations_key.matches(key, text_end)) {  // (no fact path begins with it)
        if (interpretations_seen || !interpretations(v, out)) return false;
        interpretations_seen = true;
        continue;
      }
      if (next < 0 && has_escape(key, text_end)) next = escaped_child(node, field);
      if (next < 0 || tables.seen[next] == id) return false;
      tables.seen[next] = id;
      if (const auto& target = tables.trie[next]; target.slot >= 0) {
        if (!value(v, target, level + 1, out)) return false;
        continue;
      }
      simdjson::ondemand::object inner;
      if (v.get_object().get(inner) || !this->object(inner, next, level + 1, out)) return false;
    }
    return true;
  }

  // What the scanner declined, through simdjson (the request is in the buffer).
  bool bind_declined(std::string_view text, FastFacts& out) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || text[first] != '{') return false;
    out.reset();
    ++tables.object_id;
    value_count = 0;  // counted as parse_request_document counts: the root, each field, each list item
    if (!count_value()) return false;
    simdjson::ondemand::document doc;
    if (parser.iterate(buffer.data(), text.size(), buffer.size()).get(doc)) return false;
    simdjson::ondemand::object root;
    if (doc.get_object().get(root) || !object(root, 0, 0, out)) return false;
    // Anything after the object is a syntax error for the full parser: leave it to say so.
    const char* at = nullptr;
    if (doc.current_location().get(at) != simdjson::OUT_OF_BOUNDS) return false;
    return true;
  }
#else
  // What the scanner declined, through the full binder.
  bool bind_declined(std::string_view text, FastFacts& out) {
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
  append_line(outcome, out);
  return outcome;
}

void FastDecider::append_line(Outcome outcome, std::string& out) {
  const auto& authorities = scratch_.authorities;
  std::uint64_t hash = static_cast<std::uint64_t>(outcome);
  for (const auto rule : authorities) hash = hash * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(rule);
  auto& line = lines_[(hash ^ (hash >> 29)) % lines_.size()];
  if (line.text.empty() || line.outcome != outcome || line.authorities != authorities) {
    line.outcome = outcome;
    line.authorities = authorities;
    line.text.clear();
    policy_->append_decision_json(outcome, authorities, line.text);
  }
  out += line.text;
}

}  // namespace proviso
