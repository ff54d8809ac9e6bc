"""Helpers for the desk's server tests (tests/cli/test_serve*.py): a real
`attache serve` on a loopback port with its own data folder, accounts made
with `attache user add`, and a small HTTP client (http.client, standard
library only) that speaks the API of docs/http-api.md with a bearer token
or with a session cookie and its CSRF token."""
import http.client
import json
import os
import secrets
import signal
import ssl
import subprocess
import threading
import time
import urllib.parse

import lib

PASSWORD = "correct horse battery"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode())

    def code(self):
        """The stable error code of an error answer."""
        try:
            return self.json()["error"]["code"]
        except Exception:
            return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


def multipart(fields, file_name=None, file_bytes=None, file_type="image/jpeg"):
    """(content type, body) of a multipart/form-data form."""
    boundary = "attache-test-" + secrets.token_hex(12)
    out = []
    for k, v in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                    % (boundary, k)).encode() + v.encode() + b"\r\n")
    if file_bytes is not None:
        name = file_name.replace('"', "%22")
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                    % (boundary, name, file_type)).encode()
                   + file_bytes + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return "multipart/form-data; boundary=" + boundary, b"".join(out)


class Client:
    """One user of the API: a bearer token, or a session (cookie + CSRF
    token) after login()."""

    def __init__(self, desk, token=None):
        self.desk = desk
        self.token = token
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, ctype=None, headers=None,
                csrf=True, timeout=60):
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookie:
            h["Cookie"] = self.cookie
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                h["X-CSRF-Token"] = self.csrf
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            ctype = ctype or "application/json"
        if ctype:
            h["Content-Type"] = ctype
        if self.desk.cafile:
            ctx = ssl.create_default_context(cafile=self.desk.cafile)
            c = http.client.HTTPSConnection("127.0.0.1", self.desk.port,
                                            timeout=timeout, context=ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.desk.port,
                                           timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, obj=None, **kw):
        return self.request("POST", path, body=obj if obj is not None
                            else {}, **kw)

    def login(self, name, password=PASSWORD):
        r = self.request("POST", "/api/v1/login",
                         body={"name": name, "password": password})
        if r.status == 200:
            cookie = r.headers.get("Set-Cookie", "")
            self.cookie = cookie.split(";")[0]
            self.csrf = r.json()["csrf"]
        return r

    def upload(self, path, name=None, **fields):
        """POST /api/v1/photos with @path's bytes; fields: alt_fr=... is
        sent as alt.fr."""
        with open(path, "rb") as f:
            data = f.read()
        form = {k.replace("_", "."): v for k, v in fields.items()}
        ctype, body = multipart(form, name or os.path.basename(path), data)
        return self.request("POST", "/api/v1/photos", body=body, ctype=ctype)

    def photo(self, pid):
        r = self.get("/api/v1/photos/" + pid)
        assert r.status == 200, r
        return r.json()

    def wait_prepared(self, pid, timeout=120, not_state="processing"):
        def done():
            p = self.photo(pid)
            return p if p["state"] != not_state else None
        return lib.wait_for(done, timeout, "photo %s prepared" % pid)


class Desk:
    """A running `attache serve` with a data folder of its own."""

    def __init__(self, tmp, *args, users=(("amina", "preparer"),
                                           ("li", "reviewer")),
                 data=None, env=None):
        self.tmp = tmp
        self.data = data or os.path.join(tmp, "desk")
        self.args = list(args)
        self.env = dict(env or {})
        self.proc = None
        self.port = None
        self.cafile = None  # HTTPS: the certificate the server shows
        self.log = []
        pw = os.path.join(tmp, "pw")
        with open(pw, "w") as f:
            f.write(PASSWORD + "\n")
        for name, role in users:
            lib.run("user", "add", name, "--role", role, "--password-file",
                    pw, "--data", self.data, check=0)

    def token(self, name, scope):
        p = lib.run("token", "add", name, "--scope", scope, "--data",
                    self.data, check=0)
        return p.stdout.strip()

    def client(self, name=None, scope=None, token=None):
        if name and scope:
            token = self.token(name, scope)
        return Client(self, token)

    def session(self, name):
        c = Client(self)
        r = c.login(name)
        assert r.status == 200, r
        return c

    def start(self, *extra, expect_fail=False):
        cmd = [lib.ATTACHE, "serve", "--data", self.data, "--listen",
               "127.0.0.1:0"] + self.args + list(extra)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=lib.env(**self.env), cwd=lib.ROOT)
        line = self.proc.stdout.readline()
        if expect_fail:
            self.proc.wait(30)
            return self.proc.returncode, self.proc.stderr.read()
        assert "listening on" in line, (line, self.proc.stderr.read()
                                        if self.proc.poll() is not None
                                        else "")
        url = line.split("listening on ")[1].split()[0]
        self.port = urllib.parse.urlsplit(url).port
        threading.Thread(target=self._read_log, daemon=True).start()
        return self

    def _read_log(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self):
        """SIGTERM, as systemd stops it: a clean exit (0), and under the
        sanitizers no report in its log."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("attache serve did not stop on SIGTERM")
            time.sleep(0.1)  # the log reader's last lines
            log = "".join(self.log)
            assert "Sanitizer" not in log and "runtime error" not in log, log[-6000:]
            assert self.proc.returncode == 0, (self.proc.returncode, log[-3000:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
