// Compiling a checked Policy into the fast evaluation form (compiled.hpp):
// expressions flattened into one node array and the exception graph as CSR
// arrays; the rule records and the rule index are compiled_index.cpp's.
#include "compiled.hpp"
#include "compiled_index.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

namespace proviso {
namespace {

bool int_like(TypeKind k) { return k != TypeKind::decimal && k != TypeKind::string; }

std::uint64_t cell_of(const Value& v) {
  switch (v.kind) {
    case TypeKind::decimal: return static_cast<std::uint64_t>(v.decimal);
    case TypeKind::set: return v.bits;
    default: return static_cast<std::uint64_t>(v.integer);
  }
}

}  // namespace

struct FastCompiler {
  CompiledPolicy& out;
  const Policy& policy;

  std::int32_t push(FastNode n) {
    out.nodes_.push_back(n);
    return static_cast<std::int32_t>(out.nodes_.size() - 1);
  }

  std::uint64_t intern(const std::string& text) {
    auto [it, fresh] = out.text_ids_.try_emplace(text, out.texts_.size());
    if (fresh) out.texts_.push_back(text);
    return it->second;
  }

  std::int32_t constant(const Value& v, TypeKind kind) {
    FastNode n;
    n.op = FastNode::Op::constant;
    n.kind = kind;
    n.known = v.known;
    n.unit = v.unit;
    if (kind == TypeKind::string) {
      n.k = intern(v.text);
    } else {
      n.k = cell_of(v);
    }
    return push(n);
  }

  static bool is_fact(const CExpr& e) { return e.op == CExpr::Op::fact; }
  static bool is_const(const CExpr& e) { return e.op == CExpr::Op::constant && e.constant.known; }

  // `fact OP constant` in the shapes that need one load and one compare.
  std::int32_t specialised(const CExpr& e) {
    using Op = CExpr::Op;
    if (e.args.size() != 2) return -1;
    const CExpr &l = e.args[0], &r = e.args[1];
    FastNode n;
    n.kind = TypeKind::boolean;
    auto with = [&](FastNode::Op op, const CExpr& fact, std::uint64_t k) {
      n.op = op;
      n.a = fact.slot;
      n.k = k;
      return push(n);
    };
    switch (e.op) {
      case Op::eq:
        if (is_fact(l) && is_const(r) && int_like(l.type.kind) && int_like(r.constant.kind)) return with(FastNode::Op::fact_eq_k, l, cell_of(r.constant));
        if (is_fact(r) && is_const(l) && int_like(r.type.kind) && int_like(l.constant.kind)) return with(FastNode::Op::fact_eq_k, r, cell_of(l.constant));
        for (auto [fact, text] : {std::pair{&l, &r}, std::pair{&r, &l}})
          if (is_fact(*fact) && is_const(*text) && fact->type.kind == TypeKind::string && text->constant.kind == TypeKind::string)
            return with(FastNode::Op::fact_eq_text, *fact, intern(text->constant.text));
        return -1;
      case Op::lt: case Op::le: case Op::gt: case Op::ge: {
        // Integers and dates order as int64; decimals and mixed operands take the general path.
        auto ordinal = [](TypeKind k) { return k == TypeKind::integer || k == TypeKind::date; };
        using F = FastNode::Op;
        const F direct = e.op == Op::lt ? F::fact_lt_k : e.op == Op::le ? F::fact_le_k : e.op == Op::gt ? F::fact_gt_k : F::fact_ge_k;
        const F mirrored = e.op == Op::lt ? F::fact_gt_k : e.op == Op::le ? F::fact_ge_k : e.op == Op::gt ? F::fact_lt_k : F::fact_le_k;
        if (is_fact(l) && is_const(r) && ordinal(l.type.kind) && r.constant.kind == l.type.kind) return with(direct, l, cell_of(r.constant));
        if (is_const(l) && is_fact(r) && ordinal(r.type.kind) && l.constant.kind == r.type.kind) return with(mirrored, r, cell_of(l.constant));
        return -1;
      }
      case Op::in:
        if (is_fact(l) && is_const(r) && r.constant.bits != 0) return with(FastNode::Op::fact_in_k, l, r.constant.bits);
        if (is_const(l) && is_fact(r) && l.constant.integer >= 0 && l.constant.integer < 64)
          return with(FastNode::Op::fact_intersects_k, r, std::uint64_t{1} << l.constant.integer);
        return -1;
      case Op::superset:
        if (is_fact(l) && is_const(r)) return with(FastNode::Op::fact_superset_k, l, r.constant.bits);
        if (is_const(l) && is_fact(r)) return with(FastNode::Op::fact_subset_k, r, l.constant.bits);
        return -1;
      case Op::subset:
        if (is_fact(l) && is_const(r)) return with(FastNode::Op::fact_subset_k, l, r.constant.bits);
        if (is_const(l) && is_fact(r)) return with(FastNode::Op::fact_superset_k, r, l.constant.bits);
        return -1;
      case Op::intersects:
        if (is_fact(l) && is_const(r)) return with(FastNode::Op::fact_intersects_k, l, r.constant.bits);
        if (is_const(l) && is_fact(r)) return with(FastNode::Op::fact_intersects_k, r, l.constant.bits);
        return -1;
      default: return -1;
    }
  }

