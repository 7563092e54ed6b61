// The next question: for an undetermined decision, the unknown facts ranked by
// how much each would settle, phrased from the vocabulary's descriptions, with
// what each answer leads to; and the interview that asks them one at a time.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eval.hpp"
#include "relevance.hpp"

namespace proviso {

struct AnswerOutcome {
  Value value;
  Outcome outcome = Outcome::undetermined;  // the decision if this were the answer
  std::vector<std::int32_t> authorities;
};

struct Question {
  std::int32_t fact = -1;
  std::string text;                    // "Is it true that the request is made in writing?"
  double settles = 0;                  // share of the answers that decide the request
  double progress = 0;                 // rules whose force an answer settles, on average
  std::vector<AnswerOutcome> answers;  // the answers tried: candidate_values (every value of a bool or enum, the sets
                                       // the rules tell apart, the values around the constants for numbers and dates)
  Witness witness;                     // why it is asked: a situation where the answer changes the outcome
};

struct QuestionLimits {
  std::size_t max_questions = 10;       // questions returned, best first
  std::size_t max_set_answers = 24;     // answers tried for a set-valued fact
  RelevanceLimits relevance;            // the search for a witness that the answer matters
};

// Ranked best first: by the share of answers that decide it, then by progress,
// then by fact order. Empty unless the decision is undetermined. A fact is
// asked only when find_witness shows its answer can change the outcome given
// what is known; `skip` facts never are. `decision` is decide(policy, facts):
// each answer is decided from it, evaluating again only the rules that read the fact.
std::vector<Question> next_questions(const Policy& policy, const Facts& facts, const Decision& decision,
                                     const std::vector<std::int32_t>& skip = {}, const QuestionLimits& limits = {});

std::string question_text(const Policy& policy, std::int32_t fact);

// What each answer leads to, grouped by outcome: "permitted (26 U.S.C. § 6103(i)(2)): head_of_agency, inspector_general".
std::vector<std::string> answer_leads(const Policy& policy, const Question& q, std::size_t max_values = 6);
// Why the question matters, in one sentence from its witness.
std::string witness_words(const Policy& policy, const Witness& w);
nlohmann::json question_to_json(const Policy& policy, const Question& q);
std::string answer_words(const Policy& policy, std::int32_t fact, const Value& value);  // the value, then its description

// Parses a typed answer: yes/no/true/false, an enum value or its number in the
// list of values (1-based), a comma-separated set, a number or a date. Empty,
// "?", "skip" or "unknown" give nullopt with `skipped` set.
std::optional<Value> parse_answer(const Policy& policy, std::int32_t fact, std::string_view text, bool& skipped);

// An interview: ask, answer, until the request is decided or nothing left to ask matters.
class Interview {
 public:
  Interview(const Policy& policy, Facts facts, QuestionLimits limits = {});
  const Decision& decision() const { return decision_; }
  const Facts& facts() const { return facts_; }
  bool done() const { return !next_; }
  const Question& question() const { return *next_; }  // only when !done()
  void answer(std::optional<Value> value);             // nullopt: "I don't know"; the fact is not asked again
  const std::vector<std::int32_t>& asked() const { return asked_; }

 private:
  void advance();
  const Policy& policy_;
  Facts facts_;
  QuestionLimits limits_;
  Decision decision_;
  std::optional<Question> next_;
  std::vector<std::int32_t> asked_;
};

}  // namespace proviso
