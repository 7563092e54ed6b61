#include "questions.hpp"

#include <algorithm>
#include <map>
#include <span>

#include "counterfactual.hpp"
#include "fact_domain.hpp"
#include "fast_search.hpp"
#include "grammar/lexical.hpp"

namespace proviso {
namespace {

bool decided(Outcome o) { return o != Outcome::undetermined; }

std::size_t unknown_rules(const Decision& d) {
  return static_cast<std::size_t>(std::count_if(d.rules.begin(), d.rules.end(), [](const RuleResult& r) { return r.in_force == Tri::unknown; }));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::string question_text(const Policy& policy, std::int32_t fact) {
  const auto& info = policy.facts[fact];
  switch (info.type.kind) {
    case TypeKind::boolean: return "Is it true that " + info.description + "?";
    case TypeKind::set: return "Tell us " + info.description + " (any number of them, separated by commas).";
    default: return "Tell us " + info.description + ".";
  }
}

std::string answer_words(const Policy& policy, std::int32_t fact, const Value& value) {
  const auto& info = policy.facts[fact];
  if (!value.known) return "unknown";
  if (info.type.kind == TypeKind::boolean) return value.integer ? "yes" : "no";
  if (info.type.kind == TypeKind::enumeration) {
    const auto& e = policy.enums[info.type.enum_id];
    const auto& d = e.value_descriptions.size() > static_cast<std::size_t>(value.integer) ? e.value_descriptions[value.integer] : std::string{};
    return e.values[value.integer] + (d.empty() ? "" : " (" + d + ")");
  }
  auto j = value_to_json(policy, value, info.type);
  if (j.is_array() && j.empty()) return "none";
  return j.is_string() ? j.get<std::string>() : j.dump();
}

namespace {

// The answers to the questions about the facts of one tier, decided, kept
// flat: a Question (its values, each answer's authorities) is made only for
// the few that are asked.
struct RankedAnswers {
  struct Answer {
    Outcome outcome;
    std::uint32_t authorities_begin, authorities_end;  // in `authorities`
    std::uint32_t unknown_forces;                      // the rules (limits too) of unknown force
  };
  struct Fact {
    std::int32_t fact;
    double settles = 0, progress = 0;
    const std::vector<Value>* values;  // the answers tried (unknown_candidates)
    std::uint32_t answers_begin;       // in `answers`, values->size() of them
  };
  std::vector<Fact> facts;
  std::vector<Answer> answers;
  std::vector<std::int32_t> authorities;

  std::span<const Answer> of(const Fact& f) const { return {answers.data() + f.answers_begin, f.values->size()}; }
};

// The answers about one fact, and how much they settle. Each answer is
// decided on the compiled evaluator, which gives the outcome, the
// authorities and every rule's force as decide() does, from the baseline of
// `search` (the facts), evaluating again only the rules that read the fact;
// `search` is left as it was.
void rank_fact(FastSearch& search, const Facts& facts, std::int32_t fact, std::size_t before, const QuestionLimits& limits,
               RankedAnswers& out) {
  std::size_t settled = 0;
  double progress = 0;
  // The fact is unknown (askable): its candidates depend on the policy alone.
  const auto& candidates = search.unknown_candidates(fact, limits.max_set_answers);
  const auto& tests = search.answer_tests(fact, limits.max_set_answers);
  const std::uint64_t live = tests.opaque ? 0 : search.live_tests(tests);
  const auto first = static_cast<std::uint32_t>(out.answers.size());
  RankedAnswers::Fact ranked{fact, 0, 0, &candidates, first};
  bool changed = false;  // the search holds an answer, not the facts
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    // A candidate the live tests cannot tell from an earlier one is decided as it was.
    std::size_t same = i;
    for (std::size_t j = 0; j < i && same == i && !tests.opaque; ++j)
      if (((tests.truths[i] ^ tests.truths[j]) & live) == 0) same = j;
    if (same < i) {
      const auto earlier = out.answers[first + same];
      if (decided(earlier.outcome)) ++settled;
      progress += static_cast<double>(before - std::min(before, static_cast<std::size_t>(earlier.unknown_forces)));
      out.answers.push_back(earlier);
      continue;
    }
    search.set(fact, candidates[i]);
    changed = true;
    const Outcome outcome = search.decide_changed(fact);
    search.keep_refined(fact, outcome);  // for the witness searches' first completions
    if (decided(outcome)) ++settled;
    const auto unknown = search.unknown_forces();
    progress += static_cast<double>(before - std::min(before, unknown));
    const auto& authorities = search.authorities();
    const auto begin = static_cast<std::uint32_t>(out.authorities.size());
    out.authorities.insert(out.authorities.end(), authorities.begin(), authorities.end());
    out.answers.push_back({outcome, begin, static_cast<std::uint32_t>(out.authorities.size()), static_cast<std::uint32_t>(unknown)});
  }
  if (changed) search.set(fact, facts.values[fact]);
  if (!candidates.empty()) {
    ranked.settles = static_cast<double>(settled) / static_cast<double>(candidates.size());
    ranked.progress = progress / static_cast<double>(candidates.size());
  }
  out.facts.push_back(ranked);
}

// The question asked about a ranked fact (its text is written by the caller).
Question question_of(const RankedAnswers& ranked, const RankedAnswers::Fact& f) {
  Question q;
  q.fact = f.fact;
  q.settles = f.settles;
  q.progress = f.progress;
  const auto answers = ranked.of(f);
  q.answers.reserve(answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto* authorities = ranked.authorities.data();
    q.answers.push_back({(*f.values)[i], answers[i].outcome,
                         std::vector<std::int32_t>(authorities + answers[i].authorities_begin, authorities + answers[i].authorities_end)});
  }
  return q;
}

// An answer that changes the outcome as things stand (the empty completion):
// against another answer with a different outcome, else against "not known".
std::optional<Witness> settling_witness(const Policy& policy, const RankedAnswers& ranked, const RankedAnswers::Fact& f, Outcome unanswered) {
  const auto answers = ranked.of(f);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto& a = answers[i];
    if (a.outcome == unanswered) continue;
    Witness w;
    w.fact = f.fact;
    w.answer = (*f.values)[i];
    w.answer_outcome = a.outcome;
    w.other = Value::unknown(policy.facts[f.fact].type.kind);
    w.other_outcome = unanswered;
    for (std::size_t j = 0; j < answers.size(); ++j)
      if (answers[j].outcome != a.outcome) {
        w.other = (*f.values)[j];
        w.other_outcome = answers[j].outcome;
        break;
      }
    return w;
  }
  return std::nullopt;
}

}  // namespace

namespace {

std::string value_text(const Policy& policy, std::int32_t fact, const Value& value) {
  if (!value.known) return "not known";
  auto j = value_to_json(policy, value, policy.facts[fact].type);
  return j.is_string() ? j.get<std::string>() : j.dump();
}

std::string outcome_key(const Policy& policy, const AnswerOutcome& a) {
  if (a.outcome == Outcome::undetermined) return "still open";
  std::string key(outcome_name(a.outcome));
  if (!a.authorities.empty()) {
    const auto& r = policy.rules[a.authorities.front()];
    key += " (" + (r.cite.text.empty() ? r.id : r.cite.text) + ")";
  }
  return key;
}

}  // namespace

std::vector<std::string> answer_leads(const Policy& policy, const Question& q, std::size_t max_values) {
  std::map<std::string, std::vector<std::string>> leads;
  for (const auto& a : q.answers) leads[outcome_key(policy, a)].push_back(value_text(policy, q.fact, a.value));
  std::vector<std::string> out;
  for (const auto& [outcome, values] : leads) {
    std::string line = outcome + ": ";
    for (std::size_t i = 0; i < values.size() && i < max_values; ++i) line += (i ? ", " : "") + values[i];
    if (values.size() > max_values) line += ", … (" + std::to_string(values.size()) + " answers)";
    out.push_back(std::move(line));
  }
  return out;
}

std::string witness_words(const Policy& policy, const Witness& w) {
  std::string out;
  if (!w.completion.empty()) {
    out = "if ";
    for (std::size_t i = 0; i < w.completion.size(); ++i) {
      const auto& c = w.completion[i];
      out += (i ? (i + 1 == w.completion.size() ? " and " : ", ") : "") + policy.facts[c.fact].path + " = " + value_text(policy, c.fact, c.value);
    }
    out += ", then ";
  }
  out += "the answer " + value_text(policy, w.fact, w.answer) + " gives " + std::string(outcome_name(w.answer_outcome));
  if (w.other.known) out += " and " + value_text(policy, w.fact, w.other) + " gives " + std::string(outcome_name(w.other_outcome));
  else out += ", while without an answer it is " + std::string(outcome_name(w.other_outcome));
  return out;
}

nlohmann::json question_to_json(const Policy& policy, const Question& q) {
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& a : q.answers) {
    nlohmann::json ids = nlohmann::json::array();
    for (auto r : a.authorities) ids.push_back(policy.rules[r].id);
    answers.push_back({{"value", value_to_json(policy, a.value, policy.facts[q.fact].type)},
                       {"decision", outcome_name(a.outcome)},
                       {"authorities", std::move(ids)}});
  }
  const auto& w = q.witness;
  nlohmann::json completion = nlohmann::json::object();
  for (const auto& c : w.completion) completion[policy.facts[c.fact].path] = value_to_json(policy, c.value, policy.facts[c.fact].type);
  const auto type = policy.facts[q.fact].type;
  return {{"fact", policy.facts[q.fact].path},
          {"question", q.text},
          {"settles", q.settles},
          {"answers", std::move(answers)},
          {"witness", {{"completion", std::move(completion)},
                       {"answer", value_to_json(policy, w.answer, type)},
                       {"decision", outcome_name(w.answer_outcome)},
                       {"other_answer", w.other.known ? value_to_json(policy, w.other, type) : nlohmann::json()},
                       {"other_decision", outcome_name(w.other_outcome)}}}};
}