  // `not` of an enum fact == or in a constant (`!=`, `not in`) is the fact
  // in the other values, in Kleene logic too (unknown stays unknown): one
  // leaf, which the rule index can take as a guard and drop from a test
  // sequence, rather than a subtree. Returns a constant node when it is not that shape.
  FastNode complement_in(const FastNode& inner) const {
    FastNode in;
    if ((inner.op != FastNode::Op::fact_eq_k && inner.op != FastNode::Op::fact_in_k) ||
        policy.facts[inner.a].type.kind != TypeKind::enumeration)
      return in;
    const auto domain = policy.enums[policy.facts[inner.a].type.enum_id].values.size();
    if (domain > 64 || (inner.op == FastNode::Op::fact_eq_k && inner.k >= 64)) return in;
    const std::uint64_t all = domain == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << domain) - 1;
    const std::uint64_t admitted = inner.op == FastNode::Op::fact_eq_k ? std::uint64_t{1} << inner.k : inner.k;
    in.op = FastNode::Op::fact_in_k;
    in.a = inner.a;
    in.k = all & ~admitted;
    return in;
  }

  std::int32_t expr(const CExpr& e) {
    using Op = CExpr::Op;
    using F = FastNode::Op;
    FastNode n;
    n.kind = e.type.kind;
    switch (e.op) {
      case Op::constant: return constant(e.constant, e.constant.known ? e.constant.kind : e.type.kind);
      case Op::fact: n.op = F::fact; n.a = e.slot; return push(n);
      case Op::interpretation: n.op = F::interpretation; n.a = e.slot; return push(n);
      case Op::definition:
        // A definition that is one leaf (`disclosure.source in {…}`) is that
        // leaf wherever it is used: one inline test, which the rule index can
        // take as a guard, rather than a memo to look up.
        if (const auto root = out.definition_root_[e.slot]; root >= 0 && is_leaf(out.nodes_[root].op)) return push(out.nodes_[root]);
        n.op = F::definition;
        n.a = e.slot;
        return push(n);
      case Op::is_known: n.op = F::is_known; n.a = e.args[0].slot; return push(n);
      case Op::not_:
        // `not` a bool fact is `fact == false` in Kleene logic too (unknown stays unknown): one leaf.
        if (e.args[0].op == Op::fact && e.args[0].type.kind == TypeKind::boolean) {
          n.op = F::fact_eq_k;
          n.a = e.args[0].slot;
          n.k = 0;
          return push(n);
        }
        n.op = F::not_;
        n.a = expr(e.args[0]);
        if (auto in = complement_in(out.nodes_[n.a]); in.op == F::fact_in_k) return push(in);
        return push(n);
      case Op::and_:
      case Op::or_: {
        std::vector<std::int32_t> kids;
        for (const auto& a : e.args) kids.push_back(expr(a));
        n.op = e.op == Op::and_ ? F::and_ : F::or_;
        n.a = static_cast<std::int32_t>(out.kids_.size());
        n.b = static_cast<std::int32_t>(kids.size());
        out.kids_.insert(out.kids_.end(), kids.begin(), kids.end());
        return push(n);
      }
      case Op::negate: n.op = F::negate; n.a = expr(e.args[0]); return push(n);
      default: break;
    }
    if (auto s = specialised(e); s >= 0) return s;
    static const std::map<Op, F> general{{Op::eq, F::eq}, {Op::lt, F::lt}, {Op::le, F::le}, {Op::gt, F::gt},
                                         {Op::ge, F::ge}, {Op::in, F::in}, {Op::subset, F::subset},
                                         {Op::superset, F::superset}, {Op::intersects, F::intersects},
                                         {Op::add, F::add}, {Op::sub, F::sub}};
    n.op = general.at(e.op);
    n.a = expr(e.args[0]);
    n.b = expr(e.args[1]);
    return push(n);
  }

