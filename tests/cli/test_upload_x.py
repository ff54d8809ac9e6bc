"""`attache upload --to x`: the v2 chunked upload against a loopback server
that checks every OAuth 1.0a signature with Python's hmac, reassembles the
segments and hashes them, and misbehaves on request."""
import os
import time

import lib
import uploadlib as U
from uploadlib import FakeSocial


def _media(srv):
    return list(srv.x_media.items())


def test_x_prepared_photo_oauth1_chunked():
    """A real photo from `attache prep`, in 64 KiB segments: every request
    correctly signed, the bytes reassembled exactly, the alt text set, the
    id a string, the size the file's."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.prepared_photo(d)
        alt = "Volunteers unload sacks of rice from a truck — «aide»"
        p = U.upload(srv, d, "x", "--alt", alt, "--json", f, check=0,
                     env={"ATTACHE_X_SEGMENT_BYTES": "65536"})
        (line,) = U.lines(p)
        media = _media(srv)
        lib.assert_eq(len(media), 1, "media created")
        mid, m = media[0]
        lib.assert_eq(line["media_id"], mid, "media_id")
        assert isinstance(line["media_id"], str)
        lib.assert_eq(m["sha256"], U.sha256(f), "reassembled bytes")
        lib.assert_eq(m["alt"], alt, "alt text on the server")
        lib.assert_eq(line["alt_text"], alt, "alt text in the JSON")
        lib.assert_eq(line["error"], None, "error")
        lib.assert_eq(line["bytes"], os.path.getsize(f), "bytes")
        lib.assert_eq((line["width"], line["height"]), U.header_size(f),
                      "dimensions")
        size = os.path.getsize(f)
        lib.assert_eq(len(m["appends"]), -(-size // 65536), "segments")
        assert all(n <= 65536 for _, n in m["appends"]), m["appends"]
        lib.assert_eq([i for i, _ in m["appends"]],
                      list(range(len(m["appends"]))), "segment order")
        assert srv.x_auth_failed == 0 and srv.x_auth_ok == len(srv.requests)


def test_x_default_segments_at_most_4_mib():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "big.png"), 1250, 1250)
        size = os.path.getsize(f)
        assert 4 * 1024 * 1024 < size <= 5000000, size
        p = U.upload(srv, d, "x", "--json", f, check=0)
        ((mid, m),) = _media(srv)
        lib.assert_eq(U.lines(p)[0]["media_id"], mid, "id")
        lib.assert_eq([n for _, n in m["appends"]],
                      [4 * 1024 * 1024, size - 4 * 1024 * 1024], "segments")
        lib.assert_eq(m["type"], "image/png", "media_type")
        lib.assert_eq(m["sha256"], U.sha256(f), "bytes")


def test_x_bearer_token():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "x", "--alt", "x", f, check=0, oauth=False)
        ((mid, _),) = _media(srv)
        assert p.stdout.startswith("%s: x media %s (300x200," % (f, mid)), \
            p.stdout
        assert all(r["headers"]["authorization"] == "Bearer " + srv.x_bearer
                   for r in srv.requests)
        assert srv.x_auth_ok == len(srv.requests) > 0


def test_x_503_on_an_append_retries_that_segment_only():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 600, 400)
        fault = srv.fault("POST", r"/2/media/upload/\d+/append", status=503,
                          nth=3, body={"title": "Service Unavailable"})
        p = U.upload(srv, d, "x", "--json", f, check=0,
                     env={"ATTACHE_X_SEGMENT_BYTES": "65536"})
        lib.assert_eq(fault.fired, 1, "fault fired")
        ((mid, m),) = _media(srv)
        lib.assert_eq(U.lines(p)[0]["media_id"], mid, "id")
        idx = [i for i, _ in m["appends"]]
        # the 503 came before the server stored segment 2: it is sent again,
        # and nothing else is
        lib.assert_eq(idx, list(range(len(idx))), "segments stored")
        appends = srv.paths("POST", "/2/media/upload/%s/append" % mid)
        lib.assert_eq(len(appends), len(idx) + 1, "append requests")
        lib.assert_eq(len(srv.paths("POST", "/2/media/upload/initialize")),
                      1, "initialize requests")
        lib.assert_eq(m["sha256"], U.sha256(f), "bytes")


def test_x_dropped_connection_on_append_is_retried():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 600, 400)
        fault = srv.fault("POST", r"/2/media/upload/\d+/append", "drop", nth=2)
        U.upload(srv, d, "x", f, check=0,
                 env={"ATTACHE_X_SEGMENT_BYTES": "65536"})
        lib.assert_eq(fault.fired, 1, "fault fired")
        ((_, m),) = _media(srv)
        lib.assert_eq(m["sha256"], U.sha256(f), "bytes")


def test_x_answer_slower_than_timeout_is_retried():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 600, 400)
        fault = srv.fault("POST", r"/2/media/upload/\d+/append", "slow", nth=2,
                          seconds=6)
        t0 = time.time()
        U.upload(srv, d, "x", "--json", f, check=0,
                 env={"ATTACHE_X_SEGMENT_BYTES": "65536"})
        took = time.time() - t0
        lib.assert_eq(fault.fired, 1, "fault fired")
        # gave up on the slow answer after the 1 s timeout, not after 6 s
        assert took < 5, took
        ((_, m),) = _media(srv)
        lib.assert_eq(m["sha256"], U.sha256(f), "bytes")


def test_x_429_waits_until_the_reset_time():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/2/media/upload/initialize", status=429,
                  headers={"x-rate-limit-reset": lambda: int(time.time()) + 2},
                  body={"errors": [{"code": 88,
                                    "message": "Rate limit exceeded"}]})
        U.upload(srv, d, "x", f, check=0)
        inits = [r["t"] for r in srv.requests
                 if r["path"] == "/2/media/upload/initialize"]
        lib.assert_eq(len(inits), 2, "initialize requests")
        assert inits[1] - inits[0] >= 1.0, inits[1] - inits[0]
        lib.assert_eq(len(srv.x_media), 1, "media created")


def test_x_429_beyond_the_cap_fails_fast_and_sends_nothing_more():
    with lib.TempDir() as d, FakeSocial() as srv:
        a = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        b = U.noise_image(os.path.join(d, "b.jpg"), 300, 200)
        srv.fault("POST", "/2/media/upload/initialize", status=429, times=50,
                  headers={"x-rate-limit-reset":
                           lambda: int(time.time()) + 3600})
        t0 = time.time()
        p = U.upload(srv, d, "x", "--json", a, b, check=3)
        assert time.time() - t0 < 10
        out = U.lines(p)
        lib.assert_eq([o["media_id"] for o in out], [None, None], "ids")
        assert "rate limited" in out[0]["error"], out[0]["error"]
        assert "not sent" in out[1]["error"], out[1]["error"]
        lib.assert_eq(len(srv.requests), 1, "requests")


def test_x_persistent_503_gives_up_after_the_retries():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", r"/2/media/upload/\d+/append", status=503, times=99)
        p = U.upload(srv, d, "x", "--json", f, check=3,
                     env={"ATTACHE_HTTP_RETRIES": "2"})
        err = U.lines(p)[0]["error"]
        assert "503" in err and "3 attempts" in err, err
        assert f in err, err
        lib.assert_eq(len(srv.paths("POST", "/2/media/upload/initialize")),
                      1, "initialize requests")
        lib.assert_eq(len([x for x in srv.paths("POST")
                           if x.endswith("/append")]), 3, "append requests")


def test_x_wrong_secret_fails_at_once_with_a_hint():
    """The server's own verifier refuses the signature: 401, no retry, a
    hint about the clock and the signature, later files not sent."""
    with lib.TempDir() as d, FakeSocial() as srv:
        a = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        b = U.noise_image(os.path.join(d, "b.jpg"), 300, 200)
        wrong = "wrong-consumer-secret-0123456789"
        p = U.upload(srv, d, "x", "--json", a, b, check=3,
                     env={"ATTACHE_X_CONSUMER_SECRET": wrong})
        U.assert_no_secret(srv, p, [wrong])
        out = U.lines(p)
        assert "401" in out[0]["error"], out[0]["error"]
        assert "clock" in out[0]["error"] and "signature" in out[0]["error"]
        lib.assert_eq(out[0]["code"], "auth", "code")
        assert "not sent" in out[1]["error"], out[1]["error"]
        lib.assert_eq(len(srv.requests), 1, "requests")
        lib.assert_eq(srv.x_auth_failed, 1, "refused signatures")


def test_x_clock_skew_is_refused_with_a_hint():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.clock_offset = 3600
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "x", f, check=3)
        assert "clock" in p.stderr, p.stderr
        lib.assert_eq(len(srv.requests), 1, "requests")


def test_x_403_names_the_media_write_scope():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/2/media/upload/initialize", status=403, body={
            "title": "Forbidden", "type":
            "https://api.x.com/2/problems/client-forbidden",
            "detail": "You are not permitted to use this endpoint"})
        p = U.upload(srv, d, "x", "--json", f, check=3, oauth=False)
        err = U.lines(p)[0]["error"]
        assert "403" in err and "media.write" in err, err
        assert "You are not permitted" in err, err
        lib.assert_eq(len(srv.requests), 1, "requests")


def test_x_400_problem_detail_shown_with_secrets_redacted():
    """A 400 on the alt text, whose detail echoes the Authorization header:
    the detail reaches the user, the token does not; the media id is named
    so nobody posts it without its alt text."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/2/media/metadata", status=400, body=lambda h: {
            "title": "Invalid Request",
            "detail": "metadata refused for %s" % h.get("authorization")})
        p = U.upload(srv, d, "x", "--alt", "text", "--json", "--verbose", f,
                     check=3, oauth=False)
        err = U.lines(p)[0]["error"]
        assert "metadata refused for Bearer [redacted]" in err, err
        ((mid, _),) = _media(srv)
        assert "media %s uploaded, but its alt text was not set" % mid in err
        lib.assert_eq(len(srv.paths("POST", "/2/media/metadata")), 1,
                      "metadata requests (400 is not retried)")


