#include "analyze_search.hpp"

#include "eval.hpp"

namespace proviso::analysis {
namespace {

Tri tri_and(Tri a, Tri b) {
  if (a == Tri::false_ || b == Tri::false_) return Tri::false_;
  if (a == Tri::true_ && b == Tri::true_) return Tri::true_;
  return Tri::unknown;
}

// A variable: a fact slot (>= 0) or an interpretation (-1 - index).
struct Variable {
  std::int32_t id;
  std::vector<Value> values;  // the values to try
  bool complete;              // the values cover the whole domain
};

class Searcher {
 public:
  Searcher(const Policy& policy, const std::function<Tri(const Facts&)>& goal, const AnalyzeOptions& options)
      : policy_(policy), goal_(goal), options_(options) {}

  void add_fact(std::int32_t slot) {
    const auto& fact = policy_.facts[slot];
    Variable v{slot, {}, true};
    auto known = [](TypeKind kind) {
      Value x;
      x.kind = kind;
      x.known = true;
      return x;
    };
    switch (fact.type.kind) {
      case TypeKind::boolean:
        v.values = {Value::of_bool(true), Value::of_bool(false)};
        break;
      case TypeKind::enumeration:
        for (std::size_t i = 0; i < policy_.enums[fact.type.enum_id].values.size(); ++i) {
          Value x = known(TypeKind::enumeration);
          x.integer = static_cast<std::int64_t>(i);
          v.values.push_back(x);
        }
        break;
      case TypeKind::set: {
        const auto n = policy_.enums[fact.type.enum_id].values.size();
        const std::uint64_t all = n >= 64 ? ~0ull : (1ull << n) - 1;
        if (n <= options_.exhaustive_set_values) {
          for (std::uint64_t bits = 0; bits <= all; ++bits) {
            Value x = known(TypeKind::set);
            x.bits = bits;
            v.values.push_back(x);
          }
        } else {
          // Not exhaustive: the empty set, each single value, everything.
          v.complete = false;
          std::vector<std::uint64_t> candidates{0, all};
          for (std::size_t i = 0; i < n; ++i) candidates.push_back(1ull << i);
          for (auto bits : candidates) {
            Value x = known(TypeKind::set);
            x.bits = bits;
            v.values.push_back(x);
          }
        }
        break;
      }
      default:
        return;  // integer, decimal, date, string: left unknown (any value)
    }
    variables_.push_back(std::move(v));
  }

  void add_interpretation(std::int32_t index) {
    variables_.push_back({-1 - index, {Value::of_bool(true), Value::of_bool(false)}, true});
  }

  SearchResult run() {
    Facts facts = unknown_facts(policy_);
    for (std::size_t i = 0; i < facts.interpretations.size(); ++i) facts.interpretations[i] = -1;
    // Interpretations start at their defaults; the search may flip the ones the goal reads.
    SearchResult result;
    result.answer = step(facts, 0, result);
    result.nodes = nodes_;
    return result;
  }

 private:
  Answer step(Facts& facts, std::size_t next, SearchResult& result) {
    if (++nodes_ > options_.budget) return Answer::open;
    Tri value = goal_(facts);
    if (value == Tri::true_) {
      result.witness = facts;
      return Answer::sat;
    }
    if (value == Tri::false_) return Answer::unsat;
    if (next == variables_.size()) return Answer::open;
    const auto& v = variables_[next];
    bool open = !v.complete;
    for (const auto& x : v.values) {
      if (v.id >= 0) facts.values[v.id] = x;
      else facts.interpretations[-1 - v.id] = static_cast<std::int8_t>(x.integer);
      Answer a = step(facts, next + 1, result);
      if (a == Answer::sat) return a;
      if (a == Answer::open) open = true;
    }
    if (v.id >= 0) facts.values[v.id] = Value::unknown(policy_.facts[v.id].type.kind);
    else facts.interpretations[-1 - v.id] = -1;
    return open ? Answer::open : Answer::unsat;
  }

  const Policy& policy_;
  const std::function<Tri(const Facts&)>& goal_;
  const AnalyzeOptions& options_;
  std::vector<Variable> variables_;
  std::size_t nodes_ = 0;
};

}  // namespace

Tri applies(const Policy& policy, const Facts& facts, std::int32_t rule) {
  const auto& r = policy.rules[rule];
  return r.when ? evaluate_expression(policy, facts, *r.when).truth() : Tri::true_;
}

Tri in_force(const Policy& policy, const Facts& facts, std::int32_t rule, std::vector<Tri>& memo) {
  if (memo.empty()) memo.assign(policy.rules.size(), static_cast<Tri>(0xff));
  if (memo[rule] != static_cast<Tri>(0xff)) return memo[rule];
  Tri result = applies(policy, facts, rule);
  for (auto d : policy.rules[rule].defeaters) result = tri_and(result, tri_not(in_force(policy, facts, d, memo)));
  memo[rule] = result;
  return result;
}

SearchResult search(const Policy& policy, const std::vector<std::int32_t>& facts,
                    const std::vector<std::int32_t>& interpretations, const std::function<Tri(const Facts&)>& goal,
                    const AnalyzeOptions& options) {
  Searcher searcher(policy, goal, options);
  for (auto f : facts) searcher.add_fact(f);
  for (auto i : interpretations) searcher.add_interpretation(i);
  return searcher.run();
}

nlohmann::json witness_request(const Policy& policy, const Facts& facts) {
  nlohmann::json request = nlohmann::json::object();
  for (std::size_t i = 0; i < policy.facts.size(); ++i) {
    if (!facts.values[i].known) continue;
    nlohmann::json::json_pointer pointer;
    std::string path = policy.facts[i].path;
    std::size_t start = 0;
    while (true) {
      auto dot = path.find('.', start);
      pointer /= path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    request[pointer] = value_to_json(policy, facts.values[i], policy.facts[i].type);
  }
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i)
    if (facts.interpretations[i] >= 0) request["interpretations"][policy.interpretations[i].name] = facts.interpretations[i] == 1;
  return request;
}

}  // namespace proviso::analysis
