// The differential and property test (docs/testing.md, "Differential test"):
//   differential_test [--rule-sets N] [--requests M] [--seed S] [--source DIR] [--save DIR] [--emit DIR]
// For N random rule sets (tests/differential/generator.cpp) and M random
// schema-conforming requests each, it checks that
//  1. the tracing evaluator (engine/eval), its outcome-only form, the fast
//     evaluator with the streaming binder (engine/fast_eval, bind_fast), the
//     public API and the naive reference evaluator (reference_eval.cpp) give
//     the same outcome and the same authorities, and the fast evaluator's
//     every-rule pass (engine/fast_trace.cpp) each rule's condition and force
//     as the tracing evaluator has them;
//  2. the checker accepts every generated rule set, and then no evaluation
//     meets a type error: every request binds, and every node of every
//     compiled condition evaluates to a value of the type the checker gave it;
//  3. parse(print(ast)) == ast: the formatter's output parses to the same
//     syntax tree (spans aside), for every generated rule set and every rule
//     file in the repository (--source).
// Exits 1 on any mismatch, printing the first few with their rule set and
// request; --save writes each to DIR for replay. Same seed, same pairs.
// --emit DIR writes each rule set with its first request as `rules %% request`,
// the input format of the `decide` fuzz target (fuzz/seeds/decide holds some).
#define PROVISO_FACADE_IMPLEMENTATION  // the engine's names stay unambiguous; the API is spelled proviso::v1::
#include <proviso/proviso.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "engine/bind_fast.hpp"
#include "engine/compiled.hpp"
#include "engine/eval.hpp"
#include "engine/load.hpp"
#include "grammar/format.hpp"
#include "grammar/parser.hpp"
#include "tests/differential/generator.hpp"
#include "tests/differential/reference_eval.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

struct Options {
  long rule_sets = 1000, requests = 100;
  std::uint64_t seed = 1;
  std::string source, save, emit;  // emit: write each rule set with one request as a fuzz seed
};

struct Tally {
  long pairs = 0, rule_sets = 0, api_pairs = 0, nodes_typed = 0, formatted_files = 0, failures = 0;
  std::map<std::string, long> outcomes;
};

struct Verdict {
  std::string outcome;
  std::vector<std::string> authorities;
  bool operator==(const Verdict&) const = default;
  std::string show() const {
    std::string out = outcome + " [";
    for (std::size_t i = 0; i < authorities.size(); ++i) out += (i ? ", " : "") + authorities[i];
    return out + "]";
  }
};

Verdict verdict_of(const Policy& policy, Outcome outcome, const std::vector<std::int32_t>& authorities) {
  Verdict v{std::string(outcome_name(outcome)), {}};
  for (auto r : authorities) v.authorities.push_back(policy.rules[r].id);
  return v;
}

Options options;
Tally tally;

void fail(const std::string& what, const std::string& rules, const json& request) {
  ++tally.failures;
  if (tally.failures <= 5) {
    std::fprintf(stderr, "FAIL: %s\n--- rule set ---\n%s--- request ---\n%s\n\n", what.c_str(), rules.c_str(), request.dump().c_str());
  }
  if (!options.save.empty()) {
    std::filesystem::create_directories(options.save);
    std::ofstream(options.save + "/failure-" + std::to_string(tally.failures) + ".txt")
        << what << "\n--- rule set ---\n" << rules << "--- request ---\n" << request.dump() << "\n";
  }
}

// Every node of `e` evaluates to its checked type (or to unknown).
bool well_typed(const Policy& policy, const Facts& facts, const CExpr& e, std::string& problem) {
  ++tally.nodes_typed;
  const Value v = evaluate_expression(policy, facts, e);
  if (v.known && v.kind != e.type.kind) {
    problem = "a node typed " + policy.type_name(e.type) + " evaluated to a value of another type";
    return false;
  }
  for (const auto& arg : e.args)
    if (!well_typed(policy, facts, arg, problem)) return false;
  return true;
}

