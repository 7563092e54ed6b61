// `proviso_bench decide`: one rule set, one request file, three paths:
//   (a) bound: the fast decide on facts already bound (decisions/s, p50/p99)
//   (b) e2e:   JSON line → streaming binder → fast decide → decision line
//   (c) explain: the tracing decide() plus the full explanation JSON
// and, as the in-run check, the reference path (DOM bind + decide()) on the
// same requests: any disagreement is counted and fails the step.
#include <malloc.h>

#include "common.hpp"
#include "engine/bind_fast.hpp"
#include "engine/explain.hpp"
#include "engine/load.hpp"
#include "rulegen.hpp"

namespace proviso::bench {
namespace {

std::size_t heap_in_use() { return mallinfo2().uordblks; }

// The peers' decision code: P/D and the hex mask of the deciding rules, the
// general rule (the default deny) counting for none.
std::string peer_code(const Policy& policy, Outcome outcome, const std::vector<std::int32_t>& authorities) {
  static const std::map<std::string, int> bits{{"a", 1}, {"b", 2}, {"c", 4}, {"bar", 8}};
  int mask = 0;
  for (auto r : authorities)
    if (auto it = bits.find(policy.rules[r].id); it != bits.end()) mask |= it->second;
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%c%x", outcome == Outcome::permitted ? 'P' : 'D', mask);
  return buffer;
}

}  // namespace

int run_decide(const Args& args, const std::string&) {
  if (args.files.size() < 2) throw std::runtime_error("decide RULES|builtin REQUESTS.jsonl");
  const std::string rules = args.files[0];

  // Compile time and memory: load (parse, check, compile) and the fast form, median of a few loads.
  std::vector<double> compile_ms;
  std::size_t policy_bytes = 0;
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<const CompiledPolicy> compiled;
  for (int i = 0; i < (args.quick ? 3 : 7); ++i) {
    policy.reset();
    compiled.reset();
    const auto before = heap_in_use();
    auto t0 = Clock::now();
    auto loaded = rules == "builtin" ? load_builtin_rule_set() : load_rule_set(rules);
    if (!loaded.policy) throw std::runtime_error(render_all(loaded.diagnostics, loaded.sources));
    policy = loaded.policy;
    compiled = std::make_shared<const CompiledPolicy>(policy);
    compile_ms.push_back(ns_since(t0) / 1e6);
    loaded = {};
    policy_bytes = heap_in_use() - before;
  }
  const bool toy = policy->name == "toy-6103";

  const auto lines = read_lines(args.files[1], args.limit);
  const std::size_t n = lines.size();

  // The reference path on every request, also the source of the bound facts for (a).
  std::vector<FastFacts> bound;
  const std::size_t bound_n = std::min<std::size_t>(n, toy ? n : (args.quick ? 5000 : 20000));
  bound.reserve(bound_n);
  std::vector<std::string> reference(n);
  std::size_t refused = 0;
  const std::size_t reference_n = args.quick ? std::min<std::size_t>(n, 20000) : n;
  auto t0 = Clock::now();
  for (std::size_t i = 0; i < reference_n; ++i) {
    auto result = parse_request(*policy, lines[i], "request", RequestFormat::json);
    if (!result.facts) {
      ++refused;
      continue;
    }
    auto decision = decide(*policy, *result.facts);
    reference[i] = toy ? peer_code(*policy, decision.outcome, decision.authorities) : compact_decision_json(*policy, decision);
    if (i < bound_n) {
      bound.push_back(compiled->make_facts());
      compiled->load_facts(*result.facts, bound.back());
    }
  }
  const double reference_e2e_ns = ns_since(t0) / static_cast<double>(reference_n);

  // (a) bound facts
  FastScratch scratch = compiled->make_scratch();
  auto decide_one = [&](std::size_t i) {
    auto outcome = compiled->decide(bound[i], scratch);
    return static_cast<std::uint64_t>(outcome) + scratch.authorities.size();
  };
  const auto bound_time = per_item(bound.size(), args.reps, [&] {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < bound.size(); ++i) s += decide_one(i);
    return s;
  });
  const auto bound_lat = latencies(bound.size(), decide_one);
  // The same on a cache-resident working set (as a just-bound request is), like the limit's /hot figures.
  const std::size_t hot_n = std::min<std::size_t>(bound.size(), 2048);
  const auto bound_hot = per_item(bound.size(), args.reps, [&] {
    std::uint64_t s = 0;
    for (std::size_t done = 0; done < bound.size(); done += hot_n)
      for (std::size_t i = 0; i < hot_n && done + i < bound.size(); ++i) s += decide_one(i);
    return s;
  });

