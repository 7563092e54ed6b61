// The pieces of the explanation's JSON text that explain_json_text.cpp copies
// whole, joined once per Policy from the escaped fragments explain_texts.cpp
// builds: fewer, longer copies for each condition node and other exception
// (each copy costs a bounds check and a call, whatever its length).
#include "explain_texts.hpp"

namespace proviso {

void add_json_text_fragments(const Policy& policy, ExplainTexts& texts) {
  const auto conditions = policy.conditions.size();
  texts.node_reads_at.reserve(conditions + 1);
  texts.node_steps_at.reserve(conditions + 1);
  texts.node_reads_at.push_back(0);
  texts.node_steps_at.push_back(0);
  for (std::size_t c = 0; c < conditions; ++c) {
    const auto& info = policy.conditions[c];
    for (auto slot : info.facts) texts.node_reads.push_back({policy.facts[slot].path.data(), policy.facts[slot].path.size(), slot});
    for (auto i : info.interpretations) {
      const auto& path = texts.interpretation_path[i];
      texts.node_reads.push_back({path.data(), path.size(), -1});
    }
    texts.node_reads_at.push_back(static_cast<std::uint32_t>(texts.node_reads.size()));
    // The keys name the reads fact_order keeps (the first's is in the opening); the
    // views point into fact_key_json and interpretation_key_json, complete by now.
    bool first = true;
    for (auto k : texts.fact_order(static_cast<std::int32_t>(c))) {
      std::string_view key;
      if (!first) key = k < info.facts.size() ? texts.fact_key_json[info.facts[k]] : texts.interpretation_key_json[info.interpretations[k - info.facts.size()]];
      first = false;
      texts.node_steps.push_back({key, k});
    }
    texts.node_steps_at.push_back(static_cast<std::uint32_t>(texts.node_steps.size()));
    texts.node_open_json.push_back("{" + texts.condition_head_key_json[c]);
    for (const char* value : {"\"false\"}", "\"true\"}", "\"unknown\"}"})  // by Tri: false_, true_, unknown
      texts.node_close_json.push_back(texts.condition_tail_json[c] + value);
    texts.next_condition_brief_json.push_back("," + texts.condition_brief_json[c]);
  }
  for (const auto& head : texts.other_head_json) texts.next_other_head_json.push_back("," + head);
  // An other exception's entry in fewer pieces: its first and last failing
  // conditions with its head and tail (a condition that is its rule's own).
  texts.brief_owner.assign(conditions, -1);
  std::vector<std::int32_t> owners(conditions, 0);
  for (std::size_t r = 0; r < policy.rules.size(); ++r)
    for (auto c : policy.rules[r].top_conditions) {
      if (c < 0 || static_cast<std::size_t>(c) >= conditions) continue;
      texts.brief_owner[c] = static_cast<std::int32_t>(r);
      ++owners[c];
    }
  texts.other_alone_json.resize(conditions);
  texts.other_first_json.resize(conditions);
  texts.other_last_json.resize(conditions);
  for (std::size_t c = 0; c < conditions; ++c) {
    const auto r = texts.brief_owner[c];
    if (r < 0 || owners[c] != 1) {
      texts.brief_owner[c] = -1;
      continue;
    }
    texts.other_first_json[c] = texts.next_other_head_json[r] + texts.condition_brief_json[c];
    texts.other_alone_json[c] = texts.other_first_json[c] + texts.other_tail_json[r];
    texts.other_last_json[c] = texts.next_condition_brief_json[c] + texts.other_tail_json[r];
  }
}

}  // namespace proviso
