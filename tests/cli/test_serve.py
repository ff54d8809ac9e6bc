"""`attache serve`: the desk's HTTP API on a real server on loopback, with
its real SQLite database (docs/http-api.md, docs/serve.md): uploads,
prep, outputs and their bytes, the session cookie and CSRF token, roles
and scopes, ids, size and type limits, and text that came from people
returned as data."""
import hashlib
import http.client
import json
import os
import sqlite3
import time

import desklib
import lib

PHOTO = os.path.join(lib.PHONE, "google-pixel_gps_thumb.jpg")
HEIC = os.path.join(lib.PHONE, "apple-iphone-13_o6-irot_gps_p3.heic")

# small presets, so the suite stays fast; "att" is a cover crop the
# attention (or focus) point places
ATT_PRESET = """[preset]
description=test: attention crop
platform=mastodon

[fit]
width=320
height=320
mode=cover
crop=attention

[encode]
format=jpeg
max-bytes=200000
"""


def presets(tmp):
    pdir = lib.write_presets(os.path.join(tmp, "presets"),
                             {"tiny": ("mastodon", 240, 160)})
    with open(os.path.join(pdir, "att.ini"), "w") as f:
        f.write(ATT_PRESET)
    return pdir


def desk(tmp, *args, **kw):
    return desklib.Desk(tmp, "--preset-dir", presets(tmp), "--presets",
                        "tiny", *args, **kw)


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def test_serve_upload_prepares_outputs_with_their_bytes():
    """202 with an id, then the photo's outputs (one per preset and
    language) with their own alt text; each output's file has the
    sha256 the API gives as its ETag, and carries no GPS (exiftool)."""
    with lib.TempDir() as d, desk(d) as s:
        c = s.client("amina", "read,prepare")
        r = c.upload(PHOTO, presets="tiny", lang="en,fr", alt="A clinic",
                     alt_fr="Une clinique")
        lib.assert_eq(r.status, 202, r)
        pid = r.json()["id"]
        lib.assert_eq(r.headers["Location"], "/api/v1/photos/" + pid, "Location")
        p = c.wait_prepared(pid)
        lib.assert_eq(p["state"], "review", p.get("error"))
        lib.assert_eq(p["name"], os.path.basename(PHOTO), "name")
        lib.assert_eq(sorted(o["lang"] for o in p["outputs"]), ["en", "fr"], "langs")
        for o in p["outputs"]:
            f = c.get(o["url"])
            lib.assert_eq(f.status, 200, f)
            lib.assert_eq(sha256(f.body), o["sha256"], "bytes")
            lib.assert_eq(f.headers["ETag"], '"%s"' % o["sha256"], "ETag")
            lib.assert_eq(len(f.body), o["bytes"], "size")
            lib.assert_eq(o["review"]["state"], "waiting", "review")
            lib.assert_eq(o["prepared_by"], ["amina"], "makers")
            lib.assert_eq(o["platform"], "mastodon", "platform")
            want = "Une clinique" if o["lang"] == "fr" else "A clinic"
            texts = {a["lang"]: a["text"] for a in o["alt"]}
            assert want in texts.values(), texts
            out = os.path.join(d, "o-%s.jpg" % o["lang"])
            with open(out, "wb") as w:
                w.write(f.body)
            tags = lib.exiftool(out, "-gps:all")
            assert "GPS" not in tags, tags
            again = c.get(o["url"], headers={"If-None-Match": f.headers["ETag"]})
            lib.assert_eq(again.status, 304, "If-None-Match")
        # the preview the page shows is a stripped JPEG too
        pv = c.get(p["preview_url"])
        lib.assert_eq(pv.status, 200, pv)
        with open(os.path.join(d, "pv.jpg"), "wb") as w:
            w.write(pv.body)
        assert "GPS" not in lib.exiftool(os.path.join(d, "pv.jpg"), "-gps:all")
        q = c.get("/api/v1/photos").json()
        lib.assert_eq([x["id"] for x in q["photos"]], [pid], "queue")
        lib.assert_eq(q["counts"]["review"], 1, "counts")
        kinds = [e["kind"] for e in p["history"]]
        assert kinds[:2] == ["upload", "prepared"], kinds


