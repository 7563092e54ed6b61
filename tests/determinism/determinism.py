#!/usr/bin/env python3
"""Determinism: the same policy and request give byte-identical decision JSON
across runs, thread counts, and shuffles of rule order and file order.

    determinism.py PROVISO SOURCE_DIR [--shuffles N]   (default 100)

The requests are every scenario of rules/us/irc-6103/tests plus the example
requests, decided with --explain full (every rule and condition considered).
  1. two `proviso batch --jobs 1` runs give the same bytes
  2. `--jobs 2` gives the same bytes as `--jobs 1`
  3. N copies of the § 6103 rule set, each with its files listed in a random
     order and the declarations inside each file shuffled, give the same bytes
     too (the decision JSON; every tenth copy also with --explain full), except for `ruleset.digest`, which hashes the files' exact text (that
     it changes is what makes it a digest; it is blanked before comparing)."""
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scenario_requests import scenario_requests  # noqa: E402

PROVISO, SOURCE = os.path.abspath(sys.argv[1]), sys.argv[2]
SHUFFLES = int(sys.argv[sys.argv.index("--shuffles") + 1]) if "--shuffles" in sys.argv else 100
RULES = os.path.join(SOURCE, "rules", "us", "irc-6103")
DECLARATION = re.compile(r"^(rule|fact|enum|definition|interpretation)\b")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def requests():
    """Each scenario's request (docs/testing.md: base, request, set, unset, interpretations), then the examples."""
    out = list(scenario_requests(RULES))
    for path in sorted(glob.glob(os.path.join(SOURCE, "examples", "*.json"))):
        out.append(json.load(open(path, encoding="utf-8")))
    return out


def batch(rules, jsonl, jobs, explain="full"):
    result = subprocess.run([PROVISO, "batch", "--rules", rules, "--explain", explain, "--jobs", str(jobs), jsonl],
                            capture_output=True, timeout=600)
    if result.returncode != 0:
        fail(f"batch --jobs {jobs} on {rules} exited {result.returncode}: {result.stderr.decode()[:2000]}")
    return result.stdout


def blank_digest(output):
    return re.sub(rb'"digest":"sha256:[0-9a-f]{64}"', b'"digest":"-"', output)


def declarations(text):
    """The file's preamble and its declarations, each with the comment lines directly above it."""
    lines = text.rstrip("\n").split("\n")
    starts = []
    for i, line in enumerate(lines):
        if DECLARATION.match(line):
            start = i
            while start > 0 and lines[start - 1].startswith("#") and (not starts or start - 1 > starts[-1]):
                start -= 1
            starts.append(start)
    if not starts:
        return text, []
    blocks = ["\n".join(lines[a:b]).strip("\n") + "\n" for a, b in zip(starts, starts[1:] + [len(lines)])]
    return "\n".join(lines[: starts[0]]).strip("\n"), blocks


def shuffled_copy(rng, folder):
    shutil.copytree(RULES, folder, ignore=shutil.ignore_patterns("tests"))
    manifest_path = os.path.join(folder, "proviso.yaml")
    manifest = yaml.safe_load(open(manifest_path, encoding="utf-8"))
    files = list(manifest["files"])
    rng.shuffle(files)
    text = open(manifest_path, encoding="utf-8").read()
    text = text[: text.index("files:")] + "files:\n" + "".join(f"  - {name}\n" for name in files)
    with open(manifest_path, "w", encoding="utf-8") as f:
        f.write(text)
    for name in files:
        path = os.path.join(folder, name)
        preamble, blocks = declarations(open(path, encoding="utf-8").read())
        rng.shuffle(blocks)
        with open(path, "w", encoding="utf-8") as f:
            f.write((preamble + "\n\n" if preamble else "") + "\n".join(blocks))
    return files


def main():
    work = tempfile.mkdtemp()
    try:
        jsonl = os.path.join(work, "requests.jsonl")
        all_requests = requests()
        with open(jsonl, "w", encoding="utf-8") as f:
            for request in all_requests:
                f.write(json.dumps(request) + "\n")
        first = batch(RULES, jsonl, 1)
        if first.count(b"\n") != len(all_requests) or b'"error"' in first:
            fail("the reference run did not decide every request")
        if batch(RULES, jsonl, 1) != first:
            fail("two runs with --jobs 1 differ")
        print(f"ok: {len(all_requests)} decisions (--explain full) byte-identical across two runs")
        if batch(RULES, jsonl, 2) != first:
            fail("--jobs 2 differs from --jobs 1")
        print("ok: --jobs 2 gives the same bytes as --jobs 1")
        # The shuffles compare the decision JSON (compact); the first and every tenth also the full trace.
        reference = {"compact": blank_digest(batch(RULES, jsonl, 1, "compact")), "full": blank_digest(first)}
        rng = random.Random(6103)
        for i in range(SHUFFLES):
            folder = os.path.join(work, f"shuffle-{i}")
            order = shuffled_copy(rng, folder)
            explain = "full" if i % 10 == 0 else "compact"
            out = blank_digest(batch(folder, jsonl, 1 + i % 2, explain))
            if out != reference[explain]:
                a, b = reference[explain].split(b"\n"), out.split(b"\n")
                line = next(n for n in range(len(a)) if a[n] != b[n])
                fail(f"shuffle {i} (files {order[:3]}...) changes decision {line + 1}:\n  {a[line][:600]!r}\n  {b[line][:600]!r}")
            shutil.rmtree(folder)
        print(f"ok: {SHUFFLES} shuffles of file order and declaration order give the same decisions (digest blanked; "
              f"every tenth with --explain full)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
