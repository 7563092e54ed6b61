#!/usr/bin/env python3
"""The playground page, checked two ways.

1. Static: the page is well-formed HTML, its embedded vocabulary is valid JSON,
   and it calls only POST /v1/explain and POST /v1/decide.
2. End to end in headless Chromium (Debian's `chromium`), against
   `proviso serve --playground PAGE` (or, in a build without `serve`, a small
   stand-in that answers the two endpoints by running `proviso eval`); the
   page is opened with the ICE request, then with one fact edited (the signer),
   and the decision and the explanation shown must change. Exits 77 (skipped,
   with a message) when Chromium is not installed.

usage: check.py PATH/TO/proviso
"""
import html.parser, http.server, json, os, re, shutil, socket, subprocess, sys, threading, time, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "server/playground/index.html")
PROVISO = os.path.abspath(sys.argv[1])
VOID = {"meta", "input", "br", "img", "link", "hr"}


class Balance(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()


def static_checks(text):
    b = Balance()
    b.feed(text)
    assert not b.errors and not b.stack, (b.errors, b.stack)
    data = re.search(r'<script id="vocabulary" type="application/json">(.*?)</script>', text, re.S).group(1)
    vocabulary = json.loads(data)
    assert len(vocabulary["facts"]) > 50 and vocabulary["scenarios"], "vocabulary and scenarios embedded"
    endpoints = set(re.findall(r'"(/v1/[a-z]+)"', text))
    assert endpoints == {"/v1/explain", "/v1/decide"}, endpoints
    assert not re.search(r"https?://", re.sub(r'<script id="vocabulary".*?</script>', "", text, flags=re.S)), "no outside URLs"
    print(f"static: well-formed, {len(vocabulary['facts'])} facts, endpoints {sorted(endpoints)}")
    return vocabulary


class StandIn(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.split("#")[0] == "/playground":
            body = open(PAGE, "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path not in ("/v1/explain", "/v1/decide"):
            return self.send_error(404)
        args = [PROVISO, "eval", "--format", "json", "--input-format", "json", "-"]
        if self.path == "/v1/explain":
            args[4:4] = ["--explain", "full"]
        run = subprocess.run(args, input=body, capture_output=True, timeout=30)
        self.send_response(200 if run.returncode == 0 else 400)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(run.stdout if run.returncode == 0 else json.dumps({"error": run.stderr.decode()}).encode())


def dom(chromium, url):
    run = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--virtual-time-budget=20000", "--dump-dom", url], capture_output=True, timeout=120)
    return run.stdout.decode()


def shown(page):
    decision = re.search(r'<div id="decision"[^>]*>(.*?)</div>', page, re.S)
    explanation = re.search(r'<div id="explanation">(.*)</div>', page, re.S)
    return (decision.group(1).strip() if decision else None, explanation.group(1) if explanation else "")


def main():
    static_checks(open(PAGE, encoding="utf-8").read())
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: Chromium is not installed (apt-get install chromium); the browser test did not run")
        return 77
    server, serve = None, None
    if subprocess.run([PROVISO, "serve", "--help"], capture_output=True).returncode == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        serve = subprocess.Popen([PROVISO, "serve", "--host", "127.0.0.1", "--port", str(port), "--playground", PAGE],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        print("server: proviso serve")
    else:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        print("server: stand-in running proviso eval")
    base = f"http://127.0.0.1:{port}/playground"
    request = json.load(open(os.path.join(ROOT, "examples/ice-address-verification.json")))
    before = shown(dom(chromium, base + "#request=" + urllib.parse.quote(json.dumps(request))))
    request["request"]["signed_by"] = "head_of_agency"  # the edit a trainer makes in the form
    after = shown(dom(chromium, base + "#request=" + urllib.parse.quote(json.dumps(request))))
    if server:
        server.shutdown()
    if serve:
        serve.terminate()
        serve.wait(timeout=10)
    print(f"browser: before the edit {before[0]!r}, after {after[0]!r}")
    assert before[0] == "denied", before[0]
    assert after[0] == "permitted", after[0]
    assert "Closest exceptions" in before[1] and "What would change the answer" in before[1], "explanation before"
    assert "Decided by" in after[1] and before[1] != after[1], "explanation changes"
    assert 'href="/handbook/rules/i2_written_request.html"' in before[1], "citations link to the handbook"
    return 0


if __name__ == "__main__":
    sys.exit(main())
