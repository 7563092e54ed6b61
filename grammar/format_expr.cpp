// The formatter's expressions and conditions: parentheses only where
// precedence needs them, blocks one condition a line, long lists wrapped.
#include <string>

#include "ast_build.hpp"
#include "format_printer.hpp"

namespace proviso::format {
namespace {

using K = ast::Expr::Kind;
using B = ast::BinaryOp;

const char* op_text(B op) {
  switch (op) {
    case B::or_: return "or";
    case B::and_: return "and";
    case B::eq: return "==";
    case B::ne: return "!=";
    case B::lt: return "<";
    case B::le: return "<=";
    case B::gt: return ">";
    case B::ge: return ">=";
    case B::in: return "in";
    case B::not_in: return "not in";
    case B::subset_of: return "subset of";
    case B::superset_of: return "superset of";
    case B::intersects: return "intersects";
    case B::add: return "+";
    case B::sub: return "-";
  }
  return "?";
}

// The level each operand of a binary operator needs (the grammar's left
// associativity: `a - b - c` is (a - b) - c, so a right operand binds tighter).
int lhs_level(B op) {
  if (op == B::or_) return or_level;
  if (op == B::and_) return and_level;
  return additive_level;
}
int rhs_level(B op) {
  if (op == B::or_) return and_level;
  if (op == B::and_) return not_level;
  if (op == B::add || op == B::sub) return negate_level;
  return additive_level;
}

const char* unit_text(const ast::Expr& e) {
  const bool one = e.int_value == 1;
  switch (e.unit) {
    case ast::DurationUnit::days: return one ? "day" : "days";
    case ast::DurationUnit::weeks: return one ? "week" : "weeks";
    case ast::DurationUnit::months: return one ? "month" : "months";
    case ast::DurationUnit::years: return one ? "year" : "years";
  }
  return "days";
}

// The level the operand of a unary operator needs. `not a == b` would parse
// as `not (a == b)`, but readers take it for `(not a) == b`: a comparison
// under `not` keeps its parentheses.
int operand_level(const ast::Expr& e) {
  switch (e.unary_op) {
    case ast::UnaryOp::not_: return level_of(e.children[0]) == comparison_level ? primary_level : not_level;
    case ast::UnaryOp::negate: return negate_level;
    default: return additive_level;
  }
}

// The operands of a left-nested chain of one operator: ((a or b) or c) -> a, b, c.
void operands(const ast::Expr& e, B op, std::vector<const ast::Expr*>& out) {
  if (e.kind == K::binary && e.binary_op == op) {
    operands(e.children[0], op, out);
    out.push_back(&e.children[1]);
  } else {
    out.push_back(&e);
  }
}

// The first character the expression prints as.
char first_char(const ast::Expr& e, int level) {
  if (level_of(e) < level) return '(';
  switch (e.kind) {
    case K::string: return '"';
    case K::unary:
      if (e.unary_op == ast::UnaryOp::not_) return 'n';
      if (e.unary_op == ast::UnaryOp::negate) return '-';
      return first_char(e.children[0], additive_level);
    case K::binary: return first_char(e.children[0], lhs_level(e.binary_op));
    default: return 'x';
  }
}

std::size_t width_of(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

int level_of(const ast::Expr& e) {
  if (e.kind == K::unary) {
    switch (e.unary_op) {
      case ast::UnaryOp::not_: return not_level;
      case ast::UnaryOp::negate: return negate_level;
      default: return comparison_level;  // `x is known`
    }
  }
  if (e.kind != K::binary) return primary_level;
  switch (e.binary_op) {
    case B::or_: return or_level;
    case B::and_: return and_level;
    case B::add:
    case B::sub: return additive_level;
    default: return comparison_level;
  }
}

std::string Printer::quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "\"";
}

std::string Printer::citation(const ast::Citation& c) {
  std::string out = "cite " + quote(c.text);
  if (c.id) out += " id " + quote(*c.id);
  return out;
}

std::optional<std::string> Printer::flat(const ast::Expr& e, int level) {
  if (level_of(e) < level) {
    auto inner = flat(e, or_level);
    if (!inner) return std::nullopt;
    return "(" + *inner + ")";
  }
  switch (e.kind) {
    case K::boolean: return e.bool_value ? "true" : "false";
    case K::integer: return std::to_string(e.int_value);
    case K::decimal:
    case K::date: return e.text;
    case K::duration: return std::to_string(e.int_value) + " " + unit_text(e);
    case K::string: return quote(e.text);
    case K::name: return e.text;
    case K::block: return std::nullopt;
    case K::set: {
      std::string out = "{";
      for (std::size_t i = 0; i < e.children.size(); ++i) {
        auto element = flat(e.children[i], or_level);
        if (!element) return std::nullopt;
        out += (i ? ", " : "") + *element;
      }
      return out + "}";
    }
    case K::unary: {
      auto operand = flat(e.children[0], operand_level(e));
      if (!operand) return std::nullopt;
      switch (e.unary_op) {
        case ast::UnaryOp::not_: return "not " + *operand;
        case ast::UnaryOp::negate: return "-" + *operand;
        case ast::UnaryOp::is_known: return *operand + " is known";
        case ast::UnaryOp::is_unknown: return *operand + " is unknown";
      }
      return std::nullopt;
    }
    case K::binary: {
      auto lhs = flat(e.children[0], lhs_level(e.binary_op));
      auto rhs = flat(e.children[1], rhs_level(e.binary_op));
      if (!lhs || !rhs) return std::nullopt;
      return *lhs + " " + op_text(e.binary_op) + " " + *rhs;
    }
  }
  return std::nullopt;
}

void Printer::expr(const ast::Expr& e, int level, unsigned indent) {
  if (level_of(e) < level) {
    write("(");
    expr(e, or_level, indent);
    write(")");
    return;
  }
  if (e.kind == K::block) return block(e, indent);
  if (e.kind == K::set) return set_literal(e, level);
  if (e.kind == K::binary && (e.binary_op == B::and_ || e.binary_op == B::or_)) return chain(e, level, indent);
  const bool composite = e.kind == K::unary || e.kind == K::binary;
  if (auto text = flat(e, level); text && (!composite || fits(width_of(*text)))) return write(*text);
  // Too long for the line, or a block inside a comparison or `not`: print the
  // parts, so a set literal among them can wrap.
  if (e.kind == K::unary) {
    if (e.unary_op == ast::UnaryOp::not_) write("not ");
    if (e.unary_op == ast::UnaryOp::negate) write("-");
    expr(e.children[0], operand_level(e), indent);
    if (e.unary_op == ast::UnaryOp::is_known) write(" is known");
    if (e.unary_op == ast::UnaryOp::is_unknown) write(" is unknown");
    return;
  }
  if (e.kind == K::binary) {
    expr(e.children[0], lhs_level(e.binary_op), indent);
    write(std::string(" ") + op_text(e.binary_op) + " ");
    expr(e.children[1], rhs_level(e.binary_op), indent);
  }
}

// `a and b and c`: on one line if it fits, else one operand a line, the
// operator first, indented under the line it started on.
void Printer::chain(const ast::Expr& e, int, unsigned indent) {
  std::vector<const ast::Expr*> parts;
  operands(e, e.binary_op, parts);
  const auto whole = flat(e, or_level);
  const bool one_line = whole && fits(width_of(*whole));
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const int level = i == 0 ? lhs_level(e.binary_op) : rhs_level(e.binary_op);
    if (i > 0) {
      if (whole && !one_line) {
        begin_line(indent + 4);
        write(std::string(op_text(e.binary_op)) + " ");
      } else {
        write(std::string(" ") + op_text(e.binary_op) + " ");
      }
    }
    expr(*parts[i], level, indent + (whole && !one_line ? 4 : 0));
  }
}

void Printer::set_literal(const ast::Expr& e, int) {
  std::vector<std::string> elements;
  for (const auto& child : e.children) {
    auto element = flat(child, or_level);
    if (!element) {
      // An element holding a block (a type error the checker reports): print it plainly.
      write("{");
      for (std::size_t i = 0; i < e.children.size(); ++i) {
        if (i) write(", ");
        expr(e.children[i], or_level, column());
      }
      write("}");
      return;
    }
    elements.push_back(std::move(*element));
  }
  fill("{", elements, "}");
}

// Items separated by commas, as many on a line as fit, continuation lines
// aligned after the opening text.
void Printer::fill(std::string_view open, const std::vector<std::string>& items, std::string_view close) {
  write(open);
  const unsigned align = column();
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string piece = items[i] + (i + 1 < items.size() ? "," : std::string(close));
    if (i > 0) {
      if (fits(1 + width_of(piece))) {
        write(" ");
      } else {
        out_ += '\n';
        out_.append(align, ' ');
      }
    }
    write(piece);
  }
  if (items.empty()) write(close);
}

