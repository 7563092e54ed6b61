// The request scanner: a request of the common shape bound in one forward
// pass over its bytes, straight into FastFacts, with no JSON parser under it.
// It reads a strict subset of JSON and declines everything else (the
// streaming binder then tries simdjson, and the full binder has the last
// word), so it never accepts what the full binder refuses and never binds
// differently (tests/unit/bind_scan_test.cpp checks both on mutated text).
// Internal to the engine (bind_fast.cpp).
#pragma once
#include "bind_tables.hpp"

namespace proviso::binding {

// Binds the request `begin`..`end` into `out` (reset by the caller) and
// returns true, or returns false with `out` partly written. The text must be
// followed by kPadding zero bytes.
bool scan_request(Tables& tables, const char* begin, const char* end, FastFacts& out);

}  // namespace proviso::binding
