// Explanations: turn a Decision into words. The data (nearest exceptions,
// failing conditions, the facts they read) is computed here once and rendered
// as JSON for integrators and as a plain-text memo for people.
#pragma once
#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "counterfactual.hpp"
#include "eval.hpp"
#include "explain_texts.hpp"
#include "questions.hpp"

namespace proviso {

// One condition as an explanation shows it.
struct ConditionView {
  std::int32_t index = -1;
  std::string text;  // the phrase, or the definition's phrase, or the source text in backticks
  Citation cite;
  Tri value = Tri::unknown;
};

// A permit that did not decide a denial, and why.
struct NearMiss {
  std::int32_t rule = -1;
  std::vector<ConditionView> failing;   // top-level conditions that are false
  std::vector<ConditionView> unknown;   // top-level conditions that are unknown
  std::vector<std::int32_t> defeated_by;  // limits in force against it (when it applied)
  std::size_t facts_to_change = 0;        // fewest facts to change or give so every condition could hold
};

// The fewest facts that touch every one of `conditions` (a lower bound on the
// facts a request must change or give to meet them all); 99 when out of reach.
std::size_t facts_to_change(const Policy& policy, const std::vector<std::int32_t>& conditions);

std::string condition_text(const Policy& policy, std::int32_t condition);
ConditionView view_condition(const Policy& policy, const Decision& decision, std::int32_t condition);

// Exceptions to the rules that forbid, closest first: by the fewest failing conditions (one
// defeated by a limit fails none), then fewest unknown ones, then the fewest facts that would
// have to change or be given to meet every condition, then source order.
std::tuple<std::size_t, std::size_t, std::size_t> closeness(const NearMiss& miss);  // smaller is closer
std::vector<NearMiss> nearest_exceptions(const Policy& policy, const Decision& decision, std::size_t limit = 5);

// The same ranking without the conditions' texts: every candidate exception,
// closest first, as counts (what an explanation needs to choose which to show).
struct ExceptionRank {
  std::int32_t rule = -1;
  std::size_t failing = 0, unknown = 0, facts_to_change = 0;
  std::tuple<std::size_t, std::size_t, std::size_t> closeness() const { return {failing, unknown, facts_to_change}; }
};
std::vector<ExceptionRank> rank_exceptions(const Policy& policy, const Decision& decision);
NearMiss near_miss(const Policy& policy, const Decision& decision, const ExceptionRank& rank);

// One sentence: the outcome, the provision that decides it, and the nearest miss.
std::string summary(const Policy& policy, const Decision& decision);
// The same, given rank_exceptions(policy, decision) (explain() ranks once for both).
std::string summary(const Policy& policy, const Decision& decision, const std::vector<ExceptionRank>& ranks);

struct JsonOptions {
  bool full = false;  // add "considered" (every rule, each condition's value and the facts it read),
                      // "counterfactuals", and "because" under each failing condition
  bool counterfactuals = true;  // with full: search for them; false leaves the key out (not an empty list)
  CounterfactualLimits counterfactual_limits;
};
nlohmann::json decision_to_json(const Policy& policy, const Facts& facts, const Decision& decision,
                                 const JsonOptions& options = {});

std::string decision_to_text(const Policy& policy, const Facts& facts, const Decision& decision);

// ---------------------------------------------------------------- the explanation tree
// One explanation, computed once (explain_tree.cpp) and rendered three ways:
// JSON for integrators, a memo with citations for lawyers, plain language for trainees.

// The texts of FactRead and ConditionNode refer to the Policy's strings (and
// to its ExplainTexts, explain_texts.hpp): an explanation must not outlive its
// Policy, which is immutable and shared.
// A fact read keeps the request's value and renders it on demand: an
// explanation reads dozens of facts and most renderings show few of them, so
// building a json and a string for each (as it once did) cost more than the rest of the read.
struct FactRead {
  std::int32_t fact = -1;        // slot; -1 for an interpretation
  std::string_view path;         // "request.signed_by", or "interpretations.NAME"
  std::string_view description;
  Value given;                   // the request's value (unknown when not given); a reading's as a boolean
  Type type;                     // the fact's type (boolean for a reading)
  const Policy* policy = nullptr;  // for the enums' names and descriptions; set by fact_read

  nlohmann::json value() const;     // as JSON: null when unknown
  std::string value_words() const;  // in words: an enum value's description, "yes"/"no", "not given";
                                    // a reading's "yes (this reading is taken)" or "no (…not taken)"
};

// A run of an explanation's condition nodes or fact reads (ConditionTree): a
// node's parts and facts, an exception's failing conditions. Indexes, not
// pointers, so a tree copied or moved stays whole.
struct NodeList {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }
};
struct ReadList {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }
};

// A condition with why it has its value: for a condition that fails, the parts
// that make it fail; for one that holds, the parts it rests on. Its facts and
// parts are in the ConditionTree that holds it: tree.facts(node), tree.because(node).
struct ConditionNode {
  std::int32_t index = -1;
  std::string_view text;                  // condition_text(policy, index)
  const Citation* cite = &no_citation();  // never null
  Tri value = Tri::unknown;
  ReadList facts;    // the facts it read
  NodeList because;  // the parts that give it its value
};

