#include "json_text.hpp"

#include <charconv>
#include <cstring>

namespace proviso {
namespace {

// The length of the well-formed UTF-8 sequence starting at text[i] (Unicode
// table 3-7, which nlohmann's decoder implements), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u; };
  const auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  const unsigned b0 = byte(0), b1 = byte(1);
  if (in(b0, 0xC2, 0xDF)) return in(b1, 0x80, 0xBF) ? 2 : 0;
  const unsigned b2 = byte(2);
  if (b0 == 0xE0) return in(b1, 0xA0, 0xBF) && in(b2, 0x80, 0xBF) ? 3 : 0;
  if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) return in(b1, 0x80, 0xBF) && in(b2, 0x80, 0xBF) ? 3 : 0;
  if (b0 == 0xED) return in(b1, 0x80, 0x9F) && in(b2, 0x80, 0xBF) ? 3 : 0;
  const unsigned b3 = byte(3);
  const bool tail = in(b2, 0x80, 0xBF) && in(b3, 0x80, 0xBF);
  if (b0 == 0xF0) return in(b1, 0x90, 0xBF) && tail ? 4 : 0;
  if (in(b0, 0xF1, 0xF3)) return in(b1, 0x80, 0xBF) && tail ? 4 : 0;
  if (b0 == 0xF4) return in(b1, 0x80, 0x8F) && tail ? 4 : 0;
  return 0;
}

// Whether any of the 8 bytes in `word` is a control character, '"', '\\' or
// not ASCII: the bytes a string cannot be copied over as they are.
bool needs_care(std::uint64_t word) {
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  const auto has_zero = [&](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const auto below_space = (word - ones * 0x20) & ~word & highs;
  return ((word & highs) | below_space | has_zero(word ^ (ones * '"')) | has_zero(word ^ (ones * '\\'))) != 0;
}

// Calls put(bytes, n) with text escaped as dump() escapes it (not the quotes).
template <typename Put>
void escape(std::string_view text, Put put) {
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size();) {
    // Eight plain bytes at a time (most text is plain ASCII), then one at a time.
    if (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (!needs_care(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const auto length = utf8_sequence(text, i);
      if (length == 0) throw NotUtf8{};
      i += length;
      continue;
    }
    put(text.data() + run, i - run);
    switch (c) {
      case '"': put("\\\"", 2); break;
      case '\\': put("\\\\", 2); break;
      case '\b': put("\\b", 2); break;
      case '\f': put("\\f", 2); break;
      case '\n': put("\\n", 2); break;
      case '\r': put("\\r", 2); break;
      case '\t': put("\\t", 2); break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        put(escaped, sizeof escaped);
      }
    }
    run = ++i;
  }
  put(text.data() + run, text.size() - run);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  escape(text, [&](const char* bytes, std::size_t n) { out.append(bytes, n); });
  out += '"';
}

char* write_json_string(char* out, std::string_view text) {
  *out++ = '"';
  escape(text, [&](const char* bytes, std::size_t n) {
    std::memcpy(out, bytes, n);
    out += n;
  });
  *out++ = '"';
  return out;
}

void append_json_int(std::string& out, std::int64_t value) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)error;  // 24 bytes hold any int64
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace proviso
