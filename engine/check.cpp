#include "check.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

#include "check_expr.hpp"
#include "check_graph.hpp"

namespace proviso {
namespace {

std::string section_base(const std::string& citation) {
  auto paren = citation.find('(');
  std::string base = citation.substr(0, paren);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  return base;
}

class Checker {
 public:
  Checker(const std::vector<RuleFile>& files, Policy& policy, std::set<std::string, std::less<>> broken_names)
      : files_(files), policy_(policy), broken_names_(std::move(broken_names)) {}

  Diagnostics run() {
    for (const auto& f : files_) declare_types(f);
    for (const auto& f : files_) declare_facts(f);
    check_fact_paths();
    for (const auto& f : files_) declare_names(f);
    for (const auto& f : files_) compile_bodies(f);
    if (!has_errors(diagnostics_)) {
      check_definition_graph(policy_, diagnostics_);
      check_exception_graph(policy_, diagnostics_);
    }
    if (!has_errors(diagnostics_)) {
      link_conditions();
      warn_unused();
    }
    if (policy_.rules.empty() && !has_errors(diagnostics_)) {
      Diagnostic d;
      d.code = "E218";
      d.message = "the rule set declares no rules";
      d.help = "add at least the general rule, e.g. `rule general_rule forbid cite \"...\"`";
      d.location = policy_.name.empty() ? "rule set" : policy_.name;
      diagnostics_.push_back(d);
    }
    sort_diagnostics(diagnostics_);
    return std::move(diagnostics_);
  }

 private:
  void error(SourceId source, Span span, std::string code, std::string message, std::string help = {},
             Severity severity = Severity::error) {
    Diagnostic d;
    d.code = std::move(code);
    d.severity = severity;
    d.source = source;
    d.span = span;
    d.message = std::move(message);
    d.help = std::move(help);
    diagnostics_.push_back(std::move(d));
  }

  // A name is declared once across kinds: a bare name in a condition must mean one thing.
  bool claim_name(SourceId source, const ast::Name& name, std::string_view kind) {
    auto [it, inserted] = names_.try_emplace(name.value, NameOwner{std::string(kind), source, name.span});
    if (inserted) return true;
    const auto& prior = it->second;
    auto where = policy_.sources.get(prior.source).path + ":" +
                 std::to_string(line_col(policy_.sources.get(prior.source).text, prior.span.begin).line);
    error(source, name.span, prior.kind == kind ? "E208" : "E210",
          prior.kind == kind ? std::string(kind) + " `" + name.value + "` is declared twice"
                             : "`" + name.value + "` is already declared as a " + prior.kind,
          "the first declaration is at " + where + "; rename one of them");
    return false;
  }

  void declare_types(const RuleFile& f) {
    for (const auto& decl : f.file.declarations) {
      const auto* e = std::get_if<ast::EnumDecl>(&decl);
      if (!e || !claim_name(f.source, e->name, "enum")) continue;
      EnumType type;
      type.name = e->name.value;
      type.description = e->description ? e->description->value : "";
      type.source = f.source;
      type.span = e->name.span;
      for (const auto& v : e->values) {
        if (type.index_of(v.name.value) >= 0) {
          error(f.source, v.name.span, "E209", "value `" + v.name.value + "` appears twice in enum `" + type.name + "`",
                "remove the second one");
          continue;
        }
        type.values.push_back(v.name.value);
        type.value_descriptions.push_back(v.description ? v.description->value : "");
      }
      if (type.values.empty())
        error(f.source, e->name.span, "E209", "enum `" + type.name + "` has no values", "list its values between the braces");
      policy_.enum_index[type.name] = static_cast<std::int32_t>(policy_.enums.size());
      policy_.enums.push_back(std::move(type));
    }
  }

