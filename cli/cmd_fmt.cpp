#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "grammar/format.hpp"
#include "io.hpp"
#include "text_diff.hpp"

namespace proviso::cli {
namespace {

struct FmtOptions {
  std::vector<std::string> paths;  // .proviso files, folders (searched for *.proviso), or - for stdin
  bool check = false;              // list unformatted files; exit 1 if any
  bool diff = false;               // print what would change; exit 1 if anything would
  bool write = false;              // rewrite unformatted files in place
};

std::vector<std::string> expand(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (path != "-" && std::filesystem::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".proviso") found.push_back(it->path().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  return files;
}

int run_fmt(const FmtOptions& options) {
  if (options.check + options.diff + options.write > 1) {
    std::cerr << "error: give at most one of --check, --diff and --write\n";
    return usage;
  }
  const auto files = expand(options.paths);
  const bool print = !options.check && !options.diff && !options.write;
  bool unformatted = false, invalid = false;
  for (const auto& file : files) {
    auto text = read_input(file);
    if (!text) {
      std::cerr << "error: cannot read `" << file << "`\n";
      return usage;
    }
    SourceMap sources;
    const auto id = sources.add(file == "-" ? "<stdin>" : file, *text);
    auto result = format_text(*text, id);
    if (!result.text) {
      print_diagnostics(result.diagnostics, sources);
      invalid = true;
      continue;
    }
    const bool changed = *result.text != *text;
    unformatted = unformatted || changed;
    if (print) {
      if (files.size() > 1) std::cout << "# ==> " << file << " <==\n";
      std::cout << *result.text;
    } else if (options.check && changed) {
      std::cout << file << ": not formatted\n";
    } else if (options.diff && changed) {
      std::cout << unified_diff(*text, *result.text, file, file + " (formatted)");
    } else if (options.write && changed) {
      if (file == "-") {
        std::cout << *result.text;
        continue;
      }
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      if (!(out << *result.text)) {
        std::cerr << "error: cannot write `" << file << "`\n";
        return usage;
      }
      std::cout << "formatted " << file << "\n";
    }
  }
  if (invalid) return rules_invalid;
  return (options.check || options.diff) && unformatted ? findings : ok;
}

}  // namespace

Command add_fmt(CLI::App& app) {
  auto options = std::make_shared<FmtOptions>();
  auto* cmd = app.add_subcommand("fmt", "format rule files canonically (prints a single file to stdout)");
  cmd->add_option("paths", options->paths, ".proviso files or folders, or - for standard input")->required();
  cmd->add_flag("--check", options->check, "list files that are not formatted; exit 1 if any");
  cmd->add_flag("--diff", options->diff, "print a unified diff of what formatting would change; exit 1 if anything");
  cmd->add_flag("--write", options->write, "rewrite files that are not formatted");
  return {cmd, [options] { return run_fmt(*options); }};
}

}  // namespace proviso::cli
