// `proviso_bench scale`: compile time, memory and decide time of generated
// rule sets (bench/rulegen.hpp) of 10, 100, 1,000 and 10,000 rules, and of the
// built-in § 6103 set, loaded from text each time (parse, check, compile).
#include <malloc.h>

#include <random>

#include "common.hpp"
#include "engine/compiled.hpp"
#include "engine/load.hpp"
#include "rulegen.hpp"

namespace proviso::bench {
namespace {

std::size_t heap_in_use() { return mallinfo2().uordblks; }

struct Loaded {
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<const CompiledPolicy> compiled;
  double ms = 0;
  double cpu_ms = 0;  // thread CPU time: what the wall time would be on an idle core
  std::size_t bytes = 0;
};

Loaded load(const RuleSetFiles& files, int reps) {
  Loaded out;
  std::vector<double> times, cpu_times;
  for (int i = 0; i < reps; ++i) {
    out = {};
    const auto before = heap_in_use();
    const double c0 = thread_cpu_ns();
    auto t0 = Clock::now();
    auto loaded = load_rule_set_from_texts(files, "generated");
    if (!loaded.policy) throw std::runtime_error(render_all(loaded.diagnostics, loaded.sources));
    out.compiled = std::make_shared<const CompiledPolicy>(loaded.policy);
    times.push_back(ns_since(t0) / 1e6);
    cpu_times.push_back((thread_cpu_ns() - c0) / 1e6);
    out.policy = loaded.policy;
    loaded = {};
    out.bytes = heap_in_use() - before;
  }
  out.ms = percentile(times, 0.5);
  out.cpu_ms = percentile(cpu_times, 0.5);
  return out;
}

}  // namespace

int run_scale(const Args& args) {
  nlohmann::json result = nlohmann::json::object();
  std::mt19937_64 rng(6103);
  for (int size : {10, 100, 1000, 10000}) {
    // Split into files under the parser's 1 MiB file limit, at rule boundaries.
    RuleSetFiles files{{"proviso.yaml", rulegen::manifest()}};
    const std::string text = rulegen::rules(size);
    for (std::size_t start = 0; start < text.size();) {
      std::size_t end = start + 400000 >= text.size() ? text.size() : text.find("\nrule ", start + 400000);
      if (end == std::string::npos) end = text.size();
      files.emplace_back("rules" + std::to_string(files.size()) + ".proviso", text.substr(start, end - start + (end < text.size() ? 1 : 0)));
      start = end + (end < text.size() ? 1 : 0);
    }
    const int reps = size >= 10000 ? (args.quick ? 1 : 3) : (args.quick ? 3 : 5);
    auto loaded = load(files, reps);
    // Requests bound once (one fact in six unknown, and every fact known), then
    // decided by both evaluators.
    const std::size_t n = args.quick ? 1000 : 5000;
    std::vector<Facts> facts;
    std::vector<FastFacts> fast, fast_known;
    for (std::size_t i = 0; i < 2 * n; ++i) {
      auto bound = bind_request(*loaded.policy, rulegen::request(rng, i < n), "request");
      if (!bound.facts) throw std::runtime_error("generated request refused");
      facts.push_back(*bound.facts);
      auto& into = i < n ? fast : fast_known;
      into.push_back(loaded.compiled->make_facts());
      loaded.compiled->load_facts(facts.back(), into.back());
    }
    auto scratch = loaded.compiled->make_scratch();
    std::size_t permits = 0, mismatches = 0;
    const std::size_t reference_n = std::min<std::size_t>(n, size >= 10000 ? 200 : 1000);
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < reference_n; ++i) {
      for (std::size_t k : {i, n + i}) {  // with unknowns, and all known
        auto reference = decide(*loaded.policy, facts[k]);
        auto outcome = loaded.compiled->decide(k < n ? fast[k] : fast_known[k - n], scratch);
        if (outcome != reference.outcome || scratch.authorities != reference.authorities) ++mismatches;
        if (outcome == Outcome::permitted) ++permits;
      }
    }
    const double reference_ns = ns_since(t0) / static_cast<double>(2 * reference_n);
    const auto decide_time = per_item(n, args.reps, [&] {
      std::uint64_t s = 0;
      for (std::size_t i = 0; i < n; ++i) s += static_cast<std::uint64_t>(loaded.compiled->decide(fast[i], scratch));
      return s;
    });
    const auto known_time = per_item(n, args.reps, [&] {
      std::uint64_t s = 0;
      for (std::size_t i = 0; i < n; ++i) s += static_cast<std::uint64_t>(loaded.compiled->decide(fast_known[i], scratch));
      return s;
    });
    const double decide_ns = decide_time.wall_ns;
    std::printf("rules %6d: compile %9.2f ms (CPU %.2f ms), %10zu bytes (compiled form %zu), decide %8.1f ns (CPU %.1f ns; all facts known: CPU %.1f ns; "
                "reference decide() incl. trace %.0f ns), %zu guarded rules, %zu mismatches\n",
                size, loaded.ms, loaded.cpu_ms, loaded.bytes, loaded.compiled->memory_bytes(), decide_ns, decide_time.cpu_ns, known_time.cpu_ns,
                reference_ns, loaded.compiled->guarded_rules(), mismatches);
    result["rules_" + std::to_string(size)] = {{"compile_ms", loaded.ms}, {"compile_cpu_ms", loaded.cpu_ms}, {"bytes", loaded.bytes},
                                               {"compiled_bytes", loaded.compiled->memory_bytes()},
                                               {"decide_ns", decide_ns}, {"decide_cpu_ns", decide_time.cpu_ns},
                                               {"decide_known_ns", known_time.wall_ns}, {"decide_known_cpu_ns", known_time.cpu_ns},
                                               {"reference_decide_ns", reference_ns},
                                               {"mismatches", mismatches}, {"permits_of_reference_checked", permits}};
    if (mismatches) {
      print_result(result);
      return 1;
    }
  }
  auto builtin = load(builtin_rule_files(), args.quick ? 5 : 15);
  std::printf("irc-6103   : compile %9.2f ms (CPU %.2f ms), %10zu bytes (compiled form %zu)\n", builtin.ms, builtin.cpu_ms, builtin.bytes,
              builtin.compiled->memory_bytes());
  result["irc6103"] = {{"compile_ms", builtin.ms}, {"compile_cpu_ms", builtin.cpu_ms}, {"bytes", builtin.bytes},
                       {"compiled_bytes", builtin.compiled->memory_bytes()}};
  result["peak_rss_bytes"] = peak_rss_bytes();
  print_result(result);
  return 0;
}

}  // namespace proviso::bench
