// Stable citation identifiers derived from the human form.
#include <doctest/doctest.h>

#include "engine/check.hpp"

using proviso::citation_slug;

TEST_CASE("citation slugs") {
  CHECK(citation_slug("26 U.S.C. § 6103(i)(2)(A)") == "usc26-6103-i-2-a");
  CHECK(citation_slug("26 U.S.C. § 6103(a)") == "usc26-6103-a");
  CHECK(citation_slug("26 USC 6103(p)(3)(A)") == "usc26-6103-p-3-a");
  CHECK(citation_slug("8 U.S.C. § 1253(a)(1)") == "usc8-1253-a-1");
  CHECK(citation_slug("Treas. Reg. § 301.6103(n)-1") == "treas-reg-301-6103-n-1");
  CHECK(citation_slug("") == "");
}