  void compile() {
    const auto& p = policy;
    // Definitions first: guards look through them. They are in dependency order.
    out.definition_root_.assign(p.definitions.size(), -1);
    for (std::size_t d = 0; d < p.definitions.size(); ++d) out.definition_root_[d] = expr(p.definitions[d].expr);
    const auto count = p.rules.size();
    out.rule_root_.assign(count, -1);
    out.effect_.resize(count);
    out.rule_json_begin_.push_back(0);
    for (std::size_t r = 0; r < count; ++r) {
      const auto& rule = p.rules[r];
      if (rule.when) out.rule_root_[r] = expr(*rule.when);
      out.effect_[r] = rule.is_permit() ? 0 : rule.is_forbid() ? 1 : 2;
      out.rule_json_ids_ += nlohmann::json(rule.id).dump();
      out.rule_json_begin_.push_back(static_cast<std::uint32_t>(out.rule_json_ids_.size()));
    }
    out.order_.assign(p.evaluation_order.begin(), p.evaluation_order.end());
    out.position_.assign(count, -1);
    for (std::size_t pos = 0; pos < out.order_.size(); ++pos) out.position_[out.order_[pos]] = static_cast<std::int32_t>(pos);
    out.edge_begin_.push_back(0);
    out.defeater_begin_.push_back(0);
    for (std::size_t r = 0; r < count; ++r) {
      out.edges_.insert(out.edges_.end(), p.rules[r].exception_to.begin(), p.rules[r].exception_to.end());
      out.edge_begin_.push_back(static_cast<std::int32_t>(out.edges_.size()));
      out.defeaters_.insert(out.defeaters_.end(), p.rules[r].defeaters.begin(), p.rules[r].defeaters.end());
      out.defeater_begin_.push_back(static_cast<std::int32_t>(out.defeaters_.size()));
    }
    for (const auto& i : p.interpretations) out.interpretation_default_.push_back(i.default_value ? 1 : 0);
    build_rule_index(out, policy);
  }
};

CompiledPolicy::CompiledPolicy(std::shared_ptr<const Policy> policy, bool defer_always)
    : policy_(std::move(policy)), small_(!defer_always) {  // (build_rule_index clears small_ past 64 rules)
  FastCompiler{*this, *policy_}.compile();
  find_string_uses();
}

void CompiledPolicy::find_string_uses() {
  string_use_.assign(policy_->facts.size(), StringUse::unread);
  std::function<void(const CExpr&)> mark_read = [&](const CExpr& e) {
    if (e.op == CExpr::Op::fact) string_use_[static_cast<std::size_t>(e.slot)] = StringUse::id;
    for (const auto& arg : e.args) mark_read(arg);
  };
  for (const auto& rule : policy_->rules)
    if (rule.when) mark_read(*rule.when);
  for (const auto& definition : policy_->definitions) mark_read(definition.expr);
  // FastEval::value() is the one reader of FastFacts::strings, through a fact node.
  for (const auto& n : nodes_)
    if (n.op == FastNode::Op::fact && n.kind == TypeKind::string) string_use_[static_cast<std::size_t>(n.a)] = StringUse::text;
  text_index_.assign(policy_->facts.size(), -1);
  kept_texts_ = 0;
  for (std::size_t slot = 0; slot < string_use_.size(); ++slot)
    if (string_use_[slot] == StringUse::text) text_index_[slot] = static_cast<std::int32_t>(kept_texts_++);
}

FastFacts::FastFacts(std::size_t slots, std::size_t interpretation_count, std::size_t text_count)
    : interpretation_count_(static_cast<std::uint32_t>(interpretation_count)), text_count_(static_cast<std::uint32_t>(text_count)) {
  const std::size_t bytes = slots * 8 + round_up(slots) + round_up(interpretation_count) + text_count * sizeof(std::string);
  static_assert(alignof(std::string) <= 8);
  cells = static_cast<std::uint64_t*>(::operator new(bytes));
  std::fill_n(cells, slots, std::uint64_t{0});
  known = reinterpret_cast<std::uint8_t*>(cells + slots);
  std::fill_n(known, slots, std::uint8_t{0});  // every fact unknown
  interpretations = reinterpret_cast<std::int8_t*>(known + round_up(slots));
  std::fill_n(interpretations, interpretation_count, std::int8_t{-1});
  auto* texts = reinterpret_cast<std::uint8_t*>(interpretations) + round_up(interpretation_count);
  for (std::size_t i = 0; i < text_count; ++i) new (texts + i * sizeof(std::string)) std::string;
}

FastFacts::FastFacts(const FastFacts& other) : FastFacts(other.slot_count(), other.interpretation_count_, other.text_count_) {
  std::copy_n(other.cells, slot_count(), cells);
  std::copy_n(other.known, slot_count(), known);
  std::copy_n(other.interpretations, interpretation_count_, interpretations);
  for (std::size_t i = 0; i < text_count_; ++i) text(i) = other.text(i);
}

