#include "scenario.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "explain.hpp"

namespace proviso {
namespace {

using nlohmann::json;

void deep_merge(json& target, const json& patch) {
  if (!patch.is_object() || !target.is_object()) {
    target = patch;
    return;
  }
  for (const auto& [key, value] : patch.items()) {
    if (value.is_object() && target.contains(key) && target[key].is_object()) deep_merge(target[key], value);
    else target[key] = value;
  }
}

json::json_pointer pointer_of(const std::string& dotted) {
  std::string pointer;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    auto dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    pointer += "/" + dotted.substr(start, dot - start);
    start = dot + 1;
  }
  return json::json_pointer(pointer);
}

void load_file(const std::filesystem::path& file, ScenarioLoad& out) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  RequestLimits limits;
  limits.max_bytes = 16u << 20;
  limits.max_depth = 64;
  limits.max_values = 1000000;  // a file holds hundreds of scenarios; aliases still cannot expand past this
  const auto origin = file.string();
  auto document = parse_request_document(text.str(), origin, RequestFormat::yaml, limits, out.diagnostics, "the scenario file");
  if (!document || !document->is_object() || !document->contains("scenarios")) return;
  auto problem = [&](std::string message) {
    Diagnostic d;
    d.code = "E601";
    d.location = origin;
    d.message = std::move(message);
    d.help = "see docs/testing.md for the scenario format";
    out.diagnostics.push_back(std::move(d));
  };
  const auto& list = (*document)["scenarios"];
  if (!list.is_array()) return problem("`scenarios` must be a list");
  json base = document->value("base", json::object());
  std::string suite = document->value("suite", file.stem().string());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& entry = list[i];
    Scenario s;
    s.file = origin;
    s.suite = suite;
    s.name = entry.is_object() && entry.contains("name") && entry["name"].is_string() ? entry["name"].get<std::string>()
                                                                                        : "scenario " + std::to_string(i + 1);
    if (!entry.is_object() || !entry.contains("expect") || !entry["expect"].is_object()) {
      problem("scenario `" + s.name + "` has no `expect` mapping");
      continue;
    }
    s.request = base;
    if (entry.contains("request")) deep_merge(s.request, entry["request"]);
    try {
      if (entry.contains("set") && entry["set"].is_object())
        for (const auto& [path, value] : entry["set"].items()) s.request[pointer_of(path)] = value;
      if (entry.contains("unset") && entry["unset"].is_array())
        for (const auto& path : entry["unset"]) {
          auto pointer = pointer_of(path.get<std::string>());
          if (s.request.contains(pointer)) s.request[pointer.parent_pointer()].erase(pointer.back());
        }
    } catch (const json::exception& e) {
      problem("scenario `" + s.name + "`: cannot apply `set`/`unset`: " + std::string(e.what()));
      continue;
    }
    if (entry.contains("interpretations")) s.request["interpretations"] = entry["interpretations"];
    s.expect = entry["expect"];
    out.scenarios.push_back(std::move(s));
  }
}

std::vector<std::string> strings(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array())
    for (const auto& item : v)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

// "missing: a; unexpected: b" for two sorted lists.
std::string difference(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  std::vector<std::string> missing, unexpected;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(unexpected));
  std::string out;
  if (!missing.empty()) out += "missing " + list(missing);
  if (!unexpected.empty()) out += (out.empty() ? "" : "; ") + std::string("unexpected ") + list(unexpected);
  return out;
}

}  // namespace

std::string render_failure(const ScenarioFailure& failure, std::string_view indent) {
  std::string in(indent);
  std::string out = failure.check + "\n" + in + "expected: " + failure.expected + "\n" + in + "got:      " + failure.got + "\n";
  if (!failure.note.empty()) out += in + "note:     " + failure.note + "\n";
  return out;
}

ScenarioLoad load_scenarios(const std::filesystem::path& path) {
  ScenarioLoad out;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    files.push_back(path);
  } else {
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const auto& p = it->path();
      if (it->is_regular_file() && (p.extension() == ".yaml" || p.extension() == ".yml") && p.filename() != "proviso.yaml")
        files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) load_file(f, out);
  return out;
}