// parse(print(ast)) == ast for one text; false with the difference.
bool round_trips(const std::string& text, std::string& difference) {
  auto parsed = parse_rule_file(text, kNoSource);
  if (!parsed.diagnostics.empty()) {
    difference = "the text does not parse";
    return false;
  }
  std::string printed;
  try {
    printed = format_file(parsed.file, text);
  } catch (const std::exception& e) {
    difference = std::string("the formatter threw: ") + e.what();
    return false;
  }
  auto reparsed = parse_rule_file(printed, kNoSource);
  if (!reparsed.diagnostics.empty()) {
    difference = "the formatted text does not parse:\n" + printed;
    return false;
  }
  if (!same_syntax(parsed.file, reparsed.file, &difference)) {
    difference = "a different syntax tree after formatting: " + difference + "\n" + printed;
    return false;
  }
  ++tally.formatted_files;
  return true;
}

void check_rule_set(const difftest::GeneratedRuleSet& generated, std::mt19937_64& rng) {
  const auto& text = generated.rules;
  auto loaded = load_rule_set_from_texts({{"proviso.yaml", generated.manifest}, {"random.proviso", text}}, "random");
  if (!loaded.policy) {
    fail("the checker rejected a generated rule set:\n" + render_all(loaded.diagnostics, loaded.sources), text, json::object());
    return;
  }
  ++tally.rule_sets;
  if (std::string difference; !round_trips(text, difference)) fail("parse(print(ast)) != ast: " + difference, text, json::object());

  const auto& policy = *loaded.policy;
  auto parsed = parse_rule_file(text, kNoSource);
  const std::vector<const ast::File*> files{&parsed.file};
  CompiledPolicy compiled(loaded.policy);
  CompiledPolicy deferring(loaded.policy, true);  // defers rules in small sets too: the large-set path on these graphs
  FastBinder binder(compiled);
  FastFacts fast = compiled.make_facts();
  FastScratch scratch = compiled.make_scratch(), deferring_scratch = deferring.make_scratch();
  std::vector<Tri> applies(policy.rules.size()), in_force(policy.rules.size());
  auto api = proviso::v1::Policy::from_texts({{"proviso.yaml", generated.manifest}, {"random.proviso", text}}, "random");
  if (!api) fail("the public API rejected a rule set the engine accepts", text, json::object());

  for (long i = 0; i < options.requests; ++i) {
    const json request = difftest::generate_request(generated.vocabulary, rng);
    if (i == 0 && !options.emit.empty()) {
      std::filesystem::create_directories(options.emit);
      std::ofstream(options.emit + "/generated-" + std::to_string(tally.rule_sets) + ".txt", std::ios::binary)
          << text << "\n%%\n" << request.dump();
    }
    auto bound = bind_request(policy, request, "request");
    if (!bound.facts) {
      fail("a schema-conforming request was refused:\n" + render_all(bound.diagnostics, loaded.sources), text, request);
      continue;
    }
    ++tally.pairs;
    const Facts& facts = *bound.facts;
    const Decision traced = decide(policy, facts);
    const Verdict tracing = verdict_of(policy, traced.outcome, traced.authorities);
    ++tally.outcomes[tracing.outcome];
    const Decision quick = decide_outcome(policy, facts);
    const Verdict outcome_only = verdict_of(policy, quick.outcome, quick.authorities);

    if (!binder.bind(request.dump(), fast)) {
      if (FastBinder::streaming()) fail("the streaming binder declined a schema-conforming request", text, request);
      compiled.load_facts(facts, fast);
    }
    const Verdict fast_verdict = verdict_of(policy, compiled.decide(fast, scratch), scratch.authorities);
    const Verdict deferring_verdict = verdict_of(policy, deferring.decide(fast, deferring_scratch), deferring_scratch.authorities);

    difftest::ReferenceDecision reference;
    try {
      reference = difftest::reference_decide(files, request);
    } catch (const std::exception& e) {
      fail(std::string("the reference evaluator failed: ") + e.what(), text, request);
      continue;
    }
    const Verdict expected{reference.outcome, reference.authorities};
    if (tracing != expected) fail("tracing evaluator " + tracing.show() + ", reference " + expected.show(), text, request);
    if (outcome_only != expected) fail("decide_outcome " + outcome_only.show() + ", reference " + expected.show(), text, request);
    if (fast_verdict != expected) fail("fast evaluator " + fast_verdict.show() + ", reference " + expected.show(), text, request);
    if (deferring_verdict != expected) fail("fast evaluator, deferring " + deferring_verdict.show() + ", reference " + expected.show(), text, request);
    // Every rule's condition and force, which the searches of explanations read, as the tracing evaluator has them.
    for (auto [form, form_scratch] : {std::pair{&compiled, &scratch}, std::pair{&deferring, &deferring_scratch}}) {
      const Outcome every = form->decide_every_rule(fast, *form_scratch, applies, in_force);
      if (verdict_of(policy, every, form_scratch->authorities) != expected) fail("decide_every_rule gives another verdict", text, request);
      for (std::size_t r = 0; r < policy.rules.size(); ++r)
        if (applies[r] != traced.rules[r].applies || in_force[r] != traced.rules[r].in_force)
          fail("decide_every_rule: rule " + policy.rules[r].id + " differs from the tracing evaluator", text, request);
    }

    if (api && i % 4 == 0) {
      ++tally.api_pairs;
      auto decided = api->decide(request);
      if (!decided) {
        fail("the public API refused a schema-conforming request:\n" + decided.rendered, text, request);
      } else {
        Verdict through_api{std::string(decided->outcome_name()), {}};
        for (const auto& a : decided->authorities()) through_api.authorities.push_back(a.rule);
        if (through_api != expected) fail("public API " + through_api.show() + ", reference " + expected.show(), text, request);
      }
    }

    if (i % 5 == 0) {  // the type property: every node of every condition, under these facts
      std::string problem;
      for (const auto& rule : policy.rules)
        if (rule.when && !well_typed(policy, facts, *rule.when, problem)) fail("rule " + rule.id + ": " + problem, text, request);
      for (const auto& definition : policy.definitions)
        if (!well_typed(policy, facts, definition.expr, problem)) fail("definition " + definition.name + ": " + problem, text, request);
    }
  }
}

