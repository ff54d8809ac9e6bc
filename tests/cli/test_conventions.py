"""Conventions of a command-line tool (issue 13, section 7): `attache help
COMMAND`, usage lines that name the command, -V, and "did you mean" for a
mistyped command, option or preset name."""
import os
import re
import shutil
import subprocess

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


def complete(*words, cur_index=None):
    """What build/attache.bash offers for the command line @words (the last
    one being completed), as bash's programmable completion would call it:
    COMP_WORDS, COMP_CWORD, then the function `complete -F` registered."""
    script = os.path.join(lib.BUILD, "attache.bash")
    words = [lib.ATTACHE] + list(words)
    cword = len(words) - 1 if cur_index is None else cur_index
    arr = " ".join("'%s'" % w.replace("'", "'\\''") for w in words)
    prog = ("source '%s'\n"
            "spec=$(complete -p attache)\n"
            "fn=${spec#*-F }; fn=${fn%% *}\n"
            "COMP_WORDS=(%s); COMP_CWORD=%d\n"
            "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
            "$fn attache \"${COMP_WORDS[COMP_CWORD]}\" "
            "\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
            "printf '%%s\\n' \"${COMPREPLY[@]}\"\n" % (script, arr, cword))
    p = subprocess.run(["bash", "--norc", "-c", prog], capture_output=True,
                       text=True, env=lib.env(), cwd=lib.ROOT)
    assert p.returncode == 0, p.stderr
    return [l for l in p.stdout.splitlines() if l]


def test_bash_completion_commands_options_presets():
    # commands
    lib.assert_eq(complete("pr"), ["prep", "presets"], "commands")
    assert "approve" in complete("") and "help" in complete(""), complete("")
    lib.assert_eq(complete("help", "wa"), ["watch"], "help COMMAND")
    # options, from the command's own flags (the option table's for prep)
    lib.assert_eq(complete("prep", "--pre"), ["--presets", "--preset-dir"],
                  "prep options")
    assert "--require-approval" in complete("watch", "--re"), \
        complete("watch", "--re")
    lib.assert_eq(complete("upload", "--t"), ["--to"], "upload options")
    # preset names, from `attache presets`, after -p and in a comma list
    names = sorted(l.split()[0] for l in
                   lib.run("presets", check=0).stdout.splitlines())
    lib.assert_eq(complete("prep", "-p", ""), names, "all presets")
    lib.assert_eq(complete("prep", "-p", "x-l"), ["x-landscape"], "-p x-l")
    lib.assert_eq(complete("prep", "--presets", "mastodon,blue"),
                  ["mastodon,bluesky", "mastodon,bluesky-1mb"], "comma list")
    lib.assert_eq(complete("prep", "--presets", "=", "insta"),
                  ["instagram-landscape", "instagram-portrait",
                   "instagram-square"], "--presets=")
    lib.assert_eq(complete("presets", "th"), ["threads"], "presets NAME")
    # a file argument: files
    assert "Makefile" in complete("prep", "Makef"), complete("prep", "Makef")


def test_campaign_by_name_finds_the_shipped_demo():
    """`-c demo` with no campaign of the user's: the shipped example (the
    source tree's campaigns/ here, PREFIX/share/attache/campaigns once
    installed: test_api.py's install test)."""
    lib.phone_photos()
    photo = os.path.join(lib.PHONE, "nokia-n70_iptc-city_thumb.jpg")
    with lib.TempDir() as d:
        xdg = os.path.join(d, "xdg")
        p = lib.run("prep", "-c", "demo", "--json", "-o", d, photo,
                    XDG_CONFIG_HOME=xdg, check=0)
        (o,) = lib.json_lines(p.stdout)
        lib.assert_eq(o["campaign"], "demo", "campaign")
        # a user's campaign of the same name wins
        os.makedirs(os.path.join(xdg, "attache", "campaigns"))
        with open(os.path.join(xdg, "attache", "campaigns", "demo.ini"),
                  "w") as f:
            f.write("[campaign]\nname=mine\n[text t]\ntext=Hi\n")
        p = lib.run("prep", "-c", "demo", "--json", "-o", d + "/2", photo,
                    XDG_CONFIG_HOME=xdg, check=0)
        (o,) = lib.json_lines(p.stdout)
        lib.assert_eq(o["campaign"], "mine", "the user's first")
        p = lib.run("prep", "-c", "dmeo", "-o", d + "/3", photo,
                    XDG_CONFIG_HOME=xdg, check=2)
        assert 'campaign "dmeo"' in p.stderr, p.stderr
        assert '(did you mean "demo"?)' in p.stderr, p.stderr


def test_zsh_completion_dispatch_and_presets():
    """build/_attache under zsh, its completion builtins replaced by ones
    that print what they are given: after `prep -p` the preset action is
    offered, and it lists the presets `attache presets` names."""
    if not shutil.which("zsh"):
        lib.skip("zsh is not installed (make deps installs it)")
    script = os.path.join(lib.BUILD, "_attache")
    prog = r"""
_arguments() { print -rl -- "$@" }
_describe() { print -r -- "describe ${(j: :)${(P)${@[-1]}}}" }
_values() { shift 3; print -r -- "values $*" }
source %s
words=(%s prep -p x); CURRENT=4
_attache
words=(%s pr); CURRENT=2
_attache
_attache_bin=%s
_attache_presets
""" % (script, lib.ATTACHE, lib.ATTACHE, lib.ATTACHE)
    p = subprocess.run(["zsh", "-f", "-c", prog], capture_output=True,
                       text=True, env=lib.env())
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert any(l.startswith("(-p --presets)-p[") and
               l.endswith(":_attache_presets") for l in out), out
    assert any(l.startswith("--json[") for l in out), out
    (desc,) = [l for l in out if l.startswith("describe ")]
    assert "prep:" in desc and "approve:" in desc, desc
    (values,) = [l for l in out if l.startswith("values ")]
    names = sorted(l.split()[0] for l in
                   lib.run("presets", check=0).stdout.splitlines())
    lib.assert_eq(values.split()[1:], names, "presets offered")
