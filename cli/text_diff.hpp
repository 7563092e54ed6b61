// A unified diff of two texts by lines, for `proviso fmt --diff`.
#pragma once
#include <string>
#include <string_view>

namespace proviso::cli {

// "--- a\n+++ b\n@@ -1,3 +1,3 @@\n ..." with `context` lines around each change; empty when equal.
std::string unified_diff(std::string_view before, std::string_view after, const std::string& name_before,
                         const std::string& name_after, std::size_t context = 3);

}  // namespace proviso::cli
