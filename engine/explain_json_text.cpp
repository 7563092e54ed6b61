// The explanation as JSON text, written straight from the tree: the bytes of
// explanation_to_json(...).dump() without building the json tree (which cost
// more than the explanation itself). Objects are written with their keys in
// the order nlohmann's std::map gives them (byte order), so every key list
// below is sorted; tests/unit/explain_json_text_test.cpp checks the bytes
// against dump() on every scenario and on random requests.
#include <algorithm>
#include <cstring>

#include "explain.hpp"
#include "explain_json_question.hpp"
#include "json_sink.hpp"
#include "json_text.hpp"

namespace proviso {
namespace {

class Writer {
 public:
  Writer(const Policy& policy, std::string& out)
      : policy_(policy), out_(out), texts_(explain_texts(policy)), fragments_(texts_.json_ready) {}

  void finish() { out_.finish(); }

  void explanation(const Explanation& e) {
    tree_ = &e.tree;
    out_ += "{\"closest_exceptions\":[";
    for (std::size_t i = 0; i < e.closest.size(); ++i) {
      if (i) out_ += ',';
      closest(e.closest[i]);
    }
    out_ += "],\"counterfactuals\":[";
    for (std::size_t i = 0; i < e.counterfactuals.size(); ++i) {
      if (i) out_ += ',';
      json(counterfactual_to_json(policy_, e.counterfactuals[i]));
    }
    out_ += "],\"decided_by\":[";
    for (std::size_t i = 0; i < e.grounds.size(); ++i) {
      if (i) out_ += ',';
      ground(e.grounds[i]);
    }
    out_ += "],\"decision\":";
    outcome(e.outcome);
    out_ += ",\"interpretations\":[";
    for (std::size_t i = 0; i < e.interpretations.size(); ++i) {
      if (i) out_ += ',';
      interpretation(e.interpretations[i]);
    }
    out_ += "],\"next_questions\":[";
    for (std::size_t i = 0; i < e.next_questions.size(); ++i) {
      if (i) out_ += ',';
      question(e.next_questions[i]);
    }
    out_ += "],\"obligations\":[";
    for (std::size_t i = 0; i < e.obligations.size(); ++i) {
      if (i) out_ += ',';
      const auto& o = e.obligations[i];
      out_ += "{\"cite\":";
      cite(o.obligation.cite);
      out_ += ",\"rule\":";
      string(policy_.rules[o.rule].id);
      out_ += ",\"text\":";
      string(o.obligation.text);
      out_ += '}';
    }
    out_ += "],\"other_exceptions\":[";
    others(e);
    out_ += "],\"ruleset\":";
    if (fragments_) {
      out_ += texts_.ruleset_json;
    } else {
      out_ += "{\"digest\":";
      string(policy_.digest);
      out_ += ",\"name\":";
      string(policy_.name);
      out_ += ",\"version\":";
      string(policy_.version);
      out_ += '}';
    }
    out_ += ",\"schema\":\"proviso.explanation/v1\",\"summary\":";
    string(e.summary);
    out_ += ",\"unknown_facts\":[";
    for (std::size_t i = 0; i < e.unknown_facts.size(); ++i) {
      if (i) out_ += ',';
      unknown_fact(e.unknown_facts[i]);
    }
    out_ += "]}";
  }

 private:
  void cite(const Citation& c) {
    if (c.empty()) {
      out_ += "null";
      return;
    }
    out_ += "{\"id\":";
    string(c.id);
    out_ += ",\"text\":";
    string(c.text);
    out_ += '}';
  }

  void rule_ids(const std::vector<std::int32_t>& rules) {
    out_ += '[';
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (i) out_ += ',';
      if (fragments_) out_ += texts_.rule_id_json[rules[i]];
      else string(policy_.rules[rules[i]].id);
    }
    out_ += ']';
  }

  // A condition's text and citation: the policy's fragments when the node
  // refers to the policy's own text and citation (explain_tree.cpp's nodes
  // always do), else escaped here.
  bool policy_condition(const ConditionNode& node) const {
    return fragments_ && node.index >= 0 && static_cast<std::size_t>(node.index) < texts_.condition_text.size() &&
           node.text.data() == texts_.condition_text[node.index].data() && node.text.size() == texts_.condition_text[node.index].size() &&
           node.cite == texts_.condition_cite[node.index];
  }

