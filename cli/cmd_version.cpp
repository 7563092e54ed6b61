#include <iostream>

#include "commands.hpp"

namespace proviso::cli {

Command add_version(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "print the version");
  return {cmd, [] {
            std::cout << "proviso " << PROVISO_VERSION << "\n";
            return static_cast<int>(ok);
          }};
}

}  // namespace proviso::cli
