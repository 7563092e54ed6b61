#!/usr/bin/env python3
"""Writes the catalogue's generated inputs (too big to commit) into a folder.

Usage: generate.py FOLDER. Each name is what manifest refers to as %NAME."""
import os
import sys

out = sys.argv[1]
N = 1_000_000  # "1,000,000-deep input is rejected in milliseconds"


def write(name, data):
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


rule = 'fact a : bool "a"\nrule general_rule forbid\n  cite "x(a)"\n  when a "a holds"\n'
write("deep-json-brackets.json", "[" * N)
write("deep-json-objects.json", '{"a":' * (N // 5) + "1" + "}" * (N // 5))  # 200,000 levels in 1 MB
write("deep-yaml-flow.yaml", "request: " + "[" * N + "\n")
write("deep-yaml-dashes.yaml", "- " * (N // 2) + "x\n")  # 500,000 levels in 1 MB
# A quote inside a plain scalar is text, not the start of a string: it must not hide the brackets after it.
write("deep-yaml-quote-trick.yaml", "[a 'b, " + "[" * N + "\n")
write("big-request.json", '{"request": {"in_writing": true}, "padding": "' + "x" * (2 << 20) + '"}\n')
write("many-set-members.json", '{"disclosure": {"items": [' + ", ".join(['"taxpayer_name"'] * 60000) + "]}}\n")
write("long-string.json", '{"request": {"purpose": "' + "x" * (70 * 1024) + '"}}\n')
write("deep-parens.proviso", 'fact a : bool "a"\nrule general_rule forbid\n  cite "x(a)"\n  when ' + "(" * 900_000 + "a\n")
write("deep-not.proviso", 'fact a : bool "a"\nrule general_rule forbid\n  cite "x(a)"\n  when ' + "not " * 200_000 + "a\n")
write("parens-1m.proviso", 'fact a : bool "a"\nrule general_rule forbid\n  cite "x(a)"\n  when ' + "(" * N + "a" + ")" * N + "\n")
write("big-rules.proviso", rule + "#" * (2 << 20) + "\n")
write("many-syntax-errors.proviso", rule + "".join(f"junk line {i}\n" for i in range(60)))
# 100,001 rules across files each under the 1 MiB file limit.
per_file = 15_000
for part in range(7):
    first, last = part * per_file, min((part + 1) * per_file, 100_001)
    body = ('fact a : bool "a"\nrule general_rule forbid\n  cite "x(a)"\n  when a\n' if part == 0 else "")
    body += "".join(f'rule r{i} permit cite "x(b)" exception to general_rule when a\n' for i in range(first, last))
    write(f"too-many-rules/part{part}.proviso", body)
# A chain of 60,000 rules, each an exception to the one before (E308), and of
# 120,000 definitions, each using the one before (E219): refused by the
# checker, which walks both graphs without recursion.
manifest = "name: chains\nversion: 1.0.0\njurisdiction: test\ntitle: chains\ngeneral_rule: general_rule\n"
write("exception-chain/proviso.yaml", manifest)
for part in range(6):
    body = 'fact a : bool "a"\nrule general_rule forbid\n  cite "x(a)"\n' if part == 0 else ""
    for i in range(part * 10_000, (part + 1) * 10_000):
        below = f"r{i - 1}" if i else "general_rule"
        body += f'rule r{i} {"permit" if i % 2 == 0 else "forbid"} cite "x(b)" exception to {below} when a "a holds"\n'
    write(f"exception-chain/part{part}.proviso", body)
write("definition-chain/proviso.yaml", manifest)
for part in range(8):
    body = 'fact a : bool "a"\ndefinition d0 "d0 holds" cite "x(a)" means a\n' if part == 0 else ""
    body += "".join(f'definition d{i} "d{i} holds" cite "x(a)" means d{i - 1}\n' for i in range(max(1, part * 15_000), (part + 1) * 15_000))
    if part == 7:
        body += 'rule general_rule forbid cite "x(a)"\nrule p permit cite "x(b)" exception to general_rule when d119999 "it holds"\n'
    write(f"definition-chain/part{part}.proviso", body)
# Exceptions 40 deep, each an exception to both rules below it: Cedar would write
# each level out twice per use, 2^40 times over (E952).
lattice = 'fact a : bool "a"\nfact b : bool "b"\nrule general_rule forbid cite "x(a)"\n'
below = ["general_rule"]
for level in range(40):
    kind = "permit" if level % 2 == 0 else "limit"
    lattice += "".join(f'rule l{level}k{k} {kind} cite "x(b)" exception to {", ".join(below)} when {"ab"[k]} "{"ab"[k]} holds"\n' for k in range(2))
    below = [f"l{level}k0", f"l{level}k1"]
write("exception-lattice/proviso.yaml", manifest)
write("exception-lattice/rules.proviso", lattice)
write("deep-manifest/proviso.yaml", "name: deep\nfiles: " + "[" * N + "\n")
write("deep-manifest/rules.proviso", rule)
write("deep-scenario.yaml", "scenarios:\n" + "- " * N + "x\n")
write("deep-batch.jsonl", "[" * N + "\n" + '{"request": ' * N + "\n")
os.makedirs(os.path.join(out, "export-dir"), exist_ok=True)
