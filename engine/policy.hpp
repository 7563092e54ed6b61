// The compiled policy: a checked, resolved, immutable rule set ready to evaluate.
// Built by engine/check, read by engine/eval and the renderers; never mutated after.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/source.hpp"
#include "value.hpp"

namespace proviso {

struct Citation {
  std::string text;  // resolved, e.g. "26 U.S.C. § 6103(i)(2)(B)"
  std::string id;    // stable identifier, e.g. "usc26-6103-i-2-b"
  bool empty() const { return text.empty(); }
};

// A compiled expression node with its operands resolved to slots.
struct CExpr {
  enum class Op : std::uint8_t {
    constant, fact, interpretation, definition,
    not_, and_, or_,
    eq, ne, lt, le, gt, ge,
    in, subset, superset, intersects,
    is_known,
    add, sub, negate,
  };
  Op op = Op::constant;
  Type type;
  Value constant;
  std::int32_t slot = -1;       // fact slot, interpretation or definition index
  std::int32_t condition = -1;  // index into Policy::conditions when this node is a phrased condition
  SourceId source = kNoSource;
  Span span;
  std::vector<CExpr> args;
};

// A condition as the author wrote it: an expression item with its words.
struct ConditionInfo {
  std::string phrase;           // may be empty: explanations fall back to the definition's phrase or the source text
  Citation cite;
  SourceId source = kNoSource;
  Span span;
  std::int32_t definition = -1; // when the expression is a bare definition name
  std::int32_t interpretation = -1;  // when the expression is a bare interpretation name
  std::vector<std::int32_t> facts;            // fact slots the condition reads (directly or via definitions), sorted
  std::vector<std::int32_t> interpretations;  // interpretations it reads, sorted
  std::vector<std::int32_t> children;         // nested phrased conditions (blocks)
};

struct EnumType {
  std::string name;
  std::string description;
  std::vector<std::string> values;
  std::vector<std::string> value_descriptions;
  SourceId source = kNoSource;
  Span span;
  std::int32_t index_of(std::string_view value) const;
};

struct FactInfo {
  std::string path;
  Type type;
  std::string description;
  bool fixed = false;
  SourceId source = kNoSource;
  Span span;
};

struct Definition {
  std::string name;
  std::string phrase;
  Citation cite;
  std::string doc, note;
  CExpr expr;
  std::int32_t condition = -1;  // the `means` condition
  SourceId source = kNoSource;
  Span span;
};

struct Interpretation {
  std::string name;
  std::string phrase;
  Citation cite;
  bool default_value = false;
  std::string doc, note;
  SourceId source = kNoSource;
  Span span;
};

struct Obligation {
  std::string text;
  Citation cite;
};

struct Rule {
  std::string id;
  ast::Effect effect = ast::Effect::forbid;
  Citation cite;
  std::string title, doc, note;
  std::vector<std::int32_t> exception_to;  // rules this one defeats
  std::vector<std::int32_t> defeaters;     // rules that defeat this one (reverse edges)
  std::optional<CExpr> when;               // absent: always applies
  std::int32_t condition = -1;             // the `when` condition
  std::vector<std::int32_t> top_conditions;  // the items of a top-level all of, or the when condition
  std::vector<Obligation> obligations;
  SourceId source = kNoSource;
  Span span;
  bool is_permit() const { return effect == ast::Effect::permit; }
  bool is_forbid() const { return effect == ast::Effect::forbid; }
  bool is_limit() const { return effect == ast::Effect::limit; }
};

struct ExplainTexts;
struct Policy;

// Holds what explanations derive from the policy alone (engine/explain_texts.hpp),
// built on first use by whichever thread asks first. A copy or a move of the
// policy starts without it, so it never describes a policy other than its own.
class ExplainTextsSlot {
 public:
  ExplainTextsSlot();
  ~ExplainTextsSlot();
  ExplainTextsSlot(const ExplainTextsSlot&);
  ExplainTextsSlot(ExplainTextsSlot&&);
  ExplainTextsSlot& operator=(const ExplainTextsSlot&);
  ExplainTextsSlot& operator=(ExplainTextsSlot&&);

 private:
  friend const ExplainTexts& explain_texts(const Policy& policy);
  struct State;
  std::unique_ptr<State> state_;
};

namespace tracing {
class Program;
const Program& tracing_program(const Policy& policy);
}  // namespace tracing

// Holds the tracing decide()'s program (engine/eval_program.hpp), built on
// first use like the explanation texts; a copy or a move starts without it.
class TracingProgramSlot {
 public:
  TracingProgramSlot();
  ~TracingProgramSlot();
  TracingProgramSlot(const TracingProgramSlot&);
  TracingProgramSlot(TracingProgramSlot&&);
  TracingProgramSlot& operator=(const TracingProgramSlot&);
  TracingProgramSlot& operator=(TracingProgramSlot&&);

 private:
  friend const tracing::Program& tracing::tracing_program(const Policy& policy);
  struct State;
  std::unique_ptr<State> state_;
};

struct Policy {
  std::string name, version, jurisdiction, title;
  std::string digest;  // "sha256:…" over the manifest and rule files, in order
  std::int32_t general_rule = -1;

  std::vector<EnumType> enums;
  std::vector<FactInfo> facts;
  std::vector<Definition> definitions;    // in dependency order: a definition only uses earlier ones
  std::vector<Interpretation> interpretations;
  std::vector<Rule> rules;                // in source order
  std::vector<ConditionInfo> conditions;
  std::vector<std::int32_t> evaluation_order;  // rule indexes, every exception before the rules it defeats

  std::map<std::string, std::int32_t, std::less<>> fact_index, enum_index, definition_index,
      interpretation_index, rule_index;

  SourceMap sources;  // the texts, so explanations can quote them
  ExplainTextsSlot explain_cache;  // derived, on first use; see engine/explain_texts.hpp
  TracingProgramSlot tracing_program_cache;  // derived, on first use; see engine/eval_program.hpp

  const Rule* find_rule(std::string_view id) const;
  const FactInfo* find_fact(std::string_view path) const;
  std::string type_name(Type type) const;
};

}  // namespace proviso
