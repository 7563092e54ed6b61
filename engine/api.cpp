// The C++ facade over the engine: load, decide, read the decision. Every entry
// point catches what the engine might throw, so no exception crosses the API.
#include <exception>

#include "engine/api_state.hpp"
#include "engine/explain.hpp"

namespace proviso::v1 {
namespace {

namespace engine = ::proviso;

Diagnostic internal_error(const std::exception* e) {
  auto internal = engine::internal_error(e ? e->what() : "unknown exception");
  Diagnostic d;
  d.code = internal.code;
  d.internal = true;
  d.location = internal.location;
  d.message = internal.message;
  d.help = internal.help;
  return d;
}

template <class T>
Result<T> failed(Diagnostic d) {
  Result<T> r;
  r.rendered = "error[" + d.code + "]: " + d.message + "\n";
  r.diagnostics.push_back(std::move(d));
  return r;
}

const char* effect_name(const engine::Rule& rule) {
  return rule.is_permit() ? "permit" : rule.is_forbid() ? "forbid" : "limit";
}

RuleRef rule_ref(const engine::Policy& policy, std::int32_t index) {
  const auto& rule = policy.rules[index];
  return RuleRef{rule.id, effect_name(rule), rule.cite.text, rule.cite.id, rule.title};
}

Result<Policy> from_load(engine::LoadResult loaded, auto make) {
  Result<Policy> result;
  result.diagnostics = detail::to_public(loaded.diagnostics, loaded.sources);
  if (!loaded.diagnostics.empty()) result.rendered = engine::render_all(loaded.diagnostics, loaded.sources);
  if (loaded.policy) {
    auto state = std::make_shared<detail::PolicyState>();
    state->policy = loaded.policy;
    state->info = RuleSetInfo{loaded.policy->name, loaded.policy->version, loaded.policy->digest, loaded.policy->rules.size()};
    result.value = make(std::move(state));
  }
  return result;
}

engine::LoadOptions engine_options(const LoadOptions& options) {
  engine::LoadOptions out;
  out.max_rules = options.max_rules;
  return out;
}


}  // namespace

namespace detail {

Outcome to_public(::proviso::Outcome outcome) {
  switch (outcome) {
    case engine::Outcome::permitted: return Outcome::permitted;
    case engine::Outcome::denied: return Outcome::denied;
    case engine::Outcome::undetermined: return Outcome::undetermined;
    case engine::Outcome::conflict: return Outcome::conflict;
    case engine::Outcome::not_applicable: return Outcome::not_applicable;
  }
  return Outcome::not_applicable;
}

::proviso::RequestLimits engine_limits(const RequestLimits& limits) {
  ::proviso::RequestLimits out;
  out.max_bytes = limits.max_bytes;
  out.max_depth = limits.max_depth;
  out.max_string_bytes = limits.max_string_bytes;
  out.max_values = limits.max_values;
  out.max_diagnostics = limits.max_diagnostics;
  return out;
}


std::vector<Diagnostic> to_public(const engine::Diagnostics& diagnostics, const engine::SourceMap& sources) {
  std::vector<Diagnostic> out;
  out.reserve(diagnostics.size());
  for (const auto& d : diagnostics) {
    Diagnostic p;
    p.code = d.code;
    p.error = d.severity == engine::Severity::error || d.severity == engine::Severity::internal;
    p.internal = d.severity == engine::Severity::internal;
    p.message = d.message;
    p.help = d.help;
    if (d.source != engine::kNoSource && sources.contains(d.source)) {
      const auto& source = sources.get(d.source);
      auto at = engine::line_col(source.text, d.span.begin);
      p.location = source.path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
    } else {
      p.location = d.location;
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace detail

std::string_view version() noexcept { return PROVISO_VERSION; }

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::permitted: return "permitted";
    case Outcome::denied: return "denied";
    case Outcome::undetermined: return "undetermined";
    case Outcome::conflict: return "conflict";
    case Outcome::not_applicable: return "not_applicable";
  }
  return "not_applicable";
}

// ---- Policy ----

Result<Policy> Policy::builtin() noexcept {
  try {
    // Compiled once per process: the built-in texts never change.
    static const auto loaded = engine::load_builtin_rule_set();
    return from_load(loaded, [](auto state) { return Policy(std::move(state)); });
  } catch (const std::exception& e) {
    return failed<Policy>(internal_error(&e));
  } catch (...) {
    return failed<Policy>(internal_error(nullptr));
  }
}

Result<Policy> Policy::load(const std::filesystem::path& path, const LoadOptions& options) noexcept {
  try {
    return from_load(engine::load_rule_set(path, engine_options(options)), [](auto state) { return Policy(std::move(state)); });
  } catch (const std::exception& e) {
    return failed<Policy>(internal_error(&e));
  } catch (...) {
    return failed<Policy>(internal_error(nullptr));
  }
}

Result<Policy> Policy::from_texts(const std::vector<std::pair<std::string, std::string>>& files, const std::string& origin,
                                  const LoadOptions& options) noexcept {
  try {
    return from_load(engine::load_rule_set_from_texts(files, origin, engine_options(options)),
                     [](auto state) { return Policy(std::move(state)); });
  } catch (const std::exception& e) {
    return failed<Policy>(internal_error(&e));
  } catch (...) {
    return failed<Policy>(internal_error(nullptr));
  }
}

namespace {

Result<Decision> finish(const std::shared_ptr<const detail::PolicyState>& state, engine::BindResult bound,
                        const RequestLimits& limits, auto make) {
  Result<Decision> result;
  result.diagnostics = detail::to_public(bound.diagnostics, state->policy->sources);
  if (!bound.diagnostics.empty()) result.rendered = engine::render_all(bound.diagnostics, state->policy->sources);
  if (!bound.facts) return result;
  auto decision = std::make_shared<detail::DecisionState>();
  decision->policy = state;
  decision->facts = std::move(*bound.facts);
  decision->decision = engine::decide(*state->policy, decision->facts, engine::EvalLimits{limits.max_evaluation_steps});
  if (engine::has_errors(decision->decision.diagnostics)) {
    // The evaluation stopped (E509): what it holds is not a decision.
    auto stopped = detail::to_public(decision->decision.diagnostics, state->policy->sources);
    result.diagnostics.insert(result.diagnostics.end(), stopped.begin(), stopped.end());
    result.rendered += engine::render_all(decision->decision.diagnostics, state->policy->sources);
    return result;
  }
  result.value = make(std::move(decision));
  return result;
}

}  // namespace

Result<Decision> Policy::decide(const nlohmann::json& request, const RequestLimits& limits) const noexcept {
  try {
    auto bound = engine::bind_request(*state_->policy, request, "request", detail::engine_limits(limits));
    return finish(state_, std::move(bound), limits, [](auto s) { return Decision(std::move(s)); });
  } catch (const std::exception& e) {
    return failed<Decision>(internal_error(&e));
  } catch (...) {
    return failed<Decision>(internal_error(nullptr));
  }
}

Result<Decision> Policy::decide(std::string_view text, RequestFormat format, const RequestLimits& limits) const noexcept {
  try {
    auto engine_format = format == RequestFormat::json   ? engine::RequestFormat::json
                         : format == RequestFormat::yaml ? engine::RequestFormat::yaml
                                                         : engine::RequestFormat::automatic;
    auto bound = engine::parse_request(*state_->policy, text, "request", engine_format, detail::engine_limits(limits));
    return finish(state_, std::move(bound), limits, [](auto s) { return Decision(std::move(s)); });
  } catch (const std::exception& e) {
    return failed<Decision>(internal_error(&e));
  } catch (...) {
    return failed<Decision>(internal_error(nullptr));
  }
}

const RuleSetInfo& Policy::info() const { return state_->info; }

nlohmann::json Policy::describe() const {
  const auto& policy = *state_->policy;
  nlohmann::json rules = nlohmann::json::array();
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    nlohmann::json exception_to = nlohmann::json::array();
    for (auto target : rule.exception_to) exception_to.push_back(policy.rules[target].id);
    rules.push_back({{"rule", rule.id}, {"effect", effect_name(rule)}, {"cite", rule.cite.text},
                     {"title", rule.title}, {"exception_to", std::move(exception_to)}});
  }
  return {{"name", policy.name},
          {"version", policy.version},
          {"digest", policy.digest},
          {"jurisdiction", policy.jurisdiction},
          {"title", policy.title},
          {"general_rule", policy.general_rule >= 0 ? policy.rules[policy.general_rule].id : ""},
          {"rules", std::move(rules)}};
}

std::vector<std::pair<std::string, std::string>> Policy::sources() const {
  std::vector<std::pair<std::string, std::string>> out;
  const auto& sources = state_->policy->sources;
  for (engine::SourceId id = 0; id < sources.size(); ++id) out.emplace_back(sources.get(id).path, sources.get(id).text);
  return out;
}

// ---- Decision ----

Outcome Decision::outcome() const { return detail::to_public(state_->decision.outcome); }

std::string_view Decision::outcome_name() const { return to_string(outcome()); }

std::string Decision::summary() const { return engine::summary(*state_->policy->policy, state_->decision); }

std::vector<RuleRef> Decision::authorities() const {
  std::vector<RuleRef> out;
  for (auto a : state_->decision.authorities) out.push_back(rule_ref(*state_->policy->policy, a));
  return out;
}

std::vector<Obligation> Decision::obligations() const {
  std::vector<Obligation> out;
  if (state_->decision.outcome != engine::Outcome::permitted) return out;
  const auto& policy = *state_->policy->policy;
  for (auto a : state_->decision.authorities)
    for (const auto& o : policy.rules[a].obligations) out.push_back(Obligation{o.text, o.cite.text, policy.rules[a].id});
  return out;
}

std::vector<std::string> Decision::unknown_facts() const {
  std::vector<std::string> out;
  for (auto slot : state_->decision.unknown_facts) out.push_back(state_->policy->policy->facts[slot].path);
  return out;
}

const RuleSetInfo& Decision::ruleset() const { return state_->policy->info; }

nlohmann::json Decision::to_json(Detail detail) const {
  engine::JsonOptions options;
  options.full = detail != Detail::compact;
  options.counterfactuals = detail == Detail::full;
  return engine::decision_to_json(*state_->policy->policy, state_->facts, state_->decision, options);
}

std::string Decision::explain_text() const {
  return engine::decision_to_text(*state_->policy->policy, state_->facts, state_->decision);
}

}  // namespace proviso::v1
