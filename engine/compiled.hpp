// The compiled evaluation form of a Policy and the fast decide: conditions as
// flat node arrays over interned fact slots, rules indexed by their guards,
// no allocation per decision once the scratch is warm, no trace.
// It must agree with engine/eval.cpp's decide() on outcome and authorities;
// tests/unit/fast_eval_test.cpp checks that on every scenario and on random requests.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eval.hpp"
#include "facts.hpp"
#include "policy.hpp"

namespace proviso {

// A request's facts in the fast layout, in one allocation so a decision
// touches a few adjacent cache lines and a set of bound requests stays
// dense: one 8-byte cell per slot (integer, date, enum index, bool, duration
// amount, decimal bits, enum-set bits, or for a string the id of the
// policy's string constant it equals, kNoText if none), then a known byte per
// slot, the interpretation settings and, last, the texts kept: only those of
// the string facts whose text some comparison reads (other than `== "…"`),
// by CompiledPolicy::text_index; none at all for most rule sets. The object
// is three pointers into the block and two counts (32 bytes).
// Reused across decisions: reset() clears the known bytes and settings.
struct FastFacts {
  static constexpr std::uint64_t kNoText = ~std::uint64_t{0};

  std::uint64_t* cells = nullptr;          // by slot; the start of the block, which the object owns
  std::uint8_t* known = nullptr;           // by slot
  std::int8_t* interpretations = nullptr;  // by interpretation: -1 default, 0 false, 1 true

