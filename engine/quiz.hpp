// The quiz for trainees: cases drawn from the scenario files and near-miss
// variants the engine derives from them (a counterfactual applied: one or two
// facts changed and the outcome flipped), with an answer key; reproducible by seed.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eval.hpp"
#include "scenario.hpp"

namespace proviso {

struct QuizItem {
  std::string source;        // where the case comes from: a scenario, or a near miss of one
  nlohmann::json request;    // the facts shown
  Outcome outcome = Outcome::denied;      // answer key
  std::vector<std::int32_t> authorities;  // answer key: the provisions that decide it
  std::int32_t topic = -1;   // the provision the case is about: the permit, or for a denial the closest exception
  std::string subsection;    // for the score: "(i)", "(c)", ...
};

struct QuizOptions {
  std::uint64_t seed = 1;
  std::size_t count = 10;
  bool near_misses = true;   // every second case is a generated near miss of a scenario
};

std::vector<QuizItem> make_quiz(const Policy& policy, const std::vector<Scenario>& scenarios, const QuizOptions& options);

// "(i)" from "26 U.S.C. § 6103(i)(2)(A)": the first parenthesised part.
std::string subsection_of(const Citation& cite);

// Whether an answer names one of the item's deciding provisions (a rule id or a citation fragment).
bool authority_correct(const Policy& policy, const QuizItem& item, std::string_view answer);

// The facts a case shows, one line each: "description: value".
std::vector<std::string> fact_lines(const Policy& policy, const Facts& facts);

}  // namespace proviso
