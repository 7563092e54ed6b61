// Watching a rule set for changes without inotify: a fingerprint of every
// rule file's name, size and modification time, compared on each poll.
#pragma once
#include <string>

namespace proviso::server {

// Changes whenever a rule file (*.proviso, proviso.yaml) is added, removed or written.
std::string rules_fingerprint(const std::string& path);

}  // namespace proviso::server
