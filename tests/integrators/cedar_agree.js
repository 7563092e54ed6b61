'use strict';
// Runs the real Cedar engine (@cedar-policy/cedar-wasm) over Proviso's
// decisions and counts agreement: Cedar's Allow must be exactly Proviso's
// `permitted`.
//   node cedar_agree.js EXPORT_DIR DECISIONS.jsonl LABEL
// DECISIONS.jsonl is `proviso batch --receipts` output: each line's receipt
// holds the normalised request, which becomes the Cedar context.
const fs = require('fs');
const path = require('path');
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const [dir, decisionsPath, label] = process.argv.slice(2);
const policies = fs.readFileSync(path.join(dir, 'policies.cedar'), 'utf8');
const schema = fs.readFileSync(path.join(dir, 'schema.cedarschema'), 'utf8');
const vocabulary = JSON.parse(fs.readFileSync(path.join(dir, 'proviso-vocabulary.json'), 'utf8'));

function fail(message) {
  console.log('FAIL: ' + message);
  process.exit(1);
}

const validation = cedar.validate({ schema, policies: { staticPolicies: policies } });
if (validation.type !== 'success') fail('the schema or policies do not parse: ' + JSON.stringify(validation.errors).slice(0, 2000));
if (validation.validationErrors.length) fail('the policies do not validate against the schema: ' + JSON.stringify(validation.validationErrors).slice(0, 2000));

const parsed = cedar.preparsePolicySet('export', { staticPolicies: policies });
if (parsed.type !== 'success') fail('preparse: ' + JSON.stringify(parsed.errors));

// Dates travel as days since 1970-01-01, as the exported policies compare them.
function toContext(request) {
  const context = JSON.parse(JSON.stringify(request));
  for (const [fact, info] of Object.entries(vocabulary.facts)) {
    if (info.proviso_type !== 'date') continue;
    const parts = fact.split('.');
    let node = context;
    for (const p of parts.slice(0, -1)) node = node && node[p];
    const leaf = parts[parts.length - 1];
    if (node && typeof node[leaf] === 'string') node[leaf] = Math.round(Date.parse(node[leaf] + 'T00:00:00Z') / 86400000);
  }
  return context;
}

const entity = (e) => ({ type: e.type, id: e.id });
let total = 0, agree = 0, errors = 0;
const outcomes = {}, disagreements = [];
for (const line of fs.readFileSync(decisionsPath, 'utf8').split('\n')) {
  if (!line) continue;
  const decision = JSON.parse(line);
  if (!decision.receipt) fail('a line without a receipt: ' + line.slice(0, 200));
  const answer = cedar.statefulIsAuthorized({
    principal: entity(vocabulary.principal), action: entity(vocabulary.action), resource: entity(vocabulary.resource),
    context: toContext(decision.receipt.request), entities: [], preparsedPolicySetId: 'export',
  });
  if (answer.type !== 'success') fail('Cedar failed: ' + JSON.stringify(answer.errors));
  if (answer.response.diagnostics.errors.length) errors++;
  total++;
  outcomes[decision.decision] = (outcomes[decision.decision] || 0) + 1;
  const cedarAllows = answer.response.decision === 'allow';
  if (cedarAllows === (decision.decision === 'permitted')) agree++;
  else if (disagreements.length < 5) disagreements.push({ proviso: decision.decision, cedar: answer.response.decision, request: decision.receipt.request });
}
console.log(`${label}: ${agree}/${total} agree (Cedar ${cedar.getCedarVersion()}); Proviso outcomes ${JSON.stringify(outcomes)}; Cedar evaluation errors ${errors}`);
if (agree !== total || errors) fail('disagreements: ' + JSON.stringify(disagreements, null, 1));
