// Comparing syntax trees while ignoring spans: the formatter's proof that
// its output means what its input meant.
#include <string>

#include "format.hpp"

namespace proviso {
namespace {

struct Compare {
  std::string* difference;
  std::string where;

  bool fail(const std::string& what) {
    if (difference && difference->empty()) *difference = where + ": " + what;
    return false;
  }

  bool text(const std::optional<ast::Text>& a, const std::optional<ast::Text>& b, const char* what) {
    if (a.has_value() != b.has_value()) return fail(std::string(what) + " present in one only");
    if (a && a->value != b->value) return fail(std::string(what) + " `" + a->value + "` vs `" + b->value + "`");
    return true;
  }

  bool cite(const std::optional<ast::Citation>& a, const std::optional<ast::Citation>& b) {
    if (a.has_value() != b.has_value()) return fail("citation present in one only");
    if (a && (a->text != b->text || a->id != b->id)) return fail("citation `" + a->text + "` vs `" + b->text + "`");
    return true;
  }

  bool expr(const ast::Expr& a, const ast::Expr& b) {
    using K = ast::Expr::Kind;
    if (a.kind != b.kind) return fail("expression kinds differ");
    bool same = true;
    switch (a.kind) {
      case K::boolean: same = a.bool_value == b.bool_value; break;
      case K::integer: same = a.int_value == b.int_value; break;
      case K::decimal: same = a.text == b.text; break;
      case K::date:
      case K::string:
      case K::name: same = a.text == b.text; break;
      case K::duration: same = a.int_value == b.int_value && a.unit == b.unit; break;
      case K::set: break;
      case K::unary: same = a.unary_op == b.unary_op; break;
      case K::binary: same = a.binary_op == b.binary_op; break;
      case K::block: same = a.block_kind == b.block_kind; break;
    }
    if (!same) return fail("expressions differ at `" + a.text + "`");
    if (a.children.size() != b.children.size() || a.items.size() != b.items.size()) return fail("operand counts differ");
    for (std::size_t i = 0; i < a.children.size(); ++i)
      if (!expr(a.children[i], b.children[i])) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i)
      if (!condition(a.items[i], b.items[i])) return false;
    return true;
  }

  bool condition(const ast::Condition& a, const ast::Condition& b) {
    return expr(a.expr, b.expr) && text(a.phrase, b.phrase, "phrase") && cite(a.cite, b.cite);
  }

  bool condition(const std::optional<ast::Condition>& a, const std::optional<ast::Condition>& b) {
    if (a.has_value() != b.has_value()) return fail("condition present in one only");
    return !a || condition(*a, *b);
  }

  bool decl(const ast::EnumDecl& a, const ast::EnumDecl& b) {
    if (a.name.value != b.name.value || !text(a.description, b.description, "description")) return fail("enum differs");
    if (a.values.size() != b.values.size()) return fail("enum value counts differ");
    for (std::size_t i = 0; i < a.values.size(); ++i)
      if (a.values[i].name.value != b.values[i].name.value || !text(a.values[i].description, b.values[i].description, "description"))
        return fail("enum value `" + a.values[i].name.value + "` differs");
    return true;
  }
  bool decl(const ast::FactDecl& a, const ast::FactDecl& b) {
    if (a.path.value != b.path.value || a.type.is_set != b.type.is_set || a.type.name != b.type.name || a.fixed != b.fixed)
      return fail("fact differs");
    return text(a.description, b.description, "description");
  }
  bool decl(const ast::DefinitionDecl& a, const ast::DefinitionDecl& b) {
    if (a.name.value != b.name.value) return fail("definition names differ");
    return text(a.phrase, b.phrase, "phrase") && cite(a.cite, b.cite) && condition(a.means, b.means) &&
           text(a.doc, b.doc, "doc") && text(a.note, b.note, "note");
  }
  bool decl(const ast::InterpretationDecl& a, const ast::InterpretationDecl& b) {
    if (a.name.value != b.name.value || a.default_value != b.default_value) return fail("interpretation differs");
    return text(a.phrase, b.phrase, "phrase") && cite(a.cite, b.cite) && text(a.doc, b.doc, "doc") && text(a.note, b.note, "note");
  }
  bool decl(const ast::RuleDecl& a, const ast::RuleDecl& b) {
    if (a.id.value != b.id.value || a.effect != b.effect) return fail("rule header differs");
    if (a.exception_to.size() != b.exception_to.size()) return fail("exception lists differ");
    for (std::size_t i = 0; i < a.exception_to.size(); ++i)
      if (a.exception_to[i].value != b.exception_to[i].value) return fail("exception lists differ");
    if (a.obligations.size() != b.obligations.size()) return fail("obligation counts differ");
    for (std::size_t i = 0; i < a.obligations.size(); ++i)
      if (a.obligations[i].text.value != b.obligations[i].text.value || !cite(a.obligations[i].cite, b.obligations[i].cite))
        return fail("obligation differs");
    return cite(a.cite, b.cite) && text(a.title, b.title, "title") && condition(a.when, b.when) &&
           text(a.doc, b.doc, "doc") && text(a.note, b.note, "note");
  }
};

std::string_view rstrip(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool same_syntax(const ast::File& a, const ast::File& b, std::string* difference) {
  Compare compare{difference, ""};
  if (a.declarations.size() != b.declarations.size()) return compare.fail("declaration counts differ");
  for (std::size_t i = 0; i < a.declarations.size(); ++i) {
    compare.where = "declaration " + std::to_string(i + 1);
    if (a.declarations[i].index() != b.declarations[i].index()) return compare.fail("declaration kinds differ");
    const bool same = std::visit(
        [&](const auto& x) { return compare.decl(x, std::get<std::decay_t<decltype(x)>>(b.declarations[i])); },
        a.declarations[i]);
    if (!same) return false;
  }
  compare.where = "comments";
  if (a.comments.size() != b.comments.size()) return compare.fail("comment counts differ");
  for (std::size_t i = 0; i < a.comments.size(); ++i)
    if (rstrip(a.comments[i].text) != rstrip(b.comments[i].text))
      return compare.fail("comment `" + a.comments[i].text + "` vs `" + b.comments[i].text + "`");
  return true;
}

}  // namespace proviso