// parse(print(ast)) == ast on every rule file in the repository.
void check_repository_files() {
  if (options.source.empty()) return;
  long files = 0;
  for (const char* folder : {"rules", "bench/toy", "tests", "examples", "docs"}) {
    const auto root = std::filesystem::path(options.source) / folder;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.path().extension() != ".proviso") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!parse_rule_file(text.str(), kNoSource).diagnostics.empty()) continue;  // deliberately broken examples
      ++files;
      if (std::string difference; !round_trips(text.str(), difference))
        fail("parse(print(ast)) != ast for " + entry.path().string() + ": " + difference, text.str(), json::object());
    }
  }
  std::printf("repository rule files formatted and re-parsed: %ld\n", files);
  if (files == 0) fail("no rule files found under " + options.source, "", json::object());
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--rule-sets") options.rule_sets = std::stol(value);
    else if (flag == "--requests") options.requests = std::stol(value);
    else if (flag == "--seed") options.seed = std::stoull(value);
    else if (flag == "--source") options.source = value;
    else if (flag == "--save") options.save = value;
    else if (flag == "--emit") options.emit = value;
    else {
      std::fprintf(stderr, "usage: differential_test [--rule-sets N] [--requests M] [--seed S] [--source DIR] [--save DIR] [--emit DIR]\n");
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  check_repository_files();
  std::mt19937_64 rng(options.seed);
  for (long r = 0; r < options.rule_sets; ++r) {
    std::mt19937_64 rule_rng(rng());  // each rule set reproducible on its own
    check_rule_set(difftest::generate_rule_set(rule_rng), rule_rng);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seed %llu: %ld rule sets, %ld (rule set, request) pairs compared (%ld also through the public API), "
              "%ld condition nodes type-checked, %ld files round-tripped through the formatter, in %.1f s\noutcomes:",
              static_cast<unsigned long long>(options.seed), tally.rule_sets, tally.pairs, tally.api_pairs, tally.nodes_typed,
              tally.formatted_files, seconds);
  for (const auto& [outcome, count] : tally.outcomes) std::printf(" %s %ld", outcome.c_str(), count);
  std::printf("\nmismatches and property failures: %ld\n", tally.failures);
  return tally.failures == 0 ? 0 : 1;
}
