"""The option table (src/lib/config/options.c) against the docs and the
commands (curl's test1139 idea), the old spellings, and which place wins
when two give the same setting."""
import glob
import json
import os
import re
import shutil
import subprocess

import lib
from lib import assert_eq

OPTIONS_MD = os.path.join(lib.BUILD, "options-md")
DEMO = os.path.join(lib.ROOT, "campaigns", "demo.ini")
COMMANDS = ["prep", "presets", "watch", "audit", "upload", "review",
            "approve", "serve", "user", "token"]
# flags of other programs the docs quote: pkg-config, GTest, the fuzz
# corpus generator, vips; useradd, systemctl and rsync (docs/serve.md)
FOREIGN = {"cflags", "libs", "static", "tap", "seeds", "fail-on",
           "system", "home", "now", "exclude"}


def table():
    """[(scopes, name, alias, short)] from the table itself."""
    out = subprocess.run([OPTIONS_MD, "names"], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        scopes, name, alias, short = line.split()
        rows.append((set(scopes.split(",")), name,
                     None if alias == "-" else alias,
                     None if short == "-" else short))
    return rows


def docs():
    paths = sorted(glob.glob(os.path.join(lib.ROOT, "docs", "*.md")))
    paths.append(os.path.join(lib.ROOT, "README.md"))
    return {os.path.relpath(p, lib.ROOT): open(p, encoding="utf-8").read()
            for p in paths}


def help_flags():
    """Every --flag some command's --help lists (their own ones too)."""
    flags = set()
    for c in COMMANDS:
        h = lib.run(c, "--help-all", check=0).stdout
        flags |= set(re.findall(r"--([a-z][a-z0-9-]*)", h))
    return flags


def test_generated_tables_are_up_to_date():
    p = subprocess.run([os.path.join(lib.ROOT, "tools", "docs-options.py"),
                        "--check", OPTIONS_MD], capture_output=True,
                       text=True)
    assert_eq(p.returncode, 0, "run make docs: " + p.stdout + p.stderr)
    # and each table is really there, between its markers
    text = docs()
    for doc, scope in (("docs/prep.md", "prep"), ("docs/watch.md", "watch"),
                       ("docs/watch.md", "ini"), ("docs/upload.md", "upload")):
        md = subprocess.run([OPTIONS_MD, scope], check=True,
                            capture_output=True, text=True).stdout
        assert ("<!-- options:%s -->\n%s<!-- /options -->" % (scope, md)
                in text[doc]), (doc, scope)


def test_docs_name_no_option_that_does_not_exist():
    rows = table()
    known = help_flags() | FOREIGN
    for _, name, alias, _ in rows:
        known.add(name)
        if alias:
            known.add(alias)
    ini_keys = {name for scopes, name, _, _ in rows if "ini" in scopes}
    for doc, text in docs().items():
        # code and prose alike: --word not preceded by a word character
        for flag in re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", text):
            assert flag in known, "%s names --%s, which no command has" % (
                doc, flag)
        # attache.ini examples: every key of an [attache] group
        for block in re.findall(r"```ini\n(.*?)```", text, re.S):
            group = None
            for line in block.splitlines():
                line = line.strip()
                if line.startswith("["):
                    group = line.strip("[]")
                elif group == "attache" and "=" in line and \
                        not line.startswith("#"):
                    key = line.split("=", 1)[0].strip()
                    assert key in ini_keys, "%s: attache.ini key %r" % (
                        doc, key)


def test_every_option_is_in_the_docs():
    text = docs()
    everything = "\n".join(text.values())
    for scopes, name, _, _ in table():
        if scopes & {"prep", "watch", "review", "upload"}:
            assert re.search(r"(?<![\w-])--%s\b" % re.escape(name),
                             everything), "--%s is in no doc" % name
        if "ini" in scopes and name != "allow-path":  # the operator's only
            assert "| `%s` |" % name in text["docs/watch.md"], name
    # the flags once left out (watch's --preset-dir, -q and -v)
    watch = text["docs/watch.md"]
    for flag in ("`--preset-dir DIR`", "`-q, --quiet`", "`-v, --verbose`"):
        assert flag in watch, flag


def test_help_comes_from_the_table():
    rows = table()
    for cmd in ("prep", "watch", "review", "upload"):
        h = lib.run(cmd, "--help", check=0).stdout
        for scopes, name, alias, short in rows:
            if cmd not in scopes:
                continue
            assert "--" + name in h, (cmd, name)
            if short:
                assert "-%s, --%s" % (short, name) in h, (cmd, name)
            if alias:  # accepted, not advertised
                assert not re.search(r"--%s(?![\w-])" % re.escape(alias),
                                     h), alias


def test_old_spellings_still_work():
    s = os.path.join(lib.SAMPLES, "camp.webp")
    with lib.TempDir() as d:
        for flag in ("--preset", "--presets", "-p"):
            out = os.path.join(d, flag.strip("-"))
            p = lib.run("prep", "--json", "-o", out, flag, "x-square", s)
            assert_eq(p.returncode, 0, p.stderr)
            assert_eq([o["preset"] for o in lib.json_lines(p.stdout)],
                      ["x-square"], flag)
        # review: --langs and --lang both say which languages are needed
        out = os.path.join(d, "alt")
        lib.run("prep", "-o", out, "--alt", "A well in the village.", s)
        missing = {}
        for flag in ("--lang", "--langs", None):
            page = os.path.join(d, "review-%s.html" % flag)
            args = ["review", "-o", page, out] + ([flag, "fr,es"] if flag
                                                  else [])
            p = lib.run(*args)
            assert_eq(p.returncode, 0, p.stderr)
            missing[flag] = open(page).read().count('data-state="missing"')
        assert_eq(missing["--lang"], missing["--langs"], "the same page")
        assert missing["--lang"] > missing[None], missing
        p = lib.run("review", "--lang", "f!", out, check=2)
        assert_eq(p.returncode, 2, p.stderr)
        assert "--lang" in p.stderr, p.stderr


def manifest_langs(folder):
    with open(os.path.join(folder, "attache-manifest.jsonl")) as f:
        return {json.loads(l)["lang"] for l in f if l.strip()}


def test_precedence_command_line_ini_campaign():
    """lang from three places: the campaign's own (en), attache.ini's,
    the command line's; the nearer one wins."""
    s = os.path.join(lib.SAMPLES, "camp.webp")
    with lib.TempDir() as d:
        # prep: the command line over the campaign
        for extra, want in (([], "en"), (["--lang", "fr"], "fr")):
            out = os.path.join(d, "prep-" + want)
            lib.run("prep", "-o", out, "-c", DEMO, *extra, s)
            assert_eq(manifest_langs(out), {want}, extra)
        # watch: attache.ini over the campaign, the command line over both
        for extra, want in (([], "es"), (["--lang", "ru"], "ru")):
            inbox = os.path.join(d, "inbox-" + want)
            os.makedirs(inbox)
            shutil.copy(s, inbox)
            with open(os.path.join(inbox, "attache.ini"), "w") as f:
                f.write("[attache]\nlang = es\n")
            p = lib.run("watch", inbox, "--once", "--settle", "0.2", "-c",
                        DEMO, *extra)
            assert_eq(p.returncode, 0, p.stderr)
            assert_eq(manifest_langs(os.path.join(inbox, "out")), {want},
                      extra)
