#!/usr/bin/env python3
"""A scripted language-server client: drives `proviso lsp` over pipes with
JSON-RPC (Content-Length framing) and checks diagnostics as the drafter
types, hover, go to definition and completion. Also checks that the VS Code
extension's JSON files load."""
import json
import os
import subprocess
import sys
import tempfile

proviso, source_dir = sys.argv[1], sys.argv[2]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


class Client:
    def __init__(self):
        self.process = subprocess.Popen([proviso, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.notifications = []

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                return message
            self.notifications.append(message)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self):
        # A notification follows each didOpen/didChange.
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                return message["params"]["diagnostics"]


folder = tempfile.mkdtemp()
with open(os.path.join(folder, "proviso.yaml"), "w") as f:
    f.write("name: drafting\ngeneral_rule: general_rule\n")
vocabulary = 'enum role "who signed" {\n  head "the head of the agency"\n  officer "a field officer"\n}\n' \
             'fact request.signed_by : role "who signed the request"\nfact request.in_writing : bool "the request is in writing"\n'
with open(os.path.join(folder, "vocabulary.proviso"), "w") as f:
    f.write(vocabulary)
rules_path = os.path.join(folder, "rules.proviso")
rules = ('rule general_rule forbid\n  cite "26 U.S.C. § 6103(a)"\n'
         'rule i2 permit\n  cite "26 U.S.C. § 6103(i)(2)"\n  title "Written requests"\n  exception to general_rule\n'
         '  when all of {\n    request.in_writing "the request is in writing"\n    request.signed == head "the head signed it"\n  }\n')
with open(rules_path, "w") as f:
    f.write(rules)
uri = "file://" + rules_path

client = Client()
init = client.request("initialize", {"processId": None, "rootUri": "file://" + folder, "capabilities": {}})
capabilities = init["result"]["capabilities"]
check(capabilities.get("hoverProvider") and capabilities.get("definitionProvider") and "completionProvider" in capabilities,
      "initialize announces hover, definition and completion")
client.notify("initialized", {})

# Diagnostics on open: the misspelt fact, with did-you-mean, at its line.
client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "proviso", "version": 1, "text": rules}})
diagnostics = client.diagnostics()
check(len(diagnostics) == 1 and diagnostics[0]["code"] == "E201" and diagnostics[0]["severity"] == 1
      and diagnostics[0]["range"]["start"]["line"] == 8 and "request.signed_by" in diagnostics[0]["message"],
      "didOpen publishes E201 on line 9 with did-you-mean: %s" % diagnostics)

# As the drafter fixes it: no diagnostics.
fixed = rules.replace("request.signed ==", "request.signed_by ==")
client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
check(client.diagnostics() == [], "didChange with the fix clears the diagnostics")

# Analyzer findings reach the editor too: a condition without a phrase (A305, a note).
unphrased = fixed.replace(' "the head signed it"', "")
client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": unphrased}]})
diagnostics = client.diagnostics()
check([d["code"] for d in diagnostics] == ["A305"] and diagnostics[0]["severity"] == 3, "analyzer note A305: %s" % diagnostics)
client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": fixed}]})
client.diagnostics()

lines = fixed.split("\n")
def position(text, line_containing, offset=0):
    line = next(i for i, l in enumerate(lines) if line_containing in l)
    return {"line": line, "character": lines[line].index(text) + offset}

# Hover on a fact: its type and description.
hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position("request.signed_by", "signed_by ==", 10)})
value = (hover.get("result") or {}).get("contents", {}).get("value", "")
check("request.signed_by" in value and "role" in value and "who signed the request" in value, "hover on a fact: %s" % value)

# Hover on a rule named in `exception to`: citation and plain-English summary.
hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position("general_rule", "exception to", 3)})
value = (hover.get("result") or {}).get("contents", {}).get("value", "")
check("26 U.S.C. § 6103(a)" in value and "Forbids the disclosure" in value and "defeated by i2" in value, "hover on a rule: %s" % value)

# Go to definition: the rule in `exception to`, and a fact in the other file.
found = client.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": position("general_rule", "exception to")})
result = found.get("result") or {}
check(result.get("uri") == uri and result["range"]["start"]["line"] == 0, "definition of general_rule: %s" % result)
found = client.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": position("request.in_writing", "in_writing")})
result = found.get("result") or {}
check(result.get("uri", "").endswith("vocabulary.proviso") and result["range"]["start"]["line"] == 5,
      "definition of a fact in the vocabulary file: %s" % result)

# Completion: fact names and enum values.
completion = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 8, "character": 4}})
labels = {item["label"] for item in completion["result"]}
check({"request.signed_by", "request.in_writing", "head", "officer", "role"} <= labels, "completion: %s" % sorted(labels))

unknown = client.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}})
check(unknown.get("error", {}).get("code") == -32601, "an unsupported request is answered MethodNotFound")

check(client.request("shutdown", None).get("result", 1) is None, "shutdown")
client.notify("exit", None)
check(client.process.wait(timeout=10) == 0, "exit after shutdown ends with 0")

# The VS Code extension's files load, and the grammar's patterns compile.
extension = os.path.join(source_dir, "editors", "vscode")
package = json.load(open(os.path.join(extension, "package.json")))
check(package["contributes"]["languages"][0]["extensions"] == [".proviso"], "package.json contributes *.proviso")
json.load(open(os.path.join(extension, "language-configuration.json")))
grammar = json.load(open(os.path.join(extension, "syntaxes", "proviso.tmLanguage.json")))
import re
def patterns(node):
    for key in ("match", "begin", "end"):
        if key in node:
            yield node[key]
    for child in node.get("patterns", []) + list(node.get("repository", {}).values()):
        yield from patterns(child)
for pattern in patterns(grammar):
    re.compile(pattern)
check(grammar["scopeName"] == "source.proviso", "grammar scope")

print("lsp: all checks passed" if not failures else "lsp: %d failed" % len(failures))
sys.exit(1 if failures else 0)
