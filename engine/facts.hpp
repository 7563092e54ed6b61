// Binding a request (JSON or YAML) to the policy's facts: typed values, or unknown.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "grammar/diagnostic.hpp"
#include "policy.hpp"

namespace proviso {

struct Facts {
  std::vector<Value> values;              // by fact slot; absent facts are unknown
  std::vector<std::int8_t> interpretations;  // by interpretation: -1 default, 0 false, 1 true (set by the request)

  bool interpretation(const Policy& policy, std::int32_t index) const {
    auto v = interpretations[index];
    return v < 0 ? policy.interpretations[index].default_value : v == 1;
  }
};

struct RequestLimits {
  std::size_t max_bytes = 1u << 20;   // larger requests: E406
  unsigned max_depth = 32;            // deeper nesting: E405 (fact paths are short; JSON nests without bound)
  std::size_t max_string_bytes = 65536;  // longer strings: E411
  // Values (scalars, lists and objects, each alias use counted again) in one
  // request: more is E413. A request describes one disclosure with a few dozen
  // facts; this stops a 1 MiB list of set members or a YAML alias bomb.
  std::size_t max_values = 10000;
  std::size_t max_diagnostics = 50;  // after this many problems binding stops with E107
};

enum class RequestFormat { automatic, json, yaml };

struct BindResult {
  std::optional<Facts> facts;  // absent when the diagnostics hold an error
  Diagnostics diagnostics;
};

Facts unknown_facts(const Policy& policy);

// `origin` names the request in messages (a file name, or "request").
BindResult bind_request(const Policy& policy, const nlohmann::json& request, std::string_view origin,
                        const RequestLimits& limits = {});
BindResult parse_request(const Policy& policy, std::string_view text, std::string_view origin,
                         RequestFormat format = RequestFormat::automatic, const RequestLimits& limits = {});

// Parses text into JSON (YAML converted), with limits; errors as diagnostics.
// `what` names the document in messages ("the request is not valid YAML").
std::optional<nlohmann::json> parse_request_document(std::string_view text, std::string_view origin, RequestFormat format,
                                                     const RequestLimits& limits, Diagnostics& diagnostics,
                                                     std::string_view what = "the request");

// A fact value as JSON (null when unknown), for explanations and round trips.
nlohmann::json value_to_json(const Policy& policy, const Value& value, Type type);

}  // namespace proviso