  const double bound_ns = bound_time.wall_ns, bound_hot_ns = bound_hot.wall_ns;
  // (b) JSON line → decision line, through the same object a batch worker uses.
  FastDecider decider(compiled);
  std::string out;
  std::vector<std::string> codes(n);
  std::size_t mismatches = 0, permits = 0, errors = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out.clear();
    auto outcome = decider.decide_line(lines[i], out);
    if (decider.last_was_error()) ++errors;
    codes[i] = toy ? peer_code(*policy, outcome, decider.authorities()) : out;
    if (outcome == Outcome::permitted) ++permits;
    if (i < reference_n && !reference[i].empty() && reference[i] != codes[i]) ++mismatches;
  }
  auto line_one = [&](std::size_t i) {
    out.clear();
    decider.decide_line(lines[i], out);
    return static_cast<std::uint64_t>(out.size());
  };
  const auto e2e_time = per_item(n, std::max(2, args.reps / 3), [&] {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < n; ++i) s += line_one(i);
    return s;
  });
  const double e2e_ns = e2e_time.wall_ns;
  const auto e2e_lat = latencies(n, line_one);

  // (c) the full explanation from bound facts: decide() with its trace (every
  // rule and condition, the deciding unknowns, the interpretations relied on),
  // the explanation tree (grounds, closest and other exceptions with why each
  // fails, facts read) and its JSON text (explanation_json_text, the bytes of
  // explanation_to_json(...).dump()). The counterfactual search
  // ("what would have to change") is a bounded search over other requests,
  // not an account of this decision: it is timed apart, as (c+).
  const std::size_t explain_n = std::min<std::size_t>(reference_n, args.quick ? 2000 : 10000);
  std::vector<Facts> explain_facts;
  for (std::size_t i = 0; i < explain_n; ++i)
    if (auto r = parse_request(*policy, lines[i], "request", RequestFormat::json); r.facts) explain_facts.push_back(*r.facts);
  ExplainOptions no_search;
  no_search.counterfactuals = false;
  auto explain_one = [&](std::size_t i) {
    auto decision = decide(*policy, explain_facts[i]);
    auto explanation = explain(*policy, explain_facts[i], decision, no_search);
    return static_cast<std::uint64_t>(explanation_json_text(*policy, explanation).size());
  };
  const auto explain_time = per_item(explain_facts.size(), std::max(2, args.reps / 3), [&] {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < explain_facts.size(); ++i) s += explain_one(i);
    return s;
  });
  const auto explain_lat = latencies(explain_facts.size(), explain_one);
  const double explain_mean = explain_time.wall_ns;
  // The same latencies by outcome: a denial lists every exception ruled out,
  // an undetermined request ranks the questions to ask next, a permit little
  // of either, so one mean hides three different costs.
  // Per outcome: the CPU time of passes over its requests (as for the whole,
  // robust on a busy host) and the per-call latencies' p50 and p99.
  nlohmann::json explain_by_outcome = nlohmann::json::object();
  {
    std::map<std::string, std::vector<std::size_t>> by_outcome;
    for (std::size_t i = 0; i < explain_facts.size(); ++i)
      by_outcome[std::string(outcome_name(decide(*policy, explain_facts[i]).outcome))].push_back(i);
    for (const auto& [outcome, items] : by_outcome) {
      const auto time = per_item(items.size(), std::max(2, args.reps / 3), [&] {
        std::uint64_t s = 0;
        for (auto i : items) s += explain_one(i);
        return s;
      });
      std::vector<double> lat;
      for (auto i : items) lat.push_back(explain_lat[i]);
      explain_by_outcome[outcome] = {
          {"n", items.size()}, {"cpu_ns", time.cpu_ns}, {"p50_ns", percentile(lat, 0.5)}, {"p99_ns", percentile(lat, 0.99)}};
    }
  }
  // The parts of (c): the tracing decide alone.
  const auto trace_time = per_item(explain_facts.size(), std::max(2, args.reps / 3), [&] {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < explain_facts.size(); ++i) s += decide(*policy, explain_facts[i]).authorities.size();
    return s;
  });
  // ... and decide() with the explanation tree, not yet JSON.
  const auto tree_time = per_item(explain_facts.size(), std::max(2, args.reps / 3), [&] {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < explain_facts.size(); ++i) {
      auto decision = decide(*policy, explain_facts[i]);
      s += explain(*policy, explain_facts[i], decision, no_search).closest.size();
    }
    return s;
  });
  std::uint64_t explain_bytes = 0;
  for (std::size_t i = 0; i < explain_facts.size(); ++i) explain_bytes += explain_one(i);
  // (c+) with the counterfactual search, on fewer requests (milliseconds each).
  const std::size_t search_n = std::min<std::size_t>(explain_facts.size(), args.quick ? 100 : 500);
  const auto search_lat = latencies(search_n, [&](std::size_t i) {
    auto decision = decide(*policy, explain_facts[i]);
    auto explanation = explain(*policy, explain_facts[i], decision);
    return static_cast<std::uint64_t>(explanation_json_text(*policy, explanation).size());
  });
  double search_mean = 0;
  for (auto v : search_lat) search_mean += v / static_cast<double>(search_lat.size());

  if (!args.out.empty()) {
    std::ofstream o(args.out);
    for (const auto& c : codes) o << c << '\n';
  }
  nlohmann::json result{{"peer", toy ? "proviso-toy" : "proviso-" + policy->name},
                        {"ruleset", policy->name},
                        {"n", n},
                        {"permits", permits},
                        {"denies", n - permits},
                        {"streaming_binder", FastBinder::streaming()},
                        {"compile_ms", percentile(compile_ms, 0.5)},
                        {"policy_bytes", policy_bytes},
                        {"compiled_bytes", compiled->memory_bytes()},
                        {"bound_ns", bound_ns},
                        {"bound_per_s", 1e9 / bound_ns},
                        {"bound_hot_ns", bound_hot_ns},
                        {"bound_cpu_ns", bound_time.cpu_ns},
                        {"bound_hot_cpu_ns", bound_hot.cpu_ns},
                        {"e2e_cpu_ns", e2e_time.cpu_ns},
                        {"e2e_cpu_per_s", 1e9 / e2e_time.cpu_ns},
                        {"bound_p50_ns", percentile(bound_lat, 0.5)},
                        {"bound_p99_ns", percentile(bound_lat, 0.99)},
                        {"e2e_ns", e2e_ns},
                        {"e2e_per_s", 1e9 / e2e_ns},
                        {"e2e_p50_ns", percentile(e2e_lat, 0.5)},
                        {"e2e_p99_ns", percentile(e2e_lat, 0.99)},
                        {"reference_e2e_per_s", 1e9 / reference_e2e_ns},
                        {"explain_ns", explain_mean},
                        {"explain_p50_ns", percentile(explain_lat, 0.5)},
                        {"explain_p99_ns", percentile(explain_lat, 0.99)},
                        {"explain_cpu_ns", explain_time.cpu_ns},
                        {"trace_decide_ns", trace_time.wall_ns},
                        {"trace_decide_cpu_ns", trace_time.cpu_ns},
                        {"explain_tree_cpu_ns", tree_time.cpu_ns},
                        {"explain_by_outcome", explain_by_outcome},
                        {"explain_json_bytes", explain_facts.empty() ? 0 : explain_bytes / explain_facts.size()},
                        {"explain_counterfactuals_ns", search_mean},
                        {"explain_counterfactuals_p99_ns", percentile(search_lat, 0.99)},
                        {"refused", refused},
                        {"line_errors", errors},
                        {"reference_checked", reference_n},
                        {"reference_mismatch", mismatches},
                        {"peak_rss_bytes", peak_rss_bytes()},
                        // the peers' harness contract (bench/report.py)
                        {"eval_dps", 1e9 / bound_ns},
                        {"eval_med_us", percentile(bound_lat, 0.5) / 1e3},
                        {"e2e_dps", 1e9 / e2e_ns},
                        {"e2e_med_us", percentile(e2e_lat, 0.5) / 1e3},
                        {"parse_us", 0},
                        {"version", std::string("proviso ") + (FastBinder::streaming() ? "(simdjson binder)" : "(DOM binder)")}};
  std::printf("%s: %zu requests, compile %.2f ms, %zu bytes\n", policy->name.c_str(), n, percentile(compile_ms, 0.5), policy_bytes);
  std::printf("  (a) bound facts : %8.1f ns/decision (%.3g/s; CPU time %.1f ns), per call p50 %.0f ns p99 %.0f ns (timer included)\n",
              bound_ns, 1e9 / bound_ns, bound_time.cpu_ns, percentile(bound_lat, 0.5), percentile(bound_lat, 0.99));
  std::printf("      cache-resident: %8.1f ns/decision (CPU time %.1f ns; %zu-request working set)\n", bound_hot_ns, bound_hot.cpu_ns, hot_n);
  std::printf("  (b) JSON line   : %8.1f ns/decision (%.3g/s; CPU time %.1f ns), per call p50 %.0f ns p99 %.0f ns; DOM reference path %.3g/s\n",
              e2e_ns, 1e9 / e2e_ns, e2e_time.cpu_ns, percentile(e2e_lat, 0.5), percentile(e2e_lat, 0.99), 1e9 / reference_e2e_ns);
  std::printf("  (c) explanation : %.2f us (CPU time %.2f us), per call p50 %.2f us p99 %.2f us (%zu requests); of which decide() %.2f us\n",
              explain_mean / 1e3, explain_time.cpu_ns / 1e3, percentile(explain_lat, 0.5) / 1e3, percentile(explain_lat, 0.99) / 1e3,
              explain_lat.size(), trace_time.wall_ns / 1e3);
  std::printf("      CPU time: decide() %.2f us, + explanation tree %.2f us, + JSON %.2f us; %.0f bytes of JSON on average\n",
              trace_time.cpu_ns / 1e3, (tree_time.cpu_ns - trace_time.cpu_ns) / 1e3, (explain_time.cpu_ns - tree_time.cpu_ns) / 1e3,
              explain_facts.empty() ? 0.0 : static_cast<double>(explain_bytes) / static_cast<double>(explain_facts.size()));
  for (const auto& [outcome, figures] : explain_by_outcome.items())
    std::printf("      %-14s: %5zu requests, CPU time %.2f us, per call p50 %.2f us p99 %.2f us\n", outcome.c_str(),
                figures["n"].get<std::size_t>(), figures["cpu_ns"].get<double>() / 1e3, figures["p50_ns"].get<double>() / 1e3,
                figures["p99_ns"].get<double>() / 1e3);
  std::printf("  (c+) with counterfactual search: mean %.1f us, p99 %.1f us (%zu requests)\n", search_mean / 1e3,
              percentile(search_lat, 0.99) / 1e3, search_lat.size());
  std::printf("  reference check : %zu of %zu disagree\n", mismatches, reference_n);
  print_result(result);
  return mismatches ? 1 : 0;
}

}  // namespace proviso::bench

