// The formatter on a generated corpus: random valid rule files with random
// layout, comments, redundant parentheses and clause orders. Each must
// format to the same syntax tree and comments, and formatting twice must
// change nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <random>

#include "grammar/format.hpp"

using namespace proviso;

namespace {

class Generator {
 public:
  explicit Generator(unsigned seed) : random_(seed) {}

  std::string file() {
    out_.clear();
    const int declarations = pick(1, 8);
    for (int i = 0; i < declarations; ++i) {
      separator();
      switch (pick(0, 4)) {
        case 0: enum_decl(); break;
        case 1: fact_decl(); break;
        case 2: definition_decl(); break;
        case 3: interpretation_decl(); break;
        default: rule_decl(); break;
      }
    }
    if (chance(3)) out_ += "\n# the end";
    return out_;
  }

 private:
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  bool chance(int one_in) { return pick(1, one_in) == 1; }

  // Blanks between tokens: spaces, newlines, blank lines, tabs, comments.
  void separator() {
    static const char* const kSeparators[] = {" ", " ", " ", "  ", "\n", "\n    ", "\t", "\n\n", " # a comment\n",
                                              "\n# a comment line\n\n", " #\n", "   # trailing \" with a quote\n  "};
    out_ += kSeparators[pick(0, static_cast<int>(std::size(kSeparators)) - 1)];
  }
  void token(std::string_view t) {
    separator();
    out_ += t;
  }

  std::string name() {
    static const char* const kNames[] = {"a", "b", "c1", "request.in_writing", "order.date", "x.of", "holder.kind",
                                         "disclosure.items", "_private", "signed_by_head", "head_of_agency"};
    return kNames[pick(0, static_cast<int>(std::size(kNames)) - 1)];
  }
  std::string plain_name() { return std::string("n") + std::to_string(pick(0, 99)); }

  std::string string_literal() {
    static const char* const kPieces[] = {"the", "request", "§ 6103(i)(2)", "is", "  ", "\\\"quoted\\\"", "a\\\\b",
                                          "line\\nbreak", "ICE", "—", "(a)(3)", "é"};
    std::string s = "\"";
    const int words = pick(0, 12);
    for (int i = 0; i < words; ++i) s += std::string(i ? " " : "") + kPieces[pick(0, static_cast<int>(std::size(kPieces)) - 1)];
    return s + "\"";
  }

  void text_plus() {
    const int parts = pick(1, 3);
    for (int i = 0; i < parts; ++i) token(string_literal());
  }

  void citation() {
    token("cite");
    token(chance(2) ? "\"26 U.S.C. § 6103(a)\"" : "\"(i)(2)(B)\"");
    if (chance(4)) {
      token("id");
      token("\"usc26-6103-a\"");
    }
  }

  void atom(int depth) {
    switch (pick(0, depth > 2 ? 7 : 9)) {
      case 0: token(std::to_string(pick(0, 1000))); break;
      case 1: token(std::to_string(pick(0, 99)) + "." + std::to_string(pick(0, 99))); break;
      case 2: token("2024-0" + std::to_string(pick(1, 9)) + "-1" + std::to_string(pick(0, 9))); break;
      case 3: token(std::to_string(pick(1, 30)) + (chance(2) ? " days" : " month")); break;
      case 4: token(chance(2) ? "true" : "false"); break;
      case 5: token(string_literal()); break;
      case 6: {
        token("{");
        const int n = pick(0, 4);
        for (int i = 0; i < n; ++i) {
          if (i) token(",");
          token(plain_name());
        }
        token("}");
        break;
      }
      case 7: token(name()); break;
      case 8: {  // arithmetic
        atom(depth + 1);
        token(chance(2) ? "+" : "-");
        atom(depth + 1);
        break;
      }
      default: {
        token("-");
        atom(depth + 1);
        break;
      }
    }
  }

  void paren_atom(int depth) {
    if (chance(6)) {
      token("(");
      atom(depth + 1);
      token(")");
    } else {
      atom(depth);
    }
  }

  void expression(int depth) {
    const bool parens = chance(5);
    if (parens) token("(");
    switch (pick(0, depth > 3 ? 2 : 6)) {
      case 0: token(name()); break;
      case 1: {
        static const char* const kOps[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "subset of", "superset of", "intersects"};
        paren_atom(depth + 1);
        token(kOps[pick(0, static_cast<int>(std::size(kOps)) - 1)]);
        paren_atom(depth + 1);
        break;
      }
      case 2:
        paren_atom(depth + 1);
        token(chance(2) ? "is known" : "is unknown");
        break;
      case 3:
        token("not");
        expression(depth + 1);
        break;
      case 4:
      case 5:
        expression(depth + 1);
        token(chance(2) ? "and" : "or");
        expression(depth + 1);
        break;
      default: block(depth + 1); break;
    }
    if (parens) token(")");
  }

