"""attache prep --upload: prepare, then upload each output to its own
platform with the photo's alt text (and focal point for Mastodon), against
the loopback fake server."""
import os

import lib
import uploadlib as U
from uploadlib import FakeSocial


def prep_upload(srv, d, targets, *args, check=None):
    e = {k: None for k in U.UPLOAD_VARS}
    e.update(U.FAST)
    e["XDG_CONFIG_HOME"] = os.path.join(d, "config")
    e["XDG_CACHE_HOME"] = os.path.join(d, "cache")
    for t in targets:
        e.update(U.credentials(srv, t))
    p = lib.run("prep", "--upload", ",".join(targets), *args, check=check, **e)
    U.assert_no_secret(srv, p)
    return p


def test_prep_then_upload_each_output_to_its_platform():
    with lib.TempDir() as d, FakeSocial() as srv:
        photos = [os.path.join(lib.SAMPLES, "camp-gps-thumbnail.jpg"),
                  os.path.join(lib.SAMPLES, "doorway-orientation6.jpg")]
        alt = "Families queue at water point 3"
        p = prep_upload(srv, d, ["x", "mastodon"], "--json", "-p",
                        "x-landscape,mastodon,instagram-square", "--alt", alt,
                        "-o", os.path.join(d, "out"), *photos, check=0)
        lines = lib.json_lines(p.stdout)
        lib.assert_eq(len(lines), 6, "outputs")
        for l in lines:
            if l["preset"] == "instagram-square":
                assert "upload" not in l, l   # no platform asked for it
                continue
            u = l["upload"]
            assert u["error"] is None, u
            lib.assert_eq(u["file"], l["output"], "uploaded file")
            lib.assert_eq(u["alt_text"], alt, "alt text")
            lib.assert_eq(u["target"], "x" if l["preset"] == "x-landscape"
                          else "mastodon", "target")
        # the server holds exactly these files, with their alt text
        x_ids = {l["upload"]["media_id"] for l in lines
                 if l["preset"] == "x-landscape"}
        lib.assert_eq(len(x_ids), 2, "X media")
        by_sha = {m["sha256"]: m for m in srv.mastodon_media.values()}
        for l in lines:
            if l["preset"] == "mastodon":
                m = by_sha[U.sha256(l["output"])]
                lib.assert_eq(m["description"], alt, "description")
                # the focal point: where attention found the people, as
                # Mastodon's -1..1 with y up
                fx, fy = l["focus"]
                want = "%.2f,%.2f" % (fx * 2 - 1, 1 - fy * 2)
                lib.assert_eq(m["focus"], want, "focus")
        lib.assert_eq(len(srv.mastodon_media), 2, "Mastodon media")


def test_prep_upload_failure_exits_3_and_keeps_outputs():
    with lib.TempDir() as d, FakeSocial() as srv:
        srv.fault("POST", "/2/media/upload/initialize", status=403,
                  times=50)
        photo = os.path.join(lib.SAMPLES, "camp.webp")
        p = prep_upload(srv, d, ["x"], "--json", "-o", os.path.join(d, "o"),
                        "--alt", "x", photo, check=3)
        (l,) = lib.json_lines(p.stdout)
        assert l["error"] is None and os.path.isfile(l["output"])
        assert l["upload"]["error"] and "media.write" in l["upload"]["error"]


def test_prep_upload_usage_errors():
    with lib.TempDir() as d, FakeSocial() as srv:
        photo = os.path.join(lib.SAMPLES, "camp.webp")
        out = os.path.join(d, "o")
        # no preset made for the platform asked
        p = prep_upload(srv, d, ["bluesky"], "-p", "x-landscape", "-o", out,
                        photo, check=2)
        assert "none of the presets" in p.stderr, p.stderr
        # no credentials: exit 2 before any photo is touched
        p = lib.run("prep", "--upload", "mastodon", "-p", "mastodon", "-o",
                    out, photo, XDG_CONFIG_HOME=os.path.join(d, "c"),
                    ATTACHE_MASTODON_URL=None, ATTACHE_MASTODON_TOKEN=None)
        lib.assert_eq(p.returncode, 2, p.stderr)
        assert not os.path.exists(out) or not os.listdir(out)
