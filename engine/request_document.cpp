// Request text to a JSON document: nlohmann/json for JSON, yaml-cpp for YAML,
// both guarded by the request limits (depth, values, duplicate keys) and their
// errors turned into E4xx diagnostics. Binding to facts is in facts.cpp.
#include <yaml-cpp/yaml.h>

#include <set>

#include "facts.hpp"
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
      // Past int64 it reads as the decimal it is, which the binder refuses as out of range.
      try { return std::stoll(s); } catch (...) {}
      try { return std::stod(s); } catch (...) { return s; }
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

}  // namespace

std::optional<json> parse_request_document(std::string_view text, std::string_view origin, RequestFormat format,
                                           const RequestLimits& limits, Diagnostics& diagnostics, std::string_view what) {
  const std::string noun(what);
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
    return problem("E406", where, noun + " is " + std::to_string(text.size()) + " bytes, more than the limit of " + std::to_string(limits.max_bytes),
                   "a request describes one disclosure; split bulk input into lines for `proviso batch`");
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return problem("E409", where, noun + " is empty", "give an object whose keys are fact paths, e.g. {\"request\": {\"in_writing\": true}}");
  if (format == RequestFormat::automatic) format = (text[first] == '{' || text[first] == '[') ? RequestFormat::json : RequestFormat::yaml;
  auto too_deep = [&] {
    return problem("E405", where, noun + " nests deeper than the limit of " + std::to_string(limits.max_depth),
                   "fact paths are short: check the structure");
  };
  auto too_many = [&] {
    return problem("E413", where, noun + " has more than " + std::to_string(limits.max_values) + " values",
                   "a request describes one disclosure with a few dozen facts; YAML aliases count once per use");
  };
  auto duplicate = [&](const DuplicateKey& d) {
    return problem("E412", where + (d.location.empty() ? "" : ":" + d.location) + ": $." + d.path,
                   noun + " gives key `" + d.path + "` twice", "give each key once; a later value would silently replace the earlier");
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
      return problem("E401", where + ":" + line_col_at(text, at), noun + " is not valid JSON: " + message,
                     "check for a missing comma, quote or bracket near here");
    } catch (const json::exception& e) {  // well-formed but unrepresentable, e.g. a number like 1e400
      std::string message = e.what();
      if (auto pos = message.find("] "); pos != std::string::npos) message = message.substr(pos + 2);
      return problem("E401", where, noun + " is not valid JSON: " + message, "numbers must fit in a 64-bit float");
    }
  }
  if (text.find('\0') != std::string_view::npos)
    return problem("E410", where + ":" + line_col_at(text, text.find('\0')), noun + " contains a NUL byte", "save it as UTF-8 text");
  // yaml-cpp passes bytes through; JSON's parser checks this itself (E401).
  if (auto bad = lexical::first_invalid_utf8(text))
    return problem("E410", where + ":" + line_col_at(text, *bad), noun + " is not valid UTF-8", "save it as UTF-8 text");
  // yaml-cpp recurses per level: structure clearly deeper than the limit is refused unparsed.
  if (yaml_nesting_bound(text) > yaml_scan_limit(limits.max_depth)) return too_deep();
  if (yaml_quote_left_open(text))
    return problem("E410", where, noun + " is not valid YAML: a quoted string is not closed before the end",
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
    return problem("E410", where + ":" + k.location, "a key in " + noun + " is a list or mapping, not a name",
                   "keys are fact names, e.g. `request:`");
  } catch (const YAML::Exception& e) {
    auto location = where + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return problem("E410", location, noun + " is not valid YAML: " + e.msg, "check the indentation and quoting near here");
  }
}


}  // namespace proviso