  std::optional<Type> resolve_type(SourceId source, const ast::TypeRef& ref) {
    static const std::map<std::string, TypeKind, std::less<>> builtin = {
        {"bool", TypeKind::boolean}, {"integer", TypeKind::integer}, {"decimal", TypeKind::decimal},
        {"date", TypeKind::date}, {"string", TypeKind::string}};
    if (auto it = builtin.find(ref.name); it != builtin.end()) {
      if (ref.is_set) {
        error(source, ref.span, "E211", "`set of " + ref.name + "` is not supported: sets hold enum values",
              "declare an enum and use `set of` that enum");
        return std::nullopt;
      }
      return Type{it->second, -1};
    }
    auto it = policy_.enum_index.find(ref.name);
    if (it == policy_.enum_index.end()) {
      std::vector<std::string> candidates = {"bool", "integer", "decimal", "date", "string"};
      for (const auto& e : policy_.enums) candidates.push_back(e.name);
      auto near = closest_name(ref.name, candidates);
      error(source, ref.span, "E205", "unknown type `" + ref.name + "`",
            near.empty() ? "use bool, integer, decimal, date, string, an enum, or `set of` an enum"
                         : "did you mean `" + near + "`?");
      return std::nullopt;
    }
    if (ref.is_set && policy_.enums[it->second].values.size() > 64) {
      error(source, ref.span, "E212", "enum `" + ref.name + "` has more than 64 values and cannot be used in a set",
            "split the enum");
      return std::nullopt;
    }
    return Type{ref.is_set ? TypeKind::set : TypeKind::enumeration, it->second};
  }

  void declare_facts(const RuleFile& f) {
    for (const auto& decl : f.file.declarations) {
      const auto* fact = std::get_if<ast::FactDecl>(&decl);
      if (!fact) continue;
      auto type = resolve_type(f.source, fact->type);
      if (!type) broken_names_.insert(fact->path.value);
      if (policy_.fact_index.contains(fact->path.value)) {
        const auto& prior = policy_.facts[policy_.fact_index[fact->path.value]];
        error(f.source, fact->path.span, "E208", "fact `" + fact->path.value + "` is declared twice",
              "the first declaration is at " + policy_.sources.get(prior.source).path + ":" +
                  std::to_string(line_col(policy_.sources.get(prior.source).text, prior.span.begin).line));
        continue;
      }
      if (fact->path.value.find('.') == std::string::npos && !claim_name(f.source, fact->path, "fact")) continue;
      if (!type) continue;
      if (!fact->description || fact->description->value.empty())
        error(f.source, fact->path.span, "W205", "fact `" + fact->path.value + "` has no description",
              "add a description after the type: explanations and questions are made from it", Severity::warning);
      FactInfo info;
      info.path = fact->path.value;
      info.type = *type;
      info.description = fact->description ? fact->description->value : "";
      info.fixed = fact->fixed;
      info.source = f.source;
      info.span = fact->path.span;
      policy_.fact_index[info.path] = static_cast<std::int32_t>(policy_.facts.size());
      policy_.facts.push_back(std::move(info));
    }
  }

  // A request's nested keys are fact paths, so no fact may be a prefix of another.
  void check_fact_paths() {
    for (const auto& fact : policy_.facts) {
      if (fact.path == "interpretations" || fact.path.starts_with("interpretations.")) {
        error(fact.source, fact.span, "E213", "fact paths cannot start with `interpretations`",
              "the request key `interpretations` sets interpretations; choose another name");
        continue;
      }
      auto it = policy_.fact_index.lower_bound(fact.path + ".");
      if (it != policy_.fact_index.end() && it->first.starts_with(fact.path + ".")) {
        const auto& longer = policy_.facts[it->second];
        error(longer.source, longer.span, "E213",
              "fact `" + longer.path + "` lies inside fact `" + fact.path + "`",
              "a request cannot give `" + fact.path + "` both a value and nested facts; rename one of them");
      }
    }
  }

