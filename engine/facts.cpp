#include "facts.hpp"

#include <yaml-cpp/yaml.h>

#include <regex>

namespace proviso {
namespace {

using nlohmann::json;

struct TooDeep {};

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

std::string line_col_at(std::string_view text, std::size_t byte) {
  auto lc = line_col(text, static_cast<std::uint32_t>(std::min(byte, text.size())));
  return std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// Deepest bracket nesting outside quoted strings: YAML's flow style nests like
// JSON, and yaml-cpp recurses on it, so hostile depth is refused before parsing.
unsigned bracket_depth(std::string_view text) {
  unsigned depth = 0, deepest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0) --depth;
    else if (c == '#') while (i < text.size() && text[i] != '\n') ++i;
  }
  return deepest;
}

json yaml_to_json(const YAML::Node& node, unsigned depth, unsigned max_depth) {
  if (depth > max_depth) throw TooDeep{};
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item, depth + 1, max_depth));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) out[entry.first.Scalar()] = yaml_to_json(entry.second, depth + 1, max_depth);
      return out;
    }
    case YAML::NodeType::Scalar: {
      const auto& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted: always a string
      static const std::regex integer(R"([-+]?[0-9]+)"), decimal(R"([-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      if (s == "null" || s == "~" || s == "Null" || s == "NULL") return nullptr;
      if (std::regex_match(s, integer)) {
        try { return std::stoll(s); } catch (...) { return s; }
      }
      if (std::regex_match(s, decimal)) {
        try { return std::stod(s); } catch (...) { return s; }
      }
      return s;
    }
  }
  return nullptr;
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
    Diagnostic d;
    d.code = std::move(code);
    d.location = std::string(origin_) + ": " + (path == "$" ? std::string("$") : "$." + std::string(path));
    d.message = std::move(message);
    d.help = std::move(help);
    diagnostics_.push_back(std::move(d));
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
        if (!v.is_number_integer()) return wrong("an integer");
        out.integer = v.get<std::int64_t>();
        break;
      case TypeKind::decimal:
        if (!v.is_number()) return wrong("a number");
        out.decimal = v.get<double>();
        break;
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

std::optional<json> parse_request_document(std::string_view text, std::string_view origin, RequestFormat format,
                                           const RequestLimits& limits, Diagnostics& diagnostics) {
  auto problem = [&](std::string code, std::string location, std::string message, std::string help) {
    Diagnostic d;
    d.code = std::move(code);
    d.location = std::move(location);
    d.message = std::move(message);
    d.help = std::move(help);
    diagnostics.push_back(std::move(d));
    return std::nullopt;
  };
  const std::string where(origin);
  if (text.size() > limits.max_bytes)
    return problem("E406", where, "the request is " + std::to_string(text.size()) + " bytes, more than the limit of " + std::to_string(limits.max_bytes),
                   "a request describes one disclosure; split bulk input into lines for `proviso batch`");
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return problem("E409", where, "the request is empty", "give an object whose keys are fact paths, e.g. {\"request\": {\"in_writing\": true}}");
  if (format == RequestFormat::automatic) format = (text[first] == '{' || text[first] == '[') ? RequestFormat::json : RequestFormat::yaml;
  if (format == RequestFormat::json) {
    try {
      auto depth_guard = [&](int depth, json::parse_event_t, json&) {
        if (depth > static_cast<int>(limits.max_depth)) throw TooDeep{};
        return true;
      };
      return json::parse(text.begin(), text.end(), depth_guard);
    } catch (const TooDeep&) {
      return problem("E405", where, "the request nests deeper than the limit of " + std::to_string(limits.max_depth), "fact paths are short: check the structure");
    } catch (const json::parse_error& e) {
      std::string message = e.what();
      if (auto pos = message.find("]: "); pos != std::string::npos) message = message.substr(pos + 3);
      auto at = e.byte > 0 ? e.byte - 1 : 0;
      return problem("E401", where + ":" + line_col_at(text, at), "the request is not valid JSON: " + message,
                     "check for a missing comma, quote or bracket near here");
    } catch (const json::exception& e) {  // well-formed but unrepresentable, e.g. a number like 1e400
      std::string message = e.what();
      if (auto pos = message.find("] "); pos != std::string::npos) message = message.substr(pos + 2);
      return problem("E401", where, "the request is not valid JSON: " + message, "numbers must fit in a 64-bit float");
    }
  }
  if (text.find('\0') != std::string_view::npos)
    return problem("E410", where + ":" + line_col_at(text, text.find('\0')), "the request contains a NUL byte", "save it as UTF-8 text");
  if (bracket_depth(text) > limits.max_depth)
    return problem("E405", where, "the request nests deeper than the limit of " + std::to_string(limits.max_depth), "fact paths are short: check the structure");
  try {
    auto node = YAML::Load(std::string(text));
    return yaml_to_json(node, 0, limits.max_depth);
  } catch (const TooDeep&) {
    return problem("E405", where, "the request nests deeper than the limit of " + std::to_string(limits.max_depth), "fact paths are short: check the structure");
  } catch (const YAML::Exception& e) {
    auto location = where + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return problem("E410", location, "the request is not valid YAML: " + e.msg, "check the indentation and quoting near here");
  } catch (const std::exception& e) {
    return problem("E410", where, std::string("the request could not be read as YAML: ") + e.what(), "");
  }
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
    case TypeKind::decimal: return value.decimal;
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
