#!/usr/bin/env python3
"""A loopback stand-in for the media APIs of X (v2), Mastodon and Bluesky,
for attache's upload tests. Python 3 standard library only.

It is strict where the real services are: it checks every OAuth 1.0a
signature with its own implementation (hmac/hashlib, not attache's C code),
reassembles X's appended segments and hashes the result, keeps the alt
text, answers processing states, issues and rotates Bluesky sessions, and
enforces Mastodon's instance limits. On request it misbehaves: a status
(503, 429 with a reset time, 401, 403, 400 with a problem body) on the Nth
matching request, a dropped connection before or after acting, a response
slower than the client's timeout.

In a test:
    srv = FakeSocial(); srv.start(); ... srv.url ...; srv.stop()
Alone (manual runs):
    tests/server/fake_social.py [--port-file F]
prints the URL (and writes the port to F); GET /_control/state shows what
it saw, POST /_control/fault {"method":..., "path":..., "action":...} adds a
fault.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import re
import socket
import string
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---------------------------------------------------------------------------
# OAuth 1.0a, written from RFC 5849 and X's "Creating a signature" page


def pct(s):
    """RFC 3986: everything but A-Z a-z 0-9 - . _ ~ as %XX (uppercase)."""
    return urllib.parse.quote(s, safe="")


def oauth1_signature(method, base_url, params, consumer_secret, token_secret):
    """params: list of (raw name, raw value). Returns (base string, b64)."""
    enc = sorted((pct(k), pct(v)) for k, v in params)
    param_string = "&".join("%s=%s" % kv for kv in enc)
    base = "&".join([method.upper(), pct(base_url), pct(param_string)])
    key = (pct(consumer_secret) + "&" + pct(token_secret)).encode()
    digest = hmac.new(key, base.encode(), hashlib.sha1).digest()
    return base, base64.b64encode(digest).decode()


def parse_oauth_header(value):
    if not value.startswith("OAuth "):
        return None
    out = {}
    for m in re.finditer(r'([A-Za-z0-9_]+)="([^"]*)"', value[6:]):
        out[urllib.parse.unquote(m.group(1))] = urllib.parse.unquote(m.group(2))
    return out


# ---------------------------------------------------------------------------
# small helpers


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(payload):
    head = b64url(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
    body = b64url(json.dumps(payload).encode())
    return "%s.%s.%s" % (head, body, b64url(os.urandom(32)))


def fake_cid(data):
    digest = hashlib.sha256(data).digest()
    return "bafkrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def parse_multipart(content_type, body):
    """{name: {"data", "filename", "type"}} from a multipart/form-data
    body, split by hand so binary parts come back byte for byte."""
    m = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not m:
        raise ValueError("no boundary")
    delim = b"--" + m.group(1).encode()
    parts = {}
    chunks = body.split(delim)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise ValueError("not a complete multipart body")
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise ValueError("bad part framing")
        chunk = chunk[2:-2]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("part without headers")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        disp = headers.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disp)
        filename = re.search(r'\bfilename="([^"]*)"', disp)
        if not name:
            raise ValueError("part without a name")
        parts[name.group(1)] = {
            "data": data,
            "filename": filename.group(1) if filename else None,
            "type": headers.get("content-type"),
        }
    return parts


class Fault:
    """A misbehaviour for requests matching method and path (a regex over
    the path without its query): from the nth matching request, `times`
    times. Actions: status, drop (before acting), drop_after (act, then
    close without answering), slow (sleep, then act and answer)."""

    def __init__(self, method, path, action, nth=1, times=1, status=503,
                 headers=None, body=None, seconds=0.0):
        self.method, self.path, self.action = method, re.compile(path), action
        self.nth, self.times = nth, times
        self.status, self.headers, self.body = status, headers or {}, body
        self.seconds = seconds
        self.seen = 0
        self.fired = 0

    def match(self, method, path):
        if self.method != method or not self.path.fullmatch(path):
            return False
        self.seen += 1
        if self.nth <= self.seen < self.nth + self.times:
            self.fired += 1
            return True
        return False


X_TYPES = {"image/jpeg", "image/gif", "image/bmp", "image/png", "image/webp",
           "image/pjpeg", "image/tiff", "video/mp4"}


class FakeSocial:
    def __init__(self):
        self.lock = threading.Lock()
        self.clock_offset = 0  # the server's clock, vs ours (s)
        # X
        self.x_consumer_key = "xck-" + self._rand(20)
        self.x_consumer_secret = "xcs-" + self._rand(36)
        self.x_token = "1234-xat-" + self._rand(30)
        self.x_token_secret = "xas-" + self._rand(36)
        self.x_bearer = "xbearer-" + self._rand(40)
        # more X accounts (accounts per language): name -> bearer token;
        # each media records the account that created it
        self.x_accounts = {}
        self.x_media = {}
        self.x_nonces = set()
        self.x_auth_ok = 0
        self.x_auth_failed = 0
        self.x_processing_polls = 0  # STATUS answers "in_progress" this often
        self.x_processing_fail = False
        self.x_check_after = 0
        # Mastodon
        self.mastodon_token = "mtok-" + self._rand(40)
        self.mastodon_limits = {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif",
                                     "image/heic", "image/heif", "image/webp",
                                     "image/avif", "video/mp4"],
            "description_limit": 1500,
            "image_size_limit": 16777216,
            "image_matrix_limit": 33177600,
            "video_size_limit": 103809024,
            "video_matrix_limit": 8294400,
        }
        self.mastodon_polls = 0  # 0: 200 at once; N: 202, then N x 206
        self.mastodon_media = {}
        self.mastodon_instance_gets = 0
        # Bluesky
        self.bsky_handle = "attache-test.bsky.social"
        self.bsky_password = "abcd-efgh-" + self._rand(4).lower() + "-ijkl"
        self.bsky_did = "did:plc:" + self._rand(24).lower()
        self.bsky_access_lifetime = 7200
        self.bsky_max_blob = 2000000  # the hosted service's, 2026-04
        self.bsky_access = {}  # token -> exp
        self.bsky_refresh = set()
        self.bsky_logins = 0
        self.bsky_refreshes = 0
        self.bsky_blobs = []
        # everything
        self.faults = []
        self.requests = []
        self.httpd = None

    @staticmethod
    def _rand(n):
        return "".join(random.choice(string.ascii_letters + string.digits)
                       for _ in range(n))

    def add_x_account(self, name):
        """Another X account with a bearer token of its own; returns it."""
        self.x_accounts[name] = "xbearer-%s-" % name + self._rand(40)
        return self.x_accounts[name]

    def secrets(self):
        return [self.x_consumer_key, self.x_consumer_secret, self.x_token,
                self.x_token_secret, self.x_bearer, self.mastodon_token,
                self.bsky_password] + list(self.bsky_access) + \
            list(self.bsky_refresh) + list(self.x_accounts.values())

    def now(self):
        return time.time() + self.clock_offset

    # -- life cycle --------------------------------------------------------

    def start(self):
        app = self

        class Handler(_Handler):
            pass
        Handler.app = app
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       args=(0.05,),
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def fault(self, method, path, action="status", **kw):
        f = Fault(method, path, action, **kw)
        with self.lock:
            self.faults.append(f)
        return f

    def paths(self, method=None, prefix=""):
        with self.lock:
            return [r["path"] for r in self.requests
                    if (method is None or r["method"] == method)
                    and r["path"].startswith(prefix)]

    def revoke_bluesky_access(self):
        """The PDS forgets every access token (as after a revocation or a
        clock disagreement): the next uploadBlob gets ExpiredToken."""
        with self.lock:
            self.bsky_access.clear()

    def revoke_bluesky_refresh(self):
        with self.lock:
            self.bsky_refresh.clear()

    def state(self):
        with self.lock:
            return {
                "requests": [{k: v for k, v in r.items() if k != "headers"}
                             for r in self.requests],
                "x_media": {i: {k: v for k, v in m.items()
                                if k != "segments"}
                            for i, m in self.x_media.items()},
                "mastodon_media": self.mastodon_media,
                "bluesky_blobs": self.bsky_blobs,
                "bluesky_logins": self.bsky_logins,
                "bluesky_refreshes": self.bsky_refreshes,
            }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    app = None  # set per server

    def log_message(self, fmt, *args):
        pass

    # -- plumbing ----------------------------------------------------------

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, obj=None, headers=None, raw=None):
        body = raw if raw is not None else (
            json.dumps(obj).encode() if obj is not None else b"")
        self.send_response(status)
        if raw is None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method):
        app = self.app
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, url.query
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        with app.lock:
            app.requests.append({
                "t": time.time(), "method": method, "path": path,
                "query": query, "len": len(body),
                "content_type": headers.get("content-type"),
                "headers": headers,
            })
            fault = next((f for f in app.faults if f.match(method, path)),
                         None)
        if fault and fault.action == "status":
            hdrs = {k: (v() if callable(v) else v)
                    for k, v in fault.headers.items()}
            body_obj = fault.body(headers) if callable(fault.body) \
                else fault.body
            return self._send(fault.status, body_obj, hdrs)
        if fault and fault.action == "drop":
            return self._drop()
        if fault and fault.action == "slow":
            time.sleep(fault.seconds)
        try:
            status, obj, hdrs = self._route(method, path, query, headers, body)
        except BrokenPipeError:
            return
        if fault and fault.action == "drop_after":
            return self._drop()
        try:
            self._send(status, obj, hdrs)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a slow answer)

    def _route(self, method, path, query, headers, body):
        app = self.app
        if path.startswith("/_control/"):
            return self._control(method, path, body)
        if path.startswith("/2/"):
            ok, err = self._x_auth(method, path, query, headers)
            if not ok:
                return err
            return self._x(method, path, query, headers, body)
        if path.startswith("/api/"):
            return self._mastodon(method, path, headers, body)
        if path.startswith("/xrpc/"):
            return self._bluesky(method, path, headers, body)
        return 404, {"error": "not found"}, None

    def _control(self, method, path, body):
        app = self.app
        if path == "/_control/state":
            return 200, app.state(), None
        if path == "/_control/fault" and method == "POST":
            spec = json.loads(body)
            app.fault(spec.pop("method"), spec.pop("path"),
                      spec.pop("action", "status"), **spec)
            return 200, {"ok": True}, None
        return 404, {"error": "no such control"}, None

    # -- X -----------------------------------------------------------------

    @staticmethod
    def _problem(status, title, detail, kind="invalid-request"):
        return status, {"title": title, "detail": detail,
                        "type": "https://api.x.com/2/problems/" + kind,
                        "status": status}, None

    def _x_auth(self, method, path, query, headers):
        app = self.app
        auth = headers.get("authorization", "")
        unauthorized = self._problem(401, "Unauthorized",
                                     "Unauthorized", "about:blank")
        if auth.startswith("Bearer "):
            ok = hmac.compare_digest(auth[7:], app.x_bearer) or any(
                hmac.compare_digest(auth[7:], t)
                for t in app.x_accounts.values())
        else:
            p = parse_oauth_header(auth)
            ok = False
            if p and p.get("oauth_signature_method") == "HMAC-SHA1" and \
                    p.get("oauth_version", "1.0") == "1.0" and \
                    p.get("oauth_consumer_key") == app.x_consumer_key and \
                    p.get("oauth_token") == app.x_token:
                ts = int(p.get("oauth_timestamp", "0"))
                nonce = p.get("oauth_nonce", "")
                fresh = abs(app.now() - ts) <= 300
                with app.lock:
                    replay = nonce in app.x_nonces
                    app.x_nonces.add(nonce)
                params = urllib.parse.parse_qsl(query, keep_blank_values=True)
                params += [(k, v) for k, v in p.items()
                           if k != "oauth_signature"]
                base_url = "http://%s%s" % (headers.get("host"), path)
                _, expect = oauth1_signature(method, base_url, params,
                                             app.x_consumer_secret,
                                             app.x_token_secret)
                ok = fresh and not replay and nonce and hmac.compare_digest(
                    expect, p.get("oauth_signature", ""))
        with app.lock:
            if ok:
                app.x_auth_ok += 1
            else:
                app.x_auth_failed += 1
        return ok, unauthorized

    def _x(self, method, path, query, headers, body):
        app = self.app
        m = re.fullmatch(r"/2/media/upload/(\d+)/(append|finalize)", path)
        if method == "POST" and path == "/2/media/upload/initialize":
            if not headers.get("content-type", "").startswith(
                    "application/json"):
                return self._problem(400, "Invalid Request",
                                     "initialize takes a JSON body")
            req = json.loads(body)
            if req.get("media_type") not in X_TYPES or \
                    not isinstance(req.get("total_bytes"), int) or \
                    req["total_bytes"] <= 0 or \
                    req.get("media_category") != "tweet_image":
                return self._problem(400, "Invalid Request",
                                     "bad initialize body")
            mid = str(random.randint(10 ** 18, 9 * 10 ** 18))
            token = headers.get("authorization", "")[7:]
            account = next((n for n, t in app.x_accounts.items()
                            if t == token), "default")
            with app.lock:
                app.x_media[mid] = {
                    "account": account,
                    "total": req["total_bytes"], "type": req["media_type"],
                    "segments": {}, "appends": [], "state": "created",
                    "sha256": None, "alt": None, "polls": 0,
                }
            return 200, {"data": {"id": mid, "media_key": "3_" + mid,
                                  "expires_after_secs": 86399}}, None
        if m and method == "POST":
            mid, what = m.group(1), m.group(2)
            with app.lock:
                media = app.x_media.get(mid)
            if not media:
                return self._problem(400, "Invalid Request", "unknown media")
            if what == "append":
                if media["state"] != "created":
                    return self._problem(400, "Invalid Request",
                                         "media already finalized")
                try:
                    parts = parse_multipart(headers.get("content-type"), body)
                    index = int(parts["segment_index"]["data"])
                    data = parts["media"]["data"]
                except (ValueError, KeyError) as e:
                    return self._problem(400, "Invalid Request",
                                         "bad append: %s" % e)
                if not 0 <= index <= 999:
                    return self._problem(400, "Invalid Request",
                                         "segment_index out of range")
                with app.lock:
                    media["segments"][index] = data
                    media["appends"].append((index, len(data)))
                return 200, {"data": {"expires_at": int(app.now()) + 86400}}, \
                    None
            # finalize
            with app.lock:
                if media["state"] != "created":
                    return self._problem(400, "Invalid Request",
                                         "media already finalized")
                segs = media["segments"]
                if sorted(segs) != list(range(len(segs))):
                    return self._problem(400, "Invalid Request",
                                         "segments missing")
                data = b"".join(segs[i] for i in range(len(segs)))
                if len(data) != media["total"]:
                    return self._problem(
                        400, "Invalid Request",
                        "got %d bytes, total_bytes said %d" %
                        (len(data), media["total"]))
                media["sha256"] = hashlib.sha256(data).hexdigest()
                media["size"] = len(data)
                media["state"] = "pending" if app.x_processing_polls else \
                    "succeeded"
                out = {"id": mid, "media_key": "3_" + mid, "size": len(data),
                       "expires_after_secs": 86400}
                if media["state"] != "succeeded":
                    out["processing_info"] = {
                        "state": "pending",
                        "check_after_secs": app.x_check_after}
            return 200, {"data": out}, None
        if method == "GET" and path == "/2/media/upload":
            q = dict(urllib.parse.parse_qsl(query))
            with app.lock:
                media = app.x_media.get(q.get("media_id", ""))
                if not media or media["state"] == "created":
                    return self._problem(400, "Invalid Request",
                                         "unknown media")
                out = {"id": q["media_id"], "media_key": "3_" + q["media_id"],
                       "size": media["size"]}
                if media["state"] != "succeeded":
                    media["polls"] += 1
                    if media["polls"] > app.x_processing_polls:
                        media["state"] = "failed" if app.x_processing_fail \
                            else "succeeded"
                    else:
                        media["state"] = "in_progress"
                    info = {"state": media["state"],
                            "check_after_secs": app.x_check_after,
                            "progress_percent": min(99, 30 * media["polls"])}
                    if media["state"] == "failed":
                        info["error"] = {"code": 1, "name": "InvalidMedia",
                                         "message": "Unsupported media file"}
                    out["processing_info"] = info
            return 200, {"data": out}, None
        if method == "POST" and path == "/2/media/metadata":
            try:
                req = json.loads(body)
                mid = req["id"]
                text = req["metadata"]["alt_text"]["text"]
            except (ValueError, KeyError, TypeError):
                return self._problem(400, "Invalid Request",
                                     "bad metadata body")
            if not isinstance(mid, str):
                return self._problem(400, "Invalid Request",
                                     "id must be a string")
            if len(text) > 1000:
                return self._problem(400, "Invalid Request",
                                     "alt text over 1000 characters")
            with app.lock:
                media = app.x_media.get(mid)
                if not media or media["state"] != "succeeded":
                    return self._problem(400, "Invalid Request",
                                         "media not ready")
                media["alt"] = text
            return 200, {"data": {"id": mid, "associated_metadata": {
                "alt_text": {"text": text}}}}, None
        return self._problem(404, "Not Found", "no such endpoint")

    # -- Mastodon ----------------------------------------------------------

    def _mastodon(self, method, path, headers, body):
        app = self.app
        if method == "GET" and path == "/api/v2/instance":
            with app.lock:
                app.mastodon_instance_gets += 1
                limits = dict(app.mastodon_limits)
            return 200, {"domain": "127.0.0.1", "version": "4.4.0",
                         "configuration": {
                             "media_attachments": limits,
                             "statuses": {"max_media_attachments": 4}}}, None
        if headers.get("authorization") != "Bearer " + app.mastodon_token:
            return 401, {"error": "The access token is invalid"}, None
        if method == "POST" and path == "/api/v2/media":
            try:
                parts = parse_multipart(headers.get("content-type"), body)
            except ValueError as e:
                return 422, {"error": "Validation failed: %s" % e}, None
            f = parts.get("file")
            if not f or not f["filename"] or not f["type"]:
                return 422, {"error": "Validation failed: File content type "
                             "is invalid, File is invalid"}, None
            limits = app.mastodon_limits
            if f["type"] not in limits["supported_mime_types"]:
                return 422, {"error": "Validation failed: File content type "
                             "is invalid"}, None
            if len(f["data"]) > limits["image_size_limit"]:
                return 422, {"error": "Validation failed: File file size "
                             "must be less than limit"}, None
            desc = parts.get("description", {}).get("data", b"").decode()
            if len(desc) > limits["description_limit"]:
                return 422, {"error": "Validation failed: Description is "
                             "too long"}, None
            focus = parts.get("focus", {}).get("data", b"").decode() or None
            mid = str(random.randint(10 ** 17, 9 * 10 ** 17))
            with app.lock:
                app.mastodon_media[mid] = {
                    "sha256": hashlib.sha256(f["data"]).hexdigest(),
                    "filename": f["filename"], "type": f["type"],
                    "description": desc or None, "focus": focus,
                    "polls_left": app.mastodon_polls, "gets": 0,
                }
                sync = app.mastodon_polls == 0
            entity = {"id": mid, "type": "image", "description": desc or None,
                      "url": ("%s/media/%s.jpg" % (app.url, mid)) if sync
                      else None}
            return (200 if sync else 202), entity, None
        m = re.fullmatch(r"/api/v1/media/([0-9]+)", path)
        if method == "GET" and m:
            with app.lock:
                media = app.mastodon_media.get(m.group(1))
                if not media:
                    return 404, {"error": "Record not found"}, None
                media["gets"] += 1
                if media["polls_left"] > 0:
                    media["polls_left"] -= 1
                    return 206, {"id": m.group(1), "url": None}, None
            return 200, {"id": m.group(1),
                         "url": "%s/media/%s.jpg" % (app.url, m.group(1))}, \
                None
        return 404, {"error": "Record not found"}, None

    # -- Bluesky -----------------------------------------------------------

    def _bsky_session(self):
        app = self.app
        now = int(app.now())
        access = make_jwt({"scope": "com.atproto.access", "sub": app.bsky_did,
                           "iat": now, "exp": now + app.bsky_access_lifetime})
        refresh = make_jwt({"scope": "com.atproto.refresh",
                            "sub": app.bsky_did, "iat": now,
                            "exp": now + 90 * 86400})
        app.bsky_access[access] = now + app.bsky_access_lifetime
        app.bsky_refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh,
                "handle": app.bsky_handle, "did": app.bsky_did,
                "active": True}

    def _bluesky(self, method, path, headers, body):
        app = self.app
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        if method == "POST" and path == \
                "/xrpc/com.atproto.server.createSession":
            try:
                req = json.loads(body)
            except ValueError:
                return 400, {"error": "InvalidRequest",
                             "message": "bad JSON"}, None
            if req.get("identifier") != app.bsky_handle or \
                    req.get("password") != app.bsky_password:
                return 401, {"error": "AuthenticationRequired",
                             "message": "Invalid identifier or password"}, \
                    None
            with app.lock:
                app.bsky_logins += 1
                return 200, self._bsky_session(), None
        if method == "POST" and path == \
                "/xrpc/com.atproto.server.refreshSession":
            with app.lock:
                if token not in app.bsky_refresh:
                    return 400, {"error": "ExpiredToken",
                                 "message": "Token has been revoked"}, None
                app.bsky_refresh.discard(token)  # one use
                app.bsky_refreshes += 1
                return 200, self._bsky_session(), None
        if method == "POST" and path == "/xrpc/com.atproto.repo.uploadBlob":
            with app.lock:
                exp = app.bsky_access.get(token)
            if token in app.bsky_refresh:
                return 400, {"error": "InvalidToken",
                             "message": "Bad token scope"}, None
            if exp is None or exp < app.now():
                return 400, {"error": "ExpiredToken",
                             "message": "Token has expired"}, None
            if len(body) > app.bsky_max_blob:
                return 400, {"error": "BlobTooLarge",
                             "message": "This file is too large."}, None
            ctype = headers.get("content-type")
            blob = {"$type": "blob", "ref": {"$link": fake_cid(body)},
                    "mimeType": ctype, "size": len(body)}
            with app.lock:
                app.bsky_blobs.append({
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "content_type": ctype, "blob": blob, "token": token})
            return 200, {"blob": blob}, None
        return 404, {"error": "MethodNotImplemented"}, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file")
    args = ap.parse_args()
    srv = FakeSocial().start()
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write("%d\n" % srv.port)
    print(srv.url, flush=True)
    print("X: ATTACHE_X_API=%s ATTACHE_X_BEARER=%s" % (srv.url, srv.x_bearer))
    print("Mastodon: ATTACHE_MASTODON_URL=%s ATTACHE_MASTODON_TOKEN=%s" %
          (srv.url, srv.mastodon_token))
    print("Bluesky: ATTACHE_BLUESKY_PDS=%s ATTACHE_BLUESKY_HANDLE=%s "
          "ATTACHE_BLUESKY_APP_PASSWORD=%s" %
          (srv.url, srv.bsky_handle, srv.bsky_password), flush=True)
    try:
        srv.thread.join()
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
