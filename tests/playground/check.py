#!/usr/bin/env python3
"""The playground page, checked two ways.

1. Static: the page is well-formed HTML, its embedded vocabulary is valid JSON,
   and it calls only POST /v1/explain and POST /v1/decide.
2. End to end in headless Chromium (Debian's `chromium`, driven over the
   DevTools protocol on a pipe), against `proviso serve --playground PAGE
   --handbook docs/handbook`: the page opens with the ICE request without its
   signer (undetermined; the next question shown is the signer); the test sets
   the signer in the generated form, as a trainer would, to the acting ICE
   Director (denied), then to the head of the agency, and the decision,
   summary and explanation shown must change (permitted). Every
   handbook link the explanation shows must then resolve on the running server
   (HTTP 200), and unknown pages or escapes from the handbook folder must not.
   Exits 77 (skipped, with a message) when Chromium is not installed.

usage: check.py PATH/TO/proviso
"""
import base64, fcntl, html.parser, json, os, re, select, shutil, socket, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "server/playground/index.html")
PROVISO = os.path.abspath(sys.argv[1])
# PROVISO_SCREENSHOTS=docs/images writes the screenshots docs/trainers.md shows, from this same run.
SCREENSHOTS = os.environ.get("PROVISO_SCREENSHOTS")
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


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe
    (--remote-debugging-pipe: commands on fd 3, events and replies on fd 4,
    each message a JSON object ended by a NUL byte): no extra packages."""

    def __init__(self, chromium):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Chromium's ends moved above 10 first, so wiring them to 3 and 4 in the
        # child never overwrites one with the other; dup2 makes 3 and 4 survive exec.
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.profile = tempfile.mkdtemp(prefix="proviso-chromium-")

        def wire():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "--window-size=1280,900", "about:blank"],
            close_fds=False, preexec_fn=wire, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(child_in)
        os.close(child_out)
        self.buffer, self.next_id, self.session = b"", 0, None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method, params=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
            if time.time() > deadline:
                raise TimeoutError(f"{method}: no reply from Chromium within {timeout} s")
            ready, _, _ = select.select([self.from_browser], [], [], 1)
            if ready:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self.buffer += chunk

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        deadline, error = time.time() + timeout, None
        while time.time() < deadline:
            try:  # the page may not have loaded yet: an error is "not yet"
                value = self.evaluate(expression)
            except RuntimeError as e:
                value, error = None, e
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"waited {timeout} s for {expression} (last error: {error})")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


SHOWN = """(() => ({decision: document.getElementById("decision").className,
                    summary: document.getElementById("summary").textContent,
                    explanation: document.getElementById("explanation").innerText,
                    links: [...document.querySelectorAll("#explanation a")].map((a) => a.getAttribute("href"))}))()"""


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def handbook_checks(origin, links):
    """Every handbook link the playground shows resolves on the running server;
    unknown pages and escapes from the folder get a 404 with a JSON error."""
    handbook_links = sorted({link for link in links if link.startswith("/handbook/")})
    assert handbook_links, f"the explanation links no provision to the handbook: {links}"
    for link in handbook_links:
        status, kind, body = fetch(origin + link)
        assert status == 200 and kind.startswith("text/html") and "<h1" in body, f"{link}: {status} {kind}"
    status, _, body = fetch(origin + "/handbook/")
    assert status == 200 and "rules/i2_written_request.html" in body, f"/handbook/: {status}"
    for bad in ["/handbook/rules/no_such_rule.html", "/handbook/../README.md", "/handbook/..%2f..%2fCMakeLists.txt",
                "/handbook/%2e%2e/%2e%2e/CMakeLists.txt", "/handbook//etc/passwd", "/handbook/rules/../../../CMakeLists.txt"]:
        status, kind, body = fetch(origin + bad)
        assert status in (400, 404) and "cmake_minimum_required" not in body, f"{bad}: {status}"
        if status == 404:
            assert json.loads(body)["error"]["code"] == "E802", f"{bad}: {body[:200]}"
    print(f"handbook: {len(handbook_links)} citation links from the playground resolve (HTTP 200); unknown pages and escapes get 404")


def main():
    static_checks(open(PAGE, encoding="utf-8").read())
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: Chromium is not installed (apt-get install chromium); the browser test did not run")
        return 77
    if subprocess.run([PROVISO, "serve", "--help"], capture_output=True).returncode != 0:
        print("SKIP: this proviso was built without `serve`; the browser test needs it")
        return 77
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = subprocess.Popen([PROVISO, "serve", "--host", "127.0.0.1", "--port", str(port), "--playground", PAGE,
                              "--handbook", os.path.join(ROOT, "docs/handbook")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    browser = None
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(origin + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        browser = Browser(chromium)
        request = json.load(open(os.path.join(ROOT, "examples/ice-address-verification.json")))
        signer = request["request"].pop("signed_by")  # the ICE request without its signer: undetermined
        browser.call("Page.navigate", {"url": origin + "/playground#request=" + urllib.parse.quote(json.dumps(request))})
        open_ = json.loads(browser.wait_for(f"document.getElementById('decision').className === 'undetermined' && JSON.stringify({SHOWN})"))
        assert "Ask next" in open_["explanation"] and "request.signed_by" in open_["explanation"], "the next question is the signer"
        if SCREENSHOTS:
            browser.screenshot(os.path.join(SCREENSHOTS, "playground-undetermined.png"))

        def choose(path, value):
            # The edit a trainer makes: a menu in the generated form, then the change event the page listens to.
            return browser.evaluate(f"""(() => {{
                const menu = document.querySelector('#fields select[data-path="{path}"]');
                if (!menu) return false;
                menu.value = "{value}";
                menu.dispatchEvent(new Event("change", {{bubbles: true}}));
                return menu.value === "{value}";
            }})()""")

        assert choose("request.signed_by", signer), f"the form has a menu for request.signed_by with {signer}"
        before = json.loads(browser.wait_for(f"document.getElementById('decision').className === 'denied' && JSON.stringify({SHOWN})"))
        if SCREENSHOTS:
            browser.screenshot(os.path.join(SCREENSHOTS, "playground-denied.png"))
        assert choose("request.signed_by", "head_of_agency"), "the form has a menu for request.signed_by with head_of_agency"
        after = json.loads(browser.wait_for(f"document.getElementById('decision').className === 'permitted' && JSON.stringify({SHOWN})"))
        if SCREENSHOTS:
            browser.screenshot(os.path.join(SCREENSHOTS, "playground-permitted.png"))
        print(f"browser: without a signer {open_['decision']!r} (asks for it next); signed by {signer} {before['decision']!r}; "
              f"by the head of the agency {after['decision']!r}")
        assert before["decision"] == "denied" and after["decision"] == "permitted"
        assert "Closest exceptions" in before["explanation"] and "What would change the answer" in before["explanation"], "explanation before"
        assert "Decided by" in after["explanation"] and before["explanation"] != after["explanation"], "explanation changes"
        assert before["summary"] != after["summary"], "summary changes"
        assert "/handbook/rules/i2_written_request.html" in before["links"], "citations link to the handbook"
        handbook_checks(origin, before["links"] + after["links"])
    finally:
        if browser:
            browser.close()
        serve.terminate()
        serve.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
