// The rule records and the rule index of the fast evaluation form
// (compiled.hpp): guards found in each condition, primary-guard buckets,
// shared leaves, the one-word guard rows of small sets, and compaction.
#include "compiled_index.hpp"

#include "compiled_guards.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <tuple>

namespace proviso {

struct FastIndexer {
  CompiledPolicy& out;
  const Policy& policy;
  GuardFinder finder{out, policy};
  using Guards = GuardFinder::Guards;

  // Each rule's flat record by evaluation position (fast_eval.cpp walks
  // these), and the rule index over the records (compiled.hpp).
  void build_code() {
    const auto count = out.order_.size();
    out.words_ = (count + 63) / 64;
    out.small_ = out.small_ && out.words_ == 1;
    std::vector<Guards> guards_at(count);
    std::vector<std::int32_t> primary_at(count, -1);
    std::map<std::int32_t, std::int32_t> index_of;  // primary slot -> index_slots_ entry
    std::map<std::int32_t, bool> guard_slots;
    for (std::size_t pos = 0; pos < count; ++pos) {
      const auto r = out.order_[pos];
      if (out.rule_root_[r] < 0) continue;
      guards_at[pos] = finder.guards(out.rule_root_[r], 0);
      if (!guards_at[pos].empty()) ++out.guarded_rules_;
      for (const auto& g : guards_at[pos]) guard_slots[g.first] = true;
      primary_at[pos] = finder.primary_of(guards_at[pos]);
      if (primary_at[pos] >= 0 && !index_of.contains(primary_at[pos])) {
        index_of.emplace(primary_at[pos], static_cast<std::int32_t>(out.index_slots_.size()));
        out.index_slots_.push_back({primary_at[pos], finder.domain_of(primary_at[pos]), 0, 0});
      }
    }
    out.guard_slots_ = guard_slots.size();

    std::vector<std::vector<std::int32_t>> buckets, deferred(3 * out.index_slots_.size());
    for (auto& slot : out.index_slots_) {
      slot.bucket_row = static_cast<std::uint32_t>(buckets.size());
      buckets.resize(buckets.size() + slot.domain);
    }
    std::vector<std::int32_t> edges;  // in position order, for the records' ranges
    std::vector<std::vector<FastTest>> raw(count);  // each rule's tests, before leaves are shared
    std::vector<std::vector<std::int32_t>> dropped(count);  // small_: the guard facts whose leaves each rule's tests leave out
    std::vector<std::int32_t> unindexed;
    for (std::size_t pos = 0; pos < count; ++pos) {
      const auto r = out.order_[pos];
      const auto primary = primary_at[pos];
      FastRule code;
      code.rule = r;
      code.effect = out.effect_[r];
      out.primary_slot_.push_back(primary);
      code.edge_begin = static_cast<std::int32_t>(edges.size());
      edges.insert(edges.end(), out.edges_.begin() + out.edge_begin_[r], out.edges_.begin() + out.edge_begin_[r + 1]);
      const auto edge_count = out.edge_begin_[r + 1] - out.edge_begin_[r];
      if (edge_count > 0) code.first_edge = edges[code.edge_begin];
      if (edge_count > 1) code.flags |= FastRule::kMoreEdges;
      if (out.defeater_begin_[r + 1] > out.defeater_begin_[r]) code.flags |= FastRule::kDefeasible;
      code.defeater_begin = static_cast<std::int32_t>(out.defeater_positions_.size());
      std::vector<std::int32_t> defeaters;
      for (auto d = out.defeater_begin_[r]; d < out.defeater_begin_[r + 1]; ++d) defeaters.push_back(out.position_[out.defeaters_[d]]);
      std::sort(defeaters.begin(), defeaters.end());
      for (auto d : defeaters)
        if (primary_at[d] >= 0) code.defeater_slots |= static_cast<std::uint16_t>(1u << (index_of.at(primary_at[d]) % 16));
      out.defeater_positions_.insert(out.defeater_positions_.end(), defeaters.begin(), defeaters.end());
      if (primary < 0) {
        unindexed.push_back(static_cast<std::int32_t>(pos));
      } else {
        const auto& slot = out.index_slots_[index_of.at(primary)];
        const auto admitted = guards_at[pos].at(primary);
        for (std::uint32_t v = 0; v < slot.domain; ++v)
          if ((admitted >> v) & 1u) buckets[slot.bucket_row + v].push_back(static_cast<std::int32_t>(pos));
        deferred[3 * static_cast<std::size_t>(index_of.at(primary)) + code.effect].push_back(static_cast<std::int32_t>(pos));
      }
      if (out.rule_root_[r] >= 0) raw[pos] = tests_of(out.rule_root_[r], guards_at[pos], primary, dropped[pos]);
      out.code_.push_back(code);
    }
    share_leaves(raw);
    flatten_definitions();
    out.edges_ = std::move(edges);
    out.edge_begin_ = {};
    FastRule sentinel;  // closes the ranges of the last record
    sentinel.edge_begin = static_cast<std::int32_t>(out.edges_.size());
    sentinel.defeater_begin = static_cast<std::int32_t>(out.defeater_positions_.size());
    out.code_.push_back(sentinel);
    out.primary_slot_.push_back(-1);

    auto candidate = [&](std::int32_t pos) {
      const auto& code = out.code_[pos];
      FastCandidate c{code.leaf_mask, 0, pos, code.test_begin, -1, -1};
      if (!(code.flags & (FastRule::kDefeasible | FastRule::kMoreEdges)) && code.rule < (1 << 28)) {
        c.plain = code.rule * 4 + code.effect;
        c.first_edge = code.first_edge;
      }
      if (c.test_begin >= 0 && out.tests_[c.test_begin].op == FastNode::Op::any_leaf && out.tests_[c.test_begin].k != 0) {
        c.any_mask = out.tests_[c.test_begin].k;
        c.test_begin = out.tests_[c.test_begin + 1].op == FastNode::Op::end ? -1 : c.test_begin + 1;
      }
      return c;
    };
    for (auto pos : unindexed) out.unindexed_.push_back(candidate(pos));
    // Flatten the buckets and the deferred lists (CSR), in index slot order.
    std::size_t flat = 0;
    for (std::size_t i = 0; i < out.index_slots_.size(); ++i) {
      auto& slot = out.index_slots_[i];
      const auto first = flat;
      slot.bucket_row = static_cast<std::uint32_t>(out.chunk_begin_.size());
      for (std::uint32_t v = 0; v < slot.domain; ++v) {
        out.chunk_begin_.push_back(static_cast<std::int32_t>(out.chunks_.size()));
        const auto& members = buckets[first + v];
        for (std::size_t start = 0; start < members.size(); start += 64)
          add_chunk(std::span(members).subspan(start, std::min<std::size_t>(64, members.size() - start)), candidate);
      }
      out.chunk_begin_.push_back(static_cast<std::int32_t>(out.chunks_.size()));
      flat += slot.domain;
      slot.deferred_row = static_cast<std::uint32_t>(out.deferred_begin_.size());
      for (std::size_t e = 0; e < 3; ++e) {
        out.deferred_begin_.push_back(static_cast<std::int32_t>(out.deferred_.size()));
        out.deferred_.insert(out.deferred_.end(), deferred[3 * i + e].begin(), deferred[3 * i + e].end());
      }
      out.deferred_begin_.push_back(static_cast<std::int32_t>(out.deferred_.size()));
    }
    if (out.small_) small_rows(guards_at, dropped);
  }

