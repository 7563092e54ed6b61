// The next questions and their witnesses as engine/questions.cpp and
// engine/relevance.cpp computed them before the shared search (main d35e4b6):
// a lease per witness search, each fact's domain and readers computed again,
// the facts copied per witness. Kept as the oracle the faster path must match
// byte for byte (questions_fast_test.cpp).
#pragma once
#include <cstdint>
#include <vector>

#include "engine/questions.hpp"

namespace proviso::testing::oracle {

RelevanceResult find_witness(const Policy& policy, const Facts& state, std::int32_t fact, const RelevanceLimits& limits = {},
                             const std::vector<std::int32_t>& unknowable = {}, const Decision* decided = nullptr);

std::vector<Question> next_questions(const Policy& policy, const Facts& facts, const Decision& decision,
                                     const std::vector<std::int32_t>& skip = {}, const QuestionLimits& limits = {});

}  // namespace proviso::testing::oracle
