// The tracing program's construction (eval_program.hpp): the expression
// nodes the rules reach, in post-order; the steps a pass executes, with
// comparisons of a fact and a constant fused into one step and the leaves
// grouped by kind; and what each interpretation's re-run must execute again.
#include <algorithm>
#include <limits>
#include <map>

#include "eval_program.hpp"

namespace proviso::tracing {
namespace {

using Op = CExpr::Op;
using Kind = Step::Kind;

// Steps that read no other step's result: a pass runs them first, a group of
// each kind in a loop of its own.
bool is_leaf(Kind kind) {
  switch (kind) {
    case Kind::constant_truth: case Kind::fact_truth: case Kind::interpretation: case Kind::is_known:
    case Kind::integer_in_range: case Kind::enum_in_set: case Kind::set_masked_equals: case Kind::set_masked_any:
    case Kind::fact_value: case Kind::constant_value: return true;
    default: return false;
  }
}

}  // namespace

Program::Program(const Policy& policy)
    : conditions_(policy.conditions.size()), rule_root_(policy.rules.size(), -1), definition_root_(policy.definitions.size(), -1),
      reruns_(policy.interpretations.size()), rerun_seeds_(policy.interpretations.size()),
      value_readers_(policy.interpretations.size()), read_by_rule_(policy.interpretations.size(), 0) {
  // Rules in index order, each condition in post-order: the order in which
  // the walk first visits each node, so the trace is written in its order too.
  for (std::size_t r = 0; r < policy.rules.size(); ++r)
    if (policy.rules[r].when) rule_root_[r] = emit(policy, *policy.rules[r].when);
  std::vector<std::int32_t> step_nodes;  // by step: its node
  build_steps(step_nodes);
  for (auto root : rule_root_) rule_slot_.push_back(root < 0 ? -1 : slot_[root]);
  std::vector<std::vector<std::int32_t>> exception_to(policy.rules.size());
  for (std::size_t r = 0; r < policy.rules.size(); ++r)
    for (auto d : policy.rules[r].defeaters) exception_to[d].push_back(static_cast<std::int32_t>(r));
  for (const auto& rules : exception_to) {
    roles_.exception_to_first.push_back(static_cast<std::uint32_t>(roles_.exception_to.size()));
    roles_.exception_to.insert(roles_.exception_to.end(), rules.begin(), rules.end());
  }
  roles_.exception_to_first.push_back(static_cast<std::uint32_t>(roles_.exception_to.size()));
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    if (rule.is_limit()) continue;
    (rule.is_permit() ? roles_.permits : roles_.forbids).push_back(static_cast<std::int32_t>(r));
  }
  for (std::size_t d = 0; d < policy.rules.size(); ++d) {
    if (!policy.rules[d].is_limit()) continue;
    RuleRoles::Limit limit{static_cast<std::int32_t>(d), static_cast<std::uint32_t>(roles_.limited_permits.size()), 0};
    for (std::size_t p = 0; p < policy.rules.size(); ++p) {
      const auto& defeaters = policy.rules[p].defeaters;
      if (policy.rules[p].is_permit() && std::find(defeaters.begin(), defeaters.end(), static_cast<std::int32_t>(d)) != defeaters.end())
        roles_.limited_permits.push_back(static_cast<std::int32_t>(p));
    }
    limit.count = static_cast<std::uint32_t>(roles_.limited_permits.size()) - limit.first;
    if (limit.count > 0) roles_.limits.push_back(limit);
  }
  // What reads each interpretation, through any number of operands: the
  // instructions are in topological order, so one pass each. A fused
  // comparison reads a fact and a constant, never an interpretation.
  std::vector<std::uint8_t> reads(code_.size());
  for (std::size_t index = 0; index < reruns_.size(); ++index) {
    for (std::size_t i = 0; i < code_.size(); ++i) {
      const auto& in = code_[i];
      bool r = in.op == Op::interpretation && in.slot == static_cast<std::int32_t>(index);
      for (std::uint32_t k = 0; k < in.count && !r; ++k) r = reads[operands_[in.first + k]] != 0;
      reads[i] = r;
    }
    // Each reader with the later readers of its node: the re-run executes a
    // reader only when one of its operands that read the interpretation
    // changed (the others cannot).
    std::vector<std::int32_t> reader_slot(slots_, -1);  // the position of the last re-run writing it
    std::vector<std::vector<std::int32_t>> readers;     // by position: the later positions that read its node
    for (std::size_t s = 0; s < steps_.size(); ++s) {
      const Step& step = steps_[s];
      if (!reads[step_nodes[s]]) continue;
      const auto position = static_cast<std::int32_t>(readers.size());
      readers.emplace_back();
      const auto add = [&](std::int32_t slot) {
        if (slot >= 0 && reader_slot[slot] >= 0) {
          auto& of = readers[reader_slot[slot]];
          if (of.empty() || of.back() != position) of.push_back(position);
        }
      };
      switch (step.kind) {
        case Kind::all_of:
        case Kind::any_of:
          for (std::int64_t k = 0; k < step.y; ++k) add(step_operands_[step.x + k]);
          break;
        case Kind::cell_of_truth: add(step.node); break;
        case Kind::not_:
        case Kind::compare:
        case Kind::arithmetic:
        case Kind::negate:
          add(step.a);
          add(step.b);
          break;
        default: break;  // a leaf: the interpretation itself
      }
      Rerun rerun;
      rerun.step = static_cast<std::int32_t>(s);
      reruns_[index].push_back(rerun);
      reader_slot[step.node] = position;
      if (step.kind >= Kind::fact_value) value_readers_[index].push_back(step.node);
    }
    std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> rules(readers.size());  // by position
    for (std::size_t rule = 0; rule < rule_root_.size(); ++rule)
      if (rule_root_[rule] >= 0 && reads[rule_root_[rule]]) {
        const std::int32_t slot = slot_[rule_root_[rule]];
        rules[reader_slot[slot]].emplace_back(static_cast<std::int32_t>(rule), slot);
      }
    rerun_seeds_[index].assign((readers.size() + 63) / 64, 0);
    for (std::size_t p = 0; p < readers.size(); ++p) {
      auto& rerun = reruns_[index][p];
      rerun.first = static_cast<std::uint32_t>(rerun_readers_.size());
      rerun.count = static_cast<std::uint32_t>(readers[p].size());
      rerun_readers_.insert(rerun_readers_.end(), readers[p].begin(), readers[p].end());
      rerun.first_rule = static_cast<std::uint32_t>(rerun_rules_.size());
      rerun.rules = static_cast<std::uint32_t>(rules[p].size());
      rerun_rules_.insert(rerun_rules_.end(), rules[p].begin(), rules[p].end());
      if (steps_[rerun.step].kind == Kind::interpretation) rerun_seeds_[index][p / 64] |= std::uint64_t{1} << (p % 64);
    }
  }
  for (const auto& rule : policy.rules) {
    if (!rule.when) continue;
    if (rule.condition < 0) {  // not linked: assume it reads them all
      std::fill(read_by_rule_.begin(), read_by_rule_.end(), 1);
      break;
    }
    for (auto i : policy.conditions[rule.condition].interpretations) read_by_rule_[i] = 1;
  }
}

