#include "load.hpp"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "check.hpp"
#include "yaml_guard.hpp"

namespace proviso::builtin {
const std::vector<std::pair<std::string_view, std::string_view>>& files();
}

namespace proviso {
namespace {

Diagnostic located(std::string code, std::string location, std::string message, std::string help) {
  Diagnostic d;
  d.code = std::move(code);
  d.location = std::move(location);
  d.message = std::move(message);
  d.help = std::move(help);
  return d;
}

struct Manifest {
  std::string name, version, jurisdiction, title, general_rule;
  std::vector<std::string> files;
  bool lists_files = false;
};

// proviso.yaml holds a few scalar fields and a list of file names.
constexpr std::size_t kMaxManifestBytes = 64 * 1024;
constexpr unsigned kMaxManifestDepth = 8;

// Reads proviso.yaml; problems point into its text.
bool read_manifest(SourceId source, const std::string& text, Manifest& out, Diagnostics& diagnostics) {
  auto at = [&](const YAML::Mark& mark) {
    Span span;
    span.begin = mark.pos < 0 ? 0 : static_cast<std::uint32_t>(mark.pos);
    span.end = span.begin + 1;
    return span;
  };
  auto problem = [&](const YAML::Mark& mark, std::string code, std::string message, std::string help) {
    Diagnostic d;
    d.code = std::move(code);
    d.source = source;
    d.span = at(mark);
    d.message = std::move(message);
    d.help = std::move(help);
    diagnostics.push_back(std::move(d));
  };
  // A manifest is a handful of fields; anything else is a mistake or hostile, and
  // yaml-cpp must not see it: it recurses once per level of nesting.
  if (text.size() > kMaxManifestBytes) {
    problem(YAML::Mark(), "E502", "the manifest is " + std::to_string(text.size()) + " bytes, more than the limit of " + std::to_string(kMaxManifestBytes),
            "a manifest holds a few fields such as `name:` and `files:`");
    return false;
  }
  if (auto nul = text.find('\0'); nul != std::string::npos) {
    YAML::Mark mark;
    mark.pos = static_cast<int>(nul);
    problem(mark, "E502", "the manifest contains a NUL byte", "save it as UTF-8 text");
    return false;
  }
  if (yaml_nesting_bound(text) > yaml_scan_limit(kMaxManifestDepth)) {
    problem(YAML::Mark(), "E502", "the manifest nests deeper than the limit of " + std::to_string(kMaxManifestDepth),
            "a manifest is a flat mapping; `files` is a list of names");
    return false;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    problem(e.mark, "E502", "the manifest is not valid YAML: " + e.msg, "check the indentation and quoting near here");
    return false;
  }
  if (!root.IsMap()) {
    problem(root.Mark(), "E502", "the manifest must be a mapping of fields such as `name:` and `general_rule:`",
            "see docs/language.md, section The manifest");
    return false;
  }
  static const std::vector<std::string> known = {"name", "version", "jurisdiction", "title", "general_rule", "files", "description"};
  bool ok = true;
  for (const auto& entry : root) {
    auto key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      auto near = closest_name(key, known);
      problem(entry.first.Mark(), "E503", "unknown manifest field `" + key + "`",
              near.empty() ? "fields are name, version, jurisdiction, title, general_rule, files" : "did you mean `" + near + "`?");
      ok = false;
      continue;
    }
    if (key == "files") {
      if (!entry.second.IsSequence()) {
        problem(entry.second.Mark(), "E503", "`files` must be a list of rule file names", "write `files: [vocabulary.proviso, ...]`");
        ok = false;
        continue;
      }
      out.lists_files = true;
      for (const auto& item : entry.second) {
        if (!item.IsScalar()) {
          problem(item.Mark(), "E503", "each entry of `files` must be a file name", "");
          ok = false;
          continue;
        }
        out.files.push_back(item.Scalar());
      }
      continue;
    }
    if (!entry.second.IsScalar()) {
      problem(entry.second.Mark(), "E503", "manifest field `" + key + "` must be a single value", "");
      ok = false;
      continue;
    }
    const auto& value = entry.second.Scalar();
    if (key == "name") out.name = value;
    else if (key == "version") out.version = value;
    else if (key == "jurisdiction") out.jurisdiction = value;
    else if (key == "title") out.title = value;
    else if (key == "general_rule") out.general_rule = value;
  }
  if (out.name.empty()) {
    problem(root.Mark(), "E503", "the manifest has no `name`", "add `name: my-rule-set`");
    ok = false;
  }
  return ok;
}

// "e7" < "e10": runs of digits compare as numbers, so ids sort as a reader counts.
bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      auto i0 = i, j0 = j;
      while (i < a.size() && digit(a[i])) ++i;
      while (j < b.size() && digit(b[j])) ++j;
      auto x = a.substr(i0, i - i0), y = b.substr(j0, j - j0);
      while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
      while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i, ++j;
  }
  return a.size() - i < b.size() - j;
}

