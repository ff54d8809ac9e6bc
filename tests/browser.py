"""A real browser for the review-page tests: Debian's chromium, headless,
driven over the DevTools protocol on a pipe (--remote-debugging-pipe) with
Python's standard library only.

review.html holds no script; the tests read the rendered DOM with
Runtime.evaluate, which is DevTools' own instrumentation and needs nothing
in the page. The desk (attache serve) is an application: a Tab clicks,
types, presses keys, picks and drops files with the Input and DOM domains
(real input events, as a person's), opens other browser contexts (another
person's cookies), and runs axe-core (tests/js, npm, pinned) in the page. Every request the page makes is recorded (Network domain), so
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
        self.tab = None

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
        if isinstance(session, str):
            msg["sessionId"] = session
        elif session and self.session:
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

    def wait_event(self, method, timeout=None, session=None):
        """The next event @method (of @session's tab, else of any)."""
        deadline = time.time() + (timeout or self.timeout)
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and (
                        session is None or e.get("sessionId") == session):
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    # ---- what the tests use ----

    def open(self, url, width=1280, height=900, mobile=False):
        """A new tab of @width x @height CSS pixels showing @url, loaded
        (the load event: every image has loaded or failed). The Browser's
        own evaluate(), screenshot()... then act on it."""
        self.tab = self.new_tab(url, width=width, height=height,
                                mobile=mobile)
        self.session = self.tab.session
        return self.tab

    def new_tab(self, url, width=1280, height=900, mobile=False,
                isolated=False):
        """A new Tab showing @url, loaded. @isolated: in a browser context
        of its own (its own cookies and storage, as another person's
        browser would be)."""
        params = {"url": "about:blank"}
        if isolated:
            params["browserContextId"] = self.send(
                "Target.createBrowserContext", {"disposeOnDetach": True},
                session=False)["browserContextId"]
        t = self.send("Target.createTarget", params, session=False)
        sid = self.send("Target.attachToTarget",
                        {"targetId": t["targetId"], "flatten": True},
                        session=False)["sessionId"]
        tab = Tab(self, sid)
        tab.send("Page.enable")
        tab.send("Network.enable")
        tab.send("Runtime.enable")
        tab.send("DOM.enable")
        tab.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height,
                  "deviceScaleFactor": 1, "mobile": mobile})
        tab.navigate(url)
        return tab

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (by value)."""
        return self.tab.evaluate(expression)

    def requests(self):
        """URLs the page asked for since open()."""
        return self.tab.requests()

    def console_errors(self):
        return self.tab.console_errors()

    def screenshot(self, path, full_page=True):
        self.tab.screenshot(path, full_page)

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


class Tab:
    """One tab of a Browser: what a person does in it (click, type, drop
    files, press keys) through the Input domain, as real input events."""

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.seen = []  # this tab's events, as they were taken

    def send(self, method, params=None, timeout=None):
        return self.browser.send(method, params, session=self.session,
                                 timeout=timeout)

    def _mine(self):
        b = self.browser
        keep = []
        for e in b.events:
            (self.seen if e.get("sessionId") == self.session
             else keep).append(e)
        b.events[:] = keep
        return self.seen

    def navigate(self, url):
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", session=self.session)

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (by value;
        promises awaited)."""
        r = self.send("Runtime.evaluate", {"expression": expression,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise BrowserError("evaluate: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def wait_for(self, expression, timeout=30, what=None):
        """Polls @expression until it is truthy; returns its value."""
        deadline = time.time() + timeout
        probe = "(() => { const v = (%s); return v instanceof Node || v; })()" % expression
        while True:
            v = self.evaluate(probe)
            if v:
                return v
            if time.time() > deadline:
                raise BrowserError("timed out waiting for %s" %
                                   (what or expression))
            time.sleep(0.1)

    def box(self, selector):
        """The viewport box {x, y, width, height} of the first element
        matching @selector, scrolled into view."""
        b = self.evaluate("""(() => {
          const e = document.querySelector(%s);
          if (!e) return null;
          e.scrollIntoView({block: 'center', inline: 'center'});
          const r = e.getBoundingClientRect();
          return {x: r.left, y: r.top, width: r.width, height: r.height};
        })()""" % json.dumps(selector))
        if not b:
            raise BrowserError("no element %s" % selector)
        return b

    def click(self, selector, fx=0.5, fy=0.5):
        """A left click at (@fx, @fy) of the element's box (fractions):
        mouse moved, pressed and released there, as a person's click."""
        b = self.box(selector)
        x, y = b["x"] + fx * b["width"], b["y"] + fy * b["height"]
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y, clickCount=1)
        self.mouse("mouseReleased", x, y, clickCount=1)
        return x, y

    def mouse(self, kind, x, y, **extra):
        params = {"type": kind, "x": x, "y": y, "button": "left",
                  "buttons": 1 if kind != "mouseReleased" else 0}
        params.update(extra)
        self.send("Input.dispatchMouseEvent", params)

    def drag(self, selector, frm, to, steps=5):
        """Presses the mouse at @frm, moves it to @to, releases it (both
        (fx, fy) of the element's box)."""
        b = self.box(selector)
        pt = lambda f: (b["x"] + f[0] * b["width"], b["y"] + f[1] * b["height"])
        (x0, y0), (x1, y1) = pt(frm), pt(to)
        self.mouse("mouseMoved", x0, y0, buttons=0)
        self.mouse("mousePressed", x0, y0, clickCount=1)
        for i in range(1, steps + 1):
            self.mouse("mouseMoved", x0 + (x1 - x0) * i / steps,
                       y0 + (y1 - y0) * i / steps)
        self.mouse("mouseReleased", x1, y1, clickCount=1)

    def focus(self, selector):
        if not self.evaluate("(() => { const e = document.querySelector(%s);"
                             " if (!e) return false; e.focus(); "
                             "return document.activeElement === e; })()"
                             % json.dumps(selector)):
            raise BrowserError("cannot focus %s" % selector)

    def type(self, selector, text, replace=True):
        """Types @text into the element (focused first; with @replace, what
        it held is selected and typed over), as the keyboard would: input
        events fire."""
        self.click(selector)
        self.focus(selector)
        if replace:
            self.evaluate("(() => { const e = document.activeElement; "
                          "if (e.select) e.select(); })()")
            self.key("Delete")
        self.send("Input.insertText", {"text": text})

    KEYS = {"Enter": (13, "\r"), "Tab": (9, ""), "Escape": (27, ""),
            "Delete": (46, ""), "Backspace": (8, ""), " ": (32, " "),
            "ArrowLeft": (37, ""), "ArrowUp": (38, ""),
            "ArrowRight": (39, ""), "ArrowDown": (40, "")}

    def key(self, key, modifiers=0):
        """Presses and releases one key (a name of KEYS) on the focused
        element."""
        code, text = self.KEYS[key]
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key,
                "code": key if len(key) > 1 else "Space",
                "windowsVirtualKeyCode": code, "modifiers": modifiers}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent",
                  {"type": "keyUp", "key": key, "code": down["code"],
                   "windowsVirtualKeyCode": code, "modifiers": modifiers})

    def node(self, selector):
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        n = self.send("DOM.querySelector", {"nodeId": root,
                                             "selector": selector})["nodeId"]
        if not n:
            raise BrowserError("no element %s" % selector)
        return n

    def set_files(self, selector, paths):
        """Picks @paths in the file input @selector (the file picker's
        answer: a change event fires)."""
        self.send("DOM.setFileInputFiles",
                  {"nodeId": self.node(selector),
                   "files": [os.path.abspath(p) for p in paths]})

    def drop_files(self, selector, paths):
        """Drags @paths from outside the browser onto the element (its
        middle) and drops them: dragenter, dragover and drop fire with a
        DataTransfer holding the files, as a drop from a file manager."""
        b = self.box(selector)
        x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        data = {"items": [], "files": [os.path.abspath(p) for p in paths],
                "dragOperationsMask": 1}
        for kind in ("dragEnter", "dragOver", "drop"):
            self.send("Input.dispatchDragEvent",
                      {"type": kind, "x": x, "y": y, "data": data})

    def requests(self):
        """URLs the page asked for since it was opened."""
        return [e["params"]["request"]["url"] for e in self._mine()
                if e.get("method") == "Network.requestWillBeSent"]

    def console_errors(self):
        return [e["params"] for e in self._mine()
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

    def png_of(self, selector):
        """The element's pixels as the page shows them (PNG bytes of its
        box in the viewport)."""
        import base64
        b = self.box(selector)
        data = self.send("Page.captureScreenshot", {
            "format": "png", "clip": dict(b, scale=1)})["data"]
        return base64.b64decode(data)

    def axe(self, axe_js, context="document"):
        """Runs axe-core (@axe_js: the path of axe.min.js) in the page;
        returns its violations [{id, impact, help, nodes: [target...]}]."""
        with open(axe_js, encoding="utf-8") as f:
            src = f.read()
        if not self.evaluate("typeof window.axe === 'object'"):
            r = self.send("Runtime.evaluate", {"expression": src})
            if "exceptionDetails" in r:
                raise BrowserError("axe: %s" % r["exceptionDetails"])
        return self.evaluate("""axe.run(%s, {resultTypes: ['violations']})
          .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
            help: v.help, nodes: v.nodes.map(n => n.target.join(' ') +
              ': ' + n.failureSummary)})))""" % context)


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