  void fact_path(const FactRead& read) {
    if (fragments_ && read.fact >= 0 && static_cast<std::size_t>(read.fact) < policy_.facts.size() &&
        read.path.data() == policy_.facts[read.fact].path.data() && read.path.size() == policy_.facts[read.fact].path.size())
      out_ += texts_.fact_path_json[read.fact];
    else
      string(read.path);
  }

  // A rule reference's keys ("cite", "effect", "rule", "title") merged with
  // the entry's own: each callback writes those that sort before "effect",
  // before "rule", and after "title", each starting with a comma.
  template <typename BeforeEffect, typename BeforeRule, typename AfterTitle>
  void rule_entry(std::int32_t r, BeforeEffect before_effect, BeforeRule before_rule, AfterTitle after_title) {
    const auto& rule = policy_.rules[r];
    if (fragments_) {
      out_ += texts_.rule_cite_json[r];
    } else {
      out_ += "{\"cite\":";
      cite(rule.cite);
    }
    before_effect();
    if (rule.is_permit()) out_ += ",\"effect\":\"permit\"";
    else if (rule.is_forbid()) out_ += ",\"effect\":\"forbid\"";
    else out_ += ",\"effect\":\"limit\"";
    before_rule();
    if (fragments_) {
      out_ += texts_.rule_id_title_json[r];
    } else {
      out_ += ",\"rule\":";
      string(rule.id);
      if (!rule.title.empty()) {
        out_ += ",\"title\":";
        string(rule.title);
      }
    }
    after_title();
    out_ += '}';
  }

  void conditions(const char* key, NodeList list) {
    out_ += key;
    out_ += '[';
    const auto nodes = (*tree_)[list];
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (i) out_ += ',';
      condition(nodes[i]);
    }
    out_ += ']';
  }

  void ground(const Ground& g) {
    auto nothing = [] {};
    rule_entry(
        g.rule,
        [&] {
          if (g.defeated.empty()) return;
          out_ += ",\"defeats\":";
          rule_ids(g.defeated);
        },
        [&] { conditions(",\"rests_on\":", g.holds); }, nothing);
  }

  void closest(const ExceptionView& x) {
    rule_entry(
        x.rule,
        [&] {
          out_ += ",\"defeated_by\":";
          rule_ids(x.defeated_by);
        },
        [&] {
          conditions(",\"failing\":", x.failing);
          if (x.maybe_defeated_by.empty()) return;
          out_ += ",\"maybe_defeated_by\":";
          rule_ids(x.maybe_defeated_by);
        },
        [&] { conditions(",\"unknown\":", x.unknown); });
  }

  // The other exceptions' entries, each from its rule's head and tail and its
  // failing conditions' briefs, as the policy's fragments hold them; without
  // fragments (a policy string not UTF-8), written here (and refused, as dump() does).
  void others(const Explanation& e) {
    if (fragments_) {
      // Some 120 copies: with the cursor and the pieces' tables in registers.
      const std::string* heads = texts_.next_other_head_json.data();
      const std::string* briefs = texts_.next_condition_brief_json.data();
      const std::string* tails = texts_.other_tail_json.data();
      char* at = out_.cursor();
      char* end = out_.end();
      const auto copy = [&](const std::string& piece, std::size_t from) {
        const auto n = piece.size() - from;
        if (static_cast<std::size_t>(end - at) < n) {
          at = out_.room_at(at, n);
          end = out_.end();
        }
        std::memcpy(at, piece.data() + from, n);
        at += n;
      };
      const std::int32_t* owner = texts_.brief_owner.data();
      // Each piece with the comma before it, from after the comma for the first.
      // The first and last failing conditions come with the rule's head and
      // tail when they are its own (as explain() lists them): an entry is one
      // piece a failing condition, not two more.
      for (std::size_t i = 0; i < e.others.size(); ++i) {
        const auto& x = e.others[i];
        const auto failing = e.failing(x);
        const auto m = failing.size();
        const bool own_first = m > 0 && owner[failing[0]] == x.rule;
        if (m == 1 && own_first) {
          copy(texts_.other_alone_json[failing[0]], i == 0);
          continue;
        }
        if (own_first) {
          copy(texts_.other_first_json[failing[0]], i == 0);
        } else {
          copy(heads[x.rule], i == 0);
          if (m > 0) copy(briefs[failing[0]], 1);
        }
        for (std::size_t k = 1; k + 1 < m; ++k) copy(briefs[failing[k]], 0);
        if (m >= 2 && owner[failing[m - 1]] == x.rule) {
          copy(texts_.other_last_json[failing[m - 1]], 0);
          continue;
        }
        if (m >= 2) copy(briefs[failing[m - 1]], 0);
        copy(tails[x.rule], 0);
      }
      out_.finish_at(at);
      return;
    }
    for (std::size_t i = 0; i < e.others.size(); ++i) {
      const auto& x = e.others[i];
      const auto failing = e.failing(x);
      if (i) out_ += ',';
      auto nothing = [] {};
      rule_entry(
          x.rule, nothing,
          [&] {
            out_ += ",\"failing\":[";
            for (std::size_t k = 0; k < failing.size(); ++k) {
              if (k) out_ += ',';
              out_ += "{\"cite\":";
              cite(*texts_.condition_cite[failing[k]]);
              out_ += ",\"text\":";
              string(texts_.condition_text[failing[k]]);
              out_ += '}';
            }
            out_ += ']';
          },
          nothing);
    }
  }