  void declare_names(const RuleFile& f) {
    for (const auto& decl : f.file.declarations) {
      if (const auto* d = std::get_if<ast::DefinitionDecl>(&decl)) {
        if (!claim_name(f.source, d->name, "definition")) continue;
        Definition def;
        def.name = d->name.value;
        def.phrase = d->phrase ? d->phrase->value : "";
        def.doc = d->doc ? d->doc->value : "";
        def.note = d->note ? d->note->value : "";
        def.source = f.source;
        def.span = d->name.span;
        policy_.definition_index[def.name] = static_cast<std::int32_t>(policy_.definitions.size());
        policy_.definitions.push_back(std::move(def));
        definition_decls_.push_back({f.source, d});
      } else if (const auto* i = std::get_if<ast::InterpretationDecl>(&decl)) {
        if (!claim_name(f.source, i->name, "interpretation")) continue;
        Interpretation interp;
        interp.name = i->name.value;
        interp.phrase = i->phrase ? i->phrase->value : "";
        interp.doc = i->doc ? i->doc->value : "";
        interp.note = i->note ? i->note->value : "";
        interp.source = f.source;
        interp.span = i->name.span;
        if (!i->default_value)
          error(f.source, i->name.span, "E216", "interpretation `" + interp.name + "` has no default",
                "add `default true` or `default false`: the reading used when a request does not choose");
        interp.default_value = i->default_value.value_or(false);
        if (i->cite) interp.cite = ExprChecker(policy_, diagnostics_, f.source, "").resolve_citation(*i->cite);
        else
          error(f.source, i->name.span, "E304", "interpretation `" + interp.name + "` has no citation",
                "add `cite \"...\"` naming the provision whose reading is contested");
        if (interp.phrase.empty())
          error(f.source, i->name.span, "E217", "interpretation `" + interp.name + "` has no phrase",
                "state the reading in plain English after its name, in quotes");
        policy_.interpretation_index[interp.name] = static_cast<std::int32_t>(policy_.interpretations.size());
        policy_.interpretations.push_back(std::move(interp));
      } else if (const auto* r = std::get_if<ast::RuleDecl>(&decl)) {
        if (policy_.rule_index.contains(r->id.value)) {
          const auto& prior = policy_.rules[policy_.rule_index[r->id.value]];
          error(f.source, r->id.span, "E301", "rule `" + r->id.value + "` is declared twice",
                "the first is at " + policy_.sources.get(prior.source).path + ":" +
                    std::to_string(line_col(policy_.sources.get(prior.source).text, prior.span.begin).line) +
                    "; rule ids must be unique in a rule set");
          continue;
        }
        Rule rule;
        rule.id = r->id.value;
        rule.effect = r->effect;
        rule.title = r->title ? r->title->value : "";
        rule.doc = r->doc ? r->doc->value : "";
        rule.note = r->note ? r->note->value : "";
        rule.source = f.source;
        rule.span = r->id.span;
        policy_.rule_index[rule.id] = static_cast<std::int32_t>(policy_.rules.size());
        policy_.rules.push_back(std::move(rule));
        rule_decls_.push_back({f.source, r});
      }
    }
  }

  void compile_bodies(const RuleFile& f) {
    for (const auto& [source, d] : definition_decls_) {
      if (source != f.source) continue;
      auto& def = policy_.definitions[policy_.definition_index[d->name.value]];
      if (d->cite) def.cite = ExprChecker(policy_, diagnostics_, f.source, "").resolve_citation(*d->cite);
      else
        error(f.source, d->name.span, "E304", "definition `" + def.name + "` has no citation",
              "add `cite \"...\"` naming the provision that defines it");
      if (def.phrase.empty())
        error(f.source, d->name.span, "E217", "definition `" + def.name + "` has no phrase",
              "say in plain English what it means, in quotes after its name");
      if (!d->means) {
        error(f.source, d->name.span, "E214", "definition `" + def.name + "` has no `means` clause",
              "add `means <condition>`");
        continue;
      }
      ExprChecker checker(policy_, diagnostics_, f.source, section_base(def.cite.text), &broken_names_);
      if (auto compiled = checker.condition(*d->means)) {
        def.expr = std::move(*compiled);
        def.condition = def.expr.condition;
      }
      merge_usage(checker);
    }
    for (const auto& [source, r] : rule_decls_) {
      if (source != f.source) continue;
      auto& rule = policy_.rules[policy_.rule_index[r->id.value]];
      if (r->cite) rule.cite = ExprChecker(policy_, diagnostics_, source, "").resolve_citation(*r->cite);
      else
        error(source, r->id.span, "E304", "rule `" + rule.id + "` has no citation",
              "every rule cites its provision: add `cite \"26 U.S.C. § ...\"`");
      for (const auto& target : r->exception_to) {
        auto it = policy_.rule_index.find(target.value);
        if (it == policy_.rule_index.end() && broken_names_.contains(target.value)) continue;
        if (it == policy_.rule_index.end()) {
          std::vector<std::string> ids;
          for (const auto& [id, index] : policy_.rule_index) ids.push_back(id);
          auto near = closest_name(target.value, ids);
          error(source, target.span, "E302", "`exception to` names unknown rule `" + target.value + "`",
                near.empty() ? "name a rule declared in this rule set" : "did you mean `" + near + "`?");
          continue;
        }
        if (std::find(rule.exception_to.begin(), rule.exception_to.end(), it->second) == rule.exception_to.end())
          rule.exception_to.push_back(it->second);
      }
      ExprChecker checker(policy_, diagnostics_, source, section_base(rule.cite.text), &broken_names_);
      if (r->when) {
        if (auto compiled = checker.condition(*r->when)) {
          rule.condition = compiled->condition;
          rule.when = std::move(*compiled);
        }
      }
      if (rule.is_limit() && r->exception_to.empty())
        error(source, r->effect_span, "E307", "limit `" + rule.id + "` is an exception to nothing",
              "a limit only defeats the rules it names: add `exception to RULE`");
      for (const auto& o : r->obligations) {
        if (!rule.is_permit()) {
          error(source, o.span, "E306", "rule `" + rule.id + "` is not a permit, so it cannot carry obligations",
                "obligations attach to permits: move it to the permit it conditions");
          continue;
        }
        Obligation obligation;
        obligation.text = o.text.value;
        if (o.cite) obligation.cite = checker.resolve_citation(*o.cite);
        rule.obligations.push_back(std::move(obligation));
      }
      merge_usage(checker);
    }
  }

