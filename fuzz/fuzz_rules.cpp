// Fuzz target: rule text -> parse -> check (and the formatter on what parses).
// Any input must give a policy or diagnostics: no crash, no hang, no
// sanitizer report, no exception. The formatter must print what parsed so that
// it parses to the same syntax tree (format_text throws std::logic_error if not).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/load.hpp"
#include "grammar/format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = proviso::load_rule_set_from_texts({{"fuzz.proviso", std::string(text)}}, "fuzz");
  if (!loaded.diagnostics.empty()) (void)proviso::render_all(loaded.diagnostics, loaded.sources);
  auto formatted = proviso::format_text(text);
  if (formatted.text) {
    // Formatting is idempotent: the canonical text formats to itself.
    auto again = proviso::format_text(*formatted.text);
    if (!again.text || *again.text != *formatted.text) __builtin_trap();
  }
  return 0;
}