void Printer::block(const ast::Expr& e, unsigned indent) {
  write(std::string(grammar::block_keyword(e.block_kind)) + " {");
  // Phrases go on the condition's line only when every condition of the block fits so.
  bool one_line = true;
  for (const auto& item : e.items) one_line = one_line && fits_one_line(item, indent + 2);
  for (std::size_t i = 0; i < e.items.size(); ++i) {
    const auto& item = e.items[i];
    comments_before(item.span.begin, indent + 2);
    begin_line(indent + 2);
    condition(item, indent + 2, true, one_line);
    trailing(item.span.end, i + 1 < e.items.size() ? e.items[i + 1].span.begin : e.span.end);
  }
  comments_before(e.span.end, indent + 2);
  begin_line(indent);
  write("}");
}

std::string Printer::condition_tail(const ast::Condition& c) {
  std::string tail;
  if (c.phrase) tail = quote(c.phrase->value);
  if (c.cite) {
    if (!tail.empty()) tail += ' ';
    tail += citation(*c.cite);
  }
  return tail;
}

bool Printer::fits_one_line(const ast::Condition& c, unsigned indent) const {
  auto text = flat(c.expr, or_level);
  if (!text) return false;
  auto tail = condition_tail(c);
  return indent + width_of(*text) + (tail.empty() ? 0 : 1 + width_of(tail)) <= width_;
}

void Printer::condition(const ast::Condition& c, unsigned indent, bool in_block, bool one_line) {
  // In a block, a condition starting with `-` or a string would join the one
  // before it (`a -b < 1`, `a "x" == y`); parentheses keep it apart.
  const char first = first_char(c.expr, or_level);
  const bool wrap = in_block && (first == '-' || first == '"');
  if (wrap) write("(");
  expr(c.expr, or_level, indent);
  if (wrap) write(")");
  auto tail = condition_tail(c);
  if (tail.empty()) return;
  if (in_block ? one_line : fits(1 + width_of(tail))) {
    write(" " + tail);
  } else {
    begin_line(indent + 4);
    write(tail);
  }
}

unsigned Printer::column() const {
  auto start = out_.rfind('\n');
  start = start == std::string::npos ? 0 : start + 1;
  return static_cast<unsigned>(width_of(std::string_view(out_).substr(start)));
}

}  // namespace proviso::format
