#!/usr/bin/env python3
"""`proviso batch` against `proviso eval`, request by request, over the
scenario corpus (every scenario of rules/*/*/tests and every example request),
for --jobs 1 and 2: same decisions, same order, one output line per input
line, bad lines as error lines naming their line number; `--explain none` (the
fast evaluator) gives the same decision and authorities. Then the receipts of
a batch run verify with `proviso verify-receipt`, and a tampered one does not.

    batch_test.py PROVISO SOURCE_DIR
"""
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scenario_requests import scenario_requests  # noqa: E402

PROVISO, SOURCE = sys.argv[1], sys.argv[2]
RULES = os.path.join(SOURCE, "rules", "us", "irc-6103")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def all_requests():
    """Each scenario's request, then every example request."""
    yield from scenario_requests(RULES)
    for path in sorted(glob.glob(os.path.join(SOURCE, "examples", "*.json")) + glob.glob(os.path.join(SOURCE, "examples", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            yield json.load(f) if path.endswith(".json") else yaml.safe_load(f)


def eval_one(work, index, line):
    """What `proviso eval` says about one line: the decision JSON, or the error code."""
    path = os.path.join(work, f"request-{index}.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(line)
    run = subprocess.run([PROVISO, "eval", "--rules", RULES, "--format", "json", "--input-format", "json", path],
                         capture_output=True, text=True)
    if run.returncode == 0:
        return json.loads(run.stdout)
    match = re.search(r"error\[(E\d+)\]", run.stderr)
    if run.returncode != 4 or not match:
        fail(f"eval of line {index + 1} exited {run.returncode}: {run.stderr}")
    return {"error_code": match.group(1)}


def json_default(value):
    return value.isoformat()  # YAML dates in example requests


def main():
    lines = [json.dumps(r, default=json_default, ensure_ascii=False) for r in all_requests()]
    # Bad lines in the middle: the batch must go on after them.
    lines.insert(3, '{"request": ')
    lines.insert(7, "")
    lines.insert(11, '{"request": {"in_writing": "yes"}}')
    with tempfile.TemporaryDirectory() as work:
        corpus = os.path.join(work, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            expected = list(pool.map(lambda item: eval_one(work, *item) if item[1] else {"error_code": "E409"},
                                     enumerate(lines)))
        for jobs in (1, 2):
            run = subprocess.run([PROVISO, "batch", "--rules", RULES, "--jobs", str(jobs), corpus],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                fail(f"batch --jobs {jobs} exited {run.returncode}: {run.stderr}")
            if run.stderr:
                fail(f"batch wrote to stderr though it is not a terminal: {run.stderr[:200]}")
            out = run.stdout.split("\n")
            if out[-1] != "" or len(out) - 1 != len(lines):
                fail(f"batch --jobs {jobs}: {len(out) - 1} output lines for {len(lines)} input lines")
            errors = 0
            for number, (got_text, want) in enumerate(zip(out, expected), start=1):
                got = json.loads(got_text)
                if "error_code" in want:
                    errors += 1
                    if got.get("error", {}).get("code") != want["error_code"] or got["error"]["line"] != number:
                        fail(f"line {number}: want error {want['error_code']} naming line {number}, got {got_text[:200]}")
                elif got != want:
                    fail(f"line {number}: batch --jobs {jobs} differs from eval:\n{got_text[:300]}\n{json.dumps(want)[:300]}")
            print(f"ok: batch --jobs {jobs} equals eval on {len(lines) - errors} requests, and {errors} bad lines are error lines")

        # --explain none: the fast evaluator gives the same outcome and deciding rules, and the same error lines.
        for jobs in (1, 2):
            run = subprocess.run([PROVISO, "batch", "--rules", RULES, "--explain", "none", "--jobs", str(jobs), corpus],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                fail(f"batch --explain none --jobs {jobs} exited {run.returncode}: {run.stderr}")
            out = run.stdout.split("\n")
            if out[-1] != "" or len(out) - 1 != len(lines):
                fail(f"batch --explain none: {len(out) - 1} output lines for {len(lines)} input lines")
            for number, (got_text, want) in enumerate(zip(out, expected), start=1):
                got = json.loads(got_text)
                if "error_code" in want:
                    if got.get("error", {}).get("code") != want["error_code"] or got["error"]["line"] != number:
                        fail(f"line {number} (--explain none): want error {want['error_code']}, got {got_text[:200]}")
                    continue
                want_short = {"decision": want["decision"], "authorities": [a["rule"] for a in want["authorities"]]}
                if got != want_short:
                    fail(f"line {number}: batch --explain none gives {got_text[:300]}, eval {json.dumps(want_short)}")
            print(f"ok: batch --explain none --jobs {jobs} gives eval's decision and authorities on every line")
        run = subprocess.run([PROVISO, "batch", "--rules", RULES, "--explain", "none", "--receipts", corpus], capture_output=True, text=True)
        if run.returncode != 2 or run.stdout:
            fail(f"--explain none --receipts must be a usage error (exit 2, no output): exit {run.returncode}")

        # Receipts from a batch verify; a tampered one does not.
        run = subprocess.run([PROVISO, "batch", "--rules", RULES, "--receipts", corpus], capture_output=True, text=True, check=True)
        receipts = [json.loads(line)["receipt"] for line in run.stdout.splitlines() if '"receipt"' in line]
        log = os.path.join(work, "receipts.jsonl")
        with open(log, "w", encoding="utf-8") as f:
            f.write("".join(json.dumps(r, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n" for r in receipts))
        verify = subprocess.run([PROVISO, "verify-receipt", "--rules", RULES, log], capture_output=True, text=True)
        summary = verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else ""
        if verify.returncode != 0 or summary != f"{len(receipts)} verified, 0 failed":
            fail(f"verify-receipt: exit {verify.returncode}: {verify.stdout[-500:]}{verify.stderr}")
        print("ok: verify-receipt:", summary)
        receipts[0]["decision"] = "permitted" if receipts[0]["decision"] != "permitted" else "denied"
        with open(log, "w", encoding="utf-8") as f:
            f.write(json.dumps(receipts[0]) + "\n")
        verify = subprocess.run([PROVISO, "verify-receipt", "--rules", RULES, log], capture_output=True, text=True)
        if verify.returncode != 1 or "E903" not in verify.stdout:
            fail(f"a tampered receipt verified: exit {verify.returncode}: {verify.stdout}")
        print("ok: a tampered receipt does not verify (exit 1, E903)")


if __name__ == "__main__":
    main()
