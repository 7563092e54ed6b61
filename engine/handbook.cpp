#include "handbook.hpp"

#include <functional>
#include <sstream>

#include "explain.hpp"

namespace proviso {
namespace {

// A tiny document model, rendered as Markdown and as HTML.
struct Span {
  std::string text;
  std::string href;  // without extension; "" for plain text
  std::string anchor;
};
using Line = std::vector<Span>;
struct Block {
  enum Kind { h1, h2, h3, p, li } kind = p;
  int depth = 0;
  Line line;
  std::string id;  // an anchor for headings
};
using Page = std::vector<Block>;

Line text(std::string s) { return {Span{std::move(s), "", ""}}; }

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Relative link from a page in folder `from_dir` ("" or "rules/") to `href`.
std::string relative(const std::string& from_dir, const std::string& href) {
  if (from_dir.empty()) return href;
  if (href.starts_with(from_dir)) return href.substr(from_dir.size());
  return "../" + href;
}

std::string render_md(const Page& page, const std::string& dir) {
  std::ostringstream out;
  for (const auto& b : page) {
    std::string line;
    for (const auto& s : b.line) {
      if (s.href.empty()) line += s.text;
      else line += "[" + s.text + "](" + relative(dir, s.href) + ".md" + (s.anchor.empty() ? "" : "#" + s.anchor) + ")";
    }
    switch (b.kind) {
      case Block::h1: out << "# " << line << "\n\n"; break;
      case Block::h2: out << "\n## " << line << "\n\n"; break;
      case Block::h3: out << "\n### " << line << "\n\n"; break;
      case Block::p: out << line << "\n\n"; break;
      case Block::li: out << std::string(2 * b.depth, ' ') << "- " << line << "\n"; break;
    }
  }
  auto s = out.str();
  while (s.size() > 1 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n') s.pop_back();
  return s;
}

std::string render_html(const Page& page, const std::string& dir, const std::string& title) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escape(title)
      << "</title>\n<style>body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
         "li{margin:.15rem 0}code{background:#f3f3f3}</style>\n</head>\n<body>\n";
  int open = -1;  // depth of the innermost open <ul>
  for (const auto& b : page) {
    if (b.kind != Block::li) {
      for (; open >= 0; --open) out << "</ul>\n";
    } else {
      for (; open < b.depth; ++open) out << "<ul>\n";
      for (; open > b.depth; --open) out << "</ul>\n";
    }
    std::string line;
    for (const auto& s : b.line) {
      if (s.href.empty()) line += html_escape(s.text);
      else line += "<a href=\"" + html_escape(relative(dir, s.href == "README" ? "index" : s.href)) + ".html" + (s.anchor.empty() ? "" : "#" + s.anchor) + "\">" + html_escape(s.text) + "</a>";
    }
    std::string id = b.id.empty() ? "" : " id=\"" + b.id + "\"";
    switch (b.kind) {
      case Block::h1: out << "<h1" << id << ">" << line << "</h1>\n"; break;
      case Block::h2: out << "<h2" << id << ">" << line << "</h2>\n"; break;
      case Block::h3: out << "<h3" << id << ">" << line << "</h3>\n"; break;
      case Block::p: out << "<p>" << line << "</p>\n"; break;
      case Block::li: out << "<li>" << line << "</li>\n"; break;
    }
  }
  for (; open >= 0; --open) out << "</ul>\n";
  out << "</body>\n</html>\n";
  return out.str();
}

std::string effect_name(const Rule& r) { return r.is_permit() ? "permit" : r.is_forbid() ? "forbid" : "limit"; }

Span rule_link(const Policy& policy, std::int32_t r) { return Span{rule_cite(policy, r), "rules/" + policy.rules[r].id, ""}; }

struct Builder {
  const Policy& policy;
  const std::vector<Scenario>& scenarios;
  std::vector<const CExpr*> expr_of;  // by condition index

  explicit Builder(const Policy& p, const std::vector<Scenario>& s) : policy(p), scenarios(s), expr_of(p.conditions.size(), nullptr) {
    std::function<void(const CExpr&)> walk = [&](const CExpr& e) {
      if (e.condition >= 0 && !expr_of[e.condition]) expr_of[e.condition] = &e;
      for (const auto& a : e.args) walk(a);
    };
    for (const auto& r : policy.rules)
      if (r.when) walk(*r.when);
    for (const auto& d : policy.definitions) walk(d.expr);
  }

  std::string block_words(std::int32_t c) const {
    const auto* e = expr_of[c];
    if (!e || policy.conditions[c].children.empty()) return "";
    if (e->op == CExpr::Op::and_) return "all of: ";
    if (e->op == CExpr::Op::or_) return "any of: ";
    if (e->op == CExpr::Op::not_) return "none of: ";
    return "";
  }

