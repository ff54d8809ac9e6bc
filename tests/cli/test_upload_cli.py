"""`attache upload`: credentials (environment, credentials.ini and its
permissions), usage errors and exit codes, checks before sending, and
answers no well-behaved server gives."""
import os

import lib
import uploadlib as U
from uploadlib import FakeSocial
from server import fake_social


def test_server_signer_reproduces_the_published_vectors():
    """The test server's OAuth verifier is itself checked against X's two
    published vectors, so a signature it accepts is a correct one."""
    params = [
        ("include_entities", "true"),
        ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
        ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
        ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1318622958"),
        ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
        ("oauth_version", "1.0"),
    ]
    cs = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
    ts = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
    _, a = fake_social.oauth1_signature(
        "POST", "https://api.twitter.com/1.1/statuses/update.json", params,
        cs, ts)
    _, b = fake_social.oauth1_signature(
        "POST", "https://api.x.com/1.1/statuses/update.json", params, cs, ts)
    lib.assert_eq(a, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=", "vector A")
    lib.assert_eq(b, "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=", "vector B")


def test_credentials_ini_used_when_private():
    with lib.TempDir() as d, FakeSocial() as srv:
        U.write_ini(d, "[x]\napi = %s\nbearer = %s\n" % (srv.url, srv.x_bearer))
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        p = U.upload(srv, d, "x", "--json", "--verbose", f, check=0,
                     creds=False)
        assert "credentials.ini" in p.stderr, p.stderr
        lib.assert_eq(len(srv.x_media), 1, "media")


def test_credentials_ini_readable_by_others_is_refused():
    for mode in (0o644, 0o640, 0o604, 0o620):
        with lib.TempDir() as d, FakeSocial() as srv:
            path = U.write_ini(d, "[mastodon]\nurl = %s\ntoken = %s\n" %
                               (srv.url, srv.mastodon_token), mode)
            f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
            p = U.upload(srv, d, "mastodon", f, check=2, creds=False)
            assert path in p.stderr and "chmod 600" in p.stderr, p.stderr
            assert "%04o" % mode in p.stderr, p.stderr
            lib.assert_eq(srv.requests, [], "requests")


def test_environment_wins_over_the_file():
    """Each value from its variable when set; the file fills the rest. A
    complete environment does not read the file at all."""
    with lib.TempDir() as d, FakeSocial() as srv:
        U.write_ini(d, "[mastodon]\nurl = %s\ntoken = stale-token-000\n" %
                    srv.url)
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        U.upload(srv, d, "mastodon", f, check=0, creds=False,
                 env={"ATTACHE_MASTODON_TOKEN": srv.mastodon_token})
        path = U.write_ini(d, "[mastodon]\ntoken = x\n", 0o644)
        U.upload(srv, d, "mastodon", f, check=0)
        assert os.path.exists(path)
        lib.assert_eq(len(srv.mastodon_media), 2, "media")


def test_missing_credentials_exit_2():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        p = U.upload(srv, d, "bluesky", f, check=2, creds=False)
        assert "ATTACHE_BLUESKY_HANDLE" in p.stderr, p.stderr
        assert "ATTACHE_BLUESKY_APP_PASSWORD" in p.stderr, p.stderr
        p = U.upload(srv, d, "x", f, check=2, creds=False,
                     env={"ATTACHE_X_CONSUMER_KEY": "ck-0000000",
                          "ATTACHE_X_ACCESS_TOKEN": "at-0000000"})
        assert "ATTACHE_X_CONSUMER_SECRET" in p.stderr, p.stderr
        assert "ck-0000000" not in p.stderr
        lib.assert_eq(srv.requests, [], "requests")


def test_plain_http_only_to_loopback():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        p = U.upload(srv, d, "mastodon", f, check=2,
                     env={"ATTACHE_MASTODON_URL": "http://example.org"})
        assert "only https" in p.stderr, p.stderr


def test_usage_errors_exit_2():
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        cases = [
            ([f], None),  # no --to
            (["--to", "myspace", f], None),
            (["--to", "x", "--alt", "a", "--alt-file", f, f], None),
            (["--to", "x"], None),
            (["--to", "mastodon", "--focus", "2,0", f], None),
            (["--to", "x", "--alt-file", os.path.join(d, "none.txt"), f],
             None),
        ]
        env = {k: None for k in U.UPLOAD_VARS}
        env.update(U.credentials(srv, "x"))
        for args, _ in cases:
            p = lib.run("upload", *args, **env)
            lib.assert_eq(p.returncode, 2, " ".join(args))
            U.assert_no_secret(srv, p)
        lib.assert_eq(srv.requests, [], "requests")


def test_unreadable_and_non_image_files_fail_the_file_only():
    with lib.TempDir() as d, FakeSocial() as srv:
        good = U.noise_image(os.path.join(d, "good.jpg"), 200, 100)
        text = os.path.join(d, "notes.jpg")
        with open(text, "w") as fh:
            fh.write("not an image\n")
        missing = os.path.join(d, "missing.jpg")
        p = U.upload(srv, d, "x", "--json", text, missing, good, check=3)
        out = U.lines(p)
        lib.assert_eq(len(out), 3, "one line per file")
        assert text in out[0]["error"], out[0]["error"]
        assert missing in out[1]["error"], out[1]["error"]
        lib.assert_eq(out[2]["error"], None, "the good file")
        ((mid, m),) = srv.x_media.items()
        lib.assert_eq(out[2]["media_id"], mid, "id")
        lib.assert_eq(m["sha256"], U.sha256(good), "bytes")


def test_redirect_is_not_followed():
    """A redirect would carry the Authorization header to another host."""
    with lib.TempDir() as d, FakeSocial() as srv:
        other = FakeSocial().start()
        try:
            f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
            srv.fault("POST", "/api/v2/media", status=307, headers={
                "Location": other.url + "/api/v2/media"})
            p = U.upload(srv, d, "mastodon", "--json", f, check=3)
            assert "redirect" in U.lines(p)[0]["error"]
            lib.assert_eq(other.requests, [], "requests to the other host")
        finally:
            other.stop()


def test_misbehaving_answers():
    """A 200 without the promised fields, an id that is not an id, an
    answer too large to be real: each fails the file with a clear message
    and no crash."""
    with lib.TempDir() as d, FakeSocial() as srv:
        f = U.noise_image(os.path.join(d, "a.jpg"), 200, 100)
        srv.fault("POST", "/2/media/upload/initialize", status=200,
                  body={"errors": [{"message": "Something odd"}]})
        p = U.upload(srv, d, "x", "--json", f, check=3)
        assert "Something odd" in U.lines(p)[0]["error"]
        srv.fault("POST", "/2/media/upload/initialize", status=200,
                  body={"data": {"id": "../../2/tweets"}})
        p = U.upload(srv, d, "x", "--json", f, check=3)
        assert "no valid media id" in U.lines(p)[0]["error"]
        srv.fault("POST", "/2/media/upload/initialize", status=200,
                  body={"data": {"id": "1", "pad": "x" * (2 << 20)}})
        p = U.upload(srv, d, "x", "--json", f, check=3)
        assert "larger than" in U.lines(p)[0]["error"]
        lib.assert_eq([p for p in srv.paths() if "append" in p], [],
                      "appends")


def test_audited_again_before_sending():
    """A photo straight from the phone (GPS, serial numbers) is refused by
    the audit and never sent."""
    photos = [p for p in lib.phone_photos() if "_gps" in p and
              p.endswith(".jpg")]
    with lib.TempDir() as d, FakeSocial() as srv:
        p = U.upload(srv, d, "mastodon", "--json", photos[0], check=3)
        out = U.lines(p)[0]
        lib.assert_eq(out["code"], "audit", "code")
        assert "gps" in out["error"], out["error"]
        lib.assert_eq(srv.requests, [], "requests")
