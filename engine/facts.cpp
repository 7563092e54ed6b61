#include "facts.hpp"

#include <cmath>

#include "grammar/lexical.hpp"

namespace proviso {
namespace {

using nlohmann::json;

std::string json_kind(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a decimal number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "a value";
  }
}

// False for an integer the request writes past int64: nlohmann/json reads 2^63..2^64-1
// as unsigned and larger ones as a decimal with no fraction; neither may wrap.
bool fits_int64(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX);
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return !(d == std::trunc(d) && std::fabs(d) >= 9223372036854775808.0);
  }
  return true;
}

class Binder {
 public:
  Binder(const Policy& policy, std::string_view origin, const RequestLimits& limits, Diagnostics& diagnostics)
      : policy_(policy), origin_(origin), limits_(limits), diagnostics_(diagnostics) {}

  Facts bind(const json& request) {
    Facts facts = unknown_facts(policy_);
    if (!request.is_object()) {
      problem("E409", "$", "a request must be an object whose keys are fact paths, but this is " + json_kind(request),
              "write e.g. {\"request\": {\"in_writing\": true}}");
      return facts;
    }
    walk(request, "", 0, facts);
    return facts;
  }

 private:
  void problem(std::string code, std::string_view path, std::string message, std::string help) {
    if (stopped_) return;
    if (++problems_ > limits_.max_diagnostics) {
      // As for rule files (E107): past the limit more messages only bury the first ones.
      stopped_ = true;
      code = "E107";
      path = "$";
      message = "too many errors in the request; stopping after " + std::to_string(limits_.max_diagnostics);
      help = "fix the errors above and run again";
    }
    Diagnostic d;
    d.code = std::move(code);
    d.location = printable_utf8(std::string(origin_) + ": " + (path == "$" ? std::string("$") : "$." + std::string(path)));
    d.message = printable_utf8(message);
    d.help = printable_utf8(help);
    diagnostics_.push_back(std::move(d));
  }

  // A request given as a DOM (the C++ API) was never parsed by us: its size is counted here.
  bool count_value() {
    if (++values_ <= limits_.max_values) return true;
    if (values_ == limits_.max_values + 1) {
      problem("E413", "$", "the request has more than " + std::to_string(limits_.max_values) + " values",
              "a request describes one disclosure with a few dozen facts");
      stopped_ = true;
    }
    return false;
  }

  bool is_group(const std::string& path) const {
    auto it = policy_.fact_index.lower_bound(path + ".");
    return it != policy_.fact_index.end() && it->first.starts_with(path + ".");
  }

  void walk(const json& object, const std::string& prefix, unsigned depth, Facts& facts) {
    if (depth >= limits_.max_depth) {
      problem("E405", prefix, "the request nests deeper than the limit of " + std::to_string(limits_.max_depth), "fact paths are short: check the structure");
      return;
    }
    for (const auto& [key, value] : object.items()) {
      if (stopped_ || !count_value()) return;
      std::string path = prefix.empty() ? key : prefix + "." + key;
      if (prefix.empty() && key == "interpretations") {
        interpretations(value, facts);
        continue;
      }
      if (auto it = policy_.fact_index.find(path); it != policy_.fact_index.end()) {
        facts.values[it->second] = convert(path, value, policy_.facts[it->second].type);
        continue;
      }
      if (value.is_object() && is_group(path)) {
        walk(value, path, depth + 1, facts);
        continue;
      }
      std::vector<std::string> candidates;
      for (const auto& [fact_path, slot] : policy_.fact_index) candidates.push_back(fact_path);
      auto near = closest_name(path, candidates);
      if (is_group(path))
        problem("E403", path, "`" + path + "` groups facts, so it must be an object, but the request gives " + json_kind(value),
                "give its facts by name, e.g. {\"" + key + "\": {...}}");
      else
        problem("E402", path, "the request gives `" + path + "`, which is not a fact of rule set `" + policy_.name + "`",
                near.empty() ? "`proviso facts` lists the facts it declares" : "did you mean `" + near + "`?");
    }
  }

  void interpretations(const json& value, Facts& facts) {
    if (!value.is_object()) {
      problem("E407", "interpretations", "`interpretations` must map interpretation names to true or false", "");
      return;
    }
    for (const auto& [name, setting] : value.items()) {
      if (stopped_ || !count_value()) return;
      auto it = policy_.interpretation_index.find(name);
      if (it == policy_.interpretation_index.end()) {
        std::vector<std::string> names;
        for (const auto& [n, i] : policy_.interpretation_index) names.push_back(n);
        auto near = closest_name(name, names);
        problem("E407", "interpretations." + name, "`" + name + "` is not an interpretation of rule set `" + policy_.name + "`",
                near.empty() ? "interpretations are declared with `interpretation NAME`" : "did you mean `" + near + "`?");
        continue;
      }
      if (setting.is_null()) continue;
      if (!setting.is_boolean()) {
        problem("E403", "interpretations." + name, "interpretation `" + name + "` must be true or false, but the request gives " + json_kind(setting), "");
        continue;
      }
      facts.interpretations[it->second] = setting.get<bool>() ? 1 : 0;
    }
  }

