#include "eval_program.hpp"

#include <atomic>
#include <mutex>

#include "value_ops.hpp"

namespace proviso {

namespace tracing {
namespace {

using Op = CExpr::Op;

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
// does); otherwise unknown if any operand is.
Tri kleene(const std::int32_t* operands, std::uint32_t count, const Cell* cells, Tri dominant) {
  const Tri neutral = tri_not(dominant);
  Tri result = neutral;
  for (std::uint32_t k = 0; k < count; ++k) {
    const Tri t = cells[operands[k]]->truth();
    if (t == dominant) result = dominant;
    else if (t == Tri::unknown && result == neutral) result = Tri::unknown;
  }
  return result;
}

Cell compared(Op op, TypeKind kind, const Value& a, const Value& b) {
  if (!a.known || !b.known) return unknown_cell(kind);
  switch (op) {
    case Op::eq: return truth_cell(tri_of(compare_values(a, b) == 0));
    case Op::lt: return truth_cell(tri_of(compare_values(a, b) < 0));
    case Op::le: return truth_cell(tri_of(compare_values(a, b) <= 0));
    case Op::gt: return truth_cell(tri_of(compare_values(a, b) > 0));
    case Op::ge: return truth_cell(tri_of(compare_values(a, b) >= 0));
    case Op::in: return truth_cell(tri_of((b.bits >> a.integer) & 1u));
    case Op::subset: return truth_cell(tri_of((a.bits & ~b.bits) == 0));
    case Op::superset: return truth_cell(tri_of((b.bits & ~a.bits) == 0));
    case Op::intersects: return truth_cell(tri_of((a.bits & b.bits) != 0));
    default: return unknown_cell(kind);  // `ne` is rewritten by the checker; the walk gives unknown too
  }
}

inline Cell execute(const Instruction& in, const std::int32_t* operands, const Cell* cells, const Facts& facts,
                    const std::uint8_t* readings, Value* store) {
  switch (in.op) {
    case Op::constant: return in.constant;
    case Op::fact: return &facts.values[in.slot];
    case Op::interpretation: return &kTruth[readings[in.slot] != 0];
    case Op::definition: return cells[in.a];
    case Op::not_: return truth_cell(tri_not(cells[in.a]->truth()));
    case Op::and_: return truth_cell(kleene(operands + in.first, in.count, cells, Tri::false_));
    case Op::or_: return truth_cell(kleene(operands + in.first, in.count, cells, Tri::true_));
    case Op::is_known: return &kTruth[facts.values[in.slot].known];
    case Op::negate: return negate(in.kind, *cells[in.a], store[in.slot]);
    case Op::add:
    case Op::sub: return arithmetic(in.op, in.kind, *cells[in.a], *cells[in.b], store[in.slot]);
    default: return compared(in.op, in.kind, *cells[in.a], *cells[in.b]);
  }
}

}  // namespace

Program::Program(const Policy& policy)
    : rule_root_(policy.rules.size(), -1), definition_root_(policy.definitions.size(), -1),
      readers_(policy.interpretations.size()), rules_reading_(policy.interpretations.size()) {
  // Rules in index order, each condition in post-order: the order in which
  // the walk first visits each node, so the trace is written in its order too.
  for (std::size_t r = 0; r < policy.rules.size(); ++r)
    if (policy.rules[r].when) rule_root_[r] = emit(policy, *policy.rules[r].when);
  // What reads each interpretation, through any number of operands: the
  // instructions are in topological order, so one pass each.
  std::vector<std::uint8_t> reads(code_.size());
  for (std::size_t index = 0; index < readers_.size(); ++index) {
    for (std::size_t i = 0; i < code_.size(); ++i) {
      const auto& in = code_[i];
      bool r = in.op == Op::interpretation && in.slot == static_cast<std::int32_t>(index);
      for (std::uint32_t k = 0; k < in.count && !r; ++k) r = reads[operands_[in.first + k]] != 0;
      reads[i] = r;
      if (r) readers_[index].push_back(static_cast<std::int32_t>(i));
    }
    for (std::size_t rule = 0; rule < rule_root_.size(); ++rule)
      if (rule_root_[rule] >= 0 && reads[rule_root_[rule]]) rules_reading_[index].push_back(static_cast<std::int32_t>(rule));
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

void Program::run(const Facts& facts, const std::uint8_t* readings, Cell* cells, Value* store, Tri* conditions) const {
  const std::int32_t* operands = operands_.data();
  const std::size_t n = code_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Instruction& in = code_[i];
    cells[i] = execute(in, operands, cells, facts, readings, store);
    if (in.condition >= 0) conditions[in.condition] = cells[i]->truth();
  }
}

void Program::rerun_readers(std::int32_t index, const Facts& facts, const std::uint8_t* readings, Cell* cells, Value* other_store) const {
  const std::int32_t* operands = operands_.data();
  for (auto i : readers_[index]) cells[i] = execute(code_[i], operands, cells, facts, readings, other_store);
}

bool Program::add_unknowns(std::size_t rule, const Cell* cells, std::vector<std::uint8_t>& searched,
                           std::vector<std::int32_t>& out, std::uint64_t& steps_left) const {
  return rule_root_[rule] < 0 || search(rule_root_[rule], cells, searched, out, steps_left);
}

// Evaluator::unknowns on the program: each node is evaluated again by the walk
// (its eval_steps) before its value is looked at.
bool Program::search(std::int32_t i, const Cell* cells, std::vector<std::uint8_t>& searched, std::vector<std::int32_t>& out,
                     std::uint64_t& steps_left) const {
  const auto& in = code_[i];
  if (in.eval_steps > steps_left) return false;
  steps_left -= in.eval_steps;
  if (cells[i]->known) return true;
  if (in.op == Op::fact) {
    out.push_back(in.slot);
    return true;
  }
  if (in.op == Op::definition) {
    if (searched[in.slot]) return true;
    searched[in.slot] = 1;
    return search(in.a, cells, searched, out, steps_left);
  }
  for (std::uint32_t k = 0; k < in.count; ++k)
    if (!search(operands_[in.first + k], cells, searched, out, steps_left)) return false;
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
