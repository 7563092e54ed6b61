#!/usr/bin/env python3
"""End-to-end test of `proviso serve` on a free loopback port: every endpoint,
bad input of each kind, and reloads of a broken then a good rule set (by
SIGHUP and by --watch) while a client keeps deciding, with zero failed
requests; then a clean stop that flushes the decision log. Then the fast path
(`explain=none`) on a server without a decision log, on every scenario's
request, against `proviso batch --explain none`.

    http_test.py PROVISO SOURCE_DIR
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PROVISO, SOURCE = sys.argv[1], sys.argv[2]
RULES = os.path.join(SOURCE, "rules", "us", "irc-6103")
sys.path.insert(0, os.path.join(SOURCE, "tests"))
from scenario_requests import scenario_requests  # noqa: E402
ICE = os.path.join(SOURCE, "examples", "ice-address-verification.json")
WAIT_SECONDS = 60  # each wait below is bounded by this (generous: the test machines are shared and loaded)


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def call(port, method, path, body=None, content_type="application/json"):
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if data is not None and content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def expect_error(port, method, path, body, status, code, content_type="application/json"):
    got_status, text = call(port, method, path, body, content_type)
    try:
        got_code = json.loads(text)["error"]["code"]
    except (ValueError, KeyError):
        fail(f"{method} {path}: the error body is not JSON with a code: {text!r}")
    if (got_status, got_code) != (status, code):
        fail(f"{method} {path}: got {got_status} {got_code}, want {status} {code}: {text}")
    print(f"ok: {method} {path} -> {status} {code}")


def expect_without_counterfactuals(port, path, body):
    """PATH&counterfactuals=false answers what PATH does less "counterfactuals"; any other value is 400 E805."""
    sep = "" if path.endswith("?") else "&"
    status, text = call(port, "POST", path, body)
    full = json.loads(text)
    status_without, text = call(port, "POST", path + sep + "counterfactuals=false", body)
    without = json.loads(text)
    if status != 200 or status_without != 200 or not full.get("counterfactuals") or "counterfactuals" in without \
            or {k: v for k, v in full.items() if k != "counterfactuals"} != without:
        fail(f"{path}{sep}counterfactuals=false is not {path} without counterfactuals: " + text[:300])
    expect_error(port, "POST", path + sep + "counterfactuals=maybe", body, 400, "E805")
    print(f"ok: {path}{sep}counterfactuals=false leaves out only the counterfactuals")


def metric(port, name):
    _, text = call(port, "GET", "/metrics")
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def wait_for(what, predicate):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    fail("timed out waiting for " + what)


def start(args):
    """Starts `proviso serve ARGS --port 0`; the process and its port."""
    server = subprocess.Popen([PROVISO, "serve", "--port", "0"] + args, stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    if "listening on http://127.0.0.1:" not in line:
        server.kill()
        fail("serve did not start: " + line)
    return server, int(line.rsplit(":", 1)[1].split()[0])


def fast_path():
    """explain=none without a decision log: the compiled evaluator's line, the
    same bytes as `proviso batch --explain none`, for every scenario's request
    (JSON; a YAML body goes through the full binder); errors as on the full path."""
    requests = [json.dumps(r) for r in scenario_requests(RULES)]
    random.Random(6103).shuffle(requests)
    batch = subprocess.run([PROVISO, "batch", "--rules", RULES, "--explain", "none"], input="\n".join(requests) + "\n",
                           check=True, capture_output=True, text=True).stdout.splitlines()
    server, port = start(["--rules", RULES, "--threads", "2"])
    try:
        for request, want in zip(requests, batch, strict=True):
            status, text = call(port, "POST", "/v1/decide?explain=none", request)
            if status != 200 or text != want:
                fail(f"explain=none gave {status} {text!r}, batch gave {want!r}, for {request}")
        print(f"ok: POST /v1/decide?explain=none equals proviso batch --explain none on {len(requests)} scenario requests")
        status, text = call(port, "POST", "/v1/decide?explain=none", "request:\n  in_writing: true\n", "application/yaml")
        if status != 200 or "decision" not in json.loads(text):
            fail("explain=none with a YAML body: " + text)
        expect_error(port, "POST", "/v1/decide?explain=none", '{"request": {"in_writing": "yes"}}', 400, "E403")
        expect_error(port, "POST", "/v1/decide?explain=none", '{"request": ', 400, "E401")
        expect_error(port, "POST", "/v1/decide?explain=none", "<xml/>", 415, "E804", "text/xml")
        decided = sum(metric(port, f'proviso_decisions_total{{outcome="{o}"}}')
                      for o in ("permitted", "denied", "undetermined", "conflict", "not_applicable"))
        if decided != len(requests) + 1:
            fail(f"metrics count {decided} decisions, want {len(requests) + 1}")
        print("ok: explain=none takes YAML, answers errors as the full path does, and is counted in /metrics")
    finally:
        server.kill()
        server.wait()


def main():
    fast_path()
    work = tempfile.mkdtemp()
    rules = os.path.join(work, "rules")
    shutil.copytree(RULES, rules)
    log_path = os.path.join(work, "decisions.jsonl")
    server = subprocess.Popen([PROVISO, "serve", "--rules", rules, "--port", "0", "--threads", "4", "--max-body", "65536",
                               "--watch", "--watch-interval-ms", "100", "--decision-log", log_path],
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        if "listening on http://127.0.0.1:" not in line:
            fail("serve did not start: " + line)
        port = int(line.rsplit(":", 1)[1].split()[0])
        log_lines = []
        threading.Thread(target=lambda: log_lines.extend(server.stderr), daemon=True).start()
        run(port, rules, log_path, server, log_lines)
    finally:
        if server.poll() is None:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def run(port, rules, log_path, server, log_lines):
    # The endpoints.
    status, text = call(port, "GET", "/healthz")
    health = json.loads(text)
    if status != 200 or health["status"] != "ok":
        fail("healthz: " + text)
    status, text = call(port, "GET", "/v1/policy")
    policy = json.loads(text)
    if status != 200 or policy["name"] != "irc-6103" or not policy["rules"] or policy["digest"] != health["ruleset"]["digest"]:
        fail("policy: " + text[:300])
    print(f"ok: GET /v1/policy: {policy['name']} {policy['version']}, {len(policy['rules'])} rules")

    ice = open(ICE, encoding="utf-8").read()
    expected = json.loads(subprocess.run([PROVISO, "eval", "--rules", rules, "--format", "json", ICE],
                                         check=True, capture_output=True, text=True).stdout)
    status, text = call(port, "POST", "/v1/decide", ice)
    if status != 200 or json.loads(text) != expected:
        fail("decide differs from proviso eval: " + text[:300])
    print("ok: POST /v1/decide equals proviso eval:", expected["decision"])
    status, text = call(port, "POST", "/v1/decide?receipt=true&explain=full", ice)
    body = json.loads(text)
    if status != 200 or body["receipt"]["schema"] != "proviso.receipt/v1" or "considered" not in body:
        fail("decide with receipt: " + text[:300])
    expect_without_counterfactuals(port, "/v1/decide?explain=full", ice)
    status, text = call(port, "POST", "/v1/decide", "request:\n  in_writing: true\n", "application/yaml")
    if status != 200:
        fail("a YAML request: " + text)
    status, text = call(port, "POST", "/v1/explain", ice)
    body = json.loads(text)
    if status != 200 or not body["text"] or "considered" not in body:
        fail("explain: " + text[:300])
    print("ok: POST /v1/explain gives the memo and every rule considered")
    expect_without_counterfactuals(port, "/v1/explain?", ice)
    status, text = call(port, "GET", "/metrics")
    if status != 200 or "proviso_decision_duration_seconds_bucket" not in text:
        fail("metrics: " + text[:300])
    status, _ = call(port, "GET", "/playground")
    if status not in (200, 404):
        fail(f"playground: status {status}")

    # Bad input: each with its status and code.
    expect_error(port, "POST", "/v1/decide", '{"request": ', 400, "E401")
    expect_error(port, "POST", "/v1/decide", '[1, 2]', 400, "E409")
    expect_error(port, "POST", "/v1/decide", '{"request": {"in_writing": "yes"}}', 400, "E403")
    expect_error(port, "POST", "/v1/decide", '{"request": {"signed": "x"}}', 400, "E402")
    expect_error(port, "POST", "/v1/decide", '{"request": {"in_writing": true, "x": "' + "a" * 70000 + '"}}',
                 413, "E801")
    expect_error(port, "POST", "/v1/decide", "<xml/>", 415, "E804", "text/xml")
    expect_error(port, "POST", "/v1/decide?receipt=maybe", ice, 400, "E805")
    expect_error(port, "POST", "/v1/decide?explain=brief", ice, 400, "E805")
    expect_error(port, "POST", "/v1/decide?explain=none&receipt=true", ice, 400, "E805")
    # With a decision log, explain=none decides on the full path (a receipt needs the whole
    # decision) and answers the fast path's line all the same.
    status, text = call(port, "POST", "/v1/decide?explain=none", ice)
    if status != 200 or json.loads(text) != {"decision": expected["decision"], "authorities": [a["rule"] for a in expected["authorities"]]}:
        fail("explain=none with a decision log: " + text[:300])
    print("ok: POST /v1/decide?explain=none with a decision log gives the decision and its authorities")
    expect_error(port, "GET", "/v1/decide", None, 405, "E803")
    expect_error(port, "POST", "/v1/policy", "{}", 405, "E803")
    expect_error(port, "GET", "/v2/nothing", None, 404, "E802")

    # Reloads while a client keeps deciding.
    stop = threading.Event()
    results = {"ok": 0, "failed": 0}

    def client():
        while not stop.is_set():
            try:
                status, _ = call(port, "POST", "/v1/decide", ice)
                results["ok" if status == 200 else "failed"] += 1
            except Exception:  # a refused or dropped connection is a failed request too
                results["failed"] += 1
            time.sleep(0.002)  # a steady client, not a load test

    threads = [threading.Thread(target=client, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        reload_while_deciding(port, rules, server, health)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    print(f"ok: {results['ok']} decisions during the reloads, {results['failed']} failed")
    if results["failed"] or not results["ok"]:
        fail("requests failed during the reloads")
    stop_cleanly(port, log_path, server)


def reload_while_deciding(port, rules, server, health):
    time.sleep(0.3)
    digest = health["ruleset"]["digest"]
    victim = os.path.join(rules, sorted(f for f in os.listdir(rules) if f.endswith(".proviso"))[-1])
    original = open(victim, encoding="utf-8").read()
    with open(victim, "a", encoding="utf-8") as out:
        out.write("\nrule broken permit when no.such.fact\n")
    server.send_signal(signal.SIGHUP)
    wait_for("a rejected reload", lambda: metric(port, 'proviso_policy_reloads_total{result="rejected"}') >= 1)
    if json.loads(call(port, "GET", "/healthz")[1])["ruleset"]["digest"] != digest:
        fail("a broken rule set replaced the good one")
    print("ok: a broken rule set is rejected and the old one keeps serving")
    with open(victim, "w", encoding="utf-8") as out:
        out.write(original + "\n# a comment changes the digest\n")
    wait_for("the watched change to reload",
             lambda: json.loads(call(port, "GET", "/healthz")[1])["ruleset"]["digest"] != digest)
    server.send_signal(signal.SIGHUP)
    wait_for("a second good reload", lambda: metric(port, 'proviso_policy_reloads_total{result="ok"}') >= 2)
    time.sleep(0.3)
    print("ok: a good rule set is swapped in, by --watch and by SIGHUP")


def stop_cleanly(port, log_path, server):
    """A clean stop flushes one receipt per decision."""
    decisions = sum(metric(port, f'proviso_decisions_total{{outcome="{o}"}}')
                    for o in ("permitted", "denied", "undetermined", "conflict", "not_applicable"))
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        fail("serve did not stop on SIGTERM")
    if code != 0:
        fail(f"serve exited {code}")
    entries = [json.loads(line) for line in open(log_path, encoding="utf-8")]
    if len(entries) != decisions:
        fail(f"the decision log has {len(entries)} receipts for {decisions:.0f} decisions")
    if any("request" in entry for entry in entries):
        fail("the log holds requests without --log-requests")
    print(f"ok: stopped cleanly; the decision log holds {len(entries)} receipts, one per decision")


if __name__ == "__main__":
    main()
