#!/usr/bin/env python3
"""Proviso's permit/deny against the real Cedar engine on the exported rule
set: every scenario request and 10,000 generated ones must agree (Cedar Allow
exactly when Proviso says permitted). Cedar is @cedar-policy/cedar-wasm from
npm, run with node; when npm cannot fetch it, the test is skipped (exit 77)
with a message saying so.

    cedar_agreement.py PROVISO SOURCE_DIR WORK_DIR
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import batch_test  # noqa: E402  (the scenario corpus; reads PROVISO and SOURCE from argv like this script)
import scenario_requests  # noqa: E402  (set_path, unset_path; batch_test put tests/ on the path)

PROVISO, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
RULES = batch_test.RULES
CEDAR_VERSION = "4.13.0"
GENERATED = 10000
SKIP = 77


def cedar_modules():
    """node_modules holding @cedar-policy/cedar-wasm, installed once per build tree."""
    prefix = os.path.join(WORK, "cedar-node")
    modules = os.path.join(prefix, "node_modules")
    if os.path.isdir(os.path.join(modules, "@cedar-policy", "cedar-wasm")):
        return modules
    if not shutil.which("node") or not shutil.which("npm"):
        print("SKIP: node or npm is not installed, so the Cedar engine cannot run")
        sys.exit(SKIP)
    os.makedirs(prefix, exist_ok=True)
    try:
        subprocess.run(["npm", "install", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", "--silent",
                        f"@cedar-policy/cedar-wasm@{CEDAR_VERSION}"], check=True, timeout=300, capture_output=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(f"SKIP: npm could not fetch @cedar-policy/cedar-wasm@{CEDAR_VERSION} (registry unreachable?): {error}")
        sys.exit(SKIP)
    return modules


def random_value(info, rng):
    kind = info["proviso_type"]
    if kind == "bool":
        return rng.random() < 0.5
    if "values" in info:
        values = info["values"]
        if kind.startswith("set"):
            return sorted(rng.sample(values, rng.randint(0, min(len(values), 4))))
        return rng.choice(values)
    if kind == "integer":
        return rng.randint(0, 12)
    if kind == "date":
        return f"20{rng.randint(20, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return rng.choice(["", "a", "name"])


def generate(vocabulary, scenarios, rng):
    """Half mutate a scenario (so permits are common), half draw every fact at random."""
    facts = vocabulary["facts"]
    for i in range(GENERATED):
        request = json.loads(json.dumps(rng.choice(scenarios), default=str)) if i % 2 == 0 else {}
        for fact, info in facts.items():
            p = 0.12 if i % 2 == 0 else 0.5
            if rng.random() < p:
                if rng.random() < 0.3:
                    scenario_requests.unset_path(request, fact)
                else:
                    scenario_requests.set_path(request, fact, random_value(info, rng))
        if rng.random() < 0.3:
            request["interpretations"] = {name: rng.random() < 0.5 for name in vocabulary["interpretations"] if rng.random() < 0.5}
        yield request


def agreement(modules, export, requests, label, work):
    corpus = os.path.join(work, label + ".jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for request in requests:
            f.write(json.dumps(request, default=str) + "\n")
    decisions = os.path.join(work, label + "-decisions.jsonl")
    with open(decisions, "w", encoding="utf-8") as out:
        subprocess.run([PROVISO, "batch", "--rules", RULES, "--receipts", "--jobs", "2", corpus], stdout=out, check=True)
    with open(decisions, encoding="utf-8") as f:
        bad = [line for line in f if line.startswith('{"error"')]
    if bad:
        print(f"FAIL: {len(bad)} {label} requests were rejected by Proviso, e.g. {bad[0][:300]}")
        sys.exit(1)
    run = subprocess.run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "cedar_agree.js"), export, decisions, label],
                         env=dict(os.environ, NODE_PATH=modules), capture_output=True, text=True)
    print(run.stdout.strip() or run.stderr.strip())
    if run.returncode != 0:
        sys.exit(1)


def main():
    modules = cedar_modules()
    with tempfile.TemporaryDirectory() as work:
        export = os.path.join(work, "cedar")
        subprocess.run([PROVISO, "export", "--to", "cedar", "--rules", RULES, export], check=True, capture_output=True)
        vocabulary = json.load(open(os.path.join(export, "proviso-vocabulary.json"), encoding="utf-8"))
        scenarios = list(batch_test.all_requests())
        agreement(modules, export, scenarios, "scenarios", work)
        agreement(modules, export, generate(vocabulary, scenarios, random.Random(6103)), "generated", work)


if __name__ == "__main__":
    main()
