// The request scanner (bind_scan.hpp). What it reads; anything else is declined:
//  - one object, JSON whitespace between tokens, nothing after it;
//  - keys without escapes that are segments of the policy's fact paths
//    (matched in the trie, as the simdjson binder matches them), each once
//    in its object, and `interpretations` at the top;
//  - for a fact: null; true or false for a bool; for an integer, up to 18
//    digits with an optional minus (no fraction, exponent, leading zero or
//    -0: the full binder's readings of those are its own); for a string,
//    date or enum, a string of printable ASCII without escapes, and for a
//    set a list of such strings; for a group of facts, an object;
//  - the request limits as the full binder counts them: values (the top
//    object, each member, each list item), string bytes, and depth (declined
//    one level early: Tables::too_deep); bytes are the caller's.
// Decimal and duration facts are left to the binders behind it. The text is
// followed by kPadding zero bytes: every loop stops at a zero byte, so
// nothing is read past the padding and nothing past the end is accepted.
#include "bind_scan.hpp"

#include <bit>

namespace proviso::binding {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;

std::uint64_t load8(const char* at) {
  std::uint64_t word;
  std::memcpy(&word, at, 8);
  return word;
}

// The bytes of `word` below `limit` (at most 0x80), as their high bits. Only
// the lowest is exact (a borrow can mark bytes above it), and only the lowest is read.
constexpr std::uint64_t bytes_below(std::uint64_t word, unsigned char limit) { return (word - kOnes * limit) & ~word & kHighs; }

// The closing quote of the JSON string whose text begins at `at`, 8 bytes at
// a time; nullptr when a byte before it is a backslash, a control byte or
// not ASCII (the zero bytes after the text among them).
const char* closing_quote(const char* at) {
  for (;; at += 8) {
    const auto word = load8(at);
    const auto stops = bytes_below(word ^ (kOnes * '"'), 1) | bytes_below(word ^ (kOnes * '\\'), 1) | bytes_below(word, 0x20) | (word & kHighs);
    if (stops) {
      at += std::countr_zero(stops) / 8;
      return *at == '"' ? at : nullptr;
    }
  }
}

// `Counting`: whether values are counted against limits.max_values. A
// request the scanner binds holds at most 1 + (bytes - 2) / 3 values (the
// top object; each member takes at least 5 bytes, `"k":0`, each list item 3
// and a separator), so a short enough request cannot pass the limit and
// is scanned without counting.
//
// Each step takes the cursor and returns it past what it read, or nullptr
// to decline, so the cursor stays in a register.
template <bool Counting>
class Scanner {
 public:
  Scanner(Tables& tables, const char* end, FastFacts& out) : t_(tables), end_(end), out_(out) {}