def test_serve_session_cookie_and_csrf():
    """Login sets an HttpOnly, SameSite=Strict cookie (not Secure over
    plain loopback) and gives a CSRF token; a state-changing request
    with the cookie but without the token is refused, with it accepted."""
    with lib.TempDir() as d, desk(d) as s:
        c = desklib.Client(s)
        bad = c.login("amina", "wrong password")
        lib.assert_eq((bad.status, bad.code()), (401, "bad-login"), bad)
        unknown = desklib.Client(s).login("nobody", "wrong password")
        lib.assert_eq(unknown.json()["error"]["message"], bad.json()["error"]["message"],
                      "an unknown name answers as a wrong password")
        r = c.login("amina")
        lib.assert_eq(r.status, 200, r)
        cookie = r.headers["Set-Cookie"]
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            assert attr in cookie, cookie
        assert "Secure" not in cookie, cookie
        lib.assert_eq(r.json()["user"]["role"], "preparer", "role")
        lib.assert_eq(c.get("/api/v1/session").json()["csrf"], c.csrf, "session")
        ctype, body = desklib.multipart({}, "a.jpg", open(PHOTO, "rb").read())
        no = c.request("POST", "/api/v1/photos", body=body, ctype=ctype, csrf=False)
        lib.assert_eq((no.status, no.code()), (403, "csrf"), no)
        c2 = desklib.Client(s)
        c2.cookie, c2.csrf = c.cookie, "0" * 64
        wrong = c2.request("POST", "/api/v1/photos", body=body, ctype=ctype)
        lib.assert_eq((wrong.status, wrong.code()), (403, "csrf"), wrong)
        ok = c.request("POST", "/api/v1/photos", body=body, ctype=ctype)
        lib.assert_eq(ok.status, 202, ok)
        # a JSON endpoint wants JSON: a plain cross-site form is refused
        pid = ok.json()["id"]
        form = c.request("POST", "/api/v1/photos/%s/focus" % pid, body=b"x=0.5&y=0.5",
                         ctype="application/x-www-form-urlencoded")
        lib.assert_eq(form.status, 415, form)
        lib.assert_eq(c.post("/api/v1/logout").status, 204, "logout")
        lib.assert_eq(c.get("/api/v1/photos").status, 401, "after logout")


def test_serve_roles_and_scopes():
    """No credentials: 401; a token or role without the scope: 403."""
    with lib.TempDir() as d, desk(d) as s:
        anon = desklib.Client(s)
        for path in ("/api/v1/photos", "/api/v1/events", "/api/v1/session"):
            r = anon.get(path)
            lib.assert_eq((r.status, r.code()), (401, "unauthenticated"), path)
        lib.assert_eq(anon.upload(PHOTO).status, 401, "anonymous upload")
        bad = desklib.Client(s, token="atk_" + "0" * 64)
        lib.assert_eq(bad.get("/api/v1/photos").status, 401, "unknown token")
        reader = s.client("li", "read")
        r = reader.upload(PHOTO)
        lib.assert_eq((r.status, r.code()), (403, "forbidden"), r)
        lib.assert_eq(os.listdir(os.path.join(s.data, "originals")), [], "nothing stored")
        amina = s.client("amina", "read,prepare")
        pid = amina.upload(PHOTO).json()["id"]
        oid = amina.wait_prepared(pid)["outputs"][0]["id"]
        r = amina.post("/api/v1/outputs/%s/review" % oid, {"decision": "approve"})
        lib.assert_eq((r.status, r.code()), (403, "forbidden"), "token without review")
        # a preparer's session may review, never publish
        sess = s.session("amina")
        r = sess.post("/api/v1/outputs/%s/publish" % oid, {"to": "mastodon"})
        lib.assert_eq((r.status, r.code()), (403, "forbidden"), r)
        # a token cannot have more than its account's role
        p = lib.run("token", "add", "amina", "--scope", "publish", "--data", s.data, check=2)
        assert "preparer" in p.stderr, p.stderr


