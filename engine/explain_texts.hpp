// What an explanation shows that depends on the policy alone, computed once per
// Policy (on first use, thread-safe): the condition texts and citations, and
// the JSON fragments the explanation's JSON text copies instead of escaping
// the same strings again for every request.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "policy.hpp"

namespace proviso {

class CompiledPolicy;
class FastSearch;

struct ExplainTexts {
  std::vector<std::string> condition_text;       // condition_text(policy, c)
  std::vector<const Citation*> condition_cite;   // its citation, or its definition's or interpretation's; never null
  std::vector<std::string> interpretation_path;  // "interpretations.NAME"

  // JSON fragments, escaped as explanation_to_json(...).dump() writes them.
  // Empty when a policy string is not valid UTF-8: the writer then escapes
  // as it goes, and reports it as dump() does.
  bool json_ready = false;
  std::vector<std::string> condition_text_json;  // "\"text\""
  std::vector<std::string> condition_cite_json;  // null, or {"id":…,"text":…}
  // A condition node's keys around its facts' values: "cite":…,"facts":{ and },"text":…,"value":
  std::vector<std::string> condition_head_json;
  std::vector<std::string> condition_tail_json;
  std::vector<std::string> fact_path_json;       // by slot: "\"request.x\""
  std::vector<std::string> rule_id_json;         // "\"id\""
  std::vector<std::string> rule_cite_json;       // {"cite":…   (a rule reference's first key)
  std::vector<std::string> rule_id_title_json;   // ,"rule":"id","title":"…"   (its last two; no title when empty)
  // An "other_exceptions" entry, {"cite":…,"effect":…,"failing":[…],"rule":…,"title":…},
  // is its rule's head, its failing conditions' briefs (comma-separated) and its rule's tail.
  std::vector<std::string> other_head_json;      // by rule: {"cite":…,"effect":"permit","failing":[
  std::vector<std::string> other_tail_json;      // by rule: ],"rule":"id","title":"…"}
  std::vector<std::string> condition_brief_json; // by condition: {"cite":…,"text":"…"}
  std::vector<std::vector<std::string>> enum_value_json;
  std::string ruleset_json;                       // {"digest":…,"name":…,"version":…}  // by enum, by value: "\"name\""
  // An object key with its comma, `,"request.x":` (by slot) and
  // `,"interpretations.NAME":` (by interpretation): the first key of an object drops the comma.
  std::vector<std::string> fact_key_json;
  std::vector<std::string> interpretation_key_json;
  // By condition, the order its node's facts (its facts' slots, then its
  // interpretations, as explain_tree.cpp reads them) take in the JSON object:
  // by path, a path read twice once (its last read), as a json object keeps
  // them. Condition c's are fact_orders[fact_order_at[c] .. fact_order_at[c + 1]).
  std::vector<std::uint16_t> fact_orders;
  std::vector<std::uint32_t> fact_order_at;
  std::span<const std::uint16_t> fact_order(std::int32_t c) const {
    return {fact_orders.data() + fact_order_at[c], fact_order_at[c + 1] - fact_order_at[c]};
  }