  // A chunk of a bucket (FastChunk); its shared leaves transposed when it
  // has enough members to be worth a row per shared leaf.
  template <class Candidate>
  void add_chunk(std::span<const std::int32_t> members, const Candidate& candidate) {
    FastChunk chunk;
    chunk.begin = static_cast<std::int32_t>(out.bucket_.size());
    chunk.count = static_cast<std::int32_t>(members.size());
    for (auto pos : members) {
      out.bucket_.push_back(candidate(pos));
      chunk.used |= out.bucket_.back().leaf_mask;
    }
    if (members.size() >= kRowsFrom && !out.shared_leaves_.empty()) {
      chunk.rows = static_cast<std::int32_t>(out.chunk_rows_.size());
      out.chunk_rows_.resize(out.chunk_rows_.size() + out.shared_leaves_.size(), 0);
      for (std::size_t m = 0; m < members.size(); ++m)
        for (auto mask = out.bucket_[chunk.begin + m].leaf_mask; mask; mask &= mask - 1)
          out.chunk_rows_[chunk.rows + std::countr_zero(mask)] |= std::uint64_t{1} << m;
    }
    out.chunks_.push_back(chunk);
  }
  // Below this many members a chunk's members are tested one by one (a row
  // per shared leaf would cost more memory than it saves time).
  static constexpr std::size_t kRowsFrom = 16;

