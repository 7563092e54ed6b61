// question_to_json(...).dump() without the json tree: keys in byte order (as
// nlohmann's std::map gives them), the values as value_to_json gives them.
// Split from explain_json_text.cpp; a few explanations in five have questions.
#include "explain_json_question.hpp"

#include <algorithm>

#include "explain.hpp"

namespace proviso {
namespace {

class QuestionWriter {
 public:
  QuestionWriter(JsonSink& out, const Policy& policy, const ExplainTexts& texts)
      : out_(out), policy_(policy), texts_(texts), names_(texts.json_ready ? &texts.enum_value_json : nullptr) {}

  void question(const Question& q) {
    const auto type = policy_.facts[q.fact].type;
    out_ += "{\"answers\":[";
    for (std::size_t i = 0; i < q.answers.size(); ++i) {
      const auto& a = q.answers[i];
      if (i) out_ += ',';
      out_ += "{\"authorities\":[";
      for (std::size_t k = 0; k < a.authorities.size(); ++k) {
        if (k) out_ += ',';
        rule_id(a.authorities[k]);
      }
      out_ += "],\"decision\":";
      outcome(a.outcome);
      out_ += ",\"value\":";
      value(a.value, type);
      out_ += '}';
    }
    out_ += "],\"fact\":";
    fact_path(q.fact);
    out_ += ",\"question\":";
    out_.string(q.text);
    out_ += ",\"settles\":";
    out_ += nlohmann::json(q.settles).dump();  // nlohmann's own formatting of a double
    const auto& w = q.witness;
    out_ += ",\"witness\":{\"answer\":";
    value(w.answer, type);
    out_ += ",\"completion\":";
    completion(w.completion);
    out_ += ",\"decision\":";
    outcome(w.answer_outcome);
    out_ += ",\"other_answer\":";
    if (w.other.known) value(w.other, type);
    else out_ += "null";
    out_ += ",\"other_decision\":";
    outcome(w.other_outcome);
    out_ += "}}";
  }

 private:
  // An object keyed by path: in byte order, a path given twice keeping its
  // last value (as assigning to a json object does).
  void completion(const std::vector<FactChange>& changes) {
    order_.clear();
    for (const auto& c : changes) {
      auto at = order_.end();
      while (at != order_.begin() && path(c.fact) < path((*(at - 1))->fact)) --at;
      order_.insert(at, &c);
    }
    out_ += '{';
    bool first = true;
    for (std::size_t i = 0; i < order_.size(); ++i) {
      if (i + 1 < order_.size() && path(order_[i + 1]->fact) == path(order_[i]->fact)) continue;
      if (!first) out_ += ',';
      first = false;
      fact_path(order_[i]->fact);
      out_ += ':';
      value(order_[i]->value, policy_.facts[order_[i]->fact].type);
    }
    out_ += '}';
  }

  const std::string& path(std::int32_t fact) const { return policy_.facts[fact].path; }
  void fact_path(std::int32_t fact) {
    if (names_) out_ += texts_.fact_path_json[fact];
    else out_.string(path(fact));
  }
  void rule_id(std::int32_t rule) {
    if (names_) out_ += texts_.rule_id_json[rule];
    else out_.string(policy_.rules[rule].id);
  }
  // outcome_name() as a JSON string: a plain word, no escaping needed.
  void outcome(Outcome value) {
    out_ += '"';
    out_ += outcome_name(value);
    out_ += '"';
  }
  void value(const Value& v, Type type) { write_value_json(out_, policy_, names_, v, type); }

  JsonSink& out_;
  const Policy& policy_;
  const ExplainTexts& texts_;
  const std::vector<std::vector<std::string>>* names_;  // the enum names as JSON, when the fragments are ready
  std::vector<const FactChange*> order_;
};

}  // namespace

void write_question_json(JsonSink& out, const Policy& policy, const ExplainTexts& texts, const Question& question) {
  QuestionWriter(out, policy, texts).question(question);
}

}  // namespace proviso
