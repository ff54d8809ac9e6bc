"""Helpers for the CLI tests: run the built attache, read images back with
tools that do not share attache's code (vipsheader, exiftool)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("ATTACHE_BUILD", os.path.join(ROOT, "build"))
ATTACHE = os.path.join(BUILD, "attache")
PHONE = os.path.normpath(os.path.join(ROOT, "..", "shared", "samples", "phone"))
SAMPLES = os.path.join(ROOT, "samples")
PRESETS = os.path.join(ROOT, "presets")
TMP_ROOT = os.path.join(ROOT, "tests", "tmp")
SANITIZED = os.environ.get("ATTACHE_SANITIZED") == "1"
# make soak: the longer forms of some make check tests (every preset on
# every phone photo); make check runs their shorter form
SOAK = os.environ.get("ATTACHE_SOAK") == "1"
# make asan: ASan, LSan and UBSan write their reports under this folder
# (log_path), one subfolder per test, so that tests/run.py fails the test
# whose processes reported, whatever their exit status (a leak in a run
# that is meant to exit 1 would otherwise pass unseen).
SANITIZER_LOGS = os.environ.get("ATTACHE_SANITIZER_LOGS")
_current = threading.local()


class Skip(Exception):
    pass


def skip(why):
    raise Skip(why)


def serial(fn):
    """Marks a test that must not run alongside others (timing)."""
    fn.serial = True
    return fn


def phone_photos():
    """The real phone photos beside the checkout; the test is skipped (not
    failed) when the folder is absent."""
    if not os.path.isdir(PHONE):
        skip("../shared/samples/phone is absent")
    return sorted(os.path.join(PHONE, f) for f in os.listdir(PHONE)
                  if not f.endswith((".tsv", ".md")))


def sample_photos():
    return sorted(os.path.join(SAMPLES, f) for f in os.listdir(SAMPLES)
                  if f.lower().endswith((".jpg", ".png", ".webp", ".heic",
                                         ".tif", ".tiff", ".avif")))


class TempDir:
    """A fresh folder under tests/tmp, removed afterwards unless
    KEEP_TMP=1."""

    def __enter__(self):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.path = tempfile.mkdtemp(dir=TMP_ROOT)
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("KEEP_TMP") != "1":
            shutil.rmtree(self.path, ignore_errors=True)


def sanitizer_folder(label):
    """The report folder of the test @label (None outside make asan)."""
    if not SANITIZER_LOGS:
        return None
    return os.path.join(SANITIZER_LOGS, re.sub(r"[^A-Za-z0-9_.-]+", "_",
                                               label))


def set_current_test(label):
    """Called by tests/run.py in the thread that runs @label."""
    _current.test = label


def sanitizer_env(e):
    """Points @e's sanitizer reports at the running test's folder."""
    folder = sanitizer_folder(getattr(_current, "test", None) or "")
    if folder and getattr(_current, "test", None):
        os.makedirs(folder, exist_ok=True)
        report = os.path.join(folder, "report")
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            e[k] = (e.get(k, "") + ":log_path=" + report).lstrip(":")
    return e


def env(**extra):
    e = dict(os.environ)
    e["ATTACHE_PRESET_DIR"] = PRESETS
    # an empty user config, so the developer's own presets cannot interfere
    e.setdefault("XDG_CONFIG_HOME", os.path.join(TMP_ROOT, "xdg-empty"))
    e["LC_ALL"] = "C.UTF-8"
    e.update({k: v for k, v in extra.items() if v is not None})
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
    return sanitizer_env(e)


def run(*args, input=None, timeout=600, check=None, **envx):
    """Runs build/attache ARGS; returns CompletedProcess (text)."""
    p = subprocess.run([ATTACHE] + [str(a) for a in args], input=input,
                       capture_output=True, text=True, timeout=timeout,
                       env=env(**envx), cwd=ROOT)
    if check is not None and p.returncode != check:
        raise AssertionError(
            "attache %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s" %
            (" ".join(map(str, args)), p.returncode, check, p.stdout[-4000:],
             p.stderr[-4000:]))
    return p


def json_lines(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def header(path):
    """Width, height, bands, format, interpretation, as libvips reads the
    file (vipsheader, a separate program)."""
    out = subprocess.run(["vipsheader", "-a", path], capture_output=True,
                         text=True, check=True).stdout
    h = {}
    for line in out.splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            h[k.strip()] = v.strip()
    return h


def decodes_fully(path):
    """True when the whole image decodes with fail-on=warning (libvips)."""
    p = subprocess.run(["vips", "avg", path + "[fail_on=warning]"],
                       capture_output=True, text=True)
    return p.returncode == 0


def exiftool(path, *args):
    """exiftool -j -a -G1 -s: every tag with its group (the independent
    judge of what metadata a file carries)."""
    out = subprocess.run(["exiftool", "-j", "-a", "-G1", "-s", "-u", "-b"] +
                         list(args) + [path], capture_output=True, text=True)
    return json.loads(out.stdout)[0]


def pixel(path, x, y):
    out = subprocess.run(["vips", "getpoint", path, str(x), str(y)],
                         capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split()]


def assert_eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


# A small preset (cover fit, exact dimensions, JPEG under 200 kB): small
# presets keep the suite fast.
TINY_PRESET_INI = """[preset]
description=test: %(name)s
platform=%(platform)s

[fit]
width=%(w)d
height=%(h)d
mode=cover
crop=centre

[encode]
format=jpeg
max-bytes=200000
"""


def write_presets(pdir, presets):
    """Writes PDIR/NAME.ini for each NAME: (W, H) or (PLATFORM, W, H) of
    @presets (platform "test" when not given)."""
    os.makedirs(pdir, exist_ok=True)
    for name, spec in presets.items():
        platform, w, h = spec if len(spec) == 3 else ("test",) + tuple(spec)
        with open(os.path.join(pdir, name + ".ini"), "w") as f:
            f.write(TINY_PRESET_INI % {"name": name, "platform": platform,
                                       "w": w, "h": h})
    return pdir


def wait_for(cond, timeout, what):
    """cond()'s first true value, polled every 50 ms for @timeout s."""
    import time
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)
