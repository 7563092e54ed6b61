// The values a search tries for one fact (counterfactuals, the next question):
// every value of a bool or enum, the sets the rules tell apart, and for
// integers, decimals, dates and strings the values around the constants the
// rules compare them with.
#pragma once
#include <functional>
#include <vector>

#include "policy.hpp"

namespace proviso {

// For an integer, decimal, date or string fact: the values that tell its
// comparisons apart. Constants it is compared with directly (`fact OP k` or
// `k OP fact`) give k - 1, k and k + 1 (a day for dates; for decimals, the
// midpoints between neighbouring constants instead of k ± 1 inside the range);
// a string gets each constant. Empty when the rules compare it with no constant.
std::vector<Value> scalar_candidates(const Policy& policy, std::int32_t fact);

// True when `scalar_candidates` represents every way the rules can see the
// fact: each comparison reading it is with a constant. A string also needs a
// value equal to none of the constants, which `fact_domain` adds.
bool scalar_candidates_complete(const Policy& policy, std::int32_t fact);

struct FactDomain {
  std::vector<Value> values;  // known values, in a fixed order
  bool complete = true;       // every value the rules can tell apart is represented
};

struct DomainOptions {
  std::size_t exhaustive_set_elements = 6;  // sets over at most this many values are enumerated (2^6 = 64 sets)
  std::size_t max_set_values = 24;          // otherwise: the sets the conditions tell apart, at most this many
};

// The domain of a fact for an exhaustive search: the values above, the empty
// set included, and for a string one value equal to no constant.
FactDomain fact_domain(const Policy& policy, std::int32_t fact, const DomainOptions& options = {});

bool same_value(const Value& a, const Value& b);

// Calls f on every compiled expression node of the policy: rule conditions, then definitions.
void walk_policy(const Policy& policy, const std::function<void(const CExpr&)>& f);

}  // namespace proviso
