// What the streaming request binders match request text against: the
// policy's fact paths as a trie of key segments, each enum's values, the
// string constants, and how each fact is stored. Shared by the request
// scanner (bind_scan.cpp) and the simdjson binder behind it (bind_fast.cpp).
// Internal to the engine.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "compiled.hpp"

namespace proviso::binding {

// Zero bytes the binders keep after the request text in their buffer, so a
// word may be loaded at any byte up to the end (simdjson needs as many).
inline constexpr std::size_t kPadding = 64;

// A name (a path segment, an enum value or a string constant) as it is
// matched against the raw JSON text of a key or string, which stays in the
// padded buffer: a word at a time, with no copy. Raw text with an escape
// never matches a name that has none, so text with escapes is decoded (or
// declined) by the caller.
struct Name {
  std::string text;
  std::uint64_t head = 0;  // its first 8 bytes, zero-padded
  std::uint64_t mask = 0;  // the bytes of an 8-byte load that are the name's
  std::uint64_t tail = 0;  // of a name over 8 bytes, its last 8

  explicit Name(std::string_view name);
  static std::uint64_t low_bytes(std::size_t n) { return n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1; }
  static std::uint64_t load(const char* at) {
    std::uint64_t word;
    std::memcpy(&word, at, 8);
    return word;
  }
  // Whether bytes 8 and on of the name are those at `at` (in the padded
  // buffer): its last 8 bytes as one word, then a word at a time those
  // between them and its first 8 (a name over 16 bytes).
  bool rest_equals(const char* at) const {
    const auto n = text.size();
    if (n <= 8) return true;
    if (load(at + n - 8) != tail) return false;
    for (std::size_t i = 8; i + 8 < n; i += 8)
      if (load(at + i) != load(text.data() + i)) return false;
    return true;
  }
  // Whether the JSON string whose text begins at `at` (just after its opening
  // quote, before `end`, the end of the request) is this name.
  bool matches(const char* at, const char* end) const {
    const auto n = text.size();
    if (static_cast<std::size_t>(end - at) <= n) return false;  // the closing quote is in the text
    return (load(at) & mask) == head && at[n] == '"' && rest_equals(at);
  }
};

// Names by a hash of their first 8 bytes and their length (open addressing,
// at most half full), so text is found in one or two probes rather than
// compared with each name in turn.
struct NameTable {
  std::vector<Name> names;
  std::vector<std::int32_t> slots;  // a power of two of them; -1 empty
  unsigned shift = 64;

  explicit NameTable(const std::vector<std::string>& values);
  static std::uint64_t hash(std::uint64_t head, std::size_t size) { return (head ^ size) * 0x9E3779B97F4A7C15ull; }
  // The index of the name that is `text`, -1 none. `text` lies in the padded
  // buffer (an 8-byte load from it is safe).
  [[gnu::always_inline]] std::int32_t find(std::string_view text) const {
    const auto n = text.size();
    std::uint64_t head;
    std::memcpy(&head, text.data(), 8);
    head &= Name::low_bytes(n);
    for (auto at = hash(head, n) >> shift;; at = (at + 1) & (slots.size() - 1)) {
      const auto i = slots[at];
      if (i < 0) return -1;
      const auto& name = names[static_cast<std::size_t>(i)];
      if (name.head == head && name.text.size() == n && name.rest_equals(text.data())) return i;
    }
  }
};

// A node of the fact-path trie: a group of facts (slot -1) or a fact.
struct Node {
  std::int32_t slot = -1;
  TypeKind kind = TypeKind::boolean;  // of the fact
  CompiledPolicy::StringUse string_use = CompiledPolicy::StringUse::unread;  // of a string fact
  std::int32_t text_index = -1;       // of a string fact whose text is kept (FastFacts::text)
  const NameTable* values = nullptr;  // of an enum or set fact
  std::uint32_t key_size = 0;         // the bytes of the segment that leads here
  struct Kid {
    Name name;
    std::int32_t node = -1;
    std::size_t follower = 0;  // the kid found after it last time
  };
  std::vector<Kid> kids;
  std::size_t last = 0;  // the kid found last in this group
};

struct Tables {
  const CompiledPolicy& compiled;
  const Policy& policy;
  RequestLimits limits;
  std::vector<NameTable> enum_values;  // by enum
  NameTable constants;                 // the policy's string constants, by their id (CompiledPolicy::text_id)
  std::vector<Node> trie;              // node 0 is the request's root object
  Name interpretations_key{"interpretations"};
  // Per request being bound: the object each trie node was last given in,
  // and each interpretation, to decline duplicate keys.
  std::vector<std::uint32_t> seen;
  std::vector<std::uint32_t> interpretation_seen;
  std::uint32_t object_id = 0;

  Tables(const CompiledPolicy& compiled, const RequestLimits& limits);
  Tables(const Tables&) = delete;
  Tables& operator=(const Tables&) = delete;

  // The trie node under `node` whose segment is the raw key at `at` (in the
  // padded buffer, `end` the end of the request), -1 none. Requests of one
  // kind mostly give their keys in one order, so the segment that followed
  // the one found last time is tried first, and usually matches at once.
  std::int32_t child(std::int32_t node, const char* at, const char* end) {
    auto& n = trie[static_cast<std::size_t>(node)];
    if (n.kids.empty()) return -1;  // (a rule set with no facts)
    auto& expected = n.kids[n.kids[n.last].follower];
    if (expected.name.matches(at, end)) {
      n.last = n.kids[n.last].follower;
      return expected.node;
    }
    for (std::size_t i = 0; i < n.kids.size(); ++i)
      if (n.kids[i].name.matches(at, end)) {
        n.kids[n.last].follower = i;
        n.last = i;
        return n.kids[i].node;
      }
    return -1;
  }
  // Whether a container at `level` (the request's object is 0) may hold
  // more than the full parser's max_depth allows (E405): declined one level
  // early, so the binders need not agree with it on where depth counts from.
  bool too_deep(unsigned level) const { return level + 1 >= limits.max_depth; }
  // The same for a key already decoded (it had an escape).
  std::int32_t child_named(std::int32_t node, std::string_view key) const;

  // Stores the string fact of `node` as the fast decide reads it: its text
  // only when some comparison reads the text, the id of the constant it
  // equals only when some rule reads the fact (CompiledPolicy::string_use).
  // `id` gives that id when it is needed.
  template <class Id>
  void store_string(const Node& node, std::string_view text, Id id, FastFacts& out) const {
    const auto slot = static_cast<std::size_t>(node.slot);
    switch (node.string_use) {
      case CompiledPolicy::StringUse::unread: out.cells[slot] = FastFacts::kNoText; break;
      case CompiledPolicy::StringUse::text: out.text(static_cast<std::size_t>(node.text_index)).assign(text); [[fallthrough]];
      case CompiledPolicy::StringUse::id: out.cells[slot] = id(); break;
    }
    out.known[slot] = 1;
  }
};

}  // namespace proviso::binding
