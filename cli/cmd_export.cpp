// proviso export --to cedar DIR: the rule set as Cedar policies, a Cedar
// schema and the vocabulary that maps requests to Cedar contexts.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "engine/export_cedar.hpp"
#include "io.hpp"

namespace proviso::cli {
namespace {

struct ExportOptions {
  std::string to = "cedar";
  std::string rules;
  std::string directory;
};

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

int run_export(const ExportOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  auto exported = export_cedar(*loaded.policy);
  if (!exported.diagnostics.empty()) {
    print_diagnostics(exported.diagnostics, loaded.policy->sources);
    std::cerr << "error: the rule set uses what Cedar cannot express; nothing was written\n";
    return findings;
  }
  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  std::filesystem::path dir(options.directory);
  if (ec || !write_file(dir / "policies.cedar", exported.policies) || !write_file(dir / "schema.cedarschema", exported.schema) ||
      !write_file(dir / "proviso-vocabulary.json", exported.vocabulary.dump(2) + "\n")) {
    std::cerr << "error: cannot write to `" << options.directory << "`\n";
    return usage;
  }
  std::cout << "wrote " << (dir / "policies.cedar").string() << ", schema.cedarschema and proviso-vocabulary.json ("
            << loaded.policy->name << " " << loaded.policy->version << ")\n";
  return ok;
}

}  // namespace

Command add_export(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export", "translate a rule set for another engine (Cedar)");
  cmd->add_option("--to", options->to, "the target")->required()->check(CLI::IsMember({"cedar"}));
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("directory", options->directory, "where to write the files")->required();
  return {cmd, [options] { return run_export(*options); }};
}

}  // namespace proviso::cli
