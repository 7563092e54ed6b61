// Unit tests of grammar/source and grammar/diagnostic: positions, rendering
// with carets, ordering and "did you mean".
#include <doctest/doctest.h>

#include "grammar/diagnostic.hpp"
#include "grammar/source.hpp"

using namespace proviso;

namespace {

Diagnostic error_at(SourceId source, Span span, std::string code = "E103") {
  Diagnostic d;
  d.code = std::move(code);
  d.source = source;
  d.span = span;
  d.message = "expected `permit` or `forbid` after the rule id";
  d.help = "write `rule ID permit`";
  return d;
}

}  // namespace

TEST_CASE("line_col counts lines from 1 and columns in code points") {
  const std::string text = "ab\ncite \"§ 6103\" x\n";
  CHECK(line_col(text, 0).line == 1);
  CHECK(line_col(text, 0).column == 1);
  CHECK(line_col(text, 3).line == 2);
  CHECK(line_col(text, 3).column == 1);
  const auto x = static_cast<std::uint32_t>(text.find(" x") + 1);
  CHECK(line_col(text, x).line == 2);
  CHECK(line_col(text, x).column == 15);  // "§" is two bytes but one column
  CHECK(line_col(text, 1000).line == 3);  // past the end: clamped
}

TEST_CASE("line_at returns the whole line without its newline") {
  const std::string text = "first\r\nsecond line\nlast";
  CHECK(line_at(text, 0) == "first");
  CHECK(line_at(text, 9) == "second line");
  CHECK(line_at(text, static_cast<std::uint32_t>(text.size())) == "last");
  CHECK(line_at("", 0).empty());
}

TEST_CASE("SourceMap hands out consecutive ids") {
  SourceMap sources;
  CHECK(sources.add("a.proviso", "x") == 0);
  CHECK(sources.add("b.proviso", "y") == 1);
  CHECK(sources.get(1).path == "b.proviso");
  CHECK(sources.contains(1));
  CHECK_FALSE(sources.contains(2));
}

TEST_CASE("render: header, source line, carets under the span, help") {
  SourceMap sources;
  std::string text;
  for (int i = 1; i < 12; ++i) text += "# line " + std::to_string(i) + "\n";
  text += "rule i2 permit\n";
  const SourceId id = sources.add("rules/a.proviso", text);
  const auto begin = static_cast<std::uint32_t>(text.find("permit"));
  const std::string out = render(error_at(id, Span{begin, begin + 6}), sources);
  CHECK(out ==
        "rules/a.proviso:12:9: error[E103]: expected `permit` or `forbid` after the rule id\n"
        "   12 | rule i2 permit\n"
        "      |         ^^^^^^\n"
        "   = help: write `rule ID permit`\n");
}

TEST_CASE("render: columns and carets count code points, so § does not shift them") {
  SourceMap sources;
  const std::string text = "cite \"§ 6103\" idd \"x\"\n";
  const SourceId id = sources.add("f.proviso", text);
  const auto begin = static_cast<std::uint32_t>(text.find("idd"));
  Diagnostic d = error_at(id, Span{begin, begin + 3});
  d.help.clear();
  CHECK(render(d, sources) ==
        "f.proviso:1:15: error[E103]: expected `permit` or `forbid` after the rule id\n"
        "    1 | cite \"§ 6103\" idd \"x\"\n"
        "      |               ^^^\n");
}

TEST_CASE("render: tabs stay tabs in the caret line, spans are clipped to the line, empty spans get one caret") {
  SourceMap sources;
  const std::string text = "\twhen x\nnext\n";
  const SourceId id = sources.add("t.proviso", text);
  Diagnostic d = error_at(id, Span{6, 12});  // from `x` into the next line
  d.help.clear();
  CHECK(render(d, sources).find("      | \t     ^\n") != std::string::npos);
  d.span = Span{1, 1};
  CHECK(render(d, sources).find("      | \t^\n") != std::string::npos);
}

TEST_CASE("render: a diagnostic without a source shows its location") {
  SourceMap sources;
  Diagnostic d;
  d.code = "E403";
  d.location = "request.json: $.request.signed_by";
  d.message = "expected a `signer_role`";
  d.help = "use one of `head_of_agency`, `field_officer`";
  CHECK(render(d, sources) ==
        "request.json: $.request.signed_by: error[E403]: expected a `signer_role`\n"
        "   = help: use one of `head_of_agency`, `field_officer`\n");
}

TEST_CASE("render_all: a blank line after each diagnostic, then a summary") {
  SourceMap sources;
  const SourceId id = sources.add("a.proviso", "rule x\n");
  Diagnostic warning = error_at(id, Span{0, 4}, "W201");
  warning.severity = Severity::warning;
  const Diagnostics all = {error_at(id, Span{5, 6}), error_at(id, Span{0, 4}), warning};
  const std::string out = render_all(all, sources);
  CHECK(out.find(render(all[0], sources) + "\n" + render(all[1], sources) + "\n") == 0);
  CHECK(out.size() >= std::string("2 errors, 1 warning\n").size());
  CHECK(out.substr(out.size() - 20) == "2 errors, 1 warning\n");
  CHECK(render_all({}, sources).empty());
  CHECK(render_all({all[0]}, sources).find("\n1 error\n") != std::string::npos);
}

TEST_CASE("counting and sorting diagnostics") {
  Diagnostics all = {error_at(1, Span{5, 6}, "E103"), error_at(0, Span{9, 9}, "E201"),
                     error_at(0, Span{2, 3}, "E108"), error_at(0, Span{2, 3}, "E103"),
                     error_at(kNoSource, Span{0, 0}, "E401")};
  all[1].severity = Severity::warning;
  CHECK(has_errors(all));
  CHECK(count(all, Severity::warning) == 1);
  CHECK(count(all, Severity::error) == 4);
  sort_diagnostics(all);
  CHECK(all[0].code == "E103");
  CHECK(all[0].source == 0);
  CHECK(all[1].code == "E108");
  CHECK(all[2].code == "E201");
  CHECK(all[3].source == 1);
  CHECK(all[4].source == kNoSource);
  CHECK_FALSE(has_errors({}));
}

TEST_CASE("closest_name suggests a near candidate, or nothing") {
  const std::vector<std::string> keywords = {"definition", "enum", "fact", "interpretation", "rule"};
  CHECK(closest_name("rulle", keywords) == "rule");
  CHECK(closest_name("facts", keywords) == "fact");
  CHECK(closest_name("defintion", keywords) == "definition");
  CHECK(closest_name("banana", keywords).empty());
  CHECK(closest_name("x", {}).empty());
  // Short names allow one edit.
  CHECK(closest_name("i3", {"i2", "i9"}) == "i2");  // tie: alphabetical
  CHECK(closest_name("ab", {"xy"}).empty());
  CHECK(closest_name("request.signed", {"request.signed_by", "request.in_writing"}) == "request.signed_by");
}