std::string_view declared_name(const ast::Declaration& declaration) {
  return std::visit([](const auto& d) -> std::string_view {
    if constexpr (requires { d.id; }) return d.id.value;
    else if constexpr (requires { d.path; }) return d.path.value;
    else return d.name.value;
  }, declaration);
}

// Files by name and declarations by name, so that rule, fact and condition
// indices — and with them the evaluation order and the order of authorities,
// unknown facts and everything else a decision lists — do not depend on the
// order of `files:` in the manifest or of declarations in a file. Same rule set,
// same request: the same bytes (docs/security.md, Determinism).
void canonical_order(std::vector<RuleFile>& parsed, const SourceMap& sources) {
  std::stable_sort(parsed.begin(), parsed.end(), [&](const RuleFile& a, const RuleFile& b) {
    return natural_less(sources.get(a.source).path, sources.get(b.source).path);
  });
  for (auto& f : parsed)
    std::stable_sort(f.file.declarations.begin(), f.file.declarations.end(), [](const auto& a, const auto& b) {
      return natural_less(declared_name(a), declared_name(b));
    });
}

// Errors after which nothing in the file can be trusted: checking the rest would only cascade.
bool file_level_error(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
    return d.code == "E101" || d.code == "E102" || d.code == "E105" || d.code == "E107" || d.code.starts_with("E5");
  });
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

LoadResult load_rule_set_from_texts(const RuleSetFiles& files, const std::string& origin, const LoadOptions& options) {
  LoadResult result;
  auto policy = std::make_shared<Policy>();
  Manifest manifest;
  bool manifest_ok = true;
  const auto manifest_it = std::find_if(files.begin(), files.end(), [](const auto& f) {
    return std::filesystem::path(f.first).filename() == "proviso.yaml";
  });
  std::vector<const std::pair<std::string, std::string>*> chosen;
  auto display = [&](const std::string& name) { return origin.empty() ? name : origin + "/" + name; };
  if (manifest_it != files.end()) {
    auto id = policy->sources.add(display(manifest_it->first), manifest_it->second);
    manifest_ok = read_manifest(id, manifest_it->second, manifest, result.diagnostics);
  } else {
    manifest.name = std::filesystem::path(origin).stem().string();
  }
  if (manifest.lists_files) {
    for (const auto& name : manifest.files) {
      auto it = std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.first == name; });
      if (it == files.end()) {
        result.diagnostics.push_back(located("E504", display("proviso.yaml"), "the manifest lists `" + name + "`, which does not exist",
                                             "create the file or remove it from `files`"));
        continue;
      }
      chosen.push_back(&*it);
    }
  } else {
    for (const auto& f : files)
      if (f.first.ends_with(".proviso")) chosen.push_back(&f);
    std::sort(chosen.begin(), chosen.end(), [](auto* a, auto* b) { return a->first < b->first; });
  }
  if (chosen.empty() && manifest_ok)
    result.diagnostics.push_back(located("E506", origin, "no rule files (`*.proviso`) found", "add a rule file, or list them under `files` in proviso.yaml"));

  std::vector<RuleFile> parsed;
  std::string digest_input;
  if (manifest_it != files.end()) digest_input += manifest_it->first + '\0' + manifest_it->second + '\0';
  for (const auto* f : chosen) {
    auto id = policy->sources.add(display(f->first), f->second);
    auto parse = parse_rule_file(f->second, id, options.parse);
    result.diagnostics.insert(result.diagnostics.end(), parse.diagnostics.begin(), parse.diagnostics.end());
    parsed.push_back({id, std::move(parse.file)});
    digest_input += f->first + '\0' + f->second + '\0';
  }
  policy->name = manifest.name;
  policy->version = manifest.version;
  policy->jurisdiction = manifest.jurisdiction;
  policy->title = manifest.title;
  policy->digest = "sha256:" + sha256_hex(digest_input);

  std::size_t rule_count = 0;
  for (const auto& f : parsed)
    for (const auto& d : f.file.declarations) rule_count += std::holds_alternative<ast::RuleDecl>(d);
  if (rule_count > options.max_rules) {
    result.diagnostics.push_back(located("E508", origin, "the rule set has " + std::to_string(rule_count) +
                                                             " rules, more than the limit of " + std::to_string(options.max_rules),
                                         "raise LoadOptions::max_rules if this is intended"));
  } else if (!has_errors(result.diagnostics) || !file_level_error(result.diagnostics)) {
    // Check what parsed even after syntax errors, so one run reports every
    // mistake; names of declarations that failed to parse are not reported again.
    std::set<std::string, std::less<>> broken;
    for (std::size_t i = 0; i < parsed.size(); ++i)
      if (std::any_of(result.diagnostics.begin(), result.diagnostics.end(), [&](const Diagnostic& d) { return d.source == parsed[i].source; }))
        broken.merge(declared_names_in_text(chosen[i]->second));
    canonical_order(parsed, policy->sources);
    auto checked = check_rule_set(parsed, *policy, std::move(broken));
    result.diagnostics.insert(result.diagnostics.end(), checked.begin(), checked.end());
    if (!manifest.general_rule.empty() && !has_errors(checked)) {
      if (auto it = policy->rule_index.find(manifest.general_rule); it != policy->rule_index.end())
        policy->general_rule = it->second;
      else
        result.diagnostics.push_back(located("E505", display("proviso.yaml"), "`general_rule` names unknown rule `" + manifest.general_rule + "`",
                                             "name the rule id of the general prohibition"));
    } else if (manifest.general_rule.empty() && !has_errors(checked)) {
      if (auto it = policy->rule_index.find("general_rule"); it != policy->rule_index.end()) policy->general_rule = it->second;
    }
  }
  sort_diagnostics(result.diagnostics);
  result.sources = policy->sources;
  if (!has_errors(result.diagnostics)) result.policy = std::move(policy);
  return result;
}

