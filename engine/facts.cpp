#include "facts.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "grammar/lexical.hpp"
#include "yaml_guard.hpp"

namespace proviso {
namespace {

using nlohmann::json;

struct TooDeep {};
struct TooManyValues {};
struct DuplicateKey {
  std::string path;  // "request.in_writing": the key given twice, under its parents
  std::string location;  // "line:col" when known (YAML)
};
struct KeyNotText {
  std::string location;
};

// "request.purposes[2].x": a path for messages, with list positions.
std::string join_path(const std::string& prefix, const std::string& key) { return prefix.empty() ? key : prefix + "." + key; }

// Follows nlohmann's parse events to find what its DOM would hide: a key given
// twice in one object (the DOM keeps the last), and more values than allowed.
// Depth is checked here too, before the parser goes deeper.
class JsonShapeGuard {
 public:
  explicit JsonShapeGuard(const RequestLimits& limits) : limits_(limits) {}

  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    using E = json::parse_event_t;
    if (depth > static_cast<int>(limits_.max_depth)) throw TooDeep{};
    switch (event) {
      case E::object_start:
      case E::array_start:
        count_value();
        frames_.push_back(Frame{event == E::object_start, {}, {}, 0});
        break;
      case E::key: {
        auto& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) throw DuplicateKey{path(), ""};
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        next_item();
        break;
      case E::value:
        count_value();
        next_item();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object = false;
    std::set<std::string> keys;
    std::string key;
    std::size_t index = 0;
  };

  void count_value() {
    if (++values_ > limits_.max_values) throw TooManyValues{};
  }
  void next_item() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }
  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      if (f.object) out = join_path(out, f.key);
      else out += "[" + std::to_string(f.index) + "]";
    }
    return out;
  }

  const RequestLimits& limits_;
  std::vector<Frame> frames_;
  std::size_t values_ = 0;
  std::size_t problems_ = 0;
  bool stopped_ = false;
};

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

std::string mark_text(const YAML::Mark& mark) {
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// Aliases share nodes in yaml-cpp's tree, so a "billion laughs" document is
// small in memory but exponential when expanded: each use is counted.
struct YamlWalk {
  const RequestLimits& limits;
  std::size_t values = 0;

  json convert(const YAML::Node& node, unsigned depth, const std::string& path) {
    if (depth > limits.max_depth) throw TooDeep{};
    if (++values > limits.max_values) throw TooManyValues{};
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: return nullptr;
      case YAML::NodeType::Sequence: {
        json out = json::array();
        std::size_t index = 0;
        for (const auto& item : node) out.push_back(convert(item, depth + 1, path + "[" + std::to_string(index++) + "]"));
        return out;
      }
      case YAML::NodeType::Map: {
        json out = json::object();
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) throw KeyNotText{mark_text(entry.first.Mark())};
          const auto& key = entry.first.Scalar();
          if (out.contains(key)) throw DuplicateKey{join_path(path, key), mark_text(entry.first.Mark())};
          out[key] = convert(entry.second, depth + 1, join_path(path, key));
        }
        return out;
      }
      case YAML::NodeType::Scalar: return scalar(node);
    }
    return nullptr;
  }

  // Plain YAML scalars read as JSON would: bools, null, integers, decimals;
  // everything else (and anything quoted) is a string. Matched by hand, not
  // std::regex, whose backtracking recurses once per character of a long scalar.
  static json scalar(const YAML::Node& node) {
    const auto& s = node.Scalar();
    if (node.Tag() == "!") return s;  // quoted: always a string
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (s == "null" || s == "~" || s == "Null" || s == "NULL") return nullptr;
    if (is_integer(s)) {
      try { return std::stoll(s); } catch (...) { return s; }
    }
    if (is_decimal(s)) {
      try { return std::stod(s); } catch (...) { return s; }
    }
    return s;
  }

  static std::size_t digits(std::string_view s, std::size_t at) {
    std::size_t n = 0;
    while (at + n < s.size() && s[at + n] >= '0' && s[at + n] <= '9') ++n;
    return n;
  }
  // [-+]?[0-9]+
  static bool is_integer(std::string_view s) {
    std::size_t at = !s.empty() && (s[0] == '-' || s[0] == '+');
    auto n = digits(s, at);
    return n > 0 && at + n == s.size();
  }
  // [-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?
  static bool is_decimal(std::string_view s) {
    std::size_t at = !s.empty() && (s[0] == '-' || s[0] == '+');
    auto whole = digits(s, at);
    at += whole;
    if (at >= s.size() || s[at] != '.') return false;
    ++at;
    auto fraction = digits(s, at);
    at += fraction;
    if (whole == 0 && fraction == 0) return false;
    if (at == s.size()) return true;
    if (s[at] != 'e' && s[at] != 'E') return false;
    ++at;
    if (at < s.size() && (s[at] == '-' || s[at] == '+')) ++at;
    auto exponent = digits(s, at);
    return exponent > 0 && at + exponent == s.size();
  }
};

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