  FastFacts() = default;
  FastFacts(std::size_t slots, std::size_t interpretation_count, std::size_t text_count = 0);
  FastFacts(const FastFacts& other);
  FastFacts& operator=(const FastFacts& other);
  FastFacts(FastFacts&& other) noexcept { take(other); }
  FastFacts& operator=(FastFacts&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~FastFacts() { release(); }

  std::size_t slot_count() const { return static_cast<std::size_t>(known - reinterpret_cast<const std::uint8_t*>(cells)) / 8; }
  std::size_t interpretation_count() const { return interpretation_count_; }
  std::size_t text_count() const { return text_count_; }
  // The text of a string fact, by its CompiledPolicy::text_index.
  std::string& text(std::size_t index) { return texts()[index]; }
  const std::string& text(std::size_t index) const { return texts()[index]; }

  void reset() {
    std::fill_n(known, slot_count(), std::uint8_t{0});
    std::fill_n(interpretations, interpretation_count_, std::int8_t{-1});
  }

 private:
  static std::size_t round_up(std::size_t bytes) { return (bytes + 7) / 8 * 8; }
  std::string* texts() const {
    return std::launder(reinterpret_cast<std::string*>(reinterpret_cast<std::uint8_t*>(interpretations) + round_up(interpretation_count_)));
  }
  void take(FastFacts& other) noexcept;
  void release() noexcept;
  std::uint32_t interpretation_count_ = 0;
  std::uint32_t text_count_ = 0;
};
static_assert(sizeof(FastFacts) == 32);

// One node of a compiled expression. Children of and/or are a range of `kids`.
struct FastNode {
  enum class Op : std::uint8_t {
    constant, fact, interpretation, definition, not_, and_, or_, is_known,
    // a fact compared with a constant: the common shapes, one load and one compare
    fact_eq_k,          // integer-like fact == k
    fact_in_k,          // enum fact in the set k
    fact_superset_k,    // set fact superset of k
    fact_subset_k,      // set fact subset of k
    fact_intersects_k,  // set fact intersects k
    fact_eq_text,       // string fact == texts[k]
    fact_lt_k, fact_le_k, fact_gt_k, fact_ge_k,  // integer or date fact compared with k (int64)
    // the general forms, both operands evaluated as values
    eq, lt, le, gt, ge, in, subset, superset, intersects, add, sub, negate,
    // only in a rule's test sequence: the truth of the subtree at node `a`
    subtree,
    // only in a rule's test sequence: false when fact `a` is known and outside the mask k, else neutral
    guard,
    // only in a rule's test sequence: the any of the shared leaves in the mask k (see shared_leaves_)
    any_leaf,
    // closes a rule's test sequence
    end,
  };
  Op op = Op::constant;
  TypeKind kind = TypeKind::boolean;  // the node's value type
  bool known = true;                  // constant: whether it is known
  std::uint8_t unit = 0;              // constant durations: ast::DurationUnit
  std::int32_t a = -1;                // slot, child, first kid, interpretation or definition
  std::int32_t b = -1;                // second child, or kid count
  std::uint64_t k = 0;                // constant payload (int64, double bits or set bits); strings: index in texts
};

// One test of a rule's flat conjunction: a leaf shape of FastNode (op, a, k),
// a memoised definition, `subtree` for anything else, or `guard`: slot a's
// value outside the mask k makes the condition false (a guard the condition
// implies, checked first); otherwise the guard says nothing (neutral).
struct FastTest {
  FastNode::Op op = FastNode::Op::subtree;
  std::int32_t a = -1;
  std::uint64_t k = 0;
};

// A rule as the fast decide walks it, stored by evaluation position so the
// candidates are visited in memory order: its condition as a flat conjunction
// (the items of nested all of, guards and leaves first; Kleene and is
// commutative, so the order changes nothing but the time). Each range ends
// where the next record's begins (a sentinel record closes the last).
struct alignas(32) FastRule {  // 32 bytes: half a cache line, never across two
  std::uint64_t leaf_mask = 0;      // shared leaves (shared_leaves_) its conjunction includes
  std::int32_t rule = -1;
  std::int32_t test_begin = -1;     // tests_, up to an `end` test; -1: none beyond the leaf mask
  std::int32_t edge_begin = 0;      // edges_: the rules it is an exception to (rule indexes)
  std::int32_t defeater_begin = 0;  // defeater_positions_: the rules that are exceptions to it (positions)
  std::int32_t first_edge = -1;     // edges_[edge_begin] inline (most rules are an exception to one rule), -1 none
  std::uint16_t defeater_slots = 0; // bit i % 16 for the index slot i of each defeater's primary guard
  std::uint8_t effect = 0;          // 0 permit, 1 forbid, 2 limit
  std::uint8_t flags = 0;           // kDefeasible, kMoreEdges
  static constexpr std::uint8_t kDefeasible = 1;  // some rule is an exception to it
  static constexpr std::uint8_t kMoreEdges = 2;   // it is an exception to more than one rule
};
static_assert(sizeof(FastRule) == 32);

// A rule as the first pass of a decision reads it from the rule index: what
// its condition needs, inline, so a bucket is read in order rather than each
// rule's record looked up, and most candidates are settled by two mask tests
// without a branch: its shared leaves, and its first `any of` shared leaves.
// A plain rule (no rule is an exception to it, and it is an exception to at
// most one) is in force exactly when its condition is true, and settled as
// soon as its condition is known, from this record alone; the others are
// settled in evaluation order, after every exception to them.
struct FastCandidate {
  std::uint64_t leaf_mask = 0;   // as FastRule
  std::uint64_t any_mask = 0;    // the rule's first any_leaf test (the first of its tests), 0 none
  std::int32_t position = 0;
  std::int32_t test_begin = -1;  // the tests after that any_leaf test, up to `end`; -1 none
  std::int32_t plain = -1;       // a plain rule: its index * 4 + its effect; -1 the others
  std::int32_t first_edge = -1;  // a plain rule: the rule it is an exception to, -1 none
};
static_assert(sizeof(FastCandidate) == 32);

// Up to 64 rules of one bucket, in order. A large chunk also has its shared
// leaves transposed: per shared leaf, the members whose conditions include it,
// so a decision rules out members by ORing the rows of its false leaves
// (about half of them) instead of testing each member.
struct FastChunk {
  std::uint64_t used = 0;   // the shared leaves some member includes
  std::int32_t begin = 0;   // bucket_ index of the first member
  std::int32_t count = 0;   // members, up to 64
  std::int32_t rows = -1;   // chunk_rows_ index of shared leaf 0's row; -1: each member tested
  std::int32_t reserved = 0;
};
static_assert(sizeof(FastChunk) == 24);

struct FastScratch;

class CompiledPolicy {
 public:
  // A rule set of up to 64 rules is decided in one word, without the rule
  // index or deferring any rule (small_); `defer_always` decides it as a
  // large set is (buckets, deferral), so tests can check that path on the
  // many small random rule sets of the differential test.
  explicit CompiledPolicy(std::shared_ptr<const Policy> policy, bool defer_always = false);

