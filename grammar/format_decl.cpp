// The formatter's declarations and comments: one clause a line in the order
// written, comments where they were, blank lines between declarations kept.
#include <algorithm>
#include <stdexcept>

#include "format_printer.hpp"

namespace proviso::format {
namespace {

std::uint32_t begin_of(const ast::Declaration& d) {
  return std::visit([](const auto& x) { return x.span.begin; }, d);
}
std::uint32_t end_of(const ast::Declaration& d) {
  return std::visit([](const auto& x) { return x.span.end; }, d);
}

std::string_view rstrip(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::size_t width_of(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

const char* effect_text(ast::Effect effect) {
  switch (effect) {
    case ast::Effect::permit: return "permit";
    case ast::Effect::forbid: return "forbid";
    case ast::Effect::limit: return "limit";
  }
  return "forbid";
}

}  // namespace

void Printer::file(const ast::File& file) {
  const auto& decls = file.declarations;
  for (std::size_t i = 0; i < decls.size(); ++i) {
    const auto begin = begin_of(decls[i]);
    comments_before(begin, 0, true);
    if (!out_.empty() && blank_between(last_end_, begin)) blank_line();
    begin_line(0);
    declaration(decls[i], i + 1 < decls.size() ? begin_of(decls[i + 1]) : static_cast<std::uint32_t>(source_.size()));
    last_end_ = std::max(last_end_, end_of(decls[i]));
  }
  rest_of_comments(0);
  if (!out_.empty() && out_.back() != '\n') out_ += '\n';
}

void Printer::declaration(const ast::Declaration& d, std::uint32_t limit) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ast::EnumDecl>) enum_decl(x, limit);
        if constexpr (std::is_same_v<T, ast::FactDecl>) fact_decl(x, limit);
        if constexpr (std::is_same_v<T, ast::DefinitionDecl>) definition_decl(x, limit);
        if constexpr (std::is_same_v<T, ast::InterpretationDecl>) interpretation_decl(x, limit);
        if constexpr (std::is_same_v<T, ast::RuleDecl>) rule_decl(x, limit);
      },
      d);
}

void Printer::enum_decl(const ast::EnumDecl& d, std::uint32_t limit) {
  write("enum " + d.name.value);
  if (d.description) {
    write(" ");
    write(quote(d.description->value));
  }
  write(" {");
  trailing(d.description ? d.description->span.end : d.name.span.end, d.values.empty() ? d.span.end : d.values[0].span.begin);
  std::size_t name_width = 0;
  for (const auto& v : d.values) name_width = std::max(name_width, width_of(v.name.value));
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    const auto& v = d.values[i];
    comments_before(v.span.begin, 2);
    begin_line(2);
    write(v.name.value);
    if (v.description) {
      out_.append(name_width - width_of(v.name.value) + 1, ' ');
      write(quote(v.description->value));
    }
    trailing(v.span.end, i + 1 < d.values.size() ? d.values[i + 1].span.begin : d.span.end);
  }
  comments_before(d.span.end, 2);
  begin_line(0);
  write("}");
  trailing(d.span.end, limit);
}

void Printer::fact_decl(const ast::FactDecl& d, std::uint32_t limit) {
  write("fact " + d.path.value + " : " + (d.type.is_set ? "set of " : "") + d.type.name);
  std::string tail = d.description ? quote(d.description->value) : "";
  if (d.fixed) tail += tail.empty() ? "fixed" : " fixed";
  if (!tail.empty()) {
    if (fits(1 + width_of(tail))) {
      write(" " + tail);
    } else {
      begin_line(2);
      write(tail);
    }
  }
  trailing(d.span.end, limit);
}

void Printer::header_phrase(const std::optional<ast::Text>& phrase) {
  if (!phrase) return;
  const auto text = quote(phrase->value);
  if (fits(1 + width_of(text))) {
    write(" " + text);
  } else {
    begin_line(4);
    write(text);
  }
}

