"""`attache upload --to bluesky`: one login, the session cached (0600) and
refreshed, never a fresh login per run; uploadBlob with the real
Content-Type; the blob printed with alt and aspectRatio."""
import json
import os
import stat
import time

import lib
import uploadlib as U
from uploadlib import FakeSocial


def _session_file(d):
    cache = os.path.join(d, "cache", "attache")
    (name,) = [n for n in os.listdir(cache)
               if n.startswith("bluesky-session") and n.endswith(".json")]
    return os.path.join(cache, name)


def test_bluesky_blob_with_alt_and_aspect_ratio():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.prepared_photo(d, "bluesky")
        alt = "Children queue for water at a well"
        p = U.upload(srv, d, "bluesky", "--alt", alt, "--json", f, check=0)
        (line,) = U.lines(p)
        (blob,) = srv.bsky_blobs
        lib.assert_eq(blob["sha256"], U.sha256(f), "bytes")
        lib.assert_eq(blob["content_type"], "image/jpeg", "Content-Type")
        lib.assert_eq(line["blob"], blob["blob"], "blob as the PDS gave it")
        lib.assert_eq(line["media_id"], None, "media_id")
        w, h = U.header_size(f)
        lib.assert_eq(line["image"], {
            "alt": alt, "image": blob["blob"],
            "aspectRatio": {"width": w, "height": h}}, "embed image")
        lib.assert_eq(line["alt_text"], alt, "alt_text")


def test_bluesky_png_sent_as_png():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.png"), 200, 150)
        p = U.upload(srv, d, "bluesky", "--json", f, check=0)
        (blob,) = srv.bsky_blobs
        lib.assert_eq(blob["content_type"], "image/png", "Content-Type")
        # no alt text: the embed still carries alt, empty (it is required)
        lib.assert_eq(U.lines(p)[0]["image"]["alt"], "", "alt")


def test_bluesky_session_cached_and_reused():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        g = U.noise_image(os.path.join(d, "b.jpg"), 200, 150)
        U.upload(srv, d, "bluesky", f, g, check=0)
        lib.assert_eq(srv.bsky_logins, 1, "logins in the first run")
        path = _session_file(d)
        lib.assert_eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "mode")
        U.upload(srv, d, "bluesky", f, g, check=0)
        lib.assert_eq(srv.bsky_logins, 1, "logins after two runs")
        lib.assert_eq(srv.bsky_refreshes, 0, "refreshes")
        lib.assert_eq(len({b["token"] for b in srv.bsky_blobs}), 1,
                      "one access token for all four uploads")


def test_bluesky_session_refreshed_when_expiring():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.bsky_access_lifetime = 30  # inside attache's 60 s margin
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        U.upload(srv, d, "bluesky", f, check=0)
        U.upload(srv, d, "bluesky", f, check=0)
        lib.assert_eq(srv.bsky_logins, 1, "logins")
        lib.assert_eq(srv.bsky_refreshes, 1, "refreshes")
        with open(_session_file(d)) as fh:
            cached = json.load(fh)
        # the rotated refresh token is the one kept
        assert cached["refreshJwt"] in srv.bsky_refresh


def test_bluesky_expired_token_answer_refreshes_and_resends():
    """The PDS refuses a token attache thought valid: refresh once, send
    again, no new login."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        U.upload(srv, d, "bluesky", f, check=0)
        srv.revoke_bluesky_access()
        p = U.upload(srv, d, "bluesky", "--json", f, check=0)
        lib.assert_eq(srv.bsky_logins, 1, "logins")
        lib.assert_eq(srv.bsky_refreshes, 1, "refreshes")
        lib.assert_eq(U.lines(p)[0]["error"], None, "error")


def test_bluesky_revoked_refresh_token_logs_in_again():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.bsky_access_lifetime = 30
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        U.upload(srv, d, "bluesky", f, check=0)
        srv.revoke_bluesky_refresh()
        U.upload(srv, d, "bluesky", f, check=0)
        lib.assert_eq(srv.bsky_logins, 2, "logins")


def test_bluesky_over_the_byte_limit_never_sent():
    """The hosted service's 2,000,000 bytes by default (since 2026-04):
    a 1.5 MB file goes out, one over 2,000,000 is refused before anything
    goes out, login included; ATTACHE_BLUESKY_MAX_BYTES=1000000 (a
    self-hosted server not yet upgraded) refuses the 1.5 MB one too."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 900, 700)
        size = os.path.getsize(f)
        assert 1000000 < size < 2000000, size
        big = U.noise_image(os.path.join(d, "big.jpg"), 1300, 1000)
        assert os.path.getsize(big) > 2000000, os.path.getsize(big)
        p = U.upload(srv, d, "bluesky", "--json", big, check=3)
        err = U.lines(p)[0]["error"]
        assert "2000000" in err and "not sent" in err, err
        p = U.upload(srv, d, "bluesky", "--json", f, check=3,
                     env={"ATTACHE_BLUESKY_MAX_BYTES": "1000000"})
        err = U.lines(p)[0]["error"]
        assert "1000000" in err and "not sent" in err, err
        # the advice is the preset made for such a server
        assert "attache prep -p bluesky-1mb" in err, err
        lib.assert_eq(srv.requests, [], "requests")
        U.upload(srv, d, "bluesky", f, check=0)
        lib.assert_eq(len(srv.bsky_blobs), 1, "blobs")


def test_bluesky_over_2000_pixels_never_sent():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.flat_jpeg(os.path.join(d, "wide.jpg"), 2400, 1000)
        # the official client's 2000 px go with the 1 MB limit
        p = U.upload(srv, d, "bluesky", f, check=3,
                     env={"ATTACHE_BLUESKY_MAX_BYTES": "1000000"})
        assert "2000 pixels" in p.stderr, p.stderr
        lib.assert_eq(srv.requests, [], "requests")


def test_bluesky_wrong_app_password():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        wrong = "zzzz-yyyy-xxxx-wwww"
        p = U.upload(srv, d, "bluesky", "--json", f, f, check=3,
                     env={"ATTACHE_BLUESKY_APP_PASSWORD": wrong})
        U.assert_no_secret(srv, p, [wrong])
        out = U.lines(p)
        assert "401" in out[0]["error"] and "app password" in out[0]["error"]
        assert "Invalid identifier or password" in out[0]["error"]
        lib.assert_eq(len(srv.requests), 1, "requests (no retry)")


def test_bluesky_429_waits_for_ratelimit_reset():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        srv.fault("POST", "/xrpc/com.atproto.repo.uploadBlob", status=429,
                  headers={"ratelimit-reset": lambda: int(time.time()) + 1,
                           "ratelimit-policy": "5000;w=3600"},
                  body={"error": "RateLimitExceeded"})
        U.upload(srv, d, "bluesky", f, check=0)
        lib.assert_eq(len(srv.bsky_blobs), 1, "blobs")
        lib.assert_eq(len(srv.paths("POST",
                                    "/xrpc/com.atproto.repo.uploadBlob")),
                      2, "uploadBlob requests")


def test_bluesky_same_file_twice_is_one_blob():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 150)
        p = U.upload(srv, d, "bluesky", "--alt", "a", "--json", f, f,
                     check=0)
        out = U.lines(p)
        lib.assert_eq(out[0]["blob"], out[1]["blob"], "blob")
        lib.assert_eq([o["reused"] for o in out], [False, True], "reused")
        lib.assert_eq(len(srv.bsky_blobs), 1, "uploadBlob requests")
