#include "analyze.hpp"

#include <algorithm>
#include <set>

#include "analyze_search.hpp"
#include "eval.hpp"

namespace proviso {
namespace {

using analysis::Answer;

Tri tri_and(Tri a, Tri b) {
  if (a == Tri::false_ || b == Tri::false_) return Tri::false_;
  if (a == Tri::true_ && b == Tri::true_) return Tri::true_;
  return Tri::unknown;
}

class Analyzer {
 public:
  Analyzer(const Policy& policy, const AnalyzeOptions& options) : policy_(policy), options_(options) {}

  std::vector<Finding> run() {
    const auto n = static_cast<std::int32_t>(policy_.rules.size());
    std::vector<bool> never(policy_.rules.size(), false);
    for (std::int32_t r = 0; r < n; ++r) never[r] = never_applies(r);
    for (std::int32_t e = 0; e < n; ++e)
      if (!never[e])
        for (auto t : policy_.rules[e].exception_to)
          if (!never[t]) never_defeats(e, t);
    for (std::int32_t r = 0; r < n; ++r)
      if (!never[r]) shadowed(r);
    conflicts(never);
    missing_phrases();
    if (exhausted()) {
      Finding f;
      f.diagnostic.code = "A300";
      f.diagnostic.severity = Severity::note;
      f.diagnostic.location = policy_.name.empty() ? "rule set" : policy_.name;
      f.diagnostic.message = "the analysis stopped after " + std::to_string(spent_) + " search steps (" +
                             std::to_string(questions_) + " questions answered); rules it did not reach are not reported on";
      f.diagnostic.help = "the questions grow with the square of the rules; analyse a smaller part of the rule set, "
                          "or skip the analysis with `check --no-analyze`";
      findings_.push_back(std::move(f));
    }
    return std::move(findings_);
  }

 private:
  // The facts and interpretations the rules' conditions read, with their exceptions' if asked.
  analysis::SearchResult search(const std::vector<std::int32_t>& rules, bool with_defeaters,
                                const std::function<Tri(const Facts&)>& goal) {
    std::set<std::int32_t> facts, interpretations, seen;
    std::vector<std::int32_t> pending(rules.begin(), rules.end());
    while (!pending.empty()) {
      auto r = pending.back();
      pending.pop_back();
      if (!seen.insert(r).second) continue;
      const auto& rule = policy_.rules[r];
      if (rule.condition >= 0) {
        const auto& info = policy_.conditions[rule.condition];
        facts.insert(info.facts.begin(), info.facts.end());
        interpretations.insert(info.interpretations.begin(), info.interpretations.end());
      }
      if (with_defeaters) pending.insert(pending.end(), rule.defeaters.begin(), rule.defeaters.end());
    }
    if (exhausted()) return {};  // open: nothing is reported from an unanswered question
    auto result = analysis::search(policy_, {facts.begin(), facts.end()}, {interpretations.begin(), interpretations.end()},
                                   goal, options_);
    spent_ += std::max<std::size_t>(1, result.nodes);
    ++questions_;
    return result;
  }

  bool exhausted() const { return spent_ > options_.total_budget; }

  Tri applies(const Facts& facts, std::int32_t r) const { return analysis::applies(policy_, facts, r); }

  void add(std::string code, Severity severity, std::int32_t rule, std::string message, std::string help,
           std::optional<Facts> witness = std::nullopt) {
    Finding f;
    f.diagnostic.code = std::move(code);
    f.diagnostic.severity = severity;
    f.diagnostic.source = policy_.rules[rule].source;
    f.diagnostic.span = policy_.rules[rule].span;
    f.diagnostic.message = std::move(message);
    f.diagnostic.help = std::move(help);
    if (witness) f.witness = analysis::witness_request(policy_, *witness);
    findings_.push_back(std::move(f));
  }

  const std::string& id(std::int32_t r) const { return policy_.rules[r].id; }

  // A301: the condition is false for every request.
  bool never_applies(std::int32_t r) {
    if (!policy_.rules[r].when) return false;
    auto result = search({r}, false, [&](const Facts& f) { return applies(f, r); });
    if (result.answer != Answer::unsat) return false;
    add("A301", Severity::warning, r, "rule `" + id(r) + "` can never apply: its condition is false for every request",
        "its conditions contradict each other over the declared values; fix the condition or remove the rule");
    return true;
  }