namespace {

// next_questions' working vectors, kept by the thread between requests (one
// runs at a time on a thread) so that a request allocates none of them once warm.
struct QuestionWork {
  std::vector<std::int32_t> first, second;
  std::vector<std::uint8_t> listed;
  RankedAnswers ranked;
  std::vector<std::uint32_t> order;
  Facts witness_state;  // the facts the witness searches change (and put back)
};

QuestionWork& question_work() {
  thread_local QuestionWork work;
  return work;
}

}  // namespace

std::vector<Question> next_questions(const Policy& policy, const Facts& facts, const Decision& decision,
                                     const std::vector<std::int32_t>& skip, const QuestionLimits& limits) {
  std::vector<Question> out;
  if (decision.outcome != Outcome::undetermined) return out;
  const auto before = unknown_rules(decision);
  auto askable = [&](std::int32_t f) { return !facts.values[f].known && std::find(skip.begin(), skip.end(), f) == skip.end(); };
  auto& work = question_work();
  // Two tiers of candidates: first the decision's deciding unknowns (the facts
  // of unknown sub-conditions of the rules that decide), then every other
  // unknown fact a rule of unknown force reads. Either way a fact is asked only
  // when find_witness shows its answer can change the outcome.
  auto& first = work.first;
  auto& second = work.second;
  first.clear();
  second.clear();
  for (auto f : decision.unknown_facts)
    if (askable(f)) first.push_back(f);
  // The second tier is made only when the first does not fill the questions.
  auto second_tier = [&] {
    auto& listed = work.listed;  // in the first tier or already in the second
    listed.assign(policy.facts.size(), 0);
    for (auto f : first) listed[static_cast<std::size_t>(f)] = 1;
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      if (decision.rules[r].in_force != Tri::unknown || policy.rules[r].condition < 0) continue;
      for (auto f : policy.conditions[policy.rules[r].condition].facts)
        if (!listed[static_cast<std::size_t>(f)] && askable(f)) {
          listed[static_cast<std::size_t>(f)] = 1;
          second.push_back(f);
        }
    }
    std::sort(second.begin(), second.end());
  };
  // One search for the ranking and every witness: each leaves it loaded with
  // `facts`, as does each witness search the one copy of the facts it changes.
  FastSearchLease lease(policy, facts);
  FastSearch& search = *lease;
  search.keep_baseline(decision);
  bool witness_state = false;  // work.witness_state holds `facts`
  auto& ranked = work.ranked;
  auto ask = [&](const RankedAnswers::Fact& f, Witness&& witness) {
    if (out.empty()) out.reserve(std::min<std::size_t>(limits.max_questions, 16));
    out.push_back(question_of(ranked, f));
    out.back().witness = std::move(witness);
    out.back().text = question_text(policy, f.fact);
  };
  for (const auto* tier : {&first, &second}) {
    if (out.size() >= limits.max_questions) break;  // the first tier filled them: the second need not be ranked
    if (tier == &second) second_tier();
    ranked.facts.clear();
    ranked.answers.clear();
    ranked.authorities.clear();
    // A fact no answer to which can reach the outcome is never asked: none
    // settles it, and its witness search stops at the root. Where it would
    // rank does not matter, so it is not ranked.
    for (auto fact : *tier)
      if (search.may_reach_outcome(fact)) rank_fact(search, facts, fact, before, limits, ranked);
    // Sorted by index: only the first few are taken. The facts differ, so the order is total.
    auto& order = work.order;
    order.resize(ranked.facts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    std::sort(order.begin(), order.end(), [&](std::uint32_t i, std::uint32_t j) {
      const auto& a = ranked.facts[i];
      const auto& b = ranked.facts[j];
      if (a.settles != b.settles) return a.settles > b.settles;
      if (a.progress != b.progress) return a.progress > b.progress;
      return a.fact < b.fact;
    });
    for (auto i : order) {
      const auto& f = ranked.facts[i];
      if (out.size() >= limits.max_questions) return out;
      if (auto settling = settling_witness(policy, ranked, f, decision.outcome)) {  // as things stand: no search needed
        ask(f, std::move(*settling));
        continue;
      }
      if (!witness_state) {
        work.witness_state = facts;
        witness_state = true;
      }
      // No answer settles it (settling_witness): when every value the
      // witness search tries at its root was ranked, the root need not decide them again.
      const bool root_answers_open = search.answer_tests(f.fact, limits.max_set_answers).domain_among_candidates;
      auto found = find_witness(policy, search, work.witness_state, f.fact, limits.relevance, skip, &decision, true, root_answers_open);
      if (found.witness) ask(f, std::move(*found.witness));
    }
  }
  return out;
}