  // small_ (compiled.hpp): the guard rows, which leaves of each rule they
  // stand for, and the exceptions and effects as words over rule indexes.
  void small_rows(const std::vector<Guards>& guards_at, const std::vector<std::vector<std::int32_t>>& dropped) {
    std::map<std::int32_t, std::size_t> row_of;  // slot -> small_guards_ index
    for (std::size_t pos = 0; pos < guards_at.size(); ++pos)
      for (auto [slot, admitted] : guards_at[pos]) {
        auto [it, fresh] = row_of.try_emplace(slot, out.small_guards_.size());
        if (fresh) {
          out.small_guards_.push_back({slot, finder.domain_of(slot), 0, static_cast<std::uint32_t>(out.small_admits_.size())});
          out.small_admits_.resize(out.small_admits_.size() + finder.domain_of(slot), ~std::uint64_t{0});
        }
        const auto& g = out.small_guards_[it->second];
        for (std::uint32_t v = 0; v < g.domain; ++v)
          if (!((admitted >> v) & 1u)) out.small_admits_[g.row + v] &= ~(std::uint64_t{1} << pos);
      }
    for (std::size_t pos = 0; pos < dropped.size(); ++pos)
      for (auto slot : dropped[pos]) out.small_guards_[row_of.at(slot)].unknown_rules |= std::uint64_t{1} << pos;
    const auto count = out.order_.size();
    out.small_positions_ = count == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
    out.small_defeaters_.assign(count, 0);
    for (std::size_t r = 0; r < count; ++r) {
      for (auto d = out.defeater_begin_[r]; d < out.defeater_begin_[r + 1]; ++d)
        out.small_defeaters_[r] |= std::uint64_t{1} << out.defeaters_[d];
      out.small_effect_[out.effect_[r]] |= std::uint64_t{1} << r;
    }
  }

  // A rule's tests: its guards other than the primary one, where no leaf
  // already tests the same fact; then the items of its top-level all of,
  // leaves first (one load, one compare), then definitions (memoised), then
  // the rest. Past 64 rules, a leaf that says exactly what the primary guard
  // says is left out: a rule evaluated from a bucket has that leaf true, and
  // a deferred rule (its primary fact unknown) is at most unknown whatever
  // its tests say. In a small_ set every guard is a row, so a leaf that says
  // exactly what any guard of its rule says is left out, and its fact goes
  // into `dropped` (the row's unknown_rules).
  std::vector<FastTest> tests_of(std::int32_t root, const Guards& found, std::int32_t primary, std::vector<std::int32_t>& dropped) {
    std::vector<FastTest> tests;
    auto items = finder.ordered_conjuncts(root);
    for (auto [slot, admitted] : found) {
      if (slot == primary) continue;
      bool tested = false;
      for (auto node : items) {
        const auto& n = out.nodes_[node];
        tested = tested || ((n.op == FastNode::Op::fact || n.op == FastNode::Op::fact_eq_k || n.op == FastNode::Op::fact_in_k) && n.a == slot);
      }
      if (!tested && !out.small_) tests.push_back({FastNode::Op::guard, slot, admitted});  // small_: a row (small_guards_)
    }
    for (auto node : items) {
      const auto& n = out.nodes_[node];
      if (out.small_ && is_leaf(n.op) && found.contains(n.a) && finder.same_as_guard(n, n.a, found.at(n.a))) {
        if (std::find(dropped.begin(), dropped.end(), n.a) == dropped.end()) dropped.push_back(n.a);
        continue;
      }
      if (!out.small_ && primary >= 0 && is_leaf(n.op) && finder.same_as_guard(n, primary, found.at(primary))) continue;
      if (is_leaf(n.op) || n.op == FastNode::Op::definition) tests.push_back({n.op, n.a, n.k});
      else tests.push_back({FastNode::Op::subtree, node, 0});
    }
    return tests;
  }

