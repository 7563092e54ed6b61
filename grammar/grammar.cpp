// parse_rule_file: checks the text, then parses it one declaration at a time
// with the X3 grammar, recovering at the next declaration keyword after a
// syntax error. The only translation unit that instantiates the grammar.
#include <limits>
#include <new>

#include "grammar_def.hpp"
#include "parser.hpp"

namespace proviso {

namespace {

using grammar::ParseState;

// Clause keywords of each declaration, for "did you mean" after one ends.
const std::vector<std::string>& clause_keywords(std::string_view declaration) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> fact = {"fixed"};
  static const std::vector<std::string> definition = {"cite", "doc", "means", "note"};
  static const std::vector<std::string> interpretation = {"cite", "default", "doc", "note"};
  static const std::vector<std::string> rule = {"cite", "doc", "exception", "note", "oblige", "title", "when"};
  if (declaration == "fact") return fact;
  if (declaration == "definition") return definition;
  if (declaration == "interpretation") return interpretation;
  if (declaration == "rule") return rule;
  return none;
}

std::string declaration_label(const ast::Declaration& declaration) {
  struct Visitor {
    std::string operator()(const ast::EnumDecl& d) const { return "enum `" + d.name.value + "`"; }
    std::string operator()(const ast::FactDecl& d) const { return "fact `" + d.path.value + "`"; }
    std::string operator()(const ast::DefinitionDecl& d) const { return "definition `" + d.name.value + "`"; }
    std::string operator()(const ast::InterpretationDecl& d) const { return "interpretation `" + d.name.value + "`"; }
    std::string operator()(const ast::RuleDecl& d) const { return "rule `" + d.id.value + "`"; }
  };
  return std::visit(Visitor{}, declaration);
}

class Driver {
 public:
  Driver(std::string_view text, SourceId source, const ParseLimits& limits) : text_(text) {
    state_.text = text;
    state_.source = source;
    state_.limits = limits;
  }

  ParseResult run() {
    if (!check_input()) return finish(false);
    const char* it = text_.data();
    const char* end = text_.data() + text_.size();
    // A byte order mark some editors write; it is not part of the syntax.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") it += 3;
    while (!stopped_) {
      it = lexical::skip_blank(it, end);
      if (it == end) break;
      const std::string_view word(it, lexical::ident_length(it, end));
      if (lexical::is_declaration_keyword(word) && lexical::starts_with_word(it, end, word)) {
        parse_declaration(word, it);
      } else {
        unexpected(it);
        it = text_.data() + lexical::next_declaration(text_, state_.offset(it));
      }
    }
    return finish(true);
  }

 private:
  void add(Diagnostic d) {
    if (stopped_) return;
    if (result_.diagnostics.size() >= state_.limits.max_diagnostics) {
      stopped_ = true;
      d.code = "E107";
      d.message = "too many errors; stopping after " + std::to_string(state_.limits.max_diagnostics);
      d.help = "fix the errors above and run again";
    }
    result_.diagnostics.push_back(std::move(d));
  }

