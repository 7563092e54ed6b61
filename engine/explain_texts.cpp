#include "explain_texts.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "compiled.hpp"
#include "fast_search.hpp"
#include "json_text.hpp"

namespace proviso {

struct ExplainTextsSlot::State {
  std::once_flag once;
  std::unique_ptr<const ExplainTexts> texts;
  // The texts once built: explain_texts() is asked dozens of times an
  // explanation, and std::call_once's bookkeeping costs more than this load.
  std::atomic<const ExplainTexts*> ready{nullptr};
};

ExplainTextsSlot::ExplainTextsSlot() : state_(std::make_unique<State>()) {}
ExplainTextsSlot::~ExplainTextsSlot() = default;
ExplainTextsSlot::ExplainTextsSlot(const ExplainTextsSlot&) : state_(std::make_unique<State>()) {}
ExplainTextsSlot::ExplainTextsSlot(ExplainTextsSlot&&) : state_(std::make_unique<State>()) {}
ExplainTextsSlot& ExplainTextsSlot::operator=(const ExplainTextsSlot&) {
  state_ = std::make_unique<State>();
  return *this;
}
ExplainTextsSlot& ExplainTextsSlot::operator=(ExplainTextsSlot&&) {
  state_ = std::make_unique<State>();
  return *this;
}

constinit const Citation no_citation_instance{};

namespace {

// The phrase, or the definition's or interpretation's phrase, or the source
// text in backticks with its whitespace collapsed.
std::string compute_condition_text(const Policy& policy, std::int32_t condition) {
  const auto& info = policy.conditions[condition];
  if (!info.phrase.empty()) return info.phrase;
  if (info.definition >= 0 && !policy.definitions[info.definition].phrase.empty())
    return policy.definitions[info.definition].phrase;
  if (info.interpretation >= 0) return policy.interpretations[info.interpretation].phrase;
  if (!policy.sources.contains(info.source)) return "(condition)";
  const auto& text = policy.sources.get(info.source).text;
  if (info.span.end > text.size() || info.span.begin >= info.span.end) return "(condition)";
  std::string collapsed;
  for (std::size_t i = info.span.begin; i < info.span.end; ++i) {
    char c = text[i];
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed += c;
  }
  return "`" + collapsed + "`";
}

// The condition's citation, else its definition's, else its interpretation's
// (the last one tried when all are empty, as view_condition always chose).
const Citation& compute_condition_cite(const Policy& policy, std::int32_t condition) {
  const auto& info = policy.conditions[condition];
  const Citation* cite = &info.cite;
  if (cite->empty() && info.definition >= 0) cite = &policy.definitions[info.definition].cite;
  if (cite->empty() && info.interpretation >= 0) cite = &policy.interpretations[info.interpretation].cite;
  return *cite;
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string cite_json(const Citation& cite) {
  if (cite.empty()) return "null";
  return "{\"id\":" + json_string(cite.id) + ",\"text\":" + json_string(cite.text) + "}";
}

// The order explain_json_text.cpp's facts() gives a node's reads, computed
// once: sorted by path (stable), a path read twice kept at its last read.
// None for a condition with more reads than a uint16_t numbers (its writer sorts them).
void add_fact_order(const Policy& policy, ExplainTexts& texts, std::int32_t condition) {
  const auto& info = policy.conditions[condition];
  const auto n = info.facts.size() + info.interpretations.size();
  if (n > 0xffff) return;
  if (n == 1) {  // most conditions read one fact
    texts.fact_orders.push_back(0);
    return;
  }
  const auto path = [&](std::size_t k) -> std::string_view {
    return k < info.facts.size() ? std::string_view(policy.facts[info.facts[k]].path)
                                 : std::string_view(texts.interpretation_path[info.interpretations[k - info.facts.size()]]);
  };
  std::vector<std::uint16_t> order(n);
  for (std::size_t k = 0; k < n; ++k) order[k] = static_cast<std::uint16_t>(k);
  std::stable_sort(order.begin(), order.end(), [&](std::uint16_t a, std::uint16_t b) { return path(a) < path(b); });
  for (std::size_t k = 0; k < n; ++k)
    if (k + 1 == n || path(order[k + 1]) != path(order[k])) texts.fact_orders.push_back(order[k]);
}

void add_json_fragments(const Policy& policy, ExplainTexts& texts) {
  for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
    texts.condition_text_json.push_back(json_string(texts.condition_text[c]));
    texts.condition_cite_json.push_back(cite_json(*texts.condition_cite[c]));
    texts.condition_head_json.push_back("\"cite\":" + texts.condition_cite_json.back() + ",\"facts\":{");
    texts.condition_tail_json.push_back("},\"text\":" + texts.condition_text_json.back() + ",\"value\":");
    texts.condition_brief_json.push_back("{\"cite\":" + texts.condition_cite_json.back() + ",\"text\":" + texts.condition_text_json.back() + "}");
  }
  for (const auto& fact : policy.facts) {
    texts.fact_path_json.push_back(json_string(fact.path));
    texts.fact_key_json.push_back("," + texts.fact_path_json.back() + ":");
  }
  for (const auto& path : texts.interpretation_path) texts.interpretation_key_json.push_back("," + json_string(path) + ":");
  texts.fact_order_at.reserve(policy.conditions.size() + 1);
  texts.fact_order_at.push_back(0);
  for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
    add_fact_order(policy, texts, static_cast<std::int32_t>(c));
    texts.fact_order_at.push_back(static_cast<std::uint32_t>(texts.fact_orders.size()));
  }
  texts.ruleset_json = "{\"digest\":" + json_string(policy.digest) + ",\"name\":" + json_string(policy.name) +
                       ",\"version\":" + json_string(policy.version) + "}";
  for (const auto& e : policy.enums) {
    auto& names = texts.enum_value_json.emplace_back();
    for (const auto& name : e.values) names.push_back(json_string(name));
  }
  for (const auto& rule : policy.rules) {
    texts.rule_id_json.push_back(json_string(rule.id));
    texts.rule_cite_json.push_back("{\"cite\":" + cite_json(rule.cite));
    std::string tail = ",\"rule\":" + texts.rule_id_json.back();
    if (!rule.title.empty()) tail += ",\"title\":" + json_string(rule.title);
    const char* effect = rule.is_permit() ? ",\"effect\":\"permit\"" : rule.is_forbid() ? ",\"effect\":\"forbid\"" : ",\"effect\":\"limit\"";
    texts.other_head_json.push_back(texts.rule_cite_json.back() + effect + ",\"failing\":[");
    texts.other_tail_json.push_back("]" + tail + "}");
    texts.rule_id_title_json.push_back(std::move(tail));
  }
}

// The fragments that explain_json_text.cpp alone uses, built from the others.
void add_explanation_fragments(const Policy& policy, ExplainTexts& texts) {
  for (const auto& interp : policy.interpretations) {
    texts.interpretation_head_json.push_back("{\"cite\":" + cite_json(interp.cite) + ",\"name\":" + json_string(interp.name) +
                                             ",\"other_reading\":{\"authorities\":");
    texts.interpretation_reading_json.push_back("},\"reading\":" + json_string(interp.phrase));
  }
  // Each condition node's head with its first read's key (in the order fact_order gives).
  for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
    const auto& info = policy.conditions[c];
    auto head = texts.condition_head_json[c];
    if (const auto order = texts.fact_order(static_cast<std::int32_t>(c)); !order.empty()) {
      const auto k = order[0];
      const auto& key = k < info.facts.size() ? texts.fact_key_json[info.facts[k]]
                                              : texts.interpretation_key_json[info.interpretations[k - info.facts.size()]];
      head += std::string_view(key).substr(1);
    }
    texts.condition_head_key_json.push_back(std::move(head));
  }
  for (const auto& fact : policy.facts)
    texts.unknown_fact_json.push_back("{\"description\":" + json_string(fact.description) + ",\"fact\":" + json_string(fact.path) + "}");
}