  // The compiled form, for the searches of explanations (search_compiled()):
  // built on the first search, so an explanation that needs none never compiles.
  mutable std::once_flag compiled_once;
  mutable std::unique_ptr<const CompiledPolicy> compiled;
  // FastSearches not lent out (FastSearchLease, engine/fast_search.hpp).
  mutable std::mutex idle_searches_mutex;
  mutable std::vector<std::unique_ptr<FastSearch>> idle_searches;
  // By slot, for a set-valued fact: the sets candidate_values() tries when it
  // is unknown, all of them in order (engine/counterfactual.cpp, each on first use).
  std::unique_ptr<std::once_flag[]> unknown_set_once;
  mutable std::vector<std::vector<std::uint64_t>> unknown_set_candidates;
  // facts_to_change() of a rule's open top-level conditions, as rank_exceptions
  // asks it for every candidate exception of every explanation. For a rule with
  // at most kTableTop top-level conditions: a byte per open set (the mask of its
  // open top_conditions) at facts_to_change_at[rule] + mask, kNotComputed until
  // first asked; read and written without a lock (any thread computes the same
  // byte). Bounded: 2^kTableTop bytes a rule, kMaxTableBytes in all.
  static constexpr std::size_t kTableTop = 12;
  static constexpr std::size_t kMaxTableBytes = std::size_t{1} << 22;
  static constexpr std::uint8_t kNotComputed = 0xff;
  static constexpr std::uint32_t kNoTable = ~std::uint32_t{0};
  std::vector<std::uint32_t> facts_to_change_at;  // by rule: the table's offset, or kNoTable
  std::unique_ptr<std::atomic<std::uint8_t>[]> facts_to_change_table;
  // A rule with more: by rule << 32 | the mask of its open top_conditions
  // (a rule with at most 32), filled as asked, under a lock.
  mutable std::shared_mutex facts_to_change_mutex;
  mutable std::unordered_map<std::uint64_t, std::uint8_t> facts_to_change_memo;

  // rank_exceptions' tables (explain_rank.cpp), so ranking reads two flat
  // arrays instead of a Rule each: by rule, its top-level conditions, and the
  // permits among its defeaters (the exceptions to it), each once, by index.
  std::vector<std::int32_t> rank_top;
  std::vector<std::uint32_t> rank_top_at;  // rule r's are rank_top[rank_top_at[r] .. rank_top_at[r + 1])
  std::vector<std::int32_t> rank_candidates;
  std::vector<std::uint32_t> rank_candidates_at;
  bool rank_keys_fit = false;  // every rule's counts and index fit rank_exceptions' one-number sort key
  std::span<const std::int32_t> rank_top_of(std::int32_t rule) const {
    return {rank_top.data() + rank_top_at[rule], rank_top_at[rule + 1] - rank_top_at[rule]};
  }
  std::span<const std::int32_t> rank_candidates_of(std::int32_t rule) const {
    return {rank_candidates.data() + rank_candidates_at[rule], rank_candidates_at[rule + 1] - rank_candidates_at[rule]};
  }

  // Fragments of the explanation's JSON text, with the others above (built
  // from them, for explain_json_text.cpp). By interpretation, an
  // "interpretations" entry around its use's own keys: {"cite":…,"name":…,"other_reading":{"authorities":
  // and },"reading":"…". By slot, an "unknown_facts" entry: {"description":…,"fact":…}.
  std::vector<std::string> interpretation_head_json;
  std::vector<std::string> interpretation_reading_json;
  std::vector<std::string> unknown_fact_json;
  // By condition, condition_head_json and its node's first key (fact_order's first read), with no comma.
  std::vector<std::string> condition_head_key_json;

  // The explanation tree's tables (explain_tree.cpp, add_tree_tables), so a
  // node is filled from flat arrays. By condition: the parts its node may show
  // (a block's parts; a definition's meaning's parts, or the meaning itself
  // when it is no block), each with whether its text is the condition's (a
  // part that only restates it is shown only with parts of its own); and the
  // reads its node makes (its facts' slots, then its interpretations), with
  // what each takes from the policy.
  struct TreeRead {
    std::int32_t fact = -1;            // slot, or -1 for an interpretation
    std::int32_t interpretation = -1;  // for an interpretation
    std::string_view path;
    std::string_view description;
    Type type;
  };
  std::vector<std::int32_t> tree_parts;
  std::vector<std::uint8_t> tree_part_restates;  // by tree_parts' index
  std::vector<std::uint32_t> tree_parts_at;      // condition c's: [tree_parts_at[c], tree_parts_at[c + 1])
  std::vector<TreeRead> tree_reads;
  std::vector<std::uint32_t> tree_reads_at;      // condition c's: [tree_reads_at[c], tree_reads_at[c + 1])

