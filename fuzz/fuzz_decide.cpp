// Fuzz target: (rule set, request) pairs through the evaluators. The input is
// a rule file, a line `%%`, and a request (JSON or YAML); without the line the
// whole input is a request to the built-in § 6103 rules. When both are valid
// the tracing and the fast evaluator must agree on outcome and authorities,
// and the explanation renderers must run.
#define PROVISO_FACADE_IMPLEMENTATION  // the engine's names stay unambiguous; the API is spelled proviso::v1::
#include <proviso/proviso.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/compiled.hpp"
#include "engine/eval.hpp"
#include "engine/facts.hpp"
#include "engine/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto builtin = proviso::load_builtin_rule_set().policy;
  static const auto builtin_api = proviso::v1::Policy::builtin();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find("\n%%\n");
  std::shared_ptr<const proviso::Policy> policy = builtin;
  std::string_view request = input;
  std::optional<proviso::v1::Policy> api;
  if (split != std::string_view::npos) {
    const std::string rules(input.substr(0, split));
    request = input.substr(split + 4);
    policy = proviso::load_rule_set_from_texts({{"fuzz.proviso", rules}}, "fuzz").policy;
    if (!policy) return 0;
    auto from_api = proviso::v1::Policy::from_texts({{"fuzz.proviso", rules}}, "fuzz");
    if (!from_api) __builtin_trap();  // the engine accepted it, so must the API
    api = std::move(*from_api);
  } else if (builtin_api) {
    api = *builtin_api;
  }
  auto bound = proviso::parse_request(*policy, request, "request");
  if (!bound.facts) return 0;
  const auto decision = proviso::decide(*policy, *bound.facts);
  proviso::CompiledPolicy compiled(policy);
  auto fast = compiled.make_facts();
  auto scratch = compiled.make_scratch();
  compiled.load_facts(*bound.facts, fast);
  if (compiled.decide(fast, scratch) != decision.outcome || scratch.authorities != decision.authorities) __builtin_trap();
  if (api) {
    auto through_api = api->decide(request);
    if (!through_api) __builtin_trap();  // the engine bound it, so must the API
    (void)through_api->explain_text();
    (void)through_api->to_json(proviso::v1::Detail::full).dump();
    (void)through_api->receipt();
  }
  return 0;
}
