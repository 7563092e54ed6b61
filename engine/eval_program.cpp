#include "eval_program.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <limits>
#include <mutex>

#include "value_ops.hpp"

namespace proviso {

namespace tracing {
namespace {

using Op = CExpr::Op;
using Kind = Step::Kind;

// The values a boolean node can have, and the unknown value of each type.
const Value kTruth[3] = {Value::of_bool(false), Value::of_bool(true), Value::unknown(TypeKind::boolean)};
const Value kUnknown[8] = {Value::unknown(TypeKind::boolean), Value::unknown(TypeKind::integer), Value::unknown(TypeKind::decimal),
                           Value::unknown(TypeKind::date),    Value::unknown(TypeKind::string),  Value::unknown(TypeKind::enumeration),
                           Value::unknown(TypeKind::set),     Value::unknown(TypeKind::duration)};

Cell truth_cell(Tri t) { return &kTruth[static_cast<int>(t)]; }
Cell unknown_cell(TypeKind kind) { return &kUnknown[static_cast<int>(kind)]; }

// a + b or a - b into `out`, the node's place in the store (value_ops.hpp, as the walk).
Cell arithmetic(Op op, TypeKind kind, const Value& a, const Value& b, Value& out) {
  if (!a.known || !b.known) return unknown_cell(kind);
  out = add_or_subtract(op == Op::add, kind, a, b);
  return &out;
}

Cell negate(TypeKind kind, const Value& a, Value& out) {
  if (!a.known) return unknown_cell(kind);
  const bool decimal = a.kind == TypeKind::decimal;
  auto negated = checked_negate(decimal ? a.decimal : a.integer);
  if (!negated) return unknown_cell(kind);
  out = a;
  (decimal ? out.decimal : out.integer) = *negated;
  return &out;
}

// Kleene's `all of` (a false operand dominates) and `any of` (a true one
// does); otherwise unknown if any operand is. The non-dominant truths are
// the neutral one and unknown (2), so OR-ing them says whether one was unknown.
template <Tri kDominant>
inline Tri kleene(const std::int32_t* operands, std::int64_t count, const Tri* truth) {
  unsigned seen = 0;
  for (std::int64_t k = 0; k < count; ++k) {
    const Tri t = truth[operands[k]];
    if (t == kDominant) return kDominant;
    seen |= static_cast<unsigned>(t);
  }
  static_assert(static_cast<unsigned>(Tri::unknown) == 2 && kDominant != Tri::unknown);
  return seen & static_cast<unsigned>(Tri::unknown) ? Tri::unknown : tri_not(kDominant);
}

// A fact compared in place: unknown when the request does not give it.
inline Tri leaf(const Value& v, bool holds) { return v.known ? tri_of(holds) : Tri::unknown; }

// Step `s`, whose kind is `kind`: a constant where the caller runs a group of
// one kind, so the compiler drops the dispatch.
inline void execute(Kind kind, const Step& s, const std::int32_t* operands, const Value* facts, const std::uint8_t* readings,
                    Tri* truth, Cell* cells, Value* store) {
  Tri t;
  switch (kind) {
    case Kind::constant_truth: t = static_cast<Tri>(s.x); break;
    case Kind::fact_truth: t = facts[s.a].truth(); break;
    case Kind::interpretation: t = tri_of(readings[s.a] != 0); break;
    case Kind::not_: t = tri_not(truth[s.a]); break;
    case Kind::all_of: t = kleene<Tri::false_>(operands + s.x, s.y, truth); break;
    case Kind::any_of: t = kleene<Tri::true_>(operands + s.x, s.y, truth); break;
    case Kind::is_known: t = tri_of(facts[s.a].known); break;
    case Kind::integer_in_range: {
      const Value& v = facts[s.a];
      // x <= v <= y as one unsigned comparison (x <= y)
      const auto from = static_cast<std::uint64_t>(s.x);
      t = leaf(v, static_cast<std::uint64_t>(v.integer) - from <= static_cast<std::uint64_t>(s.y) - from);
      break;
    }
    case Kind::enum_in_set: {
      const Value& v = facts[s.a];
      t = leaf(v, static_cast<std::uint64_t>(v.integer) < 64 && ((static_cast<std::uint64_t>(s.x) >> v.integer) & 1u));
      break;
    }
    case Kind::set_masked_equals: {
      const Value& v = facts[s.a];
      t = leaf(v, (v.bits & static_cast<std::uint64_t>(s.x)) == static_cast<std::uint64_t>(s.y));
      break;
    }
    case Kind::set_masked_any: {
      const Value& v = facts[s.a];
      t = leaf(v, (v.bits & static_cast<std::uint64_t>(s.x)) != 0);
      break;
    }
    case Kind::compare: t = compare_truth(s.op, *cells[s.a], *cells[s.b]); break;
    case Kind::cell_of_truth: cells[s.node] = truth_cell(truth[s.node]); return;
    default: {
      Cell c;
      switch (kind) {
        case Kind::fact_value: c = &facts[s.a]; break;
        case Kind::constant_value: c = s.constant; break;
        case Kind::arithmetic: c = arithmetic(s.op, s.type, *cells[s.a], *cells[s.b], store[s.x]); break;
        default: c = negate(s.type, *cells[s.a], store[s.x]);
      }
      cells[s.node] = c;
      truth[s.node] = c->truth();
      return;
    }
  }
  truth[s.node] = t;
}

template <Kind K>
void run_group(const Step* first, const Step* last, const Value* facts, const std::uint8_t* readings, Tri* truth, Cell* cells) {
  for (const Step* s = first; s != last; ++s) execute(K, *s, nullptr, facts, readings, truth, cells, nullptr);
}

void run_leaves(Kind kind, const Step* first, const Step* last, const Value* facts, const std::uint8_t* readings, Tri* truth,
                Cell* cells) {
  switch (kind) {
    case Kind::constant_truth: return run_group<Kind::constant_truth>(first, last, facts, readings, truth, cells);
    case Kind::fact_truth: return run_group<Kind::fact_truth>(first, last, facts, readings, truth, cells);
    case Kind::interpretation: return run_group<Kind::interpretation>(first, last, facts, readings, truth, cells);
    case Kind::is_known: return run_group<Kind::is_known>(first, last, facts, readings, truth, cells);
    case Kind::integer_in_range: return run_group<Kind::integer_in_range>(first, last, facts, readings, truth, cells);
    case Kind::enum_in_set: return run_group<Kind::enum_in_set>(first, last, facts, readings, truth, cells);
    case Kind::set_masked_equals: return run_group<Kind::set_masked_equals>(first, last, facts, readings, truth, cells);
    case Kind::set_masked_any: return run_group<Kind::set_masked_any>(first, last, facts, readings, truth, cells);
    case Kind::fact_value: return run_group<Kind::fact_value>(first, last, facts, readings, truth, cells);
    default: return run_group<Kind::constant_value>(first, last, facts, readings, truth, cells);
  }
}

}  // namespace

void Program::run(const Facts& facts, const std::uint8_t* readings, Tri* truth, Cell* cells, Value* store) const {
  const std::int32_t* operands = step_operands_.data();
  const Value* values = facts.values.data();
  const Step* steps = steps_.data();
  for (std::size_t g = 0; g + 1 < leaf_groups_.size(); ++g)
    run_leaves(steps[leaf_groups_[g]].kind, steps + leaf_groups_[g], steps + leaf_groups_[g + 1], values, readings, truth, cells);
  const std::size_t n = steps_.size();  // hoisted: the writes through `truth` may alias the vector for all the compiler knows
  // Most of the rest are `all of` / `any of`: done here, the others
  // (`not`, comparisons of computed values, arithmetic) by a call.
  for (const Step* s = steps + leaves_; s != steps + n; ++s) {
    if (s->kind == Kind::all_of)
      truth[s->node] = kleene<Tri::false_>(operands + s->x, s->y, truth);
    else if (s->kind == Kind::any_of)
      truth[s->node] = kleene<Tri::true_>(operands + s->x, s->y, truth);
    else
      execute(s->kind, *s, operands, values, readings, truth, cells, store);
  }
}

void Program::trace(const Tri* truth, std::vector<Tri>& conditions) const {
  conditions.assign(truth, truth + conditions_);
  Tri* out = conditions.data();  // not reloaded after each store, as conditions[] would be
  for (auto c : unreached_) out[c] = Tri::unknown;
  // Some 200 on § 6103: four a turn, the loop's own instructions once for four.
  const auto* moved = moved_.data();
  const std::size_t n = moved_.size(), fours = n - n % 4;
  for (std::size_t k = 0; k < fours; k += 4) {
    out[moved[k].first] = truth[moved[k].second];
    out[moved[k + 1].first] = truth[moved[k + 1].second];
    out[moved[k + 2].first] = truth[moved[k + 2].second];
    out[moved[k + 3].first] = truth[moved[k + 3].second];
  }
  for (std::size_t k = fours; k < n; ++k) out[moved[k].first] = truth[moved[k].second];
}

void Program::rerun_readers(std::int32_t index, const Facts& facts, const std::uint8_t* readings, Tri* truth, Cell* cells,
                            Value* other_store, RerunScratch& scratch,
                            std::vector<std::pair<std::int32_t, Tri>>& changed_rules) const {
  const std::int32_t* operands = step_operands_.data();
  const Value* values = facts.values.data();
  scratch.cells.clear();
  for (auto i : value_readers_[index]) scratch.cells.push_back(cells[i]);
  // The re-runs to execute, lowest position first: those of the reading's
  // own steps, then those a changed re-run marks (always later ones).
  const Rerun* reruns = reruns_[index].data();
  const auto& seeds = rerun_seeds_[index];
  scratch.pending.assign(seeds.begin(), seeds.end());
  scratch.written.clear();
  changed_rules.clear();
  std::uint64_t* pending = scratch.pending.data();
  const Step* steps = steps_.data();
  const std::int32_t* readers = rerun_readers_.data();
  for (std::size_t w = 0; w < seeds.size(); ++w) {
    while (pending[w] != 0) {
      const Rerun& r = reruns[w * 64 + static_cast<std::size_t>(std::countr_zero(pending[w]))];
      pending[w] &= pending[w] - 1;
      const Step& s = steps[r.step];
      const Tri before = truth[s.node];
      scratch.written.emplace_back(s.node, before);
      if (s.kind == Kind::all_of)
        truth[s.node] = kleene<Tri::false_>(operands + s.x, s.y, truth);
      else if (s.kind == Kind::any_of)
        truth[s.node] = kleene<Tri::true_>(operands + s.x, s.y, truth);
      else if (s.kind == Kind::interpretation)
        truth[s.node] = tri_of(readings[s.a] != 0);
      else
        execute(s.kind, s, operands, values, readings, truth, cells, other_store);
      // A Cell of a truth changes with the truth the step before it wrote.
      if (s.kind != Kind::cell_of_truth && truth[s.node] == before) continue;
      for (std::uint32_t k = r.first; k < r.first + r.count; ++k)
        pending[readers[k] / 64] |= std::uint64_t{1} << (readers[k] % 64);
      for (std::uint32_t k = r.first_rule; k < r.first_rule + r.rules; ++k)
        changed_rules.emplace_back(rerun_rules_[k].first, truth[rerun_rules_[k].second]);
    }
  }
  for (auto w = scratch.written.rbegin(); w != scratch.written.rend(); ++w) truth[w->first] = w->second;
  std::size_t k = 0;
  for (auto i : value_readers_[index]) cells[i] = scratch.cells[k++];
}

bool Program::add_unknowns(std::size_t rule, const Facts& facts, const Tri* truth, std::vector<std::uint8_t>& searched,
                           std::vector<std::int32_t>& out, std::uint64_t& steps_left) const {
  return rule_root_[rule] < 0 || search(rule_root_[rule], facts, truth, searched, out, steps_left);
}

// Whether node i's value is known: a fact or constant read in place (the
// operands of a fused comparison have no step), else its step's truth.
bool Program::known(std::int32_t i, const Facts& facts, const Tri* truth) const {
  const auto& in = code_[i];
  if (in.op == Op::fact) return facts.values[in.slot].known;
  if (in.op == Op::constant) return in.constant->known;
  return truth[slot_[i]] != Tri::unknown;
}

// Evaluator::unknowns on the program: each node is evaluated again by the walk
// (its eval_steps) before its value is looked at.
bool Program::search(std::int32_t i, const Facts& facts, const Tri* truth, std::vector<std::uint8_t>& searched,
                     std::vector<std::int32_t>& out, std::uint64_t& steps_left) const {
  const auto& in = code_[i];
  if (in.eval_steps > steps_left) return false;
  steps_left -= in.eval_steps;
  if (known(i, facts, truth)) return true;
  if (in.op == Op::fact) {
    out.push_back(in.slot);
    return true;
  }
  if (in.op == Op::definition) {
    if (searched[in.slot]) return true;
    searched[in.slot] = 1;
    return search(in.a, facts, truth, searched, out, steps_left);
  }
  for (std::uint32_t k = 0; k < in.count; ++k)
    if (!search(operands_[in.first + k], facts, truth, searched, out, steps_left)) return false;
  return true;
}

}  // namespace tracing
struct TracingProgramSlot::State {
  std::once_flag once;
  std::unique_ptr<const tracing::Program> program;
  std::atomic<const tracing::Program*> ready{nullptr};  // cheaper than call_once's bookkeeping once built
};

TracingProgramSlot::TracingProgramSlot() : state_(std::make_unique<State>()) {}
TracingProgramSlot::~TracingProgramSlot() = default;
TracingProgramSlot::TracingProgramSlot(const TracingProgramSlot&) : state_(std::make_unique<State>()) {}
TracingProgramSlot::TracingProgramSlot(TracingProgramSlot&&) : state_(std::make_unique<State>()) {}
TracingProgramSlot& TracingProgramSlot::operator=(const TracingProgramSlot&) {
  state_ = std::make_unique<State>();
  return *this;
}
TracingProgramSlot& TracingProgramSlot::operator=(TracingProgramSlot&&) {
  state_ = std::make_unique<State>();
  return *this;
}

const tracing::Program& tracing::tracing_program(const Policy& policy) {
  auto& state = *policy.tracing_program_cache.state_;
  if (const auto* program = state.ready.load(std::memory_order_acquire)) return *program;
  std::call_once(state.once, [&] {
    state.program = std::make_unique<const Program>(policy);
    state.ready.store(state.program.get(), std::memory_order_release);
  });
  return *state.program;
}

}  // namespace proviso
