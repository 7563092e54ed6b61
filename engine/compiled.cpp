// Compiling a checked Policy into the fast evaluation form (compiled.hpp):
// expressions flattened into one node array, the exception graph as CSR
// arrays in evaluation order, and the rule index built from guard conjuncts.
#include "compiled.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <map>

namespace proviso {
namespace {

bool int_like(TypeKind k) { return k != TypeKind::decimal && k != TypeKind::string; }

std::uint64_t cell_of(const Value& v) {
  switch (v.kind) {
    case TypeKind::decimal: return std::bit_cast<std::uint64_t>(v.decimal);
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

  std::int32_t constant(const Value& v, TypeKind kind) {
    FastNode n;
    n.op = FastNode::Op::constant;
    n.kind = kind;
    n.known = v.known;
    n.unit = v.unit;
    if (kind == TypeKind::string) {
      n.k = out.texts_.size();
      out.texts_.push_back(v.text);
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
          if (is_fact(*fact) && is_const(*text) && fact->type.kind == TypeKind::string && text->constant.kind == TypeKind::string) {
            out.texts_.push_back(text->constant.text);
            return with(FastNode::Op::fact_eq_text, *fact, out.texts_.size() - 1);
          }
        return -1;
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

  std::int32_t expr(const CExpr& e) {
    using Op = CExpr::Op;
    using F = FastNode::Op;
    FastNode n;
    n.kind = e.type.kind;
    switch (e.op) {
      case Op::constant: return constant(e.constant, e.constant.known ? e.constant.kind : e.type.kind);
      case Op::fact: n.op = F::fact; n.a = e.slot; return push(n);
      case Op::interpretation: n.op = F::interpretation; n.a = e.slot; return push(n);
      case Op::definition: n.op = F::definition; n.a = e.slot; return push(n);
      case Op::is_known: n.op = F::is_known; n.a = e.args[0].slot; return push(n);
      case Op::not_: n.op = F::not_; n.a = expr(e.args[0]); return push(n);
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

  // Guards: conjuncts whose falsity makes the rule's condition false, of the
  // form `fact in S`, `fact == v` or a bool fact, seen through definitions.
  struct Guard {
    std::int32_t slot = -1;
    std::uint64_t admitted = 0;
    std::uint32_t domain = 0;
  };

  std::uint32_t domain_of(std::int32_t slot) const {
    const auto& type = policy.facts[slot].type;
    if (type.kind == TypeKind::boolean) return 2;
    if (type.kind == TypeKind::enumeration) return static_cast<std::uint32_t>(policy.enums[type.enum_id].values.size());
    return 0;
  }

  void guards(std::int32_t node, int depth, std::vector<Guard>& found) const {
    const auto& n = out.nodes_[node];
    auto add = [&](std::int32_t slot, std::uint64_t admitted) {
      auto domain = domain_of(slot);
      if (domain == 0 || domain > 64) return;
      found.push_back({slot, admitted, domain});
    };
    switch (n.op) {
      case FastNode::Op::and_:
        for (std::int32_t i = 0; i < n.b; ++i) guards(out.kids_[n.a + i], depth, found);
        break;
      case FastNode::Op::definition:
        if (depth < 8) guards(out.definition_root_[n.a], depth + 1, found);
        break;
      case FastNode::Op::fact:
        if (n.kind == TypeKind::boolean) add(n.a, 0b10);
        break;
      case FastNode::Op::not_:
        if (const auto& c = out.nodes_[n.a]; c.op == FastNode::Op::fact && c.kind == TypeKind::boolean) add(c.a, 0b01);
        break;
      case FastNode::Op::fact_eq_k:
        if (n.k < 64 && domain_of(n.a) > 0) add(n.a, std::uint64_t{1} << n.k);
        break;
      case FastNode::Op::fact_in_k:
        if (policy.facts[n.a].type.kind == TypeKind::enumeration) add(n.a, n.k);
        break;
      default: break;
    }
  }

  void build_index() {
    const auto count = static_cast<std::int32_t>(policy.rules.size());
    // Below this size a straight pass is cheaper than gathering candidates.
    out.indexed_ = count >= 24;
    if (!out.indexed_) return;
    std::map<std::int32_t, std::size_t> slot_index;
    for (std::int32_t pos = 0; pos < count; ++pos) {
      const auto r = out.order_[pos];
      std::vector<Guard> found;
      if (out.rule_root_[r] >= 0) guards(out.rule_root_[r], 0, found);
      // Several guards on one slot narrow each other; then keep the most selective slot.
      std::map<std::int32_t, Guard> by_slot;
      for (const auto& g : found) {
        auto [it, fresh] = by_slot.try_emplace(g.slot, g);
        if (!fresh) it->second.admitted &= g.admitted;
      }
      const Guard* best = nullptr;
      for (const auto& [slot, g] : by_slot)
        if (!best || std::popcount(g.admitted) * best->domain < std::popcount(best->admitted) * g.domain) best = &g;
      if (!best || std::popcount(best->admitted) == static_cast<int>(best->domain)) {
        out.always_.push_back(pos);
        continue;
      }
      auto [it, fresh] = slot_index.try_emplace(best->slot, out.index_.size());
      if (fresh) {
        CompiledPolicy::SlotIndex index;
        index.slot = best->slot;
        index.by_value.resize(best->domain);
        out.index_.push_back(std::move(index));
      }
      auto& index = out.index_[it->second];
      index.all.push_back(pos);
      for (std::uint32_t v = 0; v < best->domain; ++v)
        if ((best->admitted >> v) & 1u) index.by_value[v].push_back(pos);
    }
  }

  void compile() {
    const auto& p = policy;
    // Definitions first: guards look through them. They are in dependency order.
    out.definition_root_.assign(p.definitions.size(), -1);
    for (std::size_t d = 0; d < p.definitions.size(); ++d) out.definition_root_[d] = expr(p.definitions[d].expr);
    const auto count = p.rules.size();
    out.rule_root_.assign(count, -1);
    out.effect_.resize(count);
    out.rule_json_id_.resize(count);
    for (std::size_t r = 0; r < count; ++r) {
      const auto& rule = p.rules[r];
      if (rule.when) out.rule_root_[r] = expr(*rule.when);
      out.effect_[r] = rule.is_permit() ? 0 : rule.is_forbid() ? 1 : 2;
      out.rule_json_id_[r] = nlohmann::json(rule.id).dump();
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
    build_index();
  }
};

CompiledPolicy::CompiledPolicy(std::shared_ptr<const Policy> policy) : policy_(std::move(policy)) {
  FastCompiler{*this, *policy_}.compile();
}

FastFacts CompiledPolicy::make_facts() const {
  FastFacts f;
  f.cells.assign(policy_->facts.size(), 0);
  f.known.assign(policy_->facts.size(), 0);
  f.strings.resize(policy_->facts.size());
  f.interpretations.assign(policy_->interpretations.size(), -1);
  return f;
}

FastScratch CompiledPolicy::make_scratch() const {
  FastScratch s;
  const auto rules = policy_->rules.size();
  s.definitions.resize(policy_->definitions.size());
  s.rules.resize(rules);
  s.candidates.assign((rules + 63) / 64, 0);
  s.defeated_permits.reserve(rules);
  s.permits.reserve(rules);
  s.forbids.reserve(rules);
  s.authorities.reserve(rules);
  return s;
}

void CompiledPolicy::load_facts(const Facts& facts, FastFacts& out) const {
  for (std::size_t slot = 0; slot < facts.values.size(); ++slot) {
    const auto& v = facts.values[slot];
    out.known[slot] = v.known;
    out.cells[slot] = v.known ? cell_of(v) : 0;
    if (v.known && v.kind == TypeKind::string) out.strings[slot] = v.text;
  }
  out.interpretations.assign(facts.interpretations.begin(), facts.interpretations.end());
}

void CompiledPolicy::append_decision_json(Outcome outcome, const std::vector<std::int32_t>& authorities,
                                          std::string& out) const {
  out += R"({"decision":")";
  out += outcome_name(outcome);
  out += R"(","authorities":[)";
  for (std::size_t i = 0; i < authorities.size(); ++i) {
    if (i) out += ',';
    out += rule_json_id_[authorities[i]];
  }
  out += "]}";
}

std::size_t CompiledPolicy::memory_bytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  std::size_t total = sizeof(*this) + bytes(nodes_) + bytes(kids_) + bytes(rule_root_) + bytes(definition_root_) +
                      bytes(effect_) + bytes(position_) + bytes(order_) + bytes(edge_begin_) + bytes(edges_) +
                      bytes(defeater_begin_) + bytes(defeaters_) + bytes(interpretation_default_) + bytes(always_);
  for (const auto& t : texts_) total += sizeof(t) + t.capacity();
  for (const auto& t : rule_json_id_) total += sizeof(t) + t.capacity();
  for (const auto& i : index_) {
    total += sizeof(i) + bytes(i.all) + bytes(i.by_value);
    for (const auto& v : i.by_value) total += bytes(v);
  }
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
