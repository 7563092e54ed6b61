// X3 rules for the five declarations (docs/language.md): enum, fact,
// definition, interpretation and rule. Clauses come in any order; a repeated
// clause that may appear once is reported (E108) without abandoning the
// declaration. Included only by grammar.cpp.
#pragma once
#include "expression_def.hpp"

namespace proviso::grammar {


x3::rule<class enum_decl_id, ast::EnumDecl> const enum_decl = "an enum";
x3::rule<class enum_value_id, ast::EnumValue> const enum_value = "an enum value";
x3::rule<class fact_decl_id, ast::FactDecl> const fact_decl = "a fact";
x3::rule<class type_ref_id, ast::TypeRef> const type_ref = "a type";
x3::rule<class definition_decl_id, ast::DefinitionDecl> const definition_decl = "a definition";
x3::rule<class interpretation_decl_id, ast::InterpretationDecl> const interpretation_decl = "an interpretation";
x3::rule<class rule_decl_id, ast::RuleDecl> const rule_decl = "a rule";
x3::rule<class obligation_id, ast::Obligation> const obligation = "an obligation";

// --- semantic actions -------------------------------------------------------

// `_val.*Member = _attr`; optional members take the value.
template <auto Member>
inline constexpr auto assign = [](auto& ctx) { x3::_val(ctx).*Member = std::move(x3::_attr(ctx)); };
template <auto Member>
inline constexpr auto push = [](auto& ctx) { (x3::_val(ctx).*Member).push_back(std::move(x3::_attr(ctx))); };
template <auto Member, auto Value>
inline constexpr auto assign_value = [](auto& ctx) { x3::_val(ctx).*Member = Value; };

inline std::string label(const ast::RuleDecl& d) { return "rule `" + d.id.value + "`"; }
inline std::string label(const ast::DefinitionDecl& d) { return "definition `" + d.name.value + "`"; }
inline std::string label(const ast::InterpretationDecl& d) { return "interpretation `" + d.name.value + "`"; }

template <typename T>
bool is_set(const std::optional<T>& value) { return value.has_value(); }
template <typename T>
bool is_set(const std::vector<T>& values) { return !values.empty(); }

template <typename State, typename Decl>
void report_duplicate(State& state, const Decl& decl, const char* clause, Span keyword) {
  report(state, "E108", keyword, std::string("duplicate `") + clause + "` clause in " + label(decl),
         "remove one of them");
}

// On a clause keyword (attribute: its span): the clause must not be set yet.
template <auto Member>
struct once {
  const char* clause;
  template <typename Context>
  void operator()(Context& ctx) const {
    if (is_set(x3::_val(ctx).*Member)) report_duplicate(state_of(ctx), x3::_val(ctx), clause, x3::_attr(ctx));
  }
};

// A `cite` clause of a declaration (its span starts at the keyword).
inline constexpr auto assign_cite = [](auto& ctx) {
  ast::Citation& cite = x3::_attr(ctx);
  if (x3::_val(ctx).cite) {
    report_duplicate(state_of(ctx), x3::_val(ctx), "cite", Span{cite.span.begin, cite.span.begin + 4});
  }
  x3::_val(ctx).cite = std::move(cite);
};

inline constexpr auto start_default = [](auto& ctx) { x3::_val(ctx).default_span = x3::_attr(ctx); };
template <bool Value>
inline constexpr auto set_default = [](auto& ctx) {
  x3::_val(ctx).default_value = Value;
  x3::_val(ctx).default_span.end = x3::_attr(ctx).end;
};

inline constexpr auto set_type_name = [](auto& ctx) { x3::_val(ctx).name = std::move(x3::_attr(ctx).value); };
inline constexpr auto set_type_set = [](auto& ctx) {
  x3::_val(ctx).is_set = true;
  x3::_val(ctx).name = std::move(x3::_attr(ctx).value);
};

// --- expectations -----------------------------------------------------------

constexpr Expectation string_after(const char* what) { return {what, "write the text in double quotes"}; }

constexpr Expectation condition_after(const char* what, const char* missing, const char* missing_help) {
  return {what, "write an expression such as `request.in_writing` or `x == y`", "E103", missing, missing_help};
}

// --- enum and fact ----------------------------------------------------------

auto const enum_decl_def = located[
    kw("enum") >> need(declared_name("an enum"), {"the enum name after `enum`", "write `enum NAME { value ... }`"})[assign<&ast::EnumDecl::name>]
    >> -string_token[assign<&ast::EnumDecl::description>]
    >> need(sym("{"), {"`{` after the enum name", "list the values in braces: `enum NAME \"description\" { value \"description\" ... }`"})
    >> *enum_value[push<&ast::EnumDecl::values>]
    >> need(sym("}"), {"`}` to close the enum", "write the values one after another, each with an optional description, then `}`"})];

auto const enum_value_def = located[
    declared_name("an enum value")[assign<&ast::EnumValue::name>] >> -string_token[assign<&ast::EnumValue::description>]];

auto const type_ref_def = located[
    (kw("set") >> need(kw("of"), {"`of` after `set`", "write `set of` and an enum name"})
       >> need(reference_token, {"an enum name after `set of`", "write `set of` and an enum name"})[set_type_set])
  | reference_token[set_type_name]];

auto const fact_decl_def = located[
    kw("fact") >> need(declared_path("a fact"), {"a fact path after `fact`", "write `fact request.in_writing : bool \"description\"`"})[assign<&ast::FactDecl::path>]
    >> need(sym(":"), {"`:` after the fact path", "write the type after a colon: `fact request.in_writing : bool \"description\"`"})
    >> need(type_ref, {"a type after `:`", "a type is `bool`, `integer`, `decimal`, `date`, `string`, an enum name or `set of` an enum name"})[assign<&ast::FactDecl::type>]
    >> -string_token[assign<&ast::FactDecl::description>]
    >> -kw("fixed")[assign_value<&ast::FactDecl::fixed, true>]];

// --- definition and interpretation ------------------------------------------

auto const definition_clause =
    citation[assign_cite]
  | (kw_at("means")[once<&ast::DefinitionDecl::means>{"means"}]
       >> need(condition, condition_after("a condition after `means`", "missing condition after `means`",
                                          "write the condition that the definition names after `means`"))[assign<&ast::DefinitionDecl::means>])
  | (kw_at("doc")[once<&ast::DefinitionDecl::doc>{"doc"}] >> need(text_plus, string_after("a string after `doc`"))[assign<&ast::DefinitionDecl::doc>])
  | (kw_at("note")[once<&ast::DefinitionDecl::note>{"note"}] >> need(text_plus, string_after("a string after `note`"))[assign<&ast::DefinitionDecl::note>]);

auto const definition_decl_def = located[
    kw("definition") >> need(declared_name("a definition"), {"the definition name after `definition`", "write `definition NAME \"phrase\"`"})[assign<&ast::DefinitionDecl::name>]
    >> -string_token[assign<&ast::DefinitionDecl::phrase>]
    >> *definition_clause];

auto const interpretation_clause =
    citation[assign_cite]
  | (kw_at("default")[once<&ast::InterpretationDecl::default_value>{"default"}][start_default]
       >> need(kw_at("true")[set_default<true>] | kw_at("false")[set_default<false>],
               {"`true` or `false` after `default`", "the default is the reading used when a request does not set it"}))
  | (kw_at("doc")[once<&ast::InterpretationDecl::doc>{"doc"}] >> need(text_plus, string_after("a string after `doc`"))[assign<&ast::InterpretationDecl::doc>])
  | (kw_at("note")[once<&ast::InterpretationDecl::note>{"note"}] >> need(text_plus, string_after("a string after `note`"))[assign<&ast::InterpretationDecl::note>]);

auto const interpretation_decl_def = located[
    kw("interpretation") >> need(declared_name("an interpretation"), {"the interpretation name after `interpretation`", "write `interpretation NAME \"phrase\"`"})[assign<&ast::InterpretationDecl::name>]
    >> -string_token[assign<&ast::InterpretationDecl::phrase>]
    >> *interpretation_clause];

// --- rule -------------------------------------------------------------------

auto const obligation_def = located[
    kw("oblige") >> need(text_plus, string_after("a string after `oblige`"))[assign<&ast::Obligation::text>]
    >> -citation[assign<&ast::Obligation::cite>]];

auto const rule_clause =
    citation[assign_cite]
  | (kw_at("title")[once<&ast::RuleDecl::title>{"title"}] >> need(text_plus, string_after("a string after `title`"))[assign<&ast::RuleDecl::title>])
  | (kw_at("exception")[once<&ast::RuleDecl::exception_to>{"exception to"}]
       >> need(kw("to"), {"`to` after `exception`", "write `exception to` and the ids of the rules this rule defeats"})
       >> need(reference_token, {"a rule id after `exception to`", "write `exception to general_rule`"})[push<&ast::RuleDecl::exception_to>]
       >> *(sym(",") >> need(reference_token, {"a rule id after `,`", "separate rule ids with commas: `exception to a, b`"})[push<&ast::RuleDecl::exception_to>]))
  | (kw_at("when")[once<&ast::RuleDecl::when>{"when"}]
       >> need(condition, condition_after("a condition after `when`", "missing condition after `when`",
                                          "write the condition after `when`, or remove `when` so the rule always applies"))[assign<&ast::RuleDecl::when>])
  | obligation[push<&ast::RuleDecl::obligations>]
  | (kw_at("doc")[once<&ast::RuleDecl::doc>{"doc"}] >> need(text_plus, string_after("a string after `doc`"))[assign<&ast::RuleDecl::doc>])
  | (kw_at("note")[once<&ast::RuleDecl::note>{"note"}] >> need(text_plus, string_after("a string after `note`"))[assign<&ast::RuleDecl::note>]);

inline constexpr auto set_effect_permit = [](auto& ctx) {
  x3::_val(ctx).effect = ast::Effect::permit;
  x3::_val(ctx).effect_span = x3::_attr(ctx);
};
inline constexpr auto set_effect_forbid = [](auto& ctx) {
  x3::_val(ctx).effect = ast::Effect::forbid;
  x3::_val(ctx).effect_span = x3::_attr(ctx);
};
inline constexpr auto set_effect_limit = [](auto& ctx) {
  x3::_val(ctx).effect = ast::Effect::limit;
  x3::_val(ctx).effect_span = x3::_attr(ctx);
};

auto const rule_decl_def = located[
    kw("rule") >> need(declared_name("a rule"), {"a rule id after `rule`", "write `rule ID permit` or `rule ID forbid`"})[assign<&ast::RuleDecl::id>]
    >> need(kw_at("permit")[set_effect_permit] | kw_at("forbid")[set_effect_forbid] | kw_at("limit")[set_effect_limit],
            {"`permit`, `forbid` or `limit` after the rule id", "write `rule ID permit`, `rule ID forbid` or `rule ID limit`", "E113"})
    >> *rule_clause];

BOOST_SPIRIT_DEFINE(enum_decl, enum_value, type_ref, fact_decl, definition_decl, interpretation_decl, obligation, rule_decl)

}  // namespace proviso::grammar
