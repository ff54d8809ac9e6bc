"""A real browser for the review-page tests: Debian's chromium, headless,
driven over the DevTools protocol on a pipe (--remote-debugging-pipe) with
Python's standard library only.

The page under test holds no script; the tests read the rendered DOM with
Runtime.evaluate, which is DevTools' own instrumentation and needs nothing
in the page. Every request the page makes is recorded (Network domain), so
a test can assert that nothing but the page's own files and data: URIs was
asked for."""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

import lib

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# The flags that work on this kind of machine (no sandbox as root, no GPU,
# no background connections to Google's hosts, which a closed network
# refuses).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio",
         "--hide-scrollbars", "--remote-debugging-pipe"]


class BrowserError(Exception):
    pass


def _high(fd):
    import fcntl
    h = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return h


class Browser:
    """One headless chromium with a fresh, empty profile."""

    def __init__(self, timeout=60):
        if not os.path.exists(CHROMIUM):
            raise AssertionError("chromium is not installed (make deps "
                                 "installs Debian's chromium)")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=lib.TMP_ROOT)
        # fd 3: commands to the browser; fd 4: its answers and events
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()
        # the child's ends above 3 and 4, so the shell's dup cannot clobber
        # one with the other
        cmd_r, res_w = [_high(fd) for fd in (cmd_r, res_w)]
        args = [CHROMIUM] + FLAGS + ["--user-data-dir=" + self.profile,
                                     "about:blank"]
        # dup the pipe ends onto 3 and 4 in bash (dash takes no fd above 9),
        # not in preexec_fn
        # (the test runner has threads)
        script = 'exec 3<&%d 4>&%d %d<&- %d>&-; exec "$@"' % (
            cmd_r, res_w, cmd_r, res_w)
        self.proc = subprocess.Popen(
            ["bash", "-c", script, "bash"] + args, pass_fds=(cmd_r, res_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        os.close(cmd_r)
        os.close(res_w)
        self._buf = b""
        self._id = 0
        self.events = []
        self.session = None

    # ---- the protocol ----

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.time()
            if left <= 0:
                raise BrowserError("no answer from chromium in time")
            r, _, _ = select.select([self._res_r], [], [], left)
            if not r:
                continue
            chunk = os.read(self._res_r, 1 << 20)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")
                raise BrowserError("chromium closed the pipe:\n" + err[-3000:])
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=True, timeout=None):
        """Sends one command; returns its result (events that arrive
        meanwhile are kept in self.events)."""
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._cmd_w, data)
            data = data[n:]
        deadline = time.time() + (timeout or self.timeout)
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise BrowserError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=None):
        deadline = time.time() + (timeout or self.timeout)
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    # ---- what the tests use ----

    def open(self, url, width=1280, height=900, mobile=False):
        """A new tab of @width x @height CSS pixels showing @url, loaded
        (the load event: every image has loaded or failed)."""
        t = self.send("Target.createTarget", {"url": "about:blank"},
                      session=False)
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": t["targetId"],
                                  "flatten": True},
                                 session=False)["sessionId"]
        self.events = []
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height,
                   "deviceScaleFactor": 1, "mobile": mobile})
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (by value)."""
        r = self.send("Runtime.evaluate", {"expression": expression,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise BrowserError("evaluate: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def requests(self):
        """URLs the page asked for since open()."""
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def console_errors(self):
        return [e["params"] for e in self.events
                if e.get("method") == "Runtime.exceptionThrown"]

    def screenshot(self, path, full_page=True):
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            m = self.send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
        import base64
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.session = None
            self.send("Browser.close", session=False, timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def file_url(path):
    """file:///... of @path, percent-encoded as the browser reports it."""
    import pathlib
    return pathlib.Path(os.path.abspath(path)).as_uri()


# Everything a test asks of the rendered page, in one evaluation.
DOM_FACTS = r"""
(() => {
  const text = e => e ? e.textContent : null;
  const imgs = [...document.images].map(i => ({
    src: i.getAttribute('src'), alt: i.getAttribute('alt'),
    complete: i.complete, naturalWidth: i.naturalWidth,
    naturalHeight: i.naturalHeight,
    width: i.getBoundingClientRect().width,
    height: i.getBoundingClientRect().height,
    file: i.closest('figure') ? i.closest('figure').dataset.file : null}));
  const outputs = [...document.querySelectorAll('figure.output')].map(f => ({
    file: f.dataset.file, preset: f.dataset.preset, lang: f.dataset.lang,
    group: f.closest('.lang-group') ? f.closest('.lang-group').dataset.lang
                                    : null,
    flags: f.dataset.flags ? f.dataset.flags.split(' ') : [],
    attention: f.dataset.attention,
    marked: f.classList.contains('needs-attention'),
    flagItems: [...f.querySelectorAll('li.flag')].map(l => ({
      flag: l.dataset.flag, text: l.textContent,
      visible: l.getBoundingClientRect().height > 0})),
    notes: [...f.querySelectorAll('li.note')].map(l => l.dataset.note),
    approval: f.querySelector('.approval').dataset.approval,
    approvalText: text(f.querySelector('.approval')),
    audit: f.querySelector('[data-audit]').dataset.audit,
    caption: text(f.querySelector('figcaption')),
    photo: f.closest('section.photo').dataset.input,
    top: f.getBoundingClientRect().top,
    left: f.getBoundingClientRect().left,
    width: f.getBoundingClientRect().width}));
  const alts = [...document.querySelectorAll('li.alt')].map(l => ({
    lang: l.dataset.lang, state: l.dataset.state,
    chars: Number(l.dataset.chars), limit: Number(l.dataset.limit),
    text: text(l.querySelector('.alt-text')),
    count: text(l.querySelector('.count')),
    all: l.textContent,
    photo: l.closest('section.photo').dataset.input,
    visible: l.getBoundingClientRect().height > 0}));
  const photos = [...document.querySelectorAll('section.photo')].map(s => ({
    input: s.dataset.input, heading: text(s.querySelector('h2')),
    text: s.textContent,
    marked: s.classList.contains('needs-attention'),
    campaign: text(s.querySelector('.campaign')),
    lang: text(s.querySelector('.lang')),
    removed: [...s.querySelectorAll('.removed [data-kind]')].map(
      k => k.dataset.kind),
    kept: [...s.querySelectorAll('.kept [data-kind]')].map(
      k => k.dataset.kind)}));
  return {
    title: document.title, scripts: document.scripts.length,
    bodyText: document.body.innerText,
    problems: [...document.querySelectorAll('.problems li')].map(
      l => l.textContent),
    summary: Object.fromEntries([...document.querySelectorAll(
      '[data-count]')].map(e => [e.dataset.count, e.textContent])),
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    imgs, outputs, alts, photos};
})()
"""


def page_facts(page, width=1280, height=900, mobile=False, shot=None):
    """Opens @page (a file on disk) in a fresh headless chromium and returns
    (DOM facts, URLs requested)."""
    with Browser() as b:
        b.open(file_url(page), width=width, height=height, mobile=mobile)
        facts = b.evaluate(DOM_FACTS)
        if shot:
            b.screenshot(shot)
        return facts, b.requests()