  bool request(const char* p) {
    p = skip_space(p);
    if (*p != '{' || !count_value()) return false;
    p = object(p, 0, 0);
    return p && skip_space(p) == end_;
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  static const char* skip_space(const char* p) {
    while (static_cast<unsigned char>(*p) <= ' ' && is_space(*p)) ++p;  // (compact JSON: one compare)
    return p;
  }
  bool count_value() {
    if constexpr (Counting) return ++values_ <= t_.limits.max_values;
    return true;
  }
  bool too_deep(unsigned level) const { return t_.too_deep(level); }
  static const char* word(const char* p, const char* text, std::size_t size) { return std::memcmp(p, text, size) == 0 ? p + size : nullptr; }
  static const char* colon(const char* p) {
    p = skip_space(p);
    return *p == ':' ? skip_space(p + 1) : nullptr;
  }
  static const char* string(const char* p, std::string_view& text) {
    if (*p != '"') return nullptr;
    const char* close = closing_quote(p + 1);
    if (!close) return nullptr;
    text = {p + 1, static_cast<std::size_t>(close - p - 1)};
    return close + 1;
  }
  // After a member or an item, at `p`: the next one (past a comma) or nullptr
  // with `p` past `close` (when none follows), or both nullptr on anything else.
  static const char* next_item(const char*& p, char close) {
    p = skip_space(p);
    if (*p == ',') return skip_space(p + 1);
    p = *p == close ? p + 1 : nullptr;
    return nullptr;
  }

  // The object at p ('{') as the members of trie node `node`.
  const char* object(const char* p, std::int32_t node, unsigned level) {
    if (too_deep(level)) return nullptr;
    const auto id = ++t_.object_id;
    p = skip_space(p + 1);
    if (*p == '}') return p + 1;
    bool interpretations_given = false;
    for (const char* member = p; member; member = next_item(p, '}')) {
      if (*member != '"' || !count_value()) return nullptr;
      const char* key = member + 1;
      if (const auto next = t_.child(node, key, end_); next >= 0) {
        auto& seen = t_.seen[static_cast<std::size_t>(next)];
        if (seen == id) return nullptr;
        seen = id;
        const Node& target = t_.trie[static_cast<std::size_t>(next)];
        p = colon(key + target.key_size + 1);
        if (!p) return nullptr;
        p = target.slot >= 0 ? fact(p, target, level + 1) : (*p == '{' ? object(p, next, level + 1) : nullptr);
      } else {
        // (No fact path begins with `interpretations`: E213.)
        if (node != 0 || interpretations_given || !t_.interpretations_key.matches(key, end_)) return nullptr;
        interpretations_given = true;
        p = colon(key + t_.interpretations_key.text.size() + 1);
        if (!p) return nullptr;
        p = interpretations(p, level + 1);
      }
      if (!p) return nullptr;
    }
    return p;
  }

  [[gnu::always_inline]] const char* fact(const char* p, const Node& target, unsigned level) {
    const auto slot = static_cast<std::size_t>(target.slot);
    if (*p == 'n') {
      out_.known[slot] = 0;
      return word(p, "null", 4);
    }
    std::uint64_t cell = 0;
    std::string_view text;
    switch (target.kind) {
      case TypeKind::boolean:
        cell = *p == 't';
        p = cell ? word(p, "true", 4) : word(p, "false", 5);
        break;
      case TypeKind::integer: p = integer(p, cell); break;
      case TypeKind::date: {
        p = string(p, text);
        const auto days = p ? parse_date(text) : std::nullopt;
        if (!days) return nullptr;
        cell = static_cast<std::uint64_t>(*days);
        break;
      }
      case TypeKind::string: {
        p = string(p, text);
        if (!p || text.size() > t_.limits.max_string_bytes) return nullptr;
        const auto id = [&] {
          const auto i = t_.constants.find(text);
          return i < 0 ? FastFacts::kNoText : static_cast<std::uint64_t>(i);
        };
        t_.store_string(target, text, id, out_);
        return p;
      }
      case TypeKind::enumeration: {
        p = string(p, text);
        const auto i = p ? target.values->find(text) : -1;
        if (i < 0) return nullptr;
        cell = static_cast<std::uint64_t>(i);
        break;
      }
      case TypeKind::set: p = set(p, *target.values, level, cell); break;
      case TypeKind::decimal:
      case TypeKind::duration: return nullptr;
    }
    out_.cells[slot] = cell;
    out_.known[slot] = 1;
    return p;
  }

  static const char* integer(const char* p, std::uint64_t& cell) {
    const bool negative = *p == '-';
    const char* digits = p + negative;
    const char* at = digits;
    std::uint64_t magnitude = 0;
    while (static_cast<unsigned char>(*at - '0') < 10) magnitude = magnitude * 10 + static_cast<unsigned>(*at++ - '0');
    const auto count = at - digits;
    // Up to 18 digits fit an int64 whatever they are.
    if (count == 0 || count > 18 || (*digits == '0' && count > 1) || *at == '.' || *at == 'e' || *at == 'E' || (negative && magnitude == 0))
      return nullptr;
    cell = static_cast<std::uint64_t>(negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude));
    return at;
  }

  const char* set(const char* p, const NameTable& values, unsigned level, std::uint64_t& cell) {
    if (*p != '[' || too_deep(level)) return nullptr;
    p = skip_space(p + 1);
    if (*p == ']') return p + 1;
    for (const char* item = p; item; item = next_item(p, ']')) {
      std::string_view text;
      p = count_value() ? string(item, text) : nullptr;
      const auto i = p ? values.find(text) : -1;
      if (i < 0 || i >= 64) return nullptr;
      cell |= std::uint64_t{1} << i;
    }
    return p;
  }

  const char* interpretations(const char* p, unsigned level) {
    if (*p != '{' || too_deep(level)) return nullptr;
    const auto id = ++t_.object_id;
    p = skip_space(p + 1);
    if (*p == '}') return p + 1;
    for (const char* entry = p; entry; entry = next_item(p, '}')) {
      std::string_view name;
      p = count_value() ? string(entry, name) : nullptr;
      if (!p) return nullptr;
      const auto it = t_.policy.interpretation_index.find(name);
      if (it == t_.policy.interpretation_index.end()) return nullptr;
      auto& seen = t_.interpretation_seen[static_cast<std::size_t>(it->second)];
      p = seen == id ? nullptr : colon(p);
      if (!p) return nullptr;
      seen = id;
      auto& setting = out_.interpretations[static_cast<std::size_t>(it->second)];
      if (*p == 't') {
        setting = 1;
        p = word(p, "true", 4);
      } else if (*p == 'f') {
        setting = 0;
        p = word(p, "false", 5);
      } else {
        p = word(p, "null", 4);
      }
      if (!p) return nullptr;
    }
    return p;
  }

  Tables& t_;
  const char* end_;
  FastFacts& out_;
  std::size_t values_ = 0;
};

}  // namespace

bool scan_request(Tables& tables, const char* begin, const char* end, FastFacts& out) {
  const auto bytes = static_cast<std::size_t>(end - begin);
  if (bytes < 2 || 1 + (bytes - 2) / 3 > tables.limits.max_values) return Scanner<true>(tables, end, out).request(begin);
  return Scanner<false>(tables, end, out).request(begin);
}

}  // namespace proviso::binding
