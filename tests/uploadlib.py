"""Helpers for the upload tests: a fake platform server per test
(tests/server/fake_social.py), the environment that points attache at it
with short timeouts, test images, and the check that no secret ever shows
up in what attache prints."""
import hashlib
import json
import os
import subprocess
import urllib.parse

import lib
from server.fake_social import FakeSocial  # noqa: F401 (re-exported)

# Short timeouts and waits, so faults cost fractions of a second.
FAST = {
    "ATTACHE_HTTP_TIMEOUT": "1",
    "ATTACHE_HTTP_RETRY_BASE": "0.02",
    "ATTACHE_HTTP_RETRIES": "4",
    "ATTACHE_HTTP_MAX_WAIT": "4",
    "ATTACHE_HTTP_POLL_INTERVAL": "0.02",
}

# Every variable that changes what `attache upload` does: cleared first so
# the developer's own environment cannot leak into a test.
UPLOAD_VARS = [
    "ATTACHE_X_CONSUMER_KEY", "ATTACHE_X_CONSUMER_SECRET",
    "ATTACHE_X_ACCESS_TOKEN", "ATTACHE_X_ACCESS_SECRET", "ATTACHE_X_BEARER",
    "ATTACHE_X_API", "ATTACHE_MASTODON_URL", "ATTACHE_MASTODON_TOKEN",
    "ATTACHE_BLUESKY_HANDLE", "ATTACHE_BLUESKY_APP_PASSWORD",
    "ATTACHE_BLUESKY_PDS", "ATTACHE_HTTP_TIMEOUT", "ATTACHE_HTTP_RETRIES",
    "ATTACHE_HTTP_RETRY_BASE", "ATTACHE_HTTP_MAX_WAIT",
    "ATTACHE_HTTP_POLL_INTERVAL", "ATTACHE_HTTP_PROCESSING_TIMEOUT",
    "ATTACHE_X_SEGMENT_BYTES", "ATTACHE_BLUESKY_MAX_BYTES",
    "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
    "all_proxy",
]


def credentials(srv, target, oauth=True):
    """The environment variables holding @srv's credentials."""
    if target == "x":
        if oauth:
            return {
                "ATTACHE_X_API": srv.url,
                "ATTACHE_X_CONSUMER_KEY": srv.x_consumer_key,
                "ATTACHE_X_CONSUMER_SECRET": srv.x_consumer_secret,
                "ATTACHE_X_ACCESS_TOKEN": srv.x_token,
                "ATTACHE_X_ACCESS_SECRET": srv.x_token_secret,
            }
        return {"ATTACHE_X_API": srv.url, "ATTACHE_X_BEARER": srv.x_bearer}
    if target == "mastodon":
        return {"ATTACHE_MASTODON_URL": srv.url,
                "ATTACHE_MASTODON_TOKEN": srv.mastodon_token}
    return {"ATTACHE_BLUESKY_PDS": srv.url,
            "ATTACHE_BLUESKY_HANDLE": srv.bsky_handle,
            "ATTACHE_BLUESKY_APP_PASSWORD": srv.bsky_password}


def assert_no_secret(srv, p, extra=()):
    """No credential or session token of @srv, plain or percent-encoded, in
    stdout or stderr."""
    for s in list(srv.secrets()) + list(extra):
        for form in {s, urllib.parse.quote(s, safe="")}:
            for name, text in (("stdout", p.stdout), ("stderr", p.stderr)):
                if form in text:
                    raise AssertionError("a secret (%s...) appears in %s:\n%s"
                                         % (s[:6], name, text[-3000:]))


def upload(srv, tmp, target, *args, check=None, oauth=True, creds=True,
           env=None, timeout=120, allow_no_alt=True):
    """Runs `attache upload --to TARGET ARGS` against @srv with @tmp's
    config and cache folders; checks no secret leaked. @allow_no_alt adds
    --allow-no-alt (most tests upload test images without alt text)."""
    e = {k: None for k in UPLOAD_VARS}
    e.update(FAST)
    e["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
    e["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
    if creds:
        e.update(credentials(srv, target, oauth))
    e.update(env or {})
    extra = ("--allow-no-alt",) if allow_no_alt else ()
    p = lib.run("upload", "--to", target, *extra, *args, check=check,
                timeout=timeout, **e)
    assert_no_secret(srv, p)
    return p


def lines(p):
    return lib.json_lines(p.stdout)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _vips(*args):
    subprocess.run(["vips"] + [str(a) for a in args], check=True,
                   capture_output=True)


def noise_image(path, w, h, q=90):
    """A 3-band image of random pixels (incompressible: its size is
    predictable), saved by libvips' own tool as JPEG or PNG by extension."""
    ppm = path + ".ppm"
    with open(ppm, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        f.write(os.urandom(w * h * 3))
    target = path + ("[Q=%d,strip]" % q if path.endswith(".jpg") else "")
    _vips("copy", ppm, target)
    os.unlink(ppm)
    return path


def flat_jpeg(path, w, h):
    """A small flat JPEG of any dimensions."""
    _vips("black", path + "[Q=80,strip]", w, h, "--bands", 3)
    return path


def prepared_photo(tmp, preset="x-landscape"):
    """A real phone photo run through `attache prep` (what the scheduler
    uploads); the repository's samples when the phone photos are absent."""
    try:
        photos = [p for p in lib.phone_photos() if p.endswith(".jpg")]
    except lib.Skip:
        photos = [p for p in lib.sample_photos() if p.endswith(".jpg")]
    out = os.path.join(tmp, "prepared")
    p = lib.run("prep", "-p", preset, "-o", out, "--json", photos[0],
                check=0)
    return lib.json_lines(p.stdout)[0]["output"]


def write_ini(tmp, text, mode=0o600):
    d = os.path.join(tmp, "config", "attache")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "credentials.ini")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def header_size(path):
    h = lib.header(path)
    return int(h["width"]), int(h["height"])


def dumps(obj):
    return json.dumps(obj, indent=1)