  const Policy& policy() const { return *policy_; }
  std::shared_ptr<const Policy> shared_policy() const { return policy_; }

  FastFacts make_facts() const;
  FastScratch make_scratch() const;
  // Copies bound Facts into the fast layout (used by tests and the API bridge).
  void load_facts(const Facts& facts, FastFacts& out) const;
  // The cell of a string fact: the id of the string constant it equals, or FastFacts::kNoText.
  std::uint64_t text_id(std::string_view text) const {
    auto it = text_ids_.find(text);
    return it == text_ids_.end() ? FastFacts::kNoText : it->second;
  }
  // The string constants by id (text_id's answers).
  const std::vector<std::string>& string_constants() const { return texts_; }
  // What decide() (and decide_every_rule()) read of a fact, by slot: nothing
  // (no rule or definition names it), its cell only, or for a string fact
  // also its text (a comparison other than `== "…"`). A binder that feeds
  // only these may leave unread strings uncopied and unhashed; FastFacts
  // keeps only the texts read (text_index). load_facts fills every cell, for
  // the explanation searches.
  enum class StringUse : std::uint8_t { unread, id, text };
  StringUse string_use(std::int32_t slot) const { return string_use_[static_cast<std::size_t>(slot)]; }
  // Where FastFacts keeps the text of a string fact whose use is `text`
  // (FastFacts::text), by slot; -1 for every other fact, whose text is not kept.
  std::int32_t text_index(std::int32_t slot) const { return text_index_[static_cast<std::size_t>(slot)]; }

  // The outcome and its authorities (rule indexes, ascending) into scratch; no trace.
  Outcome decide(const FastFacts& facts, FastScratch& scratch) const;
  // decide(), and every rule's condition and force by rule index, as the
  // tracing decide() has them in Decision::rules: for the searches of
  // explanations, which read each rule's force (engine/fast_trace.cpp).
  // No rule is deferred or skipped, so it costs the whole rule set. With
  // `again` (by rule index), only the rules marked are evaluated again, the
  // others keep their condition in `applies`: for facts that differ from
  // those `applies` was computed on only in facts no unmarked rule reads.
  Outcome decide_every_rule(const FastFacts& facts, FastScratch& scratch, std::span<Tri> applies, std::span<Tri> in_force,
                            std::span<const std::uint8_t> again = {}) const;
  // Copies one fact of bound Facts into the fast layout (load_facts, one slot).
  void load_fact(std::int32_t slot, const Value& value, FastFacts& out) const;

  // Writes the compact decision line {"decision":…,"authorities":[…]} (no newline).
  void append_decision_json(Outcome outcome, const std::vector<std::int32_t>& authorities, std::string& out) const;

  // Bytes the compiled form holds (the Policy itself is counted separately).
  std::size_t memory_bytes() const;
  // Rules with at least one guard, and guard facts (bench reports).
  std::size_t guarded_rules() const { return guarded_rules_; }
  std::size_t guard_facts() const { return guard_slots_; }

