#!/usr/bin/env python3
"""`proviso serve` under stress (issue 8): limits, slow clients, load, reload, SIGTERM.

Usage: stress.py PATH/TO/proviso [--quick] [--wrk-seconds N]

  1. a body over --max-body is 413 with a JSON error (E801); malformed JSON is
     400 with a JSON error (E401); a garbage request line is 400 (E806)
  2. a client that sends half a request and stalls is disconnected after
     --read-timeout, while other clients are served
  3. a bounded wrk load on loopback: zero 5xx, RSS before and after (skipped
     when wrk is missing and cannot be installed; --quick runs it for 2 s)
  4. reload under load: 8 client threads, a reload every 10 ms, every 5th rule
     set invalid: no request fails, and every decision names the digest of a
     valid rule set that was written (never an invalid or a torn one)
  5. SIGTERM during load: the decision log has a whole line for every answered
     request

Exit 0 when all pass, 1 on a failure. Figures are printed for docs/security.md."""
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PROVISO = os.path.abspath(sys.argv[1])
QUICK = "--quick" in sys.argv
WRK_SECONDS = 2 if QUICK else 10
if "--wrk-seconds" in sys.argv:
    WRK_SECONDS = int(sys.argv[sys.argv.index("--wrk-seconds") + 1])
REQUEST = json.dumps({"recipient": {"kind": "federal_agency"}, "request": {"in_writing": True}})
failures = []


def check(condition, what):
    print(("ok: " if condition else "FAIL: ") + what, flush=True)
    if not condition:
        failures.append(what)