  // A302: an exception that never applies together with the rule it names.
  void never_defeats(std::int32_t e, std::int32_t t) {
    auto result = search({e, t}, false, [&](const Facts& f) { return tri_and(applies(f, e), applies(f, t)); });
    if (result.answer != Answer::unsat) return;
    add("A302", Severity::warning, e,
        "`" + id(e) + "` is an exception to `" + id(t) + "` but can never defeat it: the two never apply to the same request",
        "check that the exception names the right rule, and that its condition does not exclude that rule's");
  }

  // A303: whenever the rule applies, an exception to it that nothing defeats applies too.
  void shadowed(std::int32_t r) {
    for (auto d : policy_.rules[r].defeaters) {
      if (!policy_.rules[d].defeaters.empty()) continue;
      auto escape = search({r, d}, false, [&](const Facts& f) { return tri_and(applies(f, r), tri_not(applies(f, d))); });
      if (escape.answer != Answer::unsat) continue;
      auto witness = search({r}, false, [&](const Facts& f) { return applies(f, r); });
      if (witness.answer != Answer::sat) continue;
      add("A303", Severity::warning, r,
          "rule `" + id(r) + "` is shadowed by `" + id(d) + "`: whenever it applies, its exception `" + id(d) +
              "` applies too, so it is never in force",
          "narrow the exception so that it leaves some case to the rule, or remove the rule", witness.witness);
      return;
    }
  }

  // A304: a permit and a forbid that can both be in force, neither an exception to the other.
  void conflicts(const std::vector<bool>& never) {
    const auto n = policy_.rules.size();
    // reach[a] holds the rules a defeats, directly or through a chain of exceptions.
    std::vector<std::set<std::int32_t>> reach(n);
    for (auto it = policy_.evaluation_order.rbegin(); it != policy_.evaluation_order.rend(); ++it) {
      for (auto t : policy_.rules[*it].exception_to) {
        reach[*it].insert(t);
        reach[*it].insert(reach[t].begin(), reach[t].end());
      }
    }
    for (std::int32_t p = 0; p < static_cast<std::int32_t>(n) && !exhausted(); ++p) {
      if (!policy_.rules[p].is_permit() || never[p]) continue;
      for (std::int32_t f = 0; f < static_cast<std::int32_t>(n); ++f) {
        if (!policy_.rules[f].is_forbid() || never[f] || reach[p].contains(f) || reach[f].contains(p)) continue;
        auto result = search({p, f}, true, [&](const Facts& facts) {
          std::vector<Tri> memo;
          return tri_and(analysis::in_force(policy_, facts, p, memo), analysis::in_force(policy_, facts, f, memo));
        });
        if (result.answer != Answer::sat) continue;
        if (decide(policy_, *result.witness).outcome != Outcome::conflict) continue;
        add("A304", Severity::warning, p,
            "permit `" + id(p) + "` and forbid `" + id(f) + "` can both be in force, and neither is an exception to the other",
            "make one an exception to the other (or the forbid a `limit`), or narrow their conditions", result.witness);
      }
    }
  }

  // A305: a condition that explanations can only quote as source text.
  void missing_phrases() {
    std::set<std::int32_t> bodies;  // definitions' `means`: the definition's phrase speaks for it
    for (const auto& d : policy_.definitions) bodies.insert(d.condition);
    for (std::size_t c = 0; c < policy_.conditions.size(); ++c) {
      const auto& info = policy_.conditions[c];
      if (!info.phrase.empty() || info.definition >= 0 || info.interpretation >= 0 || !info.children.empty() ||
          bodies.contains(static_cast<std::int32_t>(c)))
        continue;
      Finding f;
      f.diagnostic.code = "A305";
      f.diagnostic.severity = Severity::note;
      f.diagnostic.source = info.source;
      f.diagnostic.span = info.span;
      f.diagnostic.message = "condition has no plain-English phrase: explanations will quote its source text";
      f.diagnostic.help = "add a phrase after it, stated so that it is true when the condition holds: `x == y \"the ...\"`";
      findings_.push_back(std::move(f));
    }
  }

  const Policy& policy_;
  const AnalyzeOptions& options_;
  std::vector<Finding> findings_;
  std::size_t spent_ = 0, questions_ = 0;
};

}  // namespace

std::vector<Finding> analyze(const Policy& policy, const AnalyzeOptions& options) {
  auto findings = Analyzer(policy, options).run();
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.diagnostic.source, a.diagnostic.span.begin, a.diagnostic.code) <
           std::tie(b.diagnostic.source, b.diagnostic.span.begin, b.diagnostic.code);
  });
  return findings;
}

}  // namespace proviso