  void condition(Page& page, std::int32_t c, int depth) const {
    const auto& info = policy.conditions[c];
    Line line = text(block_words(c) + condition_text(policy, c));
    Citation cite = info.cite;
    if (cite.empty() && info.definition >= 0) cite = policy.definitions[info.definition].cite;
    if (cite.empty() && info.interpretation >= 0) cite = policy.interpretations[info.interpretation].cite;
    if (!cite.empty()) line.push_back(Span{" — " + cite.text, "", ""});
    if (info.interpretation >= 0)
      line.push_back(Span{" (a contested reading)", "interpretations", policy.interpretations[info.interpretation].name});
    page.push_back({Block::li, depth, line, ""});
    if (depth >= 5) return;
    std::vector<std::int32_t> parts = info.children;
    if (parts.empty() && info.definition >= 0) {
      auto means = policy.definitions[info.definition].condition;
      if (means >= 0 && means != c) parts = policy.conditions[means].children.empty() ? std::vector<std::int32_t>{means} : policy.conditions[means].children;
      if (parts.size() == 1 && condition_text(policy, parts[0]) == condition_text(policy, c)) parts.clear();
      if (means >= 0 && !policy.conditions[means].children.empty()) {
        auto words = block_words(means);
        if (!words.empty()) page.back().line.push_back(Span{", when " + words.substr(0, words.size() - 2), "", ""});
      }
    }
    for (auto p : parts) condition(page, p, depth + 1);
  }

  Page rule_page(std::int32_t r) const {
    const auto& rule = policy.rules[r];
    Page page;
    page.push_back({Block::h1, 0, text(rule_cite(policy, r) + (rule.title.empty() ? "" : " — " + rule.title)), ""});
    page.push_back({Block::p, 0, text("Rule `" + rule.id + "`, a " + effect_name(rule) + (rule.is_limit() ? " (it takes away the exceptions it names)." : ".")), ""});
    if (!rule.doc.empty()) page.push_back({Block::p, 0, text(rule.doc), ""});
    if (!rule.exception_to.empty()) {
      Line line = text("Exception to: ");
      for (std::size_t i = 0; i < rule.exception_to.size(); ++i) {
        if (i) line.push_back(Span{", ", "", ""});
        line.push_back(rule_link(policy, rule.exception_to[i]));
      }
      page.push_back({Block::p, 0, line, ""});
    }
    if (!rule.defeaters.empty()) {
      Line line = text("Limited by (exceptions to it): ");
      for (std::size_t i = 0; i < rule.defeaters.size(); ++i) {
        if (i) line.push_back(Span{", ", "", ""});
        line.push_back(rule_link(policy, rule.defeaters[i]));
      }
      page.push_back({Block::p, 0, line, ""});
    }
    page.push_back({Block::h2, 0, text("When it applies"), ""});
    if (rule.condition < 0) page.push_back({Block::p, 0, text("Always."), ""});
    else {
      if (rule.top_conditions.size() > 1) page.push_back({Block::p, 0, text("All of the following:"), ""});
      for (auto c : rule.top_conditions) condition(page, c, 0);
    }
    if (!rule.obligations.empty()) {
      page.push_back({Block::h2, 0, text("Obligations"), ""});
      for (const auto& o : rule.obligations)
        page.push_back({Block::li, 0, text(o.text + (o.cite.empty() ? "" : " — " + o.cite.text)), ""});
    }
    if (rule.condition >= 0 && !policy.conditions[rule.condition].interpretations.empty()) {
      page.push_back({Block::h2, 0, text("Contested readings"), ""});
      for (auto i : policy.conditions[rule.condition].interpretations) {
        const auto& interp = policy.interpretations[i];
        page.push_back({Block::li, 0, {Span{interp.name, "interpretations", interp.name},
                                       Span{": " + interp.phrase + " (default: " + (interp.default_value ? "yes" : "no") + ")", "", ""}}, ""});
      }
    }
    if (!rule.note.empty()) {
      page.push_back({Block::h2, 0, text("Drafting note"), ""});
      page.push_back({Block::p, 0, text(rule.note), ""});
    }
    Page cases;
    for (const auto& s : scenarios) {
      auto bound = bind_request(policy, s.request, s.name);
      if (!bound.facts) continue;
      auto d = decide(policy, *bound.facts);
      bool decides = std::find(d.authorities.begin(), d.authorities.end(), r) != d.authorities.end();
      bool fails = s.expect.contains("failing") && s.expect["failing"].value("rule", "") == rule.id;
      if (!decides && !fails) continue;
      cases.push_back({Block::li, 0, text(s.name + " — " + std::string(outcome_name(d.outcome)) + (fails ? " (it fails: " + s.expect["failing"].value("condition", "") + ")" : "")), ""});
    }
    if (!cases.empty()) {
      page.push_back({Block::h2, 0, text("Scenarios"), ""});
      page.insert(page.end(), cases.begin(), cases.end());
    }
    page.push_back({Block::p, 0, {Span{"Back to the index", "README", ""}}, ""});
    return page;
  }

