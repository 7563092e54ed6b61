// Exporting a rule set to Cedar (cedarpolicy.com): policies whose Allow/Deny
// agrees with Proviso's permitted/not permitted on every request, a schema for
// the context, and the vocabulary needed to turn a Proviso request into a
// Cedar context. What Cedar cannot express is reported, not approximated
// (docs/integrating.md, "Export to Cedar").
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "grammar/diagnostic.hpp"
#include "policy.hpp"

namespace proviso {

struct CedarExport {
  std::string policies;  // policies.cedar: one permit per Proviso permit, one forbid per Proviso forbid
  std::string schema;    // schema.cedarschema (Cedar's human-readable schema format)
  nlohmann::json vocabulary;  // proviso-vocabulary.json: each fact's Cedar path and type, interpretations' defaults
  Diagnostics diagnostics;    // E951 for each construct Cedar cannot express, E952 past the size limits; nothing is exported then
};

CedarExport export_cedar(const Policy& policy);

}  // namespace proviso