  void condition(const ConditionNode& node) {
    const bool because = !node.because.empty();
    if (because) {
      conditions("{\"because\":", node.because);
      out_ += ',';
    }
    const auto reads = tree_->facts(node);
    const bool fragments = policy_condition(node);
    if (fragments && policy_reads(node, reads)) {
      // From the policy's pieces: the opening (with the first read's key), each
      // read's value after its key, and the closing with the node's value.
      const auto& open = texts_.node_open_json[node.index];
      if (because) out_.put_from(open, 1);
      else out_ += open;
      if (const auto steps = texts_.node_steps_of(node.index); !steps.empty()) {
        fact_value(reads[steps[0].read]);
        for (std::size_t i = 1; i < steps.size(); ++i) {
          out_ += steps[i].key;
          fact_value(reads[steps[i].read]);
        }
      }
      const auto value = node.value == Tri::false_ ? 0 : node.value == Tri::true_ ? 1 : 2;
      out_ += texts_.node_close_json[3 * static_cast<std::size_t>(node.index) + value];
      return;
    }
    if (!because) out_ += '{';
    out_ += "\"cite\":";
    if (fragments) out_ += texts_.condition_cite_json[node.index];
    else cite(*node.cite);
    out_ += ",\"facts\":";
    facts(reads);
    out_ += ",\"text\":";
    if (fragments) out_ += texts_.condition_text_json[node.index];
    else string(node.text);
    // tri_name(node.value) as JSON: a literal (escaping it cost more than the rest of the node's tail).
    if (node.value == Tri::true_) out_ += ",\"value\":\"true\"}";
    else if (node.value == Tri::false_) out_ += ",\"value\":\"false\"}";
    else out_ += ",\"value\":\"unknown\"}";
  }

  // The node's reads are its condition's own, as explain_tree.cpp makes them
  // (its facts' slots, then its interpretations, each with the policy's path),
  // so the policy's pieces name and order them.
  bool policy_reads(const ConditionNode& node, std::span<const FactRead> reads) const {
    const auto expected = texts_.node_reads_of(node.index);
    if (reads.size() != expected.size() || (texts_.node_steps_of(node.index).empty() && !reads.empty())) return false;
    for (std::size_t k = 0; k < reads.size(); ++k)
      if (reads[k].fact != expected[k].fact || reads[k].path.data() != expected[k].path || reads[k].path.size() != expected[k].path_size)
        return false;
    return true;
  }

  // An object keyed by path: sorted, and a path read twice keeps its last value
  // (as assigning to a json object does).
  void facts(std::span<const FactRead> reads) {
    // A few reads a condition: sorted by insertion, which is stable and needs no buffer.
    order_.clear();
    for (const auto& r : reads) {
      auto at = order_.end();
      while (at != order_.begin() && r.path < (*(at - 1))->path) --at;
      order_.insert(at, &r);
    }
    out_ += '{';
    bool first = true;
    for (std::size_t i = 0; i < order_.size(); ++i) {
      if (i + 1 < order_.size() && order_[i + 1]->path == order_[i]->path) continue;
      if (!first) out_ += ',';
      first = false;
      fact_path(*order_[i]);
      out_ += ':';
      fact_value(*order_[i]);
    }
    out_ += '}';
  }

