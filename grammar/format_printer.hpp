// The formatter's printer (internal to grammar/format*.cpp): an output
// buffer that knows its column, and the comments still to place.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"
#include "format.hpp"

namespace proviso::format {

// Precedence levels, lowest first; an operand below what its position needs
// is printed in parentheses (the syntax tree does not record them).
enum Level : int { or_level = 1, and_level, not_level, comparison_level, additive_level, negate_level, primary_level };

class Printer {
 public:
  Printer(std::string_view source, const std::vector<ast::Comment>& comments, const FormatOptions& options)
      : source_(source), comments_(comments), width_(options.width) {}

  // Declarations (format_decl.cpp).
  void file(const ast::File& file);

  // Expressions and conditions (format_expr.cpp). `indent` is the indentation
  // of the line the expression starts on; blocks nest from it.
  // `in_block`: one of a block's conditions, whose phrase goes on the same line when `one_line`.
  void condition(const ast::Condition& c, unsigned indent, bool in_block = false, bool one_line = false);
  void expr(const ast::Expr& e, int level, unsigned indent);
  // The expression on one line, or nothing if it holds a block.
  static std::optional<std::string> flat(const ast::Expr& e, int level);
  static std::string quote(std::string_view value);
  static std::string citation(const ast::Citation& c);

  std::string take() { return std::move(out_); }

 private:
  // One clause of a declaration: printed in source order, each on its own line.
  struct Clause {
    Span span;
    std::function<void()> print;
  };
  void declaration(const ast::Declaration& d, std::uint32_t limit);
  void enum_decl(const ast::EnumDecl& d, std::uint32_t limit);
  void fact_decl(const ast::FactDecl& d, std::uint32_t limit);
  void definition_decl(const ast::DefinitionDecl& d, std::uint32_t limit);
  void interpretation_decl(const ast::InterpretationDecl& d, std::uint32_t limit);
  void rule_decl(const ast::RuleDecl& d, std::uint32_t limit);
  void header_phrase(const std::optional<ast::Text>& phrase);
  void clauses(std::vector<Clause> list, std::uint32_t header_end, std::uint32_t limit);

  // Output.
  void write(std::string_view text) { out_ += text; }
  void begin_line(unsigned indent);  // a new line (unless at one) indented
  void blank_line();                 // ensure an empty line before what follows
  unsigned column() const;           // code points since the last newline
  bool fits(std::size_t length) const { return column() + length <= width_; }

  // Comments: each is printed once, in source order, on its own line or at
  // the end of the line of what it followed.
  void comments_before(std::uint32_t position, unsigned indent, bool keep_blank_lines = false);
  void trailing(std::uint32_t end, std::uint32_t limit);
  void rest_of_comments(unsigned indent);
  bool blank_between(std::uint32_t from, std::uint32_t to) const;

  // Text clauses (title, doc, note, oblige): adjacent strings, wrapped.
  void text_plus(const ast::Text& text);
  void block(const ast::Expr& e, unsigned indent);
  void chain(const ast::Expr& e, int level, unsigned indent);
  void set_literal(const ast::Expr& e, int level);
  void fill(std::string_view open, const std::vector<std::string>& items, std::string_view close);
  static std::string condition_tail(const ast::Condition& c);  // `"phrase" cite "..."`
  bool fits_one_line(const ast::Condition& c, unsigned indent) const;

  std::string_view source_;
  const std::vector<ast::Comment>& comments_;
  std::size_t next_comment_ = 0;
  std::uint32_t last_end_ = 0;  // source offset after the last thing printed at the top level
  unsigned width_;
  std::string out_;
};

int level_of(const ast::Expr& e);

}  // namespace proviso::format