void Printer::definition_decl(const ast::DefinitionDecl& d, std::uint32_t limit) {
  write("definition " + d.name.value);
  header_phrase(d.phrase);
  std::vector<Clause> list;
  if (d.cite) list.push_back({d.cite->span, [this, &d] { write(citation(*d.cite)); }});
  if (d.means) list.push_back({d.means->span, [this, &d] { write("means "); condition(*d.means, 2); }});
  if (d.doc) list.push_back({d.doc->span, [this, &d] { write("doc "); text_plus(*d.doc); }});
  if (d.note) list.push_back({d.note->span, [this, &d] { write("note "); text_plus(*d.note); }});
  clauses(std::move(list), d.phrase ? d.phrase->span.end : d.name.span.end, limit);
}

void Printer::interpretation_decl(const ast::InterpretationDecl& d, std::uint32_t limit) {
  write("interpretation " + d.name.value);
  header_phrase(d.phrase);
  std::vector<Clause> list;
  if (d.cite) list.push_back({d.cite->span, [this, &d] { write(citation(*d.cite)); }});
  if (d.default_value)
    list.push_back({d.default_span, [this, &d] { write(*d.default_value ? "default true" : "default false"); }});
  if (d.doc) list.push_back({d.doc->span, [this, &d] { write("doc "); text_plus(*d.doc); }});
  if (d.note) list.push_back({d.note->span, [this, &d] { write("note "); text_plus(*d.note); }});
  clauses(std::move(list), d.phrase ? d.phrase->span.end : d.name.span.end, limit);
}

void Printer::rule_decl(const ast::RuleDecl& d, std::uint32_t limit) {
  write("rule " + d.id.value + " " + effect_text(d.effect));
  std::vector<Clause> list;
  if (d.cite) list.push_back({d.cite->span, [this, &d] { write(citation(*d.cite)); }});
  if (d.title) list.push_back({d.title->span, [this, &d] { write("title "); text_plus(*d.title); }});
  if (!d.exception_to.empty()) {
    const Span span{d.exception_to.front().span.begin, d.exception_to.back().span.end};
    list.push_back({span, [this, &d] {
                      std::vector<std::string> ids;
                      for (const auto& n : d.exception_to) ids.push_back(n.value);
                      fill("exception to ", ids, "");
                    }});
  }
  if (d.when) list.push_back({d.when->span, [this, &d] { write("when "); condition(*d.when, 2); }});
  for (const auto& o : d.obligations)
    list.push_back({o.span, [this, &o] {
                      write("oblige ");
                      text_plus(o.text);
                      if (o.cite) {
                        write(" ");
                        write(citation(*o.cite));
                      }
                    }});
  if (d.doc) list.push_back({d.doc->span, [this, &d] { write("doc "); text_plus(*d.doc); }});
  if (d.note) list.push_back({d.note->span, [this, &d] { write("note "); text_plus(*d.note); }});
  clauses(std::move(list), d.effect_span.end ? d.effect_span.end : d.id.span.end, limit);
}

void Printer::clauses(std::vector<Clause> list, std::uint32_t header_end, std::uint32_t limit) {
  std::stable_sort(list.begin(), list.end(), [](const Clause& a, const Clause& b) { return a.span.begin < b.span.begin; });
  trailing(header_end, list.empty() ? limit : list[0].span.begin);
  for (std::size_t i = 0; i < list.size(); ++i) {
    comments_before(list[i].span.begin, 2);
    begin_line(2);
    list[i].print();
    trailing(list[i].span.end, i + 1 < list.size() ? list[i + 1].span.begin : limit);
  }
}