std::int32_t Program::emit(const Policy& policy, const CExpr& e) {
  Instruction in;
  in.op = e.op;
  in.kind = e.type.kind;
  in.condition = e.condition;
  in.slot = e.op == Op::add || e.op == Op::sub || e.op == Op::negate ? static_cast<std::int32_t>(computed_++) : e.slot;
  // The operands the walk evaluates: `not` and negation read the first,
  // comparisons and arithmetic the first two, `all of` / `any of` all, and
  // `is known` none (it reads its fact's presence, not its value).
  std::vector<std::int32_t> args;
  switch (e.op) {
    case Op::constant: in.constant = &e.constant; break;
    case Op::fact:
    case Op::interpretation: break;
    case Op::definition:
      if (definition_root_[e.slot] < 0) definition_root_[e.slot] = emit(policy, policy.definitions[e.slot].expr);
      args.push_back(definition_root_[e.slot]);
      break;
    case Op::is_known: in.slot = e.args[0].slot; break;
    case Op::not_:
    case Op::negate: args.push_back(emit(policy, e.args[0])); break;
    case Op::and_:
    case Op::or_:
      for (const auto& a : e.args) args.push_back(emit(policy, a));
      break;
    default:
      args.push_back(emit(policy, e.args[0]));
      args.push_back(emit(policy, e.args[1]));
  }
  in.first = static_cast<std::uint32_t>(operands_.size());
  in.count = static_cast<std::uint32_t>(args.size());
  if (!args.empty()) in.a = args[0];
  if (args.size() > 1) in.b = args[1];
  operands_.insert(operands_.end(), args.begin(), args.end());
  // Evaluating a memoised definition again is one step; any other node costs
  // itself and its operands.
  if (e.op != Op::definition)
    for (auto a : args) in.eval_steps += code_[a].eval_steps;
  code_.push_back(in);
  return static_cast<std::int32_t>(code_.size() - 1);
}