def test_serve_path_ids_are_refused():
    """../../etc/passwd and its encodings never reach a file."""
    with lib.TempDir() as d, desk(d) as s:
        c = s.client("amina", "read,prepare")
        for path in ("/api/v1/outputs/..%2F..%2Fetc%2Fpasswd/file",
                     "/api/v1/outputs/%2e%2e%2f%2e%2e%2fetc%2fpasswd/file",
                     "/api/v1/outputs/....//....//etc/passwd/file",
                     "/api/v1/photos/..%2f..%2fattache.db",
                     "/api/v1/photos/p_../preview",
                     "/api/v1/outputs/o_" + "g" * 32 + "/file",
                     "/desk/..%2f..%2fattache.db", "/desk/.hidden"):
            r = c.get(path)
            assert r.status in (400, 404), (path, r)
            assert b"root:" not in r.body and b"SQLite" not in r.body, path
        r = c.get("/api/v1/outputs/o_zz/file")
        lib.assert_eq((r.status, r.code()), (400, "bad-id"), r)
        r = c.get("/api/v1/outputs/o_" + "0" * 32)
        lib.assert_eq((r.status, r.code()), (404, "not-found"), r)


def test_serve_upload_over_the_limit_is_413_and_not_kept():
    """Over --max-upload: 413, announced (Content-Length) or streamed
    (chunked); the spool never holds more than the limit."""
    with lib.TempDir() as d, desk(d, "--max-upload", "100K") as s:
        c = s.client("amina", "read,prepare")
        big = os.urandom(600 * 1024)
        ctype, body = desklib.multipart({}, "big.jpg", b"\xff\xd8\xff" + big)
        r = c.request("POST", "/api/v1/photos", body=body, ctype=ctype)
        lib.assert_eq((r.status, r.code()), (413, "too-large"), r)
        # chunked: no Content-Length to refuse on, so the cap is counted
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        conn.putrequest("POST", "/api/v1/photos")
        conn.putheader("Authorization", "Bearer " + c.token)
        conn.putheader("Content-Type", ctype)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        spool = os.path.join(s.data, "spool")
        biggest = 0
        for i in range(0, len(body), 32768):
            part = body[i:i + 32768]
            conn.send(b"%x\r\n%s\r\n" % (len(part), part))
            for f in os.listdir(spool):
                try:
                    biggest = max(biggest, os.path.getsize(os.path.join(spool, f)))
                except OSError:
                    pass
        conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        lib.assert_eq(r.status, 413, r.read())
        assert biggest <= 100 * 1024, biggest
        lib.assert_eq(os.listdir(spool), [], "spool emptied")
        lib.assert_eq(os.listdir(os.path.join(s.data, "originals")), [], "nothing kept")
        small = c.upload(os.path.join(lib.PHONE, "nokia-n70_iptc-city_thumb.jpg"))
        lib.assert_eq(small.status, 202, "under the limit")


def test_serve_non_image_is_422_and_bad_fields_400():
    with lib.TempDir() as d, desk(d) as s:
        c = s.client("amina", "read,prepare")
        ctype, body = desklib.multipart({}, "notes.jpg", b"%PDF-1.4 not a photo" * 50)
        r = c.request("POST", "/api/v1/photos", body=body, ctype=ctype)
        lib.assert_eq((r.status, r.code()), (422, "not-an-image"), r)
        r = c.upload(PHOTO, presets="no-such-preset")
        lib.assert_eq((r.status, r.code()), (400, "bad-option"), r)
        assert "no-such-preset" in r.json()["error"]["message"], r
        r = c.upload(PHOTO, campaign="../../etc/passwd")
        lib.assert_eq((r.status, r.code()), (400, "bad-option"), r)
        r = c.upload(PHOTO, out="/tmp/x")
        lib.assert_eq((r.status, r.code()), (400, "bad-option"), r)
        r = c.upload(PHOTO, focus="2,3")
        lib.assert_eq((r.status, r.code()), (400, "bad-option"), r)
        lib.assert_eq(os.listdir(os.path.join(s.data, "originals")), [], "nothing kept")
        lib.assert_eq(c.get("/api/v1/photos").json()["photos"], [], "queue")