  // read.value().dump(): a reading's boolean, or the value as value_to_json makes it.
  void fact_value(const FactRead& read) {
    if (read.fact < 0) {
      boolean(read.given.integer != 0);  // a reading
      return;
    }
    if (!read.given.known || !read.policy) {
      out_ += "null";
      return;
    }
    // Most reads are enums and booleans: written here, without the call.
    const bool own = read.policy == &policy_ && fragments_;
    if (read.type.kind == TypeKind::boolean) {
      boolean(read.given.integer != 0);
      return;
    }
    if (read.type.kind == TypeKind::enumeration && own && read.type.enum_id >= 0 &&
        static_cast<std::size_t>(read.type.enum_id) < texts_.enum_value_json.size()) {
      const auto& names = texts_.enum_value_json[read.type.enum_id];
      if (read.given.integer >= 0 && static_cast<std::size_t>(read.given.integer) < names.size()) {
        out_ += names[static_cast<std::size_t>(read.given.integer)];
        return;
      }
    }
    write_value_json(out_, *read.policy, own ? &texts_.enum_value_json : nullptr, read.given, read.type);
  }

  void question(const Question& q) { write_question_json(out_, policy_, texts_, q); }

  void interpretation(const InterpretationUse& use) {
    const auto& interp = policy_.interpretations[use.index];
    if (fragments_) {
      out_ += texts_.interpretation_head_json[use.index];
    } else {
      out_ += "{\"cite\":";
      cite(interp.cite);
      out_ += ",\"name\":";
      string(interp.name);
      out_ += ",\"other_reading\":{\"authorities\":";
    }
    rule_ids(use.other_authorities);
    out_ += ",\"decision\":";
    outcome(use.other_outcome);
    if (fragments_) {
      out_ += texts_.interpretation_reading_json[use.index];
    } else {
      out_ += "},\"reading\":";
      string(interp.phrase);
    }
    out_ += use.relied_on ? ",\"relied_on\":true" : ",\"relied_on\":false";
    out_ += use.from_request ? ",\"source\":\"request\"" : ",\"source\":\"default\"";
    out_ += use.value ? ",\"value\":true}" : ",\"value\":false}";
  }

  // An "unknown_facts" entry: the policy's fragment when the read names the
  // policy's own fact (explain() reads them so), else escaped here.
  void unknown_fact(const FactRead& read) {
    if (fragments_ && read.fact >= 0 && static_cast<std::size_t>(read.fact) < policy_.facts.size()) {
      const auto& fact = policy_.facts[read.fact];
      if (read.path.data() == fact.path.data() && read.path.size() == fact.path.size() &&
          read.description.data() == fact.description.data() && read.description.size() == fact.description.size()) {
        out_ += texts_.unknown_fact_json[read.fact];
        return;
      }
    }
    out_ += "{\"description\":";
    string(read.description);
    out_ += ",\"fact\":";
    fact_path(read);
    out_ += '}';
  }

  // outcome_name() as a JSON string: a plain word, no escaping needed.
  void outcome(Outcome value) {
    out_ += '"';
    out_ += outcome_name(value);
    out_ += '"';
  }
  void boolean(bool value) {
    if (value) out_ += "true";
    else out_ += "false";
  }
  // A string escaped straight into the text; a json value (rare: the counterfactuals) as dump() writes it.
  void string(std::string_view text) { out_.string(text); }
  void json(const nlohmann::json& value) { out_ += value.dump(); }

  const Policy& policy_;
  JsonSink out_;
  const ExplainTexts& texts_;
  const bool fragments_;  // texts_ holds the JSON fragments (the policy's strings are valid UTF-8)
  std::vector<const FactRead*> order_;
  const ConditionTree* tree_ = nullptr;  // the explanation's nodes
};

}  // namespace

void append_explanation_json(const Policy& policy, const Explanation& explanation, std::string& out) {
  const auto start = out.size();
  try {
    Writer writer(policy, out);
    writer.explanation(explanation);
    writer.finish();
  } catch (const NotUtf8&) {
    // dump() refuses it too: let it say so, in its own words.
    out.resize(start);
    out += explanation_to_json(policy, explanation).dump();
  }
}

std::string explanation_json_text(const Policy& policy, const Explanation& explanation) {
  std::string out;
  out.reserve(48 * 1024);  // most explanations' text fits: a string that grows is copied whole
  append_explanation_json(policy, explanation, out);
  return out;
}

}  // namespace proviso
