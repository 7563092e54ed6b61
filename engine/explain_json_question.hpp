// A fact's value and a next question of an explanation as JSON text, written
// into the explanation's JsonSink: value_to_json(...).dump() and
// question_to_json(...).dump(), byte for byte, without building a json value
// (which cost ~10,000 instructions a question).
#pragma once
#include <bit>
#include <cstdint>

#include "explain_texts.hpp"
#include "facts.hpp"
#include "json_sink.hpp"
#include "questions.hpp"

namespace proviso {

// value_to_json(policy, value, type).dump(). `names` is the policy's
// ExplainTexts::enum_value_json (its enum names as JSON) or null, when they
// are not ready (a policy string not UTF-8): then they are escaped here. A
// decimal goes through nlohmann, for its formatting of a double. Throws
// NotUtf8 (json_text.hpp) where dump() would refuse a string.
inline void write_value_json(JsonSink& out, const Policy& policy, const std::vector<std::vector<std::string>>* names,
                             const Value& value, Type type) {
  if (!value.known) {
    out += "null";
    return;
  }
  // The enum's names as JSON, or its names to escape; null when the enum is not the policy's.
  const std::vector<std::string>* quoted = nullptr;
  const std::vector<std::string>* plain = nullptr;
  if (type.enum_id >= 0) {
    const auto e = static_cast<std::size_t>(type.enum_id);
    if (names && e < names->size()) quoted = &(*names)[e];
    else if (!names && e < policy.enums.size()) plain = &policy.enums[e].values;
  }
  const auto count = quoted ? quoted->size() : plain ? plain->size() : 0;
  const auto enum_name = [&](std::size_t i) {
    if (quoted) out += (*quoted)[i];
    else out.string((*plain)[i]);
  };
  switch (type.kind) {
    case TypeKind::boolean:
      if (value.integer != 0) out += "true";
      else out += "false";
      return;
    case TypeKind::integer:
    case TypeKind::duration: out.integer(value.integer); return;
    case TypeKind::date: out.string(format_date(value.integer)); return;
    case TypeKind::string: out.string(value.text); return;
    case TypeKind::enumeration:
      if (value.integer >= 0 && static_cast<std::size_t>(value.integer) < count) {
        enum_name(static_cast<std::size_t>(value.integer));
        return;
      }
      break;
    case TypeKind::set:
      if (quoted || plain) {
        // The set bits of the enum's values, in order (the first 64: a set holds no more).
        auto bits = count >= 64 ? value.bits : value.bits & ((std::uint64_t{1} << count) - 1);
        out += '[';
        if (bits) {
          enum_name(static_cast<std::size_t>(std::countr_zero(bits)));
          bits &= bits - 1;
        }
        for (; bits; bits &= bits - 1) {
          out += ',';
          enum_name(static_cast<std::size_t>(std::countr_zero(bits)));
        }
        out += ']';
        return;
      }
      break;
    default: break;
  }
  out += value_to_json(policy, value, type).dump();  // a decimal (or an enum value out of range)
}

// question_to_json(policy, question).dump(): rule ids, the fact's path and
// enum names from `texts`' fragments when it has them (json_ready), else
// escaped here. Throws NotUtf8 where dump() would refuse a string.
void write_question_json(JsonSink& out, const Policy& policy, const ExplainTexts& texts, const Question& question);

}  // namespace proviso