def test_x_processing_is_polled_until_succeeded():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.x_processing_polls = 3
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "x", "--alt", "after processing", "--json", f,
                     check=0)
        ((mid, m),) = _media(srv)
        lib.assert_eq(U.lines(p)[0]["media_id"], mid, "id")
        status = [r for r in srv.requests if r["method"] == "GET"]
        lib.assert_eq(len(status), 4, "STATUS polls")
        assert all("command=STATUS" in r["query"] and mid in r["query"]
                   for r in status)
        # the alt text only once processing is over (the server refuses
        # it before)
        lib.assert_eq(m["alt"], "after processing", "alt text")


def test_x_check_after_secs_is_honoured():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.x_processing_polls = 1
        srv.x_check_after = 1
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        U.upload(srv, d, "x", f, check=0)
        t = [r["t"] for r in srv.requests if r["method"] == "GET"]
        fin = [r["t"] for r in srv.requests if r["path"].endswith("finalize")]
        lib.assert_eq(len(t), 2, "polls")
        assert t[0] - fin[0] >= 0.9 and t[1] - t[0] >= 0.9, (fin, t)


def test_x_processing_failed_is_a_rejection():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.x_processing_polls = 1
        srv.x_processing_fail = True
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "x", "--alt", "a", "--json", f, check=3)
        out = U.lines(p)[0]
        lib.assert_eq(out["code"], "rejected", "code")
        assert "Unsupported media file" in out["error"], out["error"]
        lib.assert_eq(out["media_id"], None, "no id for failed media")
        lib.assert_eq(srv.paths("POST", "/2/media/metadata"), [], "metadata")