// A long text is split at spaces into adjacent strings ("a" "b" reads "a b"),
// each continuation aligned under the first quote.
void Printer::text_plus(const ast::Text& text) {
  const auto& value = text.value;
  const unsigned align = column();
  const std::size_t room = width_ > align ? width_ - align : 1;
  if (width_of(quote(value)) <= room) return write(quote(value));
  std::size_t start = 0;
  bool first = true;
  while (start < value.size()) {
    // The last space that keeps the chunk within room; chunks are never empty.
    std::size_t cut = std::string::npos;
    for (std::size_t i = start + 1; i + 1 < value.size(); ++i) {
      if (value[i] != ' ') continue;
      if (cut != std::string::npos && width_of(quote(std::string_view(value).substr(start, i - start))) > room) break;
      cut = i;
    }
    if (cut != std::string::npos && width_of(quote(std::string_view(value).substr(start))) <= room) cut = std::string::npos;
    if (!first) begin_line(align);
    first = false;
    if (cut == std::string::npos) {
      write(quote(std::string_view(value).substr(start)));
      break;
    }
    write(quote(std::string_view(value).substr(start, cut - start)));
    start = cut + 1;
  }
}

void Printer::begin_line(unsigned indent) {
  if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  out_.append(indent, ' ');
}

void Printer::blank_line() {
  if (out_.empty()) return;
  if (out_.back() != '\n') out_ += '\n';
  if (out_.size() >= 2 && out_[out_.size() - 2] == '\n') return;
  out_ += '\n';
}

bool Printer::blank_between(std::uint32_t from, std::uint32_t to) const {
  if (from >= to || to > source_.size()) return false;
  std::size_t line_start = std::string_view::npos;
  for (std::size_t i = from; i < to; ++i) {
    const char c = source_[i];
    if (c == '\n') {
      if (line_start != std::string_view::npos) return true;  // a line with only blanks on it
      line_start = i;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      line_start = std::string_view::npos;
    }
  }
  return false;
}

void Printer::comments_before(std::uint32_t position, unsigned indent, bool keep_blank_lines) {
  while (next_comment_ < comments_.size() && comments_[next_comment_].span.begin < position) {
    const auto& c = comments_[next_comment_++];
    if (keep_blank_lines && blank_between(last_end_, c.span.begin)) blank_line();
    begin_line(indent);
    write("#");
    write(rstrip(c.text));
    last_end_ = std::max(last_end_, c.span.end);
  }
}

// A comment on the same source line as `end`, before `limit`, stays at the end of the line.
void Printer::trailing(std::uint32_t end, std::uint32_t limit) {
  if (next_comment_ >= comments_.size()) return;
  const auto& c = comments_[next_comment_];
  if (c.span.begin < end || c.span.begin >= limit) return;
  if (source_.substr(end, c.span.begin - end).find('\n') != std::string_view::npos) return;
  write("  #");
  write(rstrip(c.text));
  ++next_comment_;
  last_end_ = std::max(last_end_, c.span.end);
}

void Printer::rest_of_comments(unsigned indent) {
  comments_before(static_cast<std::uint32_t>(source_.size()) + 1, indent, true);
}

}  // namespace proviso::format

namespace proviso {

std::string format_file(const ast::File& file, std::string_view text, const FormatOptions& options) {
  format::Printer printer(text, file.comments, options);
  printer.file(file);
  return printer.take();
}

FormatResult format_text(std::string_view text, SourceId source, const FormatOptions& options) {
  FormatResult result;
  auto parsed = parse_rule_file(text, source);
  result.diagnostics = std::move(parsed.diagnostics);
  if (has_errors(result.diagnostics)) return result;
  auto formatted = format_file(parsed.file, text, options);
  // The safety net: the output must mean exactly what the input meant.
  auto again = parse_rule_file(formatted, source);
  std::string difference;
  if (has_errors(again.diagnostics) || !same_syntax(parsed.file, again.file, &difference))
    throw std::logic_error("the formatter changed the file's meaning: " +
                           (difference.empty() ? std::string("its output does not parse") : difference));
  result.text = std::move(formatted);
  return result;
}

}  // namespace proviso