// Every condition node of an explanation (or of a why-not) and every fact they
// read, in two vectors: one allocation each, where a vector of facts and of
// parts for each node cost an allocation and a free apiece (~38 nodes an explanation).
struct ConditionTree {
  std::vector<ConditionNode> nodes;
  std::vector<FactRead> reads;

  std::span<const ConditionNode> operator[](NodeList list) const { return {nodes.data() + list.first, list.count}; }
  std::span<const FactRead> operator[](ReadList list) const { return {reads.data() + list.first, list.count}; }
  std::span<ConditionNode> operator[](NodeList list) { return {nodes.data() + list.first, list.count}; }
  std::span<FactRead> operator[](ReadList list) { return {reads.data() + list.first, list.count}; }
  std::span<const ConditionNode> because(const ConditionNode& node) const { return (*this)[node.because]; }
  std::span<const FactRead> facts(const ConditionNode& node) const { return (*this)[node.facts]; }
};

struct ExceptionView {
  std::int32_t rule = -1;
  NodeList failing;                        // top-level conditions that are false
  NodeList unknown;                        // top-level conditions that are unknown
  std::vector<std::int32_t> defeated_by;   // limits in force against it
  std::vector<std::int32_t> maybe_defeated_by;
};

// An exception the facts rule out, as the renderings list it: the rule and its
// top-level conditions that are false, each shown by its text and citation
// (ExplainTexts). The conditions are Explanation::failing(*this):
// one vector for all of an explanation's, not one each (a denial lists a score).
struct RuledOut {
  std::int32_t rule = -1;
  std::uint32_t first = 0;  // in Explanation::others_failing
  std::uint32_t count = 0;
};

struct Ground {  // an authority and the conditions it rests on
  std::int32_t rule = -1;
  NodeList holds;
  std::vector<std::int32_t> defeated;  // for a limit that decides a denial: the permits it defeated
};

struct ObligationView {
  std::int32_t rule = -1;
  Obligation obligation;
};

struct Explanation {
  Outcome outcome = Outcome::not_applicable;
  std::string summary;
  std::vector<Ground> grounds;
  std::vector<ObligationView> obligations;
  std::vector<ExceptionView> closest;  // for a denial (and undetermined, not_applicable): closest first
  std::vector<RuledOut> others;        // the remaining exceptions the facts rule out, with their failing
                                       // conditions, briefly (by text and citation)
  std::vector<std::int32_t> others_failing;  // their failing top-level conditions, entry after entry
  std::vector<InterpretationUse> interpretations;
  std::vector<FactRead> unknown_facts;  // for undetermined: the facts that would decide it
  std::vector<Question> next_questions; // for undetermined: the questions to ask next, best first, each with a witness
  std::vector<Counterfactual> counterfactuals;  // filled when ExplainOptions::counterfactuals
  ConditionTree tree;  // the nodes of grounds and closest, and their facts

  // An entry of `others`: its failing conditions, in the rule's order.
  std::span<const std::int32_t> failing(const RuledOut& x) const { return {others_failing.data() + x.first, x.count}; }
};

struct ExplainOptions {
  std::size_t max_exceptions = 5;  // closest exceptions shown; those tied with the last shown are shown too
  bool counterfactuals = true;     // search for the changes that would flip it (a few ms)
  std::size_t next_questions = 3;  // for undetermined: questions to ask next (0: none)
  CounterfactualLimits counterfactual_limits;
};

Explanation explain(const Policy& policy, const Facts& facts, const Decision& decision, const ExplainOptions& options = {});
// A condition's node and an exception's view: their parts and reads are added
// to `tree` (an explanation's, or one of the caller's own).
ConditionNode condition_node(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t condition,
                             ConditionTree& tree);
ExceptionView exception_view(const Policy& policy, const Facts& facts, const Decision& decision, std::int32_t rule,
                             ConditionTree& tree);
FactRead fact_read(const Policy& policy, const Facts& facts, std::int32_t fact);

nlohmann::json explanation_to_json(const Policy& policy, const Explanation& explanation);
// The same JSON as text, byte for byte explanation_to_json(...).dump(), written
// without the json tree (explain_json_text.cpp): for the paths that only print it.
std::string explanation_json_text(const Policy& policy, const Explanation& explanation);
void append_explanation_json(const Policy& policy, const Explanation& explanation, std::string& out);
std::string explanation_to_memo(const Policy& policy, const Explanation& explanation);
std::string explanation_to_plain(const Policy& policy, const Explanation& explanation);

// Shared wording helpers (explain_words.cpp).
std::string rule_heading(const Policy& policy, std::int32_t rule);  // "26 U.S.C. § 6103(i)(2) — title"
std::string rule_cite(const Policy& policy, std::int32_t rule);     // the citation, or the id
std::string tri_words(Tri value);                                    // "holds", "does not hold", "is not known"
nlohmann::json cite_to_json(const Citation& cite);                   // {text, id}, or null
nlohmann::json rule_to_json(const Policy& policy, std::int32_t rule); // a rule ref: {rule, effect, cite, title}
nlohmann::json condition_node_to_json(const ConditionTree& tree, const ConditionNode& node);
nlohmann::json counterfactual_to_json(const Policy& policy, const Counterfactual& counterfactual);

}  // namespace proviso