def test_x_file_over_the_limit_is_never_sent():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "huge.jpg"), 1600, 1400, q=100)
        assert os.path.getsize(f) > 5000000
        p = U.upload(srv, d, "x", "--json", f, check=3)
        out = U.lines(p)[0]
        assert "5000000" in out["error"] and "not sent" in out["error"]
        lib.assert_eq(out["bytes"], os.path.getsize(f), "bytes")
        lib.assert_eq(srv.requests, [], "requests")


def test_x_alt_text_over_1000_characters_is_never_sent():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "x", "--alt", "é" * 1001, f, check=3)
        assert "1000" in p.stderr, p.stderr
        lib.assert_eq(srv.requests, [], "requests")
        # 1000 characters (2000 bytes) is fine
        U.upload(srv, d, "x", "--alt", "é" * 1000, f, check=0)
        ((_, m),) = _media(srv)
        lib.assert_eq(m["alt"], "é" * 1000, "alt text")


def test_x_same_file_twice_is_one_media():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        g = os.path.join(d, "copy.jpg")
        with open(f, "rb") as src, open(g, "wb") as dst:
            dst.write(src.read())
        p = U.upload(srv, d, "x", "--alt", "same", "--json", f, g, f,
                     check=0)
        out = U.lines(p)
        lib.assert_eq(len({o["media_id"] for o in out}), 1, "one media id")
        lib.assert_eq([o["reused"] for o in out], [False, True, True],
                      "reused")
        lib.assert_eq(len(srv.x_media), 1, "media created")
        lib.assert_eq(len(srv.paths("POST", "/2/media/metadata")), 1,
                      "alt text set once")