FastFacts& FastFacts::operator=(const FastFacts& other) {
  if (this != &other) *this = FastFacts(other);
  return *this;
}

void FastFacts::take(FastFacts& other) noexcept {
  cells = std::exchange(other.cells, nullptr);
  known = std::exchange(other.known, nullptr);
  interpretations = std::exchange(other.interpretations, nullptr);
  interpretation_count_ = std::exchange(other.interpretation_count_, 0);
  text_count_ = std::exchange(other.text_count_, 0);
}

void FastFacts::release() noexcept {
  if (!cells) return;
  for (std::size_t i = 0; i < text_count_; ++i) text(i).~basic_string();
  ::operator delete(cells);
  cells = nullptr;
  known = nullptr;
  interpretations = nullptr;
}

FastFacts CompiledPolicy::make_facts() const {
  return FastFacts(policy_->facts.size(), policy_->interpretations.size(), kept_texts_);
}

FastScratch CompiledPolicy::make_scratch() const {
  FastScratch s;
  const auto rules = policy_->rules.size();
  s.definitions.resize(policy_->definitions.size());
  s.rules.resize(rules);
  s.candidates.assign(words_, 0);
  s.applying.assign(words_, 0);
  s.touched.assign(words_ / 64 + 1, 0);
  s.defeated_permits.resize(rules);
  s.listed.resize(rules);
  s.permits.assign((rules + 63) / 64, 0);
  s.forbids.assign((rules + 63) / 64, 0);
  s.in_force_words.assign((rules + 63) / 64 / 64 + 1, 0);
  s.authorities.reserve(rules);
  return s;
}

void CompiledPolicy::load_facts(const Facts& facts, FastFacts& out) const {
  for (std::size_t slot = 0; slot < facts.values.size(); ++slot) load_fact(static_cast<std::int32_t>(slot), facts.values[slot], out);
  std::copy(facts.interpretations.begin(), facts.interpretations.end(), out.interpretations);
}

void CompiledPolicy::load_fact(std::int32_t slot, const Value& v, FastFacts& out) const {
  out.known[slot] = v.known;
  out.cells[slot] = v.known ? cell_of(v) : 0;
  if (v.known && v.kind == TypeKind::string) {
    if (const auto kept = text_index(slot); kept >= 0) out.text(static_cast<std::size_t>(kept)) = v.text;
    out.cells[slot] = text_id(v.text);
  }
}

void CompiledPolicy::append_decision_json(Outcome outcome, const std::vector<std::int32_t>& authorities,
                                          std::string& out) const {
  out += R"({"decision":")";
  out += outcome_name(outcome);
  out += R"(","authorities":[)";
  for (std::size_t i = 0; i < authorities.size(); ++i) {
    if (i) out += ',';
    const auto r = static_cast<std::size_t>(authorities[i]);
    out.append(rule_json_ids_, rule_json_begin_[r], rule_json_begin_[r + 1] - rule_json_begin_[r]);
  }
  out += "]}";
}

std::size_t CompiledPolicy::memory_bytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  std::size_t total = sizeof(*this) + bytes(nodes_) + bytes(kids_) + bytes(rule_root_) + bytes(definition_root_) +
                      bytes(effect_) + bytes(position_) + bytes(order_) + bytes(edge_begin_) + bytes(edges_) +
                      bytes(defeater_begin_) + bytes(defeaters_) + bytes(interpretation_default_) + bytes(index_slots_) +
                      bytes(chunk_begin_) + bytes(chunks_) + bytes(chunk_rows_) + bytes(bucket_) + bytes(deferred_begin_) + bytes(deferred_) +
                      bytes(defeater_positions_) + bytes(unindexed_) + bytes(code_) + bytes(primary_slot_) + bytes(tests_) +
                      bytes(small_guards_) + bytes(small_admits_) + bytes(small_defeaters_) + bytes(shared_leaves_) + bytes(shared_runs_) +
                      bytes(definition_disjuncts_) + bytes(disjuncts_) + bytes(text_index_) + bytes(string_use_);
  for (const auto& t : texts_) total += 2 * (sizeof(t) + t.capacity()) + 2 * sizeof(void*);  // and its text_ids_ entry
  total += rule_json_ids_.capacity() + bytes(rule_json_begin_);
  return total;
}

std::string compact_decision_json(const Policy& policy, const Decision& decision) {
  std::string out = R"({"decision":")" + std::string(outcome_name(decision.outcome)) + R"(","authorities":[)";
  for (std::size_t i = 0; i < decision.authorities.size(); ++i) {
    if (i) out += ',';
    out += nlohmann::json(policy.rules[decision.authorities[i]].id).dump();
  }
  return out + "]}";
}

}  // namespace proviso