 private:
  friend struct FastCompiler;
  friend struct FastIndexer;
  friend class GuardFinder;
  friend struct FastEval;
  void find_string_uses();
  std::shared_ptr<const Policy> policy_;
  std::vector<FastNode> nodes_;                 // after compiling, only those tests and definitions reach
  std::vector<std::int32_t> kids_;
  std::vector<std::string> texts_;              // string constants, each once
  std::vector<StringUse> string_use_;           // by fact slot
  std::vector<std::int32_t> text_index_;        // by fact slot: FastFacts::text's index, -1 none
  std::size_t kept_texts_ = 0;                  // the facts with a text index
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, std::uint64_t, TextHash, std::equal_to<>> text_ids_;  // text -> index in texts_
  std::vector<FastRule> code_;                   // by evaluation position
  std::vector<std::int32_t> primary_slot_;       // by evaluation position: the fact of its primary guard, -1 none
  std::vector<FastTest> tests_;
  // rule_root_, position_, order_ and edge_begin_ serve compiling only, and are freed after it.
  std::vector<std::int32_t> rule_root_;          // node of each rule's `when`, -1 when it always applies
  std::vector<std::int32_t> definition_root_;
  // A condition definition as a flat any of all ofs: per definition a range
  // of disjuncts_, each the tests_ index of one all of (up to an `end` test),
  // so it is evaluated by the loop rule conditions use, not by a tree walk.
  // An empty range: a value definition (value()).
  std::vector<std::int32_t> definition_disjuncts_;  // by definition, CSR over disjuncts_, and the end
  std::vector<std::int32_t> disjuncts_;
  std::vector<std::uint8_t> effect_;             // 0 permit, 1 forbid, 2 limit
  std::vector<std::int32_t> position_;           // rule -> position in evaluation order
  std::vector<std::int32_t> order_;              // position -> rule
  std::vector<std::int32_t> edge_begin_;         // exception_to edges by rule, CSR (while compiling)
  std::vector<std::int32_t> edges_;              // exception_to edges (rule indexes), by position: FastRule::edge_begin
  std::vector<std::int32_t> defeater_begin_;     // reverse edges by rule, CSR
  std::vector<std::int32_t> defeaters_;
  std::vector<std::uint8_t> interpretation_default_;
  std::string rule_json_ids_;                    // each rule id as a JSON string, quotes included, one after another
  std::vector<std::uint32_t> rule_json_begin_;   // by rule, and the end
  // Rule index. A guard of a rule is a constraint `slot's value in A` (an
  // enum or bool fact) that its condition implies: the condition is true only
  // when the fact is known and in A. Guards are found through all of, any of
  // (a slot every branch constrains), not, definitions, `==`, `!=`, `in` and
  // `not in`; a rule may have several. Its most selective guard is its
  // primary guard, and the rule is listed in the bucket of every value that
  // guard admits. A decision:
  //  - evaluates, in evaluation order, the rules in the buckets of its known
  //    primary-guard facts and the rules without a primary guard (the other
  //    guards are the first tests of a rule: a known value outside one makes
  //    it false at once);
  //  - defers the rules whose primary-guard fact is unknown: such a rule can
  //    be at most `unknown` (a guard fact unknown, its condition cannot be
  //    true), so it can never be in force, and it matters only as a maybe-in-
  //    force exception to a rule that otherwise would be in force, or as the
  //    maybe-in-force permit or forbid that makes a decision undetermined.
  //    It is evaluated only when one of those questions is asked, and each
  //    question stops at the first rule that answers it (fast_eval.cpp).
  // docs/performance.md has the argument; tests/unit/fast_eval_test.cpp the agreement.
  struct IndexSlot {
    std::int32_t slot = -1;
    std::uint32_t domain = 0;
    std::uint32_t bucket_row = 0;    // chunk_begin_ index of value 0; domain + 1 offsets
    std::uint32_t deferred_row = 0;  // deferred_begin_ index: permits, forbids, limits; 4 offsets
  };
  std::size_t words_ = 0;                        // bitset words over evaluation positions
  std::vector<IndexSlot> index_slots_;
  std::vector<std::int32_t> chunk_begin_;        // CSR over chunks_: each bucket's chunks
  std::vector<FastChunk> chunks_;
  std::vector<std::uint64_t> chunk_rows_;        // the transposed shared leaves of the large chunks
  std::vector<FastCandidate> bucket_;            // ascending positions within a bucket
  std::vector<std::int32_t> deferred_begin_;     // CSR over deferred_
  std::vector<std::int32_t> deferred_;           // by index slot and effect: positions, ascending
  std::vector<std::int32_t> defeater_positions_; // by position, CSR through FastRule::defeater_begin
  std::vector<FastCandidate> unindexed_;         // the rules without a primary guard, ascending positions
  // Up to 64 rules (`small_`: one word, and not `defer_always`), the rules
  // are decided without a rule index, deferral or per-rule state:
  //  - every guard is a bitmask row instead of a test: per guard fact and
  //    value, the rules (by position) that value leaves possible; a decision
  //    ANDs the rows of its known guard facts. A leaf that says exactly what
  //    a guard of its rule says is left out of the rule's tests (the row
  //    decides it when the fact is known); `unknown_rules` marks the rules
  //    whose condition is then at most unknown, when the fact is unknown;
  //  - the exceptions are words over rule indexes (small_defeaters_): a rule
  //    is out of force when one of its defeaters is in force, in force when
  //    it applies and none of them may be, else maybe in force.
  struct SmallGuard {
    std::int32_t slot = -1;
    std::uint32_t domain = 0;
    std::uint64_t unknown_rules = 0;  // positions whose condition is at most unknown when the fact is unknown
    std::uint32_t row = 0;            // small_admits_ index of value 0
  };
  bool small_ = false;
  std::uint64_t small_positions_ = 0;            // every evaluation position
  std::vector<SmallGuard> small_guards_;
  std::vector<std::uint64_t> small_admits_;
  std::vector<std::uint64_t> small_defeaters_;   // by rule index: the rules that are exceptions to it (rule bits)
  std::uint64_t small_effect_[3] = {0, 0, 0};    // the permits, forbids and limits (rule bits)
  // Shared leaves: in a large rule set the same fact-against-constant tests
  // (`g.flag3`, `g.count >= 7`) recur in many rules. Up to 64 of the most
  // used are evaluated once per decision into bitmasks (true, unknown); a
  // rule's conjunction then starts with one mask test for all of its shared
  // leaves, and an any of shared leaves is one test too (any_leaf).
  std::vector<FastTest> shared_leaves_;          // in (op, fact, constant) order
  std::vector<std::pair<FastNode::Op, std::uint32_t>> shared_runs_;  // each run of one shape: its op and end
  std::size_t guarded_rules_ = 0;                // rules with at least one guard (for reports)
  std::size_t guard_slots_ = 0;                  // facts some rule has a guard on (for reports)
};

// Per-thread state for CompiledPolicy::decide; sized once by make_scratch().
struct FastScratch {
  // State is valid for this decision only when stamped with its epoch, so
  // nothing is cleared per decision; one record per rule keeps it in one line.
  struct RuleState {
    std::uint32_t stamp = 0;
    Tri applies = Tri::false_, in_force = Tri::false_;
    bool evaluated = false;  // applies and in_force are this decision's (a deferred rule may never be)
    std::uint32_t defeated_true = 0, defeated_unknown = 0;  // exceptions in force / maybe in force against it
  };
  struct DefinitionState {
    std::uint32_t stamp = 0;
    bool known = false;
    std::uint64_t bits = 0;
  };
  std::uint32_t epoch = 0;
  std::vector<DefinitionState> definitions;
  std::vector<RuleState> rules;
  // Sized for every rule once, written through a pointer (no capacity check
  // per push); a decision's length is FastEval's.
  std::vector<std::int32_t> defeated_permits;  // permits that applied but were defeated (for limit authorities)
  std::vector<std::int32_t> listed;            // the authorities as they are read from the bitsets
  // Bitsets, all zero between decisions; each with a bitset of its words not zero.
  std::vector<std::uint64_t> candidates;   // over evaluation positions: the rules that apply or may (past 64 rules)
  std::vector<std::uint64_t> applying;     // over evaluation positions: the rules that apply
  std::vector<std::uint64_t> touched;      // the words of `candidates` not zero
  std::vector<std::uint64_t> permits, forbids;  // over rule indexes: in force
  std::vector<std::uint64_t> in_force_words;    // the words of `permits` or `forbids` not zero
  std::vector<std::int32_t> authorities;   // the result: rule indexes, ascending
};

// Compact decision line for a decision from the tracing evaluator, in the same form.
std::string compact_decision_json(const Policy& policy, const Decision& decision);

}  // namespace proviso