  // Permits that may apply when only `fact` is known to be each of its values.
  void index_by(Page& page, const std::string& path, const std::string& heading) const {
    const auto* info = policy.find_fact(path);
    if (!info || info->type.kind != TypeKind::enumeration) return;
    page.push_back({Block::h2, 0, text(heading), path});
    const auto& e = policy.enums[info->type.enum_id];
    const auto slot = policy.fact_index.at(path);
    for (std::size_t v = 0; v < e.values.size(); ++v) {
      Facts facts = unknown_facts(policy);
      facts.values[slot].known = true;
      facts.values[slot].kind = TypeKind::enumeration;
      facts.values[slot].integer = static_cast<std::int64_t>(v);
      Line line = text((v < e.value_descriptions.size() && !e.value_descriptions[v].empty() ? e.value_descriptions[v] : e.values[v]) + ": ");
      bool any = false;
      for (std::size_t r = 0; r < policy.rules.size(); ++r) {
        const auto& rule = policy.rules[r];
        if (!rule.is_permit() || !rule.when) continue;
        if (evaluate_expression(policy, facts, *rule.when).truth() == Tri::false_) continue;
        if (any) line.push_back(Span{", ", "", ""});
        line.push_back(rule_link(policy, static_cast<std::int32_t>(r)));
        any = true;
      }
      if (!any) line.push_back(Span{"no exception", "", ""});
      page.push_back({Block::li, 0, line, ""});
    }
  }

  Page index_page() const {
    Page page;
    page.push_back({Block::h1, 0, text("Handbook: " + (policy.title.empty() ? policy.name : policy.title)), ""});
    page.push_back({Block::p, 0, text("Generated by `proviso handbook` from the rule set " + policy.name +
                                      (policy.version.empty() ? "" : " " + policy.version) +
                                      " and its scenarios; do not edit by hand. Each page gives a provision's conditions in plain English,"
                                      " what it is an exception to, what limits it, its contested readings and its scenarios."), ""});
    page.push_back({Block::h2, 0, text("Provisions"), "provisions"});
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      page.push_back({Block::li, 0, {rule_link(policy, static_cast<std::int32_t>(r)),
                                     Span{" (" + effect_name(rule) + ")" + (rule.title.empty() ? "" : ": " + rule.title), "", ""}}, ""});
    }
    index_by(page, "recipient.kind", "By recipient: who may receive it, and under which exceptions");
    index_by(page, "disclosure.purpose", "By purpose: for what, and under which exceptions");
    page.push_back({Block::h2, 0, text("Contested readings"), "readings"});
    page.push_back({Block::p, 0, {Span{"Every interpretation, its default and the rules that read it", "interpretations", ""}}, ""});
    return page;
  }

  Page interpretations_page() const {
    Page page;
    page.push_back({Block::h1, 0, text("Contested readings"), ""});
    page.push_back({Block::p, 0, text("A request may set any of these (\"interpretations\": {NAME: true|false}); a decision says which it relied on and what the other reading gives."), ""});
    for (std::size_t i = 0; i < policy.interpretations.size(); ++i) {
      const auto& interp = policy.interpretations[i];
      page.push_back({Block::h2, 0, text(interp.name), interp.name});
      page.push_back({Block::p, 0, text(interp.phrase + (interp.cite.empty() ? "" : " — " + interp.cite.text) + ". Default: " +
                                        (interp.default_value ? "yes." : "no.")), ""});
      if (!interp.doc.empty()) page.push_back({Block::p, 0, text(interp.doc), ""});
      Line line = text("Read by: ");
      bool any = false;
      for (std::size_t r = 0; r < policy.rules.size(); ++r) {
        const auto& rule = policy.rules[r];
        if (rule.condition < 0) continue;
        const auto& read = policy.conditions[rule.condition].interpretations;
        if (std::find(read.begin(), read.end(), static_cast<std::int32_t>(i)) == read.end()) continue;
        if (any) line.push_back(Span{", ", "", ""});
        line.push_back(rule_link(policy, static_cast<std::int32_t>(r)));
        any = true;
      }
      if (any) page.push_back({Block::p, 0, line, ""});
    }
    page.push_back({Block::p, 0, {Span{"Back to the index", "README", ""}}, ""});
    return page;
  }
};

}  // namespace

std::string handbook_page(const Policy& policy, std::int32_t rule, bool html) {
  return "rules/" + policy.rules[rule].id + (html ? ".html" : ".md");
}

HandbookFiles generate_handbook(const Policy& policy, const std::vector<Scenario>& scenarios) {
  Builder b(policy, scenarios);
  HandbookFiles files;
  auto add = [&](const std::string& name, const std::string& dir, const Page& page, const std::string& title) {
    files[name + ".md"] = render_md(page, dir);
    files[(name == "README" ? std::string("index") : name) + ".html"] = render_html(page, dir, title);
  };
  add("README", "", b.index_page(), "Handbook: " + policy.name);
  add("interpretations", "", b.interpretations_page(), "Contested readings");
  for (std::size_t r = 0; r < policy.rules.size(); ++r)
    add("rules/" + policy.rules[r].id, "rules/", b.rule_page(static_cast<std::int32_t>(r)), rule_cite(policy, static_cast<std::int32_t>(r)));
  return files;
}

}  // namespace proviso