LoadResult load_rule_set(const std::filesystem::path& path, const LoadOptions& options) {
  RuleSetFiles files;
  std::error_code ec;
  LoadResult refused;
  auto read = [&](const std::filesystem::path& file, std::string name) {
    // A file far past the limit is not read into memory at all; the parser reports E105 on the rest.
    auto size = std::filesystem::file_size(file, ec);
    if (!ec && size > options.parse.max_file_bytes * 4) {
      refused.diagnostics.push_back(located("E105", file.string(), "file is " + std::to_string(size) + " bytes, more than the limit of " +
                                                                       std::to_string(options.parse.max_file_bytes),
                                            "split the rule set into several files"));
      return;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    files.emplace_back(std::move(name), text.str());
  };
  std::filesystem::path folder = path;
  if (std::filesystem::is_regular_file(path, ec)) {
    if (path.filename() == "proviso.yaml") {
      folder = path.parent_path();
    } else {
      read(path, path.filename().string());
      if (!refused.diagnostics.empty()) return refused;
      return load_rule_set_from_texts(files, path.parent_path().string(), options);
    }
  }
  if (!std::filesystem::is_directory(folder, ec)) {
    LoadResult result;
    result.diagnostics.push_back(located("E501", path.string(), "cannot read rule set `" + path.string() + "`: no such file or folder",
                                         "give a folder holding proviso.yaml, or a .proviso file"));
    return result;
  }
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    auto name = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    if (name == "proviso.yaml" || name.ends_with(".proviso")) read(entry.path(), name);
  }
  if (!refused.diagnostics.empty()) {
    sort_diagnostics(refused.diagnostics);
    return refused;
  }
  std::sort(files.begin(), files.end());
  auto origin = folder.string();
  while (origin.size() > 1 && origin.back() == '/') origin.pop_back();
  return load_rule_set_from_texts(files, origin, options);
}

const RuleSetFiles& builtin_rule_files() {
  static const RuleSetFiles files = [] {
    RuleSetFiles out;
    for (const auto& [name, text] : builtin::files()) out.emplace_back(std::string(name), std::string(text));
    return out;
  }();
  return files;
}

LoadResult load_builtin_rule_set(const LoadOptions& options) {
  return load_rule_set_from_texts(builtin_rule_files(), "builtin:irc-6103", options);
}

}  // namespace proviso