std::optional<json> parse_request_document(std::string_view text, std::string_view origin, RequestFormat format,
                                           const RequestLimits& limits, Diagnostics& diagnostics) {
  auto problem = [&](std::string code, std::string location, std::string message, std::string help) {
    Diagnostic d;
    d.code = std::move(code);
    d.location = printable_utf8(location);
    d.message = printable_utf8(message);  // parser messages quote the bytes they stopped at
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
  auto too_deep = [&] {
    return problem("E405", where, "the request nests deeper than the limit of " + std::to_string(limits.max_depth),
                   "fact paths are short: check the structure");
  };
  auto too_many = [&] {
    return problem("E413", where, "the request has more than " + std::to_string(limits.max_values) + " values",
                   "a request describes one disclosure with a few dozen facts; YAML aliases count once per use");
  };
  auto duplicate = [&](const DuplicateKey& d) {
    return problem("E412", where + (d.location.empty() ? "" : ":" + d.location) + ": $." + d.path,
                   "the request gives key `" + d.path + "` twice", "give each key once; a later value would silently replace the earlier");
  };
  if (format == RequestFormat::json) {
    try {
      return json::parse(text.begin(), text.end(), JsonShapeGuard(limits));
    } catch (const TooDeep&) {
      return too_deep();
    } catch (const TooManyValues&) {
      return too_many();
    } catch (const DuplicateKey& d) {
      return duplicate(d);
    } catch (const json::parse_error& e) {
      std::string message = e.what();
      // "[json.exception.parse_error.101] parse error at line 1, column 30: syntax error while …": the place
      // is in our location already, so keep only what went wrong.
      if (auto pos = message.find("]: "); pos != std::string::npos) message = message.substr(pos + 3);
      if (auto pos = message.find("column "); message.starts_with("[json.exception") && pos != std::string::npos)
        if (auto colon = message.find(": ", pos); colon != std::string::npos) message = message.substr(colon + 2);
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
  // yaml-cpp passes bytes through; JSON's parser checks this itself (E401).
  if (auto bad = lexical::first_invalid_utf8(text))
    return problem("E410", where + ":" + line_col_at(text, *bad), "the request is not valid UTF-8", "save it as UTF-8 text");
  // yaml-cpp recurses per level: structure clearly deeper than the limit is refused unparsed.
  if (yaml_nesting_bound(text) > yaml_scan_limit(limits.max_depth)) return too_deep();
  if (yaml_quote_left_open(text))
    return problem("E410", where, "the request is not valid YAML: a quoted string is not closed before the end",
                   "add the closing quote");
  try {
    auto node = YAML::Load(std::string(text));
    YamlWalk walk{limits};
    return walk.convert(node, 0, "");
  } catch (const TooDeep&) {
    return too_deep();
  } catch (const TooManyValues&) {
    return too_many();
  } catch (const DuplicateKey& d) {
    return duplicate(d);
  } catch (const KeyNotText& k) {
    return problem("E410", where + ":" + k.location, "a key in the request is a list or mapping, not a name",
                   "keys are fact names, e.g. `request:`");
  } catch (const YAML::Exception& e) {
    auto location = where + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return problem("E410", location, "the request is not valid YAML: " + e.msg, "check the indentation and quoting near here");
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