class Server:
    def __init__(self, *args):
        self.process = subprocess.Popen([PROVISO, "serve", "--port", "0", *args], stderr=subprocess.PIPE, text=True)
        self.lines = []
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            m = re.search(r"listening on http://[^:]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                threading.Thread(target=self._drain, daemon=True).start()
                return
        raise RuntimeError("the server did not start: " + "".join(self.lines))

    def _drain(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def post(self, body, path="/v1/decide", content_type="application/json", timeout=10):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def read_response(sock):
    """One whole HTTP response: the server may write the head and the body separately."""
    data = b""
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            length = re.search(rb"(?im)^content-length:\s*(\d+)", data[:head_end])
            if length and len(data) >= head_end + 4 + int(length.group(1)):
                break
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def limits_and_errors():
    server = Server("--max-body", "65536", "--read-timeout", "1")
    try:
        status, body = server.post("{" + " " * 70000 + "}")
        check(status == 413 and error_code(body) == "E801", f"a body over --max-body is 413 with E801 (got {status})")
        status, body = server.post('{"recipient": {"kind": ')
        check(status == 400 and error_code(body) == "E401", f"malformed JSON is 400 with a JSON error E401 (got {status})")
        status, body = server.post('{"request": {"in_writing": true, "in_writing": false}}')
        check(status == 400 and error_code(body) == "E412", f"a duplicate key is 400 with E412 (got {status})")
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"HELLO WORLD\r\n\r\n")
            answer = read_response(s)
        check(answer.startswith("HTTP/1.1 400") and '"E806"' in answer, "a garbage request line is 400 with a JSON error E806")

        # A slow client: half the headers, then nothing. It must be cut off after the
        # read timeout (1 s here), and others are served meanwhile.
        start = time.time()
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        slow.sendall(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"rec")
        status, _ = server.post(REQUEST)
        check(status == 200, "other clients are answered while a slow client stalls")
        try:
            data = slow.recv(65536)
            closed_after = time.time() - start
            check(closed_after < 5, f"the stalled client is disconnected after {closed_after:.1f} s (read timeout 1 s)")
            if data:
                print("   (it was answered before the close: " + data.decode("latin-1").splitlines()[0] + ")")
        except socket.timeout:
            check(False, "the stalled client is disconnected within 10 s")
        finally:
            slow.close()
    finally:
        server.stop()


def find_wrk():
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if os.geteuid() != 0:
        install = ["sudo", "-n"] + install
    try:
        subprocess.run(install, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return shutil.which("wrk")


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) server_errors = 0 end
function response(status, headers, body) if status >= 500 then server_errors = server_errors + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("server_errors") end
  io.write(string.format("5xx: %%d\\n", total))
end
""" % REQUEST.replace("'", "\\'")


def load_test(work):
    wrk = find_wrk()
    if not wrk:
        print("skip: wrk is not installed and cannot be installed; no load figures")
        return None
    script = os.path.join(work, "post.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    log = os.path.join(work, "load-log.jsonl")
    server = Server("--threads", "4", "--decision-log", log)
    figures = {}
    try:
        for _ in range(50):
            server.post(REQUEST)
        figures["rss_before_kib"] = server.rss_kib()
        runs = []
        for run in range(2):  # the second run shows whether memory keeps growing
            out = subprocess.run([wrk, "-t2", "-c16", f"-d{WRK_SECONDS}s", "-s", script, f"http://127.0.0.1:{server.port}/v1/decide"],
                                 capture_output=True, text=True, timeout=WRK_SECONDS + 60).stdout
            requests = int(re.search(r"(\d+) requests in", out).group(1))
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            fivexx = int(re.search(r"5xx: (\d+)", out).group(1))
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            socket_errors = re.search(r"Socket errors: (.*)", out)
            latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
            runs.append({"requests": requests, "rate": rate, "5xx": fivexx, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                         "socket_errors": socket_errors.group(1) if socket_errors else "none",
                         "latency_avg": latency.group(1) if latency else "?", "rss_kib": server.rss_kib()})
        figures["runs"] = runs
    finally:
        server.stop()
    with open(log) as f:
        logged = sum(1 for _ in f)
    for i, run in enumerate(runs):
        print(f"   wrk run {i + 1}: {run['requests']} requests in {WRK_SECONDS} s ({run['rate']:.0f}/s, mean latency "
              f"{run['latency_avg']}), 5xx {run['5xx']}, non-2xx {run['non_2xx']}, socket errors {run['socket_errors']}, "
              f"RSS {run['rss_kib']} KiB")
    print(f"   RSS before load {figures['rss_before_kib']} KiB; decision log lines {logged}")
    check(all(r["5xx"] == 0 and r["non_2xx"] == 0 for r in runs), "the wrk load gets no 5xx (and no other non-2xx)")
    growth = runs[1]["rss_kib"] - runs[0]["rss_kib"]
    if os.environ.get("PROVISO_SANITIZED") == "asan":
        # ASan holds freed memory in quarantine (up to 256 MiB), so RSS grows under any load; LeakSanitizer
        # checks the server for leaks when it exits instead (a leak makes the clean-exit checks below fail).
        print(f"skipped: memory flatness under ASan (second run grew RSS by {growth} KiB, ASan's quarantine)")
    else:
        check(growth < max(8192, runs[0]["rss_kib"] // 5), f"memory is flat across load runs (second run grew RSS by {growth} KiB)")
    return figures


RULES = """fact recipient.kind : bool "the recipient is an agency"
fact request.in_writing : bool "the request is in writing"
rule general_rule forbid
  cite "x(a)"
  when request.in_writing "the request is in writing"
rule version_{n} permit
  cite "x(b)"
  title "rule set version {n}"
  exception to general_rule
  when recipient.kind "the recipient is an agency"
"""


def digest(manifest, rules):
    data = b"proviso.yaml\0" + manifest.encode() + b"\0" + b"rules.proviso\0" + rules.encode() + b"\0"
    return "sha256:" + hashlib.sha256(data).hexdigest()


def reload_under_load(work):
    folder = os.path.join(work, "reloading")
    os.makedirs(folder)
    manifest = "name: reloading\n"
    with open(os.path.join(folder, "proviso.yaml"), "w") as f:
        f.write(manifest)
    valid = set()
    first = RULES.format(n=0)
    with open(os.path.join(folder, "rules.proviso"), "w") as f:
        f.write(first)
    valid.add(digest(manifest, first))
    server = Server("--rules", folder, "--threads", "8")
    stop = threading.Event()
    results = {"ok": 0, "failed": [], "digests": set()}
    lock = threading.Lock()
    body = json.dumps({"recipient": {"kind": True}, "request": {"in_writing": True}})

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        while not stop.is_set():
            try:
                connection.request("POST", "/v1/decide", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
                decision = json.loads(data) if response.status == 200 else None
                with lock:
                    if response.status != 200:
                        results["failed"].append(f"status {response.status}: {data[:200]!r}")
                    else:
                        results["ok"] += 1
                        results["digests"].add(decision["ruleset"]["digest"])
            except (OSError, http.client.HTTPException, ValueError) as e:
                with lock:
                    results["failed"].append(repr(e))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    reloads, invalid_written = 0, 0
    end = time.time() + (3 if QUICK else 8)
    n = 0
    while time.time() < end:
        n += 1
        text = RULES.format(n=n)
        if n % 5 == 0:
            # Invalid at its very end: a reload that read the file half-written would see a valid, unknown rule set.
            text += "rule broken permit cite \"x(c)\" exception to no_such_rule when request.in_writing\n"
            invalid_written += 1
        else:
            valid.add(digest(manifest, text))
        with open(os.path.join(folder, "rules.proviso"), "w") as f:  # rewritten in place, not renamed
            f.write(text)
        server.process.send_signal(signal.SIGHUP)
        reloads += 1
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join()
    code = server.stop()
    log = "".join(server.lines)
    accepted = log.count("now serving")
    rejected = log.count("rejected")
    print(f"   reload under load: {reloads} rule-set writes with SIGHUP ({invalid_written} invalid), {accepted} reloads "
          f"accepted, {rejected} rejected; {results['ok']} requests answered by 8 threads; {len(results['digests'])} "
          f"distinct rule sets served")
    check(not results["failed"], f"no request failed during reloads ({len(results['failed'])} failed: {results['failed'][:3]})")
    unknown = results["digests"] - valid
    check(not unknown, f"every decision names a valid rule set that was written ({len(unknown)} unknown digests)")
    check(rejected > 0 and accepted > 0, "both valid and invalid rule sets were reloaded while under load")
    check(code == 0, f"the server stopped cleanly (exit {code})")


def sigterm_during_load(work):
    log = os.path.join(work, "sigterm-log.jsonl")
    server = Server("--threads", "4", "--decision-log", log)
    answered = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                status, _ = server.post(REQUEST, timeout=5)
                if status == 200:
                    with lock:
                        answered[0] += 1
            except (OSError, http.client.HTTPException):
                if server.process.poll() is not None:
                    return
    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0 if QUICK else 3.0)
    server.process.send_signal(signal.SIGTERM)
    code = server.process.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join()
    with open(log) as f:
        lines = f.read().split("\n")
    complete = [line for line in lines if line]
    try:
        whole = all(isinstance(json.loads(line), dict) for line in complete)
    except ValueError:
        whole = False
    print(f"   SIGTERM during load: {answered[0]} requests answered, {len(complete)} decision log lines")
    check(code == 0, f"SIGTERM stops the server cleanly (exit {code})")
    check(whole and lines[-1] == "", "every decision log line is whole JSON, ending in a newline")
    check(len(complete) >= answered[0], "the decision log has a line for every answered request")
    check(len(complete) <= answered[0] + 8, "and at most one more per client in flight")


def main():
    work = tempfile.mkdtemp()
    try:
        limits_and_errors()
        load_test(work)
        reload_under_load(work)
        sigterm_during_load(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"server stress: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
