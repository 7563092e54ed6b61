#include "lsp_server.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/analyze.hpp"
#include "engine/explain_rule.hpp"
#include "engine/load.hpp"

namespace proviso::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string path_of(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) return uri;
  std::string out;
  for (std::size_t i = 7; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      out += static_cast<char>(std::stoi(uri.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

std::string uri_of(const std::string& path) { return "file://" + path; }

// LSP positions are 0-based lines and characters; ours are 1-based.
json range_of(const Source& source, Span span) {
  auto a = line_col(source.text, span.begin), b = line_col(source.text, span.end);
  return {{"start", {{"line", a.line - 1}, {"character", a.column - 1}}},
          {"end", {{"line", b.line - 1}, {"character", b.column - 1}}}};
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

}  // namespace

std::vector<json> LspServer::handle(const json& message) {
  const auto method = message.value("method", "");
  const bool request = message.contains("id");
  const json params = message.value("params", json::object());
  auto reply = [&](json result) { return json{{"jsonrpc", "2.0"}, {"id", message["id"]}, {"result", std::move(result)}}; };
  if (method == "initialize") {
    return {reply({{"capabilities",
                    {{"textDocumentSync", 1},  // full text on every change
                     {"hoverProvider", true},
                     {"definitionProvider", true},
                     {"completionProvider", {{"triggerCharacters", json::array({"."})}}}}},
                   {"serverInfo", {{"name", "proviso"}, {"version", PROVISO_VERSION}}}})};
  }
  if (method == "textDocument/didOpen") {
    const auto& doc = params["textDocument"];
    documents_[doc["uri"]] = doc["text"];
    return {publish(doc["uri"])};
  }
  if (method == "textDocument/didChange") {
    const std::string uri = params["textDocument"]["uri"];
    for (const auto& change : params["contentChanges"]) documents_[uri] = change["text"];
    return {publish(uri)};
  }
  if (method == "textDocument/didClose") {
    documents_.erase(params["textDocument"]["uri"].get<std::string>());
    return {};
  }
  if (method == "textDocument/hover") return {reply(hover(params))};
  if (method == "textDocument/definition") return {reply(definition(params))};
  if (method == "textDocument/completion") return {reply(completion(params))};
  if (method == "shutdown") {
    shutdown_ = true;
    return {reply(nullptr)};
  }
  if (method == "exit") {
    exited_ = true;
    return {};
  }
  if (request)  // an unsupported request: MethodNotFound
    return {json{{"jsonrpc", "2.0"}, {"id", message["id"]}, {"error", {{"code", -32601}, {"message", "unsupported method " + method}}}}};
  return {};  // notifications we do not need (initialized, didSave, ...)
}

// Compiles the document's rule set (its folder's manifest and rule files, this
// document as the editor has it) and publishes the problems in this document.
json LspServer::publish(const std::string& uri) {
  const fs::path path = path_of(uri);
  const fs::path folder = path.parent_path();
  RuleSetFiles files;
  std::error_code ec;
  if (fs::exists(folder / "proviso.yaml", ec)) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const auto& p = entry.path();
      if (p.filename() == "proviso.yaml" || (p.extension() == ".proviso" && p != path))
        files.emplace_back(p.filename().string(), slurp(p));
    }
  }
  files.emplace_back(path.filename().string(), documents_[uri]);
  auto loaded = load_rule_set_from_texts(files, folder.string());
  json diagnostics = json::array();
  auto add = [&](const Diagnostic& d) {
    if (!loaded.sources.contains(d.source) || fs::path(loaded.sources.get(d.source).path) != path) return;
    diagnostics.push_back({{"range", range_of(loaded.sources.get(d.source), d.span)},
                           {"severity", d.severity == Severity::error ? 1 : d.severity == Severity::warning ? 2 : 3},
                           {"code", d.code},
                           {"source", "proviso"},
                           {"message", d.message + (d.help.empty() ? "" : "\nhelp: " + d.help)}});
  };
  for (const auto& d : loaded.diagnostics) add(d);
  if (loaded.policy) {
    policies_[folder.string()] = loaded.policy;
    for (const auto& f : analyze(*loaded.policy)) add(f.diagnostic);
  }
  return {{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", uri}, {"diagnostics", diagnostics}}}};
}

std::string LspServer::word_at(const std::string& uri, const json& position) const {
  auto it = documents_.find(uri);
  if (it == documents_.end()) return {};
  const auto& text = it->second;
  std::size_t offset = 0;
  for (int line = position.value("line", 0); line > 0 && offset < text.size(); --line) {
    auto nl = text.find('\n', offset);
    offset = nl == std::string::npos ? text.size() : nl + 1;
  }
  offset = std::min(text.size(), offset + static_cast<std::size_t>(position.value("character", 0)));
  std::size_t begin = offset, end = offset;
  while (begin > 0 && is_name_char(text[begin - 1])) --begin;
  while (end < text.size() && is_name_char(text[end])) ++end;
  std::string word = text.substr(begin, end - begin);
  while (!word.empty() && word.back() == '.') word.pop_back();
  return word;
}

json LspServer::hover(const json& params) {
  const std::string uri = params["textDocument"]["uri"];
  auto policy_it = policies_.find(fs::path(path_of(uri)).parent_path().string());
  if (policy_it == policies_.end()) return nullptr;
  const auto& policy = *policy_it->second;
  const auto word = word_at(uri, params["position"]);
  std::string text;
  if (const auto* fact = policy.find_fact(word)) {
    text = "**fact** `" + fact->path + "` : `" + policy.type_name(fact->type) + "`" + (fact->fixed ? " (fixed)" : "") + "\n\n" +
           fact->description;
  } else if (const auto* rule = policy.find_rule(word)) {
    text = "**rule** `" + rule->id + "` — " + rule->cite.text + (rule->title.empty() ? "" : "\n\n" + rule->title) + "\n\n" +
           rule_summary(policy, policy.rule_index.at(word));
  } else if (auto d = policy.definition_index.find(word); d != policy.definition_index.end()) {
    const auto& def = policy.definitions[d->second];
    text = "**definition** `" + def.name + "` — " + def.cite.text + "\n\n" + def.phrase;
  } else if (auto i = policy.interpretation_index.find(word); i != policy.interpretation_index.end()) {
    const auto& in = policy.interpretations[i->second];
    text = "**interpretation** `" + in.name + "` — " + in.cite.text + "\n\n" + in.phrase + "\n\ndefault: " +
           (in.default_value ? "true" : "false");
  } else if (auto e = policy.enum_index.find(word); e != policy.enum_index.end()) {
    text = "**enum** `" + word + "`\n\n" + policy.enums[e->second].description;
  } else {
    for (const auto& en : policy.enums)
      if (auto v = en.index_of(word); v >= 0) text = "**value** `" + word + "` of `" + en.name + "`\n\n" + en.value_descriptions[v];
  }
  if (text.empty()) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}};
}

json LspServer::definition(const json& params) {
  const std::string uri = params["textDocument"]["uri"];
  auto policy_it = policies_.find(fs::path(path_of(uri)).parent_path().string());
  if (policy_it == policies_.end()) return nullptr;
  const auto& policy = *policy_it->second;
  const auto word = word_at(uri, params["position"]);
  SourceId source = kNoSource;
  Span span;
  auto take = [&](SourceId s, Span sp) { source = s, span = sp; };
  if (const auto* fact = policy.find_fact(word)) take(fact->source, fact->span);
  else if (const auto* rule = policy.find_rule(word)) take(rule->source, rule->span);
  else if (auto d = policy.definition_index.find(word); d != policy.definition_index.end())
    take(policy.definitions[d->second].source, policy.definitions[d->second].span);
  else if (auto i = policy.interpretation_index.find(word); i != policy.interpretation_index.end())
    take(policy.interpretations[i->second].source, policy.interpretations[i->second].span);
  else if (auto e = policy.enum_index.find(word); e != policy.enum_index.end())
    take(policy.enums[e->second].source, policy.enums[e->second].span);
  if (!policy.sources.contains(source)) return nullptr;
  const auto& s = policy.sources.get(source);
  return {{"uri", uri_of(s.path)}, {"range", range_of(s, span)}};
}

json LspServer::completion(const json& params) {
  const std::string uri = params["textDocument"]["uri"];
  auto policy_it = policies_.find(fs::path(path_of(uri)).parent_path().string());
  json items = json::array();
  if (policy_it == policies_.end()) return items;
  const auto& policy = *policy_it->second;
  // LSP CompletionItemKind: 5 field, 20 enum member, 3 function, 6 variable, 13 enum, 9 module (rules).
  for (const auto& f : policy.facts)
    items.push_back({{"label", f.path}, {"kind", 5}, {"detail", policy.type_name(f.type)}, {"documentation", f.description}});
  for (const auto& e : policy.enums) {
    items.push_back({{"label", e.name}, {"kind", 13}, {"documentation", e.description}});
    for (std::size_t v = 0; v < e.values.size(); ++v)
      items.push_back({{"label", e.values[v]}, {"kind", 20}, {"detail", e.name}, {"documentation", e.value_descriptions[v]}});
  }
  for (const auto& d : policy.definitions) items.push_back({{"label", d.name}, {"kind", 3}, {"documentation", d.phrase}});
  for (const auto& i : policy.interpretations) items.push_back({{"label", i.name}, {"kind", 6}, {"documentation", i.phrase}});
  for (const auto& r : policy.rules) items.push_back({{"label", r.id}, {"kind", 9}, {"detail", r.cite.text}});
  return items;
}

}  // namespace proviso::cli
