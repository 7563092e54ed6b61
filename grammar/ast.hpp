// The syntax tree of a rule file. Plain data; every node carries its span.
// Produced by parse_rule_file (grammar/parser.hpp), consumed by engine/check.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "source.hpp"

namespace proviso::ast {

struct Text {
  Span span;
  std::string value;  // unescaped; adjacent literals already joined with a space
};

struct Citation {
  Span span;
  std::string text;               // "26 U.S.C. § 6103(i)(2)" or relative "(i)(2)(B)"
  std::optional<std::string> id;  // explicit stable identifier, if written
};

enum class BinaryOp {
  or_, and_, eq, ne, lt, le, gt, ge,
  in, not_in, subset_of, superset_of, intersects,
  add, sub,
};
enum class UnaryOp { not_, negate, is_known, is_unknown };
enum class BlockKind { all_of, any_of, none_of };
enum class DurationUnit { days, weeks, months, years };

struct Condition;

// One node type for every expression ("fat node"): cheap to build in the
// grammar and simple to walk. Which fields are meaningful depends on `kind`.
struct Expr {
  enum class Kind {
    boolean,   // bool_value
    integer,   // int_value
    decimal,   // decimal_value; text = as written
    date,      // text = as written ("2024-01-31"); validated by the checker
    duration,  // int_value + unit
    string,    // text = unescaped value
    name,      // text = dotted path or bare name (fact, definition, interpretation, enum value)
    set,       // children = elements
    unary,     // unary_op, children[0]
    binary,    // binary_op, children[0], children[1]
    block,     // block_kind, items
  };
  Kind kind = Kind::boolean;
  Span span;
  bool bool_value = false;
  std::int64_t int_value = 0;
  std::int64_t decimal_value = 0;  // in millionths: decimals are exact to six places
  std::string text;
  DurationUnit unit = DurationUnit::days;
  UnaryOp unary_op = UnaryOp::not_;
  BinaryOp binary_op = BinaryOp::and_;
  BlockKind block_kind = BlockKind::all_of;
  std::vector<Expr> children;
  std::vector<Condition> items;
};

// An expression with its optional plain-English phrase and citation.
struct Condition {
  Span span;
  Expr expr;
  std::optional<Text> phrase;
  std::optional<Citation> cite;
};

struct Name {
  Span span;
  std::string value;
};

struct EnumValue {
  Span span;
  Name name;
  std::optional<Text> description;
};

struct EnumDecl {
  Span span;
  Name name;
  std::optional<Text> description;
  std::vector<EnumValue> values;
};

struct TypeRef {
  Span span;
  bool is_set = false;   // "set of X"
  std::string name;      // bool | integer | decimal | date | string | an enum name
};

struct FactDecl {
  Span span;
  Name path;             // dotted
  TypeRef type;
  std::optional<Text> description;
  bool fixed = false;
};

struct DefinitionDecl {
  Span span;
  Name name;
  std::optional<Text> phrase;
  std::optional<Citation> cite;
  std::optional<Condition> means;
  std::optional<Text> doc;
  std::optional<Text> note;
};

struct InterpretationDecl {
  Span span;
  Name name;
  std::optional<Text> phrase;
  std::optional<Citation> cite;
  std::optional<bool> default_value;
  Span default_span;
  std::optional<Text> doc;
  std::optional<Text> note;
};

struct Obligation {
  Span span;
  Text text;
  std::optional<Citation> cite;
};

// permit and forbid decide; a limit only defeats the rules it is an exception
// to (an undercutting defeater: § 6103(i)(6) bars (i)(1)-(3) disclosures but
// does not by itself forbid a disclosure that (c) consent permits).
enum class Effect { permit, forbid, limit };

struct RuleDecl {
  Span span;
  Name id;
  Effect effect = Effect::forbid;
  Span effect_span;
  std::optional<Citation> cite;
  std::optional<Text> title;
  std::vector<Name> exception_to;
  std::optional<Condition> when;
  std::vector<Obligation> obligations;
  std::optional<Text> doc;
  std::optional<Text> note;
};

// A comment, kept so the formatter can preserve it.
struct Comment {
  Span span;
  std::string text;  // without the leading '#'
};

using Declaration = std::variant<EnumDecl, FactDecl, DefinitionDecl, InterpretationDecl, RuleDecl>;

struct File {
  std::vector<Declaration> declarations;
  std::vector<Comment> comments;
};

}  // namespace proviso::ast
