#include "quiz.hpp"

#include <algorithm>
#include <random>

#include "explain.hpp"
#include "why_not.hpp"

namespace proviso {
namespace {

// Fisher-Yates over mt19937's raw output: the same order on every platform for a seed.
template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

void set_path(nlohmann::json& request, const std::string& path, const nlohmann::json& value) {
  nlohmann::json* at = &request;
  std::size_t start = 0;
  for (auto dot = path.find('.'); dot != std::string::npos; start = dot + 1, dot = path.find('.', start)) {
    auto key = path.substr(start, dot - start);
    if (!at->contains(key) || !(*at)[key].is_object()) (*at)[key] = nlohmann::json::object();
    at = &(*at)[key];
  }
  (*at)[path.substr(start)] = value;
}

std::int32_t topic_of(const Policy& policy, const Decision& d) {
  if (d.outcome == Outcome::permitted && !d.authorities.empty()) return d.authorities.front();
  auto misses = nearest_exceptions(policy, d, 1);
  if (!misses.empty()) return misses.front().rule;
  return d.authorities.empty() ? policy.general_rule : d.authorities.front();
}

QuizItem item_for(const Policy& policy, const nlohmann::json& request, const Decision& d, std::string source) {
  QuizItem item;
  item.source = std::move(source);
  item.request = request;
  item.outcome = d.outcome;
  item.authorities = d.authorities;
  item.topic = topic_of(policy, d);
  item.subsection = item.topic >= 0 ? subsection_of(policy.rules[item.topic].cite) : "";
  return item;
}

}  // namespace

std::string subsection_of(const Citation& cite) {
  auto open = cite.text.find('(');
  if (open == std::string::npos) return "";
  auto close = cite.text.find(')', open);
  return close == std::string::npos ? "" : cite.text.substr(open, close - open + 1);
}

std::vector<QuizItem> make_quiz(const Policy& policy, const std::vector<Scenario>& scenarios, const QuizOptions& options) {
  std::vector<const Scenario*> pool;
  for (const auto& s : scenarios) {
    auto o = s.expect.value("outcome", "");
    if (o == "permitted" || o == "denied") pool.push_back(&s);
  }
  std::sort(pool.begin(), pool.end(), [](const Scenario* a, const Scenario* b) {
    return std::tie(a->file, a->name) < std::tie(b->file, b->name);
  });
  std::mt19937_64 rng(options.seed);
  shuffle(pool, rng);
  std::vector<QuizItem> out;
  for (const auto* s : pool) {
    if (out.size() >= options.count) break;
    auto bound = bind_request(policy, s->request, s->name);
    if (!bound.facts) continue;
    auto d = decide(policy, *bound.facts);
    if (d.outcome != Outcome::permitted && d.outcome != Outcome::denied) continue;
    if (options.near_misses && out.size() % 2 == 1) {
      // A near miss: the engine's smallest change that flips this scenario.
      CounterfactualLimits limits;
      limits.max_changes = 2;
      limits.max_rules = 2;
      auto flips = counterfactuals(policy, *bound.facts, d, limits);
      if (!flips.empty()) {
        const auto& flip = flips[rng() % flips.size()];
        auto request = s->request;
        const auto change = changes_to_json(policy, flip.changes);
        for (const auto& [path, value] : change.items()) set_path(request, path, value);
        auto changed = bind_request(policy, request, "near miss");
        if (changed.facts) {
          auto d2 = decide(policy, *changed.facts);
          if (d2.outcome == Outcome::permitted || d2.outcome == Outcome::denied) {
            out.push_back(item_for(policy, request, d2, "near miss of scenario: " + s->name + " (" + changes_to_json(policy, flip.changes).dump() + ")"));
            continue;
          }
        }
      }
    }
    out.push_back(item_for(policy, s->request, d, "scenario: " + s->name));
  }
  return out;
}

bool authority_correct(const Policy& policy, const QuizItem& item, std::string_view answer) {
  for (auto r : find_rules(policy, answer))
    if (std::find(item.authorities.begin(), item.authorities.end(), r) != item.authorities.end()) return true;
  return false;
}

std::vector<std::string> fact_lines(const Policy& policy, const Facts& facts) {
  std::vector<std::string> out;
  for (std::size_t f = 0; f < policy.facts.size(); ++f) {
    if (!facts.values[f].known) continue;
    auto read = fact_read(policy, facts, static_cast<std::int32_t>(f));
    out.push_back(std::string(read.description) + ": " + read.value_words());
  }
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i)
    if (facts.interpretations[i] >= 0)
      out.push_back("reading: " + policy.interpretations[i].phrase + ": " + (facts.interpretations[i] ? "yes" : "no"));
  return out;
}

}  // namespace proviso