std::optional<Value> parse_answer(const Policy& policy, std::int32_t fact, std::string_view text, bool& skipped) {
  const auto& info = policy.facts[fact];
  auto t = lower(trim(text));
  skipped = t.empty() || t == "?" || t == "skip" || t == "unknown" || t == "don't know" || t == "dont know";
  if (skipped) return std::nullopt;
  Value v;
  v.kind = info.type.kind;
  v.known = true;
  auto enum_index = [&](const std::string& word) -> std::int64_t {
    const auto& e = policy.enums[info.type.enum_id];
    for (std::size_t i = 0; i < e.values.size(); ++i)
      if (lower(e.values[i]) == word) return static_cast<std::int64_t>(i);
    if (!word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }) && word.size() < 4) {
      auto n = std::stoll(word);
      if (n >= 1 && static_cast<std::size_t>(n) <= e.values.size()) return n - 1;
    }
    return -1;
  };
  switch (info.type.kind) {
    case TypeKind::boolean:
      if (t == "y" || t == "yes" || t == "true") v.integer = 1;
      else if (t == "n" || t == "no" || t == "false") v.integer = 0;
      else return std::nullopt;
      return v;
    case TypeKind::enumeration:
      v.integer = enum_index(t);
      if (v.integer < 0) return std::nullopt;
      return v;
    case TypeKind::set: {
      if (t == "none" || t == "[]") return v;
      std::size_t start = 0;
      while (start <= t.size()) {
        auto end = t.find(',', start);
        if (end == std::string::npos) end = t.size();
        auto word = trim(std::string_view(t).substr(start, end - start));
        if (!word.empty()) {
          auto i = enum_index(word);
          if (i < 0) return std::nullopt;
          v.bits |= std::uint64_t{1} << i;
        }
        start = end + 1;
      }
      return v;
    }
    case TypeKind::integer:
      try {
        std::size_t used = 0;
        v.integer = std::stoll(t, &used);
        if (used != t.size()) return std::nullopt;
      } catch (...) {
        return std::nullopt;
      }
      return v;
    case TypeKind::decimal: {
      auto millionths = lexical::decimal_millionths(t);  // exact, as a rule file writes it
      if (!millionths) return std::nullopt;
      v.decimal = *millionths;
      return v;
    }
    case TypeKind::date: {
      auto days = parse_date(t);
      if (!days) return std::nullopt;
      v.integer = *days;
      return v;
    }
    case TypeKind::string:
      v.text = trim(text);
      return v;
    default: return std::nullopt;
  }
}

Interview::Interview(const Policy& policy, Facts facts, QuestionLimits limits)
    : policy_(policy), facts_(std::move(facts)), limits_(limits) {
  advance();
}

void Interview::answer(std::optional<Value> value) {
  if (!next_) return;
  asked_.push_back(next_->fact);
  if (value) facts_.values[next_->fact] = *value;
  advance();
}

void Interview::advance() {
  decision_ = decide(policy_, facts_);
  auto one = limits_;
  one.max_questions = 1;  // only the best is asked; the witness search for the rest would be wasted
  auto questions = next_questions(policy_, facts_, decision_, asked_, one);
  if (questions.empty()) next_.reset();
  else next_ = std::move(questions.front());
}

}  // namespace proviso