  void block(int depth) {
    static const char* const kBlocks[] = {"all of", "any of", "none of"};
    token(kBlocks[pick(0, 2)]);
    token("{");
    const int items = pick(1, 4);
    // A condition that may start with `-` or a string is kept apart from the
    // one before it by parentheses around it or a phrase after the one
    // before (`a -b` would read as a subtraction, `a "s" == b` as a phrase).
    std::vector<bool> parens(static_cast<std::size_t>(items) + 1, true);
    for (int i = 0; i < items; ++i) parens[i] = chance(2);
    for (int i = 0; i < items; ++i) {
      if (parens[i]) token("(");
      expression(depth + 1);
      if (parens[i]) token(")");
      if (!parens[i + 1] || chance(2)) token(string_literal());
      if (chance(3)) citation();
    }
    token("}");
  }

  void condition(int depth) {
    expression(depth);
    if (chance(2)) token(string_literal());
    if (chance(3)) citation();
  }

  void enum_decl() {
    token("enum");
    token(plain_name());
    if (chance(2)) token(string_literal());
    token("{");
    const int values = pick(0, 6);
    for (int i = 0; i < values; ++i) {
      token(plain_name());
      if (chance(2)) token(string_literal());
    }
    token("}");
  }

  void fact_decl() {
    token("fact");
    token(name());
    token(":");
    if (chance(3)) token("set of");
    token(chance(2) ? "bool" : plain_name());
    if (chance(4)) token(string_literal());
    if (chance(4)) token("fixed");
  }

  void definition_decl() {
    token("definition");
    token(plain_name());
    if (chance(4)) token(string_literal());
    clauses({[&] { citation(); }, [&] { token("means"); condition(0); }, [&] { token("doc"); text_plus(); },
             [&] { token("note"); text_plus(); }});
  }

  void interpretation_decl() {
    token("interpretation");
    token(plain_name());
    if (chance(4)) token(string_literal());
    clauses({[&] { citation(); }, [&] { token("default"); token(chance(2) ? "true" : "false"); },
             [&] { token("doc"); text_plus(); }, [&] { token("note"); text_plus(); }});
  }

  void rule_decl() {
    static const char* const kEffects[] = {"permit", "forbid", "limit"};
    token("rule");
    token(plain_name());
    token(kEffects[pick(0, 2)]);
    std::vector<std::function<void()>> list = {
        [&] { citation(); },
        [&] { token("title"); text_plus(); },
        [&] {
          token("exception to");
          const int n = pick(1, 12);
          for (int i = 0; i < n; ++i) {
            if (i) token(",");
            token(plain_name());
          }
        },
        [&] { token("when"); condition(0); },
        [&] { token("doc"); text_plus(); },
        [&] { token("note"); text_plus(); }};
    const int obligations = pick(0, 2);
    for (int i = 0; i < obligations; ++i)
      list.push_back([&] {
        token("oblige");
        text_plus();
        if (chance(2)) citation();
      });
    clauses(std::move(list));
  }

  // Clauses in a random order, some left out. A clause after one that ends
  // in a condition or an obligation must not be a bare `cite` (it would be
  // read as that condition's citation), so a citation goes first.
  void clauses(std::vector<std::function<void()>> list) {
    auto cite = list.front();
    list.erase(list.begin());
    std::shuffle(list.begin(), list.end(), random_);
    if (chance(4)) cite();
    for (auto& clause : list)
      if (!chance(3)) clause();
  }

  std::mt19937 random_;
  std::string out_;
};

}  // namespace

TEST_CASE("fmt: 1,200 generated rule files round-trip and are idempotent") {
  std::size_t formatted = 0, comments = 0;
  for (unsigned seed = 1; seed <= 1200; ++seed) {
    Generator generator(seed);
    const auto source = generator.file();
    auto parsed = parse_rule_file(source, 0);
    INFO("seed " << seed << ":\n" << source);
    REQUIRE_MESSAGE(!has_errors(parsed.diagnostics), render_all(parsed.diagnostics, SourceMap{}));
    auto once = format_text(source);  // throws if the syntax tree or the comments changed
    REQUIRE(once.text);
    auto twice = format_text(*once.text);
    REQUIRE(twice.text);
    CHECK(*twice.text == *once.text);
    comments += parsed.file.comments.size();
    ++formatted;
  }
  CHECK(formatted == 1200);
  CHECK(comments > 1000);
}

TEST_CASE("fmt: generated rule files round-trip at a narrow width, where everything wraps") {
  FormatOptions narrow;
  narrow.width = 30;
  for (unsigned seed = 5001; seed <= 5300; ++seed) {
    Generator generator(seed);
    const auto source = generator.file();
    INFO("seed " << seed << ":\n" << source);
    auto once = format_text(source, kNoSource, narrow);
    REQUIRE(once.text);
    auto twice = format_text(*once.text, kNoSource, narrow);
    REQUIRE(twice.text);
    CHECK(*twice.text == *once.text);
  }
}