  void merge_usage(const ExprChecker& checker) {
    used_facts_.insert(checker.used_facts.begin(), checker.used_facts.end());
    used_definitions_.insert(checker.used_definitions.begin(), checker.used_definitions.end());
    used_interpretations_.insert(checker.used_interpretations.begin(), checker.used_interpretations.end());
  }

  // Fills each condition's nested conditions and the facts and interpretations it reads.
  void link_conditions() {
    std::vector<std::vector<std::int32_t>> definition_facts(policy_.definitions.size());
    std::vector<std::vector<std::int32_t>> definition_interps(policy_.definitions.size());
    std::vector<bool> done(policy_.definitions.size(), false);
    std::function<void(const CExpr&, std::vector<std::int32_t>&, std::vector<std::int32_t>&)> reads;
    auto unique = [](std::vector<std::int32_t>& v) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    std::function<void(std::int32_t)> resolve_definition = [&](std::int32_t d) {
      if (done[d]) return;
      done[d] = true;
      reads(policy_.definitions[d].expr, definition_facts[d], definition_interps[d]);
      // Deduplicated once resolved: a chain of definitions each using the one
      // below twice would otherwise double the list at every level.
      unique(definition_facts[d]);
      unique(definition_interps[d]);
    };
    reads = [&](const CExpr& e, std::vector<std::int32_t>& facts, std::vector<std::int32_t>& interps) {
      if (e.op == CExpr::Op::fact) facts.push_back(e.slot);
      if (e.op == CExpr::Op::interpretation) interps.push_back(e.slot);
      if (e.op == CExpr::Op::definition) {
        resolve_definition(e.slot);
        facts.insert(facts.end(), definition_facts[e.slot].begin(), definition_facts[e.slot].end());
        interps.insert(interps.end(), definition_interps[e.slot].begin(), definition_interps[e.slot].end());
      }
      for (const auto& a : e.args) reads(a, facts, interps);
    };
    std::function<void(const CExpr&, std::int32_t)> link = [&](const CExpr& e, std::int32_t parent) {
      std::int32_t owner = parent;
      if (e.condition >= 0) {
        auto& info = policy_.conditions[e.condition];
        reads(e, info.facts, info.interpretations);
        unique(info.facts);
        unique(info.interpretations);
        if (parent >= 0) policy_.conditions[parent].children.push_back(e.condition);
        owner = e.condition;
      }
      for (const auto& a : e.args) link(a, owner);
    };
    for (auto& def : policy_.definitions) link(def.expr, -1);
    for (auto& rule : policy_.rules) {
      if (!rule.when) continue;
      link(*rule.when, -1);
      const auto& top = policy_.conditions[rule.condition];
      bool is_all_of = rule.when->op == CExpr::Op::and_ && !top.children.empty() && top.phrase.empty();
      rule.top_conditions = is_all_of ? top.children : std::vector<std::int32_t>{rule.condition};
    }
  }

