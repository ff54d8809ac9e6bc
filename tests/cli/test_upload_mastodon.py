"""`attache upload --to mastodon`: POST /api/v2/media with description and
focus, 202 polled to 200, the instance's limits read (and cached) and
enforced before anything is sent."""
import json
import os
import stat

import lib
import uploadlib as U
from uploadlib import FakeSocial


def test_mastodon_upload_with_description_and_focus():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.prepared_photo(d, "mastodon")
        alt = "A nurse weighs a baby at a field clinic"
        p = U.upload(srv, d, "mastodon", "--alt", alt, "--focus",
                     "0.25,0.75", "--json", f, check=0)
        (line,) = U.lines(p)
        ((mid, m),) = srv.mastodon_media.items()
        lib.assert_eq(line["media_id"], mid, "media_id")
        lib.assert_eq(m["sha256"], U.sha256(f), "bytes")
        lib.assert_eq(m["description"], alt, "description")
        # 0..1 from the top-left becomes Mastodon's -1..1, y up
        lib.assert_eq(m["focus"], "-0.50,-0.50", "focus")
        lib.assert_eq(m["type"], "image/jpeg", "file part type")
        lib.assert_eq(m["filename"], os.path.basename(f), "file name")
        lib.assert_eq((line["width"], line["height"]), U.header_size(f),
                      "dimensions")
        lib.assert_eq(len(srv.paths("POST", "/api/v2/media")), 1, "POSTs")


def test_mastodon_202_is_polled_until_200():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.mastodon_polls = 3
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "mastodon", "--alt", "a", "--json", f, check=0)
        ((mid, m),) = srv.mastodon_media.items()
        lib.assert_eq(U.lines(p)[0]["media_id"], mid, "id")
        lib.assert_eq(m["gets"], 4, "GET /api/v1/media/:id (3 x 206, 200)")


def test_mastodon_limits_enforced_before_sending():
    """The instance says 60 kB, 1 MP and 20 characters: a file, an image and
    an alt text over them are refused without a single upload request."""
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.mastodon_limits.update(image_size_limit=60000,
                                   image_matrix_limit=1000000,
                                   description_limit=20)
        heavy = U.noise_image(os.path.join(d, "heavy.jpg"), 300, 200)
        wide = U.flat_jpeg(os.path.join(d, "wide.jpg"), 1200, 900)
        small = U.flat_jpeg(os.path.join(d, "small.jpg"), 400, 300)
        assert os.path.getsize(heavy) > 60000 > os.path.getsize(wide)
        p = U.upload(srv, d, "mastodon", "--alt", "short", "--json", heavy,
                     wide, check=3)
        errs = [o["error"] for o in U.lines(p)]
        assert "60000" in errs[0] and "not sent" in errs[0], errs[0]
        assert "1000000 pixels" in errs[1], errs[1]
        p = U.upload(srv, d, "mastodon", "--alt", "x" * 21, "--json", small,
                     check=3)
        err = U.lines(p)[0]["error"]
        assert "21 characters" in err and "20" in err, err
        lib.assert_eq(srv.paths("POST"), [], "upload requests")
        # within the limits it goes
        U.upload(srv, d, "mastodon", "--alt", "x" * 20, small, check=0)
        lib.assert_eq(len(srv.mastodon_media), 1, "media")


def test_mastodon_unsupported_type_is_not_sent():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.mastodon_limits["supported_mime_types"] = ["image/jpeg"]
        f = U.noise_image(os.path.join(d, "a.png"), 100, 100)
        p = U.upload(srv, d, "mastodon", f, check=3)
        assert "image/png" in p.stderr, p.stderr
        lib.assert_eq(srv.paths("POST"), [], "upload requests")


def test_mastodon_instance_limits_cached_between_runs():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        g = U.noise_image(os.path.join(d, "b.jpg"), 200, 100)
        U.upload(srv, d, "mastodon", f, check=0)
        U.upload(srv, d, "mastodon", g, check=0)
        lib.assert_eq(srv.mastodon_instance_gets, 1, "instance fetches")
        cache = os.path.join(d, "cache", "attache")
        (name,) = [n for n in os.listdir(cache)
                   if n.startswith("mastodon-instance")]
        path = os.path.join(cache, name)
        lib.assert_eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "mode")
        with open(path) as fh:
            cached = json.load(fh)
        lib.assert_eq(cached["media_attachments"]["image_size_limit"],
                      srv.mastodon_limits["image_size_limit"], "cached limit")
        # a stale cache (over a day old) is fetched again
        cached["fetched_at"] -= 2 * 86400
        with open(path, "w") as fh:
            json.dump(cached, fh)
        U.upload(srv, d, "mastodon", f, check=0)
        lib.assert_eq(srv.mastodon_instance_gets, 2, "instance fetches")


def test_mastodon_lost_answer_to_upload_makes_no_second_media():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/api/v2/media", "drop_after")
        p = U.upload(srv, d, "mastodon", "--json", f, check=3)
        assert "not retried" in U.lines(p)[0]["error"]
        lib.assert_eq(len(srv.mastodon_media), 1, "media on the server")
        lib.assert_eq(len(srv.paths("POST", "/api/v2/media")), 1, "POSTs")


def test_mastodon_503_on_upload_is_retried():
    """A 503 says the server did not act: sending again is safe."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/api/v2/media", status=503, times=2)
        U.upload(srv, d, "mastodon", f, check=0)
        lib.assert_eq(len(srv.mastodon_media), 1, "media")
        lib.assert_eq(len(srv.paths("POST", "/api/v2/media")), 3, "POSTs")


def test_mastodon_wrong_token_fails_at_once():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        p = U.upload(srv, d, "mastodon", "--json", f, f, check=3,
                     env={"ATTACHE_MASTODON_TOKEN": "not-the-token-1234"})
        out = U.lines(p)
        assert "401" in out[0]["error"] and "token" in out[0]["error"]
        assert "The access token is invalid" in out[0]["error"]
        assert "not-the-token-1234" not in p.stdout + p.stderr
        lib.assert_eq(len(srv.paths("POST", "/api/v2/media")), 1, "POSTs")


def test_mastodon_422_shows_the_servers_reason():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 300, 200)
        srv.fault("POST", "/api/v2/media", status=422, body={
            "error": "Validation failed: File content type is invalid"})
        p = U.upload(srv, d, "mastodon", "--json", f, check=3)
        out = U.lines(p)[0]
        lib.assert_eq(out["code"], "rejected", "code")
        assert "File content type is invalid" in out["error"], out["error"]
