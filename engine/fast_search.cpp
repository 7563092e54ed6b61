#include "fast_search.hpp"

#include "explain_texts.hpp"

namespace proviso {

FastSearch::FastSearch(const Policy& policy, const Facts& facts)
    : compiled_(search_compiled(policy)),
      facts_(compiled_.make_facts()),
      scratch_(compiled_.make_scratch()),
      applies_(policy.rules.size(), Tri::false_),
      in_force_(policy.rules.size(), Tri::false_) {
  compiled_.load_facts(facts, facts_);
}

}  // namespace proviso
