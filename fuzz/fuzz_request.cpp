// Fuzz target: request text (JSON or YAML) -> facts of the built-in § 6103
// rule set, through the full binder (as JSON, as YAML and detected) and the
// streaming binder. Bad input gives diagnostics, never a crash; when the
// streaming binder accepts a request the full binder must accept it too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/bind_fast.hpp"
#include "engine/compiled.hpp"
#include "engine/facts.hpp"
#include "engine/load.hpp"

namespace {

struct Fixture {
  std::shared_ptr<const proviso::Policy> policy = proviso::load_builtin_rule_set().policy;
  proviso::CompiledPolicy compiled{policy};
  proviso::FastBinder binder{compiled};
  proviso::FastFacts facts = compiled.make_facts();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& policy = *fixture.policy;
  auto automatic = proviso::parse_request(policy, text, "request");
  (void)proviso::parse_request(policy, text, "request", proviso::RequestFormat::json);
  (void)proviso::parse_request(policy, text, "request", proviso::RequestFormat::yaml);
  for (const auto& d : automatic.diagnostics)
    if (d.code == "E901") __builtin_trap();  // an internal error is a bug
  if (fixture.binder.bind(text, fixture.facts)) {
    auto as_json = proviso::parse_request(policy, text, "request", proviso::RequestFormat::json);
    if (!as_json.facts) __builtin_trap();  // the streaming binder accepted what the full binder refuses
  }
  return 0;
}