  // A leaf whose value is unknown exactly when its fact is: it can be shared.
  static bool shareable(FastNode::Op op) {
    using Op = FastNode::Op;
    return op != Op::is_known && op != Op::interpretation && is_leaf(op);
  }
  // An any of whose items are all shareable leaves.
  bool leaf_or(std::int32_t node) const {
    const auto& n = out.nodes_[node];
    if (n.op != FastNode::Op::or_ || n.b > 64) return false;
    for (std::int32_t i = 0; i < n.b; ++i)
      if (!shareable(out.nodes_[out.kids_[n.a + i]].op)) return false;
    return true;
  }

  // Chooses the shared leaves (compiled.hpp) and writes each rule's tests:
  // its shared leaves as one mask, an any of shared leaves as an any_leaf
  // test, the rest as they were. Worth it only when many rules share few
  // leaves: a decision evaluates every shared leaf once.
  void share_leaves(const std::vector<std::vector<FastTest>>& raw) {
    using Key = std::tuple<FastNode::Op, std::int32_t, std::uint64_t>;
    auto key_of = [](const FastNode& n) { return Key{n.op, n.a, n.k}; };
    std::map<Key, std::size_t> uses;
    for (const auto& tests : raw)
      for (const auto& t : tests) {
        if (shareable(t.op)) ++uses[Key{t.op, t.a, t.k}];
        if (t.op == FastNode::Op::subtree && leaf_or(t.a))
          for (std::int32_t i = 0; i < out.nodes_[t.a].b; ++i) ++uses[key_of(out.nodes_[out.kids_[out.nodes_[t.a].a + i]])];
      }
    std::vector<std::pair<std::size_t, Key>> ranked;
    for (const auto& [key, count] : uses)
      if (count >= 2) ranked.emplace_back(count, key);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    if (ranked.size() > 64) ranked.resize(64);
    // Bits in (op, fact, constant) order: a decision evaluates them in bit
    // order, so the same shapes come together and their branches predict.
    std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
    std::map<Key, int> id;
    if (!ranked.empty() && raw.size() >= 8 * ranked.size())
      for (const auto& [count, key] : ranked) {
        id.emplace(key, static_cast<int>(out.shared_leaves_.size()));
        out.shared_leaves_.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key)});
        if (out.shared_runs_.empty() || out.shared_runs_.back().first != std::get<0>(key)) out.shared_runs_.emplace_back(std::get<0>(key), 0);
        out.shared_runs_.back().second = static_cast<std::uint32_t>(out.shared_leaves_.size());
      }
    for (std::size_t pos = 0; pos < raw.size(); ++pos) {
      auto& code = out.code_[pos];
      const auto begin = out.tests_.size();
      bool any_first = false;  // the first any_leaf test goes first: a candidate holds it inline (FastCandidate)
      for (const auto& t : raw[pos]) {
        if (auto it = id.find(Key{t.op, t.a, t.k}); it != id.end() && shareable(t.op)) {
          code.leaf_mask |= std::uint64_t{1} << it->second;
          continue;
        }
        if (t.op == FastNode::Op::subtree && !id.empty() && leaf_or(t.a)) {
          std::uint64_t any = 0;
          bool all_shared = true;
          const auto& n = out.nodes_[t.a];
          for (std::int32_t i = 0; i < n.b && all_shared; ++i) {
            auto it = id.find(key_of(out.nodes_[out.kids_[n.a + i]]));
            if (it == id.end()) all_shared = false;
            else any |= std::uint64_t{1} << it->second;
          }
          if (all_shared) {
            if (!any_first) out.tests_.insert(out.tests_.begin() + static_cast<std::ptrdiff_t>(begin), {FastNode::Op::any_leaf, -1, any});
            else out.tests_.push_back({FastNode::Op::any_leaf, -1, any});
            any_first = true;
            continue;
          }
        }
        out.tests_.push_back(t);
      }
      if (out.tests_.size() > begin) {
        code.test_begin = static_cast<std::int32_t>(begin);
        out.tests_.push_back({FastNode::Op::end, -1, 0});
      }
    }
  }

  // The items of an all of as tests, in ordered_conjuncts' order, and an `end`.
  void append_conjunction(std::int32_t node) {
    for (auto item : finder.ordered_conjuncts(node)) {
      const auto& n = out.nodes_[item];
      if (is_leaf(n.op) || n.op == FastNode::Op::definition) out.tests_.push_back({n.op, n.a, n.k});
      else out.tests_.push_back({FastNode::Op::subtree, item, 0});
    }
    out.tests_.push_back({FastNode::Op::end, -1, 0});
  }

  // Each condition definition as an any of all ofs (definition_disjuncts_):
  // an any of, one all of per item; anything else, one all of.
  void flatten_definitions() {
    out.definition_disjuncts_.push_back(0);
    for (auto root : out.definition_root_) {
      const auto& n = out.nodes_[root];
      if (n.kind == TypeKind::boolean) {
        std::vector<std::int32_t> items;
        if (n.op == FastNode::Op::or_) items.assign(out.kids_.begin() + n.a, out.kids_.begin() + n.a + n.b);
        else items.push_back(root);
        for (auto item : items) {
          out.disjuncts_.push_back(static_cast<std::int32_t>(out.tests_.size()));
          append_conjunction(item);
        }
      }
      out.definition_disjuncts_.push_back(static_cast<std::int32_t>(out.disjuncts_.size()));
    }
  }

  // After compiling: only the nodes the tests and definitions still reach
  // (a condition made of leaves is all tests), renumbered; and the arrays only
  // compiling needed, freed.
  void compact() {
    std::vector<std::int32_t> remap(out.nodes_.size(), -1);
    std::vector<FastNode> nodes;
    std::vector<std::int32_t> kids;
    std::function<std::int32_t(std::int32_t)> keep = [&](std::int32_t i) -> std::int32_t {
      if (remap[i] >= 0) return remap[i];
      FastNode n = out.nodes_[i];
      using Op = FastNode::Op;
      switch (n.op) {
        case Op::not_: case Op::negate: n.a = keep(n.a); break;
        case Op::and_: case Op::or_: {
          std::vector<std::int32_t> items;
          for (std::int32_t k = 0; k < n.b; ++k) items.push_back(keep(out.kids_[n.a + k]));
          n.a = static_cast<std::int32_t>(kids.size());
          kids.insert(kids.end(), items.begin(), items.end());
          break;
        }
        case Op::eq: case Op::lt: case Op::le: case Op::gt: case Op::ge: case Op::in: case Op::subset:
        case Op::superset: case Op::intersects: case Op::add: case Op::sub:
          n.a = keep(n.a);
          n.b = keep(n.b);
          break;
        default: break;  // a leaf: `a` is a slot, a definition or an interpretation
      }
      nodes.push_back(n);
      return remap[i] = static_cast<std::int32_t>(nodes.size() - 1);
    };
    for (auto& root : out.definition_root_) root = keep(root);
    for (auto& t : out.tests_)
      if (t.op == FastNode::Op::subtree) t.a = keep(t.a);
    out.nodes_ = std::move(nodes);
    out.kids_ = std::move(kids);
    for (auto* v : {&out.rule_root_, &out.position_, &out.order_, &out.edge_begin_}) std::vector<std::int32_t>().swap(*v);
    out.nodes_.shrink_to_fit();
    out.kids_.shrink_to_fit();
    out.code_.shrink_to_fit();
    out.primary_slot_.shrink_to_fit();
    out.tests_.shrink_to_fit();
    out.disjuncts_.shrink_to_fit();
    out.edges_.shrink_to_fit();
    out.defeaters_.shrink_to_fit();
    out.defeater_begin_.shrink_to_fit();
    out.bucket_.shrink_to_fit();
    out.chunks_.shrink_to_fit();
    out.chunk_rows_.shrink_to_fit();
    out.deferred_.shrink_to_fit();
    out.defeater_positions_.shrink_to_fit();
    out.rule_json_ids_.shrink_to_fit();
  }
};

void build_rule_index(CompiledPolicy& out, const Policy& policy) {
  FastIndexer indexer{out, policy};
  indexer.build_code();
  indexer.compact();
}

}  // namespace proviso