  Value convert(const std::string& path, const json& v, Type type) {
    Value out = Value::unknown(type.kind);
    if (v.is_null()) return out;
    auto wrong = [&](std::string expected, std::string help = {}) {
      problem("E403", path, "`" + path + "` must be " + expected + ", but the request gives " + json_kind(v), std::move(help));
      return out;
    };
    auto enum_value = [&](const json& item, std::int64_t& index) {
      const auto& e = policy_.enums[type.enum_id];
      if (!item.is_string()) return wrong("one of the values of `" + e.name + "`"), false;
      auto i = e.index_of(item.get<std::string>());
      if (i < 0) {
        auto near = closest_name(item.get<std::string>(), e.values);
        std::string all;
        for (const auto& value : e.values) all += (all.empty() ? "" : ", ") + value;
        problem("E404", path, "`" + item.get<std::string>() + "` is not a value of `" + e.name + "`",
                near.empty() ? "the values are: " + all : "did you mean `" + near + "`?");
        return false;
      }
      index = i;
      return true;
    };
    switch (type.kind) {
      case TypeKind::boolean:
        if (!v.is_boolean()) return wrong("true or false");
        return Value::of_bool(v.get<bool>());
      case TypeKind::integer:
        if (!fits_int64(v)) {
          problem("E403", path, "`" + path + "` must be an integer from -9223372036854775808 to 9223372036854775807, but the request gives one outside that range",
                  "integers are 64-bit; a value past the range cannot be compared exactly");
          return out;
        }
        if (!v.is_number_integer()) return wrong("an integer");
        out.integer = v.get<std::int64_t>();
        break;
      case TypeKind::decimal:
      {
        if (!v.is_number()) return wrong("a number");
        const auto millionths = v.is_number_integer() && fits_int64(v) ? decimal_from_integer(v.get<std::int64_t>())
                                                                      : decimal_from_double(v.get<double>());
        if (!millionths) {
          const bool out_of_range = std::fabs(v.get<double>()) >= 9223372036854.775807;
          problem("E403", path, "`" + path + "` must be a decimal of at most six places from -9223372036854.775808 to 9223372036854.775807, but the request gives " + v.dump(),
                  out_of_range ? "the number is too large for a decimal; give it in a larger unit, or declare the fact an integer"
                               : "decimals are exact to six places (millionths); round the number");
          return out;
        }
        out.decimal = *millionths;
        break;
      }
      case TypeKind::date: {
        if (!v.is_string()) return wrong("a date string \"YYYY-MM-DD\"");
        auto days = parse_date(v.get<std::string>());
        if (!days) {
          problem("E408", path, "`" + v.get<std::string>() + "` is not a calendar date", "write dates as \"YYYY-MM-DD\"");
          return out;
        }
        out.integer = *days;
        break;
      }
      case TypeKind::string:
        if (!v.is_string()) return wrong("a string", "quote the value");
        if (lexical::first_invalid_utf8(v.get_ref<const std::string&>())) {  // a DOM built by a caller, unchecked by a parser
          problem("E403", path, "`" + path + "` must be UTF-8 text, but the request gives bytes that are not", "");
          return out;
        }
        if (v.get_ref<const std::string&>().size() > limits_.max_string_bytes) {
          problem("E411", path, "the string is longer than the limit of " + std::to_string(limits_.max_string_bytes) + " bytes", "");
          return out;
        }
        out.text = v.get<std::string>();
        break;
      case TypeKind::enumeration:
        if (!enum_value(v, out.integer)) return out;
        break;
      case TypeKind::set:
        if (!v.is_array()) return wrong("a list of values of `" + policy_.enums[type.enum_id].name + "`", "write e.g. [\"a\", \"b\"]");
        for (const auto& item : v) {
          if (!count_value()) return out;
          std::int64_t index = 0;
          if (!enum_value(item, index)) return out;
          out.bits |= std::uint64_t{1} << index;
        }
        break;
      case TypeKind::duration: return out;
    }
    out.known = true;
    return out;
  }

  const Policy& policy_;
  std::string_view origin_;
  const RequestLimits& limits_;
  Diagnostics& diagnostics_;
  std::size_t values_ = 0;
  std::size_t problems_ = 0;
  bool stopped_ = false;
};

}  // namespace

Facts unknown_facts(const Policy& policy) {
  Facts facts;
  facts.values.reserve(policy.facts.size());
  for (const auto& f : policy.facts) facts.values.push_back(Value::unknown(f.type.kind));
  facts.interpretations.assign(policy.interpretations.size(), -1);
  return facts;
}

BindResult bind_request(const Policy& policy, const json& request, std::string_view origin, const RequestLimits& limits) {
  BindResult result;
  Binder binder(policy, origin, limits, result.diagnostics);
  auto facts = binder.bind(request);
  if (!has_errors(result.diagnostics)) result.facts = std::move(facts);
  return result;
}

BindResult parse_request(const Policy& policy, std::string_view text, std::string_view origin, RequestFormat format,
                         const RequestLimits& limits) {
  BindResult result;
  auto document = parse_request_document(text, origin, format, limits, result.diagnostics);
  if (!document) return result;
  return bind_request(policy, *document, origin, limits);
}

json value_to_json(const Policy& policy, const Value& value, Type type) {
  if (!value.known) return nullptr;
  switch (type.kind) {
    case TypeKind::boolean: return value.integer != 0;
    case TypeKind::integer: return value.integer;
    case TypeKind::decimal: return decimal_to_double(value.decimal);
    case TypeKind::date: return format_date(value.integer);
    case TypeKind::string: return value.text;
    case TypeKind::enumeration: return policy.enums[type.enum_id].values[value.integer];
    case TypeKind::set: {
      json out = json::array();
      const auto& values = policy.enums[type.enum_id].values;
      for (std::size_t i = 0; i < values.size(); ++i)
        if (value.bits & (std::uint64_t{1} << i)) out.push_back(values[i]);
      return out;
    }
    case TypeKind::duration: return value.integer;
  }
  return nullptr;
}

}  // namespace proviso