def messages():
    """data/messages.ini read back with Python's configparser: the oracle
    for the words the server picks."""
    import configparser
    c = configparser.ConfigParser(interpolation=None)
    with open(os.path.join(lib.ROOT, "data", "messages.ini"), encoding="utf-8") as f:
        c.read_file(f)
    return c


def test_serve_failed_photo_says_why_in_the_askers_language():
    """A photo that cannot be prepared (a cut-off JPEG) is failed with the
    library's stable code and its plain words from the messages file, in
    the language ?lang= or Accept-Language asks for (English otherwise),
    and the technical detail names the photo, not a server path."""
    damaged = [p for p in lib.phone_photos() if "truncated" in p][0]
    words = messages()
    with lib.TempDir() as d, desk(d) as s:
        c = s.client("amina", "read,prepare")
        r = c.upload(damaged, name="market.jpg")
        lib.assert_eq(r.status, 202, r)
        pid = r.json()["id"]
        p = c.wait_prepared(pid)
        lib.assert_eq(p["state"], "failed", p)
        err = p["error"]
        lib.assert_eq(err["code"], "input", err)
        lib.assert_eq(err["message"], words["failure.input"]["en"], "English by default")
        assert "market.jpg" in err["detail"] and s.data not in err["detail"], err
        for headers, query, lang in (({"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}, "", "fr"),
                                     ({"Accept-Language": "de-DE,ar;q=0.8"}, "", "ar"),
                                     ({"Accept-Language": "fr"}, "?lang=zh", "zh"),
                                     ({"Accept-Language": "de"}, "", "en")):
            one = c.get("/api/v1/photos/" + pid + query, headers=headers).json()["error"]
            lib.assert_eq((one["code"], one["message"]), ("input", words["failure.input"][lang]), headers)
            (row,) = c.get("/api/v1/photos" + query, headers=headers).json()["photos"]
            lib.assert_eq(row["error"], one, "the queue says the same")
        # every stable code a prep can fail with has its words, in all six
        for code in ("usage", "input", "unsupported", "limit", "image", "budget", "write", "audit",
                     "alt-text", "internal", "original-deleted"):
            for lang in ("en", "fr", "es", "ar", "zh", "ru"):
                assert words["failure." + code][lang].strip(), (code, lang)


def test_serve_event_stream_pushes_events_and_is_bounded():
    """GET /api/v1/events/stream: server-sent events as they happen (an
    upload, its prep), the same events GET /api/v1/events gives; a
    reconnect with Last-Event-ID resumes after it; no token is 401; at most
    a quarter of --max-connections streams (here 2), the next is 503."""
    with lib.TempDir() as d, desk(d, "--max-connections", "8") as s:
        token = s.token("amina", "read,prepare")

        def open_stream(headers=None):
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=20)
            c.request("GET", "/api/v1/events/stream", headers=dict({"Authorization": "Bearer " + token}, **(headers or {})))
            return c, c.getresponse()

        def events(resp, until):
            """The stream's events (id, JSON) until until(events) holds."""
            got, ev_id = [], None
            while not until(got):
                line = resp.readline()
                assert line, "the stream ended"
                line = line.decode().rstrip("\n")
                if line.startswith("id: "):
                    ev_id = int(line[4:])
                elif line.startswith("data: "):
                    got.append((ev_id, json.loads(line[6:])))
            return got

        c1, r1 = open_stream()
        lib.assert_eq((r1.status, r1.getheader("Content-Type").split(";")[0]), (200, "text/event-stream"), r1.status)
        pid = s.client(token=token).upload(PHOTO).json()["id"]
        got = events(r1, lambda g: any(e["kind"] == "prepared" for _, e in g))
        lib.assert_eq([e["kind"] for _, e in got][:2], ["upload", "prepared"], got)
        assert all(e["photo"] == pid for _, e in got), got
        polled = desklib.Client(s, token).get("/api/v1/events?after=0").json()["events"]
        lib.assert_eq([(i, e["kind"]) for i, e in got], [(e["id"], e["kind"]) for e in polled][:len(got)],
                      "the stream says what polling says")
        # a reconnect resumes after the last id it saw
        c2, r2 = open_stream({"Last-Event-ID": str(got[0][0])})
        lib.assert_eq(events(r2, lambda g: g)[0][0], got[1][0], "resumed after Last-Event-ID")
        # the third stream is over the cap; without a token, 401
        r3 = desklib.Client(s, token).get("/api/v1/events/stream")
        lib.assert_eq((r3.status, r3.code()), (503, "too-many-streams"), r3)
        lib.assert_eq(desklib.Client(s).get("/api/v1/events/stream").status, 401, "no token")
        c1.close()
        c2.close()


def test_serve_markup_in_names_and_alt_text_is_returned_as_data():
    """File names, alt text and comments with <script> and an onerror
    attribute are stored and returned exactly, as JSON strings."""
    evil_name = '"><img src=x onerror=alert(1)>.jpg'
    evil_alt = "<script>alert('x')</script> & \"quoted\""
    with lib.TempDir() as d, desk(d) as s:
        amina = s.client("amina", "read,prepare")
        r = amina.upload(PHOTO, name=evil_name, alt=evil_alt)
        lib.assert_eq(r.status, 202, r)
        p = amina.wait_prepared(r.json()["id"])
        lib.assert_eq(p["name"], evil_name, "name")
        o = p["outputs"][0]
        lib.assert_eq([a["text"] for a in o["alt"]], [evil_alt], "alt")
        li = s.client("li", "read,review")
        comment = "<script>steal()</script>"
        r = li.post("/api/v1/outputs/%s/review" % o["id"],
                    {"decision": "changes", "comment": comment})
        lib.assert_eq(r.status, 200, r)
        lib.assert_eq(r.json()["review"]["comment"], comment, "comment")
        lib.assert_eq(r.headers["Content-Type"], "application/json; charset=utf-8", "type")
        lib.assert_eq(r.headers["X-Content-Type-Options"], "nosniff", "nosniff")
        hist = amina.photo(p["id"])["history"]
        assert comment in [e["detail"] for e in hist], hist


def test_serve_reviews_two_person_rule_and_changes_void_approvals():
    """A reviewer approves; the preparer cannot approve her own bytes
    (403); a focus change makes new bytes, which voids the approval, and
    publishing is then refused (409) until someone approves again. A
    reviewer's fix may be approved by the preparer."""
    with lib.TempDir() as d, desk(d) as s:
        amina, li = s.session("amina"), s.session("li")
        pid = amina.upload(PHOTO, presets="att", alt="A clinic").json()["id"]
        o = amina.wait_prepared(pid)["outputs"][0]
        url = "/api/v1/outputs/%s/review" % o["id"]
        r = amina.post(url, {"decision": "approve"})
        lib.assert_eq((r.status, r.code()), (403, "own-bytes"), r)
        r = li.post(url, {"decision": "approve", "sha256": o["sha256"]})
        lib.assert_eq(r.status, 200, r)
        lib.assert_eq(r.json()["review"]["state"], "approved", "approved")
        lib.assert_eq(amina.photo(pid)["state"], "approved", "photo")
        # the focus moves: the cover crop changes, the approval is void
        # a point on the side the crop does not sit on now (a window held
        # against one edge puts its focus on that side of the output)
        f = o.get("focus") or [0.5, 0.5]
        fx, fy = (0.95 if f[0] < 0.5 else 0.05), (0.95 if f[1] < 0.5 else 0.05)
        lib.assert_eq(amina.post("/api/v1/photos/%s/focus" % pid,
                                 {"x": fx, "y": fy}).status, 202, "focus")
        p = amina.wait_prepared(pid)
        o2 = p["outputs"][0]
        lib.assert_eq(o2["id"], o["id"], "same slot")
        assert o2["sha256"] != o["sha256"], "the crop did not change"
        lib.assert_eq(o2["review"]["state"], "void", "voided")
        lib.assert_eq(p["state"], "review", "photo state")
        r = li.post("/api/v1/outputs/%s/publish" % o["id"], {"to": "mastodon"})
        lib.assert_eq((r.status, r.code()), (409, "not-approved"), r)
        # an approval of the old bytes does not count for the new ones
        r = li.post(url, {"decision": "approve", "sha256": o["sha256"]})
        lib.assert_eq((r.status, r.code()), (409, "busy"), r)
        # li fixes the alt text: those bytes are li's; amina may approve them
        lib.assert_eq(li.post("/api/v1/photos/%s/alt" % pid,
                              {"lang": "x-default", "text": "A field clinic"}).status, 202, "alt")
        o3 = li.wait_prepared(pid)["outputs"][0]
        lib.assert_eq(o3["prepared_by"], ["li"], "makers of the fix")
        r = li.post(url, {"decision": "approve"})
        lib.assert_eq((r.status, r.code()), (403, "own-bytes"), "li's own fix")
        r = amina.post(url, {"decision": "approve"})
        lib.assert_eq(r.status, 200, r)
        kinds = [e["kind"] for e in amina.photo(pid)["history"]]
        for k in ("upload", "approve", "focus", "alt"):
            assert k in kinds, kinds


def test_serve_flagged_output_needs_a_deliberate_yes():
    """No alt text needs a deliberate yes: approve without confirm is
    409 needs-confirm, with it approved. A photo-wide approval is all or
    nothing."""
    with lib.TempDir() as d, desk(d) as s:
        amina, li = s.client("amina", "read,prepare"), s.client("li", "read,review")
        pid = amina.upload(PHOTO, lang="en,fr").json()["id"]
        p = amina.wait_prepared(pid)
        lib.assert_eq(p["state"], "attention", "no alt text")
        flags = [f["flag"] for f in p["outputs"][0]["flags"]]
        assert "alt-missing" in flags, flags
        r = li.post("/api/v1/photos/%s/review" % pid, {"decision": "approve"})
        lib.assert_eq((r.status, r.code()), (409, "needs-confirm"), r)
        assert "alt-missing" in r.json()["error"]["flags"], r
        states = [o["review"]["state"] for o in amina.photo(pid)["outputs"]]
        lib.assert_eq(states, ["waiting", "waiting"], "nothing recorded")
        r = li.post("/api/v1/photos/%s/review" % pid, {"decision": "approve", "confirm": True})
        lib.assert_eq(r.status, 200, r)
        lib.assert_eq(amina.photo(pid)["state"], "approved", "photo")


@lib.serial
def test_serve_login_is_slowed_then_blocked_per_account_and_address():
    """Ten wrong passwords from one address: the answers slow down, then
    that (account, address) pair is blocked (429, the right password
    too); the same account from another address still logs in. The
    proxy's X-Forwarded-For is believed only from --behind-proxy."""
    with lib.TempDir() as d, desk(d, "--behind-proxy", "127.0.0.1") as s:
        c = desklib.Client(s)
        attacker = {"X-Forwarded-For": "203.0.113.7"}
        times = []
        for i in range(10):
            t = time.time()
            r = c.request("POST", "/api/v1/login", body={"name": "li", "password": "guess%d" % i},
                          headers=attacker)
            times.append(time.time() - t)
            lib.assert_eq(r.status, 401, (i, r))
        assert min(times[2:]) >= 0.2 and max(times[:2]) < min(times[4:]), times
        r = c.request("POST", "/api/v1/login", body={"name": "li", "password": desklib.PASSWORD},
                      headers=attacker)
        lib.assert_eq((r.status, r.code()), (429, "login-blocked"), r)
        assert int(r.headers["Retry-After"]) > 60, r.headers
        r = c.request("POST", "/api/v1/login", body={"name": "li", "password": desklib.PASSWORD},
                      headers={"X-Forwarded-For": "198.51.100.2"})
        lib.assert_eq(r.status, 200, "li from her own office")
        log = "".join(s.log)
        assert "guess" not in log and desklib.PASSWORD not in log, log[-2000:]
    with lib.TempDir() as d, desk(d) as s:
        # without --behind-proxy, forged addresses are one client: its
        # third wrong password in a row is slowed down already
        c = desklib.Client(s)
        times = []
        for i in range(4):
            t = time.time()
            c.request("POST", "/api/v1/login", body={"name": "li", "password": "x"},
                      headers={"X-Forwarded-For": "10.0.0.%d" % i})
            times.append(time.time() - t)
        assert min(times[2:]) >= 0.2, ("a forged X-Forwarded-For is believed", times)


def test_serve_keeps_no_secret_in_database_responses_or_log():
    with lib.TempDir() as d, desk(d) as s:
        tok = s.token("amina", "read,prepare")
        c = desklib.Client(s, tok)
        sess = s.session("li")
        r = c.upload(PHOTO)
        c.wait_prepared(r.json()["id"])
        answers = [c.get("/api/v1/photos").body, sess.get("/api/v1/session").body,
                   c.get("/api/v1/photos/" + r.json()["id"]).body]
        s.stop()
        db = open(os.path.join(s.data, "attache.db"), "rb").read()
        cookie = sess.cookie.split("=", 1)[1]
        for secret in (tok, desklib.PASSWORD, cookie):
            for where, text in [("db", db), ("log", "".join(s.log).encode())] + \
                    [("answer", a) for a in answers]:
                assert secret.encode() not in text, (where, secret[:8])
        con = sqlite3.connect(os.path.join(s.data, "attache.db"))
        hashes = [h for (h,) in con.execute("SELECT pwhash FROM users")]
        assert all(h.startswith("$argon2id$") for h in hashes), hashes
        lib.assert_eq(con.execute("PRAGMA journal_mode").fetchone()[0], "wal", "WAL")
        con.close()


def test_serve_listens_elsewhere_only_with_tls_or_a_proxy():
    with lib.TempDir() as d:
        s = desk(d)
        s.args += ["--listen", "0.0.0.0:0"]
        rc, err = s.start(expect_fail=True)
        lib.assert_eq(rc, 2, err)
        assert "--tls-cert" in err and "--behind-proxy" in err, err


def test_serve_https_of_its_own_sets_secure_cookies():
    """--tls-cert/--tls-key: HTTPS (checked against the certificate), and
    the session cookie is Secure."""
    import subprocess
    with lib.TempDir() as d:
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        s = desk(d, "--tls-cert", cert, "--tls-key", key)
        s.cafile = cert
        with s:
            c = desklib.Client(s)
            r = c.login("amina")
            lib.assert_eq(r.status, 200, r)
            assert "; Secure" in r.headers["Set-Cookie"], r.headers
            lib.assert_eq(c.get("/api/v1/photos").status, 200, "over HTTPS")
        s2 = desk(d, "--tls-cert", cert, "--tls-key", os.path.join(d, "missing.pem"), users=())
        rc, err = s2.start(expect_fail=True)
        lib.assert_eq(rc, 2, err)
        assert "cert.pem" in err or "missing.pem" in err, err


def test_serve_refuses_a_newer_schema():
    with lib.TempDir() as d:
        s = desk(d)
        con = sqlite3.connect(os.path.join(s.data, "attache.db"))
        lib.assert_eq(con.execute("PRAGMA user_version").fetchone()[0], 3, "schema version")
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        rc, err = s.start(expect_fail=True)
        lib.assert_eq(rc, 2, err)
        assert "schema version 99" in err and "attache.db" in err, err


def test_serve_openapi_file_matches_the_docs():
    """/api/v1/openapi.json is OpenAPI 3 and lists every endpoint
    docs/http-api.md describes, with the same methods."""
    import re
    text = open(os.path.join(lib.ROOT, "docs", "http-api.md")).read()
    documented = set()
    for method, path in re.findall(r"`(GET|POST|PUT) (/api/v1/[^`?\s]*)", text):
        documented.add((method.lower(), re.sub(r"\{id\}", "{id}", path[len("/api/v1"):])))
    with lib.TempDir() as d, desk(d) as s:
        r = desklib.Client(s).get("/api/v1/openapi.json")
        lib.assert_eq(r.status, 200, r)
        spec = r.json()
    assert spec["openapi"].startswith("3."), spec["openapi"]
    listed = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    missing = documented - listed
    assert not missing, "in docs/http-api.md, not in openapi.json: %s" % sorted(missing)


def test_serve_keep_originals_deletes_old_originals():
    """--keep-originals DAYS: at start (and hourly) the originals older
    than that are deleted, the outputs stay, a change is then refused
    with the reason."""
    with lib.TempDir() as d:
        s = desk(d, "--keep-originals", "2")
        with s:
            c = s.client("amina", "read,prepare")
            old = c.upload(PHOTO, alt="old").json()["id"]
            new = c.upload(PHOTO, alt="new").json()["id"]
            c.wait_prepared(old)
            c.wait_prepared(new)
        con = sqlite3.connect(os.path.join(s.data, "attache.db"))
        con.execute("UPDATE photos SET created_at = created_at - 3 * 86400 WHERE id = ?", (old,))
        con.commit()
        con.close()
        originals = os.path.join(s.data, "originals")
        lib.assert_eq(len(os.listdir(originals)), 2, "two originals")
        with s:
            lib.assert_eq(os.listdir(originals), [new + ".jpg"], "the old one deleted")
            c = s.client("amina", "read,prepare")
            p = c.photo(old)
            assert "original-deleted" in [e["kind"] for e in p["history"]], p["history"]
            lib.assert_eq(c.get(p["outputs"][0]["url"]).status, 200, "its outputs stay")
            r = c.post("/api/v1/photos/%s/focus" % old, {"x": 0.5, "y": 0.5})
            lib.assert_eq((r.status, r.code()), (409, "original-deleted"), r)
            assert "--keep-originals" in r.json()["error"]["message"], r
            lib.assert_eq(c.photo(old)["state"], p["state"], "unchanged")


def test_serve_migrates_a_version_1_database_forward():
    """A database of schema version 1 (before photos had a source and an
    error code) is migrated to 3 at start, its photos kept."""
    with lib.TempDir() as d:
        s = desk(d)
        with s:
            c = s.client("amina", "read,prepare")
            pid = c.upload(PHOTO, alt="kept").json()["id"]
            c.wait_prepared(pid)
        con = sqlite3.connect(os.path.join(s.data, "attache.db"))
        con.executescript("DROP INDEX photos_source; ALTER TABLE photos DROP COLUMN source;"
                          " ALTER TABLE photos DROP COLUMN error_code; PRAGMA user_version = 1;")
        con.close()
        with s:
            lib.assert_eq([p["id"] for p in s.client("amina", "read").get("/api/v1/photos").json()["photos"]],
                          [pid], "photos kept")
        con = sqlite3.connect(os.path.join(s.data, "attache.db"))
        lib.assert_eq(con.execute("PRAGMA user_version").fetchone()[0], 3, "migrated")
        cols = [r[1] for r in con.execute("PRAGMA table_info(photos)")]
        con.close()
        assert "source" in cols and "error_code" in cols, cols


def test_user_add_asks_the_password_on_the_terminal_without_echo():
    """Without --password-file the password is read from the terminal
    twice, not shown; that account then logs in with it."""
    import pty
    import select
    with lib.TempDir() as d:
        data = os.path.join(d, "desk")
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(lib.ATTACHE, [lib.ATTACHE, "user", "add", "rania", "--role", "reviewer", "--data", data],
                      lib.env())
        seen = b""
        typed = 0
        secret = b"typed on a terminal 42"
        while True:
            r, _, _ = select.select([fd], [], [], 60)
            if not r:
                break
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if typed < 2 and seen.count(b":") > typed:
                os.write(fd, secret + b"\n")
                typed += 1
        _, status = os.waitpid(pid, 0)
        lib.assert_eq(os.waitstatus_to_exitcode(status), 0, seen)
        assert secret not in seen, "the password was echoed: %r" % seen
        s = desk(d, users=())
        s.data = data
        with s:
            r = desklib.Client(s).login("rania", secret.decode())
            lib.assert_eq((r.status, r.json()["user"]["role"]), (200, "reviewer"), r)
