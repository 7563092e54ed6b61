'use strict';
// Cedar (@cedar-policy/cedar-wasm) on a rule set exported by
// `proviso export --to cedar` (the § 6103 set in bench/run), on the same
// request lines Proviso decides, checked against Proviso's decisions.
//
// usage: node bench_export.js --export DIR --input requests.jsonl --expected proviso.out
//                             [--warmup N] [--limit K] [--label NAME]
//
// --expected holds one Proviso decision line per request
// ({"decision":…,"authorities":[…]}); Cedar's Allow must be exactly Proviso's
// `permitted` (Cedar has only Allow and Deny: docs/integrating.md).
//
// End to end, per line: JSON.parse, the request made a Cedar context as the
// export documents it (a null fact is an absent attribute, dates are days
// since 1970-01-01), and statefulIsAuthorized on the preparsed policy set.
// Evaluation only: the same call on contexts built beforehand.

const fs = require('fs');
const path = require('path');
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

function parseArgs(argv) {
  const a = { export: null, input: null, expected: null, warmup: 2000, limit: 0, label: 'cedar-wasm-export' };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--export') a.export = argv[++i];
    else if (k === '--input') a.input = argv[++i];
    else if (k === '--expected') a.expected = argv[++i];
    else if (k === '--warmup') a.warmup = parseInt(argv[++i], 10);
    else if (k === '--limit') a.limit = parseInt(argv[++i], 10);
    else if (k === '--label') a.label = argv[++i];
    else throw new Error('unknown argument ' + k);
  }
  if (!a.export || !a.input || !a.expected) throw new Error('--export, --input and --expected are required');
  return a;
}

function now() { return process.hrtime.bigint(); }
function median(arr) { const s = Float64Array.from(arr).sort(); return s[s.length >> 1]; }
function pct(arr, p) { const s = Float64Array.from(arr).sort(); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; }

function main() {
  const args = parseArgs(process.argv);
  const policies = fs.readFileSync(path.join(args.export, 'policies.cedar'), 'utf8');
  const vocabulary = JSON.parse(fs.readFileSync(path.join(args.export, 'proviso-vocabulary.json'), 'utf8'));
  const parsed = cedar.preparsePolicySet('export', { staticPolicies: policies });
  if (parsed.type !== 'success') throw new Error('preparse failed: ' + JSON.stringify(parsed.errors));

  // The date facts, as paths: their values travel as days since 1970-01-01.
  const datePaths = Object.entries(vocabulary.facts)
    .filter(([, info]) => info.proviso_type === 'date').map(([fact]) => fact.split('.'));
  function dropNulls(node) {
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (v === null) delete node[key];
      else if (typeof v === 'object' && !Array.isArray(v)) dropNulls(v);
    }
    return node;
  }
  function toContext(request) {
    const context = dropNulls(request);
    for (const parts of datePaths) {
      let node = context;
      for (let i = 0; node && i < parts.length - 1; i++) node = node[parts[i]];
      const leaf = parts[parts.length - 1];
      if (node && typeof node[leaf] === 'string') node[leaf] = Math.round(Date.parse(node[leaf] + 'T00:00:00Z') / 86400000);
    }
    return context;
  }
  const entity = (e) => ({ type: e.type, id: e.id });
  const principal = entity(vocabulary.principal), action = entity(vocabulary.action), resource = entity(vocabulary.resource);
  let engineErrors = 0;
  function evaluate(context) {
    const answer = cedar.statefulIsAuthorized({ principal, action, resource, context, entities: [], preparsedPolicySetId: 'export' });
    if (answer.type !== 'success') throw new Error('Cedar failed: ' + JSON.stringify(answer.errors));
    if (answer.response.diagnostics.errors.length) engineErrors++;
    return answer.response.decision === 'allow';
  }

  let lines = fs.readFileSync(args.input, 'utf8').split('\n').filter((l) => l.length);
  let expected = fs.readFileSync(args.expected, 'utf8').split('\n').filter((l) => l.length);
  if (args.limit > 0) { lines = lines.slice(0, args.limit); expected = expected.slice(0, args.limit); }
  const n = lines.length;
  if (expected.length < n) throw new Error(`${expected.length} expected decisions for ${n} requests`);

  // Contexts built once, for evaluation only; Proviso's refused lines (an error line) are skipped by both.
  const usable = [];
  for (let i = 0; i < n; i++) if (!expected[i].startsWith('{"error"')) usable.push(i);
  const contexts = usable.map((i) => toContext(JSON.parse(lines[i])));
  for (let i = 0; i < Math.min(args.warmup, contexts.length); i++) evaluate(contexts[i]);

  // Agreement, on every usable request.
  let agree = 0, allows = 0;
  const disagreements = [];
  for (let k = 0; k < usable.length; k++) {
    const allow = evaluate(contexts[k]);
    const provisoPermits = JSON.parse(expected[usable[k]]).decision === 'permitted';
    if (allow) allows++;
    if (allow === provisoPermits) agree++;
    else if (disagreements.length < 3) disagreements.push({ line: usable[k] + 1, cedar: allow ? 'allow' : 'deny', proviso: expected[usable[k]] });
  }

  let t0 = now();
  let sink = 0;
  for (let k = 0; k < contexts.length; k++) sink += evaluate(contexts[k]) ? 1 : 0;
  const evalNs = Number(now() - t0);

  t0 = now();
  for (const i of usable) sink += evaluate(toContext(JSON.parse(lines[i]))) ? 1 : 0;
  const e2eNs = Number(now() - t0);

  const latE2e = new Float64Array(usable.length);
  for (let k = 0; k < usable.length; k++) {
    const a = now();
    evaluate(toContext(JSON.parse(lines[usable[k]])));
    latE2e[k] = Number(now() - a);
  }

  const m = usable.length;
  const res = {
    peer: args.label,
    version: 'cedar ' + cedar.getCedarVersion() + ' (sdk ' + cedar.getCedarSDKVersion() + '), node ' + process.version,
    n: m, allows, agree, disagree: m - agree, engine_errors: engineErrors,
    policy_bytes: Buffer.byteLength(policies),
    eval_dps: m / (evalNs / 1e9),
    e2e_dps: m / (e2eNs / 1e9),
    e2e_med_us: median(latE2e) / 1e3,
    e2e_p99_us: pct(latE2e, 0.99) / 1e3,
    sink,
  };
  console.log(`${res.peer}: ${m} requests (Cedar ${cedar.getCedarVersion()}), allow ${allows}; agrees with Proviso on ${agree} of ${m}`);
  console.log(`  eval only : ${res.eval_dps.toFixed(0)} decisions/s`);
  console.log(`  end to end: ${res.e2e_dps.toFixed(0)} decisions/s, median ${res.e2e_med_us.toFixed(1)} us, p99 ${res.e2e_p99_us.toFixed(1)} us`);
  if (disagreements.length) console.log('  disagreements: ' + JSON.stringify(disagreements));
  console.log('RESULT ' + JSON.stringify(res));
  process.exit(agree === m && engineErrors === 0 ? 0 : 1);
}

main();