ScenarioResult run_scenario(const Policy& policy, const Scenario& scenario) {
  ScenarioResult result;
  result.scenario = &scenario;
  auto bound = bind_request(policy, scenario.request, scenario.file + " (" + scenario.name + ")");
  const auto& expect = scenario.expect;
  if (!bound.facts) {
    if (expect.value("outcome", "") == "invalid") {
      result.passed = true;
      return result;
    }
    for (const auto& d : bound.diagnostics)
      result.failures.push_back({"request", "a request that fits the vocabulary", d.code + ": " + d.message, d.location});
    return result;
  }
  result.facts = std::move(bound.facts);
  result.decision = decide(policy, *result.facts);
  const auto& decision = *result.decision;
  if (has_errors(decision.diagnostics)) {  // stopped at a limit (E509): no outcome to compare
    for (const auto& d : decision.diagnostics)
      result.failures.push_back({"evaluation", "a decision", d.code + ": " + d.message, d.location});
    return result;
  }
  auto rule_ids = [&](const std::vector<std::int32_t>& rules) {
    std::vector<std::string> ids;
    for (auto r : rules) ids.push_back(policy.rules[r].id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  if (expect.contains("outcome")) {
    auto want = expect["outcome"].get<std::string>();
    if (want != outcome_name(decision.outcome))
      result.failures.push_back({"outcome", want, std::string(outcome_name(decision.outcome)), summary(policy, decision)});
  }
  if (expect.contains("authorities")) {
    auto want = strings(expect["authorities"]);
    std::sort(want.begin(), want.end());
    auto got = rule_ids(decision.authorities);
    if (want != got) result.failures.push_back({"authorities", list(want), list(got), difference(want, got)});
  }
  if (expect.contains("failing")) {
    const auto& f = expect["failing"];
    auto rule_id = f.value("rule", "");
    auto text = f.value("condition", "");
    const auto* rule = policy.find_rule(rule_id);
    if (!rule) {
      result.failures.push_back({"failing", "a rule `" + rule_id + "`", "no such rule in the rule set", ""});
    } else {
      auto r = policy.rule_index.at(rule_id);
      if (decision.rules[r].in_force == Tri::true_)
        result.failures.push_back({"failing", "`" + rule_id + "` not in force", "`" + rule_id + "` is in force", ""});
      std::vector<std::string> failing;
      bool found = false;
      for (auto c : rule->top_conditions) {
        if (decision.conditions[c] != Tri::false_) continue;
        auto phrase = condition_text(policy, c);
        failing.push_back("\"" + phrase + "\"");
        if (phrase.find(text) != std::string::npos) found = true;
      }
      if (!found)
        result.failures.push_back({"failing", "a false condition of `" + rule_id + "` containing \"" + text + "\"",
                                   failing.empty() ? "no false condition" : list(failing), ""});
    }
  }
  if (expect.contains("unknown")) {
    std::vector<std::string> got;
    for (auto slot : decision.unknown_facts) got.push_back(policy.facts[slot].path);
    for (const auto& want : strings(expect["unknown"]))
      if (std::find(got.begin(), got.end(), want) == got.end())
        result.failures.push_back({"unknown", "`" + want + "` among the facts that would decide it", list(got),
                                   "outcome: " + std::string(outcome_name(decision.outcome))});
  }
  if (expect.contains("obligations")) {
    std::vector<std::string> got;
    if (decision.outcome == Outcome::permitted)
      for (auto a : decision.authorities)
        for (const auto& o : policy.rules[a].obligations) got.push_back(o.text);
    for (const auto& want : strings(expect["obligations"]))
      if (std::none_of(got.begin(), got.end(), [&](const auto& o) { return o.find(want) != std::string::npos; }))
        result.failures.push_back({"obligations", "one containing \"" + want + "\"", list(got), ""});
  }
  if (expect.contains("interpretations_relied_on")) {
    std::vector<std::string> got;
    for (const auto& use : decision.interpretations)
      if (use.relied_on) got.push_back(policy.interpretations[use.index].name);
    std::sort(got.begin(), got.end());
    auto want = strings(expect["interpretations_relied_on"]);
    std::sort(want.begin(), want.end());
    if (want != got) result.failures.push_back({"interpretations_relied_on", list(want), list(got), difference(want, got)});
  }
  if (expect.contains("mentions")) {
    auto text = decision_to_text(policy, *result.facts, decision);
    for (const auto& want : strings(expect["mentions"]))
      if (text.find(want) == std::string::npos)
        result.failures.push_back({"mentions", "the explanation mentions \"" + want + "\"", "it does not", summary(policy, decision)});
  }
  result.passed = result.failures.empty();
  return result;
}

}  // namespace proviso