std::unique_ptr<const ExplainTexts> build(const Policy& policy) {
  auto texts = std::make_unique<ExplainTexts>();
  texts->unknown_set_once = std::make_unique<std::once_flag[]>(policy.facts.size());
  texts->unknown_set_candidates.resize(policy.facts.size());
  texts->condition_text.reserve(policy.conditions.size());
  texts->condition_cite.reserve(policy.conditions.size());
  for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
    texts->condition_text.push_back(compute_condition_text(policy, static_cast<std::int32_t>(c)));
    texts->condition_cite.push_back(&compute_condition_cite(policy, static_cast<std::int32_t>(c)));
  }
  for (const auto& interpretation : policy.interpretations) texts->interpretation_path.push_back("interpretations." + interpretation.name);
  std::size_t table_bytes = 0;
  for (const auto& rule : policy.rules) {
    // Only a permit is ever an exception ranked.
    const bool fits = rule.is_permit() && rule.top_conditions.size() <= ExplainTexts::kTableTop &&
                      table_bytes + (std::size_t{1} << rule.top_conditions.size()) <= ExplainTexts::kMaxTableBytes;
    texts->facts_to_change_at.push_back(fits ? static_cast<std::uint32_t>(table_bytes) : ExplainTexts::kNoTable);
    if (fits) table_bytes += std::size_t{1} << rule.top_conditions.size();
  }
  texts->facts_to_change_table = std::make_unique<std::atomic<std::uint8_t>[]>(table_bytes);
  for (std::size_t i = 0; i < table_bytes; ++i) texts->facts_to_change_table[i].store(ExplainTexts::kNotComputed, std::memory_order_relaxed);
  add_rank_tables(policy, *texts);
  add_tree_tables(policy, *texts);
  try {
    add_json_fragments(policy, *texts);
    add_explanation_fragments(policy, *texts);
    add_json_text_fragments(policy, *texts);
    texts->json_ready = true;
  } catch (const NotUtf8&) {
    texts->json_ready = false;  // the writer escapes as it goes, and fails as dump() does
  }
  return texts;
}

}  // namespace

const ExplainTexts& explain_texts(const Policy& policy) {
  auto& state = *policy.explain_cache.state_;
  if (const auto* texts = state.ready.load(std::memory_order_acquire)) return *texts;
  std::call_once(state.once, [&] {
    state.texts = build(policy);
    state.ready.store(state.texts.get(), std::memory_order_release);
  });
  return *state.texts;
}

const CompiledPolicy& search_compiled(const Policy& policy) {
  const auto& texts = explain_texts(policy);
  std::call_once(texts.compiled_once, [&] {
    // Not owning: the compiled form lives in the policy's own cache, so the policy outlives it.
    texts.compiled = std::make_unique<const CompiledPolicy>(std::shared_ptr<const Policy>(std::shared_ptr<const Policy>(), &policy));
  });
  return *texts.compiled;
}

}  // namespace proviso