namespace {

bool is_comparison(Op op) {
  switch (op) {
    case Op::eq: case Op::lt: case Op::le: case Op::gt: case Op::ge:
    case Op::in: case Op::subset: case Op::superset: case Op::intersects: return true;
    default: return false;
  }
}

// Kinds compare_values orders by their integer: not decimals, strings or sets.
bool integer_like(TypeKind kind) {
  return kind != TypeKind::decimal && kind != TypeKind::string && kind != TypeKind::set;
}

// `constant OP fact` as `fact OP' constant`.
Op mirrored(Op op) {
  switch (op) {
    case Op::lt: return Op::gt;
    case Op::le: return Op::ge;
    case Op::gt: return Op::lt;
    case Op::ge: return Op::le;
    case Op::subset: return Op::superset;
    case Op::superset: return Op::subset;
    default: return op;  // eq, intersects; `in` is handled apart
  }
}

}  // namespace

// A comparison of a fact with a constant as one step on the fact's value,
// exactly as compare_truth() would decide it from the two Values; false when it
// stays a general comparison (decimals, strings, a phrased operand).
bool Program::fuse(std::int32_t node, Step& step) const {
  const Instruction& in = code_[node];
  if (!is_comparison(in.op)) return false;
  const Instruction &left = code_[in.a], &right = code_[in.b];
  const bool fact_left = left.op == Op::fact && right.op == Op::constant;
  if (!fact_left && !(left.op == Op::constant && right.op == Op::fact)) return false;
  const Instruction& fact = fact_left ? left : right;
  const Value& c = *(fact_left ? right : left).constant;
  if (left.condition >= 0 || right.condition >= 0 || !c.known) return false;
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min(), kMax = std::numeric_limits<std::int64_t>::max();
  step.a = fact.slot;
  if (in.op == Op::in) {
    if (fact_left && fact.kind == TypeKind::enumeration && c.kind == TypeKind::set) {
      step.kind = Kind::enum_in_set;  // fact in {…}
      step.x = static_cast<std::int64_t>(c.bits);
      return true;
    }
    if (!fact_left && fact.kind == TypeKind::set && c.kind == TypeKind::enumeration && c.integer >= 0 && c.integer < 64) {
      step.kind = Kind::set_masked_any;  // value in fact
      step.x = static_cast<std::int64_t>(std::uint64_t{1} << c.integer);
      return true;
    }
    return false;
  }
  const Op op = fact_left ? in.op : mirrored(in.op);
  if (fact.kind == TypeKind::set && c.kind == TypeKind::set) {
    const auto m = static_cast<std::int64_t>(c.bits);
    switch (op) {
      case Op::eq: step.kind = Kind::set_masked_equals, step.x = -1, step.y = m; return true;  // same bits
      case Op::subset: step.kind = Kind::set_masked_equals, step.x = ~m, step.y = 0; return true;
      case Op::superset: step.kind = Kind::set_masked_equals, step.x = m, step.y = m; return true;
      case Op::intersects: step.kind = Kind::set_masked_any, step.x = m; return true;
      default: return false;
    }
  }
  if (!integer_like(fact.kind) || !integer_like(c.kind)) return false;
  const std::int64_t k = c.integer;
  step.kind = Kind::integer_in_range;
  switch (op) {
    case Op::eq: step.x = k, step.y = k; return true;
    case Op::lt:
      if (k == kMin) step.kind = Kind::set_masked_any, step.x = 0;  // never: false when the fact is known
      else step.x = kMin, step.y = k - 1;
      return true;
    case Op::le: step.x = kMin, step.y = k; return true;
    case Op::gt:
      if (k == kMax) step.kind = Kind::set_masked_any, step.x = 0;  // never, as `< min`
      else step.x = k + 1, step.y = kMax;
      return true;
    case Op::ge: step.x = k, step.y = kMax; return true;
    default: return false;
  }
}