  void warn_unused() {
    for (std::size_t i = 0; i < policy_.facts.size(); ++i) {
      if (used_facts_.contains(static_cast<std::int32_t>(i))) continue;
      const auto& f = policy_.facts[i];
      error(f.source, f.span, "W201", "fact `" + f.path + "` is declared but no condition reads it",
            "use it in a rule or definition, or remove it", Severity::warning);
    }
    for (std::size_t i = 0; i < policy_.definitions.size(); ++i) {
      if (used_definitions_.contains(static_cast<std::int32_t>(i))) continue;
      const auto& d = policy_.definitions[i];
      error(d.source, d.span, "W202", "definition `" + d.name + "` is never used",
            "use it in a condition, or remove it", Severity::warning);
    }
    for (std::size_t i = 0; i < policy_.interpretations.size(); ++i) {
      if (used_interpretations_.contains(static_cast<std::int32_t>(i))) continue;
      const auto& d = policy_.interpretations[i];
      error(d.source, d.span, "W203", "interpretation `" + d.name + "` is never used",
            "use it in a condition, or remove it", Severity::warning);
    }
  }

  struct NameOwner {
    std::string kind;
    SourceId source;
    Span span;
  };

  const std::vector<RuleFile>& files_;
  Policy& policy_;
  Diagnostics diagnostics_;
  std::map<std::string, NameOwner, std::less<>> names_;
  std::vector<std::pair<SourceId, const ast::DefinitionDecl*>> definition_decls_;
  std::vector<std::pair<SourceId, const ast::RuleDecl*>> rule_decls_;
  std::set<std::int32_t> used_facts_, used_definitions_, used_interpretations_;
  std::set<std::string, std::less<>> broken_names_;
};

}  // namespace

std::string citation_slug(std::string_view text) {
  // "26 U.S.C. § 6103(i)(2)" -> "usc26-6103-i-2": the form rule authors write by hand.
  static const std::regex usc(R"(^\s*(\d+)\s+U\.?\s?S\.?\s?C\.?\s*(?:§+\s*)?(.*)$)");
  std::match_results<std::string_view::const_iterator> match;
  if (std::regex_match(text.begin(), text.end(), match, usc)) {
    auto rest = citation_slug(std::string_view(match[2].first, match[2].second));
    return "usc" + match[1].str() + (rest.empty() ? "" : "-" + rest);
  }
  std::string out;
  bool pending_dash = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // A dot inside an abbreviation ("U.S.C.") joins; between digits ("301.6103") it separates.
    const bool digit_dot = i > 0 && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                           std::isdigit(static_cast<unsigned char>(text[i + 1]));
    if (c == '.' && !digit_dot) continue;
    if (std::isalnum(c)) {
      if (pending_dash && !out.empty()) out += '-';
      pending_dash = false;
      out += static_cast<char>(std::tolower(c));
    } else {
      pending_dash = true;
    }
  }
  return out;
}

Diagnostics check_rule_set(const std::vector<RuleFile>& files, Policy& policy,
                           std::set<std::string, std::less<>> broken_names) {
  return Checker(files, policy, std::move(broken_names)).run();
}

std::set<std::string, std::less<>> declared_names_in_text(std::string_view text) {
  static const std::set<std::string_view> keywords = {"enum", "fact", "definition", "interpretation", "rule"};
  std::set<std::string, std::less<>> names;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    auto word = [&](std::size_t& at) {
      while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
      auto start = at;
      while (at < line.size() && (std::isalnum(static_cast<unsigned char>(line[at])) || line[at] == '_' || line[at] == '.')) ++at;
      return line.substr(start, at - start);
    };
    std::size_t at = 0;
    if (!keywords.contains(word(at))) continue;
    if (auto name = word(at); !name.empty()) names.emplace(name);
  }
  return names;
}

}  // namespace proviso
