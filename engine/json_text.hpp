// JSON text appended to one std::string, byte for byte as nlohmann::json's
// compact dump() writes the same value: for renderers that only need text and
// must not pay for building a json tree first (explain_json_text.cpp).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace proviso {

// Thrown for a string that is not valid UTF-8, which dump() refuses (it
// throws type_error 316): the caller falls back to the json tree, so the
// error users see is the one they saw before.
struct NotUtf8 : std::runtime_error {
  NotUtf8() : std::runtime_error("string is not valid UTF-8") {}
};

// `"text"`, escaped as dump() escapes with ensure_ascii off: `"` and `\`,
// \b \f \n \r \t, other control characters as \u00XX (lowercase hex), and
// UTF-8 copied as it is.
void append_json_string(std::string& out, std::string_view text);
// The same, written at `out`, which has room for json_string_bound(text.size())
// bytes (six a byte, \u00XX, and the quotes); returns the end of what it wrote.
char* write_json_string(char* out, std::string_view text);
constexpr std::size_t json_string_bound(std::size_t size) { return 6 * size + 2; }

void append_json_int(std::string& out, std::int64_t value);

// Any json value, compact (for the rare parts still built as json).
inline void append_json(std::string& out, const nlohmann::json& value) {
  if (value.is_string()) return append_json_string(out, value.get_ref<const std::string&>());
  if (value.is_null()) {
    out += "null";
  } else if (value.is_boolean()) {
    out += value.get<bool>() ? "true" : "false";
  } else if (value.is_number_integer() && !value.is_number_unsigned()) {
    append_json_int(out, value.get<std::int64_t>());
  } else {
    out += value.dump();
  }
}

}  // namespace proviso