def test_x_lost_answer_to_initialize_is_not_retried():
    """The server created the media but its answer was lost: sending
    initialize again would make a second media, so attache stops."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/2/media/upload/initialize", "drop_after")
        p = U.upload(srv, d, "x", "--json", f, check=3)
        err = U.lines(p)[0]["error"]
        assert "not retried" in err, err
        lib.assert_eq(len(srv.x_media), 1, "media created")
        lib.assert_eq(len(srv.requests), 1, "requests")


def test_x_lost_answer_to_finalize_is_recovered():
    """Finalize acted on, answer lost, repeat refused as already finalized:
    attache asks the status instead of failing or starting over."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", r"/2/media/upload/\d+/finalize", "drop_after")
        p = U.upload(srv, d, "x", "--alt", "ok", "--json", f, check=0)
        ((mid, m),) = _media(srv)
        lib.assert_eq(U.lines(p)[0]["media_id"], mid, "id")
        lib.assert_eq(m["alt"], "ok", "alt")
        lib.assert_eq(len(srv.paths("POST", "/2/media/upload/initialize")),
                      1, "initialize requests")


def test_x_verbose_shows_requests_never_secrets():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "x", "--alt", "v", "--verbose", f, check=0)
        assert "POST %s/2/media/upload/initialize" % srv.url in p.stderr
        assert "Authorization: [redacted]" in p.stderr, p.stderr[-2000:]
        assert "oauth_signature" not in p.stderr
        assert "oauth_nonce" not in p.stderr
        p = U.upload(srv, d, "x", "--alt", "v", "--verbose", f, check=0,
                     oauth=False)
        assert "Authorization: [redacted]" in p.stderr
        assert "Bearer" not in p.stderr


def test_x_alt_file_unicode_and_trailing_newline():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        alt = "متطوعون يفرغون أكياس الأرز\nsecond line"
        af = os.path.join(d, "alt.txt")
        with open(af, "w", encoding="utf-8") as fh:
            fh.write(alt + "\n\n")
        p = U.upload(srv, d, "x", "--alt-file", af, "--json", f, check=0)
        ((_, m),) = _media(srv)
        lib.assert_eq(m["alt"], alt, "alt text on the server")
        lib.assert_eq(U.lines(p)[0]["alt_text"], alt, "alt text in JSON")