void Program::build_steps(std::vector<std::int32_t>& step_nodes) {
  const auto n = static_cast<std::int32_t>(code_.size());
  // Which nodes a step executes (not the operands of a fused comparison) and
  // which need a Cell: every node not a boolean, and the operands of the
  // steps that read Values. Users come after their operands, so one pass
  // backwards sees every user of a node before the node.
  std::vector<Step> fused(code_.size());
  std::vector<std::uint8_t> is_fused(code_.size(), 0), skipped(code_.size(), 0), needs_value(code_.size(), 0);
  for (std::int32_t i = n - 1; i >= 0; --i) {
    const auto& in = code_[i];
    if (skipped[i]) continue;
    if (in.kind != TypeKind::boolean) needs_value[i] = 1;
    if (fuse(i, fused[i])) {
      is_fused[i] = 1;
      skipped[in.a] = skipped[in.b] = 1;
    } else if (is_comparison(in.op) || in.op == Op::add || in.op == Op::sub || in.op == Op::negate) {
      for (std::uint32_t k = 0; k < in.count; ++k) needs_value[operands_[in.first + k]] = 1;
    } else if (in.op == Op::definition && needs_value[i]) {
      needs_value[in.a] = 1;
    }
  }
  // Where each node's truth and Cell are (its slot): a phrased condition's at
  // its condition index, so the first slots are the trace as decide()
  // returns it; a definition's node at its expression's (the walk memoises
  // the value), which also takes the definition's condition when it has none.
  const auto conditions = static_cast<std::int32_t>(conditions_);
  std::vector<std::int32_t> target(code_.size()), claim(code_.size(), -1);
  for (std::int32_t i = 0; i < n; ++i) {
    const auto& in = code_[i];
    target[i] = in.op == Op::definition ? target[in.a] : i;
    if (in.op == Op::definition && in.condition >= 0 && code_[target[i]].condition < 0 && claim[target[i]] < 0)
      claim[target[i]] = in.condition;
  }
  // A node that computes what an earlier one does (the same comparison of
  // the same fact, an `all of` of the same slots, …) has no step: it shares
  // the earlier one's slot, and the trace copies its phrased condition from
  // there (moved_). Constants and the comparisons of Values are not shared.
  const auto sharing_key = [&](std::int32_t i) {
    const auto& in = code_[i];
    std::vector<std::int64_t> key;
    if (is_fused[i]) {
      const Step& f = fused[i];
      key = {0, static_cast<std::int64_t>(f.kind), f.a, f.x, f.y};
    } else if (in.op == Op::fact || in.op == Op::interpretation || in.op == Op::is_known) {
      key = {1, static_cast<std::int64_t>(in.op), in.slot};
    } else if (in.op == Op::not_ || in.op == Op::and_ || in.op == Op::or_) {
      key = {2, static_cast<std::int64_t>(in.op)};
      for (std::uint32_t k = 0; k < in.count; ++k) key.push_back(slot_[operands_[in.first + k]]);
    }
    if (!key.empty()) key.push_back(needs_value[i]);
    return key;
  };
  std::map<std::vector<std::int64_t>, std::int32_t> computed_at;  // by sharing key: its slot
  std::vector<std::uint8_t> shared(code_.size(), 0);
  std::vector<std::uint8_t> taken(conditions_, 0);
  slot_.assign(code_.size(), -1);
  std::int32_t next = conditions;
  for (std::int32_t i = 0; i < n; ++i) {
    const auto& in = code_[i];
    if (skipped[i]) continue;
    auto key = in.op == Op::definition ? std::vector<std::int64_t>{} : sharing_key(i);
    const auto earlier = key.empty() ? computed_at.end() : computed_at.find(key);
    if (in.op == Op::definition) {
      slot_[i] = slot_[target[i]];
    } else if (earlier != computed_at.end()) {
      slot_[i] = earlier->second;
      shared[i] = 1;
    } else {
      const std::int32_t c = in.condition >= 0 ? in.condition : claim[i];
      if (c >= 0 && !taken[c]) {
        taken[c] = 1;
        slot_[i] = c;
      } else {
        slot_[i] = next++;
      }
      if (!key.empty()) computed_at.emplace(std::move(key), slot_[i]);
    }
    if (in.condition >= 0 && slot_[i] != in.condition) moved_.emplace_back(in.condition, slot_[i]);
  }
  slots_ = static_cast<std::size_t>(next);
  // A condition whose node sits elsewhere (moved_) is copied from there by
  // the trace: not unreached, though its own slot is not taken.
  for (const auto& moved : moved_) taken[moved.first] = 1;
  for (std::int32_t c = 0; c < conditions; ++c)
    if (!taken[c]) unreached_.push_back(c);
  step_operands_.resize(operands_.size());
  for (std::size_t k = 0; k < operands_.size(); ++k) step_operands_[k] = slot_[operands_[k]];
  for (std::int32_t i = 0; i < n; ++i) {
    const auto& in = code_[i];
    if (skipped[i] || in.op == Op::definition || shared[i]) continue;
    Step step = is_fused[i] ? fused[i] : Step{};
    step.op = in.op;
    step.type = in.kind;
    step.node = slot_[i];
    if (!is_fused[i]) {
      step.a = in.a < 0 ? -1 : slot_[in.a];
      step.b = in.b < 0 ? -1 : slot_[in.b];
      switch (in.op) {
        case Op::constant:
          step.kind = needs_value[i] ? Kind::constant_value : Kind::constant_truth;
          step.constant = in.constant;
          step.x = static_cast<std::int64_t>(in.constant->truth());
          break;
        case Op::fact:
          step.kind = needs_value[i] ? Kind::fact_value : Kind::fact_truth;
          step.a = in.slot;
          break;
        case Op::interpretation: step.kind = Kind::interpretation, step.a = in.slot; break;
        case Op::not_: step.kind = Kind::not_; break;
        case Op::and_:
        case Op::or_:
          step.kind = in.op == Op::and_ ? Kind::all_of : Kind::any_of;
          step.x = in.first;
          step.y = in.count;
          break;
        case Op::is_known: step.kind = Kind::is_known, step.a = in.slot; break;
        case Op::add:
        case Op::sub: step.kind = Kind::arithmetic, step.x = in.slot; break;
        case Op::negate: step.kind = Kind::negate, step.x = in.slot; break;
        default: step.kind = Kind::compare;
      }
    }
    step_nodes.push_back(i);
    steps_.push_back(step);
    if (needs_value[i] && step.kind < Kind::fact_value) {
      step.kind = Kind::cell_of_truth;
      steps_.push_back(step);
      step_nodes.push_back(i);
    }
  }
  // Leaves first, grouped by kind, then the rest in node order: operands
  // still come before their users, and a pass dispatches once per group of
  // leaves (most steps are leaves) rather than once per step.
  const auto rank = [&](std::size_t s) { return is_leaf(steps_[s].kind) ? static_cast<int>(steps_[s].kind) : 1000; };
  std::vector<std::size_t> order(steps_.size());
  for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return rank(x) < rank(y); });
  std::vector<Step> sorted;
  std::vector<std::int32_t> sorted_nodes;
  for (auto s : order) {
    sorted.push_back(steps_[s]);
    sorted_nodes.push_back(step_nodes[s]);
  }
  steps_ = std::move(sorted);
  step_nodes = std::move(sorted_nodes);
  for (leaves_ = 0; leaves_ < steps_.size() && is_leaf(steps_[leaves_].kind); ++leaves_)
    if (leaves_ == 0 || steps_[leaves_].kind != steps_[leaves_ - 1].kind) leaf_groups_.push_back(leaves_);
  leaf_groups_.push_back(leaves_);
}

}  // namespace proviso::tracing