namespace proviso::bench {

// `proviso_bench profile RULES|builtin REQUESTS.jsonl [--reps R]`: path (a)
// alone, R passes over the requests, for `valgrind --tool=callgrind` (whose
// instruction counts repeat on a loaded machine) or perf; prints the CPU time
// per decision.
int run_profile(const Args& args) {
  if (args.files.empty()) throw std::runtime_error("profile RULES|builtin REQUESTS.jsonl, or profile generated:N [known|unknowns]");
  // generated:N: a generated set of N rules (bench/rulegen.hpp) and --limit requests for it.
  const bool generated = args.files[0].starts_with("generated:");
  LoadResult loaded;
  if (generated) {
    const int size = std::stoi(args.files[0].substr(10));
    RuleSetFiles files{{"proviso.yaml", rulegen::manifest()}};
    const std::string text = rulegen::rules(size);
    for (std::size_t start = 0; start < text.size();) {  // under the parser's 1 MiB file limit
      std::size_t end = start + 400000 >= text.size() ? text.size() : text.find("\nrule ", start + 400000);
      if (end == std::string::npos) end = text.size();
      files.emplace_back("rules" + std::to_string(files.size()) + ".proviso", text.substr(start, end - start + (end < text.size() ? 1 : 0)));
      start = end + (end < text.size() ? 1 : 0);
    }
    loaded = load_rule_set_from_texts(files, "generated");
  } else {
    if (args.files.size() < 2) throw std::runtime_error("profile RULES|builtin REQUESTS.jsonl");
    loaded = args.files[0] == "builtin" ? load_builtin_rule_set() : load_rule_set(args.files[0]);
  }
  if (!loaded.policy) throw std::runtime_error(render_all(loaded.diagnostics, loaded.sources));
  auto compiled = std::make_shared<const CompiledPolicy>(loaded.policy);
  FastBinder binder(*compiled);
  std::vector<FastFacts> bound;
  if (generated) {
    std::mt19937_64 rng(6103);
    const bool unknowns = args.files.size() > 1 && args.files[1] == "unknowns";
    for (std::size_t i = 0; i < (args.limit ? args.limit : 2000); ++i) {
      bound.push_back(compiled->make_facts());
      if (!binder.bind(rulegen::request(rng, unknowns).dump(), bound.back())) throw std::runtime_error("generated request declined");
    }
  } else {
    for (const auto& line : read_lines(args.files[1], args.limit)) {
      bound.push_back(compiled->make_facts());
      if (!binder.bind(line, bound.back())) bound.pop_back();
    }
  }
  FastScratch scratch = compiled->make_scratch();
  const auto time = per_item(bound.size(), args.reps, [&] {
    std::uint64_t s = 0;
    for (const auto& facts : bound) s += static_cast<std::uint64_t>(compiled->decide(facts, scratch)) + scratch.authorities.size();
    return s;
  });
  std::printf("%zu requests x %d passes: %.1f ns/decision CPU time; %zu of %zu rules guarded, on %zu facts\n", bound.size(),
              args.reps + 1, time.cpu_ns, compiled->guarded_rules(), loaded.policy->rules.size(), compiled->guard_facts());
  return 0;
}

// `proviso_bench profile-explain RULES|builtin REQUESTS.jsonl [--reps R] [--limit N]`:
// path (c) alone (decide(), explain() without the counterfactual search, the
// JSON text), R passes over the requests, for callgrind; prints the CPU time
// per decision and the bytes of JSON.
int run_profile_explain(const Args& args) {
  if (args.files.size() < 2) throw std::runtime_error("profile-explain RULES|builtin REQUESTS.jsonl");
  auto loaded = args.files[0] == "builtin" ? load_builtin_rule_set() : load_rule_set(args.files[0]);
  if (!loaded.policy) throw std::runtime_error(render_all(loaded.diagnostics, loaded.sources));
  const Policy& policy = *loaded.policy;
  std::vector<Facts> requests;
  for (const auto& line : read_lines(args.files[1], args.limit))
    if (auto r = parse_request(policy, line, "request", RequestFormat::json); r.facts) requests.push_back(*r.facts);
  ExplainOptions no_search;
  no_search.counterfactuals = false;
  std::uint64_t bytes = 0;
  const auto time = per_item(requests.size(), args.reps, [&] {
    std::uint64_t s = 0;
    for (const auto& facts : requests) {
      auto decision = decide(policy, facts);
      auto explanation = explain(policy, facts, decision, no_search);
      s += explanation_json_text(policy, explanation).size();
    }
    bytes = s;
    return s;
  });
  std::printf("%zu requests x %d passes: %.2f us/decision CPU time, %.0f bytes of JSON on average\n", requests.size(), args.reps + 1,
              time.cpu_ns / 1e3, requests.empty() ? 0.0 : static_cast<double>(bytes) / static_cast<double>(requests.size()));
  return 0;
}

}  // namespace proviso::bench
