"""Conventions of a command-line tool (issue 13, section 7): `attache help
COMMAND`, usage lines that name the command, -V, and "did you mean" for a
mistyped command, option or preset name."""
import os
import re

import lib

COMMANDS = ("prep", "presets", "watch", "audit", "upload", "review",
            "approve")


def version():
    with open(os.path.join(lib.ROOT, "src", "lib", "attache.h")) as f:
        return re.search(r'#define ATTACHE_VERSION "([^"]+)"', f.read()).group(1)


def test_help_command_and_usage_lines():
    for cmd in COMMANDS:
        p = lib.run("help", cmd, check=0)
        usage = p.stdout.splitlines()[1].strip()
        assert usage.startswith("attache %s " % cmd), (cmd, p.stdout[:200])
        q = lib.run(cmd, "--help", check=0)
        lib.assert_eq(q.stdout, p.stdout, "help %s = %s --help" % (cmd, cmd))
    p = lib.run("help", check=0)
    assert "attache help COMMAND" in p.stdout, p.stdout
    p = lib.run("help", "prpe", check=2)
    assert 'did you mean "prep"' in p.stderr, p.stderr


def test_version_flags():
    for flag in ("-V", "--version", "version"):
        p = lib.run(flag, check=0)
        lib.assert_eq(p.stdout.strip(), "attache " + version(), flag)


def test_did_you_mean_command():
    p = lib.run("prpe", "x.jpg", check=2)
    assert 'unknown command "prpe"; did you mean "prep"?' in p.stderr, p.stderr
    p = lib.run("aprove", check=2)
    assert 'did you mean "approve"' in p.stderr, p.stderr
    # nothing near: no guess, the list of commands
    p = lib.run("frobnicate", check=2)
    assert "did you mean" not in p.stderr and "Commands:" in p.stderr, p.stderr


def test_did_you_mean_option():
    """`--presets` is -p's name now (`--preset` an old spelling, accepted
    but not advertised): a typo of either is pointed at `--presets`."""
    lib.phone_photos()
    photo = os.path.join(lib.PHONE, "nokia-n70_iptc-city_thumb.jpg")
    with lib.TempDir() as d:
        for typo, want in (("--prest", "--presets"), ("--presetss", "--presets"),
                           ("--cmapaign=demo", "--campaign"),
                           ("--jsno", "--json")):
            p = lib.run("prep", typo, "x-landscape", "-o", d, photo, check=2)
            assert "did you mean %s?" % want in p.stderr, (typo, p.stderr)
            lib.assert_eq(os.listdir(d), [], "nothing written")
    p = lib.run("upload", "--tto", "x", "f.jpg", check=2)
    assert "did you mean --to?" in p.stderr, p.stderr
    p = lib.run("review", "--lnag", "fr", ".", check=2)
    assert "did you mean --lang?" in p.stderr, p.stderr
    p = lib.run("prep", "--zzzzzzzz", "x.jpg", check=2)
    assert "did you mean" not in p.stderr, p.stderr


def test_did_you_mean_preset():
    lib.phone_photos()
    photo = os.path.join(lib.PHONE, "nokia-n70_iptc-city_thumb.jpg")
    with lib.TempDir() as d:
        p = lib.run("prep", "-p", "x-landscpe", "-o", d, photo, check=2)
        assert 'unknown preset "x-landscpe" (did you mean "x-landscape"?' \
            in p.stderr, p.stderr
        p = lib.run("presets", "mastdon", check=2)
        assert 'did you mean "mastodon"' in p.stderr, p.stderr
        p = lib.run("prep", "-p", "tiktok", "-o", d, photo, check=2)
        assert "did you mean" not in p.stderr and "known:" in p.stderr, \
            p.stderr