  // rank_exceptions' words (add_rank_tables): a rule's top-level conditions
  // are nearly a run of condition indexes, so their values are read eight
  // bytes at a time from decision.conditions, from `first` on. `members` (at
  // rank_word_members[members_at ..], a word each) has 0x01 in each byte that
  // is a top-level condition; the runs of other conditions between them
  // (rank_word_gaps[gaps_at ..], highest first, a position and a length) are
  // taken out of a mask over the words, so its bits number the top-level
  // conditions as top_conditions does. No words (words == 0) for a rule whose
  // top-level conditions are not increasing or span more than 64 conditions.
  struct RankWords {
    std::int32_t first = 0;
    std::uint32_t members_at = 0;
    std::uint32_t gaps_at = 0;
    std::uint8_t words = 0;
    std::uint8_t gaps = 0;
  };
  std::vector<RankWords> rank_words;  // by rule
  std::vector<std::uint64_t> rank_word_members;
  std::vector<std::uint8_t> rank_word_gaps;  // position, length; position, length; …

  // A condition node's JSON text around its reads' values, for a node whose
  // reads are its condition's own (built by add_json_text_fragments,
  // explain_json_fragments.cpp). By condition: the reads explain_tree.cpp
  // makes (its facts' slots, then its interpretations), to check a node's
  // against; the opening {"cite":…,"facts":{"first key": ; the reads in the
  // order they are written, each after its key (the first's is in the
  // opening); and by condition * 3 + Tri, the closing },"text":…,"value":"…"}.
  struct NodeRead {
    const char* path;
    std::size_t path_size;
    std::int32_t fact;  // the slot; -1 for an interpretation
  };
  struct NodeStep {
    std::string_view key;  // ,"path":   (empty for the first)
    std::uint32_t read;    // which of the node's reads
  };
  std::vector<NodeRead> node_reads;
  std::vector<std::uint32_t> node_reads_at;  // condition c's are node_reads[node_reads_at[c] .. node_reads_at[c + 1])
  std::vector<NodeStep> node_steps;
  std::vector<std::uint32_t> node_steps_at;
  std::vector<std::string> node_open_json;
  std::vector<std::string> node_close_json;
  // The other exceptions' pieces with the comma that comes before all but the
  // first: ,{"cite":…,"failing":[ by rule and ,{"cite":…,"text":…} by condition.
  std::vector<std::string> next_other_head_json;
  std::vector<std::string> next_condition_brief_json;
  // By condition, for one that is a top-level condition of a single rule (its
  // owner, else -1 and the strings are empty): its owner's other-exception
  // entry with it alone failing, ,{"cite":…,"failing":[{…}],"rule":…}; the
  // entry's head and it, ,{"cite":…,"failing":[{…}; and it and the tail, ,{…}],"rule":…}.
  std::vector<std::int32_t> brief_owner;
  std::vector<std::string> other_alone_json;
  std::vector<std::string> other_first_json;
  std::vector<std::string> other_last_json;
  std::span<const NodeRead> node_reads_of(std::int32_t c) const {
    return {node_reads.data() + node_reads_at[c], node_reads_at[c + 1] - node_reads_at[c]};
  }
  std::span<const NodeStep> node_steps_of(std::int32_t c) const {
    return {node_steps.data() + node_steps_at[c], node_steps_at[c + 1] - node_steps_at[c]};
  }
};

// Fills the rank_* tables of `texts` (explain_rank.cpp); part of building them.
void add_rank_tables(const Policy& policy, ExplainTexts& texts);
// Fills the tree_* tables of `texts` (explain_tree.cpp), after the condition texts and interpretation paths.
void add_tree_tables(const Policy& policy, ExplainTexts& texts);
// Fills the node_* and next_* fragments from the JSON fragments (explain_json_fragments.cpp).
void add_json_text_fragments(const Policy& policy, ExplainTexts& texts);

const ExplainTexts& explain_texts(const Policy& policy);

// The policy's compiled form (engine/compiled.hpp), built once on first use,
// for the searches of explanations: the next question and its witness.
const CompiledPolicy& search_compiled(const Policy& policy);

// The empty citation the views point to when a condition has none (inline:
// every ConditionNode is born pointing to it).
extern const Citation no_citation_instance;
inline const Citation& no_citation() { return no_citation_instance; }

}  // namespace proviso
