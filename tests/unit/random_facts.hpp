// Random requests for the agreement tests (an evaluator against its oracle):
// each fact unknown with `unknown_percent` chance, else a random value of its
// search domain (the values the rules tell apart); interpretations at random.
#pragma once
#include <random>

#include "engine/fact_domain.hpp"
#include "engine/facts.hpp"

namespace proviso::testing {

inline Facts random_facts(const Policy& policy, std::mt19937_64& rng, int unknown_percent) {
  Facts facts;
  facts.interpretations.assign(policy.interpretations.size(), -1);
  for (std::size_t f = 0; f < policy.facts.size(); ++f) {
    const auto domain = fact_domain(policy, static_cast<std::int32_t>(f));
    if (domain.values.empty() || static_cast<int>(rng() % 100) < unknown_percent)
      facts.values.push_back(Value::unknown(policy.facts[f].type.kind));
    else
      facts.values.push_back(domain.values[rng() % domain.values.size()]);
  }
  for (auto& i : facts.interpretations) i = static_cast<std::int8_t>(static_cast<int>(rng() % 3) - 1);
  return facts;
}

}  // namespace proviso::testing