  bool check_input() {
    const std::size_t limit = std::min<std::size_t>(state_.limits.max_file_bytes, std::numeric_limits<std::uint32_t>::max() - 1);
    if (text_.size() > limit) {
      add(grammar::make_error(state_, "E105", Span{0, 0},
                              "file is " + std::to_string(text_.size()) + " bytes, more than the limit of " +
                                  std::to_string(state_.limits.max_file_bytes),
                              "split the rules into several files"));
      return false;
    }
    bool ok = true;
    if (auto bad = lexical::first_invalid_utf8(text_)) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(text_[*bad])));
      const auto at = static_cast<std::uint32_t>(*bad);
      add(grammar::make_error(state_, "E101", Span{at, at + 1},
                              std::string("file is not valid UTF-8: unexpected byte ") + byte, "save the file as UTF-8"));
      ok = false;
    }
    if (const std::size_t nul = text_.find('\0'); nul != std::string_view::npos) {
      const auto at = static_cast<std::uint32_t>(nul);
      add(grammar::make_error(state_, "E102", Span{at, at + 1}, "file contains a NUL byte",
                              "rule files are plain text; remove the NUL byte"));
      ok = false;
    }
    return ok;
  }

  void parse_declaration(std::string_view keyword, const char*& it) {
    if (keyword == "enum") parse_one<ast::EnumDecl>(grammar::enum_decl, it);
    else if (keyword == "fact") parse_one<ast::FactDecl>(grammar::fact_decl, it);
    else if (keyword == "definition") parse_one<ast::DefinitionDecl>(grammar::definition_decl, it);
    else if (keyword == "interpretation") parse_one<ast::InterpretationDecl>(grammar::interpretation_decl, it);
    else parse_one<ast::RuleDecl>(grammar::rule_decl, it);
  }

  template <typename Decl, typename Rule>
  void parse_one(const Rule& rule, const char*& it) {
    namespace x3 = boost::spirit::x3;
    const char* start = it;
    const char* end = text_.data() + text_.size();
    state_.depth = 0;
    state_.pending.clear();
    previous_.clear();
    std::optional<Diagnostic> failure;
    try {
      Decl decl;
      if (x3::phrase_parse(it, end, x3::with<grammar::state_tag>(state_)[rule], grammar::skipper, decl)) {
        ast::Declaration declaration = std::move(decl);
        grammar::clear_heights(declaration);
        previous_ = std::string(start, lexical::ident_length(start, end));
        previous_label_ = declaration_label(declaration);
        result_.file.declarations.push_back(std::move(declaration));
      } else {
        failure = grammar::make_error(state_, "E103", state_.span(start, start),
                                      "internal error: the declaration did not start here", "");
      }
    } catch (const grammar::SyntaxError& error) {
      failure = error.diagnostic;
    } catch (const x3::expectation_failure<const char*>& error) {
      const lexical::Found found = lexical::found_at(text_, state_.offset(error.where()));
      failure = grammar::make_error(state_, "E103", found.span,
                                    "expected " + error.which() + ", found " + found.description, "");
    }
    for (Diagnostic& d : state_.pending) add(std::move(d));
    state_.pending.clear();
    if (failure) {
      add(std::move(*failure));
      it = text_.data() + lexical::next_declaration(text_, state_.offset(start));
    }
  }

  // Text where a declaration should start: E112, with "did you mean".
  void unexpected(const char* at) {
    const lexical::Found found = lexical::found_at(text_, state_.offset(at));
    std::vector<std::string> candidates = lexical::declaration_keywords();
    const auto& clauses = clause_keywords(previous_);
    candidates.insert(candidates.end(), clauses.begin(), clauses.end());
    const std::string suggestion = found.word.empty() ? std::string() : closest_name(found.word, candidates);
    std::string message = clauses.empty() || previous_ == "fact"
                              ? "expected a declaration (`enum`, `fact`, `definition`, `interpretation` or `rule`)"
                              : "expected a clause of " + previous_label_ + " or a new declaration";
    std::string help = suggestion.empty()
                           ? "every declaration starts with `enum`, `fact`, `definition`, `interpretation` or `rule`"
                           : "did you mean `" + suggestion + "`?";
    add(grammar::make_error(state_, "E112", found.span, message + ", found " + found.description, help));
    previous_.clear();
  }

  ParseResult finish(bool parsed) {
    if (parsed) result_.file.comments = lexical::collect_comments(text_);
    sort_diagnostics(result_.diagnostics);
    return std::move(result_);
  }

  std::string_view text_;
  ParseState state_;
  ParseResult result_;
  bool stopped_ = false;
  std::string previous_;        // keyword of the declaration that just ended, if it parsed
  std::string previous_label_;  // "rule `i2`"
};

ParseResult internal_failure(SourceId source, std::string message) {
  ParseResult result;
  Diagnostic d;
  d.code = "E103";
  d.source = source;
  d.message = std::move(message);
  d.help = "this is a bug in proviso or the input is too large for this machine; please report it";
  result.diagnostics.push_back(std::move(d));
  return result;
}

}  // namespace

ParseResult parse_rule_file(std::string_view text, SourceId source, const ParseLimits& limits) {
  try {
    return Driver(text, source, limits).run();
  } catch (const std::bad_alloc&) {
    return internal_failure(source, "the parser ran out of memory");
  } catch (const std::exception& e) {
    return internal_failure(source, std::string("internal parser error: ") + e.what());
  } catch (...) {
    return internal_failure(source, "internal parser error");
  }
}

}  // namespace proviso
