// `proviso_bench generate-irc6103 N OUT.jsonl SCENARIO_DIR` (seed 6103):
// seeded § 6103 requests. Each starts from a scenario's request (the tests in
// rules/us/irc-6103/tests) and changes, drops or nulls one to four facts, so
// the mix holds permits, near misses, denials and undetermined requests
// rather than the nearly all-unknown requests uniform sampling would give.
#include <random>

#include "common.hpp"
#include "engine/load.hpp"
#include "engine/scenario.hpp"

namespace proviso::bench {
namespace {

void put(nlohmann::json& request, const std::string& path, nlohmann::json value) {
  nlohmann::json::json_pointer pointer;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    pointer /= path.substr(start, dot - start);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  request[pointer] = std::move(value);
}

nlohmann::json random_value(const Policy& policy, const FactInfo& fact, std::mt19937_64& rng) {
  auto pick = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
  switch (fact.type.kind) {
    case TypeKind::boolean: return pick(2) == 1;
    case TypeKind::integer: return pick(40);
    case TypeKind::decimal: return static_cast<double>(pick(400)) / 4.0;
    case TypeKind::date: return format_date(18000 + pick(3000));
    case TypeKind::string: return "text";
    case TypeKind::enumeration: {
      const auto& values = policy.enums[fact.type.enum_id].values;
      return values[pick(values.size())];
    }
    case TypeKind::set: {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& v : policy.enums[fact.type.enum_id].values)
        if (pick(3) == 0) items.push_back(v);
      return items;
    }
    case TypeKind::duration: return nullptr;
  }
  return nullptr;
}

}  // namespace

int run_generate(const Args& args) {
  if (args.files.size() < 3) throw std::runtime_error("generate-irc6103 N OUT.jsonl SCENARIO_DIR");
  const std::size_t n = std::stoul(args.files[0]);
  auto loaded = load_builtin_rule_set();
  const Policy& policy = *loaded.policy;
  auto scenarios = load_scenarios(args.files[2]);
  std::vector<Facts> bases;
  for (const auto& s : scenarios.scenarios)
    if (auto bound = bind_request(policy, s.request, "scenario"); bound.facts) bases.push_back(*bound.facts);
  if (bases.empty()) throw std::runtime_error("no scenarios under " + args.files[2]);
  std::mt19937_64 rng(6103);
  std::ofstream out(args.files[1], std::ios::binary);
  for (std::size_t i = 0; i < n; ++i) {
    const Facts& base = bases[rng() % bases.size()];
    nlohmann::json request = nlohmann::json::object();
    for (std::size_t slot = 0; slot < base.values.size(); ++slot)
      if (base.values[slot].known) put(request, policy.facts[slot].path, value_to_json(policy, base.values[slot], policy.facts[slot].type));
    const int changes = static_cast<int>(rng() % 5);  // one request in five is a scenario as written
    for (int c = 0; c < changes; ++c) {
      const auto& fact = policy.facts[rng() % policy.facts.size()];
      put(request, fact.path, rng() % 4 == 0 ? nlohmann::json(nullptr) : random_value(policy, fact, rng));
    }
    nlohmann::json interpretations = nlohmann::json::object();
    for (std::size_t k = 0; k < base.interpretations.size(); ++k)
      if (base.interpretations[k] >= 0) interpretations[policy.interpretations[k].name] = base.interpretations[k] == 1;
    if (!interpretations.empty()) request["interpretations"] = interpretations;
    out << request.dump() << '\n';
  }
  std::printf("wrote %zu § 6103 requests to %s from %zu scenarios\n", n, args.files[1].c_str(), bases.size());
  return 0;
}

}  // namespace proviso::bench
